/**
 * The platform alerts, tested with Prometheus' own tooling: every rule file passes
 * `promtool check rules`, and each alert fires on the series that mean trouble and stays
 * silent on healthy ones (`promtool test rules`). Thresholds are the props' (and so the
 * environments' `monitoring.thresholds`).
 */
import { PlatformAlerts, PlatformAlertThresholds } from '../../../constructs/monitoring/platform-alerts';
import { alertRules, RenderedRule } from '../../support/alerts';
import { testLayer } from '../../support/layer';
import { AlertExpectation, checkRules, SeriesInput, testAlerts } from '../../support/promtool';

const GROUPS = ['platform-nodes', 'platform-workloads', 'platform-volumes', 'platform-certificates'];

function build(thresholds?: PlatformAlertThresholds) {
  const layer = testLayer('monitoring');
  new PlatformAlerts(layer.chart, 'PlatformAlerts', thresholds ? { thresholds } : {});
  return layer;
}

function rulesOf(layer: ReturnType<typeof build>): RenderedRule[] {
  return GROUPS.flatMap((g) => alertRules(layer, g, 'monitoring'));
}

const silent = (alertname: string, evalTime = '2h'): AlertExpectation => ({ alertname, evalTime, firing: [] });
const run = (series: SeriesInput[], expectations: AlertExpectation[], thresholds?: PlatformAlertThresholds) =>
  testAlerts(rulesOf(build(thresholds)), series, expectations);

const KSM = 'job="kube-state-metrics"';
const FS = 'job="node-exporter", instance="n1:9100", device="/dev/sda1", fstype="ext4", mountpoint="/var/lib"';
const FS_LABELS = { job: 'node-exporter', instance: 'n1:9100', device: '/dev/sda1', fstype: 'ext4', mountpoint: '/var/lib' };

test('one PrometheusRule per concern in the monitoring namespace; every rule passes promtool check rules and carries its runbook', () => {
  const layer = build();
  const specs = GROUPS.map((name) => layer.find('PrometheusRule', name, 'monitoring'));
  expect(checkRules(specs.map((r) => ({ name: r.metadata.name, spec: r.spec })))).toBe('');
  for (const rule of rulesOf(layer)) {
    expect((rule.annotations as any).runbook_url).toBe(`constructs/monitoring/runbooks/${rule.alert}.md`);
    expect(['critical', 'warning']).toContain(rule.labels.severity);
  }
});

test('a node not ready pages; memory, disk or PID pressure warns', () => {
  expect(
    run(
      [
        { series: `kube_node_status_condition{${KSM}, node="n1", condition="Ready", status="true"}`, values: '1x4 0x30' },
        { series: `kube_node_status_condition{${KSM}, node="n2", condition="Ready", status="true"}`, values: '1x35' },
        { series: `kube_node_status_condition{${KSM}, node="n2", condition="DiskPressure", status="true"}`, values: '0x4 1x30' },
        { series: `kube_node_status_condition{${KSM}, node="n1", condition="MemoryPressure", status="true"}`, values: '0x35' },
      ],
      [
        {
          alertname: 'NodeNotReady',
          evalTime: '15m',
          firing: [{ job: 'kube-state-metrics', node: 'n1', condition: 'Ready', status: 'true', severity: 'critical' }],
        },
        {
          alertname: 'NodeUnderPressure',
          evalTime: '15m',
          firing: [{ job: 'kube-state-metrics', node: 'n2', condition: 'DiskPressure', status: 'true', severity: 'warning' }],
        },
      ],
    ),
  ).toBe('');
});

test('CPU busy and memory short for long enough warn; a node with idle CPU and free memory does not', () => {
  const cpu = (instance: string, values: string) => ({
    series: `node_cpu_seconds_total{job="node-exporter", instance="${instance}", cpu="0", mode="idle"}`,
    values,
  });
  const memory = (instance: string, available: number) => [
    { series: `node_memory_MemAvailable_bytes{job="node-exporter", instance="${instance}"}`, values: `${available}x40` },
    { series: `node_memory_MemTotal_bytes{job="node-exporter", instance="${instance}"}`, values: '100x40' },
  ];
  const series = [cpu('busy:9100', '0+1x40'), cpu('idle:9100', '0+60x40'), ...memory('busy:9100', 5), ...memory('idle:9100', 60)];
  expect(
    run(series, [
      { alertname: 'NodeCpuSaturated', evalTime: '30m', firing: [{ instance: 'busy:9100', severity: 'warning' }] },
      { alertname: 'NodeMemoryLow', evalTime: '20m', firing: [{ job: 'node-exporter', instance: 'busy:9100', severity: 'warning' }] },
    ]),
  ).toBe('');
  // A lower bar: 99% busy is not above it.
  expect(run(series, [silent('NodeCpuSaturated', '30m')], { nodeCpuBusyPercent: 99 })).toBe('');
});

