/**
 * The pods the MinIO operator creates for a tenant: one group per pool, each server with
 * its volumes. See constructs/platform/pod-demand.ts.
 */
import { containerShape, PodDemandRule, podDemand, volumes } from '../platform/pod-demand';

type Json = Record<string, any>;

export const MINIO_POD_DEMANDS: readonly PodDemandRule[] = [
  {
    group: 'minio.min.io',
    kind: 'Tenant',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      return (spec.pools ?? []).map((pool: Json) =>
        podDemand(
          `Tenant ${m.metadata?.name} pool ${pool.name}`,
          pool.servers ?? 1,
          containerShape(pool.resources, limitRange),
          volumes(Array.from({ length: pool.volumesPerServer ?? 1 }, () => pool.volumeClaimTemplate?.spec?.resources?.requests?.storage)),
        ),
      );
    },
  },
];
