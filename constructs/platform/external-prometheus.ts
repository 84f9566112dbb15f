/**
 * A Prometheus (with its Alertmanager) that runs outside the cluster, on a VM of its own
 * (K3s applications on external Patroni, Redis and monitoring). Nothing of the Prometheus
 * operator is installed then: PodMonitors, ServiceMonitors and PrometheusRules would mean
 * nothing to it. Instead, every construct that would scrape pods (`scrapePods`), admit a
 * scraper (`admitScrape`) or add alerts (`addAlertRules`) records what the outside Prometheus
 * needs here, and the cluster gets:
 *
 * - per scraped group of pods, an ingress policy admitting exactly the Prometheus addresses
 *   on the metrics ports (pod addresses must be routed to the Prometheus VM);
 * - a ServiceAccount `external-prometheus` in `monitoring` with read access to pods and
 *   EndpointSlices, and a token Secret the API server fills in (no token is written), for
 *   Prometheus' Kubernetes service discovery;
 * - two documents beside the layer folders, not applied to the cluster: the `scrape_configs`
 *   the Prometheus must hold (kubernetes_sd pod jobs, one per PodMonitor it replaces, and
 *   static jobs for exporters outside the cluster) and the alerting rules as a Prometheus
 *   rule file (`promtool check rules` reads it).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import type { Alert } from './alert-rules';
import { LayerChart } from './layer-chart';
import type { PodGroup } from './network';
import { compareStrings } from './ordering';
import { OverlayContext } from './overlay-context';

/** Where Prometheus runs: in the cluster (kube-prometheus-stack, the default) or outside it. */
export type MonitoringTarget =
  | { readonly kind: 'in-cluster' }
  | {
      readonly kind: 'external';
      /** The Prometheus servers' addresses as the cluster sees them (IPv4). */
      readonly addresses: readonly string[];
      /** The Kubernetes API server URL Prometheus discovers pods through, e.g. https://10.40.0.10:6443. */
      readonly apiServerUrl: string;
    };

/** The namespace and name of the discovery identity Prometheus uses. */
export const EXTERNAL_PROMETHEUS_NAMESPACE = 'monitoring';
export const EXTERNAL_PROMETHEUS_ACCOUNT = 'external-prometheus';
/** Where the Prometheus VM keeps what it reads from the cluster (the token, the CAs), one folder per cluster. */
const CREDENTIALS_DIR = '/etc/prometheus/kubernetes';

/** One scrape endpoint of a pod group, as a PodMonitor endpoint states it. */
export interface ScrapeEndpoint {
  /** A container port name, or its number. */
  readonly port?: string;
  readonly portNumber?: number;
  /** @default /metrics */
  readonly path?: string;
  /** @default http */
  readonly scheme?: 'http' | 'https';
  /** HTTPS: the server name the certificate is issued for, and the Secret key with the CA (copied to the VM). */
  readonly tls?: { readonly serverName: string; readonly caSecret: { readonly name: string; readonly key: string } };
}

export interface PodScrapeJob {
  readonly name: string;
  readonly pods: PodGroup;
  readonly selector: Readonly<Record<string, string>>;
  readonly endpoints: readonly ScrapeEndpoint[];
  readonly podTargetLabels?: readonly string[];
}

export interface StaticScrapeJob {
  readonly name: string;
  /** `address:port` targets outside the cluster. */
  readonly targets: readonly string[];
  /** Labels every target's series carry (the ServiceMonitor's namespace and job it replaces). */
  readonly labels: Readonly<Record<string, string>>;
}

interface RuleGroup {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly alerts: () => readonly Alert[];
  /** `runbook_url` of an alert of the group. */
  readonly runbook: (alert: string) => string;
}

/** A file for the Prometheus VM: its name, a comment saying what it is, and its content (YAML once written). */
export interface PrometheusDocument {
  /** `scrape-configs.yaml` (the scrape_configs to merge into prometheus.yml) or `rules.yaml` (a rule file). */
  readonly file: string;
  readonly comment: string;
  readonly content: unknown;
}

