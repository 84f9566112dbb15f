import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CloudNativePgAlertOptions, cloudNativePgAlerts, cloudNativePgAlertThresholds } from './cloudnative-pg-alerts';
import type { DatabaseExport } from './database-export';
import { PGBOUNCER_METRICS_PORT } from './pgbouncer-metrics';
import {
  AddDatabaseOptions,
  AddRoleOptions,
  assertIdentifier,
  captureIdentifier,
  ChangeCapture,
  ChangeCaptureOptions,
  logicalDecodingParameters,
  objectName,
} from './postgres-cluster';
import { PostgresClusterBase, sharedPostgresDefaults } from './postgres-cluster-base';
import { POSTGRES_DEFAULTS } from './postgres-defaults';
import * as barman from '../../imports/barmancloud.cnpg.io';
import * as cnpg from '../../imports/postgresql.cnpg.io';
import type { ComputeResources, NodePool } from '../core/compute';
import type { IGrantee } from '../core/grantee';
import { secretKeyPrefix } from '../core/naming';
import { parseQuantity } from '../core/quantity';
import type { SecretBackend } from '../core/secret-backend';
import { addAlertRules, RUNBOOKS } from '../platform/alert-rules';
import { externalAddressesProblem } from '../platform/external-addresses';
import { pinnedImageProblem, tagStartsWithMajorVersion } from '../platform/image-reference';
import { componentLabels } from '../platform/labels';
import { LayerChart } from '../platform/layer-chart';
import { shortName } from '../platform/names';
import { allowEgressToAddresses, allowTraffic, PodGroup } from '../platform/network';
import { compareStrings } from '../platform/ordering';
import { OverlayContext } from '../platform/overlay-context';
import { protectFromPrune } from '../platform/protection';
import { nodePoolSelector, nodePoolTolerations } from '../platform/scheduling';
import { scrapePods } from '../platform/scrape';
import { SecretReference } from '../secrets/secret-reference';
import type { BucketAccess, IBucket } from '../storage/bucket';
import { PlatformCa } from '../tls/platform-ca';
import { POSTGRES_IMAGES } from '../versions';

const BARMAN_PLUGIN = 'barman-cloud.cloudnative-pg.io';
const PORT = 5432;
/** Instance manager status port the operator polls. */
const STATUS_PORT = 8000;
const METRICS_PORT = 9187;

export interface CloudNativePgClusterProps {
  /** The Cluster's name (and its services' prefix). @default 'postgres' */
  readonly name?: string;
  /** @default 'postgres' */
  readonly namespace?: string;
  /** @default 3 */
  readonly instances?: number;
  /** Quorum synchronous replication (needs at least 2 instances). @default true */
  readonly synchronous?: boolean;
  /** Instances on different nodes: always (`required`) or when the scheduler can. @default 'required' */
  readonly podAntiAffinity?: 'required' | 'preferred';
  /** @default '100Gi' */
  readonly storageSize?: string;
  /** @default '20Gi' */
  readonly walStorageSize?: string;
  /** Storage class, best with reclaim policy Retain. @default the cluster's default storage class */
  readonly storageClass?: string;
  /** @default 2 CPUs and 8Gi, requests equal to limits (Guaranteed QoS) */
  readonly resources?: ComputeResources;
  /** postgresql.conf parameters. @default POSTGRES_DEFAULTS.parameters (sized for the default resources) */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Nodes reserved for databases. @default any node */
  readonly nodePool?: NodePool;
  /** Node label carrying the zone, for spreading instances. @default 'topology.kubernetes.io/zone' */
  readonly zoneLabel?: string;
  /** Where the cluster's credentials come from (never rendered as values). */
  readonly secretBackend: SecretBackend;
  /** Prefix of every key this cluster reads from the secret store. @default `<region>/<environment>` of its layer */
  readonly secretKeyPrefix?: string;
  /** Name of this cluster in the cross-region topology. @default `<name>-<region>` of its layer */
  readonly topologyName?: string;
  /** Base backup schedule, five-field cron. @default '0 1 * * *' */
  readonly backupSchedule?: string;
  /** Backup and WAL retention. @default '30d' */
  readonly backupRetention?: string;
  /** Thresholds of the cluster's alerts. @default see `CloudNativePgAlertOptions` */
  readonly alerts?: CloudNativePgAlertOptions;
  /**
   * The PostgreSQL image (`imageName`): one built for CloudNativePG (its `postgres` user,
   * barman-cloud tooling), pinned by a tag other than `latest` or by a digest, e.g. an image
   * with a CJK text-search parser and pgvector. CloudNativePG reads the major version from
   * the tag, so the tag starts with it (`15-cjk`, `17.5`).
   * @default POSTGRES_IMAGES.cloudnativePg
   */
  readonly image?: string;
  /**
   * Libraries PostgreSQL loads at start (`spec.postgresql.shared_preload_libraries`, added to
   * CloudNativePG's own), from what the image ships, e.g. `pg_cron`. @default none
   */
  readonly sharedPreloadLibraries?: readonly string[];
}

