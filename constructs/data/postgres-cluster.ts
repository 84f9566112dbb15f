import type { Construct, IConstruct } from 'constructs';
import type { IGrantee } from '../core/grantee';
import type { Connections } from '../platform/connections';
import type { PodGroup } from '../platform/network';

/**
 * A Secret holding a credential, in a known namespace: the target of an ExternalSecret
 * (`SecretReference`) or a Secret an operator generates (Zalando's user secrets). It is a
 * construct in the layer that provides the Secret, so consumers can depend on that layer.
 */
export interface CredentialsSecret extends IConstruct {
  readonly name: string;
  readonly namespace: string;
  /** Data keys of the Secret. */
  readonly keys: readonly string[];
  /** A `{ name, key }` selector for one key of the Secret. */
  selector(key: string): { name: string; key: string };
}

/** An application database and the role that owns it. */
export interface PostgresDatabase {
  readonly name: string;
  /** Owner role (same name as the database). */
  readonly owner: string;
  /** Host applications connect to: the database's pooler when it has one, else the read-write service. */
  readonly host: string;
  readonly port: number;
  /** Secret with `username` and `password` of the owner role, in the cluster's namespace. */
  readonly credentials: CredentialsSecret;
}

/** What a grantee is given to use a database: where it is, and the owner's credentials in the grantee's namespace. */
export interface DatabaseAccess {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** `username` and `password`, in the grantee's namespace. */
  readonly credentials: CredentialsSecret;
}

export interface AddDatabaseOptions {
  /** PgBouncer instances in front of the database (0: none). @default 2 */
  readonly poolerInstances?: number;
  /** @default 'transaction' */
  readonly poolMode?: 'session' | 'transaction';
  /**
   * Extensions created in the database (`vector` for pgvector, `pg_trgm`), from what the
   * image ships. Engines that cannot create them refuse, saying so. @default none
   */
  readonly extensions?: readonly string[];
}

export interface AddRoleOptions {
  /** @default true */
  readonly login?: boolean;
  /** Logical replication (CDC) needs it. @default false */
  readonly replication?: boolean;
  /** Roles this role is a member of. @default [] */
  readonly inRoles?: readonly string[];
}

/**
 * What applications and other constructs see of a PostgreSQL cluster, whichever engine
 * runs it (CloudNativePG, Zalando postgres-operator, Patroni on external VMs).
 */
export interface IPostgresCluster extends Construct {
  readonly clusterName: string;
  readonly namespace: string;
  /** Read-write endpoint (the primary). */
  readonly readWriteHost: string;
  /** Read-only endpoint (replicas); equals readWriteHost where the engine has none. */
  readonly readOnlyHost: string;
  readonly port: number;
  /** The network side, as other constructs connect to it (`app.connections.allowTo(pg)`): see allowFrom. */
  readonly connections: Connections;
  /** `{ name, key }` of the CA that signs the server certificate, in the cluster's namespace. */
  readonly ca?: { readonly name: string; readonly key: string };
  /** The pods that accept client connections (for network policies). */
  readonly serverPods: PodGroup;

  /**
   * Prepares change data capture of `tables` in `database`: a role that may replicate and
   * read them, a publication for exactly those tables where the engine can declare one, and
   * logical decoding settings. Connectors read it from `host:port` (the primary, never a
   * pooler: PgBouncer cannot carry the replication protocol).
   */
  captureChanges(options: ChangeCaptureOptions): ChangeCapture;
  /**
   * Logical decoding settings without a capture here: for the member of a DR pair whose
   * peer captures changes, so a promotion needs no restart before CDC can move over.
   */
  enableLogicalDecoding(): void;
  /** Opens the replication path from the peer's pods to the primary (policies named after the peer). */
  allowReplicationFrom(peer: IGrantee): void;
  addDatabase(name: string, options?: AddDatabaseOptions): PostgresDatabase;
  addRole(name: string, options?: AddRoleOptions): CredentialsSecret;
  /** Opens the network path from the peer's pods to the cluster (and its poolers) on its port. */
  allowFrom(peer: IGrantee): void;
  database(name: string): PostgresDatabase;
  /** A database for a grantee: the path to it and the owner's credentials in the grantee's namespace. */
  grantDatabase(grantee: IGrantee, name: string): DatabaseAccess;
}

export interface ChangeCaptureOptions {
  /** Pipeline name (DNS label); names the role, publication and slot. */
  readonly name: string;
  readonly database: string;
  /** `schema.table` names. */
  readonly tables: readonly string[];
}

export interface ChangeCapture {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** `username` / `password` of the capturing role, in the cluster's namespace. */
  readonly credentials: CredentialsSecret;
  readonly publication: string;
  readonly slot: string;
  /**
   * The publication is declared by Strata (CloudNativePG `Publication`); otherwise the
   * connector creates it for exactly the captured tables (`publication.autocreate.mode: filtered`).
   */
  readonly publicationManaged: boolean;
  /** The server certificate is signed by the platform CA (clients can use verify-full). */
  readonly verifiableWithPlatformCa: boolean;
}

/**
 * The server parameters logical decoding needs: `wal_level: logical`, and a cap on the WAL a
 * stopped connector's slot may hold back (the volume holding pg_wal divided by `divisor`, at
 * least 1 GB), so a forgotten slot cannot fill it.
 */
export function logicalDecodingParameters(walVolumeBytes: number, divisor: number): Record<string, string> {
  return { wal_level: 'logical', max_slot_wal_keep_size: `${Math.max(1, Math.floor(walVolumeBytes / 2 ** 30 / divisor))}GB` };
}

/** `hrm-sync` → `dbz_hrm_sync`: the publication and slot name of a pipeline. */
export function captureIdentifier(pipeline: string): string {
  return `dbz_${pipeline.replace(/-/g, '_')}`;
}

/** A Postgres identifier Strata accepts for databases and roles. */
export function assertIdentifier(kind: string, name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(
      `${kind} name "${name}" is not a valid Postgres identifier: use lower-case letters, digits and _, starting with a letter or _, at most 63 characters`,
    );
  }
}

/** Kubernetes object names cannot contain `_`. */
export function objectName(identifier: string): string {
  return identifier.replace(/_/g, '-');
}

/** A database of a cluster, or an error naming the databases it has and how to add one. */
export function lookupDatabase(databases: ReadonlyMap<string, PostgresDatabase>, clusterName: string, name: string): PostgresDatabase {
  const db = databases.get(name);
  if (!db) {
    throw new Error(
      `cluster ${clusterName} has no database "${name}" (databases: ${[...databases.keys()].join(', ') || 'none'}); add it with addDatabase or postgres.databases`,
    );
  }
  return db;
}
