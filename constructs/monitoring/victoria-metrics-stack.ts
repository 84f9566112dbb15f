/**
 * The VictoriaMetrics stack (`monitoring.stack: victoriametrics`), the alternative to
 * kube-prometheus-stack: VMSingle (or, in prod, a VMCluster) stores the samples, VMAgent scrapes
 * every PodMonitor and ServiceMonitor the operator converts (VMPodScrape, VMServiceScrape) and
 * remote-writes to it,
 * VMAlert evaluates every PrometheusRule (converted to VMRule) against it and notifies the
 * VMAlertmanager. The constructs keep rendering Prometheus operator kinds; the operators layer
 * installs their CRDs (prometheus-operator-crds) and the VictoriaMetrics operator, which
 * converts them (all converters are on by default in v0.74).
 *
 * Sized from the same settings as kube-prometheus-stack (`monitoring.prometheus`,
 * `monitoring.alertmanager`): VMSingle takes the retention, volume and resources of the
 * Prometheus servers; `prometheus.replicas` VMAgents scrape the same targets (VMSingle drops the
 * duplicate samples, `dedup.minScrapeInterval`) and as many VMAlerts evaluate the same rules
 * (the Alertmanagers deduplicate their alerts). VMSingle is one instance with one volume. A
 * VMCluster (`monitoring.victoriametrics.storage: cluster`, the prod default) keeps
 * `replicationFactor` copies of every sample on `storageNodes` vmstorage nodes, each with a
 * volume of the servers' size and their resources; `prometheus.replicas` vminserts take the
 * writes and as many vmselects answer the queries.
 */
import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import type { GrafanaDataSource } from './grafana';
import { ALERTMANAGER_BASE_CONFIG } from './prometheus-stack';
import { AlertmanagerSettings, prometheusStackProblem, PrometheusServerSettings } from './prometheus-stack-settings';
import { victoriaMetricsProblem, VictoriaMetricsSettings } from './victoria-metrics-settings';
import * as vm from '../../imports/operator.victoriametrics.com';
import type { ComputeResources } from '../core/compute';
import { VICTORIA_METRICS_OPERATOR } from '../operators/catalog';
import type { PodGroup } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { protectFromPrune } from '../platform/protection';

/** The namespace of the stack's objects (the operator runs in its own, vm-operator). */
export const VM_NAMESPACE = 'monitoring';
/** The name of each of the stack's objects: the operator names their Services `<kind>-platform`. A public contract. */
export const VM_STACK_NAME = 'platform';
/** Where samples are written and queried: VMSingle's Service, on its HTTP port. */
export const VMSINGLE_URL = `http://vmsingle-${VM_STACK_NAME}.${VM_NAMESPACE}.svc:8428`;
/** A VMCluster's write path (vminsert's Service, tenant 0), Prometheus remote-write compatible below it. */
export const VMINSERT_URL = `http://vminsert-${VM_STACK_NAME}.${VM_NAMESPACE}.svc:8480/insert/0/prometheus`;
/** A VMCluster's query path (vmselect's Service, tenant 0), Prometheus query API compatible below it. */
export const VMSELECT_URL = `http://vmselect-${VM_STACK_NAME}.${VM_NAMESPACE}.svc:8481/select/0/prometheus`;
/** The VMAlertmanager's pods (the operator's labels), for the egress to the receivers. */
export const VMALERTMANAGER_PODS: PodGroup = { namespace: VM_NAMESPACE, podLabels: { 'app.kubernetes.io/name': 'vmalertmanager' } };
/** The scrape interval of VMAgent, and so the window VMSingle deduplicates the replicas' samples in. */
const SCRAPE_INTERVAL = '30s';
/** The label VMAlert finds its VMAlertmanager by. */
const ALERTMANAGER_SELECTOR = { 'strata.io/alertmanager': VM_STACK_NAME };

/** Requests and limits of the stateless components, below what the settings size (VMSingle's, vmstorage's). */
export const VM_COMPONENT_DEFAULTS = {
  agent: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  alert: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  alertmanager: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  insert: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  select: { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } },
} as const satisfies Record<string, ComputeResources>;

/** A single node unless a VMCluster is asked for. */
const SINGLE: VictoriaMetricsSettings = { storage: 'single', storageNodes: 3, replicationFactor: 2 };

export interface VictoriaMetricsStackProps {
  /** VMSingle's retention, volume and resources; the VMAgent and VMAlert replicas. */
  readonly prometheus: PrometheusServerSettings;
  readonly alertmanager: AlertmanagerSettings;
  /** The storage class of the volumes (the region's `fast`). */
  readonly storageClass: string;
  /** VMSingle or VMCluster. @default one VMSingle */
  readonly storage?: VictoriaMetricsSettings;
  /** Labels on every series and alert (region, environment, cluster), as PrometheusStack's external labels. */
  readonly externalLabels: Readonly<Record<string, string>>;
  /** @default VM_COMPONENT_DEFAULTS.agent */
  readonly agentResources?: ComputeResources;
  /** @default VM_COMPONENT_DEFAULTS.alert */
  readonly alertResources?: ComputeResources;
  /** @default VM_COMPONENT_DEFAULTS.alertmanager */
  readonly alertmanagerResources?: ComputeResources;
}

