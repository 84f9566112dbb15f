/// <reference path="../../types/grafana-foundation-sdk.d.ts" />
/**
 * One Grafana dashboard, built with the Grafana Foundation SDK and provisioned as a ConfigMap
 * for kube-prometheus-stack's Grafana sidecar: labelled `grafana_dashboard: "1"`, in the
 * `monitoring` namespace, with its folder in the `grafana_folder` annotation. The JSON is
 * deterministic (uid from the name, no timestamps or ids), and every series a panel reads must
 * be served by one of the exporters the dashboard names, checked when it is built.
 */
import * as sdkCommon from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Exporter, metricsOf } from './exporters';
import { metricNames, variableSelector } from './promql-metrics';
import { dns1035LabelProblem } from '../platform/names';

/** Where the sidecar looks for dashboards (the chart's namespace). */
export const DASHBOARDS_NAMESPACE = 'monitoring';
/** The label the sidecar selects ConfigMaps by, and its value (kube-prometheus-stack's defaults). */
export const DASHBOARD_LABEL = 'grafana_dashboard';
export const DASHBOARD_LABEL_VALUE = '1';
/** The annotation naming a dashboard's Grafana folder (`grafana.sidecar.dashboards.folderAnnotation`). */
export const DASHBOARD_FOLDER_ANNOTATION = 'grafana_folder';
/** A ConfigMap holds at most 1 MiB; a dashboard stays far below it. */
const MAX_JSON_BYTES = 256 * 1024;
/** The Prometheus data source, chosen through a variable; the chart's own has this uid. */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export interface PanelQuery {
  readonly expr: string;
  /** @default the series' labels */
  readonly legend?: string;
}

export interface DashboardPanel {
  readonly title: string;
  /** @default 'timeseries' */
  readonly type?: 'timeseries' | 'stat';
  readonly queries: readonly PanelQuery[];
  /** A Grafana unit (`bytes`, `s`, `percent`, `reqps`). @default none */
  readonly unit?: string;
  readonly description?: string;
  /** Width on Grafana's 24-column grid. @default 12 for a time series, 6 for a stat */
  readonly width?: number;
  /** Another dashboard this panel links to (its name). @default none */
  readonly linkTo?: { readonly name: string; readonly title: string };
}

export interface DashboardRow {
  readonly title: string;
  readonly panels: readonly DashboardPanel[];
}

/**
 * A query variable over label values; panels use it as `$<name>`. Namespaces and component
 * clusters make useful ones. Region, environment and cluster do not: they are the Prometheus'
 * external labels, added only to what leaves it (alerts, remote write), never to the series
 * this cluster's Grafana queries; the overview's title names the overlay instead.
 */
export interface DashboardVariable {
  readonly name: string;
  readonly label: string;
  /** `label_values(<selector>, <label>)` */
  readonly query: string;
}

export interface GrafanaDashboardProps {
  /** The dashboard's name: ConfigMap `grafana-dashboard-<name>` and uid `strata-<name>`, a public contract. */
  readonly name: string;
  readonly title: string;
  /** The Grafana folder (one per layer). */
  readonly folder: string;
  readonly description?: string;
  /** @default ['strata'] */
  readonly tags?: readonly string[];
  /** The exporters whose series the panels read. */
  readonly exporters: readonly Exporter[];
  /** @default none besides the data source */
  readonly variables?: readonly DashboardVariable[];
  readonly rows: readonly DashboardRow[];
}

/** The dashboard's uid: stable, from its name, so links and bookmarks survive a re-render. */
export function dashboardUid(name: string): string {
  return `strata-${name}`;
}

/** The ConfigMap's name. */
export function dashboardConfigMapName(name: string): string {
  return `grafana-dashboard-${name}`;
}

