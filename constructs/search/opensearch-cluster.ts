import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { assertIndexName, assertIndexPattern, assertSecurityName, objectNameFor, patternMatches } from './index-names';
import { OpenSearchAlertOptions, openSearchAlerts, openSearchAlertThresholds } from './opensearch-alerts';
import { OPENSEARCH_DEFAULTS } from './opensearch-defaults';
import {
  DEFAULT_MANAGER_HEAP,
  NodePoolContext,
  NodePoolPlan,
  OPENSEARCH_UID,
  planNodePools,
  renderBootstrap,
  renderNodePool,
} from './opensearch-node-pools';
import { addSecurityConfig, RESERVED_USERS } from './opensearch-security-config';
import { addSnapshotPolicy, snapshotNodeSettings, SnapshotTarget } from './opensearch-snapshots';
import { issuePlatformCertificate, serviceDnsNames } from './platform-certificates';
import type { IndexTemplateOptions, IndexWriteAccess, IOpenSearchCluster } from './search-cluster';
import * as os from '../../imports/opensearch.org';
import type { ComputeResources, NodePool } from '../core/compute';
import type { IGrantee, PodGroup as GranteePods } from '../core/grantee';
// Aliased: the static key helpers take a `secretKeyPrefix` parameter.
import { secretKeyPrefix as layerKeyPrefix } from '../core/naming';
import type { SecretBackend } from '../core/secret-backend';
import type { PlatformUi } from '../ingress/platform-ui-route';
import { addAlertRules, RUNBOOKS } from '../platform/alert-rules';
import { Connections, IConnectable, singlePortConnections } from '../platform/connections';
import { recordDownload } from '../platform/downloads';
import { ExternalPrometheus } from '../platform/external-prometheus';
import { restrictedContainerSecurityContext } from '../platform/hardening';
import { componentLabels } from '../platform/labels';
import { dependOnLayerOf, LayerChart } from '../platform/layer-chart';
import { shortName } from '../platform/names';
import { allowEgressToAddresses, allowTraffic, PodGroup, scraperOf } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { protectFromPrune } from '../platform/protection';
import { SecretReference } from '../secrets/secret-reference';
import type { BucketAccess, IBucket } from '../storage/bucket';
import { PlatformCa } from '../tls/platform-ca';
import { OPENSEARCH, SEARCH_IMAGES } from '../versions';

/** REST API (HTTPS). */
export const HTTP_PORT = 9200;
/** OpenSearch Dashboards' port (HTTPS). */
const DASHBOARDS_PORT = 5601;
/** Node-to-node transport (TLS), also what a cross-cluster replication follower connects to. */
export const TRANSPORT_PORT = 9300;
const OPERATOR_NAMESPACE = 'opensearch-operator-system';

// The interface lives with its types (like IPostgresCluster); constructs import either file.
export type { IndexTemplateOptions, IndexWriteAccess, IOpenSearchCluster } from './search-cluster';