/** Resources in the generated classes' quantity wrappers (one per CRD field), for the operator's kinds. */
export function vmResources<R, L>(request: { fromString(v: string): R }, limit: { fromString(v: string): L }, r: ComputeResources) {
  return {
    requests: { cpu: request.fromString(r.requests.cpu), memory: request.fromString(r.requests.memory) },
    limits: { cpu: limit.fromString(r.limits.cpu), memory: limit.fromString(r.limits.memory) },
  };
}

/** The Alertmanager's root configuration, as kube-prometheus-stack's (no template files: the chart's path). */
export const VM_ALERTMANAGER_BASE_CONFIG = (() => {
  const { templates: _templates, ...config } = ALERTMANAGER_BASE_CONFIG;
  return config;
})();

export class VictoriaMetricsStack extends Construct {
  /** The store: one VMSingle, or (storage `cluster`) undefined and `cluster` instead. */
  public readonly single?: vm.VmSingle;
  public readonly cluster?: vm.VmCluster;
  public readonly agent: vm.VmAgent;
  public readonly alert: vm.VmAlert;
  public readonly alertmanager: vm.VmAlertmanager;
  /** Where the samples are queried (Prometheus' query API): VMSingle, or the cluster's vmselect. */
  public readonly queryUrl: string;

  constructor(scope: Construct, id: string, props: VictoriaMetricsStackProps) {
    super(scope, id);
    const problem = prometheusStackProblem(props);
    if (problem) throw new Error(`VictoriaMetrics stack: ${problem}`);
    const storage = props.storage ?? SINGLE;
    const storageProblem = victoriaMetricsProblem(storage);
    if (storageProblem) throw new Error(`VictoriaMetrics stack: ${storageProblem.message}`);
    const { prometheus, alertmanager } = props;
    const context = OverlayContext.of(this);
    context.requireOperator(VICTORIA_METRICS_OPERATOR);
    // The components talk to each other (agent and alert to single, alert to alertmanager, the
    // alertmanagers to their peers) and VMAgent discovers its targets through the API server.
    context.requireNamespace({ name: VM_NAMESPACE, workload: false, apiServerEgress: true, allowSameNamespace: true });
    const metadata = (extra: Record<string, string> = {}) => ({
      name: VM_STACK_NAME,
      namespace: VM_NAMESPACE,
      ...(Object.keys(extra).length ? { labels: extra } : {}),
    });
    const externalLabels = { ...props.externalLabels };

    // Where VMAgent and VMAlert write samples and where VMAlert queries them.
    let writeUrl: string;
    let queryUrl: string;
    if (storage.storage === 'cluster') {
      this.cluster = new vm.VmCluster(this, 'Cluster', {
        metadata: metadata(),
        spec: {
          retentionPeriod: prometheus.retention,
          replicationFactor: storage.replicationFactor,
          useStrictSecurity: true,
          vmstorage: {
            replicaCount: storage.storageNodes,
            storage: {
              volumeClaimTemplate: {
                spec: {
                  storageClassName: props.storageClass,
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: prometheus.storageSize } },
                },
              },
            },
            resources: vmResources(vm.VmClusterSpecVmstorageResourcesRequests, vm.VmClusterSpecVmstorageResourcesLimits, prometheus.resources),
            // A drain takes one storage node at a time: the others hold every sample's other copies.
            podDisruptionBudget: { maxUnavailable: vm.VmClusterSpecVmstoragePodDisruptionBudgetMaxUnavailable.fromNumber(1) },
            // The VMAgent replicas scrape the same targets: dedup on the nodes and on the queries.
            extraArgs: { 'dedup.minScrapeInterval': SCRAPE_INTERVAL },
          },
          vminsert: {
            replicaCount: prometheus.replicas,
            resources: vmResources(vm.VmClusterSpecVminsertResourcesRequests, vm.VmClusterSpecVminsertResourcesLimits, VM_COMPONENT_DEFAULTS.insert),
          },
          vmselect: {
            replicaCount: prometheus.replicas,
            resources: vmResources(vm.VmClusterSpecVmselectResourcesRequests, vm.VmClusterSpecVmselectResourcesLimits, VM_COMPONENT_DEFAULTS.select),
            extraArgs: { 'dedup.minScrapeInterval': SCRAPE_INTERVAL },
          },
        },
      });
      // The samples: removing the stack from the tree leaves them (and the vmstorage claims).
      protectFromPrune(this.cluster);
      writeUrl = VMINSERT_URL;
      queryUrl = VMSELECT_URL;
    } else {
      this.single = new vm.VmSingle(this, 'Single', {
        metadata: metadata(),
        spec: {
          retentionPeriod: prometheus.retention,
          storage: {
            storageClassName: props.storageClass,
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: vm.VmSingleSpecStorageResourcesRequests.fromString(prometheus.storageSize) } },
          },
          resources: vmResources(vm.VmSingleSpecResourcesRequests, vm.VmSingleSpecResourcesLimits, prometheus.resources),
          // The VMAgent replicas scrape the same targets: one sample per series and interval is kept.
          extraArgs: { 'dedup.minScrapeInterval': SCRAPE_INTERVAL },
          useStrictSecurity: true,
        },
      });

      // The samples (and below, the silences): removing the stack from the tree leaves them.
      protectFromPrune(this.single);
      writeUrl = VMSINGLE_URL;
      queryUrl = VMSINGLE_URL;
    }

    this.queryUrl = queryUrl;
    this.agent = new vm.VmAgent(this, 'Agent', {
      metadata: metadata(),
      spec: {
        replicaCount: prometheus.replicas,
        // Every VMServiceScrape and VMPodScrape (converted monitors) of every namespace.
        selectAllByDefault: true,
        scrapeInterval: SCRAPE_INTERVAL,
        externalLabels,
        remoteWrite: [{ url: `${writeUrl}/api/v1/write` }],
        resources: vmResources(vm.VmAgentSpecResourcesRequests, vm.VmAgentSpecResourcesLimits, props.agentResources ?? VM_COMPONENT_DEFAULTS.agent),
        useStrictSecurity: true,
      },
    });

    this.alertmanager = new vm.VmAlertmanager(this, 'Alertmanager', {
      metadata: metadata(ALERTMANAGER_SELECTOR),
      spec: {
        replicaCount: alertmanager.replicas,
        storage: {
          volumeClaimTemplate: {
            spec: {
              storageClassName: props.storageClass,
              accessModes: ['ReadWriteOnce'],
              resources: {
                requests: { storage: vm.VmAlertmanagerSpecStorageVolumeClaimTemplateSpecResourcesRequests.fromString(alertmanager.storageSize) },
              },
            },
          },
        },
        configRawYaml: yaml.dump(VM_ALERTMANAGER_BASE_CONFIG, { lineWidth: -1, noRefs: true }),
        // Routing is the platform's: configurations from this namespace only (vm-alert-routing.ts),
        // and those route every namespace's alerts (the operator would otherwise add a matcher
        // for the configuration's own namespace).
        selectAllByDefault: true,
        configNamespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': VM_NAMESPACE } },
        disableNamespaceMatcher: true,
        resources: vmResources(
          vm.VmAlertmanagerSpecResourcesRequests,
          vm.VmAlertmanagerSpecResourcesLimits,
          props.alertmanagerResources ?? VM_COMPONENT_DEFAULTS.alertmanager,
        ),
        useStrictSecurity: true,
      },
    });

    protectFromPrune(this.alertmanager);

    this.alert = new vm.VmAlert(this, 'Alert', {
      metadata: metadata(),
      spec: {
        replicaCount: prometheus.replicas,
        // Every VMRule (converted PrometheusRules) of every namespace.
        selectAllByDefault: true,
        evaluationInterval: SCRAPE_INTERVAL,
        datasource: { url: queryUrl },
        // Alert state is written back and restored after a restart, as Prometheus keeps it.
        remoteWrite: { url: writeUrl },
        remoteRead: { url: queryUrl },
        // Each Alertmanager replica by its own address (the operator lists them), not the Service.
        notifiers: [
          { selector: { labelSelector: { matchLabels: { ...ALERTMANAGER_SELECTOR } }, namespaceSelector: { matchNames: [VM_NAMESPACE] } } },
        ],
        externalLabels,
        resources: vmResources(vm.VmAlertSpecResourcesRequests, vm.VmAlertSpecResourcesLimits, props.alertResources ?? VM_COMPONENT_DEFAULTS.alert),
        useStrictSecurity: true,
      },
    });
  }
}

/**
 * Grafana's data sources for the VictoriaMetrics stack: its query API as a Prometheus data
 * source (the default, with the uid the dashboards expect) and the VMAlertmanager.
 */
export function victoriaMetricsDataSources(stack: Pick<VictoriaMetricsStack, 'queryUrl'>): GrafanaDataSource[] {
  return [
    {
      name: 'VictoriaMetrics',
      type: 'prometheus',
      uid: 'prometheus',
      url: stack.queryUrl,
      isDefault: true,
      jsonData: { timeInterval: SCRAPE_INTERVAL },
    },
    {
      name: 'Alertmanager',
      type: 'alertmanager',
      uid: 'alertmanager',
      url: `http://vmalertmanager-${VM_STACK_NAME}.${VM_NAMESPACE}.svc:9093`,
      jsonData: { implementation: 'prometheus' },
    },
  ];
}
