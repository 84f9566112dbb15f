import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';

import { OverlayContext } from './overlay-context';
import type { PodGroup } from '../core/grantee';

export type { PodGroup } from '../core/grantee';

/** The kube-prometheus-stack Prometheus, which scrapes every PodMonitor and ServiceMonitor. */
export const PROMETHEUS_PODS: PodGroup = { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } };
/** The VictoriaMetrics stack's VMAgent (the operator's pod labels), which scrapes every monitor the operator converted. */
export const VMAGENT_PODS: PodGroup = { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'vmagent' } };

/** What scrapes the cluster's PodMonitors and ServiceMonitors, and the stem of the policies that let it. */
export interface Scraper {
  readonly pods: PodGroup;
  /** `allow-<stem>-to-<target>`. */
  readonly policyStem: 'prometheus' | 'vmagent';
}

/** The in-cluster scraper of the overlay a construct belongs to: Prometheus, or VictoriaMetrics' VMAgent. */
export function scraperOf(scope: IConstruct): Scraper {
  return OverlayContext.tryOf(scope)?.monitoringStack === 'victoriametrics'
    ? { pods: VMAGENT_PODS, policyStem: 'vmagent' }
    : { pods: PROMETHEUS_PODS, policyStem: 'prometheus' };
}

export interface AllowTrafficProps {
  readonly from: PodGroup;
  readonly to: PodGroup;
  readonly ports: readonly number[];
  /** Policy name stem; the two sides get `-egress` and `-ingress` (they may share a namespace). */
  readonly name: string;
}

function peer(group: PodGroup): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': group.namespace } },
    podSelector: { matchLabels: { ...group.podLabels } },
  };
}

/**
 * Opens one edge through the default-deny policies: an egress rule on the client side and
 * an ingress rule on the server side, for exactly these pods and TCP ports.
 */
export function allowTraffic(scope: Construct, id: string, props: AllowTrafficProps): void {
  const ports = props.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
  new k8s.KubeNetworkPolicy(scope, `${id}Egress`, {
    metadata: { name: `${props.name}-egress`, namespace: props.from.namespace },
    spec: { podSelector: { matchLabels: { ...props.from.podLabels } }, policyTypes: ['Egress'], egress: [{ to: [peer(props.to)], ports }] },
  });
  new k8s.KubeNetworkPolicy(scope, `${id}Ingress`, {
    metadata: { name: `${props.name}-ingress`, namespace: props.to.namespace },
    spec: { podSelector: { matchLabels: { ...props.to.podLabels } }, policyTypes: ['Ingress'], ingress: [{ from: [peer(props.from)], ports }] },
  });
}

/** Egress to addresses outside the cluster (VMs, other regions' endpoints). */
export function allowEgressToAddresses(
  scope: Construct,
  id: string,
  props: { from: PodGroup; cidrs: readonly string[]; ports: readonly number[]; name: string },
): void {
  new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: props.name, namespace: props.from.namespace },
    spec: {
      podSelector: { matchLabels: { ...props.from.podLabels } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: props.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: props.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
        },
      ],
    },
  });
}
