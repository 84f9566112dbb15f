/**
 * The overlay's Grafana dashboards, one per layer it runs and a platform overview, provisioned
 * through the Grafana release's sidecar (grafana.ts) in the monitoring namespace, each in its
 * layer's folder (the sidecar honours the folder annotation). Build it only beside that
 * Grafana: a Prometheus outside the cluster has its own, and no sidecar would read the ConfigMaps.
 */
import { Construct } from 'constructs';
import { cloudNativePgDashboard, externalPostgresDashboard, minioDashboard, pgBouncerDashboard, zalandoPostgresDashboard } from './data-dashboards';
import { Exporter, metricsOf } from './exporters';
import { GrafanaDashboard, GrafanaDashboardProps } from './grafana-dashboard';
import { DashboardComponents, platformCertificatesDashboard, platformOverviewDashboard } from './overview-dashboard';
import { metricNames, variableSelector } from './promql-metrics';
import { openSearchDashboard, traefikDashboard, veleroDashboard } from './service-dashboards';
import { kafkaConnectDashboard, kafkaDashboard } from './streaming-dashboards';

export interface GrafanaDashboardsProps {
  /** What the overlay runs: a dashboard is rendered for each component present. */
  readonly components: DashboardComponents;
  /** The overlay, in the overview's title (e.g. `region-a/prod`). */
  readonly overlay: string;
  /**
   * The cluster is shared by environments, each building these: the overview must be the same
   * for all, so it has no layer stats and the certificates get a dashboard of their own.
   * @default false
   */
  readonly sharedCluster?: boolean;
  /**
   * The cluster's scraper collects kube-state-metrics, node-exporter and the kubelet, as
   * kube-prometheus-stack does. Without them (the VictoriaMetrics stack, which installs none of
   * them yet) the panels reading them are left out rather than drawn empty. @default true
   */
  readonly clusterMetrics?: boolean;
}

/** What kube-prometheus-stack scrapes besides the components, which the VictoriaMetrics stack does not. */
export const CLUSTER_EXPORTERS: readonly Exporter[] = ['kube-state-metrics', 'kubelet', 'node-exporter'];

/**
 * The dashboard without the panels that read a series only `missing` exporters serve, and
 * without its rows left empty; a variable reading such a series lists its label from the
 * scrape targets' `up` instead. Undefined when no panel is left.
 */
export function withoutExporters(d: GrafanaDashboardProps, missing: readonly Exporter[]): GrafanaDashboardProps | undefined {
  const exporters = d.exporters.filter((e) => !missing.includes(e));
  if (exporters.length === d.exporters.length) return d;
  const served = metricsOf(exporters);
  const readable = (expr: string) => metricNames(expr).every((m) => served.has(m));
  const rows = d.rows
    .map((r) => ({ ...r, panels: r.panels.filter((p) => p.queries.every((q) => readable(q.expr))) }))
    .filter((r) => r.panels.length > 0);
  if (!rows.length) return undefined;
  const variables = (d.variables ?? []).map((v) => {
    if (readable(variableSelector(v.query))) return v;
    const label = /,\s*([A-Za-z_]\w*)\s*\)\s*$/.exec(v.query)?.[1] ?? v.name;
    return { ...v, query: `label_values(up, ${label})` };
  });
  const scrapeTargets = variables.some((v, i) => v !== d.variables?.[i]) && !exporters.includes('scrape-targets');
  return {
    ...d,
    exporters: scrapeTargets ? [...exporters, 'scrape-targets'] : exporters,
    rows,
    ...(d.variables ? { variables } : {}),
  };
}

/** The dashboards of `components`, overview first, then by name. */
export function dashboardsOf(overlay: string, c: DashboardComponents, shared = false): GrafanaDashboardProps[] {
  const layers: [boolean | undefined, () => GrafanaDashboardProps][] = [
    [c.cloudNativePg, cloudNativePgDashboard],
    [c.zalandoPostgres, zalandoPostgresDashboard],
    [c.externalPostgres, externalPostgresDashboard],
    [c.poolers, pgBouncerDashboard],
    [c.kafka, kafkaDashboard],
    [c.kafkaConnect, () => kafkaConnectDashboard({ cloudNativePgSlots: c.cloudNativePg })],
    [c.opensearch, openSearchDashboard],
    [c.minio, minioDashboard],
    [c.velero, veleroDashboard],
    [c.traefik, traefikDashboard],
    [shared && c.certificates, platformCertificatesDashboard],
  ];
  const present = layers.filter(([on]) => on).map(([, build]) => build());
  return [platformOverviewDashboard(overlay, c, shared), ...present.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))];
}

export class GrafanaDashboards extends Construct {
  public readonly dashboards: readonly GrafanaDashboard[];
  /** The exporters the dashboards read, sorted. */
  public readonly exporters: readonly Exporter[];

  constructor(scope: Construct, id: string, props: GrafanaDashboardsProps) {
    super(scope, id);
    const missing = props.clusterMetrics === false ? CLUSTER_EXPORTERS : [];
    const all = dashboardsOf(props.overlay, props.components, props.sharedCluster ?? false)
      .map((d) => withoutExporters(d, missing))
      .filter((d): d is GrafanaDashboardProps => d !== undefined);
    this.dashboards = all.map((d) => new GrafanaDashboard(this, d.name, d));
    this.exporters = [...new Set(all.flatMap((d) => d.exporters))].sort();
  }
}
