import { App } from 'cdk8s';
import { MonitoringStackKind, PROMETHEUS_OPERATOR, withDependencies } from './catalog';
import { OperatorEgress } from './operator-egress';
import { OperatorRelease } from './operator-release';
import type { GitOpsSpec } from '../core/gitops';
import { merge } from '../core/merge';
import { LayerChart } from '../platform/layer-chart';
import { OverlayContext } from '../platform/overlay-context';

export interface OperatorsLayerProps {
  readonly region: string;
  readonly environment: string;
  readonly gitops: GitOpsSpec;
  /** The Argo CD project of the cluster's Applications. @default `<region>-<environment>` */
  readonly argoProject?: string;
  /**
   * The Prometheus operator may be installed (Prometheus runs in the cluster). Without it, no
   * operator depends on it and charts render no monitors of their own. @default true
   */
  readonly prometheusOperator?: boolean;
  /**
   * The in-cluster monitoring stack: with `victoriametrics`, the Prometheus operator's CRDs come
   * from prometheus-operator-crds and kube-prometheus-stack is not installed. @default 'kube-prometheus-stack'
   */
  readonly monitoringStack?: MonitoringStackKind;
  /** The operators the other layers required, with the values they contributed. */
  readonly context: OverlayContext;
}

/**
 * Operators layer: the Helm releases of every operator the overlay's objects need (derived
 * from the CRD groups they use), with their CRDs, before any layer that uses them. Built
 * by PlatformApp after the workload layers; it requires the operators' own namespaces.
 */
export class OperatorsLayer extends LayerChart {
  constructor(scope: App, props: OperatorsLayerProps) {
    super(scope, 'operators', { region: props.region, environment: props.environment });
    const { context } = props;
    const prometheusOperator = props.prometheusOperator ?? true;
    const monitoringStack = props.monitoringStack ?? 'kube-prometheus-stack';
    if (monitoringStack === 'victoriametrics' && context.operatorValues(PROMETHEUS_OPERATOR).length) {
      throw new Error(
        `operators layer: a construct configures ${PROMETHEUS_OPERATOR} (its Grafana or Prometheus), which the VictoriaMetrics stack replaces: remove it or use monitoring.stack: kube-prometheus-stack`,
      );
    }
    const operators = withDependencies(context.operators, { prometheusOperator, monitoringStack });
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
        gitops: props.gitops,
        argoProject: props.argoProject ?? `${props.region}-${props.environment}`,
        dependsOn: op.dependsOn.map((d) => operators.find((o) => o.name === d)!),
        syncWave: waveOf(op.name),
        values: merge(op.values, ...(prometheusOperator ? [] : [op.valuesWithoutPrometheusOperator ?? {}]), ...context.operatorValues(op.name)),
      });
      for (const rule of op.egress ?? []) new OperatorEgress(this, `${op.name}-${rule.name}`, { namespace: op.namespace, rule });
    }
  }
}
