import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AddDatabaseOptions,
  AddRoleOptions,
  assertIdentifier,
  captureIdentifier,
  ChangeCapture,
  ChangeCaptureOptions,
  CredentialsSecret,
  logicalDecodingParameters,
  objectName,
} from './postgres-cluster';
import { PostgresClusterBase, sharedPostgresDefaults } from './postgres-cluster-base';
import { POSTGRES_DEFAULTS } from './postgres-defaults';
import { ZalandoPostgresAlertOptions, zalandoPostgresAlerts, zalandoPostgresAlertThresholds } from './zalando-postgres-alerts';
import * as zalando from '../../imports/acid.zalan.do';
import * as monitoring from '../../imports/monitoring.coreos.com';
import type { ComputeResources, NodePool } from '../core/compute';
import type { IGrantee, PodGroup as GranteePods } from '../core/grantee';
import { parseQuantity } from '../core/quantity';
import type { SecretBackend } from '../core/secret-backend';
import { addAlertRules, RUNBOOKS } from '../platform/alert-rules';
import { pinnedImageProblem } from '../platform/image-reference';
import { componentLabels } from '../platform/labels';
import { allowEgressToAddresses, allowTraffic, PodGroup } from '../platform/network';
import { compareStrings } from '../platform/ordering';
import { OverlayContext } from '../platform/overlay-context';
import { protectFromPrune } from '../platform/protection';
import { scrapePods } from '../platform/scrape';
import { SecretReference } from '../secrets/secret-reference';
import type { BucketAccess, IBucket } from '../storage/bucket';
import { CA_KEY, PlatformCa } from '../tls/platform-ca';

const OPERATOR = 'postgres-operator';
const PORT = 5432;
/** Patroni's REST API: members and the operator call it for health, switchover and config. */
const PATRONI_PORT = 8008;
/** Spilo's `postgres` user and group: set so the database pods do not run as root. */
const SPILO_USER = 101;
const SPILO_GROUP = 103;
/** Where the operator mounts `additional_secret_mount` (the platform CA) in every pod it runs. */
const CA_MOUNT_PATH = '/etc/strata/ca';
/** The operator's `secret_name_template` default. */
const secretNameOf = (user: string, cluster: string) => `${objectName(user)}.${cluster}.credentials.postgresql.acid.zalan.do`;
/** The CRD's patterns for CPU, memory and the operator's cron schedules. */
const CPU_PATTERN = /^(\d+m|\d+(\.\d{1,3})?)$/;
const MEMORY_PATTERN = /^(\d+(e\d+)?|\d+(\.\d+)?(e\d+)?[EPTGMK]i?)$/;
const SCHEDULE_PATTERN = /^(\d+|\*)(\/\d+)?(\s+(\d+|\*)(\/\d+)?){4}$/;

export type ZalandoPostgresVersion = '14' | '15' | '16' | '17' | '18';

export interface ZalandoPostgresClusterProps {
  /** Cluster name (the `postgresql` object and its Services); at most 53 characters. @default 'postgres' */
  readonly name?: string;
  /** @default 'postgres' */
  readonly namespace?: string;
  /** `spec.teamId` (the operator's team API is not used; no name prefix is required). @default 'strata' */
  readonly teamId?: string;
  /** PostgreSQL major version: a data-format contract, change it only with an upgrade plan. @default '17' */
  readonly version?: ZalandoPostgresVersion;
  /** @default 3 */
  readonly instances?: number;
  /** Patroni synchronous mode (strict), a majority of the standbys confirming each commit. @default true */
  readonly synchronous?: boolean;
  /** Whether two instances may share a node (`required` leaves pods pending instead). @default 'required' */
  readonly podAntiAffinity?: 'required' | 'preferred';
  /** Data volume size; Spilo keeps pg_wal on it too (there is no separate WAL volume). @default '100Gi' */
  readonly storageSize?: string;
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
  /** Name of this cluster in the cross-region topology. @default `<name>-<region>` of its layer */
  readonly topologyName?: string;
  /** Base backup and logical backup schedule: five numeric cron fields (the operator rejects `@daily`). @default '0 1 * * *' */
  readonly backupSchedule?: string;
  /** Backup retention, e.g. `30d`, `4w` or `3m`. @default '30d' */
  readonly backupRetention?: string;
  /** Thresholds of the cluster's alerts. @default see `ZalandoPostgresAlertOptions` */
  readonly alerts?: ZalandoPostgresAlertOptions;
  /** A Spilo image of your own (`spec.dockerImage`), pinned by a tag other than `latest` or a digest. @default the operator's */
  readonly image?: string;
}

