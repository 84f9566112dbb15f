import type { NodePool } from '../core/compute';

/** Tolerations for the taints of a node pool (stateful services on database nodes). */
export function nodePoolTolerations(pool?: NodePool): Array<{ key: string; operator: string; value: string; effect: string }> {
  return (pool?.taints ?? []).map((t) => ({ key: t.key, operator: 'Equal', value: t.value, effect: t.effect }));
}

/** The node selector of a node pool (empty: any node). */
export function nodePoolSelector(pool?: NodePool): Record<string, string> {
  return { ...(pool?.labels ?? {}) };
}
