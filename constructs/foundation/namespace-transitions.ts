/**
 * Deleting a namespace deletes everything in it, prune-protected objects and their volumes
 * included; a claim's volume follows the claim's reclaim policy. Both are stateful.
 */
import { notShrunk, TransitionRule, unchanged } from '../platform/transition-rules';

export const NAMESPACE_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: '',
    kind: 'Namespace',
    stateful: true,
    removalFix:
      'keep the component that uses it enabled, or acknowledge the removal: the namespace stays on the cluster (prune-protected) with everything in it, and is deleted by hand',
  },
  {
    group: '',
    kind: 'PersistentVolumeClaim',
    stateful: true,
    removalFix: 'keep the claim, or acknowledge its removal',
    check: (previous, next) => [
      ...notShrunk(previous, next, 'spec.resources.requests.storage', 'the claim', undefined),
      ...unchanged(previous, next, 'spec.storageClassName', 'its storage class', { setting: 'region.storageClasses' }),
    ],
  },
];
