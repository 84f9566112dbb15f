/**
 * The transition guard: changes that are valid on their own but cannot be applied to what
 * runs, or would lose data, checked against the tree already rendered (what the clusters
 * run) before anything is written; data-loss changes go ahead only when acknowledged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EnvironmentError } from '../../environments/problems';
import { fromYaml } from '../../gitops/yaml';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { EnvironmentChange, environmentsWith, filesUnder, removeTempDirs, snapshotDir, swapLeftovers, tempDir } from '../support/temp';

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
      message:
        /^region-a\/dev: Tenant\.minio\.min\.io minio\/storage: spec\.pools\[pool-0\]: would change from standalone \(1 server\(s\) × 1 volume\(s\)\) to distributed \(4 server\(s\) × 1 volume\(s\)\); the MinIO operator cannot convert a running tenant/,
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
      message:
        /^region-a\/prod: Tenant\.minio\.min\.io minio\/storage: spec\.pools\[pool-0\]: pool pool-0 would change from 4 server\(s\) × 4 volume\(s\) to 6 server\(s\) × 4 volume\(s\); MinIO cannot reshape an existing pool \(it grows by adding pools\)/,
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
      message:
        /^region-a\/prod: Tenant\.minio\.min\.io minio\/storage: spec\.pools\[pool-0\]\.volumeClaimTemplate\.spec\.resources\.requests\.storage: its volumes would shrink from 100Gi to 50Gi; volumes cannot shrink/,
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
      message:
        /^region-a\/prod: Cluster\.postgresql\.cnpg\.io postgres\/postgres: spec\.storage\.size: its data volumes would shrink from 100Gi to 50Gi; volumes cannot shrink/,
      fix: /^keep postgres\.storageSize at 100Gi or more$/,
    });
  });

  test('postgres.walStorageSize cannot shrink', () => {
    const err = refused({ [PROD]: { merge: { postgres: { walStorageSize: '10Gi' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'postgres.walStorageSize',
      value: '10Gi',
      message: /spec\.walStorage\.size: its WAL volumes would shrink from 20Gi/,
      fix: /^keep postgres\.walStorageSize at 20Gi or more$/,
    });
  });

  test('a smaller quantity in another unit is still a shrink (100Gi → 100G)', () => {
    const err = refused({ [PROD]: { merge: { postgres: { storageSize: '100G' } } } });
    expect(err.problems.map((p) => p.path)).toEqual(['postgres.storageSize']);
  });

  test('growing storage is accepted and written', () => {
    const outDir = renderedCopy();
    const result = synth({ envDir: environmentsWith({ [PROD]: { merge: { postgres: { storageSize: '200Gi' } } } }), outDir });
    expect(read(outDir, CLUSTER('region-a/prod')).spec.storage.size).toBe('200Gi');
    // The cluster's picture shows the new size too.
    expect(result.written).toEqual(['clusters/region-a-prod/TOPOLOGY.md', CLUSTER('region-a/prod')]);
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

const STAGING = 'overlays/region-a/staging.yaml';
const B_PROD = 'overlays/region-b/prod.yaml';
const REGION_A = 'regions/region-a.yaml';

/** An acknowledgement entry as a user writes it. */
const ack = (object: string, change: string) => ({ object, change, reason: 'planned change, see the ticket PLAT-1234' });

/** Synth of the changed environments over the rendered tree succeeds. */
function accepted(changes: Readonly<Record<string, EnvironmentChange>>) {
  const outDir = renderedCopy();
  const result = synth({ envDir: environmentsWith(changes), outDir });
  return { outDir, result };
}

