/**
 * One dashboard as the Grafana sidecar reads it: a ConfigMap in `monitoring` with the sidecar's
 * label, its folder's annotation and valid, deterministic JSON; panels may read only the series
 * of the exporters the dashboard names.
 */
import { buildDashboard, GrafanaDashboard, GrafanaDashboardProps } from '../../../constructs/monitoring/grafana-dashboard';
import { testLayer } from '../../support/layer';

const PROPS: GrafanaDashboardProps = {
  name: 'example',
  title: 'Example',
  folder: 'Examples',
  tags: ['postgresql'],
  exporters: ['cloudnative-pg'],
  variables: [{ name: 'namespace', label: 'Namespace', query: 'label_values(cnpg_collector_up, namespace)' }],
  rows: [
    {
      title: 'Availability',
      panels: [
        { title: 'Up', type: 'stat', queries: [{ expr: 'sum(cnpg_collector_up{namespace=~"$namespace"})' }] },
        { title: 'Lag', unit: 's', queries: [{ expr: 'max(cnpg_pg_replication_lag{namespace=~"$namespace"})', legend: '{{pod}}' }] },
      ],
    },
  ],
};

function build(props: GrafanaDashboardProps = PROPS) {
  const layer = testLayer('monitoring');
  new GrafanaDashboard(layer.chart, 'Dashboard', props);
  return layer;
}

test('a ConfigMap grafana-dashboard-<name> in monitoring, labelled for the sidecar and annotated with its folder', () => {
  const cm = build().find('ConfigMap', 'grafana-dashboard-example', 'monitoring');
  expect(cm.metadata.labels.grafana_dashboard).toBe('1');
  expect(cm.metadata.annotations).toEqual({ grafana_folder: 'Examples' });
  expect(Object.keys(cm.data)).toEqual(['example.json']);
});

test('the JSON: stable uid from the name, sorted tags, the data source variable, no timestamps or ids', () => {
  const json = build().find('ConfigMap', 'grafana-dashboard-example').data['example.json'];
  const d = JSON.parse(json);
  expect(d.uid).toBe('strata-example');
  expect(d.title).toBe('Example');
  expect(d.tags).toEqual(['postgresql', 'strata']);
  expect(d.id).toBeUndefined();
  expect(d.panels.map((p: any) => p.id)).toEqual([1, 2, 3]);
  expect(json).not.toMatch(/"(created|updated|version|iteration)"/);
  expect(d.templating.list.map((v: any) => [v.name, v.type])).toEqual([
    ['datasource', 'datasource'],
    ['namespace', 'query'],
  ]);
  const panels = d.panels.filter((p: any) => p.type !== 'row');
  expect(panels.map((p: any) => [p.type, p.title])).toEqual([
    ['stat', 'Up'],
    ['timeseries', 'Lag'],
  ]);
  expect(panels[1].targets).toEqual([
    expect.objectContaining({ refId: 'A', expr: 'max(cnpg_pg_replication_lag{namespace=~"$namespace"})', legendFormat: '{{pod}}' }),
  ]);
  expect(panels[1].datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
  expect(panels[1].fieldConfig.defaults.unit).toBe('s');
  expect(panels[0].options.reduceOptions).toEqual({ calcs: ['lastNotNull'], values: false });
});

test('the same props give the same bytes', () => {
  const a = build().find('ConfigMap', 'grafana-dashboard-example').data['example.json'];
  const b = build().find('ConfigMap', 'grafana-dashboard-example').data['example.json'];
  expect(a).toBe(b);
  expect(JSON.stringify(buildDashboard(PROPS))).toBe(JSON.stringify(buildDashboard(PROPS)));
});

test('a series none of its exporters serves is refused, naming it and the fix', () => {
  const rows = [{ title: 'x', panels: [{ title: 'x', queries: [{ expr: 'sum(pg_up) + sum(made_up_total)' }] }] }];
  expect(() => build({ ...PROPS, rows })).toThrow(
    /Grafana dashboard example: made_up_total, pg_up are served by none of its exporters \(cloudnative-pg\); add the exporter/,
  );
  expect(() => build({ ...PROPS, variables: [{ name: 'v', label: 'v', query: 'label_values(made_up_total, namespace)' }] })).toThrow(
    /made_up_total is served/,
  );
});

test('a name that makes no Kubernetes name is refused', () => {
  expect(() => build({ ...PROPS, name: 'PostgreSQL' })).toThrow(/Grafana dashboard PostgreSQL: name "PostgreSQL" must start with a letter/);
});
