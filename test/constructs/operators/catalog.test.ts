/**
 * The operator catalog under each monitoring stack: with kube-prometheus-stack, the Prometheus
 * operator's CRD group is its release and the charts with monitors wait for it; with
 * VictoriaMetrics, the group comes from prometheus-operator-crds alone, what waited for
 * kube-prometheus-stack waits for the CRDs, and the VictoriaMetrics operator starts after them
 * (its converters stay off when their CRDs are missing at its start).
 */
import { operatorForGroup, withDependencies } from '../../../constructs/operators/catalog';
import { HELM_CHARTS } from '../../../constructs/versions';

const names = (defs: { name: string }[]) => defs.map((d) => d.name);

test('kube-prometheus-stack (the default) owns monitoring.coreos.com, and Velero and Traefik wait for it', () => {
  expect(operatorForGroup('monitoring.coreos.com')?.name).toBe('kube-prometheus-stack');
  const ops = withDependencies(['velero', 'traefik']);
  expect(names(ops)).toEqual(['kube-prometheus-stack', 'traefik', 'velero']);
  expect(ops.find((o) => o.name === 'velero')!.dependsOn).toEqual(['kube-prometheus-stack']);
});

test('under VictoriaMetrics, the CRD chart replaces kube-prometheus-stack everywhere, and the operator waits for it', () => {
  expect(operatorForGroup('monitoring.coreos.com', 'victoriametrics')?.name).toBe('prometheus-operator-crds');
  expect(operatorForGroup('operator.victoriametrics.com', 'victoriametrics')?.name).toBe('victoria-metrics-operator');
  const ops = withDependencies(['velero', 'kube-prometheus-stack', 'victoria-metrics-operator'], { monitoringStack: 'victoriametrics' });
  expect(names(ops)).toEqual(['prometheus-operator-crds', 'velero', 'victoria-metrics-operator']);
  expect(ops.find((o) => o.name === 'velero')!.dependsOn).toEqual(['prometheus-operator-crds']);
  expect(ops.find((o) => o.name === 'victoria-metrics-operator')!).toMatchObject({
    namespace: 'vm-operator',
    crdGroups: ['operator.victoriametrics.com'],
    dependsOn: ['prometheus-operator-crds'],
    largeCrds: true,
  });
  // Converted objects carry the Prometheus objects' annotations: Argo CD must not prune them.
  expect(ops.find((o) => o.name === 'victoria-metrics-operator')!.values).toEqual({
    env: [{ name: 'VM_PROMETHEUSCONVERTERADDARGOCDIGNOREANNOTATIONS', value: 'true' }],
  });
});

test('both charts are pinned to released versions', () => {
  expect(HELM_CHARTS.victoriaMetricsOperator).toEqual({
    repository: 'https://victoriametrics.github.io/helm-charts/',
    chart: 'victoria-metrics-operator',
    version: '0.67.2',
    appVersion: 'v0.74.1',
  });
  expect(HELM_CHARTS.prometheusOperatorCrds).toMatchObject({ chart: 'prometheus-operator-crds', version: '31.0.1' });
});
