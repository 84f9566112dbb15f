/**
 * Changes that are valid on their own but cannot be applied to what runs: checked against
 * the tree already rendered (what the clusters run), before anything is written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EnvironmentError } from '../../environments/problems';
import { fromYaml } from '../../gitops/yaml';
import { synth } from '../../main';
import { EnvironmentChange, environmentsWith, removeTempDirs, snapshotDir, swapLeftovers, tempDir } from '../support/temp';
import { environmentError, expectProblem } from '../support/problems';

afterAll(removeTempDirs);

const DEV = 'overlays/region-a/dev.yaml';
const PROD = 'overlays/region-a/prod.yaml';
const TENANT = (overlay: string) => `${overlay}/data/minio_tenant_storage.yaml`;
const CLUSTER = (overlay: string) => `${overlay}/data/postgres_cluster_postgres.yaml`;

/** The default environments, rendered once: the tree the clusters run. */
let rendered: string;
beforeAll(() => {
  rendered = path.join(tempDir('strata-transitions-'), 'dist');
  synth({ envDir: environmentsWith(), outDir: rendered });
});

/** A copy of the rendered tree, as a later synth finds it. */
function renderedCopy(): string {
  const outDir = path.join(tempDir('strata-transitions-'), 'dist');
  fs.cpSync(rendered, outDir, { recursive: true, preserveTimestamps: true });
  return outDir;
}

const read = (outDir: string, rel: string): any => fromYaml(fs.readFileSync(path.join(outDir, rel), 'utf8'));

/** Synth of the changed environments over the rendered tree fails, and the tree is byte for byte what it was. */
function refused(changes: Readonly<Record<string, EnvironmentChange>>): EnvironmentError {
  const outDir = renderedCopy();
  const before = snapshotDir(outDir);
  const err = environmentError(() => synth({ envDir: environmentsWith(changes), outDir }));
  expect(snapshotDir(outDir)).toEqual(before);
  expect(swapLeftovers(outDir)).toEqual([]);
  return err;
}

