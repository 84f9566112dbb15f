import { App } from 'cdk8s';
import { PlatformNamespace } from './platform-namespace';
import type { ApiServerSpec, LimitRangeSpec, QuotaSpec } from '../core/namespace-policy';
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
        quota: ns.workload ? props.quota : undefined,
        limitRange: props.limitRange,
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
