/**
 * The exporters' lists of series, kept beside the constructs that render their scrapes: well
 * formed, and covering every series the components' alerts read, for every engine (the
 * committed tree holds only some of them; test/dist-dashboards.test.ts checks those per overlay).
 */
import { cloudNativePgAlerts, cloudNativePgAlertThresholds } from '../../../constructs/data/cloudnative-pg-alerts';
import { externalPatroniAlerts } from '../../../constructs/data/external-patroni-alerts';
import { zalandoPostgresAlerts, zalandoPostgresAlertThresholds } from '../../../constructs/data/zalando-postgres-alerts';
import { fluentBitAlerts } from '../../../constructs/logging/fluent-bit-alerts';
import { lokiAlerts } from '../../../constructs/logging/loki-alerts';
import { EXPORTER_METRICS, Exporter, metricsOf } from '../../../constructs/monitoring/exporters';
import { PlatformAlerts } from '../../../constructs/monitoring/platform-alerts';
import { metricNames } from '../../../constructs/monitoring/promql-metrics';
import type { Alert } from '../../../constructs/platform/alert-rules';
import { openSearchAlerts, openSearchAlertThresholds } from '../../../constructs/search/opensearch-alerts';
import { minioAlerts } from '../../../constructs/storage/minio-alerts';
import { kafkaClusterAlerts, kafkaConnectAlerts } from '../../../constructs/streaming/kafka-alerts';
import { alertRules } from '../../support/alerts';
import { testLayer } from '../../support/layer';

test('every list is sorted, without duplicates, of valid metric names', () => {
  for (const [exporter, names] of Object.entries(EXPORTER_METRICS)) {
    expect({ exporter, names: [...names].sort() }).toEqual({ exporter, names: [...new Set(names)] });
    for (const name of names) expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
  }
});

/** The series of `alerts` that none of `exporters` serves. */
function unserved(alerts: readonly Pick<Alert, 'expr'>[], exporters: readonly Exporter[]): string[] {
  const served = metricsOf(exporters);
  return [...new Set(alerts.flatMap((a) => metricNames(a.expr)))].filter((m) => !served.has(m));
}

test.each<[string, Alert[], Exporter[]]>([
  [
    'CloudNativePG',
    cloudNativePgAlerts(
      { name: 'postgres', namespace: 'postgres', instances: 3, backups: true },
      cloudNativePgAlertThresholds('postgres', '0 0 2 * * *'),
    ),
    ['cloudnative-pg', 'kubelet'],
  ],
  [
    'Zalando',
    zalandoPostgresAlerts(
      { name: 'postgres', namespace: 'postgres', instances: 3, logicalBackups: true },
      zalandoPostgresAlertThresholds('postgres', '0 2 * * *'),
    ),
    ['patroni', 'kubelet', 'kube-state-metrics'],
  ],
  [
    'PostgreSQL on VMs',
    externalPatroniAlerts({ name: 'pg', namespace: 'postgres', job: 'pg-exporter', servers: 2 }),
    ['postgres-exporter', 'scrape-targets'],
  ],
  ['Kafka', kafkaClusterAlerts({ name: 'events', namespace: 'kafka', brokers: 3 }), ['kafka-jmx', 'scrape-targets']],
  ['Kafka Connect', kafkaConnectAlerts({ name: 'connect', namespace: 'kafka' }), ['kafka-connect']],
  [
    'OpenSearch',
    openSearchAlerts({ name: 'search', namespace: 'opensearch', nodes: 3, dataNodes: 3 }, openSearchAlertThresholds('search')),
    ['opensearch'],
  ],
  ['MinIO', minioAlerts({ name: 'storage', namespace: 'minio' }), ['minio', 'scrape-targets']],
  ['Fluent Bit', fluentBitAlerts({ name: 'fluent-bit', namespace: 'logging' }), ['fluent-bit']],
  ['Loki', lokiAlerts({ name: 'loki', namespace: 'monitoring' }), ['loki']],
])('the %s alerts read only the series of their exporters', (_what, alerts, exporters) => {
  expect(alerts.length).toBeGreaterThan(0);
  expect(unserved(alerts, exporters)).toEqual([]);
});

test("the platform alerts read only kube-prometheus-stack's default scrapes and cert-manager's", () => {
  const layer = testLayer('monitoring');
  new PlatformAlerts(layer.chart, 'PlatformAlerts');
  const rules = ['platform-nodes', 'platform-workloads', 'platform-volumes', 'platform-certificates'].flatMap((g) =>
    alertRules(layer, g, 'monitoring'),
  );
  expect(unserved(rules, ['kube-state-metrics', 'node-exporter', 'kubelet', 'cert-manager', 'kube-prometheus-stack-rules'])).toEqual([]);
});
