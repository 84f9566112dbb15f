/**
 * The data layer with the Zalando and external-Patroni engines, end to end: each fixture
 * environment renders through `synth` (every object validated strictly against the pinned
 * schemas) and holds the objects its engine implies, and nothing of the other engines.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EnvironmentError } from '../../environments/problems';
import { PROJECT_ROOT } from '../../environments/project-root';
import { fromYaml } from '../../gitops/yaml';
import { synth, SynthResult } from '../../main';
import { filesUnder, removeTempDirs, tempDir, writeFiles } from '../support/temp';

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'environments');

function render(fixture: string): { out: string; result: SynthResult } {
  const out = path.join(tempDir('strata-engines-'), 'dist');
  return { out, result: synth({ envDir: path.join(FIXTURES, fixture), outDir: out }) };
}

/** A copy of a fixture with some files replaced. */
function fixtureWith(fixture: string, files: Readonly<Record<string, string>>): string {
  const dir = tempDir('strata-engines-env-');
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  writeFiles(dir, files);
  return dir;
}

function problemsOf(envDir: string): { path: string; message: string; fix: string; file: string }[] {
  try {
    synth({ envDir, outDir: path.join(tempDir('strata-engines-'), 'dist') });
  } catch (err) {
    if (err instanceof EnvironmentError) return err.problems.map((p) => ({ path: p.path, message: p.message, fix: p.fix, file: p.file }));
    throw err;
  }
  throw new Error('expected the environment to be rejected');
}

const read = (out: string, rel: string): any => fromYaml(fs.readFileSync(path.join(out, rel), 'utf8'));

afterAll(removeTempDirs);

