import { Construct } from 'constructs';
import {
  AddDatabaseOptions,
  DatabaseAccess,
  AddRoleOptions,
  assertIdentifier,
  ChangeCapture,
  ChangeCaptureOptions,
  CredentialsSecret,
  IPostgresCluster,
  lookupDatabase,
  PostgresDatabase,
} from './postgres-cluster';
import { POSTGRES_DEFAULTS } from './postgres-defaults';
import type { ComputeResources } from '../core/compute';
import type { IGrantee, PodGroup } from '../core/grantee';
import { postgresTopologyName } from '../core/naming';
import { Connections, IConnectable, singlePortConnections } from '../platform/connections';
import { dependOnLayerOf, LayerChart } from '../platform/layer-chart';
import { SecretReference } from '../secrets/secret-reference';

/**
 * What the PostgreSQL engines (CloudNativePG, Zalando postgres-operator, Patroni on
 * external VMs) share: the cluster's identity and endpoints, its application databases
 * (`addDatabase`, `database`), and being a grantee (backups, WAL archives) under its name.
 * An engine supplies how a database is provisioned and what a role is; everything an
 * engine cannot do is absent from its type or refused with an error that says why.
 */
export abstract class PostgresClusterBase extends Construct implements IPostgresCluster, IGrantee, IConnectable {
  public abstract readonly clusterName: string;
  public abstract readonly namespace: string;
  public abstract readonly readWriteHost: string;
  public abstract readonly readOnlyHost: string;
  public abstract readonly port: number;
  public abstract readonly serverPods: PodGroup;
  public abstract readonly ca?: { readonly name: string; readonly key: string };

  /** Application databases by name, in the order they were added. */
  protected readonly databases = new Map<string, PostgresDatabase>();
  private connectionsOf?: Connections;
  private readonly admitted = new Set<string>();
  private readonly credentialCopies = new Map<string, SecretReference>();

  /**
   * An application database owned by a role of the same name; applications reach it at
   * `host` (its pooler where the engine runs one) with the owner's credential.
   */
  public addDatabase(name: string, options: AddDatabaseOptions = {}): PostgresDatabase {
    assertIdentifier('database', name);
    if (this.databases.has(name)) throw new Error(`database "${name}" is added twice to cluster ${this.clusterName}`);
    const credentials = this.addRole(name);
    const host = this.provisionDatabase(name, options);
    const db: PostgresDatabase = { name, owner: name, host, port: this.port, credentials };
    this.databases.set(name, db);
    return db;
  }

  public database(name: string): PostgresDatabase {
    return lookupDatabase(this.databases, this.clusterName, name);
  }

  /**
   * Grants a database to a grantee (an application): the network path to the database's
   * host (its pooler, where the engine runs one) and the owner's credentials in the grantee's
   * namespace, read from the same secret-store entry (or, with Sealed Secrets, sealed for it).
   */
  public grantDatabase(grantee: IGrantee, name: string): DatabaseAccess {
    const db = this.database(name);
    this.admitToDatabase(grantee, name);
    // The grantee's layer starts once the database's is applied.
    dependOnLayerOf(grantee.grantScope, this);
    const namespace = grantee.granteePods.namespace;
    if (namespace === db.credentials.namespace) return { host: db.host, port: db.port, database: name, credentials: db.credentials };
    if (!(db.credentials instanceof SecretReference)) {
      throw new Error(
        `PostgreSQL cluster ${this.clusterName}: the credentials of ${name} are made in namespace ${db.credentials.namespace} by the operator and cannot be read elsewhere; run ${grantee.granteeName} in ${db.credentials.namespace}, or use CloudNativePG, whose credentials come from the secret store`,
      );
    }
    // One copy per namespace, in the layer of its first grantee; later grantees wait for that layer.
    const key = `${namespace}|${name}`;
    const existing = this.credentialCopies.get(key);
    if (existing) dependOnLayerOf(grantee.grantScope, existing);
    const credentials =
      existing ??
      new SecretReference(grantee.grantScope, `Database-${this.clusterName}-${name}`, {
        backend: db.credentials.backend,
        namespace,
        name: db.credentials.name,
        remoteKey: db.credentials.remoteKey,
        keys: { username: 'username', password: 'password' },
        type: 'kubernetes.io/basic-auth',
      });
    this.credentialCopies.set(key, credentials);
    return { host: db.host, port: db.port, database: name, credentials };
  }

