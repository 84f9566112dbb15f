/**
 * The validated, fully-defaulted environment spec: what environments/ files become after
 * loading, merging and checking (see load.ts). Charts receive an `OverlaySpec` and nothing
 * else; constructs receive props derived from it. The vocabulary shared with the construct
 * library (resources, node pools, secret backends, GitOps, namespace policy, layers) is the
 * library's own (constructs/core/), re-exported here: environments/ depends on the library,
 * never the reverse.
 */
import type { ComputeResources, NodePool } from '../constructs/core/compute';
import type { GitOpsSpec } from '../constructs/core/gitops';
import type { ApiServerSpec, LimitRangeSpec, QuotaSpec } from '../constructs/core/namespace-policy';
import type { SecretBackend } from '../constructs/core/secret-backend';

export { LAYERS } from '../constructs/core/layers';
export type { LayerName } from '../constructs/core/layers';
export type { ComputeResources, NodePool } from '../constructs/core/compute';
export type { GitOpsSpec } from '../constructs/core/gitops';
export type { ApiServerSpec, LimitRangeSpec, QuotaSpec } from '../constructs/core/namespace-policy';
export type { SealedSecretEntry, SecretBackend } from '../constructs/core/secret-backend';

export const TIERS = ['prod', 'staging', 'dev', 'test'] as const;
export type Tier = (typeof TIERS)[number];

/** A region: one Kubernetes cluster per environment, sharing these facts. */
export interface RegionSpec {
  readonly name: string;
  /** Prefix of each environment's cluster name: `<clusterPrefix>-<env>`. */
  readonly clusterPrefix: string;
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
}

export type PostgresEngine = 'cloudnative-pg' | 'zalando' | 'external-patroni';

export interface PostgresDatabaseSpec {
  /** Database name; also the owning role's name. */
  readonly name: string;
  /** PgBouncer instances in front of this database (0: no pooler). */
  readonly poolerInstances: number;
  readonly poolMode: 'session' | 'transaction';
}

export interface PostgresSpec {
  readonly enabled: boolean;
  readonly engine: PostgresEngine;
  /** Cluster name (object name: a public contract, never rename a live cluster). */
  readonly name: string;
  readonly instances: number;
  /** Quorum synchronous replication inside the region. */
  readonly synchronous: boolean;
  /** Whether two instances may share a node: `required` spreads them or leaves pods pending. */
  readonly podAntiAffinity: 'required' | 'preferred';
  readonly storageSize: string;
  readonly walStorageSize: string;
  readonly resources: ComputeResources;
  readonly parameters: Readonly<Record<string, string>>;
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

export interface MinioSpec {
  readonly enabled: boolean;
  readonly name: string;
  readonly servers: number;
  readonly volumesPerServer: number;
  readonly volumeSize: string;
  readonly resources: ComputeResources;
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

export interface KafkaSpec {
  readonly enabled: boolean;
  /** Kafka cluster name (a public contract). */
  readonly name: string;
  /** `dedicated`: separate controller and broker node pools; `combined`: dual-role nodes. */
  readonly topology: 'dedicated' | 'combined';
  /** KRaft controllers (dedicated topology only). */
  readonly controllers: number;
  /** Brokers, or dual-role nodes in the combined topology. */
  readonly brokers: number;
  readonly storageSize: string;
  readonly resources: ComputeResources;
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  /** Default topic retention in hours. */
  readonly retentionHours: number;
  /** Client authentication on the internal TLS listener. */
  readonly authentication: 'scram-sha-512' | 'tls';
}

export interface KafkaConnectSpec {
  readonly replicas: number;
  readonly resources: ComputeResources;
  /**
   * A prebuilt Connect image that already holds the Debezium PostgreSQL and OpenSearch sink
   * plugins. Empty: Strimzi builds one and pushes it to the region's registry.
   */
  readonly image: string;
}

export interface OpenSearchSpec {
  readonly enabled: boolean;
  readonly name: string;
  /** `dedicated`: cluster-manager and data pools; `combined`: nodes with both roles. */
  readonly topology: 'dedicated' | 'combined';
  /** Cluster-manager nodes (dedicated topology; odd, for a quorum). */
  readonly managers: number;
  /** Data nodes, or combined nodes. */
  readonly dataNodes: number;
  readonly storageSize: string;
  readonly resources: ComputeResources;
  /** JVM heap, e.g. `2g` (about half the memory limit). */
  readonly heap: string;
  /** Snapshot schedule, five-field cron. */
  readonly snapshotSchedule: string;
  /** Days an index lives before the ISM policy deletes it. */
  readonly retentionDays: number;
  /**
   * The Prometheus exporter plugin, which each node downloads when it starts with no
   * checksum; metrics and alerts of the cluster come from it.
   */
  readonly prometheusExporter: boolean;
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
export interface OverlaySettings {
  readonly tier: Tier;
  readonly quota: QuotaSpec;
  readonly limitRange: LimitRangeSpec;
  readonly postgres: PostgresSpec;
  readonly minio: MinioSpec;
  readonly velero: VeleroSpec;
  readonly streaming: StreamingSpec;
  readonly opensearch: OpenSearchSpec;
  readonly dr: DrSpec;
}

/** One region × environment: the unit that renders to dist/<region>/<env>/ and one cluster. */
export interface OverlaySpec {
  /** `<region>/<env>`, as used in `--only` and in `dr.of`. */
  readonly id: string;
  readonly region: RegionSpec;
  readonly environment: string;
  /** The cluster this overlay deploys to: `<clusterPrefix>-<env>`. */
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
