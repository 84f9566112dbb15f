import { Construct } from 'constructs';
import { ExternalPatroniAlertOptions, externalPatroniAlerts } from './external-patroni-alerts';
import {
  AddDatabaseOptions,
  AddRoleOptions,
  assertIdentifier,
  captureIdentifier,
  ChangeCapture,
  ChangeCaptureOptions,
  CredentialsSecret,
  objectName,
} from './postgres-cluster';
import { PostgresClusterBase } from './postgres-cluster-base';
import { POSTGRES_DEFAULTS } from './postgres-defaults';
import * as monitoring from '../../imports/monitoring.coreos.com';
import type { IGrantee } from '../core/grantee';
import type { SecretBackend } from '../core/secret-backend';
import { addAlertRules, RUNBOOKS } from '../platform/alert-rules';
import { addressBlocks, externalAddressesProblem } from '../platform/external-addresses';
import { addExternalEndpoints } from '../platform/external-endpoints';
import { ExternalPrometheus } from '../platform/external-prometheus';
import { componentLabels } from '../platform/labels';
import { allowEgressToAddresses, PodGroup, scraperOf } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { SecretReference } from '../secrets/secret-reference';

export interface ExternalPatroniClusterProps {
  /** Name of the Service applications connect to (a DNS label; `<name>-exporter` must fit 63 characters). */
  readonly name: string;
  /** @default 'postgres' */
  readonly namespace?: string;
  /** IPv4 addresses of the VMs running PgBouncer in front of Patroni. */
  readonly addresses: readonly string[];
  /** PgBouncer port on the VMs. @default 6432 */
  readonly pgbouncerPort?: number;
  /** postgres_exporter port on the VMs. @default 9187 */
  readonly exporterPort?: number;
  /** PostgreSQL's own port on the VMs, for CDC replication connections. @default 5432 */
  readonly postgresPort?: number;
  /**
   * The VMs run with `wal_level = logical` (set there: Strata does not manage their
   * settings). `captureChanges` and `enableLogicalDecoding` need it.
   * @default false
   */
  readonly logicalDecoding?: boolean;
  readonly secretBackend: SecretBackend;
  /** Prefix of every key this cluster reads from the secret store, e.g. `region-a/prod`. */
  readonly secretKeyPrefix: string;
  /**
   * The Prometheus pods that scrape the exporters.
   * @default namespace `monitoring`, label `app.kubernetes.io/name: prometheus`
   */
  readonly prometheus?: PodGroup;
  /** Thresholds of the cluster's alerts. @default see `ExternalPatroniAlertOptions` */
  readonly alerts?: ExternalPatroniAlertOptions;
}

/**
 * PostgreSQL run by Patroni on VMs outside the cluster, behind PgBouncer (K3s apps on external Patroni): no
 * operator, nothing created on the VMs. In the cluster it is a Service without selector
 * whose EndpointSlice lists the VMs' PgBouncer port, one ExternalSecret per database owner
 * (the roles themselves are managed on the VMs), egress policies to exactly those
 * addresses, and a ServiceMonitor over a second selector-less Service for postgres_exporter
 * with the alerts Prometheus can raise from it (`external-patroni-alerts.ts`).
 *
 * PgBouncer routes every connection to the Patroni leader, so `readOnlyHost` equals
 * `readWriteHost`; `serverPods` selects no pod (there is none to open ingress to).
 */
export class ExternalPatroniCluster extends PostgresClusterBase {
  public readonly clusterName: string;
  public readonly namespace: string;
  public readonly readWriteHost: string;
  public readonly readOnlyHost: string;
  public readonly port: number;
  public readonly exporterPort: number;
  public readonly addresses: readonly string[];
  /** PgBouncer's TLS is set up on the VMs; Strata knows no CA for it. */
  public readonly ca?: { readonly name: string; readonly key: string };
  public readonly serverPods: PodGroup;

  private readonly props: ExternalPatroniClusterProps;
  private readonly roles = new Map<string, CredentialsSecret>();