  /** Opens the network path from a database's grantee to what serves the database (by default, everything allowFrom opens; once per grantee). */
  protected admitToDatabase(grantee: IGrantee, _name: string): void {
    if (this.admitted.has(grantee.granteeName)) return;
    this.admitted.add(grantee.granteeName);
    this.allowFrom(grantee);
  }

  /** IGrantee: the instances, under the cluster's name. */
  public get granteeName(): string {
    return this.clusterName;
  }

  public get granteePods(): PodGroup {
    return this.serverPods;
  }

  public get grantScope(): Construct {
    return this;
  }

  /**
   * The cluster's network side: `connections.allowFrom(app)` is the engine's `allowFrom(app)`
   * (the pooler where it runs one, else the instances), on the cluster's port; the cluster as a
   * client (`allowTo`) is its instances.
   */
  public get connections(): Connections {
    this.connectionsOf ??= singlePortConnections({
      scope: this,
      name: this.clusterName,
      what: 'PostgreSQL cluster',
      pods: this.serverPods,
      port: this.port,
      admit: (client) => this.allowFrom(client),
      asClient: this,
    });
    return this.connectionsOf;
  }

  public abstract addRole(name: string, options?: AddRoleOptions): CredentialsSecret;
  public abstract captureChanges(options: ChangeCaptureOptions): ChangeCapture;
  public abstract enableLogicalDecoding(): void;
  public abstract allowReplicationFrom(peer: IGrantee): void;
  public abstract allowFrom(peer: IGrantee): void;

  /** Creates what the engine needs for a database whose owner role exists; returns the host clients connect to. */
  protected abstract provisionDatabase(name: string, options: AddDatabaseOptions): string;
}

/** The props every engine running its own instances takes, with the same defaults. */
export interface SharedPostgresProps {
  readonly name?: string;
  readonly instances?: number;
  readonly synchronous?: boolean;
  readonly podAntiAffinity?: 'required' | 'preferred';
  readonly storageSize?: string;
  readonly resources?: ComputeResources;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly zoneLabel?: string;
  readonly topologyName?: string;
  readonly backupSchedule?: string;
  readonly backupRetention?: string;
}

/** Those props resolved: POSTGRES_DEFAULTS, and the topology name from the cluster's name and the layer's region. */
export function sharedPostgresDefaults(scope: Construct, props: SharedPostgresProps) {
  const name = props.name ?? POSTGRES_DEFAULTS.name;
  return {
    name,
    instances: props.instances ?? POSTGRES_DEFAULTS.instances,
    synchronous: props.synchronous ?? POSTGRES_DEFAULTS.synchronous,
    podAntiAffinity: props.podAntiAffinity ?? POSTGRES_DEFAULTS.podAntiAffinity,
    storageSize: props.storageSize ?? POSTGRES_DEFAULTS.storageSize,
    resources: props.resources ?? POSTGRES_DEFAULTS.resources,
    parameters: props.parameters ?? POSTGRES_DEFAULTS.parameters,
    zoneLabel: props.zoneLabel ?? POSTGRES_DEFAULTS.zoneLabel,
    topologyName: props.topologyName ?? postgresTopologyName(name, LayerChart.of(scope).region),
    backupSchedule: props.backupSchedule ?? POSTGRES_DEFAULTS.backupSchedule,
    backupRetention: props.backupRetention ?? POSTGRES_DEFAULTS.backupRetention,
  };
}
