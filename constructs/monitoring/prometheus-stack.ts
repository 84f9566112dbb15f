/**
 * kube-prometheus-stack with production values: Prometheus and Alertmanager replicas, their
 * volumes on the region's storage class, retention, resources and the external labels that
 * say where a series comes from; on a cluster whose control plane keeps its metrics to itself
 * (k3s embeds etcd, the scheduler, the controller manager and kube-proxy in one process and
 * serves none of their metrics to the pod network), the chart's scrapes and rules of those
 * components are switched off, so they neither fail nor raise alerts that can never clear.
 * The values are contributed to the operator release the operators layer renders.
 */
import { Construct } from 'constructs';
import { ALERT_GROUP_BY } from './alert-routing';
import type { GrafanaDataSource } from './grafana';
import { AlertmanagerSettings, prometheusStackProblem, PrometheusServerSettings } from './prometheus-stack-settings';
import { parseQuantity } from '../core/quantity';
import { PROMETHEUS_OPERATOR } from '../operators/catalog';
import { OverlayContext } from '../platform/overlay-context';

/** Labels that name one object an alert is about: alerts differing in any of them are not each other's duplicates. */
const SAME_OBJECT = ['alertname', 'region', 'environment', 'cluster', 'namespace', 'node', 'instance', 'pod', 'persistentvolumeclaim', 'name'];

/**
 * The root of the Alertmanager's routing tree, which holds no secret (the receivers are in the
 * monitoring layer's AlertmanagerConfig, merged above these routes): what nothing else routes
 * is dropped, and inhibition keeps one notification per problem. A critical alert silences
 * the warning of the same alert on the same object; a node that is not ready silences the
 * other alerts of that node and of the pods on it (they carry its `node` label); the chart's
 * InfoInhibitor silences info alerts where nothing worse fires.
 */
export const ALERTMANAGER_BASE_CONFIG = {
  global: { resolve_timeout: '5m' },
  route: {
    receiver: 'null',
    group_by: [...ALERT_GROUP_BY],
    group_wait: '30s',
    group_interval: '5m',
    repeat_interval: '12h',
    routes: [{ receiver: 'null', matchers: ['alertname = "Watchdog"'] }],
  },
  receivers: [{ name: 'null' }],
  inhibit_rules: [
    { source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: SAME_OBJECT },
    { source_matchers: ['severity = "warning"'], target_matchers: ['severity = "info"'], equal: SAME_OBJECT },
    { source_matchers: ['alertname = "NodeNotReady"'], target_matchers: ['alertname != "NodeNotReady"'], equal: ['region', 'cluster', 'node'] },
    { source_matchers: ['alertname = "InfoInhibitor"'], target_matchers: ['severity = "info"'], equal: ['namespace'] },
  ],
  templates: ['/etc/alertmanager/config/*.tmpl'],
};

/**
 * Grafana's data sources for this stack: the Prometheus servers (the default, the uid the
 * chart's own dashboards expect) and the Alertmanagers, through the Services the chart names
 * after its release.
 */
export function prometheusStackDataSources(): GrafanaDataSource[] {
  const service = (component: string, port: number) => `http://${PROMETHEUS_OPERATOR}-${component}.monitoring.svc:${port}`;
  return [
    {
      name: 'Prometheus',
      type: 'prometheus',
      uid: 'prometheus',
      url: service('prometheus', 9090),
      isDefault: true,
      jsonData: { timeInterval: '30s' },
    },
    {
      name: 'Alertmanager',
      type: 'alertmanager',
      uid: 'alertmanager',
      url: service('alertmanager', 9093),
      jsonData: { implementation: 'prometheus' },
    },
  ];
}

export interface PrometheusStackProps {
  readonly prometheus: PrometheusServerSettings;
  readonly alertmanager: AlertmanagerSettings;
  /** The storage class of both volumes (the region's `fast`). */
  readonly storageClass: string;
  /** Labels on every series and alert leaving this Prometheus (region, environment, cluster). */
  readonly externalLabels: Readonly<Record<string, string>>;
  /** The control plane serves etcd, scheduler, controller-manager and kube-proxy metrics. @default true */
  readonly controlPlaneMetrics?: boolean;
}

/** Prometheus' `retentionSize`: 90% of the volume, in its own unit (GB, binary prefixes not accepted). */
function retentionSize(storageSize: string): string {
  const bytes = parseQuantity(storageSize);
  return `${Math.floor((bytes * 0.9) / 1e9)}GB`;
}

const claim = (storageClass: string, size: string) => ({
  volumeClaimTemplate: { spec: { storageClassName: storageClass, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } },
});

export class PrometheusStack extends Construct {
  constructor(scope: Construct, id: string, props: PrometheusStackProps) {
    super(scope, id);
    const problem = prometheusStackProblem(props);
    if (problem) throw new Error(`kube-prometheus-stack: ${problem}`);
    const { prometheus, alertmanager } = props;
    const controlPlane = props.controlPlaneMetrics ?? true;
    OverlayContext.of(this).requireOperator(PROMETHEUS_OPERATOR, {
      prometheus: {
        prometheusSpec: {
          replicas: prometheus.replicas,
          retention: prometheus.retention,
          retentionSize: retentionSize(prometheus.storageSize),
          resources: prometheus.resources,
          externalLabels: { ...props.externalLabels },
          storageSpec: claim(props.storageClass, prometheus.storageSize),
        },
      },
      alertmanager: {
        config: ALERTMANAGER_BASE_CONFIG,
        alertmanagerSpec: {
          replicas: alertmanager.replicas,
          storage: claim(props.storageClass, alertmanager.storageSize),
          // AlertmanagerConfigs in the Alertmanager's namespace (alert-routing.ts) route every
          // namespace's alerts; a team's own in another namespace, only its namespace's.
          alertmanagerConfigMatcherStrategy: { type: 'OnNamespaceExceptForAlertmanagerNamespace' },
        },
      },
      // Grafana is a release of its own in the monitoring layer (grafana.ts says why); the
      // chart still renders its dashboards (nodes, workloads, the API server) for that
      // Grafana's sidecar, as ConfigMaps with the label the sidecar reads.
      grafana: { enabled: false, forceDeployDashboards: true },
      ...(controlPlane
        ? {}
        : {
            kubeEtcd: { enabled: false },
            kubeScheduler: { enabled: false },
            kubeControllerManager: { enabled: false },
            kubeProxy: { enabled: false },
            defaultRules: {
              rules: { etcd: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false, kubeControllerManager: false, kubeProxy: false },
            },
          }),
    });
  }
}