describe('zalando fixture', () => {
  let out: string;
  let result: SynthResult;
  beforeAll(() => ({ out, result } = render('zalando')));

  test('renders and validates every overlay', () => {
    expect(result.overlays).toBe(3);
    expect(result.objects).toBeGreaterThan(200);
    for (const overlay of ['region-a/dev', 'region-a/prod', 'region-b/prod']) {
      expect(fs.readdirSync(path.join(out, overlay))).toEqual(expect.arrayContaining(['foundation', 'operators', 'data']));
    }
  });

  test('a postgresql per overlay, sized by its tier, and no CloudNativePG objects', () => {
    const prod = read(out, 'region-a/prod/data/postgres_postgresql_postgres.yaml');
    expect(prod.spec.numberOfInstances).toBe(3);
    expect(prod.spec.patroni.synchronous_mode).toBe(true);
    // Data and WAL sizes of the prod profile on one volume.
    expect(prod.spec.volume).toEqual({ size: '120Gi', storageClass: 'fast-ssd-retain' });
    expect(prod.spec.users).toEqual({ hrm: [], payroll: [], reporting: [] });
    expect(prod.spec.connectionPooler.numberOfInstances).toBe(3);
    expect(prod.spec.enableLogicalBackup).toBe(true);
    expect(prod.spec.standby).toBeUndefined();
    const dev = read(out, 'region-a/dev/data/postgres_postgresql_postgres.yaml');
    expect(dev.spec.numberOfInstances).toBe(1);
    expect(dev.spec.patroni).toBeUndefined();
    const all = filesUnder(out);
    expect(all.filter((f) => /_(cluster|pooler|database|objectstore|scheduledbackup)_/.test(f))).toEqual([]);
    expect(all.filter((f) => f.includes('cloudnative-pg') || f.includes('cnpg'))).toEqual([]);
  });

  test("the PostgreSQL dashboard reads Patroni's metrics; CloudNativePG's and the poolers' are not rendered", () => {
    for (const overlay of ['region-a/dev', 'region-a/prod', 'region-b/prod']) {
      const dashboards = filesUnder(path.join(out, overlay, 'monitoring')).filter((f) => f.includes('_configmap_grafana-dashboard-'));
      expect(dashboards.filter((f) => /postgresql|pgbouncer/.test(f))).toEqual(['monitoring_configmap_grafana-dashboard-postgresql-zalando.yaml']);
    }
  });

  test("the DR replica is a standby cluster of the primary's WAL archive", () => {
    const replica = read(out, 'region-b/prod/data/postgres_postgresql_postgres.yaml');
    expect(replica.spec.standby).toEqual({ s3_wal_path: 's3://pg-backups/spilo/postgres-region-a/wal/17' });
    const env = Object.fromEntries(replica.spec.env.map((e: any) => [e.name, e]));
    expect(env.STANDBY_AWS_ENDPOINT.value).toBe('https://s3.region-a.strata.example');
    expect(env.WALG_S3_PREFIX.value).toBe('s3://pg-backups/spilo/postgres-region-b/wal/17');
    // The primary archives where the replica reads, and lets the replica's user in.
    const primary = read(out, 'region-a/prod/data/postgres_postgresql_postgres.yaml');
    expect(primary.spec.env.find((e: any) => e.name === 'WALG_S3_PREFIX').value).toBe('s3://pg-backups/spilo/postgres-region-a/wal/17');
    expect(fs.existsSync(path.join(out, 'region-a/prod/data/minio_externalsecret_postgres-region-b-minio-user.yaml'))).toBe(true);
    // Both sides share the system users' passwords, under the first overlay's prefix.
    for (const overlay of ['region-a/prod', 'region-b/prod']) {
      const es = read(out, `${overlay}/data/postgres_externalsecret_standby.postgres.credentials.postgresql.acid.zalan.do.yaml`);
      expect(es.spec.data[0].remoteRef.key).toBe('region-a/prod/postgres/postgres/system/standby');
    }
  });

  test('the operators layer installs postgres-operator with the logical backup settings', () => {
    const release = read(out, 'region-a/prod/operators/postgres-operator_helmrelease_postgres-operator.yaml');
    expect(release.spec.values.configLogicalBackup).toEqual(
      expect.objectContaining({
        logical_backup_s3_bucket: 'pg-backups',
        logical_backup_s3_endpoint: 'https://minio.minio.svc.cluster.local',
        logical_backup_cronjob_environment_secret: 'postgres-s3-credentials',
      }),
    );
    expect(release.spec.values.configKubernetes.enable_pod_antiaffinity).toBe(true);
    const app = read(out, 'region-b/prod/operators/argocd_application_postgres-operator.yaml');
    expect(app.spec.source.helm.valuesObject.configAwsOrGcp).toEqual({
      additional_secret_mount: 'strata-ca-trust',
      additional_secret_mount_path: '/etc/strata/ca',
    });
    const dev = read(out, 'region-a/dev/operators/postgres-operator_helmrelease_postgres-operator.yaml');
    expect(dev.spec.values.configKubernetes.pod_antiaffinity_preferred_during_scheduling).toBe(true);
    expect(filesUnder(path.join(out, 'region-a/prod/operators')).filter((f) => f.includes('cloudnative-pg'))).toEqual([]);
  });

  test('the postgres namespace runs at baseline, with the reason recorded', () => {
    const ns = read(out, 'region-a/prod/foundation/namespace_postgres.yaml');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(ns.metadata.annotations['strata.io/pod-security-reason']).toMatch(/Spilo/);
  });
});

