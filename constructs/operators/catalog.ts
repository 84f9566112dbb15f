/**
 * The operators and platform components Strata installs, what each provides, and where it
 * runs. The operators layer installs exactly the entries the overlay's constructs require
 * (`OverlayContext.requireOperator`), plus what those entries depend on.
 */
import type { OperatorEgressRule } from './operator-egress';
import { PROMETHEUS_PODS } from '../platform/network';
import { compareStrings } from '../platform/ordering';
import type { PodSecurityLevel } from '../platform/overlay-context';
import { HelmChartName, IMAGES } from '../versions';

export interface OperatorDefinition {
  /** Release name; also the Flux HelmRelease / Argo CD Application name. A public contract. */
  readonly name: string;
  readonly chart: HelmChartName;
  readonly namespace: string;
  /** CRD API groups the chart installs. */
  readonly crdGroups: readonly string[];
  /** Other operators that must be ready first. */
  readonly dependsOn: readonly string[];
  /** Values replacing the ones that need the Prometheus operator's CRDs (a chart's ServiceMonitor), where Prometheus runs outside. */
  readonly valuesWithoutPrometheusOperator?: Record<string, unknown>;
  readonly podSecurity?: PodSecurityLevel;
  readonly podSecurityReason?: string;
  /** Admission/conversion webhook ports the API server calls. */
  readonly webhookPorts: readonly number[];
  /** Chart values: production settings that differ from the chart's defaults. */
  readonly values: Readonly<Record<string, unknown>>;
  /** The chart ships CRDs too large for client-side apply (Argo CD needs ServerSideApply). */
  readonly largeCrds?: boolean;
  /** Egress beyond the cluster the operator needs, on these ports or all ('any'). @default none */
  readonly egressAnywhere?: readonly number[] | 'any';
  /** Egress of some of the operator's pods to named peers (see OperatorEgress). @default none */
  readonly egress?: readonly OperatorEgressRule[];
}

/** The operator of the monitoring.coreos.com CRDs (PodMonitor, ServiceMonitor, PrometheusRule). */
export const PROMETHEUS_OPERATOR = 'kube-prometheus-stack';
/** The monitoring.coreos.com CRDs alone, where the VictoriaMetrics operator converts their objects. */
export const PROMETHEUS_OPERATOR_CRDS = 'prometheus-operator-crds';
/** The operator of the operator.victoriametrics.com CRDs (VMSingle, VMCluster, VMAgent, VMAlert, VMAlertmanager). */
export const VICTORIA_METRICS_OPERATOR = 'victoria-metrics-operator';

/** Which stack runs the in-cluster monitoring (`monitoring.stack`). */
export type MonitoringStackKind = 'kube-prometheus-stack' | 'victoriametrics';