describe('stateful objects and namespaces that leave the tree', () => {
  test('disabling PostgreSQL in region-a/dev is refused: its namespace, with the cluster and databases in it', () => {
    const err = refused({ [DEV]: { merge: { postgres: { enabled: false } } } });
    expectProblem(err, {
      file: DEV,
      path: '',
      message:
        /^region-a\/dev: Namespace postgres with 5 stateful object\(s\) in it \(Cluster\.postgresql\.cnpg\.io postgres\/postgres, Database\.postgresql\.cnpg\.io postgres\/postgres-dora, .*\) would be removed from the tree/,
      fix: /the namespace stays on the cluster \(prune-protected\).*add to overlays\/region-a\/dev\.yaml: acknowledge: \[\{object: "Namespace postgres", change: removed, reason: "<why, e\.g\. a ticket>"\}\]$/,
    });
    // The operator's namespace (and with it the CloudNativePG release that owns the CRDs).
    expectProblem(err, { file: DEV, path: '', message: /^region-a\/dev: Namespace cnpg-system would be removed/, fix: /"Namespace cnpg-system"/ });
    // The bucket the cluster archived to.
    expectProblem(err, {
      file: DEV,
      path: 'minio',
      message: /Tenant\.minio\.min\.io minio\/storage: spec\.buckets\[pg-backups\]: bucket pg-backups would be removed/,
      fix: /change: spec\.buckets\[pg-backups\]/,
    });
    expect(err.problems).toHaveLength(3);
  });

  test('acknowledged, it renders: the data stays on the cluster, and the acknowledgements are in the tree', () => {
    const acknowledge = [
      ack('Namespace postgres', 'removed'),
      ack('Namespace cnpg-system', 'removed'),
      ack('Tenant.minio.min.io minio/storage', 'spec.buckets[pg-backups]'),
    ];
    const { outDir, result } = accepted({ [DEV]: { merge: { postgres: { enabled: false }, acknowledge } } });
    expect(fs.existsSync(path.join(outDir, CLUSTER('region-a/dev')))).toBe(false);
    expect(result.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^acknowledged in overlays\/region-a\/dev\.yaml: region-a\/dev: Namespace postgres removed \(planned change/),
        'left on the cluster (prune-protected, no longer in the tree): region-a/dev: Cluster.postgresql.cnpg.io postgres/postgres; delete it by hand once its data is safe',
        expect.stringMatching(/left on the cluster .*: region-a\/dev: HelmRelease\.helm\.toolkit\.fluxcd\.io cnpg-system\/cloudnative-pg;/),
      ]),
    );
    const file = fromYaml(fs.readFileSync(path.join(outDir, 'acknowledgements.yaml'), 'utf8')) as any;
    expect(file.acknowledged).toEqual(acknowledge.map((a) => ({ file: DEV, ...a })));
    // Once applied, the same entries match nothing: synth says to remove them.
    const again = synth({ envDir: environmentsWith({ [DEV]: { merge: { postgres: { enabled: false }, acknowledge } } }), outDir });
    expect(again.written).toEqual([]);
    // Only the acknowledgement warnings (regions without apiServer.cidrs are warned about too).
    expect(again.warnings.filter((w) => w.includes(': acknowledge['))).toEqual([
      `${DEV}: acknowledge[0] (Namespace postgres, removed) matches no change: the change is in the tree already, or the entry is mistyped; remove it once the change has been applied`,
      `${DEV}: acknowledge[1] (Namespace cnpg-system, removed) matches no change: the change is in the tree already, or the entry is mistyped; remove it once the change has been applied`,
      `${DEV}: acknowledge[2] (Tenant.minio.min.io minio/storage, spec.buckets[pg-backups]) matches no change: the change is in the tree already, or the entry is mistyped; remove it once the change has been applied`,
    ]);
  });

  test('an acknowledgement must name the exact object and change, and give a reason', () => {
    const wrong = refused({ [DEV]: { merge: { postgres: { enabled: false }, acknowledge: [ack('Namespace postgre', 'removed')] } } });
    expect(wrong.problems.some((p) => /Namespace postgres with/.test(p.message))).toBe(true);
    const noReason = environmentError(() =>
      synth({
        envDir: environmentsWith({ [DEV]: { merge: { acknowledge: [{ object: 'Namespace postgres', change: 'removed' }] } } }),
        outDir: renderedCopy(),
      }),
    );
    expectProblem(noReason, { file: DEV, path: 'acknowledge.0.reason', message: /required field is missing/, fix: /set acknowledge\.0\.reason/ });
  });

  test("an acknowledgement in another overlay's file does not count", () => {
    const err = refused({
      [DEV]: { merge: { postgres: { enabled: false } } },
      [PROD]: { merge: { acknowledge: [ack('Namespace postgres', 'removed')] } },
    });
    expect(err.problems.some((p) => p.file === DEV && /Namespace postgres with/.test(p.message))).toBe(true);
  });

  test('disabling Kafka and OpenSearch in region-a/prod (an overlay emptied to {}) is refused', () => {
    const err = refused({ [PROD]: '{}\n' });
    expect(err.problems.map((p) => p.message.split(' would')[0]).sort()).toEqual(
      [
        expect.stringMatching(/^region-a\/prod: Namespace kafka with \d+ stateful object\(s\) in it/),
        // Fluent Bit's, which goes with OpenSearch (monitoring.logging).
        expect.stringMatching(/^region-a\/prod: Namespace logging$/),
        expect.stringMatching(/^region-a\/prod: Namespace opensearch with 2 stateful object\(s\) in it/),
        'region-a/prod: Namespace opensearch-operator-system',
        'region-a/prod: Namespace strimzi-system',
        'region-a/prod: Tenant.minio.min.io minio/storage: spec.buckets[opensearch-snapshots]: bucket opensearch-snapshots',
      ].sort(),
    );
  });

  test('disabling Velero in prod is refused: its namespace, schedule and locations, and its bucket', () => {
    const err = refused({ [PROD]: { merge: { velero: { enabled: false } } } });
    expectProblem(err, {
      file: PROD,
      path: '',
      message:
        /^region-a\/prod: Namespace velero with 3 stateful object\(s\) in it \(BackupStorageLocation\.velero\.io velero\/default, BackupStorageLocation\.velero\.io velero\/region-b, Schedule\.velero\.io velero\/daily\)/,
      fix: /"Namespace velero"/,
    });
    expectProblem(err, { file: PROD, path: 'minio', message: /spec\.buckets\[velero\]: bucket velero would be removed/, fix: /acknowledge/ });
  });

  test('removing a database is refused, naming the file that lists the databases', () => {
    const platform = readPlatformDatabases().filter((d: any) => d.name !== 'dora');
    const err = refused({ 'platform.yaml': { merge: { postgres: { databases: platform } } } });
    expectProblem(err, {
      file: 'platform.yaml',
      path: 'postgres.databases',
      message: /^region-a\/prod: Database\.postgresql\.cnpg\.io postgres\/postgres-dora would be removed from the tree/,
      fix: /keep the database in postgres\.databases.*add to overlays\/region-a\/prod\.yaml: acknowledge: \[\{object: "Database\.postgresql\.cnpg\.io postgres\/postgres-dora", change: removed/,
    });
    expect(err.problems).toHaveLength(6); // one per overlay
  });

  test('renaming the PostgreSQL cluster is refused: a new, empty cluster would take its place', () => {
    const err = refused({ [PROD]: { merge: { postgres: { name: 'pg' } } } });
    expectProblem(err, {
      file: PROD,
      path: 'postgres.enabled',
      message:
        /^region-a\/prod: Cluster\.postgresql\.cnpg\.io postgres\/postgres would be removed from the tree; a new, empty Cluster\.postgresql\.cnpg\.io postgres\/pg would take its place \(a rename or an engine switch starts from no data\)/,
      fix: /pin postgres\.name when renaming/,
    });
    expectProblem(err, {
      file: 'platform.yaml',
      path: 'postgres.databases',
      message: /postgres-hrm would be removed from the tree; a new, empty Database\.postgresql\.cnpg\.io postgres\/pg-hrm would take its place/,
      fix: /acknowledge/,
    });
  });
});

