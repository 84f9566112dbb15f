/**
 * OpenSearch in the topology picture (constructs/platform/topology.ts): the cluster sized by
 * its node pools, its Dashboards, and the snapshots it writes to object storage.
 */
import { hostOf, hostsIn, Json, refOf, times, TopologyEdge, TopologyRule } from '../platform/topology';

const cluster: TopologyRule = {
  group: 'opensearch.org',
  kind: 'OpenSearchCluster',
  describe: (m) => {
    const ref = refOf(m);
    const ns = m.metadata?.namespace;
    const spec: Json = m.spec ?? {};
    const general: Json = spec.general ?? {};
    const pools = (spec.nodePools ?? []).map((p: Json) => `${p.component} (${(p.roles ?? []).join(', ')}): ${times(p.replicas, 'node', p.diskSize)}`);
    const dashboards = spec.dashboards?.enable ? [`Dashboards: ${times(spec.dashboards.replicas, 'replica')}`] : [];
    const endpoint: string | undefined = general.additionalConfig?.['s3.client.default.endpoint'];
    const edges: TopologyEdge[] = (general.snapshotRepositories ?? []).map((r: Json) => ({
      from: ref,
      to: endpoint ? { host: hostOf(endpoint) } : { external: `S3 ${r.settings?.bucket ?? r.name}` },
      label: `snapshots, bucket ${r.settings?.bucket ?? r.name}`,
      kind: 'backup' as const,
    }));
    return {
      nodes: [
        {
          ref,
          kind: 'OpenSearch',
          name: m.metadata.name,
          details: [...(general.version ? [`OpenSearch ${general.version}`] : []), ...pools, ...dashboards],
        },
      ],
      hosts: [{ ref, hosts: hostsIn(ns, general.serviceName ?? m.metadata.name, `${m.metadata.name}-dashboards`) }],
      edges,
    };
  },
};

export const OPENSEARCH_TOPOLOGY: readonly TopologyRule[] = [cluster];
