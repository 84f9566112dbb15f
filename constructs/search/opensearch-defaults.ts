/**
 * Production-shaped defaults of an OpenSearch cluster, shared by the construct (the
 * `@default` of every optional prop of OpenSearchClusterProps) and the environment model's
 * platform defaults (environments/platform-defaults.ts), so each is written once. Imports
 * only types and other defaults: the environment loader reads this without loading the
 * constructs.
 */
import type { ComputeResources } from '../core/compute';
import { POSTGRES_DEFAULTS } from '../data/postgres-defaults';

export const OPENSEARCH_DEFAULTS = {
  name: 'search',
  namespace: 'opensearch',
  topology: 'dedicated' as 'dedicated' | 'combined',
  managers: 3,
  dataNodes: 3,
  storageSize: '100Gi',
  // 3 data nodes × 6 Gi with the cluster managers and Dashboards fit a 32 Gi namespace quota;
  // half the memory is heap, the rest file-system cache.
  resources: { requests: { cpu: '2', memory: '6Gi' }, limits: { cpu: '2', memory: '6Gi' } } as ComputeResources,
  heap: '3g',
  snapshotSchedule: '30 2 * * *',
  prometheusExporter: true,
  /** The well-known zone label every cloud provider and k3s set (written once, with PostgreSQL's). */
  zoneLabel: POSTGRES_DEFAULTS.zoneLabel,
} as const;