type KeptOptional = 'namespace' | 'teamId' | 'version' | 'storageClass' | 'nodePool' | 'alerts' | 'image';
/** ZalandoPostgresClusterProps with every default applied. */
type ResolvedProps = Required<Omit<ZalandoPostgresClusterProps, KeptOptional>> & Pick<ZalandoPostgresClusterProps, KeptOptional>;

function withDefaults(scope: Construct, props: ZalandoPostgresClusterProps): ResolvedProps {
  return { ...props, ...sharedPostgresDefaults(scope, props) };
}

/** The other member of a cross-region pair, as this cluster sees it. */
export interface ZalandoReplicationPeer {
  /** Its name in the topology (`postgres-region-b`); its WAL archive lives under it. */
  readonly topologyName: string;
  /** S3 endpoint of its region's object storage, reachable from here. */
  readonly objectStorageEndpoint: string;
  /** Bucket its WAL archive lives in. */
  readonly bucket: string;
  /** Secret-store key of a credential for that bucket. */
  readonly credentialsRemoteKey: string;
  /**
   * Secret-store prefix both members read the `postgres` and `standby` passwords from: a
   * standby replays the primary's roles, so both sides must use the same passwords.
   */
  readonly sharedSecretKeyPrefix: string;
}

/** A Secret the operator generates (`<user>.<cluster>.credentials.postgresql.acid.zalan.do`); renders nothing. */
class OperatorSecret extends Construct implements CredentialsSecret {
  public readonly keys: readonly string[] = ['password', 'username'];
  constructor(
    scope: Construct,
    id: string,
    public readonly namespace: string,
    public readonly name: string,
  ) {
    super(scope, id);
  }

  public selector(key: string): { name: string; key: string } {
    if (!this.keys.includes(key)) throw new Error(`secret ${this.namespace}/${this.name} has no key "${key}" (keys: ${this.keys.join(', ')})`);
    return { name: this.name, key };
  }
}

/**
 * A Zalando postgres-operator `postgresql` (Patroni on Spilo) sized by the tier: instances
 * spread across nodes and zones on the database node pool, one data volume on the retain
 * storage class, Patroni strict synchronous mode where configured, non-root pods with TLS
 * from the platform CA, owner roles and databases per application (credentials stay the
 * operator's generated Secrets), one PgBouncer pooler for the cluster, and, with
 * `backupTo`, WAL-G archiving and base backups plus the operator's logical backups into
 * MinIO. `replicateWith` turns a DR replica into a standby cluster of its primary's archive.
 */
export class ZalandoPostgresCluster extends PostgresClusterBase {
  public readonly clusterName: string;
  public readonly namespace: string;
  public readonly readWriteHost: string;
  public readonly readOnlyHost: string;
  public readonly port = PORT;
  public readonly ca: { name: string; key: string };
  public readonly serverPods: PodGroup;
  public readonly topologyName: string;
  public readonly version: ZalandoPostgresVersion;

  private readonly props: ResolvedProps;
  private readonly users = new Map<string, zalando.PostgresqlSpecUsers[]>();
  private readonly roleSecrets = new Map<string, CredentialsSecret>();
  private readonly env: zalando.PostgresqlSpecEnv[] = [];
  private readonly extraParameters: Record<string, string> = {};
  private pooler?: { instances: number; mode: 'session' | 'transaction'; database: string; pods: PodGroup };
  private readonly clients: { clients: PodGroup; name: string }[] = [];
  private logicalBackups = false;
  private standby?: zalando.PostgresqlSpecStandby;
  private archive?: BucketAccess;

