import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DEFAULT_LIMIT_RANGE, LimitRangeSpec, QuotaSpec, RESERVED_NAMESPACE_LABEL_PREFIXES } from '../core/namespace-policy';
import type { PodSecurityLevel } from '../platform/overlay-context';
import { PRUNE_PROTECTION_ANNOTATIONS } from '../platform/protection';

export interface PlatformNamespaceProps {
  readonly name: string;
  /**
   * Pod Security Standards level, enforced, audited and warned on.
   * @default 'restricted'
   */
  readonly podSecurity?: PodSecurityLevel;
  /** Why the namespace runs below `restricted`; required when it does. */
  readonly podSecurityReason?: string;
  /** The tier's quota; omitted for operator namespaces, whose charts size themselves. */
  readonly quota?: QuotaSpec;
  /**
   * Container defaults and ceiling.
   * @default DEFAULT_LIMIT_RANGE (100m / 128Mi requested, 500m / 512Mi limits, at most 8 CPUs / 32Gi)
   */
  readonly limitRange?: LimitRangeSpec;
  /**
   * Pods here call the Kubernetes API (operators, instance managers).
   * @default false
   */
  readonly apiServerEgress?: boolean;
  /**
   * Ports the API server calls into (admission and conversion webhooks).
   * @default []
   */
  readonly webhookPorts?: readonly number[];
  /**
   * Pods of the namespace may talk to each other (operators and their helpers).
   * @default false
   */
  readonly allowSameNamespace?: boolean;
  /**
   * Egress to any address on these ports, or on every port ('any'): for components whose
   * peers have no fixed address (a secret provider's API, Prometheus scraping nodes).
   * @default none
   */
  readonly egressAnywhere?: readonly number[] | 'any';
  /**
   * Where the API server is: API-server egress goes only to these addresses, and webhook
   * ingress is accepted only from them.
   * @default any address (on ports 443 and 6443 for egress)
   */
  readonly apiServer?: ApiServerAddresses;
  /**
   * Labels of the user's own. The Pod Security, Kubernetes and Strata labels are Strata's:
   * a label under those prefixes is refused. @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ApiServerAddresses {
  /** CIDR blocks of the API server (its Service ClusterIP and endpoints). */
  readonly cidrs: readonly string[];
  /** @default [443, 6443] */
  readonly ports?: readonly number[];
}

/** The Kubernetes API is reached on 443 (Service) or 6443 (endpoints) depending on the distribution. */
const API_SERVER_PORTS = [443, 6443];

/**
 * A namespace with the platform's guard rails: Pod Security Standards labels, the tier's
 * ResourceQuota, a LimitRange giving every container requests and limits, and a
 * default-deny NetworkPolicy with DNS egress. Everything else a pod may reach is opened
 * by the construct that needs it (`allowFrom`, `backupTo`, ...).
 */
export class PlatformNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    this.name = props.name;
    const level = props.podSecurity ?? 'restricted';
    if (level !== 'restricted' && !props.podSecurityReason) {
      throw new Error(`namespace ${props.name}: podSecurity ${level} needs a podSecurityReason saying which workload requires it`);
    }

    for (const key of Object.keys(props.labels ?? {})) {
      const reserved = RESERVED_NAMESPACE_LABEL_PREFIXES.find((p) => key.startsWith(p));
      if (reserved) {
        throw new Error(
          `namespace ${props.name}: label ${key} is under ${reserved}, which Strata or Kubernetes sets; choose a key of your own, e.g. example.org/team`,
        );
      }
    }
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': 'v1.28',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
        annotations: {
          // Deleting a namespace deletes everything in it, prune-protected objects and their
          // volumes included: a namespace that disappears from the tree stays on the cluster.
          ...PRUNE_PROTECTION_ANNOTATIONS,
          ...(props.podSecurityReason ? { 'strata.io/pod-security-reason': props.podSecurityReason } : {}),
        },
      },
    });

    if (props.quota) {
      const q = props.quota;
      new k8s.KubeResourceQuota(this, 'Quota', {
        metadata: { name: 'compute-and-storage', namespace: props.name },
        spec: {
          hard: {
            'requests.cpu': k8s.Quantity.fromString(q.requestsCpu),
            'requests.memory': k8s.Quantity.fromString(q.requestsMemory),
            'limits.cpu': k8s.Quantity.fromString(q.limitsCpu),
            'limits.memory': k8s.Quantity.fromString(q.limitsMemory),
            'requests.storage': k8s.Quantity.fromString(q.requestsStorage),
            persistentvolumeclaims: k8s.Quantity.fromNumber(q.persistentVolumeClaims),
            pods: k8s.Quantity.fromNumber(q.pods),
          },
        },
      });
    }

    const lr = props.limitRange ?? DEFAULT_LIMIT_RANGE;
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: { name: 'container-defaults', namespace: props.name },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: k8s.Quantity.fromString(lr.defaultRequest.cpu), memory: k8s.Quantity.fromString(lr.defaultRequest.memory) },
            default: { cpu: k8s.Quantity.fromString(lr.default.cpu), memory: k8s.Quantity.fromString(lr.default.memory) },
            max: { cpu: k8s.Quantity.fromString(lr.max.cpu), memory: k8s.Quantity.fromString(lr.max.memory) },
          },
        ],
      },
    });

    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace: props.name },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    new k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: { name: 'allow-dns-egress', namespace: props.name },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
              { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
            ],
          },
        ],
      },
    });

    // The API server is not a pod, so no selector can name it: its addresses can, where the
    // region gives them; otherwise only its ports.
    const apiServerPeers = props.apiServer?.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    if (props.apiServerEgress) {
      const ports = (props.apiServer?.ports ?? API_SERVER_PORTS).map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
      new k8s.KubeNetworkPolicy(this, 'AllowApiServer', {
        metadata: { name: 'allow-apiserver-egress', namespace: props.name },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ ...(apiServerPeers ? { to: apiServerPeers } : {}), ports }],
        },
      });
    }

    if (props.allowSameNamespace) {
      const self = { podSelector: {} };
      new k8s.KubeNetworkPolicy(this, 'AllowSameNamespace', {
        metadata: { name: 'allow-same-namespace', namespace: props.name },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [self] }], egress: [{ to: [self] }] },
      });
    }

    if (props.egressAnywhere) {
      const ports =
        props.egressAnywhere === 'any'
          ? undefined
          : props.egressAnywhere.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
      new k8s.KubeNetworkPolicy(this, 'AllowEgress', {
        metadata: { name: 'allow-external-egress', namespace: props.name },
        spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ...(ports ? { ports } : {}) }] },
      });
    }

    if (props.webhookPorts?.length) {
      new k8s.KubeNetworkPolicy(this, 'AllowWebhooks', {
        metadata: { name: 'allow-webhook-ingress', namespace: props.name },
        spec: {
          podSelector: {},
          policyTypes: ['Ingress'],
          // Webhook calls come from the API server's own addresses: any source unless the region names them.
          ingress: [
            {
              ...(apiServerPeers ? { from: apiServerPeers } : {}),
              ports: props.webhookPorts.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
            },
          ],
        },
      });
    }
  }
}
