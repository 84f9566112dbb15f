import { App } from 'cdk8s';
import { PlatformNamespace } from './platform-namespace';
import { ApiServerSpec, DEFAULT_LIMIT_RANGE, LimitRangeSpec, QuotaSpec } from '../core/namespace-policy';
import { LayerChart } from '../platform/layer-chart';
import type { NamespaceRequirement } from '../platform/overlay-context';

export interface FoundationLayerProps {
  readonly region: string;
  readonly environment: string;
  /** Every namespace the other layers' constructs required (OverlayContext.namespaces). */
  readonly namespaces: readonly NamespaceRequirement[];
  /** The ResourceQuota of workload namespaces. @default no ResourceQuota */
  readonly quota?: QuotaSpec;
  /** @default DEFAULT_LIMIT_RANGE */
  readonly limitRange?: LimitRangeSpec;
  /** @default any address on the API server's usual ports */
  readonly apiServer?: ApiServerSpec;
  /** Namespaces several environments of a shared cluster use: no environment's quota is theirs. @default none */
  readonly sharedNamespaces?: readonly string[];
  /**
   * The cluster is shared by environments: its own namespaces (the operators', the shared ones)
   * take the platform's default limit range, not one environment's. @default false
   */
  readonly sharedCluster?: boolean;
}

/**
 * Foundation layer: every namespace the overlay's constructs use, with the quota (workload
 * namespaces), limit range and baseline network policies. Built last, by PlatformApp, from
 * what the other layers required.
 */
export class FoundationLayer extends LayerChart {
  constructor(scope: App, props: FoundationLayerProps) {
    super(scope, 'foundation', { region: props.region, environment: props.environment });
    for (const ns of props.namespaces) {
      // kube-system and the GitOps engine's namespace exist before Strata does.
      if (ns.name === 'kube-system') continue;
      new PlatformNamespace(this, ns.name, {
        name: ns.name,
        podSecurity: ns.podSecurity,
        podSecurityReason: ns.podSecurityReason,
        quota: ns.workload && !(props.sharedNamespaces ?? []).includes(ns.name) ? props.quota : undefined,
        limitRange:
          props.sharedCluster && (!ns.workload || (props.sharedNamespaces ?? []).includes(ns.name)) ? DEFAULT_LIMIT_RANGE : props.limitRange,
        apiServerEgress: ns.apiServerEgress,
        webhookPorts: ns.webhookPorts,
        allowSameNamespace: ns.allowSameNamespace,
        egressAnywhere: ns.egressAnywhere,
        apiServer: props.apiServer,
        ...(ns.labels ? { labels: ns.labels } : {}),
      });
    }
  }
}
