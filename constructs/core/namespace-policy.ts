/** What a platform namespace enforces: the quota and limit range of its tier, and where the API server is. */

/** The ResourceQuota of a workload namespace. */
export interface QuotaSpec {
  readonly requestsCpu: string;
  readonly requestsMemory: string;
  readonly limitsCpu: string;
  readonly limitsMemory: string;
  readonly requestsStorage: string;
  readonly persistentVolumeClaims: number;
  readonly pods: number;
}

/** The LimitRange of every namespace: defaults for containers that set none, and a ceiling. */
export interface LimitRangeSpec {
  readonly defaultRequest: { readonly cpu: string; readonly memory: string };
  readonly default: { readonly cpu: string; readonly memory: string };
  readonly max: { readonly cpu: string; readonly memory: string };
}

/** What a container gets when it sets no resources, and the most it may set (the platform's defaults). */
export const DEFAULT_LIMIT_RANGE: LimitRangeSpec = {
  defaultRequest: { cpu: '100m', memory: '128Mi' },
  default: { cpu: '500m', memory: '512Mi' },
  max: { cpu: '8', memory: '32Gi' },
};

/** Where the API server is reached, and where its webhook calls come from. */
export interface ApiServerSpec {
  /** CIDR blocks: the `kubernetes` Service's ClusterIP and the endpoints behind it. */
  readonly cidrs: readonly string[];
  /** Ports pods reach it on (Service and endpoint ports). */
  readonly ports: readonly number[];
}

/** Label prefixes Strata (or Kubernetes) sets on a namespace, which user labels may not. */
export const RESERVED_NAMESPACE_LABEL_PREFIXES = ['pod-security.kubernetes.io/', 'kubernetes.io/', 'app.kubernetes.io/', 'strata.io/'];
