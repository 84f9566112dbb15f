import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { downloadsIn, recordDownload, unverifiedDownloads } from '../../../constructs/platform/downloads';

describe('downloads', () => {
  const fix = 'pin a checksum';
  test('are collected from the whole tree in object, then field order; unverified ones are those without a SHA-512', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a');
    const b = new Construct(new Chart(app, 'b'), 'deep');
    recordDownload(b, {
      object: 'KafkaConnect kafka/connect',
      field: 'spec.build.plugins[1].artifacts[0].url',
      url: 'https://example.org/2.zip',
      fix,
    });
    recordDownload(a, {
      object: 'OpenSearchCluster opensearch/search',
      field: 'spec.general.monitoring.pluginUrl',
      url: 'https://example.org/3.zip',
      fix,
    });
    recordDownload(b, {
      object: 'KafkaConnect kafka/connect',
      field: 'spec.build.plugins[0].artifacts[0].url',
      url: 'https://example.org/1.tgz',
      sha512: 'ab'.repeat(64),
      fix,
    });
    expect(downloadsIn(app).map((d) => d.url)).toEqual(['https://example.org/1.tgz', 'https://example.org/2.zip', 'https://example.org/3.zip']);
    expect(unverifiedDownloads(app).map((d) => d.url)).toEqual(['https://example.org/2.zip', 'https://example.org/3.zip']);
    expect(downloadsIn(a).map((d) => d.url)).toEqual(['https://example.org/3.zip']);
  });

  test('a tree without any has none', () => {
    expect(downloadsIn(Testing.app())).toEqual([]);
  });
});
