import { Construct } from 'constructs';
import type { EntryLayer } from './layer-plan';
import type { GitOpsSpec } from '../environments/model';
import * as argo from '../imports/argoproj.io';

type ArgoSpec = Extract<GitOpsSpec, { engine: 'argocd' }>;

export interface ArgoCdEntryPointsProps {
  readonly gitops: ArgoSpec;
  readonly clusterName: string;
  /** Repository path of the folder holding these entry points. */
  readonly entryPath: string;
  /** The folders the cluster applies, in apply order. */
  readonly layers: readonly EntryLayer[];
  /** Helm repositories the operators layer installs from (allowed in the AppProject). */
  readonly chartRepositories: readonly string[];
}

/**
 * An AppProject for the cluster, one Application per layer in sync waves that follow the
 * layer order, and a root Application for this folder (app of apps), all with automated
 * sync and self-heal. No Application carries the resources finalizer: deleting an
 * Application never cascades into databases.
 */
export class ArgoCdEntryPoints extends Construct {
  /** Application name of an entry (a layer, or `<env>-<layer>` in a shared cluster): a public contract. */
  public static applicationName(clusterName: string, id: string): string {
    return `${clusterName}-${id}`;
  }

  constructor(scope: Construct, id: string, props: ArgoCdEntryPointsProps) {
    super(scope, id);
    const { gitops } = props;
    new argo.AppProject(this, 'Project', {
      metadata: { name: props.clusterName, namespace: gitops.namespace },
      spec: {
        description: `Strata platform layers of ${props.clusterName}`,
        sourceRepos: [gitops.repoURL, ...props.chartRepositories],
        destinations: [{ server: gitops.destinationServer, namespace: '*' }],
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
        namespaceResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    });

    const application = (name: string, path: string, wave: number, serverSideApply: boolean) =>
      new argo.Application(this, name, {
        metadata: { name, namespace: gitops.namespace, annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } },
        spec: {
          project: props.clusterName,
          source: { repoUrl: gitops.repoURL, targetRevision: gitops.targetRevision, path },
          destination: { server: gitops.destinationServer },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            syncOptions: ['CreateNamespace=false', 'PruneLast=true', ...(serverSideApply ? ['ServerSideApply=true'] : [])],
            retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
          },
        },
      });

    application(`${props.clusterName}-root`, props.entryPath, -1, false);
    props.layers.forEach((layer) => {
      application(ArgoCdEntryPoints.applicationName(props.clusterName, layer.id), layer.path, layer.order, layer.serverSideApply);
    });
  }
}
