/**
 * The validated, fully-defaulted environment spec: what environments/ files become after
 * loading, merging and checking (see load.ts). Charts receive an `OverlaySpec` and nothing
 * else; constructs receive props derived from it. The vocabulary shared with the construct
 * library (resources, node pools, secret backends, GitOps, namespace policy, layers) is the
 * library's own (constructs/core/), re-exported here: environments/ depends on the library,
 * never the reverse.
 */
import type { AppInitProps } from '../constructs/apps/app-init';
import type { ApplicationProps } from '../constructs/apps/application';
import type { NodePool } from '../constructs/core/compute';
import type { GitOpsSpec } from '../constructs/core/gitops';
import type { ApiServerSpec, LimitRangeSpec, QuotaSpec } from '../constructs/core/namespace-policy';
import type { SecretBackend } from '../constructs/core/secret-backend';
import type { CloudNativePgClusterProps } from '../constructs/data/cloudnative-pg-cluster';
import type { ExternalRedisProps } from '../constructs/data/external-redis';
import type { AcmeSolver } from '../constructs/ingress/acme-issuer';
import type { MiddlewareSpec } from '../constructs/ingress/middleware-spec';
import type { LoggingSettings } from '../constructs/logging/logging-settings';
import type { AlertRoutingSettings } from '../constructs/monitoring/alert-routing-settings';
import type { GrafanaSettings } from '../constructs/monitoring/grafana-settings';
import type { PlatformAlertThresholds } from '../constructs/monitoring/platform-alerts';
import type { AlertmanagerSettings, PrometheusServerSettings } from '../constructs/monitoring/prometheus-stack-settings';
import type { VictoriaMetricsSettings } from '../constructs/monitoring/victoria-metrics-settings';
import type { MonitoringStackKind } from '../constructs/operators/catalog';
import type { OpenSearchClusterProps } from '../constructs/search/opensearch-cluster';
import type { MinioTenantProps } from '../constructs/storage/minio-tenant';
import type { KafkaClusterProps } from '../constructs/streaming/kafka-cluster';
import type { KafkaConnectClusterProps } from '../constructs/streaming/kafka-connect';

export { LAYERS } from '../constructs/core/layers';
export type { LayerName } from '../constructs/core/layers';
export type { ComputeResources, NodePool } from '../constructs/core/compute';
export type { GitOpsSpec } from '../constructs/core/gitops';
export type { ApiServerSpec, LimitRangeSpec, QuotaSpec } from '../constructs/core/namespace-policy';
export type { SealedSecretEntry, SecretBackend, SopsSecretEntry } from '../constructs/core/secret-backend';

