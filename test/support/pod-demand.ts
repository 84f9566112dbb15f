/** Pod demand of one manifest under the rules of one construct area, for the `*-pod-demand` tests. */
import type { LimitRangeSpec } from '../../constructs/core/namespace-policy';
import type { PodDemand, PodDemandRule } from '../../constructs/platform/pod-demand';

export const Gi = 2 ** 30;
export const Mi = 2 ** 20;

export const LIMIT_RANGE: LimitRangeSpec = {
  defaultRequest: { cpu: '100m', memory: '128Mi' },
  default: { cpu: '500m', memory: '512Mi' },
  max: { cpu: '8', memory: '32Gi' },
};

/** `group/kind` of a manifest (`/kind` for the core group). */
export function groupKind(manifest: any): string {
  const apiVersion = String(manifest.apiVersion ?? '');
  return `${apiVersion.includes('/') ? apiVersion.split('/')[0] : ''}/${manifest.kind}`;
}

/** The demand of `manifest` by the one rule of `rules` for its kind (fails when there is none). */
export function demandOf(rules: readonly PodDemandRule[], manifest: any, limitRange: LimitRangeSpec = LIMIT_RANGE): PodDemand[] {
  const matching = rules.filter((r) => `${r.group}/${r.kind}` === groupKind(manifest));
  if (matching.length !== 1) throw new Error(`expected one pod demand rule for ${groupKind(manifest)}, found ${matching.length}`);
  return matching[0].demand(manifest, { limitRange });
}