export interface OpenSearchClusterProps {
  /** Cluster name (object, service and certificate names: a public contract). @default 'search' */
  readonly name?: string;
  /** @default 'opensearch' */
  readonly namespace?: string;
  /** @default OPENSEARCH.version */
  readonly version?: string;
  /** `dedicated`: cluster-manager and data node pools; `combined`: one pool with both roles. @default 'dedicated' */
  readonly topology?: 'dedicated' | 'combined';
  /** Cluster-manager nodes (dedicated topology; odd). @default 3 */
  readonly managers?: number;
  /** Data nodes, or combined nodes. @default 3 */
  readonly dataNodes?: number;
  /** Volume of each data (or combined) node. @default '100Gi' */
  readonly storageSize?: string;
  /** Storage class, best with reclaim policy Retain. @default the cluster's default storage class */
  readonly storageClass?: string;
  /** Requests and limits of each data (or combined) node. @default 2 CPUs and 6Gi, requests equal to limits (Guaranteed QoS) */
  readonly resources?: ComputeResources;
  /** JVM heap of data (or combined) nodes, e.g. `4g`: about half the memory. @default '3g' */
  readonly heap?: string;
  /**
   * Requests and limits of each cluster-manager node (dedicated topology): they hold the
   * cluster state, not data.
   * @default 500m CPU and 2Gi memory requested, 1 CPU and 2Gi memory limit
   */
  readonly managerResources?: ComputeResources;
  /** @default '1g' */
  readonly managerHeap?: string;
  /** @default '10Gi' */
  readonly managerStorageSize?: string;
  /** Nodes reserved for stateful services. @default any node */
  readonly nodePool?: NodePool;
  /** Node label carrying the zone, for spreading nodes. @default 'topology.kubernetes.io/zone' */
  readonly zoneLabel?: string;
  /** Where the cluster's credentials come from (never rendered as values). */
  readonly secretBackend: SecretBackend;
  /** Prefix of every key this cluster reads from the secret store. @default `<region>/<environment>` of its layer */
  readonly secretKeyPrefix?: string;
  /**
   * Dashboards replicas and their requests and limits.
   * @default 1 replica, 250m CPU and 1Gi memory requested, 1 CPU and 1Gi memory limit
   */
  readonly dashboards?: { readonly replicas?: number; readonly resources?: ComputeResources };
  /**
   * Secret-store key of a transport CA (`ca.crt`, `ca.key`) shared with the other cluster of
   * a cross-cluster replication pair: both sign their node certificates with it, so each
   * trusts the other's nodes. Nodes then share one certificate (`CN=<name>,OU=<name>`, which
   * both clusters' `nodes_dn` accept, hence both clusters must have the same name) without
   * hostname verification, since the peer is reached through a load balancer.
   * @default a CA the operator generates for this cluster, and one certificate per node
   */
  readonly sharedTransportCaKey?: string;
  /**
   * Let the operator raise `vm.max_map_count` with a privileged init container, which needs
   * the namespace at Pod Security level `privileged`. Without it the database nodes must
   * already run with `vm.max_map_count >= 262144` (node image or tuning DaemonSet).
   * @default false
   */
  readonly setVmMaxMapCount?: boolean;
  /** Snapshot schedule, five-field cron in UTC. @default '30 2 * * *' */
  readonly snapshotSchedule?: string;
  /**
   * How long snapshots are kept, and how many are kept whatever their age.
   * @default 30 days, at least 7 snapshots
   */
  readonly snapshotRetention?: { readonly maxAge: string; readonly minCount: number };
  /** Thresholds of the cluster's alerts. @default see `OpenSearchAlertOptions` */
  readonly alerts?: OpenSearchAlertOptions;
  /**
   * Install the Prometheus exporter plugin (`OPENSEARCH.prometheusExporterPlugin`), which the
   * operator downloads when each node starts and cannot check against a checksum; the
   * cluster's metrics, ServiceMonitor and alerts come from it. Without it the cluster has
   * none of them.
   * @default true
   */
  readonly prometheusExporter?: boolean;
}

/** Props without a default of their own here: absent means what their `@default` says, resolved where they are used. */
type KeptOptional =
  | 'namespace'
  | 'version'
  | 'storageClass'
  | 'managerResources'
  | 'managerHeap'
  | 'managerStorageSize'
  | 'nodePool'
  | 'dashboards'
  | 'sharedTransportCaKey'
  | 'setVmMaxMapCount'
  | 'snapshotRetention'
  | 'alerts';
/** OpenSearchClusterProps with the defaults of OPENSEARCH_DEFAULTS and of its layer applied. */
type ResolvedProps = Required<Omit<OpenSearchClusterProps, KeptOptional>> & Pick<OpenSearchClusterProps, KeptOptional>;

function withDefaults(scope: Construct, props: OpenSearchClusterProps): ResolvedProps {
  const layer = LayerChart.of(scope);
  return {
    ...props,
    name: props.name ?? OPENSEARCH_DEFAULTS.name,
    topology: props.topology ?? OPENSEARCH_DEFAULTS.topology,
    managers: props.managers ?? OPENSEARCH_DEFAULTS.managers,
    dataNodes: props.dataNodes ?? OPENSEARCH_DEFAULTS.dataNodes,
    storageSize: props.storageSize ?? OPENSEARCH_DEFAULTS.storageSize,
    resources: props.resources ?? OPENSEARCH_DEFAULTS.resources,
    heap: props.heap ?? OPENSEARCH_DEFAULTS.heap,
    zoneLabel: props.zoneLabel ?? OPENSEARCH_DEFAULTS.zoneLabel,
    secretKeyPrefix: props.secretKeyPrefix ?? layerKeyPrefix(layer.region, layer.environment),
    snapshotSchedule: props.snapshotSchedule ?? OPENSEARCH_DEFAULTS.snapshotSchedule,
    prometheusExporter: props.prometheusExporter ?? OPENSEARCH_DEFAULTS.prometheusExporter,
  };
}

/**
 * An opensearch-operator `OpenSearchCluster` sized by the tier: cluster-manager and data node
 * pools (or one combined pool) spread across nodes and zones on the database node pool, with
 * disruption budgets; the security plugin with TLS on transport (operator-generated, or from
 * a CA shared with a replication peer) and on HTTP (from the platform CA, so clients in any
 * namespace can trust it); admin and Dashboards credentials from the secret store, and an
 * `internal_users.yml` of its own declaring only those two users (no demo user); Dashboards;
 * the Prometheus exporter with a least-privilege monitoring user, and alerts on its metrics
 * (`opensearch-alerts.ts`); prune protection. Index
 * templates, retention, snapshots and write grants are added by the users of the cluster.
 */
