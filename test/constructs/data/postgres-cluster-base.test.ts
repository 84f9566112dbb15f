/** What the three PostgreSQL engines share through PostgresClusterBase, asserted on each of them. */
import { CloudNativePgCluster } from '../../../constructs/data/cloudnative-pg-cluster';
import { ExternalPatroniCluster } from '../../../constructs/data/external-patroni-cluster';
import { PostgresClusterBase } from '../../../constructs/data/postgres-cluster-base';
import { ZalandoPostgresCluster } from '../../../constructs/data/zalando-postgres-cluster';
import { EXTERNAL_SECRETS, testLayer } from '../../support/layer';

const ENGINES: ReadonlyArray<[string, () => PostgresClusterBase]> = [
  ['cloudnative-pg', () => new CloudNativePgCluster(testLayer('data').chart, 'Postgres', { name: 'hrdb', secretBackend: EXTERNAL_SECRETS })],
  [
    'zalando',
    () =>
      new ZalandoPostgresCluster(testLayer('data').chart, 'Postgres', {
        name: 'hrdb',
        instances: 2,
        synchronous: false,
        podAntiAffinity: 'preferred',
        storageSize: '10Gi',
        storageClass: 'retain',
        resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } },
        parameters: {},
        zoneLabel: 'topology.kubernetes.io/zone',
        secretBackend: EXTERNAL_SECRETS,
        topologyName: 'hrdb-region-a',
        backupSchedule: '0 1 * * *',
        backupRetention: '30d',
      }),
  ],
  [
    'external-patroni',
    () =>
      new ExternalPatroniCluster(testLayer('data').chart, 'Postgres', {
        name: 'hrdb',
        addresses: ['10.0.0.11'],
        secretBackend: EXTERNAL_SECRETS,
        secretKeyPrefix: 'region-a/prod',
      }),
  ],
];

describe.each(ENGINES)('%s', (_engine, build) => {
  test("addDatabase gives a database owned by a role of its name, at the cluster's port; database() finds it", () => {
    const cluster = build();
    const db = cluster.addDatabase('payroll');
    expect(db).toMatchObject({ name: 'payroll', owner: 'payroll', port: cluster.port });
    expect(db.credentials.keys).toEqual(expect.arrayContaining(['password']));
    expect(cluster.database('payroll')).toBe(db);
  });

  test('a database added twice, a bad identifier, or an unknown database is refused by name', () => {
    const cluster = build();
    cluster.addDatabase('payroll');
    expect(() => cluster.addDatabase('payroll')).toThrow('database "payroll" is added twice to cluster hrdb');
    expect(() => cluster.addDatabase('Payroll; DROP')).toThrow(/database/);
    expect(() => cluster.database('ledger')).toThrow(/ledger/);
  });

  test('it is a grantee under its cluster name, owning what grants create for it', () => {
    const cluster = build();
    expect(cluster.granteeName).toBe('hrdb');
    expect(cluster.granteePods.namespace).toBe(cluster.namespace);
    expect(cluster.grantScope).toBe(cluster);
  });
});
