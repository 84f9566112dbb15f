/**
 * A database used from another cluster of the same environment (the databases in an `infra`
 * cluster, their applications in `apps`). The exporting cluster offers the database's pooler
 * on a LoadBalancer address (`CloudNativePgCluster.exportDatabase`) and gets a `DatabaseExport`
 * back; the consuming cluster renders an `ImportedDatabase` from it: a Service of the pooler's
 * name without selector whose EndpointSlice is the exported address, the owner's credentials
 * from the same secret-store entry, and egress to exactly that address and port. No client
 * types the address: it is declared once, on the exporting side.
 */
import { Construct } from 'constructs';
import type { CredentialsSecret, DatabaseAccess, PostgresDatabase } from './postgres-cluster';
import type { IGrantee } from '../core/grantee';
import type { SecretBackend } from '../core/secret-backend';
import { Connections, IConnectable } from '../platform/connections';
import { addressBlocks, externalAddressesProblem } from '../platform/external-addresses';
import { addExternalEndpoints } from '../platform/external-endpoints';
import { componentLabels } from '../platform/labels';
import { dnsLabelProblem } from '../platform/names';
import { allowEgressToAddresses } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { SecretReference } from '../secrets/secret-reference';

/** What the exporting side hands to the consuming cluster: where, what, and whose credentials. */
export interface DatabaseExport {
  /** The database (and its owner role). */
  readonly database: string;
  /** The exporting PostgreSQL cluster's name. */
  readonly clusterName: string;
  /** The pooler's Service name in the exporting cluster; the imported Service takes the same name. */
  readonly serviceName: string;
  /** The LoadBalancer address (IPv4). */
  readonly address: string;
  /** Its DNS name, where external-dns publishes one. */
  readonly hostname?: string;
  readonly port: number;
  /** The owner's credentials: the secret-store entry the exporting side reads, read again by the consumer. */
  readonly credentials: { readonly name: string; readonly remoteKey: string; readonly keys: Readonly<Record<string, string>>; readonly type: string };
}

export interface ImportedDatabaseProps {
  readonly export: DatabaseExport;
  /** Where the database appears in the consuming cluster (normally its consumer's namespace). */
  readonly namespace: string;
  /** The consuming cluster's secret backend. */
  readonly secretBackend: SecretBackend;
}

/**
 * An exported database as the consuming cluster sees it: `host` is the Service of the
 * pooler's name in `namespace`, `credentials` the owner's Secret there. `connections.allowFrom`
 * opens egress from a client's pods to the exported address.
 */
export class ImportedDatabase extends Construct implements IConnectable, PostgresDatabase {
  private readonly secretBackend: SecretBackend;
  public readonly name: string;
  public readonly owner: string;
  public readonly host: string;
  public readonly port: number;
  public readonly namespace: string;
  public readonly credentials: CredentialsSecret;
  public readonly connections: Connections;

  constructor(scope: Construct, id: string, props: ImportedDatabaseProps) {
    super(scope, id);
    const ex = props.export;
    const where = `database ${ex.database} imported from cluster ${ex.clusterName}`;
    const nsProblem = dnsLabelProblem(props.namespace);
    if (nsProblem) throw new Error(`${where}: namespace "${props.namespace}" ${nsProblem}`);
    const addressProblem = externalAddressesProblem(where, [ex.address], 'load balancer the database is exported on', 'address');
    if (addressProblem) throw new Error(addressProblem);
    this.name = ex.database;
    this.owner = ex.database;
    this.port = ex.port;
    this.namespace = OverlayContext.of(this).requireNamespace({ name: props.namespace, workload: true });
    addExternalEndpoints(this, 'Service', {
      name: ex.serviceName,
      sliceName: `${ex.serviceName}-export`,
      namespace: this.namespace,
      portName: 'pgbouncer',
      port: ex.port,
      addresses: [ex.address],
      labels: componentLabels('pgbouncer', ex.serviceName, 'imported-database'),
    });
    this.host = `${ex.serviceName}.${this.namespace}.svc.cluster.local`;
    this.secretBackend = props.secretBackend;
    this.credentials = new SecretReference(this, 'Credentials', {
      backend: props.secretBackend,
      namespace: this.namespace,
      name: ex.credentials.name,
      remoteKey: ex.credentials.remoteKey,
      keys: ex.credentials.keys,
      type: ex.credentials.type,
    });
    this.connections = new Connections({
      scope: this,
      name: ex.serviceName,
      // No pod of this cluster serves: the pooler is reached at the exported address.
      pods: { namespace: this.namespace, podLabels: { 'strata.io/imported-database': ex.serviceName } },
      defaultPorts: [ex.port],
      admit: (client: IGrantee, ports: readonly number[]) =>
        allowEgressToAddresses(this, `Allow-${client.granteeName}-${client.granteePods.namespace}`, {
          name: `allow-${client.granteeName}-to-${ex.serviceName}`,
          from: client.granteePods,
          cidrs: addressBlocks([ex.address]),
          ports,
        }),
    });
  }

  /** Grants the database to a grantee of this cluster: egress to the exported address, the credentials in its namespace. */
  public grantDatabase(grantee: IGrantee): DatabaseAccess {
    this.connections.allowFrom(grantee);
    const namespace = grantee.granteePods.namespace;
    const own = this.credentials as SecretReference;
    const id = `ImportedDatabase-${this.host}`;
    const credentials =
      namespace === this.namespace
        ? own
        : ((grantee.grantScope.node.tryFindChild(id) as SecretReference | undefined) ??
          new SecretReference(grantee.grantScope, id, {
            backend: this.secretBackend,
            namespace,
            name: own.name,
            remoteKey: own.remoteKey,
            keys: { username: 'username', password: 'password' },
            type: 'kubernetes.io/basic-auth',
          }));
    // In the grantee's namespace, the database's Service is where the import put it.
    return { host: this.host, port: this.port, database: this.name, credentials };
  }
}
