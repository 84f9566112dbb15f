import { App } from 'cdk8s';
import type { OverlaySpec } from '../environments/model';
import { withDependencies } from '../constructs/operators/catalog';
import { OperatorEgress } from '../constructs/operators/operator-egress';
import { OperatorRelease } from '../constructs/operators/operator-release';
import { LayerChart } from '../constructs/platform/layer-chart';
import { OverlayContext } from '../constructs/platform/overlay-context';
import { merge } from '../environments/load';

/**
 * Operators layer: the Helm releases of every operator the overlay's objects need (derived
 * from the CRD groups they use), with their CRDs, before any layer that uses them.
 */
export class OperatorsChart extends LayerChart {
  constructor(scope: App, overlay: OverlaySpec, context: OverlayContext) {
    super(scope, 'operators', { region: overlay.region.name, environment: overlay.environment });
    const operators = withDependencies(context.operators);
    const gitops = overlay.region.gitops;
    const depth = new Map<string, number>();
    const waveOf = (name: string): number => {
      if (!depth.has(name)) {
        const def = operators.find((o) => o.name === name)!;
        depth.set(name, def.dependsOn.length ? Math.max(...def.dependsOn.map(waveOf)) + 1 : 0);
      }
      return depth.get(name)!;
    };
    for (const op of operators) {
      context.requireNamespace({
        name: op.namespace,
        workload: false,
        podSecurity: op.podSecurity,
        podSecurityReason: op.podSecurityReason,
        apiServerEgress: true,
        webhookPorts: op.webhookPorts,
        allowSameNamespace: true,
        egressAnywhere: op.egressAnywhere,
      });
      new OperatorRelease(this, op.name, {
        operator: op,
        gitops,
        argoProject: `${overlay.region.name}-${overlay.environment}`,
        dependsOn: op.dependsOn.map((d) => operators.find((o) => o.name === d)!),
        syncWave: waveOf(op.name),
        values: merge(op.values, ...context.operatorValues(op.name)),
      });
      for (const rule of op.egress ?? []) new OperatorEgress(this, `${op.name}-${rule.name}`, { namespace: op.namespace, rule });
    }
  }
}