describe('overlays and regions that vanish', () => {
  test('a deleted overlay file is refused, naming the file, with the way to acknowledge it in the region file', () => {
    const err = refused({ [STAGING]: null });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: STAGING,
      path: '',
      message:
        /^overlay region-a\/staging was rendered \(\d+ stateful object\(s\)\) but overlays\/region-a\/staging\.yaml is gone, so everything it rendered would leave the tree$/,
      fix: /^restore overlays\/region-a\/staging\.yaml \(moved, renamed or deleted\?\); to remove the overlay, add to regions\/region-a\.yaml: acknowledge: \[\{object: "overlay region-a\/staging", change: removed/,
    });
  });

  test('acknowledged in the region file, the overlay leaves the tree', () => {
    const { outDir } = accepted({ [STAGING]: null, [REGION_A]: { merge: { acknowledge: [ack('overlay region-a/staging', 'removed')] } } });
    expect(fs.existsSync(path.join(outDir, 'region-a/staging'))).toBe(false);
    expect(fs.existsSync(path.join(outDir, 'clusters/region-a-staging'))).toBe(false);
  });

  test('a renamed region is refused: every overlay of the old name would vanish', () => {
    const envDir = environmentsWith();
    fs.renameSync(path.join(envDir, 'regions/region-b.yaml'), path.join(envDir, 'regions/region-c.yaml'));
    fs.renameSync(path.join(envDir, 'overlays/region-b'), path.join(envDir, 'overlays/region-c'));
    for (const f of fs.readdirSync(path.join(envDir, 'overlays/region-c'))) {
      const file = path.join(envDir, 'overlays/region-c', f);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/region-b/g, 'region-c'));
    }
    const outDir = renderedCopy();
    const before = snapshotDir(outDir);
    const err = environmentError(() => synth({ envDir, outDir }));
    expectProblem(err, {
      file: 'regions/region-b.yaml',
      path: '',
      message:
        /^region region-b was rendered \(region-b\/dev, region-b\/prod, region-b\/staging, \d+ stateful object\(s\)\) but regions\/region-b\.yaml is gone/,
      fix: /a renamed region keeps its old name.*add to platform\.yaml: acknowledge: \[\{object: "region region-b", change: removed/,
    });
    expect(snapshotDir(outDir)).toEqual(before);
  });
});