  constructor(scope: Construct, id: string, props: ExternalPatroniClusterProps) {
    super(scope, id);
    validate(props);
    this.props = props;
    this.clusterName = props.name;
    this.port = props.pgbouncerPort ?? 6432;
    this.exporterPort = props.exporterPort ?? 9187;
    this.addresses = [...props.addresses];
    this.namespace = OverlayContext.of(this).requireNamespace({ name: props.namespace ?? POSTGRES_DEFAULTS.namespace, workload: true });
    this.readWriteHost = `${props.name}.${this.namespace}.svc.cluster.local`;
    this.readOnlyHost = this.readWriteHost;
    // A label no pod carries: the servers are VMs.
    this.serverPods = { namespace: this.namespace, podLabels: { 'strata.io/external-postgres': props.name } };

    this.addEndpoints('Resource', props.name, 'pgbouncer', this.port, componentLabels('postgresql', props.name, 'database'));

    const exporterName = `${props.name}-exporter`;
    const exporterLabels = componentLabels('postgres-exporter', props.name, 'metrics');
    this.addEndpoints('Exporter', exporterName, 'metrics', this.exporterPort, exporterLabels);
    const external = ExternalPrometheus.of(this);
    if (external) {
      // The Prometheus outside scrapes the VMs' exporters itself, with the labels the ServiceMonitor would give.
      external.addStaticJob({
        name: `${this.namespace}/${exporterName}`,
        targets: this.addresses.map((a) => `${a}:${this.exporterPort}`),
        labels: { namespace: this.namespace, job: exporterName },
      });
    } else {
      new monitoring.ServiceMonitor(this, 'ServiceMonitor', {
        metadata: { name: exporterName, namespace: this.namespace },
        spec: {
          selector: { matchLabels: { ...exporterLabels } },
          // Selector-less Services get no Endpoints object from Kubernetes, only our EndpointSlice.
          serviceDiscoveryRole: monitoring.ServiceMonitorSpecServiceDiscoveryRole.ENDPOINT_SLICE,
          endpoints: [{ port: 'metrics', interval: '30s' }],
        },
      });
      const scraper = scraperOf(this);
      const prometheus = props.prometheus ?? scraper.pods;
      allowEgressToAddresses(this, 'AllowScrape', {
        name: `allow-${scraper.policyStem}-to-${props.name}-exporters`,
        from: prometheus,
        cidrs: this.cidrs(),
        ports: [this.exporterPort],
      });
    }
    const alerts = externalPatroniAlerts(
      { name: props.name, namespace: this.namespace, job: exporterName, servers: this.addresses.length },
      props.alerts,
    );
    addAlertRules(this, 'Alerts', {
      runbooks: RUNBOOKS.data,
      name: props.name,
      namespace: this.namespace,
      labels: { namespace: this.namespace, postgres_cluster: props.name },
      alerts: () => alerts,
    });
  }

  /** A Service without selector and the EndpointSlice listing the VMs on `port`. */
  private addEndpoints(id: string, name: string, portName: string, port: number, labels: Record<string, string>): void {
    addExternalEndpoints(this, id, { name, namespace: this.namespace, portName, port, addresses: this.addresses, labels });
  }

  private cidrs(): string[] {
    return addressBlocks(this.addresses);
  }

  /**
   * The credential of a role that exists on the VMs, fetched from the secret store; the
   * role itself (with `options`) is created by whoever manages Patroni.
   */
  public addRole(name: string, _options: AddRoleOptions = {}): CredentialsSecret {
    assertIdentifier('role', name);
    const existing = this.roles.get(name);
    if (existing) return existing;
    const secret = new SecretReference(this, `Role-${name}`, {
      backend: this.props.secretBackend,
      namespace: this.namespace,
      name: `${this.clusterName}-${objectName(name)}-credentials`,
      remoteKey: `${this.props.secretKeyPrefix}/postgres/${this.clusterName}/roles/${name}`,
      keys: { username: 'username', password: 'password' },
      type: 'kubernetes.io/basic-auth',
    });
    this.roles.set(name, secret);
    return secret;
  }

  /**
   * A database that exists on the VMs: its owner's credential is fetched (addDatabase).
   * Pooling is PgBouncer's on the VMs, so `poolerInstances` and `poolMode` are not applied.
   */
  protected provisionDatabase(name: string, options: AddDatabaseOptions): string {
    if (options.extensions?.length) {
      throw new Error(
        `external PostgreSQL ${this.clusterName}: database "${name}" asks for extensions ${options.extensions.join(', ')}, which Strata cannot create on the VMs; run CREATE EXTENSION where Patroni is managed, and drop extensions here`,
      );
    }
    return this.readWriteHost;
  }

