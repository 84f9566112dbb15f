import { ApiObject, App, AppProps } from 'cdk8s';
import { ExternalPrometheus, MonitoringTarget, PrometheusDocument } from './external-prometheus';
import { isLayerChart, LayerChart } from './layer-chart';
import { OverlayContext, PodSecurityLevel } from './overlay-context';
import type { GitOpsSpec } from '../core/gitops';
import { LAYERS, LayerName } from '../core/layers';
import type { ApiServerSpec, LimitRangeSpec, QuotaSpec } from '../core/namespace-policy';
import { SpecError } from '../core/problems';
import { FoundationLayer } from '../foundation/foundation-layer';
import { MonitoringStackKind, operatorForGroup } from '../operators/catalog';
import { OperatorsLayer } from '../operators/operators-layer';

/** A namespace of a shared cluster: its Pod Security level and labels, the same for every environment using it. */
export interface SharedNamespace {
  /** @default 'restricted' */
  readonly podSecurity?: PodSecurityLevel;
  readonly podSecurityReason?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface PlatformAppProps extends AppProps {
  /** The region (labels, the Argo CD project `<region>-<environment>`, tree folders). */
  readonly region: string;
  /** The environment within the region (`prod`, `staging`, ...). */
  readonly environment: string;
  /**
   * The cluster's key where the environment runs several clusters (`infra`, `apps`): the
   * Argo CD project becomes `<region>-<environment>-<cluster>`. @default the environment's one cluster
   */
  readonly cluster?: string;
  /** The engine that applies the cluster's tree. */
  readonly gitops: GitOpsSpec;
  /** The ResourceQuota of every workload namespace. @default no ResourceQuota */
  readonly quota?: QuotaSpec;
  /** The LimitRange of every namespace. @default DEFAULT_LIMIT_RANGE */
  readonly limitRange?: LimitRangeSpec;
  /** Where the API server is, for the egress and webhook policies. @default any address on its usual ports */
  readonly apiServer?: ApiServerSpec;
  /**
   * Where Prometheus runs: in the cluster (kube-prometheus-stack, installed when something is
   * scraped) or outside it (constructs/platform/external-prometheus.ts). @default in-cluster
   */
  readonly monitoring?: MonitoringTarget;
  /**
   * Which stack runs in the cluster when Prometheus is not outside it: kube-prometheus-stack, or
   * the VictoriaMetrics operator (VMAgent scrapes, VMAlert evaluates), which converts the
   * PodMonitors, ServiceMonitors and PrometheusRules the constructs render. @default 'kube-prometheus-stack'
   */
  readonly monitoringStack?: MonitoringStackKind;
  /** The cluster's name, for the `cluster` label of scraped series. @default `<region>-<environment>[-<cluster>]` */
  readonly clusterName?: string;
  /**
   * The cluster runs every environment of the region (`cluster` is its key): what belongs to
   * the whole cluster (`isClusterLevel`) is rendered once for it, and the Argo CD project is
   * `<region>-<cluster>`. `namespaces` are the ones several environments place components in:
   * they get no ResourceQuota. @default the cluster is this environment's own
   */
  readonly sharedCluster?: { readonly namespaces: Readonly<Record<string, SharedNamespace>> };
  /**
   * Where the repository's runbook pages are browsed, e.g. `https://github.com/acme/platform/blob/main`:
   * each alert's `runbook_url` is this followed by the page's path in the repository.
   * @default the page's path alone (relative to the repository root)
   */
  readonly runbookBaseUrl?: string;
}

/**
 * The composition root of one overlay (one cluster's share of a region × environment): a
 * cdk8s App whose layer charts hold the constructs you add, and which derives the rest when
 * it is synthesised. Every namespace a construct uses, with its quota, limit range and
 * baseline network policies, goes into the foundation layer; every operator whose CRDs the
 * objects use (and the operators those need) goes into the operators layer; each layer
 * depends on the layers it needs, so Flux or Argo CD apply them in order.
 *
 * ```ts
 * const app = new PlatformApp({ region: 'eu-west', environment: 'prod', gitops });
 * const pg = new CloudNativePgCluster(app.layer('data'), 'postgres', { ... });
 * app.synth();
 * ```
 *
 * Strata's own synth builds every overlay this way (charts/overlay.ts).
 */
export class PlatformApp extends App {
  /** The PlatformApp a construct belongs to. */
  public static of(scope: { node: { root: unknown } }): PlatformApp {
    const root = scope.node.root;
    if (!(root instanceof PlatformApp)) {
      throw new Error(
        "Strata constructs are built inside a PlatformApp: create the app with `new PlatformApp({ region, environment, gitops })` and add constructs to its layers (`app.layer('data')`)",
      );
    }
    return root;
  }

  public readonly context: OverlayContext;
  private completed?: LayerChart[];

  constructor(public readonly props: PlatformAppProps) {
    super(props);
    this.context = new OverlayContext(this, {
      runbookBaseUrl: props.runbookBaseUrl,
      ...(props.monitoringStack && props.monitoring?.kind !== 'external' ? { monitoringStack: props.monitoringStack } : {}),
    });
    if (props.monitoring?.kind === 'external') {
      const clusterName = props.clusterName ?? [props.region, props.environment, ...(props.cluster ? [props.cluster] : [])].join('-');
      new ExternalPrometheus(this, props.monitoring, clusterName);
    }
  }

  /** The Argo CD project of the cluster's Applications (Argo CD regions). */
  public get argoProject(): string {
    const { region, environment, cluster, sharedCluster } = this.props;
    return sharedCluster ? [region, cluster ?? environment].join('-') : [region, environment, ...(cluster ? [cluster] : [])].join('-');
  }