/** The label Prometheus' pod discovery turns a pod label into. */
function metaLabel(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** A regular expression matching exactly `value`. */
function exactly(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class ExternalPrometheus extends Construct {
  /** The app's outside Prometheus, when its monitoring target is external. */
  public static of(scope: IConstruct): ExternalPrometheus | undefined {
    const found = scope.node.root.node.tryFindChild(ExternalPrometheus.ID);
    return found instanceof ExternalPrometheus ? found : undefined;
  }

  private static readonly ID = 'StrataExternalPrometheus';
  private readonly podJobs: PodScrapeJob[] = [];
  private readonly staticJobs: StaticScrapeJob[] = [];
  private readonly ruleGroups: RuleGroup[] = [];

  /** Created by PlatformApp for an external target; its objects go into `layer` (the monitoring layer). */
  constructor(
    root: Construct,
    public readonly target: Extract<MonitoringTarget, { kind: 'external' }>,
    private readonly clusterName: string,
  ) {
    super(root, ExternalPrometheus.ID);
  }

  /** Records a pod group to scrape and admits the Prometheus addresses to its ports. */
  public addPodJob(scope: Construct, id: string, job: PodScrapeJob, ports: readonly number[]): void {
    if (this.podJobs.some((j) => j.name === job.name && j.pods.namespace === job.pods.namespace)) {
      throw new Error(`external Prometheus: two scrape jobs are named ${job.pods.namespace}/${job.name}`);
    }
    this.podJobs.push(job);
    this.admit(scope, id, job.name, job.pods, ports);
  }

  /** Admits the Prometheus addresses to pods' ports (their scrape job recorded elsewhere, or made by a chart). */
  public admit(scope: Construct, id: string, name: string, pods: PodGroup, ports: readonly number[]): void {
    new k8s.KubeNetworkPolicy(scope, id, {
      metadata: { name: `allow-external-prometheus-to-${name}`, namespace: pods.namespace },
      spec: {
        podSelector: { matchLabels: { ...pods.podLabels } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: this.target.addresses.map((address) => ({ ipBlock: { cidr: `${address}/32` } })),
            ports: [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
          },
        ],
      },
    });
  }

  /** Records exporters outside the cluster (on VMs): the outside Prometheus scrapes them directly. */
  public addStaticJob(job: StaticScrapeJob): void {
    this.staticJobs.push(job);
  }

  /** Records a rule group (the PrometheusRule it replaces). */
  public addRuleGroup(group: RuleGroup): void {
    this.ruleGroups.push(group);
  }

  /** The discovery identity, in the given (monitoring) layer. */
  public renderAccess(layer: LayerChart): void {
    OverlayContext.of(layer).requireNamespace({ name: EXTERNAL_PROMETHEUS_NAMESPACE, workload: false });
    const meta = { name: EXTERNAL_PROMETHEUS_ACCOUNT, namespace: EXTERNAL_PROMETHEUS_NAMESPACE };
    new k8s.KubeServiceAccount(layer, 'ExternalPrometheusAccount', { metadata: meta, automountServiceAccountToken: false });
    // A long-lived token the API server writes into this Secret; nothing secret is rendered.
    new k8s.KubeSecret(layer, 'ExternalPrometheusToken', {
      metadata: {
        name: `${EXTERNAL_PROMETHEUS_ACCOUNT}-token`,
        namespace: EXTERNAL_PROMETHEUS_NAMESPACE,
        annotations: { 'kubernetes.io/service-account.name': EXTERNAL_PROMETHEUS_ACCOUNT },
      },
      type: 'kubernetes.io/service-account-token',
    });
    new k8s.KubeClusterRole(layer, 'ExternalPrometheusDiscovery', {
      metadata: { name: EXTERNAL_PROMETHEUS_ACCOUNT },
      rules: [
        { apiGroups: [''], resources: ['pods', 'services', 'endpoints', 'nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(layer, 'ExternalPrometheusDiscoveryBinding', {
      metadata: { name: EXTERNAL_PROMETHEUS_ACCOUNT },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: EXTERNAL_PROMETHEUS_ACCOUNT },
      subjects: [{ kind: 'ServiceAccount', ...meta }],
    });
  }

  public documents(): PrometheusDocument[] {
    const dir = `${CREDENTIALS_DIR}/${this.clusterName}`;
    const discovery = (namespace: string) => ({
      role: 'pod',
      api_server: this.target.apiServerUrl,
      namespaces: { names: [namespace] },
      authorization: { credentials_file: `${dir}/token` },
      tls_config: { ca_file: `${dir}/ca.crt` },
    });
    const jobs: Record<string, unknown>[] = [];
    const byName = [...this.podJobs].sort((a, b) => compareStrings(`${a.pods.namespace}/${a.name}`, `${b.pods.namespace}/${b.name}`));
    for (const job of byName) {
      job.endpoints.forEach((e, i) => {
        const keepPort = e.port
          ? { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: exactly(e.port), action: 'keep' }
          : { source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: String(e.portNumber), action: 'keep' };
        jobs.push({
          job_name: `${this.clusterName}/${job.pods.namespace}/${job.name}${job.endpoints.length > 1 ? `/${i}` : ''}`,
          metrics_path: e.path ?? '/metrics',
          scheme: e.scheme ?? 'http',
          ...(e.tls
            ? { tls_config: { ca_file: `${dir}/${job.pods.namespace}-${e.tls.caSecret.name}-${e.tls.caSecret.key}`, server_name: e.tls.serverName } }
            : {}),
          kubernetes_sd_configs: [discovery(job.pods.namespace)],
          relabel_configs: [
            ...Object.keys(job.selector)
              .sort(compareStrings)
              .map((label) => ({ source_labels: [metaLabel(label)], regex: exactly(job.selector[label]), action: 'keep' })),
            keepPort,
            { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Running', action: 'keep' },
            { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
            { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
            { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
            // The job label a PodMonitor gives its series, which the alerts select on.
            { target_label: 'job', replacement: `${job.pods.namespace}/${job.name}` },
            ...(job.podTargetLabels ?? []).map((label) => ({
              source_labels: [metaLabel(label)],
              target_label: label.replace(/[^a-zA-Z0-9_]/g, '_'),
            })),
            { target_label: 'cluster', replacement: this.clusterName },
          ],
        });
      });
    }
    for (const job of [...this.staticJobs].sort((a, b) => compareStrings(a.name, b.name))) {
      jobs.push({
        job_name: `${this.clusterName}/${job.name}`,
        static_configs: [{ targets: [...job.targets], labels: { ...job.labels, cluster: this.clusterName } }],
      });
    }
    const groups = [...this.ruleGroups]
      .sort((a, b) => compareStrings(a.name, b.name))
      .map((g) => ({
        name: g.name,
        rules: g.alerts().map((a) => ({
          alert: a.alert,
          expr: a.expr,
          ...(a.for ? { for: a.for } : {}),
          labels: { ...g.labels, severity: a.severity },
          annotations: { summary: a.summary, description: a.description, runbook_url: g.runbook(a.alert) },
        })),
      }));
    const comment = (what: string) =>
      `${what} for cluster ${this.clusterName}, rendered by Strata for the Prometheus outside it. Not applied to the cluster:\n` +
      `copy it to the Prometheus VM. The discovery token is the Secret ${EXTERNAL_PROMETHEUS_NAMESPACE}/${EXTERNAL_PROMETHEUS_ACCOUNT}-token\n` +
      `(keys token and ca.crt) and goes to ${dir}/ (README, section External Prometheus).`;
    return [
      { file: 'scrape-configs.yaml', comment: comment('Scrape jobs'), content: { scrape_configs: jobs } },
      { file: 'rules.yaml', comment: comment('Alerting rules'), content: { groups } },
    ];
  }
}
