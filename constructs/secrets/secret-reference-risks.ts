/**
 * Review rule for ExternalSecrets: a secret read from another store (or another path in it)
 * hands the workload credentials someone else controls. See platform/risk-rules.ts.
 */
import { canonical, RiskFinding, RiskRule } from '../platform/risk-rules';
import type { Manifest } from '../platform/transition-rules';

function remoteKeys(m: Manifest | undefined): string[] {
  return [
    ...((m?.spec?.data ?? []) as any[]).map((d) => `${d?.remoteRef?.key}${d?.remoteRef?.property ? `#${d.remoteRef.property}` : ''}`),
    ...((m?.spec?.dataFrom ?? []) as any[]).map((d) => canonical(d)),
  ].sort();
}

function moved(previous: Manifest | undefined, next: Manifest | undefined): RiskFinding[] {
  if (!previous || !next) return [];
  const out: RiskFinding[] = [];
  if (canonical(previous.spec?.secretStoreRef) !== canonical(next.spec?.secretStoreRef)) {
    out.push({
      field: 'spec.secretStoreRef',
      before: previous.spec?.secretStoreRef,
      after: next.spec?.secretStoreRef,
      message: 'the secret is read from another store: whoever controls that store controls these credentials',
    });
  }
  const before = remoteKeys(previous);
  const after = remoteKeys(next);
  if (canonical(before) !== canonical(after)) {
    out.push({ field: 'spec.data', before, after, message: 'the secret is read from other keys of its store' });
  }
  return out;
}

export const SECRET_REFERENCE_RISKS: readonly RiskRule[] = [{ group: 'external-secrets.io', kind: 'ExternalSecret', risk: 'security', check: moved }];
