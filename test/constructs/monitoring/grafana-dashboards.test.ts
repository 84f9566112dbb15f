/**
 * The overlay's dashboards: one per component it runs and the overview, every panel's query
 * PromQL that Prometheus' own checker accepts.
 */
import { CLUSTER_EXPORTERS, GrafanaDashboards, withoutExporters } from '../../../constructs/monitoring/grafana-dashboards';
import type { DashboardComponents } from '../../../constructs/monitoring/overview-dashboard';
import { PROMETHEUS_OPERATOR } from '../../../constructs/operators/catalog';
import { testLayer } from '../../support/layer';
import { checkExpressions, interpolateGrafana } from '../../support/promtool';

const ALL: Required<DashboardComponents> = {
  cloudNativePg: true,
  zalandoPostgres: true,
  externalPostgres: true,
  poolers: true,
  kafka: true,
  kafkaConnect: true,
  opensearch: true,
  minio: true,
  velero: true,
  traefik: true,
  certificates: true,
};

function build(components: DashboardComponents = ALL, sharedCluster?: boolean, clusterMetrics?: boolean) {
  const layer = testLayer('monitoring');
  const dashboards = new GrafanaDashboards(layer.chart, 'Dashboards', {
    overlay: 'region-a/prod',
    components,
    ...(sharedCluster ? { sharedCluster } : {}),
    ...(clusterMetrics === undefined ? {} : { clusterMetrics }),
  });
  const configMaps = layer.all('ConfigMap');
  const models = configMaps.map((cm) => JSON.parse(Object.values(cm.data as Record<string, string>)[0]));
  return { layer, dashboards, configMaps, models };
}

/** Every query of a dashboard model: its panels' targets and its variables' definitions. */
function queries(model: any): string[] {
  return [
    ...model.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr)),
    ...model.templating.list.filter((v: any) => v.type === 'query').map((v: any) => v.definition.replace(/^label_values\((.+), \w+\)$/, '$1')),
  ];
}

test('a dashboard per component and the overview, each in its layer folder', () => {
  const { configMaps } = build();
  expect(configMaps.map((cm) => [cm.metadata.name, cm.metadata.annotations.grafana_folder])).toEqual([
    ['grafana-dashboard-platform-overview', 'Platform'],
    ['grafana-dashboard-kafka', 'Kafka'],
    ['grafana-dashboard-kafka-connect', 'Kafka'],
    ['grafana-dashboard-minio', 'MinIO'],
    ['grafana-dashboard-opensearch', 'OpenSearch'],
    ['grafana-dashboard-pgbouncer', 'PostgreSQL'],
    ['grafana-dashboard-postgresql', 'PostgreSQL'],
    ['grafana-dashboard-postgresql-external', 'PostgreSQL'],
    ['grafana-dashboard-postgresql-zalando', 'PostgreSQL'],
    ['grafana-dashboard-traefik', 'Traefik'],
    ['grafana-dashboard-velero', 'Velero'],
  ]);
  for (const cm of configMaps) {
    expect(cm.metadata.namespace).toBe('monitoring');
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
  }
});

test('only the components the overlay runs get a dashboard; the overview links to those only', () => {
  const { configMaps, models } = build({ cloudNativePg: true, traefik: true });
  expect(configMaps.map((cm) => cm.metadata.name)).toEqual([
    'grafana-dashboard-platform-overview',
    'grafana-dashboard-postgresql',
    'grafana-dashboard-traefik',
  ]);
  const overview = models[0];
  const links = overview.panels.flatMap((p: any) => (p.links ?? []).map((l: any) => l.url));
  expect(links).toEqual(['/d/strata-postgresql', '/d/strata-traefik']);
  expect(overview.panels.map((p: any) => p.title)).not.toContain('Days until certificates expire');
});

test('the overview of a bare overlay still shows nodes, workloads and volumes', () => {
  const { models } = build({});
  expect(models).toHaveLength(1);
  expect(models[0].title).toBe('Strata platform: region-a/prod');
  expect(models[0].panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)).toEqual(['Nodes', 'Workloads', 'Volumes']);
});

