import { PlatformLayers, buildPlatformLayers } from './platform-layers';
import type { LayerChart } from '../constructs/platform/layer-chart';
import { PlatformApp } from '../constructs/platform/platform-app';
import type { OverlaySpec } from '../environments/model';

export interface BuiltOverlay {
  readonly app: PlatformApp;
  /** Non-empty layer charts in apply order. */
  readonly layers: LayerChart[];
  readonly platform: PlatformLayers;
}

export interface BuildOverlayOptions {
  /**
   * Where `app.synth()` would write (cdk8s-cli runs); Strata itself never calls it.
   * @default '.strata-unused'
   */
  readonly outdir?: string;
}

/**
 * Builds one overlay from its spec: the workload layers (data, streaming, ...) in a
 * PlatformApp, which then derives the operators and foundation they turn out to need and
 * the dependencies between layers (constructs/platform/platform-app.ts).
 */
export function buildOverlay(overlay: OverlaySpec, options: BuildOverlayOptions = {}): BuiltOverlay {
  const app = new PlatformApp({
    outdir: options.outdir ?? '.strata-unused',
    region: overlay.region.name,
    environment: overlay.environment,
    gitops: overlay.region.gitops,
    quota: overlay.settings.quota,
    limitRange: overlay.settings.limitRange,
    apiServer: overlay.region.apiServer,
  });
  const platform = buildPlatformLayers(app, overlay);
  return { app, layers: app.completeLayers(), platform };
}
