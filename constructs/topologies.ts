/** Every construct area's topology rules, for the cluster pictures (gitops/topology-diagram.ts). */
import { VELERO_TOPOLOGY } from './backup/velero-topology';
import { POSTGRES_TOPOLOGY } from './data/postgres-topology';
import { TRAEFIK_TOPOLOGY } from './ingress/traefik-topology';
import type { TopologyRule } from './platform/topology';
import { WORKLOAD_TOPOLOGY } from './platform/workload-topology';
import { OPENSEARCH_TOPOLOGY } from './search/opensearch-topology';
import { MINIO_TOPOLOGY } from './storage/minio-topology';
import { KAFKA_TOPOLOGY } from './streaming/kafka-topology';

export const TOPOLOGY_RULES: readonly TopologyRule[] = [
  ...WORKLOAD_TOPOLOGY,
  ...POSTGRES_TOPOLOGY,
  ...KAFKA_TOPOLOGY,
  ...OPENSEARCH_TOPOLOGY,
  ...MINIO_TOPOLOGY,
  ...VELERO_TOPOLOGY,
  ...TRAEFIK_TOPOLOGY,
];