export const TIERS = ['prod', 'staging', 'dev', 'test'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * A cluster the region runs in each environment besides others (an `infra` cluster for the
 * databases and an `apps` cluster for the applications, say): `<clusterPrefix>-<env>-<key>`.
 */
export interface RegionClusterSpec {
  /**
   * One cluster runs every environment of the region, each as namespaces of its own (a k3s
   * cluster with prod, stage, dev and test): `<clusterPrefix>-<key>`. Operators, CRDs and
   * cluster-scoped objects are rendered once for it. It is then the region's only cluster.
   * @default false: one cluster of this kind per environment
   */
  readonly shared?: boolean;
  /**
   * A shared cluster's namespaces that several environments place components in (a shared
   * `infra` for the databases): rendered once, without a ResourceQuota (no environment's
   * quota is theirs). Each environment's objects in them must have names of their own.
   */
  readonly namespaces?: Readonly<Record<string, SharedNamespaceSpec>>;
  /** Argo CD only: the API server URL this cluster is registered under in Argo CD. @default the region's gitops.destinationServer */
  readonly destinationServer?: string;
  /**
   * The addresses this cluster's traffic leaves from as other clusters see it (node addresses
   * or NAT gateways), as CIDR blocks: services exported to it admit exactly these. Required
   * when a service is exported to the cluster.
   */
  readonly egressCidrs?: readonly string[];
}

/** A namespace of a shared cluster used by several environments. */
export interface SharedNamespaceSpec {
  /** @default 'restricted' */
  readonly podSecurity?: 'restricted' | 'baseline' | 'privileged';
  /** Why the namespace runs below `restricted` (required then). */
  readonly podSecurityReason?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A region: one Kubernetes cluster per environment (or several, by `clusters`), sharing these facts. */
export interface RegionSpec {
  readonly name: string;
  /** Prefix of each environment's cluster name: `<clusterPrefix>-<env>` (`<clusterPrefix>-<env>-<cluster>` with `clusters`). */
  readonly clusterPrefix: string;
  /** The clusters of each environment, by key. Empty: one cluster per environment. */
  readonly clusters: Readonly<Record<string, RegionClusterSpec>>;
  readonly baseDomain: string;
  readonly storageClasses: { readonly fast: string; readonly retain: string };
  /** Nodes reserved for databases and other stateful services. */
  readonly databaseNodes: NodePool;
  /** Node label carrying the failure zone; used for spreading and rack awareness. */
  readonly zoneLabel: string;
  readonly gitops: GitOpsSpec;
  readonly secrets: SecretBackend;
  /** S3 endpoint of the region's object storage as other regions reach it. */
  readonly objectStorage: { readonly endpoint: string };
  /**
   * Container registry for images Strata has built in the cluster (Kafka Connect with its
   * plugins): repository prefix and the name of a docker-registry Secret allowed to push.
   */
  readonly registry?: { readonly repository: string; readonly pushSecret: string };
  /**
   * The Kubernetes API server's addresses: API-server egress and webhook ingress are limited
   * to them. Without them those rules allow any address (and synth warns).
   */
  readonly apiServer?: ApiServerSpec;
  /** Refuse downloads (plugin archives, plugin URLs) that carry no checksum. */
  readonly requireChecksums: boolean;
  /**
   * The Kubernetes distribution of the region's clusters: `k3s` serves no etcd, scheduler,
   * controller-manager or kube-proxy metrics, so the chart neither scrapes nor alerts on them.
   * @default 'kubernetes'
   */
  readonly distribution: 'kubernetes' | 'k3s';
}

export type PostgresEngine = 'cloudnative-pg' | 'zalando' | 'external-patroni';

export interface PostgresDatabaseSpec {
  /** Database name; also the owning role's name. */
  readonly name: string;
  /** PgBouncer instances in front of this database (0: no pooler). */
  readonly poolerInstances: number;
  readonly poolMode: 'session' | 'transaction';
  /** Extensions the operator creates in the database (`vector`, `pg_trgm`). Absent: none. */
  readonly extensions?: readonly string[];
  /** The database's pooler offered to another cluster of the environment. Absent: this cluster only. */
  readonly export?: DatabaseExportSpec;
}

/**
 * A database's PgBouncer pooler exported to another cluster of the same environment (the
 * databases in an `infra` cluster, their applications in `apps`): a LoadBalancer Service at
 * `address` on the exporting side, admitting only the consuming cluster's egressCidrs, and on
 * the consuming side a Service of the pooler's name with the address as its endpoint, the
 * owner's credentials by reference and the egress to it.
 */
export interface DatabaseExportSpec {
  /** The consuming cluster: a key of the region's `clusters`. */
  readonly to: string;
  /** The LoadBalancer address the pooler is offered on (IPv4, from the exporting cluster's load-balancer pool). */
  readonly address: string;
  /** A DNS name for the address, published by external-dns. @default none */
  readonly hostname?: string;
  /** The namespace in the consuming cluster where the database appears. @default the database name, `_` as `-` */
  readonly namespace?: string;
}

/**
 * A PostgreSQL cluster's settings. The cluster fields are CloudNativePgClusterProps' (the other
 * engines take the same ones: the charts pass them on); name is a public contract, never
 * rename a live cluster.
 */
export interface PostgresSpec extends Required<
  Pick<
    CloudNativePgClusterProps,
    'name' | 'namespace' | 'instances' | 'synchronous' | 'podAntiAffinity' | 'storageSize' | 'walStorageSize' | 'resources' | 'parameters'
  >
> {
  readonly enabled: boolean;
  readonly engine: PostgresEngine;
  /** A PostgreSQL image of the engine's shape (CloudNativePG's, or a Spilo build for Zalando), pinned. Absent: the engine's default. */
  readonly image?: string;
  /** CloudNativePG only: libraries loaded at start (CloudNativePgClusterProps.sharedPreloadLibraries). Absent: none. */
  readonly sharedPreloadLibraries?: readonly string[];
  readonly databases: readonly PostgresDatabaseSpec[];
  readonly backup: { readonly schedule: string; readonly retention: string };
  /** Only for engine `external-patroni`: the VMs running PgBouncer in front of Patroni. */
  readonly external: {
    readonly addresses: readonly string[];
    readonly pgbouncerPort: number;
    readonly exporterPort: number;
    /**
     * The VMs run with `wal_level = logical` and a PostgreSQL port reachable for CDC
     * (PgBouncer cannot carry logical replication).
     */
    readonly logicalDecoding: boolean;
    /** PostgreSQL port on the VMs, for CDC replication connections. */
    readonly postgresPort: number;
  };
}

/** A MinIO tenant's settings: the fields of MinioTenantProps the environment files set. */
export interface MinioSpec extends Required<
  Pick<MinioTenantProps, 'name' | 'namespace' | 'servers' | 'volumesPerServer' | 'volumeSize' | 'resources'>
> {
  readonly enabled: boolean;
}

/**
 * Where PostgreSQL archives and base backups, Velero's backups and OpenSearch snapshots go:
 * the region's MinIO tenant (`minio`, the default), or S3 outside the cluster (`s3`), whose
 * buckets `pg-backups`, `velero` and `opensearch-snapshots` exist at the provider.
 */
export interface BackupStorageSpec {
  readonly kind: 'minio' | 's3';
  /** `s3` only: the provider's endpoint, e.g. https://s3.eu-central-1.amazonaws.com. */
  readonly endpoint?: string;
  /** `s3` only: the region the client signs for. @default us-east-1 */
  readonly region?: string;
  /** `s3` only: secret-store key of the credential (accessKey, secretKey). @default <region>/<env>/s3/backups */
  readonly credentialsKey?: string;
  /** `s3` only: secret-store key (property ca.crt) of a private CA. @default none: the system's roots */
  readonly caKey?: string;
  /** `s3` only: the endpoint's addresses, to narrow the egress. @default any address */
  readonly endpointCidrs?: readonly string[];
}

/** Redis with Sentinel outside the cluster: the fields of ExternalRedisProps the environment files set. */
export interface RedisSpec extends Required<Pick<ExternalRedisProps, 'name' | 'namespace' | 'addresses' | 'port' | 'sentinelPort' | 'masterName'>> {
  readonly enabled: boolean;
}

export interface VeleroSpec {
  readonly enabled: boolean;
  /** Cron schedule (in the Velero server's time zone). */
  readonly schedule: string;
  /** Backup retention, a Go duration such as `720h`. */
  readonly ttl: string;
  /** Namespaces backed up in addition to the ones Strata renders workloads into. */
  readonly extraNamespaces: readonly string[];
}

/** A Kafka cluster's settings: the fields of KafkaClusterProps the environment files set. */
export interface KafkaSpec extends Required<
  Pick<
    KafkaClusterProps,
    | 'name'
    | 'namespace'
    | 'topology'
    | 'controllers'
    | 'brokers'
    | 'storageSize'
    | 'resources'
    | 'replicationFactor'
    | 'minInsyncReplicas'
    | 'retentionHours'
    | 'authentication'
  >
> {
  readonly enabled: boolean;
}

/** Kafka Connect's settings: the fields of KafkaConnectClusterProps the environment files set (an empty image: Strimzi builds one). */
export interface KafkaConnectSpec extends Required<Pick<KafkaConnectClusterProps, 'replicas' | 'resources' | 'image'>> {}

/** An OpenSearch cluster's settings: the fields of OpenSearchClusterProps the environment files set. */
export interface OpenSearchSpec extends Required<
  Pick<
    OpenSearchClusterProps,
    'name' | 'namespace' | 'topology' | 'managers' | 'dataNodes' | 'storageSize' | 'resources' | 'heap' | 'snapshotSchedule' | 'prometheusExporter'
  >
> {
  readonly enabled: boolean;
  /** Days snapshots are kept. */
  readonly retentionDays: number;
}

export interface CdcIndexSpec {
  readonly index: string;
  readonly mappings: Readonly<Record<string, unknown>>;
  /** The table's primary-key column, used as the document id. @default 'id' */
  readonly documentId?: string;
}

/** One CDC flow: Postgres tables → Debezium → Kafka topics → OpenSearch indices. */
export interface CdcPipelineSpec {
  readonly name: string;
  readonly database: string;
  /** Captured tables as `schema.table`. */
  readonly tables: readonly string[];
  /** Per captured table: the index it lands in and the index mappings. */
  readonly indices: Readonly<Record<string, CdcIndexSpec>>;
}

export interface StreamingSpec {
  readonly kafka: KafkaSpec;
  readonly connect: KafkaConnectSpec;
  readonly pipelines: readonly CdcPipelineSpec[];
  /** Topics a DR replica mirrors from its primary with MirrorMaker 2 (a regular expression). */
  readonly mirrorTopics: string;
}

/**
 * Disaster-recovery role. `role` and `of` say how the pair was built (the replica was
 * bootstrapped from the primary's archive) and never change for a running pair; which side
 * leads is `promoted`: set it on the replica to make it the leader (a one-field change).
 */
export type DrSpec =
  | { readonly role: 'primary' }
  | {
      readonly role: 'replica';
      /** The overlay this one was built from, `<region>/<env>`. */
      readonly of: string;
      /** This replica leads the pair; its origin follows. @default false */
      readonly promoted?: boolean;
      /**
       * CloudNativePG promotion token from the demoted side (`status.demotionToken`), for a
       * switchover without data loss. Omit it in a disaster, when the old leader is gone.
       */
      readonly promotionToken?: string;
    };

/** Everything an overlay file (and the layers under it) can set. */
/** A namespace the overlay declares: its Pod Security level, quota and labels (components are placed in it by their `namespace`). */
export interface NamespaceSpec {
  /** @default 'restricted' */
  readonly podSecurity?: 'restricted' | 'baseline' | 'privileged';
  /** Why the namespace runs below `restricted` (required then; rendered as an annotation). */
  readonly podSecurityReason?: string;
  /** The namespace gets the tier's ResourceQuota. @default true */
  readonly quota?: boolean;
  /** Labels of the user's own (team, cost centre). @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Which of the region's clusters each layer runs on (`default` for the layers not named, and
 * for declared namespaces). Only with the region's `clusters`; its only cluster is the default
 * when it declares one.
 */
export interface PlacementSpec {
  readonly default?: string;
  readonly data?: string;
  readonly streaming?: string;
  readonly search?: string;
  readonly backup?: string;
  readonly apps?: string;
  readonly ingress?: string;
  readonly monitoring?: string;
}

/**
 * An application: the fields of ApplicationProps the environment files set (defaults from
 * APPLICATION_DEFAULTS), what it uses, and where it is served.
 */
export interface AppSpec
  extends
    Required<Pick<ApplicationProps, 'image' | 'port' | 'replicas' | 'resources'>>,
    Pick<
      ApplicationProps,
      | 'namespace'
      | 'command'
      | 'args'
      | 'env'
      | 'probes'
      | 'writablePaths'
      | 'runAsUser'
      | 'autoscaling'
      | 'blueGreen'
      | 'relaxations'
      | 'files'
      | 'workload'
    > {
  readonly enabled: boolean;
  /**
   * Work done before the app starts, once per change of what it runs: a Job in the init
   * layer, which the apps layer waits for; it gets the app's database too. @default none
   */
  readonly init?: Pick<AppInitProps, 'command' | 'args' | 'env'> & { readonly image?: string };
  /**
   * Persistent volumes by name: a claim `<app>-<name>` on the region's storage class (`retain`,
   * the default, keeps the volume when the claim goes; `fast` does not). @default none
   */
  readonly volumes?: Readonly<
    Record<
      string,
      {
        readonly path: string;
        readonly size: string;
        readonly storageClass?: 'fast' | 'retain';
        readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
      }
    >
  >;
  /**
   * Credential files by absolute path: a property of the app's secret-store entry
   * `<region>/<env>/apps/<app>`, mounted read-only. @default none
   */
  readonly secretFiles?: Readonly<Record<string, { readonly property: string }>>;
  /**
   * Credentials as environment variables by name: a property of the same secret-store entry
   * `<region>/<env>/apps/<app>`. @default none
   */
  readonly secretEnv?: Readonly<Record<string, { readonly property: string }>>;
  /** The app uses the overlay's Redis (`redis`): its addresses, Sentinel and the password. @default false */
  readonly redis?: boolean;
  /** A database of the overlay's `postgres` the app uses: its owner's credentials, through the pooler. @default none */
  readonly database?: string;
  /**
   * Other apps of the overlay this one calls: `<APP>_HOST` and `<APP>_PORT` for each (the
   * name in capitals, `-` as `_`) and the network rules on both sides. @default none
   */
  readonly uses?: readonly string[];
  /**
   * Indices of the overlay's OpenSearch the app writes (names or `*` patterns): a user and role
   * of its own, OPENSEARCH_URL, OPENSEARCH_USERNAME, OPENSEARCH_PASSWORD and the CA
   * (OPENSEARCH_CA_FILE). @default none
   */
  readonly opensearch?: { readonly indices: readonly string[] };
  /**
   * Kafka topics the app produces to (declared with the cluster's defaults when no pipeline
   * declares them) and consumes from (as consumer group `<app>`): a Kafka user named after the
   * app with those ACLs, the bootstrap address, the cluster CA and the credential. The app runs
   * in Kafka's namespace, the only one the User Operator writes credentials into. @default none
   */
  readonly kafka?: { readonly produce?: readonly string[]; readonly consume?: readonly string[] };
  /**
   * Served through Traefik with a Let's Encrypt certificate. `host` defaults to
   * `<app>.<baseDomain>` in the `prod` environment and `<app>.<env>.<baseDomain>` elsewhere.
   * @default not exposed
   */
  readonly expose?: {
    readonly host?: string;
    readonly path?: string;
    /**
     * Shares of the route's traffic by environment of the same shared cluster, this one
     * included (`{prod: 70, stage: 30}`): each environment's app of this name. Needs
     * `ingress.allowCrossNamespace`. @default all to this environment's app
     */
    readonly split?: Readonly<Record<string, number>>;
    /** Middlewares of `ingress.middlewares` applied in order. @default none */
    readonly middlewares?: readonly string[];
  };
}

/** The ingress layer's certificates: Let's Encrypt through cert-manager. */
export interface IngressSpec {
  readonly acme: {
    /** The ACME account's address (expiry notices); required once an app is exposed. */
    readonly email?: string;
    readonly server: 'production' | 'staging';
    readonly solver: AcmeSolver;
  };
  /**
   * Traefik may send a route to Services of other namespaces (a split across environments);
   * the same for every environment of a shared cluster (set it in the region's defaults). @default false
   */
  readonly allowCrossNamespace: boolean;
  /**
   * One certificate for every host under the environment's domain (`*.<baseDomain>` in prod,
   * `*.<env>.<baseDomain>` elsewhere) in Traefik's default TLS store, through the DNS-01
   * solver; routes under it need none of their own. Not in a cluster the region's
   * environments share (its store has one default). @default false
   */
  readonly wildcard: boolean;
  /** Traefik middlewares by name (a DNS label), for the routes that list them. */
  readonly middlewares: Readonly<Record<string, MiddlewareSpec>>;
}

/** A platform UI served through Traefik. */
export interface UiExposure {
  /** @default `<ui>.<baseDomain>` in prod, `<ui>.<env>.<baseDomain>` elsewhere (PLATFORM_UI_HOSTS) */
  readonly host?: string;
  /** Middlewares of `ingress.middlewares` applied in order; at least one basicAuth or forwardAuth. */
  readonly middlewares: readonly string[];
}

/** The platform's UIs an overlay exposes, one field each. @default none exposed */
export interface UiSpec {
  /** kube-prometheus-stack's Grafana (Prometheus in the cluster). */
  readonly grafana?: UiExposure;
  /** The overlay's OpenSearch Dashboards. */
  readonly opensearchDashboards?: UiExposure;
  /** The overlay's MinIO tenant's console. */
  readonly minioConsole?: UiExposure;
  /** Traefik's dashboard. */
  readonly traefikDashboard?: UiExposure;
}

/** Where Prometheus runs, and where its alerts' runbooks are read. */
export interface MonitoringSpec {
  /**
   * Where this repository's files are browsed (e.g. `https://github.com/acme/platform/blob/main`):
   * each alert's `runbook_url` is this followed by its page's path, `constructs/<area>/runbooks/<alert>.md`.
   * @default the path alone, relative to the repository root
   */
  readonly runbookBaseUrl?: string;
  /**
   * What runs the in-cluster monitoring: `kube-prometheus-stack` (Prometheus, Alertmanager,
   * kube-state-metrics, node-exporter), or `victoriametrics` (the VictoriaMetrics operator's
   * VMSingle or VMCluster, VMAgent, VMAlert and VMAlertmanager, which convert the PodMonitors,
   * ServiceMonitors and PrometheusRules the components render). Both are sized by `prometheus`
   * and `alertmanager`; Grafana is a release of its own beside either. @default 'kube-prometheus-stack'
   */
  readonly stack: MonitoringStackKind;
  /** The in-cluster Prometheus servers (kube-prometheus-stack; VMSingle's storage and resources, the VMAgent and VMAlert replicas), sized by the tier. */
  readonly prometheus: PrometheusServerSettings;
  /** The in-cluster Alertmanagers, sized by the tier. */
  readonly alertmanager: AlertmanagerSettings;
  /** How VictoriaMetrics stores samples (`stack: victoriametrics`): a VMCluster in prod, one VMSingle elsewhere, by the tier. */
  readonly victoriametrics: VictoriaMetricsSettings;
  /**
   * The cluster's container logs: where they go (`backend`, environments/logging-checks.ts
   * resolves its default) and how many days they are kept (from the tier).
   */
  readonly logging: LoggingSettings;
  /** The in-cluster Grafana: single sign-on through the organisation's identity provider. @default Grafana's own accounts only */
  readonly grafana?: GrafanaSettings;
  /** Thresholds of the platform alerts (node filesystems, volumes, certificates, restarts, CPU, memory). @default PLATFORM_ALERT_DEFAULTS */
  readonly thresholds?: PlatformAlertThresholds;
  /**
   * Where the alerts go: receivers (their keys and URLs from the secret backend, entry
   * `<region>/<env>/monitoring/alertmanager-<receiver>`), routes by severity and layer, the
   * watchdog. @default none: the Alertmanager drops every alert (dev clusters)
   */
  readonly alerting?: AlertRoutingSettings;
  /**
   * A Prometheus (and Alertmanager) outside the cluster, on a VM: Strata installs no
   * kube-prometheus-stack, admits these addresses to the metrics ports, and renders the scrape
   * jobs and alerting rules it must hold under `<layers>/prometheus/`. Absent: in the cluster.
   */
  readonly external?: {
    /** The Prometheus servers' addresses as the cluster sees them (IPv4). */
    readonly addresses: readonly string[];
    /** The API server URL Prometheus discovers pods through, e.g. https://10.40.0.10:6443. */
    readonly apiServerUrl: string;
  };
}

export interface OverlaySettings {
  readonly tier: Tier;
  readonly placement: PlacementSpec;
  readonly monitoring: MonitoringSpec;
  readonly ui: UiSpec;
  /** Applications by name (a DNS label of at most 53 characters): a public contract. */
  readonly apps: Readonly<Record<string, AppSpec>>;
  readonly ingress: IngressSpec;
  readonly quota: QuotaSpec;
  readonly limitRange: LimitRangeSpec;
  readonly postgres: PostgresSpec;
  /**
   * Further PostgreSQL clusters by name (one per domain, say). Each takes what it does not set
   * from `postgres` except its databases (none) and its namespace (its name); DR pairs and CDC
   * pipelines use the `postgres` cluster only.
   */
  readonly postgresClusters: Readonly<Record<string, PostgresSpec>>;
  readonly minio: MinioSpec;
  readonly velero: VeleroSpec;
  readonly redis: RedisSpec;
  readonly backupStorage: BackupStorageSpec;
  /** Namespaces declared by name (a DNS label); Strata renders them whether or not a component uses them. */
  readonly namespaces: Readonly<Record<string, NamespaceSpec>>;
  readonly streaming: StreamingSpec;
  readonly opensearch: OpenSearchSpec;
  readonly dr: DrSpec;
}

/** One region × environment: the unit that renders to dist/<region>/<env>/ and one cluster (or one per declared cluster it uses). */
export interface OverlaySpec {
  /** `<region>/<env>`, as used in `--only` and in `dr.of`. */
  readonly id: string;
  readonly region: RegionSpec;
  readonly environment: string;
  /** The cluster this overlay deploys to: `<clusterPrefix>-<env>` (with declared clusters, the prefix of their names). */
  readonly clusterName: string;
  /** The environment file, relative to the environments folder (for error messages). */
  readonly sourceFile: string;
  /**
   * The layers merged into `settings`, lowest first, with their files (built-in layers in
   * parentheses): which file set a field, for problems found after loading.
   */
  readonly settingsSources: readonly { readonly file: string; readonly data: unknown }[];
  readonly settings: OverlaySettings;
  /**
   * The DR pair as it runs now: `primary` is the overlay this one follows (absent when this
   * one leads); `replicas` are the overlays following this one. Promotion swaps them.
   */
  readonly peers: { readonly primary?: OverlayRef; readonly replicas: readonly OverlayRef[] };
  /**
   * In a cluster shared by the region's environments: the other environments' apps, by
   * environment and app name, as a route splitting traffic across environments reaches them.
   */
  readonly clusterMates?: Readonly<Record<string, Readonly<Record<string, { readonly namespace: string; readonly port: number }>>>>;
  /** Apps of this overlay other environments' routes send a share to (app → those environments): Traefik is admitted to them. */
  readonly splitFrom?: Readonly<Record<string, readonly string[]>>;
}

/** What one overlay may know about another (no back-references, no cycles). */
export interface OverlayRef {
  readonly id: string;
  readonly region: RegionSpec;
  readonly environment: string;
  readonly settings: OverlaySettings;
}

/**
 * An explicit go-ahead for one change the transition guard would refuse (a stateful object
 * removed, replication lowered, a DR role changed), written in the file of the overlay it
 * concerns, in its region's file (for an overlay that goes away) or in platform.yaml (for a
 * region that goes away).
 */
export interface Acknowledgement {
  /** The file that holds it, relative to the environments folder. */
  readonly file: string;
  /** Its position in that file's `acknowledge:` list, for messages. */
  readonly index: number;
  /** What it may acknowledge: changes of one overlay, of one region's overlays, or any. */
  readonly scope: { readonly overlay: string } | { readonly region: string } | { readonly platform: true };
  /** The object as synth names it, e.g. `Cluster.postgresql.cnpg.io postgres/postgres` or `overlay region-a/staging`. */
  readonly object: string;
  /** `removed`, or the field that changes, e.g. `spec.instances`. */
  readonly change: string;
  /** Why the change is intended; shown in the rendered tree. */
  readonly reason: string;
}
