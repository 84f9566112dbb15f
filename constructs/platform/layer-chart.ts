import { App, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { standardLabels } from './labels';

/**
 * One layer of one overlay (foundation, operators, data, ...): renders to
 * dist/<region>/<env>/<layer>/ and is applied by one Flux Kustomization or Argo CD
 * Application. Layer dependencies are recorded by the constructs that create them
 * (`dependOn`), never listed by hand.
 */
export class LayerChart extends Chart {
  /** The layer chart a construct belongs to. */
  public static of(construct: IConstruct): LayerChart {
    const chart: Chart = Chart.of(construct);
    if (!(chart instanceof LayerChart)) throw new Error(`${construct.node.path} is not inside a LayerChart`);
    return chart as LayerChart;
  }

  /** Layers this one needs applied (and ready) first. */
  public readonly layerDependencies = new Set<LayerChart>();

  constructor(scope: App, public readonly layer: string, props: { readonly region: string; readonly environment: string }) {
    super(scope, layer, {
      labels: standardLabels({ region: props.region, environment: props.environment, layer }),
      disableResourceNameHashes: true,
    });
  }

  /** Declares that this layer needs `other` applied first (no-op within one layer). */
  public dependOn(other: LayerChart): void {
    if (other !== this) this.layerDependencies.add(other);
  }
}

/** Records that `consumer`'s layer needs `provider`'s layer applied first. */
export function dependOnLayerOf(consumer: Construct, provider: IConstruct): void {
  LayerChart.of(consumer).dependOn(LayerChart.of(provider));
}