const DEFINITIONS: readonly OperatorDefinition[] = [
  {
    name: 'kube-prometheus-stack',
    chart: 'kubePrometheusStack',
    namespace: 'monitoring',
    crdGroups: ['monitoring.coreos.com'],
    dependsOn: [],
    podSecurity: 'privileged',
    podSecurityReason: 'node-exporter needs the host network, PID namespace and root filesystem',
    webhookPorts: [10250],
    largeCrds: true,
    // Only Prometheus leaves the namespace (workloads' scrape paths are opened by scrapePods):
    // the chart's default monitors scrape node addresses (kubelet 10250, node-exporter 9100 on
    // the host network, kube-proxy 10249, controller manager 10257, scheduler 10259, etcd
    // metrics 2381) and CoreDNS. Alertmanager receivers are not modelled, so it gets no egress.
    egress: [
      { name: 'prometheus-to-nodes', podLabels: PROMETHEUS_PODS.podLabels, to: 'nodes', ports: [2381, 9100, 10249, 10250, 10257, 10259] },
      {
        name: 'prometheus-to-coredns',
        podLabels: PROMETHEUS_PODS.podLabels,
        to: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
        ports: [9153],
      },
    ],
    values: {
      crds: { enabled: true },
      prometheus: {
        prometheusSpec: {
          // Select monitors and rules from every namespace, not only this release's labels.
          podMonitorSelectorNilUsesHelmValues: false,
          serviceMonitorSelectorNilUsesHelmValues: false,
          ruleSelectorNilUsesHelmValues: false,
          probeSelectorNilUsesHelmValues: false,
          scrapeConfigSelectorNilUsesHelmValues: false,
        },
      },
    },
  },
  {
    // Only the CRDs (no operator, no Prometheus): PodMonitors, ServiceMonitors, PrometheusRules
    // and AlertmanagerConfigs exist for the VictoriaMetrics operator to convert.
    name: PROMETHEUS_OPERATOR_CRDS,
    chart: 'prometheusOperatorCrds',
    namespace: 'vm-operator',
    crdGroups: ['monitoring.coreos.com'],
    dependsOn: [],
    webhookPorts: [],
    largeCrds: true,
    values: {},
  },
  {
    name: VICTORIA_METRICS_OPERATOR,
    chart: 'victoriaMetricsOperator',
    namespace: 'vm-operator',
    crdGroups: ['operator.victoriametrics.com'],
    // The operator turns its Prometheus converters off when their CRDs are missing at start
    // (VictoriaMetrics/operator CHANGELOG, converter): the CRDs come first.
    dependsOn: [PROMETHEUS_OPERATOR_CRDS],
    // The chart's validating webhook (controller-runtime's port).
    webhookPorts: [9443],
    largeCrds: true,
    // The operator converts ServiceMonitor, PodMonitor, PrometheusRule, Probe, ScrapeConfig and
    // AlertmanagerConfig objects (VM_ENABLEDPROMETHEUSCONVERTER_*, all on by default). It copies
    // their annotations, Argo CD's tracking id included, so Argo CD would count the converted
    // objects as its own and prune them: they are marked IgnoreExtraneous and Prune=false
    // (harmless under Flux, which prunes by its inventory).
    values: { env: [{ name: 'VM_PROMETHEUSCONVERTERADDARGOCDIGNOREANNOTATIONS', value: 'true' }] },
  },
  {
    name: 'cert-manager',
    chart: 'certManager',
    namespace: 'cert-manager',
    crdGroups: ['cert-manager.io', 'acme.cert-manager.io'],
    dependsOn: [],
    webhookPorts: [10250],
    // ACME issuers and DNS-01 providers are outside the cluster.
    egressAnywhere: [443, 53],
    values: { crds: { enabled: true, keep: true } },
  },
  {
    name: 'external-secrets',
    chart: 'externalSecrets',
    namespace: 'external-secrets',
    crdGroups: ['external-secrets.io', 'generators.external-secrets.io'],
    dependsOn: [],
    webhookPorts: [10250],
    // The secret provider's API (cloud secret managers on 443, Vault on 8200).
    egressAnywhere: [443, 8200],
    values: { installCRDs: true },
  },
  {
    name: 'sealed-secrets',
    chart: 'sealedSecrets',
    namespace: 'kube-system',
    crdGroups: ['bitnami.com'],
    dependsOn: [],
    webhookPorts: [],
    // kubeseal looks for this name in kube-system by default.
    values: { fullnameOverride: 'sealed-secrets-controller' },
  },
  {
    name: 'cloudnative-pg',
    chart: 'cloudnativePg',
    namespace: 'cnpg-system',
    crdGroups: ['postgresql.cnpg.io'],
    dependsOn: [],
    webhookPorts: [9443],
    largeCrds: true,
    values: { crds: { create: true } },
  },
  {
    name: 'plugin-barman-cloud',
    chart: 'barmanCloudPlugin',
    namespace: 'cnpg-system',
    crdGroups: ['barmancloud.cnpg.io'],
    // The plugin's gRPC endpoint is secured with certificates cert-manager issues.
    dependsOn: ['cloudnative-pg', 'cert-manager'],
    webhookPorts: [],
    values: {},
  },
  {
    name: 'postgres-operator',
    chart: 'zalandoPostgresOperator',
    namespace: 'postgres-operator',
    crdGroups: ['acid.zalan.do'],
    dependsOn: [],
    webhookPorts: [],
    values: { configKubernetes: { enable_pod_antiaffinity: true, enable_pod_disruption_budget: true } },
  },
  {
    name: 'minio-operator',
    chart: 'minioOperator',
    namespace: 'minio-operator',
    crdGroups: ['minio.min.io', 'sts.min.io'],
    dependsOn: [],
    webhookPorts: [4222],
    values: {},
  },
  {
    name: 'velero',
    chart: 'velero',
    namespace: 'velero',
    crdGroups: ['velero.io'],
    // The chart's ServiceMonitor needs the Prometheus operator's CRDs.
    dependsOn: ['kube-prometheus-stack'],
    podSecurity: 'privileged',
    podSecurityReason: 'the node agent mounts pod volumes from the host to back them up',
    webhookPorts: [],
    values: {
      initContainers: [
        {
          name: 'velero-plugin-for-aws',
          image: IMAGES.veleroPluginForAws,
          imagePullPolicy: 'IfNotPresent',
          volumeMounts: [{ mountPath: '/target', name: 'plugins' }],
        },
      ],
      deployNodeAgent: true,
      snapshotsEnabled: false,
      // Backup locations and schedules are rendered by the backup layer, each location with
      // its own credential; the chart creates none.
      credentials: { useSecret: false },
      // Volumes are backed up only where a pod opts in (backup.velero.io/backup-volumes):
      // databases archive themselves, and MinIO is the backup target.
      configuration: { backupStorageLocation: [], volumeSnapshotLocation: [], defaultVolumesToFsBackup: false },
      upgradeCRDs: false,
      // The backup layer's alerts read the server's metrics.
      metrics: { enabled: true, serviceMonitor: { enabled: true } },
    },
    // A Prometheus outside the cluster scrapes the server itself (constructs/backup/velero-backups.ts).
    valuesWithoutPrometheusOperator: { metrics: { serviceMonitor: { enabled: false } } },
  },
  {
    // The ingress controller: routes (IngressRoute) are rendered by the ingress layer, which
    // opens the paths from Traefik to each routed app and from the internet to Traefik.
    name: 'traefik',
    chart: 'traefik',
    namespace: 'traefik',
    crdGroups: ['traefik.io'],
    // The chart's ServiceMonitor needs the Prometheus operator's CRDs.
    dependsOn: ['kube-prometheus-stack'],
    webhookPorts: [],
    values: {
      deployment: { replicas: 2 },
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      // Plain HTTP only redirects: every route is served on websecure with its certificate.
      ports: { web: { redirections: { entryPoint: { to: 'websecure', scheme: 'https', permanent: true } } } },
      // The dashboard stays off (its route would expose the router configuration).
      ingressRoute: { dashboard: { enabled: false } },
      logs: { access: { enabled: true } },
      // Routes reach Services of their own namespace only; cert-manager's HTTP-01 solvers are
      // served through Kubernetes Ingress objects of class traefik.
      providers: { kubernetesCRD: { allowCrossNamespace: false }, kubernetesIngress: { enabled: true } },
      metrics: { prometheus: { serviceMonitor: { enabled: true } } },
    },
    valuesWithoutPrometheusOperator: { metrics: { prometheus: { serviceMonitor: { enabled: false } } } },
  },
  {
    name: 'strimzi-kafka-operator',
    chart: 'strimzi',
    namespace: 'strimzi-system',
    crdGroups: ['kafka.strimzi.io', 'core.strimzi.io'],
    dependsOn: [],
    webhookPorts: [],
    largeCrds: true,
    // Kafka clusters live in their own namespaces.
    values: { watchAnyNamespace: true },
  },
  {
    name: 'opensearch-operator',
    chart: 'opensearchOperator',
    namespace: 'opensearch-operator-system',
    crdGroups: ['opensearch.org', 'opensearch.opster.io'],
    // The chart's validating webhook takes its certificate from cert-manager.
    dependsOn: ['cert-manager'],
    webhookPorts: [9443],
    largeCrds: true,
    values: {},
  },
];