/** CloudNativePgClusterProps with every default applied. */
type ResolvedProps = Required<Omit<CloudNativePgClusterProps, 'namespace' | 'storageClass' | 'nodePool' | 'alerts' | 'sharedPreloadLibraries'>> &
  Pick<CloudNativePgClusterProps, 'namespace' | 'storageClass' | 'nodePool' | 'alerts' | 'sharedPreloadLibraries'>;

function withDefaults(scope: Construct, props: CloudNativePgClusterProps): ResolvedProps {
  const layer = LayerChart.of(scope);
  return {
    ...props,
    ...sharedPostgresDefaults(scope, props),
    walStorageSize: props.walStorageSize ?? POSTGRES_DEFAULTS.walStorageSize,
    secretKeyPrefix: props.secretKeyPrefix ?? secretKeyPrefix(layer.region, layer.environment),
    image: props.image ?? POSTGRES_IMAGES.cloudnativePg,
  };
}

/** The other member of a cross-region pair, as this cluster sees it. */
export interface ReplicationPeer {
  /** Its name in the topology (`postgres-region-b`). */
  readonly topologyName: string;
  /** S3 endpoint of its region's object storage, reachable from here. */
  readonly objectStorageEndpoint: string;
  /** Bucket its WAL archive and base backups live in. */
  readonly bucket: string;
  /** Secret-store key of a credential for that bucket. */
  readonly credentialsRemoteKey: string;
}

export interface ReplicateOptions {
  /**
   * Create this cluster from the peer's archive (it was built as the replica of the pair).
   * @default role === 'replica'
   */
  readonly bootstrapFromPeer?: boolean;
  /** The demoted side's `status.demotionToken`, for a switchover without data loss. */
  readonly promotionToken?: string;
}

/**
 * A CloudNativePG `Cluster` sized by the tier: instances spread across nodes and zones on
 * the database node pool, data and WAL on the retain storage class, quorum synchronous
 * replication where configured, managed roles and `Database` objects per application,
 * a PgBouncer `Pooler` (with its own disruption budget) per application database, a
 * PodMonitor with the cluster's alerts (`cloudnative-pg-alerts.ts`), and WAL archiving plus
 * scheduled base backups through the Barman Cloud plugin.
 */
/** Where and to whom a database's pooler is offered (CloudNativePgCluster.exportDatabase). */
export interface ExportDatabaseOptions {
  /** The LoadBalancer address (IPv4), from the cluster's load-balancer pool. */
  readonly address: string;
  /** A DNS name for it, published by external-dns. @default none */
  readonly hostname?: string;
  /** The consuming cluster's egress blocks (CIDR): the only sources admitted. */
  readonly allowFrom: readonly string[];
}