test('a node filesystem warns under 10% free and pages under 5%; tmpfs and read-only mounts are not judged', () => {
  const fs = (labels: string, avail: number, readonly = 0) => [
    { series: `node_filesystem_avail_bytes{${labels}}`, values: `${avail}x30` },
    { series: `node_filesystem_size_bytes{${labels}}`, values: '100x30' },
    { series: `node_filesystem_readonly{${labels}}`, values: `${readonly}x30` },
  ];
  expect(run(fs(FS, 8), [{ alertname: 'NodeFilesystemAlmostFull', evalTime: '20m', firing: [{ ...FS_LABELS, severity: 'warning' }] }])).toBe('');
  expect(
    run(fs(FS, 3), [
      {
        alertname: 'NodeFilesystemAlmostFull',
        evalTime: '20m',
        firing: [
          { ...FS_LABELS, severity: 'warning' },
          { ...FS_LABELS, severity: 'critical' },
        ],
      },
    ]),
  ).toBe('');
  const tmpfs = 'job="node-exporter", instance="n1:9100", device="tmpfs", fstype="tmpfs", mountpoint="/run"';
  expect(run([...fs(tmpfs, 1), ...fs(FS, 2, 1)], [silent('NodeFilesystemAlmostFull', '20m')])).toBe('');
  // The team's threshold: 20% free warns at 15 free.
  expect(
    run(fs(FS, 15), [{ alertname: 'NodeFilesystemAlmostFull', evalTime: '20m', firing: [{ ...FS_LABELS, severity: 'warning' }] }], {
      nodeFilesystemFreePercent: 20,
    }),
  ).toBe('');
});

test('a filesystem filling at a rate that ends within a day is predicted full; a steady one is not', () => {
  const series = (values: string) => [
    { series: `node_filesystem_avail_bytes{${FS}}`, values },
    { series: `node_filesystem_size_bytes{${FS}}`, values: '100x150' },
    { series: `node_filesystem_readonly{${FS}}`, values: '0x150' },
  ];
  expect(
    run(series('30-0.05x150'), [{ alertname: 'NodeFilesystemPredictedFull', evalTime: '2h20m', firing: [{ ...FS_LABELS, severity: 'warning' }] }]),
  ).toBe('');
  expect(run(series('30x150'), [silent('NodeFilesystemPredictedFull', '2h20m')])).toBe('');
});

test('a container crash-looping for 15 minutes, and one restarting more than 5 times an hour, warn, naming the node the pod runs on', () => {
  const pod = 'namespace="web", pod="shop-0", container="app"';
  const labels = { job: 'kube-state-metrics', namespace: 'web', pod: 'shop-0', container: 'app', node: 'n1' };
  const info = { series: `kube_pod_info{${KSM}, namespace="web", pod="shop-0", node="n1", host_ip="10.0.0.1"}`, values: '1x70' };
  expect(
    run(
      [
        info,
        { series: `kube_pod_container_status_waiting_reason{${KSM}, ${pod}, reason="CrashLoopBackOff"}`, values: '1x30' },
        { series: `kube_pod_container_status_restarts_total{${KSM}, ${pod}}`, values: '0+1x70' },
      ],
      [
        { alertname: 'PodCrashLooping', evalTime: '25m', firing: [{ ...labels, reason: 'CrashLoopBackOff', severity: 'warning' }] },
        { alertname: 'PodRestartStorm', evalTime: '65m', firing: [{ ...labels, severity: 'warning' }] },
      ],
    ),
  ).toBe('');
  expect(
    run([info, { series: `kube_pod_container_status_restarts_total{${KSM}, ${pod}}`, values: '3x70' }], [silent('PodRestartStorm', '65m')]),
  ).toBe('');
});

