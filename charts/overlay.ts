import * as path from 'path';
import { PlatformLayers, buildPlatformLayers } from './platform-layers';
import { SpecError } from '../constructs/core/problems';
import type { PrometheusDocument } from '../constructs/platform/external-prometheus';
import type { LayerChart } from '../constructs/platform/layer-chart';
import { PlatformApp } from '../constructs/platform/platform-app';
import type { OverlaySpec } from '../environments/model';
import { layerClusterKey, PlacedCluster, placedCluster } from '../environments/placement';

/** One cluster's share of an overlay: its PlatformApp and the layers it renders. */
export interface BuiltCluster {
  readonly cluster: PlacedCluster;
  readonly app: PlatformApp;
  /** Non-empty layer charts in apply order. */
  readonly layers: LayerChart[];
  /** Files for a Prometheus outside the cluster (none when it runs inside). */
  readonly documents: readonly PrometheusDocument[];
  /** In a cluster every environment of the region shares: what belongs to the whole cluster. */
  readonly clusterLevel?: (manifest: any, layer: string) => boolean;
}

export interface BuiltOverlay {
  /** The PlatformApp of the cluster running the data layer (the environment's one cluster unless the region declares several). */
  readonly app: PlatformApp;
  /** That cluster's non-empty layer charts in apply order. */
  readonly layers: LayerChart[];
  /** Every cluster the overlay renders objects to, in code-point order of their keys. */
  readonly clusters: readonly BuiltCluster[];
  readonly platform: PlatformLayers;
}

export interface BuildOverlayOptions {
  /**
   * Where `app.synth()` would write (cdk8s-cli runs); Strata itself never calls it. With
   * several clusters, each app writes to a folder of its cluster's key below it.
   * @default '.strata-unused'
   */
  readonly outdir?: string;
}

/**
 * Builds one overlay from its spec: the workload layers (data, streaming, ...) in one
 * PlatformApp per cluster they are placed on (environments/placement.ts), each of which then
 * derives the operators and foundation it turns out to need and the dependencies between its
 * layers (constructs/platform/platform-app.ts).
 */
export function buildOverlay(overlay: OverlaySpec, options: BuildOverlayOptions = {}): BuiltOverlay {
  const outdir = options.outdir ?? '.strata-unused';
  const apps = new Map<string, PlatformApp>();
  const external = overlay.settings.monitoring.external;
  const appFor = (key: string): PlatformApp => {
    let app = apps.get(key);
    if (!app) {
      const gitops = overlay.region.gitops;
      const destinationServer = key ? overlay.region.clusters[key]?.destinationServer : undefined;
      app = new PlatformApp({
        outdir: key ? path.join(outdir, key) : outdir,
        region: overlay.region.name,
        environment: overlay.environment,
        ...(key ? { cluster: key } : {}),
        ...(key && overlay.region.clusters[key]?.shared ? { sharedCluster: { namespaces: overlay.region.clusters[key].namespaces ?? {} } } : {}),
        gitops: gitops.engine === 'argocd' && destinationServer ? { ...gitops, destinationServer } : gitops,
        quota: overlay.settings.quota,
        limitRange: overlay.settings.limitRange,
        apiServer: overlay.region.apiServer,
        clusterName: placedCluster(overlay, key).name,
        ...(external ? { monitoring: { kind: 'external', addresses: external.addresses, apiServerUrl: external.apiServerUrl } } : {}),
        ...(overlay.settings.monitoring.stack === 'victoriametrics' ? { monitoringStack: 'victoriametrics' as const } : {}),
        ...(overlay.settings.monitoring.runbookBaseUrl ? { runbookBaseUrl: overlay.settings.monitoring.runbookBaseUrl } : {}),
      });
      apps.set(key, app);
    }
    return app;
  };
  const dataKey = layerClusterKey(overlay, 'data');
  appFor(dataKey);
  const platform = buildPlatformLayers(appFor, overlay);

  // Every cluster's problems are reported together.
  const problems = [];
  const clusters: BuiltCluster[] = [];
  for (const key of [...apps.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    try {
      const app = apps.get(key)!;
      const layers = app.completeLayers();
      const cluster = placedCluster(overlay, key);
      if (layers.length) {
        clusters.push({
          cluster,
          app,
          layers,
          documents: app.prometheusDocuments(),
          ...(cluster.sharedRoot ? { clusterLevel: (m: any, layer: string) => app.isClusterLevel(m, layer) } : {}),
        });
      }
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length) throw new SpecError(problems);
  const primary = apps.get(dataKey)!;
  return { app: primary, layers: primary.completeLayers(), clusters, platform };
}