  constructor(scope: Construct, id: string, given: ZalandoPostgresClusterProps) {
    super(scope, id);
    const props = withDefaults(this, given);
    validate(props);
    if (props.image !== undefined) {
      const imageProblem = pinnedImageProblem(props.image);
      if (imageProblem) throw new Error(`Zalando cluster ${props.name}: image "${props.image}" ${imageProblem}`);
    }
    this.props = props;
    this.clusterName = props.name;
    this.topologyName = props.topologyName;
    this.version = props.version ?? '17';
    const context = OverlayContext.of(this);
    this.namespace = context.requireNamespace({
      name: props.namespace ?? POSTGRES_DEFAULTS.namespace,
      workload: true,
      // Patroni keeps its leader lock and configuration in Kubernetes objects.
      apiServerEgress: true,
      podSecurity: 'baseline',
      podSecurityReason:
        'Spilo pods (Zalando postgres-operator) set no seccomp profile and keep the default capabilities; the operator has no setting for either',
    });
    this.readWriteHost = `${props.name}.${this.namespace}.svc.cluster.local`;
    this.readOnlyHost = `${props.name}-repl.${this.namespace}.svc.cluster.local`;
    this.serverPods = { namespace: this.namespace, podLabels: { application: 'spilo', 'cluster-name': props.name } };
    context.requireOperator(OPERATOR, {
      // Cluster names are not prefixed with the team (the operator's default, pinned here).
      configGeneral: { enable_team_id_clustername_prefix: false },
      // Anti-affinity is an operator setting, not a manifest field.
      configKubernetes: { enable_pod_antiaffinity: true, pod_antiaffinity_preferred_during_scheduling: props.podAntiAffinity === 'preferred' },
    });

    const tlsSecret = `${props.name}-tls`;
    PlatformCa.of(this).issueServerCertificate(this, 'Certificate', {
      namespace: this.namespace,
      secretName: tlsSecret,
      dnsNames: [props.name, `${props.name}-repl`, `${props.name}-pooler`].flatMap((svc) => [
        svc,
        `${svc}.${this.namespace}`,
        `${svc}.${this.namespace}.svc`,
        `${svc}.${this.namespace}.svc.cluster.local`,
      ]),
    });
    this.ca = { name: tlsSecret, key: 'ca.crt' };

    const pool = props.nodePool;
    const cluster = new zalando.Postgresql(this, 'Resource', {
      metadata: { name: props.name, namespace: this.namespace, labels: componentLabels('postgresql', props.name, 'database') },
      spec: {
        teamId: props.teamId ?? 'strata',
        ...(props.image !== undefined ? { dockerImage: props.image } : {}),
        numberOfInstances: props.instances,
        postgresql: {
          version: this.version as zalando.PostgresqlSpecPostgresqlVersion,
          parameters: Lazy.any({ produce: () => ({ ...props.parameters, ...this.extraParameters }) }),
        },
        ...(props.synchronous
          ? {
              patroni: {
                synchronousMode: true,
                // No commit is acknowledged without a synchronous standby (CloudNativePG's dataDurability: required).
                synchronousModeStrict: true,
                synchronousNodeCount: Math.max(1, Math.floor((props.instances - 1) / 2)),
              },
            }
          : {}),
        volume: { size: props.storageSize, storageClass: props.storageClass },
        resources: {
          requests: { cpu: props.resources.requests.cpu, memory: props.resources.requests.memory },
          limits: { cpu: props.resources.limits.cpu, memory: props.resources.limits.memory },
        },
        spiloRunAsUser: SPILO_USER,
        spiloRunAsGroup: SPILO_GROUP,
        spiloFsGroup: SPILO_GROUP,
        tls: { secretName: tlsSecret },
        enableMasterLoadBalancer: false,
        enableReplicaLoadBalancer: false,
        ...(pool && Object.keys(pool.labels).length
          ? {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    { matchExpressions: Object.entries(pool.labels).map(([key, value]) => ({ key, operator: 'In', values: [value] })) },
                  ],
                },
              },
            }
          : {}),
        ...(pool?.taints.length
          ? { tolerations: pool.taints.map((t) => ({ key: t.key, operator: 'Equal', value: t.value, effect: t.effect })) }
          : {}),
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: props.zoneLabel,
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { ...this.serverPods.podLabels } },
          },
        ],
        users: Lazy.any({
          produce: () => (this.users.size ? Object.fromEntries([...this.users.entries()].sort(([a], [b]) => compareStrings(a, b))) : undefined),
        }),
        databases: Lazy.any({
          produce: () =>
            this.databases.size
              ? Object.fromEntries([...this.databases.values()].map((d) => [d.name, d.owner]).sort(([a], [b]) => compareStrings(a, b)))
              : undefined,
        }),
        enableConnectionPooler: Lazy.any({ produce: () => (this.pooler ? true : undefined) }),
        connectionPooler: Lazy.any({ produce: () => this.renderPooler() }),
        enableLogicalBackup: Lazy.any({ produce: () => (this.logicalBackups ? true : undefined) }),
        logicalBackupSchedule: Lazy.any({ produce: () => (this.logicalBackups ? props.backupSchedule : undefined) }),
        logicalBackupRetention: Lazy.any({ produce: () => (this.logicalBackups ? retentionPhrase(props.backupRetention) : undefined) }),
        env: Lazy.any({ produce: () => (this.env.length ? this.env : undefined) }),
        standby: Lazy.any({ produce: () => this.standby }),
      },
    });
    protectFromPrune(cluster);

    // Instances replicate to each other and ask each other's Patroni before a failover.
    allowTraffic(this, 'AllowPeers', {
      name: `allow-${props.name}-replication`,
      from: this.serverPods,
      to: this.serverPods,
      ports: [PORT, PATRONI_PORT],
    });
    // The operator creates roles and databases over SQL and switches over through Patroni.
    allowTraffic(this, 'AllowOperator', {
      name: `allow-postgres-operator-to-${props.name}`,
      from: { namespace: 'postgres-operator', podLabels: { 'app.kubernetes.io/name': 'postgres-operator' } },
      to: this.serverPods,
      ports: [PORT, PATRONI_PORT],
    });

    // Patroni serves Prometheus metrics on its REST API (plain HTTP in Spilo). Prometheus is
    // let in on that port, which also takes Patroni's management calls: the path is from the
    // monitoring namespace's Prometheus pods only.
    const alertThresholds = zalandoPostgresAlertThresholds(props.name, props.backupSchedule, props.alerts);
    scrapePods(this, 'PodMonitor', {
      name: props.name,
      pods: this.serverPods,
      endpoints: [{ portNumber: PATRONI_PORT, path: '/metrics', scheme: monitoring.PodMonitorSpecPodMetricsEndpointsScheme.HTTP }],
      ports: [PATRONI_PORT],
    });
    // The logical backup alert exists once backupTo() configures the CronJob.
    addAlertRules(this, 'Alerts', {
      runbooks: RUNBOOKS.data,
      name: props.name,
      namespace: this.namespace,
      labels: { namespace: this.namespace, postgres_cluster: props.name },
      alerts: () =>
        zalandoPostgresAlerts(
          { name: props.name, namespace: this.namespace, instances: props.instances, logicalBackups: this.logicalBackups },
          alertThresholds,
        ),
    });
  }

  private renderPooler() {
    if (!this.pooler) return undefined;
    return {
      numberOfInstances: this.pooler.instances,
      mode:
        this.pooler.mode === 'session' ? zalando.PostgresqlSpecConnectionPoolerMode.SESSION : zalando.PostgresqlSpecConnectionPoolerMode.TRANSACTION,
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    };
  }

  /**
   * A role in `spec.users`; its password is in the Secret the operator generates. Role
   * membership cannot be expressed in a Zalando manifest.
   */
  public addRole(name: string, options: AddRoleOptions = {}): CredentialsSecret {
    assertIdentifier('role', name);
    if (options.inRoles?.length) {
      throw new Error(
        `Zalando cluster ${this.clusterName}: role "${name}" asks for inRoles [${options.inRoles.join(', ')}], but Zalando users carry only flags; grant the membership from the application's migrations, or use the cloudnative-pg engine`,
      );
    }
    const flags: zalando.PostgresqlSpecUsers[] = [];
    if (options.login === false) flags.push(zalando.PostgresqlSpecUsers.NOLOGIN);
    if (options.replication) flags.push(zalando.PostgresqlSpecUsers.REPLICATION);
    const existing = this.roleSecrets.get(name);
    if (existing) {
      if (JSON.stringify(this.users.get(name)) !== JSON.stringify(flags)) {
        throw new Error(
          `Zalando cluster ${this.clusterName}: role "${name}" is added twice with different options (${JSON.stringify(this.users.get(name))} and ${JSON.stringify(flags)}); add it once`,
        );
      }
      return existing;
    }
    const secret = new OperatorSecret(this, `Credentials-${name}`, this.namespace, secretNameOf(name, this.clusterName));
    this.users.set(name, flags);
    this.roleSecrets.set(name, secret);
    return secret;
  }

  /**
   * A database in the manifest (its owner role is added first). Zalando runs one PgBouncer
   * pooler per cluster, so every pooled database shares it: its size is the largest
   * `poolerInstances` asked for, and all pooled databases must ask for the same `poolMode`.
   */
  protected provisionDatabase(name: string, options: AddDatabaseOptions): string {
    if (options.extensions?.length) {
      // The operator creates extensions only for its prepared databases, a different scheme
      // from the databases map this construct writes.
      throw new Error(
        `Zalando cluster ${this.clusterName}: database "${name}" asks for extensions ${options.extensions.join(', ')}, which the operator does not create for it; create them from the application's migrations (CREATE EXTENSION), or use the cloudnative-pg engine`,
      );
    }
    const instances = options.poolerInstances ?? 2;
    const mode = options.poolMode ?? 'transaction';
    if (instances === 0) return this.readWriteHost;
    if (this.pooler && this.pooler.mode !== mode) {
      throw new Error(
        `Zalando cluster ${this.clusterName}: database "${name}" asks for poolMode ${mode}, but "${this.pooler.database}" asked for ${this.pooler.mode} and Zalando runs one pooler per cluster; use one poolMode for all pooled databases, or poolerInstances: 0 for "${name}" (it then connects to the primary)`,
      );
    }
    return this.addPooler(name, instances, mode);
  }

  private addPooler(database: string, instances: number, mode: 'session' | 'transaction'): string {
    const poolerName = `${this.clusterName}-pooler`;
    if (!this.pooler) {
      const pods: PodGroup = { namespace: this.namespace, podLabels: { 'connection-pooler': poolerName } };
      this.pooler = { instances, mode, database, pods };
      // The operator runs the pooler Deployment without a disruption budget.
      new k8s.KubePodDisruptionBudget(this, 'PoolerBudget', {
        metadata: { name: poolerName, namespace: this.namespace },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...pods.podLabels } } },
      });
      allowTraffic(this, 'AllowPooler', { name: `allow-${poolerName}-to-${this.clusterName}`, from: pods, to: this.serverPods, ports: [PORT] });
      // Clients allowed before the first pooled database reach the pooler too.
      for (const c of this.clients) this.allowToPooler(c.clients, c.name, pods);
    } else {
      this.pooler.instances = Math.max(this.pooler.instances, instances);
    }
    return `${poolerName}.${this.namespace}.svc.cluster.local`;
  }

  /**
   * Zalando users cannot inherit another role's privileges, and creating a publication for
   * a table takes its ownership: the database owner gets the REPLICATION flag and captures,
   * and the connector creates the publication for exactly the captured tables.
   */
  public captureChanges(options: ChangeCaptureOptions): ChangeCapture {
    const db = this.database(options.database);
    const flags = this.users.get(db.owner) ?? [];
    if (!flags.includes(zalando.PostgresqlSpecUsers.REPLICATION)) this.users.set(db.owner, [...flags, zalando.PostgresqlSpecUsers.REPLICATION]);
    this.enableLogicalDecoding();
    const id = captureIdentifier(options.name);
    return {
      host: this.readWriteHost,
      port: PORT,
      database: db.name,
      credentials: db.credentials,
      publication: id,
      slot: id,
      publicationManaged: false,
      verifiableWithPlatformCa: true,
    };
  }

  public enableLogicalDecoding(): void {
    // Spilo keeps pg_wal on the data volume: a tenth of it.
    Object.assign(this.extraParameters, logicalDecodingParameters(parseQuantity(this.props.storageSize), 10));
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

  /** IGrantee: every pod with the cluster's name label (the database pods and the logical backup jobs), under the cluster's name. */
  public get granteePods(): GranteePods {
    return { namespace: this.namespace, podLabels: { 'cluster-name': this.clusterName } };
  }

  public allowFrom(peer: IGrantee): void {
    const clients = peer.granteePods;
    const name = peer.granteeName;
    allowTraffic(this, `AllowClient-${name}`, { name: `allow-${name}-to-${this.clusterName}`, from: clients, to: this.serverPods, ports: [PORT] });
    this.clients.push({ clients, name });
    if (this.pooler) this.allowToPooler(clients, name, this.pooler.pods);
  }

  private allowToPooler(clients: PodGroup, name: string, pooler: PodGroup): void {
    allowTraffic(this, `AllowClient-${name}-pooler`, {
      name: `allow-${name}-to-${this.clusterName}-pooler`,
      from: clients,
      to: pooler,
      ports: [PORT],
    });
  }

  /**
   * Backs the cluster up into a MinIO bucket, twice over: Spilo archives WAL and takes base
   * backups with WAL-G under `spilo/<topologyName>/wal/<version>` (the archive a DR standby
   * replays), and the operator's logical backup job writes a pg_dumpall under `logical/`.
   * The job's bucket, endpoint and credential Secret are operator settings, contributed here.
   */
  public backupTo(bucket: IBucket): BucketAccess {
    if (this.archive) throw new Error(`Zalando cluster ${this.clusterName}: backupTo() is called twice; a cluster archives into one bucket`);
    const context = OverlayContext.of(this);
    // One credential for the database pods and the logical backup jobs: both carry the
    // cluster-name label (so does the pooler, which never uses it).
    // The operator gives the logical backup job only this Secret's keys as environment, and
    // the job's aws CLI trusts a private CA only through AWS_CA_BUNDLE: it rides along.
    const access = bucket.grantReadWrite(this, bucket.privateCa ? { literals: { AWS_CA_BUNDLE: `${CA_MOUNT_PATH}/${CA_KEY}` } } : {});
    const earlier = context
      .operatorValues(OPERATOR)
      .map((v) => (v.configLogicalBackup as Record<string, unknown> | undefined)?.logical_backup_cronjob_environment_secret)
      .find((name) => name !== undefined);
    if (earlier !== undefined && earlier !== access.credentials.name) {
      throw new Error(
        `Zalando cluster ${this.clusterName}: logical backup settings are operator-wide and another cluster of this overlay already uses them (Secret ${earlier}); back up one Zalando cluster per overlay, or give the clusters the same name in different namespaces`,
      );
    }
    this.archive = access;
    const caFile = access.ca && `${CA_MOUNT_PATH}/${access.ca.key}`;
    const prefix = this.archivePath(access.bucket, this.topologyName);
    const secretEnv = (name: string) => ({ name, valueFrom: { secretKeyRef: access.credentials.selector(name) } });
    this.env.push(
      // Both names: Spilo derives a WAL-E prefix from a bucket unless one is given.
      { name: 'WALE_S3_PREFIX', value: prefix },
      { name: 'WALG_S3_PREFIX', value: prefix },
      { name: 'AWS_ENDPOINT', value: access.endpoint },
      { name: 'AWS_REGION', value: access.region ?? 'us-east-1' },
      secretEnv('AWS_ACCESS_KEY_ID'),
      secretEnv('AWS_SECRET_ACCESS_KEY'),
      ...(caFile ? [{ name: 'WALG_S3_CA_CERT_FILE', value: caFile }] : []),
      { name: 'USE_WALG_BACKUP', value: 'true' },
      { name: 'USE_WALG_RESTORE', value: 'true' },
      { name: 'BACKUP_SCHEDULE', value: this.props.backupSchedule },
      // One base backup a day on the default schedule: keep as many as the retention has days.
      { name: 'BACKUP_NUM_TO_RETAIN', value: String(retentionDays(this.props.backupRetention)) },
    );

    // The job finds a replica through the Kubernetes API and dumps it over SQL.
    const jobPods: PodGroup = { namespace: this.namespace, podLabels: { application: 'spilo-logical-backup', 'cluster-name': this.clusterName } };
    allowTraffic(this, 'AllowLogicalBackup', { name: `allow-${this.clusterName}-logical-backup`, from: jobPods, to: this.serverPods, ports: [PORT] });
    this.logicalBackups = true;

    context.requireOperator(OPERATOR, {
      // Mounted into every database pod and logical backup job the operator runs.
      ...(access.ca ? { configAwsOrGcp: { additional_secret_mount: access.ca.name, additional_secret_mount_path: CA_MOUNT_PATH } } : {}),
      configLogicalBackup: {
        logical_backup_provider: 's3',
        logical_backup_s3_bucket: access.bucket,
        logical_backup_s3_bucket_prefix: 'logical',
        logical_backup_s3_endpoint: access.endpoint,
        logical_backup_s3_region: 'us-east-1',
        // MinIO without a KMS rejects server-side encryption requests.
        logical_backup_s3_sse: '',
        logical_backup_cronjob_environment_secret: access.credentials.name,
      },
    });
    return access;
  }

  private archivePath(bucket: string, topologyName: string): string {
    return `s3://${bucket}/spilo/${topologyName}/wal/${this.version}`;
  }

  /**
   * Joins a cross-region pair. A `replica` becomes a Zalando standby cluster that bootstraps
   * from and keeps replaying the primary's WAL-G archive in the peer region's object storage
   * (`standby.s3_wal_path`): it needs only the peer's S3 endpoint, never a route to its
   * database pods. Both members read the `postgres` and `standby` passwords from the same
   * secret-store keys, so a promoted standby still accepts the operator and its replicas.
   * Promotion is removing the standby section (dr.role: primary); the old primary must be
   * re-created as a standby of the new archive.
   */
  public replicateWith(peer: ZalandoReplicationPeer, role: 'primary' | 'replica'): void {
    if (!this.archive) {
      throw new Error(`Zalando cluster ${this.clusterName}: call backupTo() before replicateWith(): the standby replays the primary's WAL archive`);
    }
    if (this.node.tryFindChild('SystemCredentials-postgres')) {
      throw new Error(`Zalando cluster ${this.clusterName}: replicateWith() is called twice; a cluster has one peer`);
    }
    for (const user of ['postgres', 'standby']) {
      new SecretReference(this, `SystemCredentials-${user}`, {
        backend: this.props.secretBackend,
        namespace: this.namespace,
        // The operator adopts an existing Secret of this name instead of generating a password.
        name: secretNameOf(user, this.clusterName),
        remoteKey: `${peer.sharedSecretKeyPrefix}/postgres/${this.clusterName}/system/${user}`,
        keys: { password: 'password' },
        template: { username: user, password: '{{ .password }}' },
      });
    }
    // WAL is shipped a segment at a time: bound how stale the peer's copy may get.
    if (this.props.parameters.archive_timeout === undefined) this.extraParameters.archive_timeout = '60s';
    if (role === 'primary') return;

    this.standby = { s3WalPath: this.archivePath(peer.bucket, peer.topologyName) };
    const creds = new SecretReference(this, 'PeerArchiveCredentials', {
      backend: this.props.secretBackend,
      namespace: this.namespace,
      name: `${this.clusterName}-${peer.topologyName}-archive-s3-credentials`,
      remoteKey: peer.credentialsRemoteKey,
      keys: { AWS_ACCESS_KEY_ID: 'accessKey', AWS_SECRET_ACCESS_KEY: 'secretKey' },
    });
    this.env.push(
      { name: 'STANDBY_AWS_ENDPOINT', value: peer.objectStorageEndpoint },
      { name: 'STANDBY_AWS_REGION', value: 'us-east-1' },
      { name: 'STANDBY_AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: creds.selector('AWS_ACCESS_KEY_ID') } },
      { name: 'STANDBY_AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: creds.selector('AWS_SECRET_ACCESS_KEY') } },
      { name: 'STANDBY_USE_WALG_RESTORE', value: 'true' },
    );
    // The peer's object storage is outside this cluster; its address is not known here, its port is.
    allowEgressToAddresses(this, 'AllowPeerArchive', {
      name: `allow-${this.clusterName}-to-peer-archive`,
      from: this.serverPods,
      cidrs: ['0.0.0.0/0'],
      ports: [urlPort(peer.objectStorageEndpoint)],
    });
  }
}

function urlPort(endpoint: string): number {
  const url = new URL(endpoint);
  return url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
}

const RETENTION = /^([1-9][0-9]*)([dwm])$/;

/** `30d` → 30: days a retention spans (a month counted as 30 days). */
export function retentionDays(retention: string): number {
  const m = RETENTION.exec(retention)!;
  return Number(m[1]) * ({ d: 1, w: 7, m: 30 } as const)[m[2] as 'd' | 'w' | 'm'];
}

/** `30d` → `30 days`, as the logical backup job's `date -d` understands it. */
function retentionPhrase(retention: string): string {
  const m = RETENTION.exec(retention)!;
  return `${m[1]} ${({ d: 'days', w: 'weeks', m: 'months' } as const)[m[2] as 'd' | 'w' | 'm']}`;
}

function validate(props: ResolvedProps): void {
  const where = `Zalando cluster ${props.name}`;
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(props.name) || props.name.length > 53) {
    throw new Error(
      `${where}: name "${props.name}" is not accepted by the operator: use lower-case letters, digits and '-', starting with a letter, at most 53 characters`,
    );
  }
  if (!Number.isInteger(props.instances) || props.instances < 1) {
    throw new Error(
      `${where}: instances ${props.instances} is not a positive integer; use 1 or more (3 for strict synchronous replication with one failure tolerated)`,
    );
  }
  if (props.synchronous && props.instances < 2) {
    throw new Error(
      `${where}: synchronous replication needs at least 2 instances (got ${props.instances}); raise instances or set synchronous: false`,
    );
  }
  for (const side of ['requests', 'limits'] as const) {
    const r = props.resources[side];
    if (!CPU_PATTERN.test(r.cpu)) {
      throw new Error(
        `${where}: resources.${side}.cpu "${r.cpu}" is not accepted by the operator; write millicores (500m) or cores with at most three decimals (1.5)`,
      );
    }
    if (!MEMORY_PATTERN.test(r.memory)) {
      throw new Error(`${where}: resources.${side}.memory "${r.memory}" is not accepted by the operator; write a quantity such as 512Mi or 8Gi`);
    }
  }
  if (!MEMORY_PATTERN.test(props.storageSize)) {
    throw new Error(`${where}: storageSize "${props.storageSize}" is not a volume size; write a quantity such as 100Gi`);
  }
  if (!SCHEDULE_PATTERN.test(props.backupSchedule)) {
    throw new Error(
      `${where}: backupSchedule "${props.backupSchedule}" is not accepted by the operator, which takes five numeric cron fields only; write e.g. '0 1 * * *' instead of a macro or names`,
    );
  }
  if (!RETENTION.test(props.backupRetention)) {
    throw new Error(`${where}: backupRetention "${props.backupRetention}" is not a retention; write e.g. 30d, 4w or 3m`);
  }
}