/** The dashboard model Grafana loads (what the ConfigMap holds). */
export function buildDashboard(props: GrafanaDashboardProps): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(props.title)
    .uid(dashboardUid(props.name))
    .tags([...new Set(['strata', ...(props.tags ?? [])])].sort())
    .description(props.description ?? props.title)
    .timezone('browser')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .readonly()
    .link(new dashboard.DashboardLinkBuilder('Strata').type(dashboard.DashboardLinkType.Dashboards).tags(['strata']).asDropdown(true))
    .withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  for (const v of props.variables ?? []) {
    builder.withVariable(
      new dashboard.QueryVariableBuilder(v.name)
        .label(v.label)
        .datasource(DATASOURCE)
        .query({ query: v.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' })
        .definition(v.query)
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.+'),
    );
  }
  // Ids by position: stable, and unique as Grafana wants them.
  let id = 0;
  for (const row of props.rows) {
    builder.withRow(new dashboard.RowBuilder(row.title).id(++id));
    for (const p of row.panels) builder.withPanel(panel(p).id(++id));
  }
  return builder.build();
}

function panel(p: DashboardPanel) {
  const targets = p.queries.map((q, i) => {
    const target = new prometheus.DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .datasource(DATASOURCE)
      .expr(q.expr)
      .legendFormat(q.legend ?? '__auto');
    return p.type === 'stat' ? target.instant() : target.range();
  });
  const links = p.linkTo ? [new dashboard.DashboardLinkBuilder(p.linkTo.title).url(`/d/${dashboardUid(p.linkTo.name)}`)] : [];
  const common = <T extends timeseries.PanelBuilder | stat.PanelBuilder>(b: T): T => {
    b.title(p.title).datasource(DATASOURCE).targets(targets);
    if (p.description) b.description(p.description);
    if (p.unit) b.unit(p.unit);
    if (links.length) b.links(links);
    return b;
  };
  if (p.type === 'stat') {
    // The last value, not every value, of each series.
    return common(new stat.PanelBuilder())
      .reduceOptions(new sdkCommon.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
      .height(4)
      .span(p.width ?? 6);
  }
  return common(new timeseries.PanelBuilder())
    .height(8)
    .span(p.width ?? 12);
}

/** Every PromQL expression of the dashboard: its panels' queries and its variables' selectors. */
export function dashboardExpressions(props: Pick<GrafanaDashboardProps, 'rows' | 'variables'>): string[] {
  return [
    ...(props.variables ?? []).map((v) => variableSelector(v.query)),
    ...props.rows.flatMap((r) => r.panels.flatMap((p) => p.queries.map((q) => q.expr))),
  ];
}

export class GrafanaDashboard extends Construct {
  /** The dashboard's JSON, as provisioned. */
  public readonly json: string;

  constructor(scope: Construct, id: string, props: GrafanaDashboardProps) {
    super(scope, id);
    const what = `Grafana dashboard ${props.name}`;
    const nameProblem = dns1035LabelProblem(dashboardConfigMapName(props.name));
    if (nameProblem) throw new Error(`${what}: name "${props.name}" ${nameProblem}; use lower-case letters, digits and dashes`);
    const served = metricsOf(props.exporters);
    const unknown = [...new Set(dashboardExpressions(props).flatMap(metricNames))].filter((m) => !served.has(m)).sort();
    if (unknown.length) {
      throw new Error(
        `${what}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} served by none of its exporters (${props.exporters.join(', ')}); ` +
          'add the exporter, or the series to the list of the exporter that serves it',
      );
    }
    this.json = `${JSON.stringify(buildDashboard(props), null, 2)}\n`;
    if (Buffer.byteLength(this.json) > MAX_JSON_BYTES) {
      throw new Error(`${what}: its JSON is ${Buffer.byteLength(this.json)} bytes, above ${MAX_JSON_BYTES}; split it into several dashboards`);
    }
    new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: dashboardConfigMapName(props.name),
        namespace: DASHBOARDS_NAMESPACE,
        labels: { [DASHBOARD_LABEL]: DASHBOARD_LABEL_VALUE },
        annotations: { [DASHBOARD_FOLDER_ANNOTATION]: props.folder },
      },
      data: { [`${props.name}.json`]: this.json },
    });
  }
}
