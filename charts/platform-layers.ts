import { App } from 'cdk8s';
import { BackupChart } from './backup';
import { DataChart } from './data';
import { SearchChart } from './search';
import { StreamingChart } from './streaming';
import type { OverlaySpec } from '../environments/model';

/** The workload layers of an overlay (everything but foundation and operators). */
export interface PlatformLayers {
  readonly data: DataChart;
  readonly streaming?: StreamingChart;
  readonly search?: SearchChart;
  readonly backup?: BackupChart;
}

export function buildPlatformLayers(app: App, overlay: OverlaySpec): PlatformLayers {
  const s = overlay.settings;
  const data = new DataChart(app, overlay);
  const search = s.opensearch.enabled ? new SearchChart(app, overlay, data) : undefined;
  const streaming = s.streaming.kafka.enabled ? new StreamingChart(app, overlay, data, search) : undefined;
  // Checked at load time: an overlay with Velero has MinIO.
  const backup = s.velero.enabled ? new BackupChart(app, overlay, data.minio!) : undefined;
  return { data, streaming, search, backup };
}