describe('DR roles, replication and backups', () => {
  test('turning the running replica region-b/prod into a primary is refused', () => {
    const text = fs
      .readFileSync(path.join(environmentsWith(), B_PROD), 'utf8')
      .replace(/dr:\n  role: replica\n  of: region-a\/prod\n/, 'dr:\n  role: primary\n');
    const err = refused({ [B_PROD]: text });
    expectProblem(err, {
      file: B_PROD,
      path: 'dr',
      message: /^region-b\/prod: Cluster\.postgresql\.cnpg\.io postgres\/postgres: spec\.replica: would leave its DR pair/,
      fix: /promote with dr\.promoted/,
    });
  });

  test('lowering PostgreSQL instances below a majority (3 → 1) is refused; 3 → 2 is not', () => {
    const err = refused({ [PROD]: { merge: { postgres: { instances: 1, synchronous: false } } } });
    expectProblem(err, {
      file: PROD,
      path: 'postgres.instances',
      value: 1,
      message: /spec\.instances: its instances would go from 3 to 1, below a majority of the 3 that run \(2\)/,
      fix: /one member at a time/,
    });
    expect(() => accepted({ [PROD]: { merge: { postgres: { instances: 2 } } } })).not.toThrow();
  });

  test('lowering Kafka replication (factor 3 → 1, min ISR 2 → 1) is refused per setting and topic', () => {
    const err = refused({ [PROD]: { merge: { streaming: { kafka: { replicationFactor: 1, minInsyncReplicas: 1 } } } } });
    expectProblem(err, {
      file: PROD,
      path: 'streaming.kafka.replicationFactor',
      value: 1,
      message:
        /Kafka\.kafka\.strimzi\.io kafka\/events: spec\.kafka\.config\.default\.replication\.factor: the brokers' default\.replication\.factor would be lowered from 3 to 1/,
      fix: /acknowledge/,
    });
    expectProblem(err, {
      file: PROD,
      path: 'streaming.kafka.minInsyncReplicas',
      value: 1,
      message: /spec\.kafka\.config\.min\.insync\.replicas: the brokers' min\.insync\.replicas would be lowered from 2 to 1/,
      fix: /acknowledge/,
    });
    expectProblem(err, {
      file: PROD,
      path: 'streaming.kafka.replicationFactor',
      value: 1,
      message: /KafkaTopic\.kafka\.strimzi\.io kafka\/hrm\.public\.employees: spec\.replicas: its replication factor would be lowered from 3 to 1/,
      fix: /acknowledge/,
    });
  });

  test('OpenSearch data nodes 3 → 1 is refused, and so are the index replicas it would drop to 0', () => {
    const err = refused({ [PROD]: { merge: { opensearch: { dataNodes: 1 } } } });
    expectProblem(err, {
      file: PROD,
      path: 'opensearch.dataNodes',
      value: 1,
      message: /spec\.nodePools\[data\]\.replicas: its data nodes would go from 3 to 1/,
      fix: /cluster\.routing\.allocation\.exclude/,
    });
    expectProblem(err, {
      file: PROD,
      path: 'opensearch.dataNodes',
      value: 0,
      message:
        /OpensearchIndexTemplate\.opensearch\.org opensearch\/employees-index: spec\.template\.settings\.index\.number_of_replicas: the replicas of its indices would be lowered from 1 to 0/,
      fix: /acknowledge/,
    });
  });

  test('shorter backup retention and Velero TTL are refused', () => {
    const err = refused({ [PROD]: { merge: { postgres: { backup: { retention: '7d' } }, velero: { ttl: '24h' } } } });
    expectProblem(err, {
      file: PROD,
      path: 'postgres.backup.retention',
      value: '7d',
      message: /spec\.retentionPolicy: the backup retention would be shortened from "30d" to "7d"/,
      fix: /acknowledge/,
    });
    expectProblem(err, {
      file: PROD,
      path: 'velero.ttl',
      value: '24h',
      message: /Schedule\.velero\.io velero\/daily: spec\.template\.ttl: the time its backups are kept would be shortened from "720h" to "24h"/,
      fix: /acknowledge/,
    });
  });

  test('changing the retain storage class is refused for every volume that uses it', () => {
    const err = refused({ [REGION_A]: { merge: { storageClasses: { retain: 'other-retain' } } } });
    expectProblem(err, {
      file: REGION_A,
      path: 'storageClasses.retain',
      value: 'other-retain',
      message:
        /^region-a\/prod: Cluster\.postgresql\.cnpg\.io postgres\/postgres: spec\.storage\.storageClass: the storage class of its data volumes would change from "fast-ssd-retain" to "other-retain"/,
      fix: /acknowledge/,
    });
    expect(new Set(err.problems.map((p) => p.file))).toEqual(new Set([REGION_A]));
  });

  test('an acknowledged field change renders', () => {
    const { outDir } = accepted({
      [PROD]: {
        merge: {
          postgres: { instances: 1, synchronous: false },
          acknowledge: [ack('Cluster.postgresql.cnpg.io postgres/postgres', 'spec.instances')],
        },
      },
    });
    expect(read(outDir, CLUSTER('region-a/prod')).spec.instances).toBe(1);
  });

  test('a volume shrink cannot be acknowledged', () => {
    const err = refused({
      [PROD]: {
        merge: { postgres: { storageSize: '50Gi' }, acknowledge: [ack('Cluster.postgresql.cnpg.io postgres/postgres', 'spec.storage.size')] },
      },
    });
    expectProblem(err, {
      file: PROD,
      path: 'postgres.storageSize',
      message: /volumes cannot shrink/,
      fix: /^keep postgres\.storageSize at 100Gi or more$/,
    });
  });
});

