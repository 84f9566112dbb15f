import { ApiObject, App } from 'cdk8s';
import { LAYERS, OverlaySpec } from '../environments/model';
import { SpecError } from '../environments/problems';
import { operatorForGroup } from '../constructs/operators/catalog';
import { LayerChart } from '../constructs/platform/layer-chart';
import { OverlayContext } from '../constructs/platform/overlay-context';
import { FoundationChart } from './foundation';
import { OperatorsChart } from './operators';
import { PlatformLayers, buildPlatformLayers } from './platform-layers';

/** The GitOps engine's own namespace exists before Strata (flux bootstrap, Argo CD install). */
function engineNamespace(overlay: OverlaySpec): string {
  const gitops = overlay.region.gitops;
  return gitops.engine === 'flux' ? gitops.sourceRef.namespace : gitops.namespace;
}

export interface BuiltOverlay {
  readonly app: App;
  /** Non-empty layer charts in apply order. */
  readonly layers: LayerChart[];
  readonly platform: PlatformLayers;
}

/**
 * Builds one overlay: the workload layers first (data, streaming, ...), then the operators
 * and foundation they turn out to need. Dependencies between layers are derived: every
 * layer needs the foundation (namespaces), a layer using a CRD group needs the operators
 * layer, and references between constructs add the rest.
 */
export interface BuildOverlayOptions {
  /**
   * Where `app.synth()` would write (cdk8s-cli runs); Strata itself never calls it.
   * @default '.strata-unused'
   */
  readonly outdir?: string;
}

export function buildOverlay(overlay: OverlaySpec, options: BuildOverlayOptions = {}): BuiltOverlay {
  const app = new App({ outdir: options.outdir ?? '.strata-unused' });
  const context = new OverlayContext(app);
  const platform = buildPlatformLayers(app, overlay);

  if (context.problems.length) throw new SpecError(context.problems);

  const workloadCharts = app.charts.filter((c): c is LayerChart => c instanceof LayerChart);
  const objectsOf = (chart: LayerChart) => chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);

  for (const chart of workloadCharts) {
    for (const obj of objectsOf(chart)) {
      const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
      const op = group ? operatorForGroup(group) : undefined;
      if (op) context.requireOperator(op.name);
    }
  }

  const operators = new OperatorsChart(app, overlay, context);
  for (const chart of workloadCharts) {
    if (objectsOf(chart).some((o) => { const g = o.apiVersion.split('/'); return g.length === 2 && operatorForGroup(g[0]); })) chart.dependOn(operators);
  }

  const foundation = new FoundationChart(app, overlay, context.namespaces);
  const known = new Set(context.namespaces.map((n) => n.name));
  for (const chart of [...workloadCharts, operators]) {
    for (const obj of objectsOf(chart)) {
      const ns = obj.metadata.namespace;
      if (ns && !known.has(ns) && ns !== engineNamespace(overlay)) {
        throw new Error(`internal error: ${obj.kind} ${ns}/${obj.name} in layer ${chart.layer} uses namespace ${ns}, which no construct required`);
      }
    }
    chart.dependOn(foundation);
  }

  const layers = [foundation, operators, ...workloadCharts]
    .filter((c) => objectsOf(c).length > 0)
    .sort((a, b) => LAYERS.indexOf(a.layer as any) - LAYERS.indexOf(b.layer as any));
  // A dependency on an empty layer (e.g. operators when none is needed) is no dependency.
  for (const chart of layers) for (const dep of [...chart.layerDependencies]) if (!layers.includes(dep)) chart.layerDependencies.delete(dep);
  return { app, layers, platform };
}