export class OpenSearchCluster extends Construct implements IOpenSearchCluster, IGrantee, IConnectable {
  /** The secret-store key under which a cluster in `secretKeyPrefix` keeps `user`'s password. */
  public static userKeyOf(secretKeyPrefix: string, clusterName: string, user: string): string {
    return `${secretKeyPrefix}/opensearch/${clusterName}/users/${user}`;
  }

  public readonly clusterName: string;
  public readonly namespace: string;
  public readonly endpoint: string;
  public readonly ca: { readonly name: string; readonly key: string };
  /** Every OpenSearch node. */
  public readonly serverPods: PodGroup;
  /** The nodes holding data (the combined pool in the combined topology). */
  public readonly dataPods: PodGroup;
  public readonly dashboardsPods: PodGroup;
  /** Data-bearing nodes, which bounds the useful number of replicas. */
  public readonly dataNodeCount: number;
  /** REST endpoint of the data (or combined) pool only: nodes that can reach remote clusters. */
  public readonly dataEndpoint: string;
  /** The nodes run the Prometheus exporter plugin, which the operator's ServiceMonitor scrapes. */
  public readonly prometheusExporter: boolean;

  private readonly props: ResolvedProps;
  private readonly pools: NodePoolPlan[];
  private readonly templates = new Map<string, readonly string[]>();
  private readonly retention: { name: string; patterns: readonly string[] }[] = [];
  private readonly users = new Map<string, { secret: SecretReference; roles: readonly string[] }>();
  private connectionsOf?: Connections;
  private readonly roles = new Set<string>();
  private backup?: SnapshotTarget;

