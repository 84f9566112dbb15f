import { POSTGRES_POD_DEMANDS } from '../../../constructs/data/postgres-pod-demand';
import { demandOf, Gi, Mi } from '../../support/pod-demand';

const demand = (manifest: any) => demandOf(POSTGRES_POD_DEMANDS, manifest);

describe('PostgreSQL pod demand', () => {
  test('a CloudNativePG Cluster: one pod per instance, each with its data and WAL volumes', () => {
    expect(
      demand({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: { name: 'postgres' },
        spec: {
          instances: 3,
          resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
          storage: { size: '100Gi' },
          walStorage: { size: '20Gi' },
        },
      }),
    ).toEqual([
      {
        source: 'Cluster postgres',
        replicas: 3,
        requests: { cpu: 2, memory: 8 * Gi },
        limits: { cpu: 2, memory: 8 * Gi },
        claims: 2,
        storage: 120 * Gi,
      },
    ]);
  });

  test('a Cluster without WAL storage claims one volume per instance', () => {
    const [group] = demand({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'postgres' },
      spec: { storage: { size: '10Gi' } },
    });
    expect([group.replicas, group.claims, group.storage]).toEqual([1, 1, 10 * Gi]);
  });

  test('a Pooler: its template containers, or one defaulted PgBouncer container', () => {
    const [sized] = demand({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Pooler',
      metadata: { name: 'postgres-pooler-hrm' },
      spec: { instances: 2, template: { spec: { containers: [{ name: 'pgbouncer', resources: { requests: { cpu: '200m', memory: '256Mi' } } }] } } },
    });
    expect([sized.source, sized.replicas, sized.requests, sized.claims]).toEqual([
      'Pooler postgres-pooler-hrm',
      2,
      { cpu: 0.2, memory: 256 * Mi },
      0,
    ]);
    const [bare] = demand({ apiVersion: 'postgresql.cnpg.io/v1', kind: 'Pooler', metadata: { name: 'p' }, spec: {} });
    expect([bare.replicas, bare.requests]).toEqual([1, { cpu: 0.1, memory: 128 * Mi }]);
  });

  test('a Zalando postgresql: numberOfInstances pods with one volume each', () => {
    expect(
      demand({
        apiVersion: 'acid.zalan.do/v1',
        kind: 'postgresql',
        metadata: { name: 'postgres' },
        spec: { numberOfInstances: 2, resources: { requests: { cpu: '1', memory: '4Gi' } }, volume: { size: '50Gi' } },
      }),
    ).toEqual([
      {
        source: 'postgresql postgres',
        replicas: 2,
        requests: { cpu: 1, memory: 4 * Gi },
        limits: { cpu: 0.5, memory: 512 * Mi },
        claims: 1,
        storage: 50 * Gi,
      },
    ]);
  });
});