const BY_NAME = new Map(DEFINITIONS.map((d) => [d.name, d]));

export function operatorDefinition(name: string): OperatorDefinition {
  const def = BY_NAME.get(name);
  if (!def) throw new Error(`unknown operator "${name}"; known: ${[...BY_NAME.keys()].join(', ')}`);
  return def;
}

/**
 * The operator whose chart installs a CRD group, if Strata installs one. With VictoriaMetrics,
 * the Prometheus operator's group comes from its CRD chart alone.
 */
export function operatorForGroup(group: string, stack: MonitoringStackKind = 'kube-prometheus-stack'): OperatorDefinition | undefined {
  const def = DEFINITIONS.find((d) => d.crdGroups.includes(group));
  return def && stack === 'victoriametrics' && def.name === PROMETHEUS_OPERATOR ? operatorDefinition(PROMETHEUS_OPERATOR_CRDS) : def;
}

export interface DependencyOptions {
  /** The Prometheus operator may be installed (Prometheus runs in the cluster). @default true */
  readonly prometheusOperator?: boolean;
  /**
   * The in-cluster stack. With `victoriametrics`, what requires kube-prometheus-stack for its
   * CRDs (a chart's ServiceMonitor, an operator's own monitors) gets prometheus-operator-crds,
   * and nothing waits for kube-prometheus-stack. @default 'kube-prometheus-stack'
   */
  readonly monitoringStack?: MonitoringStackKind;
}

/** The operator installed for a required one: kube-prometheus-stack is the CRD chart under VictoriaMetrics. */
export function installedOperator(name: string, stack: MonitoringStackKind = 'kube-prometheus-stack'): string {
  return stack === 'victoriametrics' && name === PROMETHEUS_OPERATOR ? PROMETHEUS_OPERATOR_CRDS : name;
}

/** The required operators plus everything they depend on, in a stable order. */
export function withDependencies(names: Iterable<string>, options: DependencyOptions = {}): OperatorDefinition[] {
  const out = new Map<string, OperatorDefinition>();
  const stack = options.monitoringStack ?? 'kube-prometheus-stack';
  const visit = (name: string) => {
    if (out.has(name)) return;
    const base = operatorDefinition(name);
    // Without the Prometheus operator, nothing waits for it (the charts render no monitors then).
    const dependsOn =
      options.prometheusOperator === false
        ? base.dependsOn.filter((d) => d !== PROMETHEUS_OPERATOR)
        : [...new Set(base.dependsOn.map((d) => installedOperator(d, stack)))];
    const def = dependsOn.length === base.dependsOn.length && dependsOn.every((d, i) => d === base.dependsOn[i]) ? base : { ...base, dependsOn };
    def.dependsOn.forEach(visit);
    out.set(name, def);
  };
  [...new Set([...names].map((n) => installedOperator(n, stack)))].sort().forEach(visit);
  return [...out.values()].sort((a, b) => compareStrings(a.name, b.name));
}
