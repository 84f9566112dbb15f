import { Testing } from 'cdk8s';
import { buildOverlay } from '../../charts/overlay';
import { loadEnvironments } from '../../environments/load';
import type { OverlaySpec } from '../../environments/model';
import { ENVIRONMENTS_DIR, environmentsWith, removeTempDirs } from '../support/temp';

afterAll(removeTempDirs);

const overlays = loadEnvironments(ENVIRONMENTS_DIR);
const overlay = (id: string): OverlaySpec => {
  const found = overlays.find((o) => o.id === id);
  if (!found) throw new Error(`no overlay ${id}`);
  return found;
};
const layer = (id: string, name: string) => {
  const built = buildOverlay(overlay(id));
  return { built, chart: built.layers.find((l) => l.layer === name) };
};
const find = (manifests: any[], kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);

describe('BackupChart', () => {
  test("region-a/prod: default location in the region's MinIO, read-only location on region-b, the tier's daily schedule", () => {
    const { built, chart } = layer('region-a/prod', 'backup');
    expect(chart).toBeDefined();
    expect(built.platform.backup).toBe(chart);
    const manifests = Testing.synth(chart!);
    expect(find(manifests, 'BackupStorageLocation', 'default').spec.config.s3Url).toBe('https://minio.minio.svc.cluster.local');
    const peer = find(manifests, 'BackupStorageLocation', 'region-b');
    expect(peer.spec).toMatchObject({ accessMode: 'ReadOnly', config: { s3Url: 'https://s3.region-b.strata.example' } });
    expect(find(manifests, 'ExternalSecret', 'velero-region-b-s3-credentials').spec.data[0].remoteRef.key).toBe(
      'region-b/prod/minio/storage/users/velero-region-a',
    );
    const schedule = find(manifests, 'Schedule', 'daily');
    expect(schedule.spec.schedule).toBe('0 2 * * *');
    expect(schedule.spec.template.ttl).toBe('720h');
    // Every workload namespace, the apps' included.
    expect(schedule.spec.template.includedNamespaces).toEqual(['hello', 'kafka', 'minio', 'opensearch', 'postgres']);
  });

  test("region-a/prod: the peer's user is declared on this region's tenant, under the key region-b reads, read-only but for its restore records", () => {
    const { built } = layer('region-a/prod', 'backup');
    const data = Testing.synth(built.platform.data);
    expect(find(data, 'Tenant', 'storage').spec.users).toBeUndefined();
    expect(find(data, 'Tenant', 'storage').spec.buckets).toEqual(expect.arrayContaining([{ name: 'velero' }]));
    expect(find(data, 'ExternalSecret', 'velero-region-b-minio-user').spec.data[0].remoteRef.key).toBe(
      'region-a/prod/minio/storage/users/velero-region-b',
    );
    const policies = find(data, 'ConfigMap', 'storage-access-policies').data;
    const peer = JSON.parse(policies['strata-velero-region-b.json']);
    expect(peer.Statement.map((s: any) => [s.Sid, s.Resource])).toEqual([
      ['ReadBuckets', ['arn:aws:s3:::velero']],
      ['ReadObjects', ['arn:aws:s3:::velero/*']],
      ['WritePrefixes', ['arn:aws:s3:::velero/restores/*']],
    ]);
    expect(JSON.stringify(peer)).not.toContain('s3:DeleteObject');
    // The PostgreSQL DR peer reads the WAL archive and nothing else.
    expect(JSON.parse(policies['strata-postgres-region-b.json']).Statement.flatMap((s: any) => s.Action)).toEqual([
      's3:GetBucketLocation',
      's3:ListBucket',
      's3:GetObject',
    ]);
    expect(Object.keys(policies).sort()).toEqual([
      'revoked.json',
      'strata-postgres-region-b.json',
      'strata-postgres.json',
      'strata-search.json',
      'strata-velero-region-b.json',
      'strata-velero.json',
    ]);
  });

  test('the backup layer is applied after foundation, operators and data', () => {
    const { chart } = layer('region-b/prod', 'backup');
    expect([...chart!.layerDependencies].map((c) => c.layer).sort()).toEqual(['data', 'foundation', 'operators']);
  });

  test('the operators layer installs Velero (with metrics) and the Prometheus operator it depends on', () => {
    const { chart } = layer('region-b/prod', 'operators');
    const manifests = Testing.synth(chart!);
    const velero = find(manifests, 'Application', 'velero') ?? find(manifests, 'HelmRelease', 'velero');
    expect(JSON.stringify(velero)).toContain('"serviceMonitor":{"enabled":true}');
    expect(find(manifests, 'Application', 'kube-prometheus-stack') ?? find(manifests, 'HelmRelease', 'kube-prometheus-stack')).toBeDefined();
  });

  test("the tier's retention: staging keeps backups 336h", () => {
    const { chart } = layer('region-a/staging', 'backup');
    expect(find(Testing.synth(chart!), 'Schedule', 'daily').spec.template.ttl).toBe('336h');
  });

  test('no backup layer when velero.enabled is false', () => {
    const [dev] = loadEnvironments(environmentsWith({ 'overlays/region-a/dev.yaml': 'velero:\n  enabled: false\n' }), { only: ['region-a/dev'] });
    const built = buildOverlay(dev);
    expect(built.platform.backup).toBeUndefined();
    expect(built.layers.map((l) => l.layer)).not.toContain('backup');
  });
});
