/**
 * The pods the OpenSearch operator creates for a cluster: one group per node pool, with its
 * data volume, and the Dashboards when enabled. See constructs/platform/pod-demand.ts.
 */
import { containerShape, PodDemand, PodDemandRule, podDemand, volumes } from '../platform/pod-demand';

type Json = Record<string, any>;

export const OPENSEARCH_POD_DEMANDS: readonly PodDemandRule[] = [
  {
    group: 'opensearch.org',
    kind: 'OpenSearchCluster',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      const name = m.metadata?.name;
      const groups: PodDemand[] = (spec.nodePools ?? []).map((pool: Json) =>
        podDemand(
          `OpenSearchCluster ${name} node pool ${pool.component}`,
          pool.replicas ?? 1,
          containerShape(pool.resources, limitRange),
          volumes(pool.diskSize ? [pool.diskSize] : []),
        ),
      );
      if (spec.dashboards?.enable) {
        const { replicas, resources } = spec.dashboards;
        groups.push(podDemand(`OpenSearchCluster ${name} Dashboards`, replicas ?? 1, containerShape(resources, limitRange)));
      }
      return groups;
    },
  },
];
