/**
 * The network side of relationships, one object per service: `pg.connections.allowFrom(app)`
 * lets a grantee's pods reach the service on its default ports, `app.connections.allowTo(pg)`
 * says the same from the client's side. Both open exactly one path through the default-deny
 * policies (an egress rule on the client, an ingress rule on the server), named after the two
 * identities, and whatever else the service needs to admit a client (Kafka's listener peers,
 * a database's pooler) is the service's own `admit`. Nothing is typed twice: the port is the
 * service's, the pods and name are the grantee's.
 */
import type { Construct } from 'constructs';
import { allowTraffic, PodGroup } from './network';
import type { IGrantee } from '../core/grantee';

export interface IConnectable {
  readonly connections: Connections;
}

export interface ConnectionsProps {
  /** The construct that owns the policies (normally the service itself). */
  readonly scope: Construct;
  /** The service's name in policy names: `allow-<client>-to-<name>`. */
  readonly name: string;
  /** The pods that serve. */
  readonly pods: PodGroup;
  /** The ports clients use when none are given. */
  readonly defaultPorts: readonly number[];
  /**
   * How the service admits a client on `ports`, when it needs more than the two policies
   * (they are what it does without this).
   */
  readonly admit?: (client: IGrantee, ports: readonly number[]) => void;
  /** The service as a client of others (`allowTo`). @default none: the service connects to nothing */
  readonly asClient?: IGrantee;
}

export class Connections {
  public readonly defaultPorts: readonly number[];
  private readonly admitted = new Set<string>();

  constructor(private readonly props: ConnectionsProps) {
    if (props.defaultPorts.length === 0) throw new Error(`connections of ${props.name}: give at least one default port`);
    for (const port of props.defaultPorts) assertPort(props.name, port);
    this.defaultPorts = [...props.defaultPorts];
  }

  /** Lets `client`'s pods reach this service on `ports` (its default ports when omitted). Idempotent. */
  public allowFrom(client: IGrantee, ports: readonly number[] = this.defaultPorts): void {
    if (ports.length === 0) {
      throw new Error(
        `connections of ${this.props.name}: allowFrom(${client.granteeName}) with no port; omit ports for the defaults (${this.defaultPorts.join(', ')})`,
      );
    }
    for (const port of ports) assertPort(this.props.name, port);
    const sorted = [...new Set(ports)].sort((a, b) => a - b);
    const key = `${client.granteePods.namespace}/${client.granteeName}:${sorted.join(',')}`;
    if (this.admitted.has(key)) return;
    this.admitted.add(key);
    if (this.props.admit) {
      this.props.admit(client, sorted);
      return;
    }
    allowTraffic(this.props.scope, `AllowFrom-${client.granteeName}-${sorted.join('-')}`, {
      name: `allow-${client.granteeName}-to-${this.props.name}`,
      from: client.granteePods,
      to: this.props.pods,
      ports: sorted,
    });
  }

  /** Lets this service's pods reach `target` on the target's default ports. */
  public allowTo(target: IConnectable, ports?: readonly number[]): void {
    const self = this.props.asClient;
    if (!self) {
      throw new Error(`${this.props.name} connects to nothing: allowTo needs connections made with asClient (the service's identity and pods)`);
    }
    target.connections.allowFrom(self, ports ?? target.connections.defaultPorts);
  }
}

function assertPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`connections of ${name}: port ${port} is not a TCP port (1-65535)`);
}

/**
 * Connections of a service clients reach on one port, admitting them its own way (a
 * database's poolers, Kafka's listener peers): another port is refused, naming the right one.
 */
export function singlePortConnections(props: {
  readonly scope: Construct;
  readonly name: string;
  readonly what: string;
  readonly pods: PodGroup;
  readonly port: number;
  readonly admit: (client: IGrantee) => void;
  readonly asClient?: IGrantee;
}): Connections {
  return new Connections({
    scope: props.scope,
    name: props.name,
    pods: props.pods,
    defaultPorts: [props.port],
    asClient: props.asClient,
    admit: (client, ports) => {
      if (ports.length !== 1 || ports[0] !== props.port) {
        throw new Error(
          `${props.what} ${props.name}: clients connect on ${props.port}; allowFrom(${client.granteeName}) asked for ${ports.join(', ')}`,
        );
      }
      props.admit(client);
    },
  });
}
