/** Review rule for Namespaces: a Pod Security level lowered (see platform/risk-rules.ts). */
import type { RiskFinding, RiskRule } from '../platform/risk-rules';
import type { Manifest } from '../platform/transition-rules';

const LEVELS = ['privileged', 'baseline', 'restricted'];
const ENFORCE = 'pod-security.kubernetes.io/enforce';

/** The enforced level; no label enforces nothing, as privileged does. */
function level(m: Manifest): string {
  const v = m?.metadata?.labels?.[ENFORCE];
  return LEVELS.includes(v) ? v : 'privileged';
}

function lowered(previous: Manifest | undefined, next: Manifest | undefined): RiskFinding[] {
  if (!next) return [];
  const after = level(next);
  if (!previous) {
    return after === 'privileged'
      ? [{ field: `metadata.labels.${ENFORCE}`, after, message: 'a new namespace that enforces no Pod Security restrictions (privileged)' }]
      : [];
  }
  const before = level(previous);
  if (LEVELS.indexOf(after) >= LEVELS.indexOf(before)) return [];
  return [
    {
      field: `metadata.labels.${ENFORCE}`,
      before,
      after,
      message: `Pod Security enforcement is lowered from ${before} to ${after}: pods the ${before} profile rejects are admitted`,
    },
  ];
}

export const NAMESPACE_RISKS: readonly RiskRule[] = [{ group: '', kind: 'Namespace', risk: 'security', check: lowered }];
