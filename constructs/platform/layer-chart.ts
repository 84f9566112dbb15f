import { App, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { standardLabels } from './labels';
import { OverlayContext } from './overlay-context';

const LAYER_CHART = Symbol.for('strata.LayerChart');

/**
 * One layer of one overlay (foundation, operators, data, ...): renders to
 * dist/<region>/<env>/<layer>/ and is applied by one Flux Kustomization or Argo CD
 * Application. Layer dependencies are recorded by the constructs that create them
 * (`dependOn`), never listed by hand.
 */
export class LayerChart extends Chart {
  /**
   * The layer chart a construct belongs to. (`instanceof LayerChart` cannot tell: cdk8s'
   * `Chart[Symbol.hasInstance]` makes every Chart pass it; `isLayerChart` can.)
   */
  public static of(construct: IConstruct): LayerChart {
    const chart = Chart.of(construct);
    if (!isLayerChart(chart)) {
      if (!OverlayContext.tryOf(construct)) {
        throw new Error(
          `${construct.node.path}: Strata constructs are built inside a PlatformApp: create the app with \`new PlatformApp({ region, environment, gitops })\` and add constructs to its layers (\`app.layer('data')\`)`,
        );
      }
      throw new Error(
        `${construct.node.path} is in chart ${chart.node.path || '(the app)'}, which is not a layer: add Strata constructs to a layer of a PlatformApp (\`app.layer('data')\`) or another LayerChart`,
      );
    }
    return chart;
  }

  /** Layers this one needs applied (and ready) first. */
  public readonly layerDependencies = new Set<LayerChart>();

  /** The region and environment of the overlay this layer belongs to. */
  public readonly region: string;
  public readonly environment: string;

  constructor(
    scope: App,
    public readonly layer: string,
    props: { readonly region: string; readonly environment: string },
  ) {
    super(scope, layer, {
      labels: standardLabels({ region: props.region, environment: props.environment, layer }),
      disableResourceNameHashes: true,
    });
    this.region = props.region;
    this.environment = props.environment;
    Object.defineProperty(this, LAYER_CHART, { value: true });
  }

  /** Declares that this layer needs `other` applied first (no-op within one layer). */
  public dependOn(other: LayerChart): void {
    if (other !== this) this.layerDependencies.add(other);
  }
}

/** Whether `x` is a LayerChart (by a symbol, as cdk8s tells charts apart: two copies of the library agree). */
export function isLayerChart(x: unknown): x is LayerChart {
  return x !== null && typeof x === 'object' && LAYER_CHART in x;
}

/** Records that `consumer`'s layer needs `provider`'s layer applied first. */
export function dependOnLayerOf(consumer: Construct, provider: IConstruct): void {
  LayerChart.of(consumer).dependOn(LayerChart.of(provider));
}
