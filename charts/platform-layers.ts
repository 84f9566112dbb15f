import { App } from 'cdk8s';
import type { OverlaySpec } from '../environments/model';
import { DataChart } from './data';

/** The workload layers of an overlay (everything but foundation and operators). */
export interface PlatformLayers {
  readonly data: DataChart;
}

export function buildPlatformLayers(app: App, overlay: OverlaySpec): PlatformLayers {
  const data = new DataChart(app, overlay);
  return { data };
}