export class CloudNativePgCluster extends PostgresClusterBase {
  public readonly clusterName: string;
  public readonly namespace: string;
  public readonly readWriteHost: string;
  public readonly readOnlyHost: string;
  public readonly port = PORT;
  public readonly ca: { name: string; key: string };
  public readonly serverPods: PodGroup;
  public readonly topologyName: string;

  private readonly props: ResolvedProps;
  private readonly roles = new Map<string, { options: AddRoleOptions; secret: SecretReference }>();
  private readonly poolerPods: PodGroup[] = [];
  /** Each pooled database's pooler: its name and pods. */
  private readonly poolers = new Map<string, { name: string; pods: PodGroup }>();
  private readonly externalClusters: any[] = [];
  private replica?: { primary: string; source: string; self: string };
  private bootstrap: any;
  private objectStoreName?: string;
  private readonly extraParameters: Record<string, string> = {};

  constructor(scope: Construct, id: string, given: CloudNativePgClusterProps) {
    super(scope, id);
    const props = withDefaults(this, given);
    if (props.synchronous && props.instances < 2) {
      throw new Error(`CloudNativePG cluster ${props.name}: synchronous replication needs at least 2 instances (got ${props.instances})`);
    }
    const imageProblem = pinnedImageProblem(props.image);
    if (imageProblem) throw new Error(`CloudNativePG cluster ${props.name}: image "${props.image}" ${imageProblem}`);
    if (!tagStartsWithMajorVersion(props.image)) {
      throw new Error(
        `CloudNativePG cluster ${props.name}: image "${props.image}" has a tag that does not start with the PostgreSQL major version; CloudNativePG reads the version from it: tag it like 15-cjk or 17.5, or pin it by digest`,
      );
    }
    const alertThresholds = cloudNativePgAlertThresholds(props.name, props.backupSchedule, props.alerts);
    this.props = props;
    this.clusterName = props.name;
    this.topologyName = props.topologyName;
    this.namespace = OverlayContext.of(this).requireNamespace({
      name: props.namespace ?? POSTGRES_DEFAULTS.namespace,
      workload: true,
      apiServerEgress: true,
    });
    this.readWriteHost = `${props.name}-rw.${this.namespace}.svc.cluster.local`;
    this.readOnlyHost = `${props.name}-ro.${this.namespace}.svc.cluster.local`;
    // The server certificate comes from the platform CA, which every namespace can be given
    // (PlatformCa.trustIn), so clients elsewhere verify it (sslmode=verify-full).
    const serverTls = `${props.name}-server-tls`;
    PlatformCa.of(this).issueServerCertificate(this, 'ServerCertificate', {
      namespace: this.namespace,
      secretName: serverTls,
      dnsNames: ['rw', 'ro', 'r'].flatMap((svc) => {
        const name = `${props.name}-${svc}`;
        return [name, `${name}.${this.namespace}`, `${name}.${this.namespace}.svc`, `${name}.${this.namespace}.svc.cluster.local`];
      }),
    });
    this.ca = { name: serverTls, key: 'ca.crt' };
    this.serverPods = { namespace: this.namespace, podLabels: { 'cnpg.io/cluster': props.name } };

    const cluster = new cnpg.Cluster(this, 'Resource', {
      metadata: { name: props.name, namespace: this.namespace, labels: componentLabels('postgresql', props.name, 'database') },
      spec: {
        instances: props.instances,
        imageName: props.image,
        primaryUpdateStrategy: cnpg.ClusterSpecPrimaryUpdateStrategy.UNSUPERVISED,
        primaryUpdateMethod: cnpg.ClusterSpecPrimaryUpdateMethod.SWITCHOVER,
        enablePdb: true,
        certificates: { serverTlsSecret: serverTls, serverCaSecret: serverTls },
        postgresql: {
          parameters: Lazy.any({ produce: () => ({ ...props.parameters, ...this.extraParameters }) }),
          ...(props.sharedPreloadLibraries?.length ? { sharedPreloadLibraries: [...new Set(props.sharedPreloadLibraries)].sort() } : {}),
          ...(props.synchronous
            ? {
                synchronous: {
                  method: cnpg.ClusterSpecPostgresqlSynchronousMethod.ANY,
                  // Quorum commit: floor((n-1)/2) standbys confirm each commit (1 of 2 with 3
                  // instances), so one instance can fail without blocking writes.
                  number: Math.max(1, Math.floor((props.instances - 1) / 2)),
                  dataDurability: cnpg.ClusterSpecPostgresqlSynchronousDataDurability.REQUIRED,
                },
              }
            : {}),
        },
        bootstrap: Lazy.any({ produce: () => this.bootstrap ?? this.defaultBootstrap() }),
        storage: { size: props.storageSize, storageClass: props.storageClass },
        walStorage: { size: props.walStorageSize, storageClass: props.storageClass },
        resources: {
          requests: {
            cpu: cnpg.ClusterSpecResourcesRequests.fromString(props.resources.requests.cpu),
            memory: cnpg.ClusterSpecResourcesRequests.fromString(props.resources.requests.memory),
          },
          limits: {
            cpu: cnpg.ClusterSpecResourcesLimits.fromString(props.resources.limits.cpu),
            memory: cnpg.ClusterSpecResourcesLimits.fromString(props.resources.limits.memory),
          },
        },
        affinity: {
          enablePodAntiAffinity: true,
          podAntiAffinityType: props.podAntiAffinity,
          topologyKey: 'kubernetes.io/hostname',
          nodeSelector: nodePoolSelector(props.nodePool),
          tolerations: nodePoolTolerations(props.nodePool),
        },
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: props.zoneLabel,
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { 'cnpg.io/cluster': props.name } },
          },
        ],
        managed: { roles: Lazy.any({ produce: () => this.renderRoles() }) },
        // The archive's server name is the cluster's name in the topology, the name its DR
        // peer reads it under (externalClusters) — not the default, the cluster's own name.
        plugins: Lazy.any({
          produce: () =>
            this.objectStoreName
              ? [
                  {
                    name: BARMAN_PLUGIN,
                    enabled: true,
                    isWalArchiver: true,
                    parameters: { barmanObjectName: this.objectStoreName, serverName: this.topologyName },
                  },
                ]
              : undefined,
        }),
        externalClusters: Lazy.any({ produce: () => (this.externalClusters.length ? this.externalClusters : undefined) }),
        replica: Lazy.any({ produce: () => this.replica }),
      },
    });
    protectFromPrune(cluster);

    // Instances replicate to each other; the operator polls each instance's status port.
    allowTraffic(this, 'AllowPeers', {
      name: `allow-${props.name}-replication`,
      from: this.serverPods,
      to: this.serverPods,
      ports: [PORT, STATUS_PORT],
    });
    allowTraffic(this, 'AllowOperator', {
      name: `allow-cnpg-operator-to-${props.name}`,
      from: { namespace: 'cnpg-system', podLabels: { 'app.kubernetes.io/name': 'cloudnative-pg' } },
      to: this.serverPods,
      ports: [STATUS_PORT, PORT],
    });

    scrapePods(this, 'PodMonitor', {
      name: props.name,
      pods: this.serverPods,
      selector: { 'cnpg.io/cluster': props.name, 'cnpg.io/podRole': 'instance' },
      endpoints: [{ port: 'metrics' }],
      ports: [METRICS_PORT],
    });
    // Backup and archiving alerts exist once backupTo() configures them.
    addAlertRules(this, 'Alerts', {
      runbooks: RUNBOOKS.data,
      name: props.name,
      namespace: this.namespace,
      labels: { namespace: this.namespace, cnpg_cluster: props.name },
      alerts: () =>
        cloudNativePgAlerts(
          { name: props.name, namespace: this.namespace, instances: props.instances, backups: this.objectStoreName !== undefined },
          alertThresholds,
        ),
    });
  }

  private defaultBootstrap() {
    const first = [...this.databases.values()][0];
    return {
      initdb: {
        dataChecksums: true,
        ...(first ? { database: first.name, owner: first.owner, secret: { name: first.credentials.name } } : {}),
      },
    };
  }

  private renderRoles() {
    return [...this.roles.entries()]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([name, r]) => ({
        name,
        ensure: cnpg.ClusterSpecManagedRolesEnsure.PRESENT,
        login: r.options.login ?? true,
        replication: r.options.replication ?? false,
        inRoles: [...(r.options.inRoles ?? [])],
        passwordSecret: { name: r.secret.name },
      }));
  }

  public addRole(name: string, options: AddRoleOptions = {}): SecretReference {
    assertIdentifier('role', name);
    const existing = this.roles.get(name);
    if (existing) return existing.secret;
    const secret = new SecretReference(this, `Role-${name}`, {
      backend: this.props.secretBackend,
      namespace: this.namespace,
      name: `${this.clusterName}-${objectName(name)}-credentials`,
      remoteKey: `${this.props.secretKeyPrefix}/postgres/${this.clusterName}/roles/${name}`,
      keys: { username: 'username', password: 'password' },
      type: 'kubernetes.io/basic-auth',
    });
    this.roles.set(name, { options, secret });
    return secret;
  }

  protected provisionDatabase(name: string, options: AddDatabaseOptions): string {
    new cnpg.Database(this, `Database-${name}`, {
      metadata: { name: `${this.clusterName}-${objectName(name)}`, namespace: this.namespace },
      spec: {
        name,
        owner: name,
        cluster: { name: this.clusterName },
        ensure: cnpg.DatabaseSpecEnsure.PRESENT,
        // Removing the object from git must never drop the database.
        databaseReclaimPolicy: cnpg.DatabaseSpecDatabaseReclaimPolicy.RETAIN,
        // Created in the database by the operator; a removed name leaves the extension in place.
        ...(options.extensions?.length
          ? {
              extensions: [...new Set(options.extensions)]
                .sort()
                .map((e) => ({ name: assertExtension(name, e), ensure: cnpg.DatabaseSpecExtensionsEnsure.PRESENT })),
            }
          : {}),
      },
    });
    const instances = options.poolerInstances ?? 2;
    return instances > 0 ? this.addPooler(name, instances, options.poolMode ?? 'transaction') : this.readWriteHost;
  }

  private addPooler(database: string, instances: number, poolMode: 'session' | 'transaction'): string {
    // A Service name: at most 63 characters, so a long cluster or database name is shortened.
    const poolerName = shortName(`${this.clusterName}-pooler-${objectName(database)}`);
    const pods: PodGroup = { namespace: this.namespace, podLabels: { 'cnpg.io/poolerName': poolerName } };
    new cnpg.Pooler(this, `Pooler-${database}`, {
      metadata: { name: poolerName, namespace: this.namespace, labels: componentLabels('pgbouncer', poolerName, 'connection-pooler') },
      spec: {
        cluster: { name: this.clusterName },
        instances,
        type: cnpg.PoolerSpecType.RW,
        pgbouncer: {
          poolMode: poolMode === 'session' ? cnpg.PoolerSpecPgbouncerPoolMode.SESSION : cnpg.PoolerSpecPgbouncerPoolMode.TRANSACTION,
          parameters: { max_client_conn: '1000', default_pool_size: '20' },
        },
        monitoring: { enablePodMonitor: false },
        template: {
          metadata: { labels: { 'cnpg.io/poolerName': poolerName } },
          spec: {
            containers: [
              {
                name: 'pgbouncer',
                resources: {
                  requests: {
                    cpu: cnpg.PoolerSpecTemplateSpecResourcesRequests.fromString('100m'),
                    memory: cnpg.PoolerSpecTemplateSpecResourcesRequests.fromString('128Mi'),
                  },
                  limits: {
                    cpu: cnpg.PoolerSpecTemplateSpecResourcesLimits.fromString('500m'),
                    memory: cnpg.PoolerSpecTemplateSpecResourcesLimits.fromString('256Mi'),
                  },
                },
              },
            ],
          },
        },
      },
    });
    new k8s.KubePodDisruptionBudget(this, `PoolerBudget-${database}`, {
      metadata: { name: poolerName, namespace: this.namespace },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...pods.podLabels } } },
    });
    allowTraffic(this, `AllowPooler-${database}`, {
      name: `allow-${poolerName}-to-${this.clusterName}`,
      from: pods,
      to: this.serverPods,
      ports: [PORT],
    });
    // PgBouncer's exporter (`cnpg_pgbouncer_*`), for the poolers' dashboard.
    scrapePods(this, `PoolerMonitor-${database}`, {
      name: poolerName,
      pods,
      endpoints: [{ port: 'metrics' }],
      ports: [PGBOUNCER_METRICS_PORT],
    });
    this.poolerPods.push(pods);
    this.poolers.set(database, { name: poolerName, pods });
    return `${poolerName}.${this.namespace}.svc.cluster.local`;
  }

  /**
   * Offers a database's pooler to another cluster: a LoadBalancer Service on `address`
   * (published as `hostname` by external-dns, when given) that admits only `allowFrom`, with
   * `externalTrafficPolicy: Local` so the client's address reaches the pooler and its ingress
   * policy, which admits the same blocks. The consuming cluster renders an ImportedDatabase
   * from what this returns.
   */
  public exportDatabase(name: string, options: ExportDatabaseOptions): DatabaseExport {
    const db = this.database(name);
    const pooler = this.poolers.get(name);
    if (!pooler) {
      throw new Error(
        `CloudNativePG cluster ${this.clusterName}: database ${name} has no pooler to export; add it with poolerInstances of 1 or more`,
      );
    }
    if (options.allowFrom.length === 0) {
      throw new Error(
        `CloudNativePG cluster ${this.clusterName}: the export of ${name} admits no address; list the consuming cluster's egress blocks`,
      );
    }
    const problem = externalAddressesProblem(
      `CloudNativePG cluster ${this.clusterName}: the export of ${name}`,
      [options.address],
      'load balancer',
      'address',
    );
    if (problem) throw new Error(problem);
    const serviceName = shortName(`${pooler.name}-export`);
    const sources = [...new Set(options.allowFrom)].sort(compareStrings);
    new k8s.KubeService(this, `Export-${name}`, {
      metadata: {
        name: serviceName,
        namespace: this.namespace,
        labels: componentLabels('pgbouncer', pooler.name, 'exported-database'),
        ...(options.hostname ? { annotations: { 'external-dns.alpha.kubernetes.io/hostname': options.hostname } } : {}),
      },
      spec: {
        type: 'LoadBalancer',
        loadBalancerIp: options.address,
        loadBalancerSourceRanges: sources,
        externalTrafficPolicy: 'Local',
        selector: { ...pooler.pods.podLabels },
        ports: [{ name: 'pgbouncer', protocol: 'TCP', port: PORT, targetPort: k8s.IntOrString.fromNumber(PORT) }],
      },
    });
    new k8s.KubeNetworkPolicy(this, `AllowExport-${name}`, {
      metadata: { name: shortName(`allow-export-to-${pooler.name}`), namespace: this.namespace },
      spec: {
        podSelector: { matchLabels: { ...pooler.pods.podLabels } },
        policyTypes: ['Ingress'],
        ingress: [{ from: sources.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(PORT) }] }],
      },
    });
    const role = this.roles.get(db.owner)!;
    return {
      database: name,
      clusterName: this.clusterName,
      serviceName: pooler.name,
      address: options.address,
      ...(options.hostname ? { hostname: options.hostname } : {}),
      port: PORT,
      credentials: {
        name: role.secret.name,
        remoteKey: role.secret.remoteKey,
        keys: { username: 'username', password: 'password' },
        type: 'kubernetes.io/basic-auth',
      },
    };
  }

  /**
   * A `<pipeline>_cdc` role with REPLICATION that inherits the database owner's read access,
   * a `Publication` for exactly the captured tables, `wal_level = logical`, and a cap on the
   * WAL a slot may hold back (half the WAL volume) so a stopped connector cannot fill it.
   */
  public captureChanges(options: ChangeCaptureOptions): ChangeCapture {
    const db = this.database(options.database);
    const id = captureIdentifier(options.name);
    const role = `${options.name.replace(/-/g, '_')}_cdc`;
    const credentials = this.addRole(role, { replication: true, inRoles: [db.owner] });
    new cnpg.Publication(this, `Publication-${options.name}`, {
      metadata: { name: `${this.clusterName}-${options.name}`, namespace: this.namespace },
      spec: {
        cluster: { name: this.clusterName },
        name: id,
        dbname: db.name,
        target: {
          objects: options.tables.map((t) => {
            const [schema, table] = t.split('.');
            return { table: { schema, name: table } };
          }),
        },
      },
    });
    this.enableLogicalDecoding();
    return {
      host: this.readWriteHost,
      port: PORT,
      database: db.name,
      credentials,
      publication: id,
      slot: id,
      publicationManaged: true,
      verifiableWithPlatformCa: true,
    };
  }

  public enableLogicalDecoding(): void {
    // pg_wal has a volume of its own: half of it.
    Object.assign(this.extraParameters, logicalDecodingParameters(parseQuantity(this.props.walStorageSize), 2));
  }

  public allowReplicationFrom(peer: IGrantee): void {
    const clients = peer.granteePods;
    const name = peer.granteeName;
    allowTraffic(this, `AllowReplication-${name}`, {
      name: `allow-${name}-replication-to-${this.clusterName}`,
      from: clients,
      to: this.serverPods,
      ports: [PORT],
    });
  }

  public allowFrom(peer: IGrantee): void {
    for (const target of [this.serverPods, ...this.poolerPods]) this.allowPath(peer, target);
  }

  /** A database's grantee reaches its pooler only (or the instances, where it has none). */
  protected admitToDatabase(grantee: IGrantee, name: string): void {
    this.allowPath(grantee, this.poolers.get(name)?.pods ?? this.serverPods);
  }

  /** The path from a peer's pods to a group of the cluster's pods, once. */
  private allowPath(peer: IGrantee, target: PodGroup): void {
    const name = peer.granteeName;
    const label = Object.values(target.podLabels)[0];
    const id = `AllowClient-${name}-${label}`;
    if (this.node.tryFindChild(`${id}Egress`)) return;
    allowTraffic(this, id, { name: `allow-${name}-to-${label}`, from: peer.granteePods, to: target, ports: [PORT] });
  }

  /**
   * Archives WAL continuously and takes scheduled base backups into a MinIO bucket through
   * the Barman Cloud plugin, with the bucket's credential and CA in this namespace.
   */
  public backupTo(bucket: IBucket): BucketAccess {
    const access = bucket.grantReadWrite(this);
    this.objectStoreName = `${this.clusterName}-backup`;
    this.addObjectStore(
      this.objectStoreName,
      `s3://${access.bucket}/`,
      access.endpoint,
      access.credentials.selector('AWS_ACCESS_KEY_ID'),
      access.credentials.selector('AWS_SECRET_ACCESS_KEY'),
      access.ca,
    );
    this.externalClusters.push(this.pluginSource(this.topologyName, this.objectStoreName));
    new cnpg.ScheduledBackup(this, 'ScheduledBackup', {
      metadata: { name: `${this.clusterName}-daily`, namespace: this.namespace },
      spec: {
        cluster: { name: this.clusterName },
        // CloudNativePG schedules have a leading seconds field; an @-descriptor stands alone.
        schedule: this.props.backupSchedule.startsWith('@') ? this.props.backupSchedule : `0 ${this.props.backupSchedule}`,
        method: cnpg.ScheduledBackupSpecMethod.PLUGIN,
        pluginConfiguration: { name: BARMAN_PLUGIN },
        backupOwnerReference: cnpg.ScheduledBackupSpecBackupOwnerReference.SELF,
        immediate: true,
      },
    });
    return access;
  }

  private addObjectStore(
    name: string,
    destinationPath: string,
    endpoint: string,
    accessKey: { name: string; key: string },
    secretKey: { name: string; key: string },
    ca?: { name: string; key: string },
  ) {
    new barman.ObjectStore(this, `ObjectStore-${name}`, {
      metadata: { name, namespace: this.namespace },
      spec: {
        retentionPolicy: this.props.backupRetention,
        configuration: {
          destinationPath,
          endpointUrl: endpoint,
          ...(ca ? { endpointCa: ca } : {}),
          s3Credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
          wal: { compression: barman.ObjectStoreSpecConfigurationWalCompression.GZIP, maxParallel: 4 },
          data: { compression: barman.ObjectStoreSpecConfigurationDataCompression.GZIP, jobs: 2 },
        },
      },
    });
  }

  private pluginSource(topologyName: string, objectStore: string) {
    return { name: topologyName, plugin: { name: BARMAN_PLUGIN, parameters: { barmanObjectName: objectStore, serverName: topologyName } } };
  }

  /**
   * Joins a cross-region pair (CloudNativePG distributed topology): both clusters list each
   * other's object store, `replica.primary` names the leader, and a replica bootstraps from
   * the primary's archive. Promotion is a change of `primary` on both sides.
   */
  public replicateWith(peer: ReplicationPeer, role: 'primary' | 'replica', options: ReplicateOptions = {}): void {
    if (!this.objectStoreName) {
      throw new Error(`cluster ${this.clusterName}: call backupTo() before replicateWith(): the topology is built on the WAL archives`);
    }
    const peerStore = `${this.clusterName}-${peer.topologyName}-archive`;
    const creds = new SecretReference(this, 'PeerArchiveCredentials', {
      backend: this.props.secretBackend,
      namespace: this.namespace,
      name: `${peerStore}-s3-credentials`,
      remoteKey: peer.credentialsRemoteKey,
      keys: { AWS_ACCESS_KEY_ID: 'accessKey', AWS_SECRET_ACCESS_KEY: 'secretKey' },
    });
    this.addObjectStore(
      peerStore,
      `s3://${peer.bucket}/`,
      peer.objectStorageEndpoint,
      creds.selector('AWS_ACCESS_KEY_ID'),
      creds.selector('AWS_SECRET_ACCESS_KEY'),
    );
    this.externalClusters.push(this.pluginSource(peer.topologyName, peerStore));
    const primary = role === 'primary' ? this.topologyName : peer.topologyName;
    this.replica = {
      self: this.topologyName,
      primary,
      source: peer.topologyName,
      ...(role === 'primary' && options.promotionToken ? { promotionToken: options.promotionToken } : {}),
    };
    // The bootstrap is how the cluster was created; it never changes for a running cluster,
    // not even when a promotion swaps which side leads.
    if (options.bootstrapFromPeer ?? role === 'replica') this.bootstrap = { recovery: { source: peer.topologyName } };
    // The peer's object storage is outside this cluster; its address is not known here, its port is.
    allowEgressToAddresses(this, 'AllowPeerArchive', {
      name: `allow-${this.clusterName}-to-peer-archive`,
      from: this.serverPods,
      cidrs: ['0.0.0.0/0'],
      ports: [443],
    });
  }
}

/** An extension name as CREATE EXTENSION takes it unquoted (`vector`, `pg_trgm`, `postgis`). */
function assertExtension(database: string, extension: string): string {
  if (!/^[a-z_][a-z0-9_-]{0,62}$/.test(extension)) {
    throw new Error(
      `database "${database}": extension "${extension}" is not an extension name; give the name CREATE EXTENSION takes, e.g. vector or pg_trgm`,
    );
  }
  return extension;
}
