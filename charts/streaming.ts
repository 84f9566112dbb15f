import { App } from 'cdk8s';
import type { OverlaySpec } from '../environments/model';
import { LayerChart } from '../constructs/platform/layer-chart';
import type { DataChart } from './data';

/**
 * Streaming layer: Strimzi Kafka (KRaft node pools), Kafka Connect, topics and users, and
 * MirrorMaker 2 in a DR replica region.
 */
export class StreamingChart extends LayerChart {
  constructor(scope: App, overlay: OverlaySpec, _data: DataChart) {
    super(scope, 'streaming', { region: overlay.region.name, environment: overlay.environment });
  }
}
