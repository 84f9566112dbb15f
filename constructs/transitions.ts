/** Every construct area's transition rules, for the tree writer (gitops/transition-guard.ts). */
import { APP_TRANSITIONS } from './apps/app-transitions';
import { VELERO_TRANSITIONS } from './backup/velero-transitions';
import { POSTGRES_TRANSITIONS } from './data/postgres-transitions';
import { NAMESPACE_TRANSITIONS } from './foundation/namespace-transitions';
import { LOGGING_TRANSITIONS } from './logging/logging-transitions';
import { PROMETHEUS_STACK_TRANSITIONS } from './monitoring/prometheus-stack-transitions';
import { VICTORIA_METRICS_TRANSITIONS } from './monitoring/victoria-metrics-transitions';
import { apiGroup, Manifest, TransitionRule } from './platform/transition-rules';
import { OPENSEARCH_TRANSITIONS } from './search/opensearch-transitions';
import { MINIO_TRANSITIONS } from './storage/minio-transitions';
import { KAFKA_TRANSITIONS } from './streaming/kafka-transitions';

export const TRANSITION_RULES: readonly TransitionRule[] = [
  ...NAMESPACE_TRANSITIONS,
  ...POSTGRES_TRANSITIONS,
  ...MINIO_TRANSITIONS,
  ...KAFKA_TRANSITIONS,
  ...OPENSEARCH_TRANSITIONS,
  ...VELERO_TRANSITIONS,
  ...APP_TRANSITIONS,
  ...PROMETHEUS_STACK_TRANSITIONS,
  ...VICTORIA_METRICS_TRANSITIONS,
  ...LOGGING_TRANSITIONS,
];

const BY_KIND = new Map<string, TransitionRule[]>();
for (const r of TRANSITION_RULES) BY_KIND.set(`${r.group}|${r.kind}`, [...(BY_KIND.get(`${r.group}|${r.kind}`) ?? []), r]);

/** The rule of a manifest: the first of its kind that names it (`appliesTo`), else its kind's general one. */
export function transitionRuleFor(m: Manifest): TransitionRule | undefined {
  const rules = BY_KIND.get(`${apiGroup(m)}|${m?.kind}`) ?? [];
  return rules.find((r) => r.appliesTo?.(m)) ?? rules.find((r) => !r.appliesTo);
}
