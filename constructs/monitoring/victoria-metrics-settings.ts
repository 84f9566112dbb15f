/**
 * How the VictoriaMetrics stack stores its samples: one VMSingle, or a VMCluster (vmstorage
 * nodes holding `replicationFactor` copies of every sample, stateless vminsert and vmselect in
 * front). No construct code here, so the environments' checks use it without loading the
 * constructs.
 */

export const VICTORIA_METRICS_STORAGE = ['single', 'cluster'] as const;
export type VictoriaMetricsStorage = (typeof VICTORIA_METRICS_STORAGE)[number];

export interface VictoriaMetricsSettings {
  /** `single`: one VMSingle with one volume; `cluster`: a VMCluster that survives the loss of a storage node. */
  readonly storage: VictoriaMetricsStorage;
  /** vmstorage nodes of a cluster, each with a volume of `monitoring.prometheus.storageSize`. */
  readonly storageNodes: number;
  /** Copies of every sample on distinct vmstorage nodes: 2 keeps every sample through the loss of one node. */
  readonly replicationFactor: number;
}

/** Why the settings cannot run, with the field it concerns, or undefined. */
export function victoriaMetricsProblem(s: VictoriaMetricsSettings): { path: string; message: string; fix: string } | undefined {
  if (s.storage !== 'cluster') return undefined;
  if (s.replicationFactor > s.storageNodes) {
    return {
      path: 'replicationFactor',
      message: `replicationFactor ${s.replicationFactor} asks for more copies of each sample than the ${s.storageNodes} storage nodes can hold`,
      fix: `lower replicationFactor to ${s.storageNodes} or less, or raise storageNodes to ${s.replicationFactor} or more`,
    };
  }
  return undefined;
}
