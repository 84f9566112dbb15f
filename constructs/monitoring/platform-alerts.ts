/**
 * The cluster's own alerts, beside the components' (which each construct renders with its
 * PrometheusRule): nodes not ready or under pressure, CPU and memory saturation, node
 * filesystems almost full or predicted to fill, pods crash-looping or restarting in storms,
 * persistent volumes almost full, and certificates about to expire or not issued. One
 * PrometheusRule per concern in the monitoring namespace, each alert with its runbook
 * (constructs/monitoring/runbooks/). They read what kube-prometheus-stack scrapes by default
 * (kube-state-metrics, node-exporter, the kubelet) and cert-manager's controller, which this
 * construct has scraped.
 */
import { Construct } from 'constructs';
import { addAlertRules, Alert, forDuration, RUNBOOKS } from '../platform/alert-rules';
import { OverlayContext } from '../platform/overlay-context';
import { scrapePods } from '../platform/scrape';

/** Where the alerts are: the chart's Prometheus loads rules from every namespace. */
export const PLATFORM_ALERTS_NAMESPACE = 'monitoring';

/** The thresholds teams tune (`monitoring.thresholds` in the environments). */
export interface PlatformAlertThresholds {
  /** A node filesystem's free share (percent) that warns; critical at half of it. @default 10 */
  readonly nodeFilesystemFreePercent?: number;
  /** A persistent volume's free share (percent) that warns; critical at half of it. @default 10 */
  readonly volumeFreePercent?: number;
  /** Days before a certificate expires that it warns; critical at 3 days. @default 14 */
  readonly certificateExpiryDays?: number;
  /** Container restarts in an hour that make a storm. @default 5 */
  readonly podRestartsPerHour?: number;
  /** A node's busy CPU share (percent) held for 15 minutes that warns. @default 90 */
  readonly nodeCpuBusyPercent?: number;
  /** A node's available memory share (percent) below which it warns. @default 10 */
  readonly nodeMemoryAvailablePercent?: number;
}

export const PLATFORM_ALERT_DEFAULTS: Required<PlatformAlertThresholds> = {
  nodeFilesystemFreePercent: 10,
  volumeFreePercent: 10,
  certificateExpiryDays: 14,
  podRestartsPerHour: 5,
  nodeCpuBusyPercent: 90,
  nodeMemoryAvailablePercent: 10,
};

/** Why `thresholds` cannot be used, or undefined. */
export function platformThresholdsProblem(thresholds: PlatformAlertThresholds): string | undefined {
  for (const [key, value] of Object.entries(thresholds) as [keyof PlatformAlertThresholds, number][]) {
    const percent = key.endsWith('Percent');
    if (!Number.isInteger(value) || value < 1 || (percent && value > 99)) {
      return `${key} ${value} is not ${percent ? 'a whole percentage from 1 to 99' : 'a whole number of 1 or more'}`;
    }
  }
  if ((thresholds.certificateExpiryDays ?? PLATFORM_ALERT_DEFAULTS.certificateExpiryDays) <= 3) {
    return 'certificateExpiryDays must be above 3, the critical threshold';
  }
  return undefined;
}

/** Node filesystems that hold data: not the kernel's and container runtime's in-memory or image mounts. */
const FILESYSTEMS = 'job="node-exporter", fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs", mountpoint!=""';
/** cert-manager's controller metrics port. */
const CERT_MANAGER_METRICS_PORT = 9402;

export interface PlatformAlertsProps {
  readonly thresholds?: PlatformAlertThresholds;
  /** The cluster issues certificates (runs cert-manager): scrape it and watch them. @default true */
  readonly certificates?: boolean;
  /**
   * kube-state-metrics, node-exporter and the kubelet are scraped, as kube-prometheus-stack does.
   * Without them (the VictoriaMetrics stack, which installs none of them) the node, workload
   * and volume alerts would never fire, so only the certificates' are rendered. @default true
   */
  readonly clusterMetrics?: boolean;
}

