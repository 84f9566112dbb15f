import { Construct } from 'constructs';
import * as argo from '../../imports/argoproj.io';
import * as helm from '../../imports/helm.toolkit.fluxcd.io';
import * as source from '../../imports/source.toolkit.fluxcd.io';
import type { GitOpsSpec } from '../core/gitops';
import { protectFromPrune } from '../platform/protection';
import { HELM_CHARTS } from '../versions';
import type { OperatorDefinition } from './catalog';

export interface OperatorReleaseProps {
  readonly operator: OperatorDefinition;
  readonly gitops: GitOpsSpec;
  /** Argo CD project the Application belongs to (Argo CD only). */
  readonly argoProject?: string;
  /** Operators this one waits for (Flux dependsOn; Argo CD sync waves order them). */
  readonly dependsOn?: readonly OperatorDefinition[];
  /** Sync wave within the operators layer (Argo CD only). @default 0 */
  readonly syncWave?: number;
  /** Chart values; @default the catalog's values */
  readonly values?: Readonly<Record<string, unknown>>;
  /**
   * Keep the release when it leaves the tree (it owns CRDs, and with them custom resources).
   * A release without CRDs or data (a log shipper) can be pruned like any workload.
   * @default true
   */
  readonly protectFromPrune?: boolean;
}

/**
 * Installs one operator's Helm chart at its pinned version, with its CRDs, the way the
 * region's GitOps engine does it: a Flux HelmRelease with a HelmRepository (https) or
 * OCIRepository (oci), or an Argo CD Application with a Helm source.
 *
 * The release owns its operator's CRDs, and uninstalling it can delete them and with them
 * every custom resource of those kinds (databases, Kafka clusters, tenants). So the release
 * is protected from pruning like a stateful object: removing a component from the tree leaves
 * its operator installed, and uninstalling one is a deliberate act outside GitOps.
 */
export class OperatorRelease extends Construct {
  constructor(scope: Construct, id: string, props: OperatorReleaseProps) {
    super(scope, id);
    const op = props.operator;
    const pin = HELM_CHARTS[op.chart];
    const oci = pin.repository.startsWith('oci://');
    const values = props.values ?? op.values;

    if (props.gitops.engine === 'flux') {
      const interval = '1h';
      let chartSpec: Pick<helm.HelmReleaseSpec, 'chart' | 'chartRef'>;
      if (oci) {
        new source.OciRepository(this, 'Source', {
          metadata: { name: op.name, namespace: op.namespace },
          spec: {
            interval,
            url: `${pin.repository}/${pin.chart}`,
            ref: { tag: pin.version },
            layerSelector: {
              mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
              operation: source.OciRepositorySpecLayerSelectorOperation.COPY,
            },
          },
        });
        chartSpec = { chartRef: { kind: helm.HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: op.name } };
      } else {
        new source.HelmRepository(this, 'Source', {
          metadata: { name: op.name, namespace: op.namespace },
          spec: { interval, url: pin.repository },
        });
        chartSpec = {
          chart: {
            spec: {
              chart: pin.chart,
              version: pin.version,
              sourceRef: { kind: helm.HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: op.name },
              interval,
            },
          },
        };
      }
      const release = new helm.HelmRelease(this, 'Resource', {
        metadata: { name: op.name, namespace: op.namespace },
        spec: {
          releaseName: op.name,
          interval,
          timeout: '10m',
          ...chartSpec,
          install: { crds: helm.HelmReleaseSpecInstallCrds.CREATE_REPLACE, remediation: { retries: 3 } },
          upgrade: { crds: helm.HelmReleaseSpecUpgradeCrds.CREATE_REPLACE, remediation: { retries: 3, remediateLastFailure: true } },
          driftDetection: { mode: helm.HelmReleaseSpecDriftDetectionMode.ENABLED },
          dependsOn: (props.dependsOn ?? []).map((d) => ({ name: d.name, namespace: d.namespace })),
          values,
        },
      });
      if (props.protectFromPrune ?? true) protectFromPrune(release);
      return;
    }

    const gitops = props.gitops;
    const app = new argo.Application(this, 'Resource', {
      metadata: {
        name: op.name,
        namespace: gitops.namespace,
        annotations: { 'argocd.argoproj.io/sync-wave': String(props.syncWave ?? 0) },
      },
      spec: {
        project: props.argoProject ?? 'default',
        source: oci
          ? {
              repoUrl: `${pin.repository}/${pin.chart}`,
              path: '.',
              targetRevision: pin.version,
              helm: { releaseName: op.name, valuesObject: values },
            }
          : { repoUrl: pin.repository, chart: pin.chart, targetRevision: pin.version, helm: { releaseName: op.name, valuesObject: values } },
        destination: { server: gitops.destinationServer, namespace: op.namespace },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['CreateNamespace=false', ...(op.largeCrds ? ['ServerSideApply=true'] : [])],
          retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
        },
      },
    });
    if (props.protectFromPrune ?? true) protectFromPrune(app);
  }
}