test('on a cluster shared by environments the overview is the same whatever each runs; certificates get their own dashboard', () => {
  const overview = (c: DashboardComponents) => build(c, true).configMaps.find((cm) => cm.metadata.name === 'grafana-dashboard-platform-overview');
  expect(overview({ kafka: true, certificates: true })).toEqual(overview({ velero: true }));
  expect(build({ certificates: true }, true).configMaps.map((cm) => [cm.metadata.name, cm.metadata.annotations.grafana_folder])).toEqual([
    ['grafana-dashboard-platform-overview', 'Platform'],
    ['grafana-dashboard-platform-certificates', 'Platform'],
  ]);
  expect(
    build({ certificates: true }, true)
      .models[0].panels.filter((p: any) => p.type === 'row')
      .map((p: any) => p.title),
  ).toEqual(['Nodes', 'Workloads', 'Volumes']);
});

test('uids are unique and stable, and every ConfigMap stays far below 1 MiB', () => {
  const { models, configMaps } = build();
  const uids = models.map((m) => m.uid);
  expect(new Set(uids).size).toBe(uids.length);
  expect(uids).toContain('strata-postgresql');
  for (const cm of configMaps) expect(Buffer.byteLength(JSON.stringify(cm.data))).toBeLessThan(256 * 1024);
});

test('the output is deterministic', () => {
  expect(JSON.stringify(build().configMaps)).toBe(JSON.stringify(build().configMaps));
});

test('every panel query and variable selector passes promtool check rules', () => {
  const exprs = build().models.flatMap(queries);
  expect(exprs.length).toBeGreaterThan(100);
  expect(checkExpressions(exprs.map(interpolateGrafana))).toBe('');
});

test('the check catches a query that does not parse', () => {
  expect(checkExpressions([interpolateGrafana('sum(rate(cnpg_collector_up{namespace=~"$namespace"}[$__rate_interval])')])).toMatch(
    /parse error|unclosed|expected/,
  );
});

test('the dashboards contribute nothing to an operator: the Grafana release reads them (grafana.test.ts)', () => {
  const { layer } = build({});
  expect(layer.context.operatorValues(PROMETHEUS_OPERATOR)).toEqual([]);
});

test('the exporters the dashboards read', () => {
  expect(build({ kafka: true, kafkaConnect: true }).dashboards.exporters).toEqual([
    'kafka-connect',
    'kafka-exporter',
    'kafka-jmx',
    'kube-state-metrics',
    'kubelet',
    'node-exporter',
    'scrape-targets',
  ]);
});

describe('without kube-state-metrics, node-exporter and the kubelet (the VictoriaMetrics stack)', () => {
  const CLUSTER_SERIES = /\b(kube_|node_|container_|kubelet_)\w+/;

  test('every dashboard keeps only the panels whose series are scraped; the overview keeps its layers and certificates', () => {
    const { models, dashboards } = build(ALL, false, false);
    for (const model of models) for (const q of queries(model)) expect(q).not.toMatch(CLUSTER_SERIES);
    const overview = models.find((m) => m.uid === 'strata-platform-overview');
    expect(overview.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)).toEqual(['Layers', 'Certificates']);
    expect(overview.templating.list.find((v: any) => v.name === 'namespace').definition).toBe('label_values(up, namespace)');
    expect(dashboards.exporters).not.toEqual(expect.arrayContaining(['kube-state-metrics']));
    expect(dashboards.exporters).toContain('scrape-targets');
    // With them, the same dashboards read the cluster's series.
    expect(
      build(ALL)
        .models.flatMap(queries)
        .some((q) => CLUSTER_SERIES.test(q)),
    ).toBe(true);
  });

  test('a dashboard with no panel left is not rendered; one untouched is returned as it is', () => {
    const d = {
      name: 'nodes',
      title: 'Nodes',
      folder: 'Platform',
      exporters: ['node-exporter'] as const,
      rows: [{ title: 'CPU', panels: [{ title: 'busy', queries: [{ expr: 'rate(node_cpu_seconds_total[5m])' }] }] }],
    };
    expect(withoutExporters({ ...d, exporters: [...d.exporters] }, CLUSTER_EXPORTERS)).toBeUndefined();
    const velero = { ...d, exporters: ['velero' as const], rows: [] };
    expect(withoutExporters(velero, CLUSTER_EXPORTERS)).toBe(velero);
  });
});