export class PlatformAlerts extends Construct {
  constructor(scope: Construct, id: string, props: PlatformAlertsProps = {}) {
    super(scope, id);
    const problem = platformThresholdsProblem(props.thresholds ?? {});
    if (problem) throw new Error(`platform alerts: ${problem}`);
    const t = { ...PLATFORM_ALERT_DEFAULTS, ...props.thresholds };
    const rules = (name: string, alerts: Alert[]) =>
      addAlertRules(this, `Rules-${name}`, {
        name,
        namespace: PLATFORM_ALERTS_NAMESPACE,
        labels: {},
        alerts: () => alerts,
        runbooks: RUNBOOKS.monitoring,
      });

    // The node, workload and volume rules read kube-state-metrics, node-exporter and the kubelet.
    if (props.clusterMetrics ?? true) {
      rules('platform-nodes', [
        {
          alert: 'NodeNotReady',
          expr: 'kube_node_status_condition{job="kube-state-metrics", condition="Ready", status="true"} == 0',
          for: '5m',
          severity: 'critical',
          summary: 'Node {{ $labels.node }} is not ready',
          description: 'Node {{ $labels.node }} has not been Ready for 5 minutes: its pods are not served and will be evicted.',
        },
        {
          alert: 'NodeUnderPressure',
          expr: 'kube_node_status_condition{job="kube-state-metrics", condition=~"MemoryPressure|DiskPressure|PIDPressure", status="true"} == 1',
          for: '5m',
          severity: 'warning',
          summary: 'Node {{ $labels.node }} reports {{ $labels.condition }}',
          description: 'The kubelet of node {{ $labels.node }} has reported {{ $labels.condition }} for 5 minutes and evicts pods to relieve it.',
        },
        {
          alert: 'NodeCpuSaturated',
          expr: `(1 - avg by (instance) (rate(node_cpu_seconds_total{job="node-exporter", mode="idle"}[5m]))) * 100 > ${t.nodeCpuBusyPercent}`,
          for: '15m',
          severity: 'warning',
          summary: 'Node {{ $labels.instance }} CPU is {{ $value | humanize }}% busy',
          description: `Node {{ $labels.instance }} has been more than ${t.nodeCpuBusyPercent}% busy for 15 minutes: its pods are throttled and latency grows.`,
        },
        {
          alert: 'NodeMemoryLow',
          expr: `node_memory_MemAvailable_bytes{job="node-exporter"} / node_memory_MemTotal_bytes{job="node-exporter"} * 100 < ${t.nodeMemoryAvailablePercent}`,
          for: '10m',
          severity: 'warning',
          summary: 'Node {{ $labels.instance }} has {{ $value | humanize }}% memory available',
          description: `Node {{ $labels.instance }} has had less than ${t.nodeMemoryAvailablePercent}% of its memory available for 10 minutes: the kubelet will evict pods, the kernel may kill processes.`,
        },
        ...(
          [
            ['warning', t.nodeFilesystemFreePercent, '10m'],
            ['critical', t.nodeFilesystemFreePercent / 2, '5m'],
          ] as const
        ).map(([severity, free, hold]) => ({
          alert: 'NodeFilesystemAlmostFull',
          expr: `node_filesystem_avail_bytes{${FILESYSTEMS}} / node_filesystem_size_bytes{${FILESYSTEMS}} * 100 < ${free} and node_filesystem_readonly{${FILESYSTEMS}} == 0`,
          for: hold,
          severity,
          summary: 'Filesystem {{ $labels.mountpoint }} of node {{ $labels.instance }} has {{ $value | humanize }}% free',
          description: `Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) of node {{ $labels.instance }} has less than ${free}% free.`,
        })),
        {
          alert: 'NodeFilesystemPredictedFull',
          expr: `predict_linear(node_filesystem_avail_bytes{${FILESYSTEMS}}[6h], 24 * 3600) < 0 and node_filesystem_avail_bytes{${FILESYSTEMS}} / node_filesystem_size_bytes{${FILESYSTEMS}} * 100 < 40 and node_filesystem_readonly{${FILESYSTEMS}} == 0`,
          for: '1h',
          severity: 'warning',
          summary: 'Filesystem {{ $labels.mountpoint }} of node {{ $labels.instance }} fills within a day',
          description: 'At the rate of the last 6 hours, filesystem {{ $labels.mountpoint }} of node {{ $labels.instance }} is full within 24 hours.',
        },
      ]);

      // The pod's node as a label, so that a node that is not ready silences its pods' alerts (prometheus-stack.ts).
      const onNode = ' * on (namespace, pod) group_left (node) max by (namespace, pod, node) (kube_pod_info{job="kube-state-metrics"})';
      rules('platform-workloads', [
        {
          alert: 'PodCrashLooping',
          expr: `(max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics", reason="CrashLoopBackOff"}[5m]) >= 1)${onNode}`,
          for: '15m',
          severity: 'warning',
          summary: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} is crash-looping',
          description:
            'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 15 minutes.',
        },
        {
          alert: 'PodRestartStorm',
          expr: `(increase(kube_pod_container_status_restarts_total{job="kube-state-metrics"}[1h]) > ${t.podRestartsPerHour})${onNode}`,
          severity: 'warning',
          summary:
            'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted {{ $value | humanize }} times in an hour',
          description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted more than ${t.podRestartsPerHour} times in the last hour.`,
        },
      ]);

      rules(
        'platform-volumes',
        (
          [
            ['warning', t.volumeFreePercent, '5m'],
            ['critical', t.volumeFreePercent / 2, '1m'],
          ] as const
        ).map(([severity, free, hold]) => ({
          alert: 'PersistentVolumeAlmostFull',
          expr: `kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"} * 100 < ${free}`,
          for: hold,
          severity,
          summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has {{ $value | humanize }}% free',
          description: `The volume of claim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than ${free}% free: the workload writing to it fails when it is full.`,
        })),
      );
    }

    if (props.certificates ?? true) {
      // cert-manager's controller, scraped for the certificates' expiry and readiness; the
      // metrics keep the certificate's own namespace (honorLabels), not the controller's.
      OverlayContext.of(this).requireOperator('cert-manager');
      scrapePods(this, 'CertManagerScrape', {
        name: 'cert-manager',
        pods: { namespace: 'cert-manager', podLabels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' } },
        ports: [CERT_MANAGER_METRICS_PORT],
        endpoints: [{ portNumber: CERT_MANAGER_METRICS_PORT, honorLabels: true }],
      });
      rules('platform-certificates', [
        ...(
          [
            ['warning', t.certificateExpiryDays, '1h'],
            ['critical', 3, '10m'],
          ] as const
        ).map(([severity, days, hold]) => ({
          alert: 'CertificateExpiringSoon',
          expr: `certmanager_certificate_expiration_timestamp_seconds - time() < ${days} * 86400`,
          for: hold,
          severity,
          summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}',
          description: `Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than ${days} days and cert-manager has not renewed it.`,
        })),
        {
          alert: 'CertificateNotReady',
          expr: 'certmanager_certificate_ready_status{condition="False"} == 1',
          for: forDuration(15 * 60),
          severity: 'warning',
          summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready',
          description:
            'cert-manager has not been able to issue certificate {{ $labels.namespace }}/{{ $labels.name }} for 15 minutes: kubectl describe certificate shows why.',
        },
      ]);
    }
  }
}