describe('GitOps engine', () => {
  test('switching a region reconciled by Flux to Argo CD is refused for each of its clusters', () => {
    const err = refused({ [REGION_A]: { merge: { gitops: { engine: 'argocd', repoURL: 'https://git.example.org/platform.git' } } } });
    expect(err.problems).toHaveLength(3);
    expectProblem(err, {
      file: REGION_A,
      path: 'gitops.engine',
      value: 'argocd',
      message:
        /^region-a\/prod: the cluster region-a-prod is reconciled by flux; switching to argocd removes every Flux Kustomization and HelmRelease it runs/,
      fix: /migrate first: .*add to regions\/region-a\.yaml: acknowledge: \[\{object: "overlay region-a\/prod", change: gitops\.engine/,
    });
  });
});

function readPlatformDatabases(): any[] {
  return (fromYaml(fs.readFileSync(path.join(environmentsWith(), 'platform.yaml'), 'utf8')) as any).postgres.databases;
}

describe('the guard holds under concurrency and any sequence of edits', () => {
  test('two synths racing (one grows a volume to 200Gi, one shrinks it to 150Gi) never land the shrink on the grow', async () => {
    const { spawn } = await import('child_process');
    const { compiledProject } = await import('../support/compiled-project');
    const main = JSON.stringify(path.join(compiledProject(), 'main'));
    const run = (envDir: string, outDir: string) =>
      new Promise<number>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            '-e',
            `require(${main}).main(["--env-dir", ${JSON.stringify(envDir)}, "--out", ${JSON.stringify(outDir)}]).then((c) => { process.exitCode = c; })`,
          ],
          {
            cwd: path.resolve(__dirname, '../..'),
            stdio: 'ignore',
            // Both render: neither finds the other's overlays in a cache.
            env: { ...process.env, STRATA_RENDER_CACHE: 'off' },
          },
        );
        child.on('exit', (code) => resolve(code ?? 1));
      });
    const grow = environmentsWith({ [PROD]: { merge: { postgres: { storageSize: '200Gi' } } } });
    const shrink = environmentsWith({ [PROD]: { merge: { postgres: { storageSize: '150Gi' } } } });
    for (let round = 0; round < 2; round++) {
      const outDir = renderedCopy();
      const [grew, shrank] = await Promise.all([run(grow, outDir), run(shrink, outDir)]);
      const size = read(outDir, CLUSTER('region-a/prod')).spec.storage.size;
      // Either order is fine, and either may lose the lock; a landed grow is never undone.
      if (grew === 0) expect(size).toBe('200Gi');
      else expect(shrank === 0 ? size : '150Gi').toBe('150Gi');
      expect(swapLeftovers(outDir)).toEqual([]);
    }
  });

  test('property: for random sequences of edits, no stateful object leaves the tree without an acknowledgement', async () => {
    const fc = await import('fast-check');
    const { TRANSITION_RULES } = await import('../../constructs/transitions');
    // Kinds stateful as a whole; a release stateful by name (appliesTo, Loki) is not among these edits.
    const statefulTokens = new Set(TRANSITION_RULES.filter((r) => r.stateful && !r.appliesTo).map((r) => r.kind.toLowerCase()));
    const statefulFiles = (outDir: string) =>
      filesUnder(outDir).filter((f) => {
        const parts = path.posix.basename(f, '.yaml').split('_');
        return statefulTokens.has(parts.length === 3 ? parts[1] : parts[0]);
      });
    const overlays = ['overlays/region-a/dev.yaml', PROD, STAGING, 'overlays/region-b/dev.yaml', B_PROD];
    const edit = fc.oneof(
      fc
        .record({ file: fc.constantFrom(...overlays), component: fc.constantFrom('postgres', 'minio', 'velero', 'opensearch') })
        .map(({ file, component }) => ({ [file]: { merge: { [component]: { enabled: false } } } })),
      fc.record({ file: fc.constantFrom(...overlays) }).map(({ file }) => ({ [file]: { merge: { streaming: { kafka: { enabled: false } } } } })),
      fc
        .record({ file: fc.constantFrom(...overlays), name: fc.constantFrom('pg', 'main', 'postgres') })
        .map(({ file, name }) => ({ [file]: { merge: { postgres: { name } } } })),
      fc
        .record({ file: fc.constantFrom(...overlays), instances: fc.integer({ min: 1, max: 5 }) })
        .map(({ file, instances }) => ({ [file]: { merge: { postgres: { instances, synchronous: false } } } })),
      fc.record({ file: fc.constantFrom(...overlays) }).map(({ file }) => ({ [file]: null })),
      fc.record({ file: fc.constantFrom(...overlays) }).map(({ file }) => ({ [file]: '{}\n' })),
      fc.constantFrom<Record<string, EnvironmentChange>>(
        { 'platform.yaml': { merge: { postgres: { databases: [{ name: 'hrm', poolerInstances: 2, poolMode: 'transaction' }] } } } },
        { [REGION_A]: { merge: { storageClasses: { retain: 'slow-retain' } } } },
        { [PROD]: { merge: { streaming: { kafka: { replicationFactor: 2 } } } } },
      ),
    );
    const seen: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
        const outDir = renderedCopy();
        let changes: Record<string, EnvironmentChange> = {};
        for (const e of edits) {
          changes = { ...changes, ...e };
          const before = statefulFiles(outDir);
          const snapshot = snapshotDir(outDir);
          try {
            synth({ envDir: environmentsWith(changes), outDir });
            seen.push('rendered');
          } catch (err) {
            expect(err).toBeInstanceOf(EnvironmentError);
            expect(snapshotDir(outDir)).toEqual(snapshot);
            seen.push('refused');
            continue;
          }
          const after = new Set(statefulFiles(outDir));
          expect(before.filter((f) => !after.has(f))).toEqual([]);
        }
      }),
      { seed: 20261202, numRuns: 15 },
    );
    expect(seen).toContain('refused');
  });
});

