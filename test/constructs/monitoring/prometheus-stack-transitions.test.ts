/**
 * The Prometheus and Alertmanager volumes of a running kube-prometheus-stack cannot shrink
 * (impossible) or change class without acknowledgement (their data stays on the old claims),
 * for the Flux HelmRelease and the Argo CD Application alike; other releases are not judged.
 */
import { PROMETHEUS_STACK_TRANSITIONS } from '../../../constructs/monitoring/prometheus-stack-transitions';

const claim = (size: string, storageClassName = 'fast-ssd') => ({
  volumeClaimTemplate: { spec: { storageClassName, resources: { requests: { storage: size } } } },
});
const values = (prom: string, am = '1Gi', cls = 'fast-ssd') => ({
  prometheus: { prometheusSpec: { storageSpec: claim(prom, cls) } },
  alertmanager: { alertmanagerSpec: { storage: claim(am, cls) } },
});
const helmRelease = (v: unknown, name = 'kube-prometheus-stack') => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name, namespace: 'monitoring' },
  spec: { values: v },
});
const application = (v: unknown) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'kube-prometheus-stack', namespace: 'argocd' },
  spec: { source: { chart: 'kube-prometheus-stack', helm: { valuesObject: v } } },
});
const rule = (kind: string) => PROMETHEUS_STACK_TRANSITIONS.find((r) => r.kind === kind)!;

test('growing is taken; shrinking is impossible, naming the setting', () => {
  const check = rule('HelmRelease').check!;
  expect(check(helmRelease(values('50Gi')), helmRelease(values('100Gi')))).toEqual([]);
  expect(check(helmRelease(values('50Gi', '2Gi')), helmRelease(values('20Gi', '1Gi'))).map((c) => [c.field, c.setting, c.impossible])).toEqual([
    [
      'spec.values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage',
      'monitoring.prometheus.storageSize',
      true,
    ],
    [
      'spec.values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests.storage',
      'monitoring.alertmanager.storageSize',
      true,
    ],
  ]);
});

test('another storage class needs an acknowledgement; Argo CD Applications are judged the same way; other releases are not', () => {
  const changes = rule('Application').check!(application(values('50Gi')), application(values('50Gi', '1Gi', 'standard')));
  expect(changes.map((c) => [c.field, c.impossible ?? false])).toEqual([
    ['spec.source.helm.valuesObject.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName', false],
    ['spec.source.helm.valuesObject.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName', false],
  ]);
  expect(changes[0].message).toMatch(/would change from fast-ssd to standard/);
  expect(rule('HelmRelease').check!(helmRelease(values('50Gi'), 'velero'), helmRelease(values('1Gi'), 'velero'))).toEqual([]);
});
