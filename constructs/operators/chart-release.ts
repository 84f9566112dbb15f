/**
 * A chart that is no operator (it installs no CRDs: Fluent Bit, Loki, Grafana), released in
 * the layer of the construct that needs it, beside the Secrets its pods read, the way
 * OperatorRelease releases operators: a Flux HelmRelease or an Argo CD Application, by the
 * PlatformApp's engine and project unless told otherwise.
 */
import { Construct } from 'constructs';
import { OperatorRelease } from './operator-release';
import type { GitOpsSpec } from '../core/gitops';
import { PlatformApp } from '../platform/platform-app';
import type { HelmChartName } from '../versions';

export interface ChartReleaseProps {
  /** The release's name, and its source's. */
  readonly name: string;
  /** The pinned chart (constructs/versions.ts). */
  readonly chart: HelmChartName;
  readonly namespace: string;
  readonly values: Readonly<Record<string, unknown>>;
  /** Keep the release when it leaves the tree: it runs a store. False for what keeps no data. */
  readonly protectFromPrune: boolean;
  /** @default the PlatformApp's */
  readonly gitops?: GitOpsSpec;
  /** The Argo CD project of the Application (Argo CD only). @default the PlatformApp's */
  readonly argoProject?: string;
}

export function releaseChart(scope: Construct, id: string, props: ChartReleaseProps): OperatorRelease {
  const gitops = props.gitops ?? PlatformApp.of(scope).props.gitops;
  return new OperatorRelease(scope, id, {
    operator: { name: props.name, chart: props.chart, namespace: props.namespace, crdGroups: [], dependsOn: [], webhookPorts: [], values: {} },
    gitops,
    argoProject: props.argoProject ?? (gitops.engine === 'argocd' ? PlatformApp.of(scope).argoProject : undefined),
    protectFromPrune: props.protectFromPrune,
    values: props.values,
  });
}