describe('moving a component to another namespace', () => {
  test('is a removal of its stateful objects, refused unless acknowledged (region-a/dev: postgres → billing)', () => {
    const err = refused({ [DEV]: { merge: { postgres: { namespace: 'billing' } } } });
    const removed = err.problems.filter((p) => /Cluster\.postgresql\.cnpg\.io postgres\/postgres/.test(p.message));
    expect(removed.length).toBeGreaterThan(0);
    expect(removed[0].message).toMatch(/remov|delet/i);
  });
});

describe('Loki (region-b/dev, Argo CD): the logs are in the bucket, and nothing that would lose them goes through unasked', () => {
  const B_DEV = 'overlays/region-b/dev.yaml';
  const loki = (logging: Record<string, unknown> = {}): EnvironmentChange => ({
    merge: { monitoring: { logging: { backend: 'loki', ...logging } } },
  });
  const APP = 'Application.argoproj.io argocd/loki';
  let withLoki: string;
  beforeAll(() => {
    withLoki = path.join(tempDir('strata-transitions-loki-'), 'dist');
    synth({ envDir: environmentsWith({ [B_DEV]: loki() }), outDir: withLoki, only: ['region-b/dev'] });
  });
  const over = (change: EnvironmentChange) => {
    const outDir = path.join(tempDir('strata-transitions-loki-'), 'dist');
    fs.cpSync(withLoki, outDir, { recursive: true, preserveTimestamps: true });
    return { outDir, envDir: environmentsWith({ [B_DEV]: change }) };
  };

  test('a shorter retention is refused, naming the file that set it; a longer one is written', () => {
    const { outDir, envDir } = over(loki({ retentionDays: 3 }));
    const before = snapshotDir(outDir);
    const err = environmentError(() => synth({ envDir, outDir, only: ['region-b/dev'] }));
    expect(snapshotDir(outDir)).toEqual(before);
    expectProblem(err, {
      file: B_DEV,
      path: 'monitoring.logging.retentionDays',
      message:
        /^region-b\/dev: Application\.argoproj\.io argocd\/loki: spec\.source\.helm\.valuesObject\.loki\.limits_config\.retention_period: the Loki retention would be shortened from "168h" to "72h"/,
      fix: /acknowledge: \[\{object: "Application\.argoproj\.io argocd\/loki", change: spec\.source\.helm\.valuesObject\.loki\.limits_config\.retention_period/,
    });
    const longer = over(loki({ retentionDays: 30 }));
    synth({ envDir: longer.envDir, outDir: longer.outDir, only: ['region-b/dev'] });
    expect(read(longer.outDir, 'region-b/dev/monitoring/argocd_application_loki.yaml').spec.source.helm.valuesObject.loki.limits_config).toEqual({
      retention_period: '720h',
    });
  });

  test('switching the backend off is refused (the release and the bucket); acknowledged, Loki and its bucket stay on the cluster', () => {
    const { outDir, envDir } = over({ merge: { monitoring: { logging: { backend: 'none' } } } });
    const err = environmentError(() => synth({ envDir, outDir, only: ['region-b/dev'] }));
    expectProblem(err, {
      file: B_DEV,
      path: 'monitoring.logging.backend',
      message: /^region-b\/dev: Application\.argoproj\.io argocd\/loki would be removed from the tree/,
      fix: /Loki keeps running \(prune-protected\) and its logs stay in the bucket until deleted by hand; to go ahead, add to overlays\/region-b\/dev\.yaml: acknowledge: \[\{object: "Application\.argoproj\.io argocd\/loki", change: removed/,
    });
    expectProblem(err, {
      file: B_DEV,
      path: 'minio',
      message: /Tenant\.minio\.min\.io minio\/storage: spec\.buckets\[loki\]: bucket loki would be removed/,
      fix: /spec\.buckets\[loki\]/,
    });
    // Fluent Bit's namespace leaves with it, as for every backend.
    expectProblem(err, {
      file: B_DEV,
      path: '',
      message: /^region-b\/dev: Namespace logging would be removed from the tree/,
      fix: /"Namespace logging"/,
    });
    expect(err.problems).toHaveLength(3);
    const acknowledge = [ack(APP, 'removed'), ack('Tenant.minio.min.io minio/storage', 'spec.buckets[loki]'), ack('Namespace logging', 'removed')];
    const result = synth({
      envDir: environmentsWith({ [B_DEV]: { merge: { monitoring: { logging: { backend: 'none' } }, acknowledge } } }),
      outDir,
      only: ['region-b/dev'],
    });
    expect(result.notes).toEqual(
      expect.arrayContaining([expect.stringMatching(/left on the cluster .*region-b\/dev: Application\.argoproj\.io argocd\/loki/)]),
    );
    expect(fs.existsSync(path.join(outDir, 'region-b/dev/monitoring/argocd_application_loki.yaml'))).toBe(false);
  });
});