test('a persistent volume warns under 10% free and pages under 5%', () => {
  const claim = 'job="kubelet", namespace="db", persistentvolumeclaim="data-mysql-0"';
  const labels = { job: 'kubelet', namespace: 'db', persistentvolumeclaim: 'data-mysql-0' };
  const volume = (available: number) => [
    { series: `kubelet_volume_stats_available_bytes{${claim}}`, values: `${available}x20` },
    { series: `kubelet_volume_stats_capacity_bytes{${claim}}`, values: '100x20' },
  ];
  expect(run(volume(8), [{ alertname: 'PersistentVolumeAlmostFull', evalTime: '10m', firing: [{ ...labels, severity: 'warning' }] }])).toBe('');
  expect(
    run(volume(2), [
      {
        alertname: 'PersistentVolumeAlmostFull',
        evalTime: '10m',
        firing: [
          { ...labels, severity: 'warning' },
          { ...labels, severity: 'critical' },
        ],
      },
    ]),
  ).toBe('');
  expect(run(volume(50), [silent('PersistentVolumeAlmostFull', '10m')])).toBe('');
});

test('a certificate within 14 days of expiry warns, within 3 days pages; one not ready for 15 minutes warns', () => {
  const cert =
    'namespace="hello", name="hello-tls", issuer_name="letsencrypt-production", issuer_kind="ClusterIssuer", issuer_group="cert-manager.io"';
  const labels = {
    namespace: 'hello',
    name: 'hello-tls',
    issuer_name: 'letsencrypt-production',
    issuer_kind: 'ClusterIssuer',
    issuer_group: 'cert-manager.io',
  };
  const expiresIn = (days: number) => [{ series: `certmanager_certificate_expiration_timestamp_seconds{${cert}}`, values: `${days * 86400}x180` }];
  expect(run(expiresIn(10), [{ alertname: 'CertificateExpiringSoon', evalTime: '2h', firing: [{ ...labels, severity: 'warning' }] }])).toBe('');
  expect(
    run(expiresIn(2), [
      {
        alertname: 'CertificateExpiringSoon',
        evalTime: '2h',
        firing: [
          { ...labels, severity: 'warning' },
          { ...labels, severity: 'critical' },
        ],
      },
    ]),
  ).toBe('');
  expect(run(expiresIn(60), [silent('CertificateExpiringSoon')])).toBe('');
  expect(
    run(
      [{ series: 'certmanager_certificate_ready_status{namespace="hello", name="hello-tls", condition="False"}', values: '1x30' }],
      [
        {
          alertname: 'CertificateNotReady',
          evalTime: '20m',
          firing: [{ namespace: 'hello', name: 'hello-tls', condition: 'False', severity: 'warning' }],
        },
      ],
    ),
  ).toBe('');
});

test("cert-manager's controller is scraped with the certificates' own namespaces kept; a threshold out of range is refused", () => {
  const layer = build();
  const monitor = layer.find('PodMonitor', 'cert-manager', 'cert-manager').spec;
  expect(monitor.podMetricsEndpoints).toEqual([{ portNumber: 9402, honorLabels: true }]);
  expect(layer.find('NetworkPolicy', 'allow-prometheus-to-cert-manager-ingress', 'cert-manager').spec.ingress[0].ports).toEqual([
    { protocol: 'TCP', port: 9402 },
  ]);
  expect(() => build({ volumeFreePercent: 0 })).toThrow(/volumeFreePercent 0 is not a whole percentage from 1 to 99/);
  expect(() => build({ certificateExpiryDays: 3 })).toThrow(/certificateExpiryDays must be above 3/);
});

test('without kube-state-metrics, node-exporter and the kubelet (VictoriaMetrics), only the certificate alerts are rendered', () => {
  const layer = testLayer('monitoring');
  new PlatformAlerts(layer.chart, 'PlatformAlerts', { clusterMetrics: false });
  expect(layer.all('PrometheusRule').map((r) => r.metadata.name)).toEqual(['platform-certificates']);
  expect(layer.all('PodMonitor').map((m) => m.metadata.name)).toEqual(['cert-manager']);
});
