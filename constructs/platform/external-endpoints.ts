/**
 * A service that runs outside the cluster (PostgreSQL on VMs, Redis Sentinel) as pods see it:
 * a Service without selector whose EndpointSlice lists the machines, so clients use a
 * cluster DNS name and never type an address. Kubernetes' EndpointSlice controller leaves
 * slices of other managers alone.
 */
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';

/** Who manages the EndpointSlices Strata writes (anything but the EndpointSlice controller). */
const ENDPOINTSLICE_MANAGER = 'strata.io';
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export interface ExternalEndpointsProps {
  /** The Service's name. */
  readonly name: string;
  /** The EndpointSlice's name. @default `<name>-vms` */
  readonly sliceName?: string;
  readonly namespace: string;
  readonly portName: string;
  readonly port: number;
  readonly addresses: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

/** A Service without selector and the EndpointSlice listing `addresses` on `port`. */
export function addExternalEndpoints(scope: Construct, id: string, props: ExternalEndpointsProps): void {
  new k8s.KubeService(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) },
    spec: {
      type: 'ClusterIP',
      ports: [{ name: props.portName, protocol: 'TCP', port: props.port, targetPort: k8s.IntOrString.fromNumber(props.port) }],
    },
  });
  new k8s.KubeEndpointSlice(scope, `${id}Endpoints`, {
    metadata: {
      name: props.sliceName ?? `${props.name}-vms`,
      namespace: props.namespace,
      labels: { 'kubernetes.io/service-name': props.name, 'endpointslice.kubernetes.io/managed-by': ENDPOINTSLICE_MANAGER },
    },
    addressType: 'IPv4',
    endpoints: props.addresses.map((address) => ({ addresses: [address], conditions: { ready: true } })),
    ports: [{ name: props.portName, protocol: 'TCP', port: props.port }],
  });
}

/**
 * Why `addresses` cannot be the machines of an external service (`where` names it), or
 * undefined: IPv4 only, routable (the API server rejects loopback, link-local, multicast and
 * unspecified addresses in endpoints), each once.
 */
export function externalAddressesProblem(where: string, addresses: readonly string[], what: string, field = 'addresses'): string | undefined {
  if (addresses.length === 0) return `${where}: ${field} is empty; list the IPv4 addresses of the ${what}, e.g. ['10.20.0.11', '10.20.0.12']`;
  const seen = new Set<string>();
  const is = field === 'addresses' ? `${field} contains` : `${field} is`;
  for (const address of addresses) {
    if (!IPV4.test(address)) {
      return `${where}: ${is} "${address}", which is not an IPv4 address; write it as four decimal octets, e.g. 10.20.0.11`;
    }
    const [a, b] = address.split('.').map(Number);
    if (a === 0 || a === 127 || a >= 224 || (a === 169 && b === 254)) {
      return `${where}: ${is} ${address}, an unspecified, loopback, link-local or multicast address; give the routable address of the ${what}`;
    }
    if (seen.has(address)) return `${where}: addresses lists ${address} twice; remove the duplicate`;
    seen.add(address);
  }
  return undefined;
}

/** The addresses as /32 blocks, for egress policies. */
export function addressBlocks(addresses: readonly string[]): string[] {
  return addresses.map((address) => `${address}/32`);
}
