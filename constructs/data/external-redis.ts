import { Construct } from 'constructs';
import { REDIS_DEFAULTS } from './redis-defaults';
import type { IGrantee } from '../core/grantee';
import { secretKeyPrefix as layerKeyPrefix } from '../core/naming';
import type { SecretBackend } from '../core/secret-backend';
import { Connections, IConnectable } from '../platform/connections';
import { addressBlocks, externalAddressesProblem } from '../platform/external-addresses';
import { addExternalEndpoints } from '../platform/external-endpoints';
import { componentLabels } from '../platform/labels';
import { LayerChart } from '../platform/layer-chart';
import { allowEgressToAddresses, PodGroup } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { SecretReference } from '../secrets/secret-reference';

export interface ExternalRedisProps {
  /** The Services' name (`<name>` for Redis, `<name>-sentinel` for Sentinel). @default 'redis' */
  readonly name?: string;
  /** @default 'redis' */
  readonly namespace?: string;
  /** IPv4 addresses of the machines running Redis and Sentinel. */
  readonly addresses: readonly string[];
  /** @default 6379 */
  readonly port?: number;
  /** Sentinel's port. @default 26379 */
  readonly sentinelPort?: number;
  /** The master name Sentinel monitors (`sentinel monitor <name> ...`). @default 'mymaster' */
  readonly masterName?: string;
  readonly secretBackend: SecretBackend;
  /** Prefix of the secret-store key of the password. @default the layer's `<region>/<environment>` */
  readonly secretKeyPrefix?: string;
}

/** What a client is given to use Redis: names to connect to, and the password by reference. */
export interface RedisAccess {
  /** `<name>.<namespace>.svc.cluster.local` on `port`: every machine; a client that does not ask Sentinel may reach a replica. */
  readonly host: string;
  readonly port: number;
  /** Sentinel, which names the current master: `sentinelHost:sentinelPort`, master `masterName`. */
  readonly sentinelHost: string;
  readonly sentinelPort: number;
  readonly masterName: string;
  /** `password` of the Redis ACL default user, in the client's namespace. */
  readonly credentials: SecretReference;
}

/**
 * Redis with Sentinel on machines outside the cluster (K3s apps on external Patroni, Redis and
 * monitoring): nothing is created on the machines. In the cluster it is two Services without
 * selector (Redis, Sentinel) whose EndpointSlices list the machines, and per client its
 * password from the secret store and egress to exactly those addresses and ports
 * (`grantAccess`, or `connections.allowFrom` for the path alone).
 */
export class ExternalRedis extends Construct implements IConnectable {
  public readonly name: string;
  public readonly namespace: string;
  public readonly port: number;
  public readonly sentinelPort: number;
  public readonly masterName: string;
  public readonly addresses: readonly string[];
  public readonly connections: Connections;
  private readonly props: ExternalRedisProps;
  private readonly secretKeyPrefix: string;

  constructor(scope: Construct, id: string, props: ExternalRedisProps) {
    super(scope, id);
    this.name = props.name ?? REDIS_DEFAULTS.name;
    const where = `external Redis ${this.name}`;
    if (!/^[a-z]([-a-z0-9]{0,52}[a-z0-9])?$/.test(this.name)) {
      throw new Error(
        `${where}: name "${this.name}" is not a Service name: lower-case letters, digits and '-', starting with a letter, at most 54 characters`,
      );
    }
    const problem = externalAddressesProblem(where, props.addresses, 'Redis machines');
    if (problem) throw new Error(problem);
    this.port = props.port ?? REDIS_DEFAULTS.port;
    this.sentinelPort = props.sentinelPort ?? REDIS_DEFAULTS.sentinelPort;
    for (const [field, port] of [
      ['port', this.port],
      ['sentinelPort', this.sentinelPort],
    ] as const) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`${where}: ${field} ${port} is not a TCP port; use an integer from 1 to 65535`);
      }
    }
    if (this.port === this.sentinelPort) {
      throw new Error(`${where}: port and sentinelPort are both ${this.port}; Redis and Sentinel cannot share a port`);
    }
    this.masterName = props.masterName ?? REDIS_DEFAULTS.masterName;
    this.addresses = [...props.addresses];
    this.props = props;
    const layer = LayerChart.of(this);
    this.secretKeyPrefix = props.secretKeyPrefix ?? layerKeyPrefix(layer.region, layer.environment);
    this.namespace = OverlayContext.of(this).requireNamespace({ name: props.namespace ?? REDIS_DEFAULTS.namespace, workload: true });
    const labels = componentLabels('redis', this.name, 'cache');
    addExternalEndpoints(this, 'Redis', {
      name: this.name,
      namespace: this.namespace,
      portName: 'redis',
      port: this.port,
      addresses: this.addresses,
      labels,
    });
    addExternalEndpoints(this, 'Sentinel', {
      name: `${this.name}-sentinel`,
      namespace: this.namespace,
      portName: 'sentinel',
      port: this.sentinelPort,
      addresses: this.addresses,
      labels,
    });
    this.connections = new Connections({
      scope: this,
      name: this.name,
      // No pod serves: the machines are outside, reached by address.
      pods: { namespace: this.namespace, podLabels: { 'strata.io/external-redis': this.name } },
      defaultPorts: [this.port, this.sentinelPort],
      admit: (client, ports) => this.allowEgress(client.granteePods, client.granteeName, ports),
    });
  }

  /** Secret-store key of the password (property `password`). */
  public get passwordKey(): string {
    return `${this.secretKeyPrefix}/redis/${this.name}`;
  }

  /** The client's password in its own namespace, and the path to Redis and Sentinel. */
  public grantAccess(grantee: IGrantee): RedisAccess {
    this.connections.allowFrom(grantee);
    const namespace = grantee.granteePods.namespace;
    const id = `RedisPassword-${this.name}-${namespace}`;
    const credentials =
      (grantee.grantScope.node.tryFindChild(id) as SecretReference | undefined) ??
      new SecretReference(grantee.grantScope, id, {
        backend: this.props.secretBackend,
        namespace,
        name: `${this.name}-redis-password`,
        remoteKey: this.passwordKey,
        keys: { password: 'password' },
      });
    return {
      host: `${this.name}.${this.namespace}.svc.cluster.local`,
      port: this.port,
      sentinelHost: `${this.name}-sentinel.${this.namespace}.svc.cluster.local`,
      sentinelPort: this.sentinelPort,
      masterName: this.masterName,
      credentials,
    };
  }

  private allowEgress(clients: PodGroup, name: string, ports: readonly number[]): void {
    allowEgressToAddresses(this, `AllowClient-${clients.namespace}-${name}`, {
      name: `allow-${name}-to-redis-${this.name}`,
      from: clients,
      cidrs: addressBlocks(this.addresses),
      ports,
    });
  }
}
