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
import { AlertmanagerSettings, prometheusStackProblem, PrometheusServerSettings } from './prometheus-stack-settings';
import { parseQuantity } from '../core/quantity';
import { PROMETHEUS_OPERATOR } from '../operators/catalog';
import { OverlayContext } from '../platform/overlay-context';

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
      alertmanager: { alertmanagerSpec: { replicas: alertmanager.replicas, storage: claim(props.storageClass, alertmanager.storageSize) } },
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