  /** The files for a Prometheus outside the cluster (none when it runs inside). */
  public prometheusDocuments(): PrometheusDocument[] {
    return ExternalPrometheus.of(this)?.documents() ?? [];
  }

  /** The chart of one layer (created on first use). */
  public layer(name: Exclude<LayerName, 'foundation' | 'operators'>): LayerChart {
    if (this.completed) throw new Error(`layer ${name}: the platform's layers are complete; add constructs before synthesising`);
    const existing = this.node.tryFindChild(name);
    if (existing) {
      if (!isLayerChart(existing)) throw new Error(`${name} is a child of the app that is not a LayerChart`);
      return existing;
    }
    return new LayerChart(this, name, { region: this.props.region, environment: this.props.environment });
  }

  /**
   * Builds the operators and foundation layers from what the other layers require, wires
   * the layer dependencies, and returns the non-empty layers in apply order. Called once;
   * later calls return the same layers.
   */
  public completeLayers(): LayerChart[] {
    if (this.completed) return this.completed;
    const context = this.context;
    if (context.problems.length) throw new SpecError(context.problems);
    const { region, environment, gitops } = this.props;

    const external = ExternalPrometheus.of(this);
    if (external) external.renderAccess(this.layer('monitoring'));
    const workloadCharts = this.charts.filter(isLayerChart);
    const objectsOf = (chart: LayerChart) => chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    const operatorOf = (obj: ApiObject) => {
      const parts = obj.apiVersion.split('/');
      return parts.length === 2 ? operatorForGroup(parts[0], context.monitoringStack) : undefined;
    };
    for (const chart of workloadCharts) {
      for (const obj of objectsOf(chart)) {
        const op = operatorOf(obj);
        if (op) context.requireOperator(op.name);
      }
    }

    const operators = new OperatorsLayer(this, {
      region,
      environment,
      gitops,
      context,
      argoProject: this.argoProject,
      prometheusOperator: !external,
      monitoringStack: context.monitoringStack,
    });
    for (const chart of workloadCharts) {
      if (objectsOf(chart).some((o) => operatorOf(o))) chart.dependOn(operators);
    }

    const sharedNamespaces = this.props.sharedCluster?.namespaces ?? {};
    const foundation = new FoundationLayer(this, {
      region,
      environment,
      // A shared namespace is the same for every environment: its declared level and labels.
      namespaces: context.namespaces.map((n) => {
        const declared = sharedNamespaces[n.name];
        if (!declared) return n;
        return {
          ...n,
          podSecurity: declared.podSecurity ?? 'restricted',
          podSecurityReason: declared.podSecurityReason,
          ...(declared.labels || n.labels ? { labels: { ...n.labels, ...declared.labels } } : {}),
        };
      }),
      quota: this.props.quota,
      limitRange: this.props.limitRange,
      apiServer: this.props.apiServer,
      sharedNamespaces: Object.keys(sharedNamespaces),
      sharedCluster: this.props.sharedCluster !== undefined,
    });
    const known = new Set(context.namespaces.map((n) => n.name));
    // The GitOps engine's own namespace exists before Strata (flux bootstrap, Argo CD install).
    const engineNamespace = gitops.engine === 'flux' ? gitops.sourceRef.namespace : gitops.namespace;
    for (const chart of [...workloadCharts, operators]) {
      for (const obj of objectsOf(chart)) {
        const ns = obj.metadata.namespace;
        if (ns && !known.has(ns) && ns !== engineNamespace) {
          throw new Error(
            `${obj.kind} ${ns}/${obj.name} in layer ${chart.layer} is in namespace ${ns}, which no construct required: call \`OverlayContext.of(this).requireNamespace({ name: '${ns}', workload: true })\` in the construct that creates it`,
          );
        }
      }
      chart.dependOn(foundation);
    }

    const layers = [foundation, operators, ...workloadCharts]
      .filter((c) => objectsOf(c).length > 0)
      .sort((a, b) => LAYERS.indexOf(a.layer as LayerName) - LAYERS.indexOf(b.layer as LayerName));
    // A dependency on an empty layer (e.g. operators when none is needed) is no dependency.
    for (const chart of layers) for (const dep of [...chart.layerDependencies]) if (!layers.includes(dep)) chart.layerDependencies.delete(dep);
    this.completed = layers;
    return layers;
  }

  /**
   * Whether an object of `layer` belongs to the whole cluster rather than to this environment,
   * when environments share the cluster: the operators layer; cluster-scoped objects but the
   * environment's own Namespaces; objects in operators' namespaces (velero, cert-manager, ...);
   * and the foundation of the shared namespaces.
   */
  public isClusterLevel(
    manifest: { readonly apiVersion?: string; readonly kind?: string; readonly metadata?: { name?: string; namespace?: string } },
    layer: string,
  ): boolean {
    if (layer === 'operators') return true;
    const operatorNamespaces = new Set(this.context.namespaces.filter((n) => !n.workload).map((n) => n.name));
    const shared = new Set(Object.keys(this.props.sharedCluster?.namespaces ?? {}));
    const ns = manifest.metadata?.namespace;
    if (!ns) {
      const name = manifest.metadata?.name ?? '';
      return manifest.kind === 'Namespace' && manifest.apiVersion === 'v1' ? operatorNamespaces.has(name) || shared.has(name) : true;
    }
    if (operatorNamespaces.has(ns)) return true;
    return shared.has(ns) && layer === 'foundation';
  }

  public synth(): void {
    this.completeLayers();
    super.synth();
  }

  public synthYaml(): string {
    this.completeLayers();
    return super.synthYaml();
  }
}
