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
