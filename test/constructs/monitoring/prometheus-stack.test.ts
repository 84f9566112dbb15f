/**
 * kube-prometheus-stack's production values: replicas, retention (by time and by 90% of the
 * volume), volumes on the given class, resources and external labels; k3s's control plane
 * neither scraped nor alerted on; settings that cannot run refused.
 */
import { PrometheusStack, PrometheusStackProps } from '../../../constructs/monitoring/prometheus-stack';
import { testLayer } from '../../support/layer';

const PROPS: PrometheusStackProps = {
  prometheus: {
    replicas: 2,
    retention: '15d',
    storageSize: '50Gi',
    resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
  },
  alertmanager: { replicas: 3, storageSize: '1Gi' },
  storageClass: 'fast-ssd',
  externalLabels: { region: 'region-a', environment: 'prod', cluster: 'region-a-prod' },
};

function values(props: Partial<PrometheusStackProps> = {}) {
  const layer = testLayer('monitoring');
  new PrometheusStack(layer.chart, 'Stack', { ...PROPS, ...props });
  const [contributed] = layer.context.operatorValues('kube-prometheus-stack') as any[];
  return contributed;
}

test('Prometheus and Alertmanager replicas, retention, volumes, resources and external labels', () => {
  const v = values();
  const spec = v.prometheus.prometheusSpec;
  expect(spec).toMatchObject({
    replicas: 2,
    retention: '15d',
    retentionSize: '48GB',
    externalLabels: PROPS.externalLabels,
    resources: PROPS.prometheus.resources,
  });
  expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({
    storageClassName: 'fast-ssd',
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '50Gi' } },
  });
  expect(v.alertmanager.alertmanagerSpec.replicas).toBe(3);
  expect(v.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests.storage).toBe('1Gi');
  // A control plane that serves its metrics keeps the chart's scrapes and rules.
  expect(v.kubeEtcd).toBeUndefined();
  expect(v.defaultRules).toBeUndefined();
});

test("k3s: no etcd, scheduler, controller-manager or kube-proxy scrapes, and none of the chart's rules for them", () => {
  const v = values({ controlPlaneMetrics: false });
  for (const component of ['kubeEtcd', 'kubeScheduler', 'kubeControllerManager', 'kubeProxy']) expect(v[component]).toEqual({ enabled: false });
  expect(v.defaultRules.rules).toEqual({
    etcd: false,
    kubeSchedulerAlerting: false,
    kubeSchedulerRecording: false,
    kubeControllerManager: false,
    kubeProxy: false,
  });
});

test.each([
  [{ alertmanager: { replicas: 2, storageSize: '1Gi' } }, /alertmanager.replicas 2 is even; an Alertmanager cluster needs an odd count/],
  [
    { prometheus: { ...PROPS.prometheus, retention: '15 days' } },
    /prometheus.retention "15 days" is not a whole number of hours, days, weeks or years/,
  ],
  [{ prometheus: { ...PROPS.prometheus, storageSize: '500Mi' } }, /prometheus.storageSize "500Mi" is not a volume size of 1Gi or more/],
  [{ prometheus: { ...PROPS.prometheus, replicas: 0 } }, /prometheus.replicas 0 is not a count of 1 or more/],
])('%p is refused', (props, message) => {
  expect(() => values(props as Partial<PrometheusStackProps>)).toThrow(message);
});
