import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { PodGroup } from '../platform/network';

/** Egress some of an operator's pods need beyond their namespace and the API server. */
export interface OperatorEgressRule {
  /** Policy name stem: the policy is `allow-<name>-egress`. */
  readonly name: string;
  /** The operator's pods that need it. */
  readonly podLabels: Readonly<Record<string, string>>;
  /**
   * Pods of another namespace, or `nodes`: the cluster's node addresses (kubelets, host-network
   * pods such as node exporters, control-plane components). Node addresses differ per cluster
   * and are not modelled, so a `nodes` rule limits the ports only.
   */
  readonly to: PodGroup | 'nodes';
  readonly ports: readonly number[];
}

export interface OperatorEgressProps {
  readonly namespace: string;
  readonly rule: OperatorEgressRule;
}

/**
 * One egress NetworkPolicy for an operator's pods, instead of opening its whole namespace to
 * any address: the other side is either a namespace Strata does not own (kube-system), whose
 * ingress is not Strata's to open, or node addresses.
 */
export class OperatorEgress extends Construct {
  constructor(scope: Construct, id: string, props: OperatorEgressProps) {
    super(scope, id);
    const { rule } = props;
    const to =
      rule.to === 'nodes'
        ? undefined
        : [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': rule.to.namespace } },
              podSelector: { matchLabels: { ...rule.to.podLabels } },
            },
          ];
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: `allow-${rule.name}-egress`, namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: { ...rule.podLabels } },
        policyTypes: ['Egress'],
        egress: [
          {
            ...(to ? { to } : {}),
            ports: [...rule.ports].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
          },
        ],
      },
    });
  }
}