  /**
   * The VMs must run with `wal_level = logical` (declared with `postgres.external.logicalDecoding`)
   * and have a `<pipeline>_cdc` role with REPLICATION that owns or may read the tables; its
   * credential is fetched from the secret store, and the connector creates the publication.
   * Replication connections bypass PgBouncer and go to PostgreSQL itself on `postgresPort`
   * through a `<name>-postgres` Service over the VMs: only the Patroni leader accepts them, so
   * a connector that reaches a standby fails and retries until it reaches the leader.
   */
  public captureChanges(options: ChangeCaptureOptions): ChangeCapture {
    this.enableLogicalDecoding();
    const db = this.database(options.database);
    const postgresPort = this.props.postgresPort ?? 5432;
    const serviceName = `${this.clusterName}-postgres`;
    if (!this.node.tryFindChild('Replication')) {
      this.addEndpoints('Replication', serviceName, 'postgresql', postgresPort, componentLabels('postgresql', this.clusterName, 'replication'));
    }
    const credentials = this.addRole(`${options.name.replace(/-/g, '_')}_cdc`, { replication: true });
    const id = captureIdentifier(options.name);
    return {
      host: `${serviceName}.${this.namespace}.svc.cluster.local`,
      port: postgresPort,
      database: db.name,
      credentials,
      publication: id,
      slot: id,
      publicationManaged: false,
      verifiableWithPlatformCa: false,
    };
  }

  /**
   * The VMs' settings are managed on the VMs: this checks that logical decoding is declared
   * there (`logicalDecoding: true`) and refuses otherwise, rather than doing nothing.
   */
  public enableLogicalDecoding(): void {
    if (!this.props.logicalDecoding) {
      throw new Error(
        `external Patroni cluster ${this.clusterName}: logical decoding is set on the VMs, not by Strata; set wal_level = logical there, then declare it with logicalDecoding: true (postgres.external.logicalDecoding in an environment)`,
      );
    }
  }

  public allowReplicationFrom(peer: IGrantee): void {
    const clients = peer.granteePods;
    const name = peer.granteeName;
    allowEgressToAddresses(this, `AllowReplication-${name}`, {
      name: `allow-${name}-replication-to-${this.clusterName}-vms`,
      from: clients,
      cidrs: this.cidrs(),
      ports: [this.props.postgresPort ?? 5432],
    });
  }

  /** Egress from `clients` to the VMs' PgBouncer port (the VMs' own firewall must allow it too). */
  public allowFrom(peer: IGrantee): void {
    const clients = peer.granteePods;
    const name = peer.granteeName;
    allowEgressToAddresses(this, `AllowClient-${name}`, {
      name: `allow-${name}-to-${this.clusterName}-vms`,
      from: clients,
      cidrs: this.cidrs(),
      ports: [this.port],
    });
  }
}

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function validate(props: ExternalPatroniClusterProps): void {
  const where = `external Patroni cluster ${props.name}`;
  if (!DNS_LABEL.test(props.name) || props.name.length > 54) {
    throw new Error(
      `${where}: name "${props.name}" is not a Service name: use lower-case letters, digits and '-', starting with a letter, at most 54 characters (the exporter Service adds "-exporter")`,
    );
  }
  const addressProblem = externalAddressesProblem(where, props.addresses, 'PgBouncer VMs');
  if (addressProblem) throw new Error(addressProblem);
  for (const [prop, port] of [
    ['pgbouncerPort', props.pgbouncerPort],
    ['exporterPort', props.exporterPort],
  ] as const) {
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw new Error(`${where}: ${prop} ${port} is not a TCP port; use an integer from 1 to 65535`);
    }
  }
  if (props.pgbouncerPort !== undefined && props.pgbouncerPort === props.exporterPort) {
    throw new Error(`${where}: pgbouncerPort and exporterPort are both ${props.pgbouncerPort}; PgBouncer and postgres_exporter cannot share a port`);
  }
}