describe('external-patroni fixture (K3s apps on external Patroni)', () => {
  let out: string;
  let result: SynthResult;
  beforeAll(() => ({ out, result } = render('external-patroni')));

  test('renders and validates', () => {
    expect(result.overlays).toBe(1);
    expect(fs.readdirSync(path.join(out, 'region-a/prod'))).toEqual(expect.arrayContaining(['foundation', 'operators', 'data']));
  });

  test("a selector-less Service and EndpointSlice to the VMs' PgBouncer, and the databases' credentials", () => {
    const data = 'region-a/prod/data';
    expect(read(out, `${data}/postgres_service_postgres.yaml`).spec.selector).toBeUndefined();
    const slice = read(out, `${data}/postgres_endpointslice_postgres-vms.yaml`);
    expect(slice.endpoints.map((e: any) => e.addresses[0])).toEqual(['10.20.0.11', '10.20.0.12']);
    expect(slice.ports[0].port).toBe(6432);
    for (const db of ['nextcloud-db', 'odoo-db']) {
      expect(fs.existsSync(path.join(out, data, `postgres_externalsecret_postgres-${db}-credentials.yaml`))).toBe(true);
    }
    expect(read(out, `${data}/postgres_servicemonitor_postgres-exporter.yaml`).spec.serviceDiscoveryRole).toBe('EndpointSlice');
    expect(read(out, `${data}/monitoring_networkpolicy_allow-prometheus-to-postgres-exporters.yaml`).spec.egress[0].ports[0].port).toBe(9187);
  });

  test("the PostgreSQL dashboard reads the VMs' postgres_exporter; none of the in-cluster engines' is rendered", () => {
    const dashboards = filesUnder(path.join(out, 'region-a/prod/monitoring')).filter((f) => f.includes('_configmap_grafana-dashboard-'));
    expect(dashboards.filter((f) => f.includes('postgresql'))).toEqual(['monitoring_configmap_grafana-dashboard-postgresql-external.yaml']);
  });

  test('no PostgreSQL operator is installed and no database runs in the cluster', () => {
    const operators = filesUnder(path.join(out, 'region-a/prod/operators'));
    expect(operators.filter((f) => /postgres-operator|cloudnative-pg|barman/.test(f))).toEqual([]);
    expect(filesUnder(out).filter((f) => /_(postgresql|cluster|pooler)_/.test(f))).toEqual([]);
  });
});

describe('engine checks at load time', () => {
  test('zalando without MinIO, with a macro schedule, or with mixed pool modes', () => {
    const problems = problemsOf(
      fixtureWith('zalando', {
        'overlays/region-a/dev.yaml': [
          'minio: { enabled: false }',
          'velero: { enabled: false }',
          'postgres:',
          "  backup: { schedule: '@daily' }",
          '  databases:',
          '    - { name: hrm, poolerInstances: 2, poolMode: transaction }',
          '    - { name: dora, poolerInstances: 2, poolMode: session }',
          '',
        ].join('\n'),
      }),
    );
    const dev = problems.filter((p) => p.file === 'overlays/region-a/dev.yaml');
    expect(dev.map((p) => p.path).sort()).toEqual(['minio.enabled', 'postgres.backup.schedule', 'postgres.databases.1.poolMode']);
    expect(dev.find((p) => p.path === 'postgres.databases.1.poolMode')!.fix).toBe(
      'use poolMode transaction for every pooled database, or poolerInstances: 0 for "dora"',
    );
  });

  test("a replica whose engine differs from its primary's is still rejected", () => {
    const problems = problemsOf(
      fixtureWith('zalando', { 'overlays/region-b/prod.yaml': 'dr: { role: replica, of: region-a/prod }\npostgres: { engine: cloudnative-pg }\n' }),
    );
    expect(problems).toEqual([expect.objectContaining({ path: 'postgres.engine', file: 'overlays/region-b/prod.yaml' })]);
  });

  test('external-patroni with duplicate addresses or one port for PgBouncer and the exporter', () => {
    const problems = problemsOf(
      fixtureWith('external-patroni', {
        'overlays/region-a/prod.yaml': [
          'postgres:',
          '  engine: external-patroni',
          '  external: { addresses: [10.20.0.11, 10.20.0.11], exporterPort: 6432 }',
          '',
        ].join('\n'),
      }),
    );
    expect(problems.map((p) => p.path).sort()).toEqual(['postgres.external.addresses.1', 'postgres.external.exporterPort']);
  });
});
