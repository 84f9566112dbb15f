/** What a workload asks of the nodes it runs on: resources, and the node pool it is pinned to. */

/** Requests and limits of one container (Kubernetes quantities: `500m`, `2Gi`). */
export interface ComputeResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Nodes a workload is pinned to (nodeSelector) and whose taints it tolerates. */
export interface NodePool {
  /** Node labels pods are pinned to (nodeSelector), e.g. `node.role: database`. */
  readonly labels: Readonly<Record<string, string>>;
  /** Taints on those nodes that the pods tolerate. */
  readonly taints: readonly { readonly key: string; readonly value: string; readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
}