describe('MinIO', () => {
  test('a standalone tenant cannot become distributed (region-a/dev: 1 → 4 servers)', () => {
    expect(read(rendered, TENANT('region-a/dev')).spec.pools[0]).toMatchObject({ name: 'pool-0', servers: 1, volumesPerServer: 1 });
    const err = refused({ [DEV]: { merge: { minio: { servers: 4 } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: DEV,
      path: 'minio.servers',
      value: { servers: 4, volumesPerServer: 1 },
      message: /^region-a\/dev: MinIO tenant storage would change from standalone \(1 server\(s\) × 1 volume\(s\)\) to distributed \(4 server\(s\) × 1 volume\(s\)\); the MinIO operator cannot convert a running tenant$/,
      fix: /^keep minio\.servers: 1 and minio\.volumesPerServer: 1, or give the new layout a new minio\.name, migrate the data \(mc mirror\) and remove the old tenant afterwards$/,
    });
  });

  test('the same change is accepted where nothing runs yet (an empty out dir)', () => {
    const outDir = path.join(tempDir('strata-transitions-'), 'dist');
    synth({ envDir: environmentsWith({ [DEV]: { merge: { minio: { servers: 4 } } } }), outDir, only: ['region-a/dev'] });
    expect(read(outDir, TENANT('region-a/dev')).spec.pools[0].servers).toBe(4);
  });

  test('an existing pool cannot be reshaped (region-a/prod: 4 → 6 servers)', () => {
    expect(read(rendered, TENANT('region-a/prod')).spec.pools[0]).toMatchObject({ name: 'pool-0', servers: 4, volumesPerServer: 4 });
    // 6, not 8: 8 servers fill the minio namespace's CPU quota, leaving no room for the
    // tenant's access set-up Job, and the quota problem is not what this test is about.
    const err = refused({ [PROD]: { merge: { minio: { servers: 6 } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'minio.servers',
      value: { servers: 6, volumesPerServer: 4 },
      message: /^region-a\/prod: MinIO tenant storage, pool pool-0 would change from 4 server\(s\) × 4 volume\(s\) to 6 server\(s\) × 4 volume\(s\); MinIO cannot reshape an existing pool \(it grows by adding pools\)$/,
      fix: /^keep minio\.servers: 4 and minio\.volumesPerServer: 4$/,
    });
  });

  test('volumes cannot shrink', () => {
    const err = refused({ [PROD]: { merge: { minio: { volumeSize: '50Gi' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'minio.volumeSize',
      value: '50Gi',
      message: /^region-a\/prod: MinIO tenant storage volumes would shrink from 100Gi; volumes cannot shrink$/,
      fix: /^keep minio\.volumeSize at 100Gi or more$/,
    });
  });
});

describe('PostgreSQL (CloudNativePG)', () => {
  test('postgres.storageSize cannot shrink', () => {
    expect(read(rendered, CLUSTER('region-a/prod')).spec.storage.size).toBe('100Gi');
    const err = refused({ [PROD]: { merge: { postgres: { storageSize: '50Gi' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'postgres.storageSize',
      value: '50Gi',
      message: /^region-a\/prod: PostgreSQL cluster postgres storage would shrink from 100Gi; volumes cannot shrink$/,
      fix: /^keep postgres\.storageSize at 100Gi or more$/,
    });
  });

  test('postgres.walStorageSize cannot shrink', () => {
    const err = refused({ [PROD]: { merge: { postgres: { walStorageSize: '10Gi' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, { file: PROD, path: 'postgres.walStorageSize', value: '10Gi', message: /walStorage would shrink from 20Gi/, fix: /^keep postgres\.walStorageSize at 20Gi or more$/ });
  });

  test('a smaller quantity in another unit is still a shrink (100Gi → 100G)', () => {
    const err = refused({ [PROD]: { merge: { postgres: { storageSize: '100G' } } } });
    expect(err.problems.map((p) => p.path)).toEqual(['postgres.storageSize']);
  });

  test('growing storage is accepted and written', () => {
    const outDir = renderedCopy();
    const result = synth({ envDir: environmentsWith({ [PROD]: { merge: { postgres: { storageSize: '200Gi' } } } }), outDir });
    expect(read(outDir, CLUSTER('region-a/prod')).spec.storage.size).toBe('200Gi');
    expect(result.written).toEqual([CLUSTER('region-a/prod')]);
  });
});

describe('every stateful volume, and the file that set the size', () => {
  test('a shrink set in a tier file names the tier file', () => {
    const err = refused({ 'tiers/prod.yaml': { merge: { postgres: { storageSize: '50Gi' } } } });
    expect(err.problems.map((p) => `${p.file} ${p.path}`)).toEqual(['tiers/prod.yaml postgres.storageSize', 'tiers/prod.yaml postgres.storageSize']);
  });

  test('Kafka broker storage cannot shrink', () => {
    const err = refused({ [PROD]: { merge: { streaming: { kafka: { storageSize: '50Gi' } } } } });
    expect(err.problems.map((p) => `${p.file} ${p.path}`)).toEqual([`${PROD} streaming.kafka.storageSize`]);
  });

  test('OpenSearch storage cannot shrink', () => {
    const err = refused({ [PROD]: { merge: { opensearch: { storageSize: '50Gi' } } } });
    expect(err.problems.map((p) => `${p.file} ${p.path}`)).toEqual([`${PROD} opensearch.storageSize`]);
  });
});

test('problems of several overlays are reported together, and nothing is written', () => {
  const err = refused({
    [DEV]: { merge: { minio: { servers: 4 } } },
    [PROD]: { merge: { postgres: { storageSize: '50Gi' } } },
  });
  expect(err.problems.map((p) => `${p.file} ${p.path}`).sort()).toEqual([`${DEV} minio.servers`, `${PROD} postgres.storageSize`]);
});
