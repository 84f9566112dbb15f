/**
 * The overlay's Grafana dashboards, one per layer it runs and a platform overview, provisioned
 * through the Grafana release's sidecar (grafana.ts) in the monitoring namespace, each in its
 * layer's folder (the sidecar honours the folder annotation). Build it only beside that
 * Grafana: a Prometheus outside the cluster has its own, and no sidecar would read the ConfigMaps.
 */
import { Construct } from 'constructs';
import { cloudNativePgDashboard, externalPostgresDashboard, minioDashboard, pgBouncerDashboard, zalandoPostgresDashboard } from './data-dashboards';
import type { Exporter } from './exporters';
import { GrafanaDashboard, GrafanaDashboardProps } from './grafana-dashboard';
import { DashboardComponents, platformCertificatesDashboard, platformOverviewDashboard } from './overview-dashboard';
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
    const all = dashboardsOf(props.overlay, props.components, props.sharedCluster ?? false);
    this.dashboards = all.map((d) => new GrafanaDashboard(this, d.name, d));
    this.exporters = [...new Set(all.flatMap((d) => d.exporters))].sort();
  }
}
