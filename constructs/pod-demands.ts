/** Every construct area's pod demand rules, for the quota check (gitops/quota-fit.ts). */
import { POSTGRES_POD_DEMANDS } from './data/postgres-pod-demand';
import type { PodDemandRule } from './platform/pod-demand';
import { WORKLOAD_POD_DEMANDS } from './platform/workload-pod-demand';
import { OPENSEARCH_POD_DEMANDS } from './search/opensearch-pod-demand';
import { MINIO_POD_DEMANDS } from './storage/minio-pod-demand';
import { KAFKA_POD_DEMANDS } from './streaming/kafka-pod-demand';

export const POD_DEMAND_RULES: readonly PodDemandRule[] = [
  ...WORKLOAD_POD_DEMANDS,
  ...POSTGRES_POD_DEMANDS,
  ...KAFKA_POD_DEMANDS,
  ...OPENSEARCH_POD_DEMANDS,
  ...MINIO_POD_DEMANDS,
];
