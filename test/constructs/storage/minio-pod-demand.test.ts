import { MINIO_POD_DEMANDS } from '../../../constructs/storage/minio-pod-demand';
import { demandOf, Gi } from '../../support/pod-demand';

const demand = (manifest: any) => demandOf(MINIO_POD_DEMANDS, manifest);

describe('MinIO pod demand', () => {
  test('a tenant pool: one pod per server, each with its volumes', () => {
    const [tenant] = demand({
      apiVersion: 'minio.min.io/v2',
      kind: 'Tenant',
      metadata: { name: 'storage' },
      spec: {
        pools: [
          {
            name: 'pool-0',
            servers: 4,
            volumesPerServer: 4,
            volumeClaimTemplate: { spec: { resources: { requests: { storage: '100Gi' } } } },
            resources: { requests: { cpu: '500m', memory: '2Gi' } },
          },
        ],
      },
    });
    expect([tenant.source, tenant.replicas, tenant.claims, tenant.storage]).toEqual(['Tenant storage pool pool-0', 4, 4, 400 * Gi]);
  });

  test('one group per pool', () => {
    const pools = demand({
      apiVersion: 'minio.min.io/v2',
      kind: 'Tenant',
      metadata: { name: 'storage' },
      spec: {
        pools: [
          { name: 'pool-0', servers: 4 },
          { name: 'pool-1', servers: 2, volumesPerServer: 2 },
        ],
      },
    });
    expect(pools.map((g) => [g.source, g.replicas, g.claims])).toEqual([
      ['Tenant storage pool pool-0', 4, 1],
      ['Tenant storage pool pool-1', 2, 2],
    ]);
  });
});
