/**
 * What may change in kube-prometheus-stack's volumes on a running cluster: Prometheus and
 * Alertmanager keep their data on a claim per replica (the operator's StatefulSets), whose
 * template cannot shrink or move to another storage class without dropping the samples and
 * silences on it. Read from the release's values, for Flux (HelmRelease) and Argo CD
 * (Application) alike.
 */
import { PROMETHEUS_OPERATOR } from '../operators/catalog';
import { at, sizeNotShrunk, TransitionChange, TransitionRule } from '../platform/transition-rules';

const VOLUMES = [
  ['prometheus.prometheusSpec.storageSpec', 'monitoring.prometheus.storageSize', 'the Prometheus volumes'],
  ['alertmanager.alertmanagerSpec.storage', 'monitoring.alertmanager.storageSize', 'the Alertmanager volumes'],
] as const;

function volumeChanges(values: unknown, nextValues: unknown, prefix: string): TransitionChange[] {
  const changes: TransitionChange[] = [];
  for (const [path, setting, what] of VOLUMES) {
    const spec = `${path}.volumeClaimTemplate.spec`;
    const field = `${prefix}.${spec}`;
    changes.push(
      ...sizeNotShrunk(
        at(values, `${spec}.resources.requests.storage`),
        at(nextValues, `${spec}.resources.requests.storage`),
        `${field}.resources.requests.storage`,
        what,
        setting,
      ),
    );
    const before = at(values, `${spec}.storageClassName`);
    const after = at(nextValues, `${spec}.storageClassName`);
    if (before !== undefined && before !== after) {
      changes.push({
        field: `${field}.storageClassName`,
        before,
        after,
        setting: 'region.storageClasses.fast',
        message: `the storage class of ${what} would change from ${String(before)} to ${String(after ?? '(none)')}: the operator cannot move the claims, and new ones start empty (the samples or silences on the old ones are no longer served)`,
        fix: 'keep the storage class, or acknowledge the change: the old claims stay until deleted by hand',
      });
    }
  }
  return changes;
}

const isStack = (m: unknown) => at(m, 'metadata.name') === PROMETHEUS_OPERATOR;

export const PROMETHEUS_STACK_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: 'helm.toolkit.fluxcd.io',
    kind: 'HelmRelease',
    check: (previous, next) => (isStack(next) ? volumeChanges(at(previous, 'spec.values'), at(next, 'spec.values'), 'spec.values') : []),
  },
  {
    group: 'argoproj.io',
    kind: 'Application',
    check: (previous, next) =>
      at(next, 'spec.source.chart') === PROMETHEUS_OPERATOR
        ? volumeChanges(at(previous, 'spec.source.helm.valuesObject'), at(next, 'spec.source.helm.valuesObject'), 'spec.source.helm.valuesObject')
        : [],
  },
];
