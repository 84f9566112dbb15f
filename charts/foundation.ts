import { App } from 'cdk8s';
import type { OverlaySpec } from '../environments/model';
import { PlatformNamespace } from '../constructs/foundation/platform-namespace';
import { LayerChart } from '../constructs/platform/layer-chart';
import type { NamespaceRequirement } from '../constructs/platform/overlay-context';

/**
 * Foundation layer: every namespace the overlay's constructs use, with the tier's quota
 * (workload namespaces), limit range and baseline network policies. Built last, from what
 * the other layers required.
 */
export class FoundationChart extends LayerChart {
  constructor(scope: App, overlay: OverlaySpec, namespaces: readonly NamespaceRequirement[]) {
    super(scope, 'foundation', { region: overlay.region.name, environment: overlay.environment });
    for (const ns of namespaces) {
      // kube-system and the GitOps engine's namespace exist before Strata does.
      if (ns.name === 'kube-system') continue;
      new PlatformNamespace(this, ns.name, {
        name: ns.name,
        podSecurity: ns.podSecurity,
        podSecurityReason: ns.podSecurityReason,
        quota: ns.workload ? overlay.settings.quota : undefined,
        limitRange: overlay.settings.limitRange,
        apiServerEgress: ns.apiServerEgress,
        webhookPorts: ns.webhookPorts,
        allowSameNamespace: ns.allowSameNamespace,
        egressAnywhere: ns.egressAnywhere,
        apiServer: overlay.region.apiServer,
      });
    }
  }
}
