import type { ComputeResources, NodePool } from '../core/compute';
import { restrictedContainerSecurityContext } from '../platform/hardening';
import { compareStrings } from '../platform/ordering';
import { nodePoolTolerations } from '../platform/scheduling';

/**
 * Security contexts that satisfy the `restricted` Pod Security Standard. Strimzi's default
 * (baseline) provider sets none, so every container Strimzi creates for Strata gets them
 * through the resource's `template`.
 */
// Strimzi mounts an emptyDir at /tmp; nothing else in its images is written at run time,
// so the shared restricted context (read-only root filesystem) applies as is.
export const RESTRICTED_CONTAINER = restrictedContainerSecurityContext();

/**
 * Pod-level context. Strimzi images run as UID 1001 with GID 0, so persistent volumes are
 * made group-0 writable (Strimzi's own default for persistent storage), which `restricted`
 * allows.
 */
export function restrictedPod(options: { persistentStorage?: boolean } = {}) {
  return {
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
    ...(options.persistentStorage ? { fsGroup: 0, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
  };
}

/** A Strimzi `resources` block from `ComputeResources`, through the L1 quantity classes. */
export function quantities<Q, L>(
  requests: { fromString(value: string): Q },
  limits: { fromString(value: string): L },
  r: ComputeResources,
): { requests: { cpu: Q; memory: Q }; limits: { cpu: L; memory: L } } {
  return {
    requests: { cpu: requests.fromString(r.requests.cpu), memory: requests.fromString(r.requests.memory) },
    limits: { cpu: limits.fromString(r.limits.cpu), memory: limits.fromString(r.limits.memory) },
  };
}

/** Node affinity and tolerations pinning pods to a node pool (Strimzi templates have no nodeSelector). */
export function nodePoolPlacement(nodePool: NodePool | undefined) {
  const labels = Object.entries(nodePool?.labels ?? {}).sort(([a], [b]) => compareStrings(a, b));
  return {
    nodeAffinity: labels.length
      ? {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: labels.map(([key, value]) => ({ key, operator: 'In', values: [value] })) }],
          },
        }
      : undefined,
    tolerations: nodePoolTolerations(nodePool),
  };
}
