/**
 * Review rule for operator releases: a chart upgrade across a major version (for 0.x charts,
 * across a minor one) may change CRDs, defaults and rollout behaviour, and restarts the
 * operator; read its upgrade notes first. See platform/risk-rules.ts.
 */
import type { RiskFinding, RiskRule } from '../platform/risk-rules';
import { at, Manifest } from '../platform/transition-rules';

/** The part of a version whose change SemVer calls breaking: `1` of 1.4.2, `0.29` of 0.29.0. */
export function breakingPart(version: unknown): string | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(String(version ?? ''));
  if (!m) return undefined;
  return m[1] === '0' ? `0.${m[2]}` : m[1];
}

function upgradeRule(field: string): (previous: Manifest | undefined, next: Manifest | undefined) => RiskFinding[] {
  return (previous, next) => {
    const before = at(previous, field);
    const after = at(next, field);
    const a = breakingPart(before);
    const b = breakingPart(after);
    if (!previous || !next || a === undefined || b === undefined || a === b) return [];
    return [
      {
        field,
        before,
        after,
        message: `the chart moves from ${before} to ${after}, across a breaking version: the operator restarts, and its CRDs and defaults may change; read the chart's upgrade notes`,
      },
    ];
  };
}

export const RELEASE_RISKS: readonly RiskRule[] = [
  { group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', risk: 'downtime', check: upgradeRule('spec.chart.spec.version') },
  { group: 'source.toolkit.fluxcd.io', kind: 'OCIRepository', risk: 'downtime', check: upgradeRule('spec.ref.tag') },
  { group: 'argoproj.io', kind: 'Application', risk: 'downtime', check: upgradeRule('spec.source.targetRevision') },
];