  constructor(scope: Construct, id: string, given: OpenSearchClusterProps) {
    super(scope, id);
    const props = withDefaults(this, given);
    validateProps(props);
    const alertThresholds = openSearchAlertThresholds(props.name, props.alerts);
    this.props = props;
    this.clusterName = props.name;
    const privileged = props.setVmMaxMapCount ?? false;
    this.namespace = OverlayContext.of(this).requireNamespace({
      name: props.namespace ?? OPENSEARCH_DEFAULTS.namespace,
      workload: true,
      podSecurity: privileged ? 'privileged' : 'baseline',
      podSecurityReason: privileged
        ? 'the opensearch-operator sets vm.max_map_count with a privileged init container'
        : 'the opensearch-operator chowns the data volume in an init container running as root',
    });
    const exporter = props.prometheusExporter;
    this.prometheusExporter = exporter;
    // The operator creates the Prometheus ServiceMonitor of `general.monitoring`.
    if (exporter) OverlayContext.of(this).requireOperator('kube-prometheus-stack');
    const ns = this.namespace;
    this.endpoint = `https://${props.name}.${ns}.svc.cluster.local:${HTTP_PORT}`;
    const clusterLabel = { 'opensearch.org/opensearch-cluster': props.name };
    this.serverPods = { namespace: ns, podLabels: clusterLabel };
    this.dashboardsPods = { namespace: ns, podLabels: { 'opensearch.cluster.dashboards': props.name } };
    this.pools = planNodePools(props);
    const dataPool = this.pools[this.pools.length - 1];
    this.dataPods = { namespace: ns, podLabels: { ...clusterLabel, 'opensearch.org/opensearch-nodepool': dataPool.component } };
    this.dataNodeCount = dataPool.replicas;
    // The operator gives every node pool its own Service, `<cluster>-<component>`.
    this.dataEndpoint = `https://${props.name}-${dataPool.component}.${ns}.svc.cluster.local:${HTTP_PORT}`;

    const httpSecret = `${props.name}-http-tls`;
    const adminCertSecret = `${props.name}-admin-cert`;
    const dashboardsSecret = `${props.name}-dashboards-tls`;
    const adminDn = `CN=${props.name}-admin`;
    issuePlatformCertificate(this, 'HttpCertificate', {
      namespace: ns,
      secretName: httpSecret,
      usage: 'server',
      dnsNames: [props.name, ...this.pools.map((p) => `${props.name}-${p.component}`)].flatMap((service) => serviceDnsNames(service, ns)),
    });
    issuePlatformCertificate(this, 'AdminCertificate', {
      namespace: ns,
      secretName: adminCertSecret,
      usage: 'client',
      commonName: `${props.name}-admin`,
    });
    issuePlatformCertificate(this, 'DashboardsCertificate', {
      namespace: ns,
      secretName: dashboardsSecret,
      usage: 'server',
      dnsNames: serviceDnsNames(`${props.name}-dashboards`, ns),
    });
    this.ca = { name: httpSecret, key: 'ca.crt' };

    // The operator hashes these passwords into the security configuration it applies.
    const adminKey = `${props.secretKeyPrefix}/opensearch/${props.name}/admin`;
    const admin = this.credential('AdminCredentials', `${props.name}-admin-credentials`, 'admin', adminKey);
    const dashboards = this.credential(
      'DashboardsCredentials',
      `${props.name}-dashboards-credentials`,
      'kibanaserver',
      `${props.secretKeyPrefix}/opensearch/${props.name}/dashboards`,
    );
    // Ours, not the operator's bundled or the image's demo internal users: only admin and kibanaserver exist.
    const securityConfig = addSecurityConfig(this, 'SecurityConfig', {
      clusterName: props.name,
      namespace: ns,
      backend: props.secretBackend,
      adminKey,
      credentials: { admin: admin.name, dashboards: dashboards.name },
    });
    const transportCa = props.sharedTransportCaKey
      ? new SecretReference(this, 'TransportCa', {
          backend: props.secretBackend,
          namespace: ns,
          name: `${props.name}-transport-ca`,
          remoteKey: props.sharedTransportCaKey,
          keys: { 'ca.crt': 'ca.crt', 'ca.key': 'ca.key' },
        })
      : undefined;

    const monitoring = exporter
      ? this.addUser('prometheus-exporter', {
          roles: [
            this.addRole('prometheus-exporter', {
              clusterPermissions: ['cluster_monitor'],
              indexPermissions: [{ indexPatterns: ['*'], allowedActions: ['indices_monitor'] }],
            }),
          ],
        })
      : undefined;

    const dashboardsOptions = props.dashboards ?? {};
    const nodePoolContext: Omit<NodePoolContext, 'truststore'> = {
      clusterLabels: clusterLabel,
      // NodePoolContext still types the class as required; without one the claims name none
      // and get the cluster's default StorageClass.
      storageClass: props.storageClass as string,
      nodePool: props.nodePool,
      zoneLabel: props.zoneLabel,
    };
    const cluster = new os.OpenSearchCluster(this, 'Resource', {
      metadata: { name: props.name, namespace: ns, labels: componentLabels('opensearch', props.name, 'search') },
      spec: {
        general: {
          serviceName: props.name,
          version: props.version ?? OPENSEARCH.version,
          httpPort: HTTP_PORT,
          vendor: os.OpenSearchClusterSpecGeneralVendor.OPENSEARCH,
          setVmMaxMapCount: privileged,
          drainDataNodes: true,
          // Pod level stays root-capable: the operator's chown init container runs as root.
          podSecurityContext: { fsGroup: OPENSEARCH_UID, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
          // Plugins are installed at start-up into the image's plugin directory: not read-only.
          securityContext: {
            ...restrictedContainerSecurityContext({ readOnlyRootFilesystem: false }),
            runAsUser: OPENSEARCH_UID,
            runAsGroup: OPENSEARCH_UID,
          },
          // Snapshot settings exist once backupTo() names a bucket.
          pluginsList: Lazy.any({ produce: () => this.snapshotSetting('pluginsList') }),
          keystore: Lazy.any({ produce: () => this.snapshotSetting('keystore') }),
          additionalConfig: Lazy.any({ produce: () => this.snapshotSetting('additionalConfig') }),
          additionalVolumes: Lazy.any({ produce: () => this.snapshotSetting('additionalVolumes') }),
          snapshotRepositories: Lazy.any({ produce: () => this.snapshotSetting('snapshotRepositories') }),
          monitoring: monitoring
            ? {
                enable: true,
                pluginUrl: OPENSEARCH.prometheusExporterPlugin,
                monitoringUserSecret: monitoring.name,
                scrapeInterval: '30s',
                // The operator cannot give its ServiceMonitor a CA: the scrape is encrypted, not verified.
                tlsConfig: { serverName: `${props.name}.${ns}.svc`, insecureSkipVerify: true },
              }
            : { enable: false },
        },
        initHelper: {
          image: SEARCH_IMAGES.initHelper,
          resources: {
            requests: {
              cpu: os.OpenSearchClusterSpecInitHelperResourcesRequests.fromString('50m'),
              memory: os.OpenSearchClusterSpecInitHelperResourcesRequests.fromString('64Mi'),
            },
            limits: {
              cpu: os.OpenSearchClusterSpecInitHelperResourcesLimits.fromString('200m'),
              memory: os.OpenSearchClusterSpecInitHelperResourcesLimits.fromString('128Mi'),
            },
          },
        },
        bootstrap: renderBootstrap(props.nodePool),
        confMgmt: { smartScaler: true },
        security: {
          config: {
            adminCredentialsSecret: { name: admin.name },
            adminSecret: { name: adminCertSecret },
            securityConfigSecret: { name: securityConfig.name },
            updateJob: {
              resources: {
                requests: {
                  cpu: os.OpenSearchClusterSpecSecurityConfigUpdateJobResourcesRequests.fromString('100m'),
                  memory: os.OpenSearchClusterSpecSecurityConfigUpdateJobResourcesRequests.fromString('256Mi'),
                },
                limits: {
                  cpu: os.OpenSearchClusterSpecSecurityConfigUpdateJobResourcesLimits.fromString('500m'),
                  memory: os.OpenSearchClusterSpecSecurityConfigUpdateJobResourcesLimits.fromString('512Mi'),
                },
              },
            },
          },
          tls: {
            transport: transportCa ? { generate: true, perNode: false, caSecret: { name: transportCa.name } } : { generate: true, perNode: true },
            // Issued by cert-manager from the platform CA; the operator only mounts it.
            http: { enabled: true, generate: false, secret: { name: httpSecret }, adminDn: [adminDn], enableHotReload: true },
          },
        },
        dashboards: {
          enable: true,
          version: props.version ?? OPENSEARCH.version,
          replicas: dashboardsOptions.replicas ?? 1,
          resources: dashboardsResources(
            dashboardsOptions.resources ?? { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
          ),
          opensearchCredentialsSecret: { name: dashboards.name },
          tls: { enable: true, generate: false, secret: { name: dashboardsSecret } },
          podSecurityContext: {
            runAsNonRoot: true,
            runAsUser: OPENSEARCH_UID,
            runAsGroup: OPENSEARCH_UID,
            fsGroup: OPENSEARCH_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          securityContext: { ...restrictedContainerSecurityContext({ readOnlyRootFilesystem: false }), runAsUser: OPENSEARCH_UID },
          service: { type: os.OpenSearchClusterSpecDashboardsServiceType.CLUSTER_IP },
        },
        nodePools: Lazy.any({
          produce: () => this.pools.map((pool) => renderNodePool(pool, { ...nodePoolContext, truststore: this.backup !== undefined })),
        }),
      },
    });
    protectFromPrune(cluster);

    const operator: PodGroup = { namespace: OPERATOR_NAMESPACE, podLabels: {} };
    allowTraffic(this, 'AllowPeers', {
      name: `allow-${props.name}-nodes`,
      from: this.serverPods,
      to: this.serverPods,
      ports: [HTTP_PORT, TRANSPORT_PORT],
    });
    // The operator manages the cluster over the REST API; its securityconfig Job applies the security configuration.
    allowTraffic(this, 'AllowOperator', {
      name: `allow-opensearch-operator-to-${props.name}`,
      from: operator,
      to: this.serverPods,
      ports: [HTTP_PORT],
    });
    allowTraffic(this, 'AllowSecurityConfigJob', {
      name: `allow-${props.name}-securityconfig-update`,
      from: { namespace: ns, podLabels: { 'job-name': `${props.name}-securityconfig-update` } },
      to: this.serverPods,
      ports: [HTTP_PORT],
    });
    allowTraffic(this, 'AllowDashboards', {
      name: `allow-${props.name}-dashboards`,
      from: this.dashboardsPods,
      to: this.serverPods,
      ports: [HTTP_PORT],
    });
    if (exporter) {
      if (ExternalPrometheus.of(this)) {
        throw new Error(
          `OpenSearch cluster ${props.name}: the Prometheus exporter is scraped through the ServiceMonitor the opensearch-operator creates, and Prometheus runs outside the cluster; set prometheusExporter: false`,
        );
      }
      const scraper = scraperOf(this);
      allowTraffic(this, 'AllowScrape', {
        name: `allow-${scraper.policyStem}-to-${props.name}`,
        from: scraper.pods,
        to: this.serverPods,
        ports: [HTTP_PORT],
      });
      // `opensearch-plugin install <url>` checks no checksum (official plugins installed by
      // name, like repository-s3, are verified against their signature).
      recordDownload(this, {
        object: `OpenSearchCluster ${ns}/${props.name}`,
        field: 'spec.general.monitoring.pluginUrl',
        url: OPENSEARCH.prometheusExporterPlugin,
        fix: 'the opensearch-operator has no checksum field for this plugin: turn off `prometheusExporter` where every download must be verified (the cluster then has no exporter metrics or alerts)',
      });
    }
    // Plugins (repository-s3, the Prometheus exporter) are downloaded when a node starts.
    allowEgressToAddresses(this, 'AllowPluginDownloads', {
      name: `allow-${props.name}-plugin-downloads`,
      from: this.serverPods,
      cidrs: ['0.0.0.0/0'],
      ports: [443],
    });
    const nodes = this.pools.reduce((sum, pool) => sum + pool.replicas, 0);
    // The alerts read the exporter's metrics.
    if (exporter) {
      addAlertRules(this, 'Alerts', {
        runbooks: RUNBOOKS.search,
        name: props.name,
        namespace: ns,
        labels: { namespace: ns, opensearch_cluster: props.name },
        alerts: () => openSearchAlerts({ name: props.name, namespace: ns, nodes, dataNodes: this.dataNodeCount }, alertThresholds),
      });
    }
  }

  /** Declares an OpenSearch role (the security plugin's), returning its name. */
  public addRole(
    name: string,
    options: {
      readonly clusterPermissions?: readonly string[];
      readonly indexPermissions?: readonly { readonly indexPatterns: readonly string[]; readonly allowedActions: readonly string[] }[];
    },
  ): string {
    assertSecurityName('role', name);
    if (this.roles.has(name)) throw new Error(`OpenSearch cluster ${this.clusterName}: role "${name}" is declared twice`);
    this.roles.add(name);
    for (const permission of options.indexPermissions ?? []) {
      for (const pattern of permission.indexPatterns) assertIndexPattern(`role ${name}`, pattern);
    }
    new os.OpensearchRole(this, `Role-${name}`, {
      metadata: { name, namespace: this.namespace },
      spec: {
        opensearchCluster: { name: this.clusterName },
        clusterPermissions: [...(options.clusterPermissions ?? [])],
        indexPermissions: (options.indexPermissions ?? []).map((p) => ({
          indexPatterns: [...p.indexPatterns],
          allowedActions: [...p.allowedActions],
        })),
      },
    });
    return name;
  }

  /**
   * Declares an internal user holding `roles` (Strata's or the security plugin's built-in
   * ones), its password read from the secret store. Returns the Secret (`username`,
   * `password`) in the cluster's namespace; declaring the same user again returns it.
   * The operator's securityconfig Job re-applies `internal_users.yml` (when it or the admin or
   * Dashboards password changes), which drops such users until the operator re-creates them,
   * within about 30 seconds.
   * @param remoteKey secret-store key of the password @default `<prefix>/opensearch/<cluster>/users/<name>`
   */
  public addUser(name: string, options: { readonly roles: readonly string[]; readonly remoteKey?: string }): SecretReference {
    assertSecurityName('user', name);
    if (RESERVED_USERS.includes(name)) {
      throw new Error(`OpenSearch cluster ${this.clusterName}: user name "${name}" is reserved by the operator; choose another name`);
    }
    const existing = this.users.get(name);
    if (existing) {
      if (existing.roles.join() !== [...options.roles].sort().join()) {
        throw new Error(
          `OpenSearch cluster ${this.clusterName}: user "${name}" is declared twice with different roles (${existing.roles.join(', ')} and ${[...options.roles].sort().join(', ')}); declare it once with all its roles`,
        );
      }
      return existing.secret;
    }
    const secret = this.credential(`User-${name}`, `${this.clusterName}-user-${name}`, name, options.remoteKey ?? this.userKey(name));
    new os.OpensearchUser(this, `UserObject-${name}`, {
      metadata: { name, namespace: this.namespace },
      spec: { opensearchCluster: { name: this.clusterName }, passwordFrom: { name: secret.name, key: 'password' } },
    });
    new os.OpensearchUserRoleBinding(this, `UserRoles-${name}`, {
      metadata: { name, namespace: this.namespace },
      spec: { opensearchCluster: { name: this.clusterName }, users: [name], roles: [...options.roles] },
    });
    this.users.set(name, { secret, roles: [...options.roles].sort() });
    return secret;
  }

  /** Secret-store key of a user's password. */
  public userKey(name: string): string {
    return OpenSearchCluster.userKeyOf(this.props.secretKeyPrefix, this.clusterName, name);
  }

  public addIndexTemplate(name: string, options: IndexTemplateOptions): void {
    assertIndexName(`index template of cluster ${this.clusterName}`, name);
    if (this.templates.has(name)) throw new Error(`OpenSearch cluster ${this.clusterName}: index template "${name}" is added twice`);
    if (options.indexPatterns.length === 0) throw new Error(`index template ${name}: indexPatterns is empty; name the indices it applies to`);
    for (const pattern of options.indexPatterns) {
      assertIndexPattern(`index template ${name}`, pattern);
      this.assertNotRetained(pattern, `index template ${name}`);
    }
    this.templates.set(name, [...options.indexPatterns]);
    new os.OpensearchIndexTemplate(this, `IndexTemplate-${name}`, {
      metadata: { name: objectNameFor(name), namespace: this.namespace },
      spec: {
        opensearchCluster: { name: this.clusterName },
        name,
        indexPatterns: [...options.indexPatterns],
        priority: options.priority ?? 100,
        template: {
          settings: { index: { number_of_replicas: Math.min(1, this.dataNodeCount - 1) }, ...(options.settings ?? {}) },
          mappings: { ...options.mappings },
        },
      },
    });
  }

  /**
   * Deletes indices matching `indexPatterns` `deleteAfterDays` days after their creation (an
   * ISM policy applied to new matching indices). A pattern may not cover an index a template
   * was added for: those are live indices kept up to date in place, which an age-based delete
   * would wipe as a whole.
   */
  public addRetentionPolicy(name: string, options: { readonly indexPatterns: readonly string[]; readonly deleteAfterDays: number }): void {
    assertSecurityName('ISM policy', name);
    if (!Number.isInteger(options.deleteAfterDays) || options.deleteAfterDays < 1) {
      throw new Error(`retention policy ${name}: deleteAfterDays ${options.deleteAfterDays} must be a whole number of days, at least 1`);
    }
    if (options.indexPatterns.length === 0) throw new Error(`retention policy ${name}: indexPatterns is empty; name the indices it deletes`);
    if (this.retention.some((r) => r.name === name)) {
      throw new Error(`OpenSearch cluster ${this.clusterName}: retention policy "${name}" is added twice`);
    }
    for (const pattern of options.indexPatterns) assertIndexPattern(`retention policy ${name}`, pattern);
    this.retention.push({ name, patterns: [...options.indexPatterns] });
    for (const [template, patterns] of this.templates) for (const pattern of patterns) this.assertNotRetained(pattern, `index template ${template}`);
    new os.OpenSearchIsmPolicy(this, `Retention-${name}`, {
      metadata: { name, namespace: this.namespace },
      spec: {
        opensearchCluster: { name: this.clusterName },
        policyId: name,
        description: `Delete indices ${options.indexPatterns.join(', ')} ${options.deleteAfterDays} days after creation`,
        defaultState: 'hot',
        ismTemplate: { indexPatterns: [...options.indexPatterns], priority: 100 },
        states: [
          { name: 'hot', actions: [], transitions: [{ stateName: 'delete', conditions: { minIndexAge: `${options.deleteAfterDays}d` } }] },
          { name: 'delete', actions: [{ delete: {} }], transitions: [] },
        ],
      },
    });
  }

  public grantIndexWrite(grantee: IGrantee, indexPatterns: readonly string[]): IndexWriteAccess {
    const consumer = grantee.grantScope;
    const who = { name: grantee.granteeName, namespace: grantee.granteePods.namespace, podLabels: grantee.granteePods.podLabels };
    if (indexPatterns.length === 0) {
      throw new Error(`grantIndexWrite(${who.namespace}/${who.name}): indexPatterns is empty; name the indices it writes`);
    }
    if (this.users.has(who.name)) {
      throw new Error(
        `OpenSearch cluster ${this.clusterName}: grantIndexWrite(${who.namespace}/${who.name}) is called twice, or the name is taken by another user; grant all of a client's index patterns in one call`,
      );
    }
    const role = this.addRole(shortName(`${who.name}-index-write`), {
      // Bulk requests are authorised at cluster level; cluster_monitor answers the clients' version and health checks.
      clusterPermissions: ['cluster_monitor', 'indices:data/write/bulk'],
      indexPermissions: [{ indexPatterns, allowedActions: ['write', 'create_index', 'indices:admin/get', 'indices_monitor'] }],
    });
    this.addUser(who.name, { roles: [role] });
    dependOnLayerOf(consumer, this);
    const credentials = new SecretReference(consumer, `OpenSearchCredentials-${this.clusterName}-${who.name}`, {
      backend: this.props.secretBackend,
      namespace: who.namespace,
      name: `${who.name}-opensearch-credentials`,
      remoteKey: this.userKey(who.name),
      keys: { password: 'password' },
      type: 'kubernetes.io/basic-auth',
      template: { username: literalTemplate(who.name), password: '{{ .password }}' },
    });
    this.allowFrom(grantee);
    return { endpoint: this.endpoint, credentials, ca: PlatformCa.of(this).trustIn(consumer, who.namespace) };
  }

  /**
   * OpenSearch Dashboards as a platform UI (`PlatformUiRoute`): the `<cluster>-dashboards`
   * Service on 5601, HTTPS with its certificate of the platform CA, its own login behind the route's.
   */
  public get dashboardsUi(): PlatformUi {
    const service = `${this.clusterName}-dashboards`;
    return {
      target: {
        // Not the Service's name: `<service>-tls` is its certificate of the platform CA already.
        routeName: `${service}-ui`,
        serviceName: service,
        servicePort: DASHBOARDS_PORT,
        targetPort: DASHBOARDS_PORT,
        routePods: this.dashboardsPods,
        backendTls: { serverName: `${service}.${this.namespace}.svc` },
      },
    };
  }

  /** IGrantee: the nodes, under the cluster's name (snapshots). */
  public get granteeName(): string {
    return this.clusterName;
  }

  public get granteePods(): GranteePods {
    return this.serverPods;
  }

  public get grantScope(): Construct {
    return this;
  }

  /** Opens the REST API to `clients` (pods of another namespace or of this one). */
  /** The REST API as others connect to it: `connections.allowFrom(grantee)` is `allowFrom(grantee)`; the cluster as a client is its nodes. */
  public get connections(): Connections {
    this.connectionsOf ??= singlePortConnections({
      scope: this,
      name: this.clusterName,
      what: 'OpenSearch cluster',
      pods: this.serverPods,
      port: HTTP_PORT,
      admit: (client) => this.allowFrom(client),
      asClient: this,
    });
    return this.connectionsOf;
  }

  public allowFrom(peer: IGrantee): void {
    const clients = peer.granteePods;
    const name = peer.granteeName;
    const id = `AllowClient-${clients.namespace}-${name}`;
    if (this.node.tryFindChild(`${id}Egress`)) return;
    allowTraffic(this, id, { name: `allow-${name}-to-${this.clusterName}`, from: clients, to: this.serverPods, ports: [HTTP_PORT] });
  }

  /**
   * Snapshots every index but the security index into `bucket` daily (repository-s3 with the
   * bucket's own credential in the OpenSearch keystore, the tenant's CA added to the nodes'
   * truststore) and deletes snapshots past the retention, keeping a minimum count.
   */
  public backupTo(bucket: IBucket): BucketAccess {
    if (this.backup) {
      throw new Error(
        `OpenSearch cluster ${this.clusterName}: backupTo(${bucket.bucketName}) called twice; snapshots already go to ${this.backup.access.bucket}`,
      );
    }
    if (!bucket.privateCa) {
      // The nodes' truststore is built from the bucket's CA; a public CA would need the JDK's roots kept beside it.
      throw new Error(
        `OpenSearch cluster ${this.clusterName}: snapshots to bucket ${bucket.bucketName}, which has no CA of its own, are not supported yet; give the bucket its CA (caRemoteKey), or keep snapshots in the region's MinIO`,
      );
    }
    const access = bucket.grantReadWrite(this);
    this.backup = { access, repository: access.bucket };
    addSnapshotPolicy(this, 'SnapshotPolicy', {
      clusterName: this.clusterName,
      namespace: this.namespace,
      target: this.backup,
      schedule: this.props.snapshotSchedule,
      retention: this.props.snapshotRetention ?? { maxAge: '30d', minCount: 7 },
    });
    return access;
  }

  /** A Secret with `username` (fixed) and `password` (from the store) in the cluster's namespace. */
  private credential(id: string, name: string, username: string, remoteKey: string): SecretReference {
    return new SecretReference(this, id, {
      backend: this.props.secretBackend,
      namespace: this.namespace,
      name,
      remoteKey,
      keys: { password: 'password' },
      type: 'kubernetes.io/basic-auth',
      // The user name is decided here, so it always matches the OpenSearch user.
      template: { username: literalTemplate(username), password: '{{ .password }}' },
    });
  }

  private snapshotSetting<K extends keyof ReturnType<typeof snapshotNodeSettings>>(key: K) {
    return this.backup ? snapshotNodeSettings(this.backup, this.clusterName)[key] : undefined;
  }

  private assertNotRetained(indexOrPattern: string, what: string): void {
    if (indexOrPattern.includes('*')) return;
    const policy = this.retention.find((r) => r.patterns.some((p) => patternMatches(p, indexOrPattern)));
    if (policy) {
      throw new Error(
        `OpenSearch cluster ${this.clusterName}: retention policy ${policy.name} (${policy.patterns.join(', ')}) would delete ${indexOrPattern} of ${what}, a live index; narrow the retention patterns (e.g. "${indexOrPattern}-*")`,
      );
    }
  }
}

function validateProps(props: ResolvedProps): void {
  const what = `OpenSearch cluster ${props.name}`;
  if (!/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/.test(props.name)) {
    throw new Error(`${what}: name must be a DNS label of at most 40 characters (it prefixes pod, service and certificate names)`);
  }
  if (props.topology === 'dedicated' && (props.managers < 1 || props.managers % 2 === 0)) {
    throw new Error(`${what}: managers ${props.managers} must be odd (1, 3 or 5) for a cluster-manager quorum`);
  }
  if (!Number.isInteger(props.dataNodes) || props.dataNodes < 1) throw new Error(`${what}: dataNodes ${props.dataNodes} must be at least 1`);
  for (const [field, heap] of [
    ['heap', props.heap],
    ['managerHeap', props.managerHeap ?? DEFAULT_MANAGER_HEAP],
  ] as const) {
    if (!/^[1-9][0-9]*[mg]$/.test(heap)) throw new Error(`${what}: ${field} "${heap}" is not a JVM heap size; use e.g. 4g or 512m`);
  }
}

/**
 * A constant in an ExternalSecret template. Template data is always a Go template, so no
 * literal value (secret or not) can slip into the tree unnoticed.
 */
function literalTemplate(value: string): string {
  if (!/^[a-z0-9-]+$/.test(value)) throw new Error(`"${value}" cannot be written as a template constant`);
  return `{{ "${value}" }}`;
}

function dashboardsResources(r: ComputeResources) {
  return {
    requests: {
      cpu: os.OpenSearchClusterSpecDashboardsResourcesRequests.fromString(r.requests.cpu),
      memory: os.OpenSearchClusterSpecDashboardsResourcesRequests.fromString(r.requests.memory),
    },
    limits: {
      cpu: os.OpenSearchClusterSpecDashboardsResourcesLimits.fromString(r.limits.cpu),
      memory: os.OpenSearchClusterSpecDashboardsResourcesLimits.fromString(r.limits.memory),
    },
  };
}
