/**
 * MinIO in the topology picture (constructs/platform/topology.ts): a tenant, sized by its
 * pools, answering to the Services the operator creates for it, with its buckets.
 */
import { hostsIn, Json, refOf, TopologyRule } from '../platform/topology';

const tenant: TopologyRule = {
  group: 'minio.min.io',
  kind: 'Tenant',
  describe: (m) => {
    const ref = refOf(m);
    const spec: Json = m.spec ?? {};
    const pools = (spec.pools ?? []).map(
      (p: Json) =>
        `${p.name}: ${p.servers ?? 1} servers × ${p.volumesPerServer ?? 1} volumes × ${p.volumeClaimTemplate?.spec?.resources?.requests?.storage ?? '?'}`,
    );
    const buckets = (spec.buckets ?? []).map((b: Json) => b.name);
    return {
      nodes: [
        { ref, kind: 'MinIO tenant', name: m.metadata.name, details: [...pools, ...(buckets.length ? [`buckets: ${buckets.join(', ')}`] : [])] },
      ],
      hosts: [{ ref, hosts: hostsIn(m.metadata?.namespace, 'minio', `${m.metadata.name}-hl`, `${m.metadata.name}-console`) }],
    };
  },
};

export const MINIO_TOPOLOGY: readonly TopologyRule[] = [tenant];
