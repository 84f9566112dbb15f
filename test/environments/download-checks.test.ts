import * as fs from 'fs';
import * as path from 'path';
import { CONNECT_PLUGINS, OPENSEARCH } from '../../constructs/versions';
import { loadEnvironments } from '../../environments/load';
import { main, synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { environmentsWith, removeTempDirs, tempDir } from '../support/temp';

afterAll(() => removeTempDirs());

const STAGING = 'overlays/region-a/staging.yaml';
const outDirPath = () => path.join(tempDir(), 'dist');
const requiringChecksums = (overlayChange: Record<string, unknown> = {}) =>
  environmentsWith({
    'regions/region-a.yaml': { merge: { requireChecksums: true } },
    [STAGING]: { merge: overlayChange },
  });

describe('downloads without a checksum', () => {
  test('are warned about once per URL, naming the overlays that download it and the fix', () => {
    const { warnings } = synth({ envDir: environmentsWith(), outDir: outDirPath(), only: ['region-a/staging', 'region-b/prod'] });
    const downloads = warnings.filter((w) => w.includes('downloaded with no checksum'));
    expect(downloads).toEqual([
      expect.stringMatching(
        /^https:\/\/github\.com\/Aiven-Open\/opensearch-connector-for-apache-kafka\/.* \(KafkaConnect spec\.build\.plugins\[1\]\.artifacts\[0\]\.url in region-a\/staging\): .*CONNECT_PLUGINS.*streaming\.connect\.image/,
      ),
      expect.stringMatching(
        /^https:\/\/github\.com\/opensearch-project\/opensearch-prometheus-exporter\/.* \(OpenSearchCluster spec\.general\.monitoring\.pluginUrl in region-a\/staging, region-b\/prod\): .*opensearch\.prometheusExporter: false/,
      ),
      expect.stringMatching(/^https:\/\/repo1\.maven\.org\/.*debezium-connector-postgres.* in region-a\/staging\)/),
    ]);
  });

  test('a region with requireChecksums: true refuses each one in the overlay file that causes it, and writes nothing', () => {
    const outDir = outDirPath();
    const err = environmentError(() => synth({ envDir: requiringChecksums(), outDir, only: ['region-a/staging', 'region-b/prod'] }));
    const why = (field: string) =>
      new RegExp(
        `^region-a/staging: .* no checksum \\(${field.replace(/[[\].]/g, '\\$&')}\\), and regions/region-a\\.yaml sets requireChecksums: true$`,
      );
    expectProblem(err, {
      file: STAGING,
      path: 'streaming.connect.image',
      value: CONNECT_PLUGINS.debeziumPostgres.artifacts[0].url,
      message: why('spec.build.plugins[0].artifacts[0].url'),
      fix: /SHA-512.*CONNECT_PLUGINS.*streaming\.connect\.image/,
    });
    expectProblem(err, {
      file: STAGING,
      path: 'streaming.connect.image',
      value: CONNECT_PLUGINS.opensearchSink.artifacts[0].url,
      message: why('spec.build.plugins[1].artifacts[0].url'),
      fix: /opensearch-connector-for-apache-kafka 3\.1\.1/,
    });
    expectProblem(err, {
      file: STAGING,
      path: 'opensearch.prometheusExporter',
      value: OPENSEARCH.prometheusExporterPlugin,
      message: why('spec.general.monitoring.pluginUrl'),
      fix: /opensearch\.prometheusExporter: false/,
    });
    // region-b does not require them.
    expect(err.problems.filter((p) => p.file.includes('region-b'))).toEqual([]);
    expect(fs.existsSync(outDir)).toBe(false);
  });

  test('a prebuilt Connect image and no exporter plugin leave nothing to verify', () => {
    const envDir = requiringChecksums({
      streaming: { connect: { image: 'registry.example/platform/connect-cdc:3.6.2' } },
      opensearch: { prometheusExporter: false },
    });
    const outDir = outDirPath();
    const { warnings } = synth({ envDir, outDir, only: ['region-a/staging'] });
    expect(warnings.filter((w) => w.includes('checksum'))).toEqual([]);
    const search = fs.readFileSync(path.join(outDir, 'region-a/staging/search/opensearch_opensearchcluster_search.yaml'), 'utf8');
    expect(search).toMatch(/monitoring:\n\s+enable: false\n/);
    expect(search).not.toMatch(/pluginUrl/);
  });

  test('--require-checksums refuses them in every region, and says it was the flag', async () => {
    const out: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
    jest.spyOn(console, 'error').mockImplementation((...args) => void out.push(args.join(' ')));
    const outDir = outDirPath();
    expect(await main(['--env-dir', environmentsWith(), '--out', outDir, '--only', 'region-b/prod', '--require-checksums'])).toBe(1);
    expect(out.join('\n')).toMatch(/overlays\/region-b\/prod\.yaml[\s\S]*opensearch\.prometheusExporter[\s\S]*synth runs with --require-checksums/);
    expect(fs.existsSync(outDir)).toBe(false);
    jest.restoreAllMocks();
  });

  test('requireChecksums and prometheusExporter must be booleans', () => {
    const region = environmentError(() => loadEnvironments(environmentsWith({ 'regions/region-a.yaml': { merge: { requireChecksums: 'yes' } } })));
    expectProblem(region, {
      file: 'regions/region-a.yaml',
      path: 'requireChecksums',
      value: 'yes',
      message: /must be boolean/,
      fix: /write a boolean/,
    });
    const overlay = environmentError(() => loadEnvironments(environmentsWith({ [STAGING]: { merge: { opensearch: { prometheusExporter: 1 } } } })));
    expectProblem(overlay, { file: STAGING, path: 'opensearch.prometheusExporter', value: 1, message: /must be boolean/, fix: /write a boolean/ });
  });
});
