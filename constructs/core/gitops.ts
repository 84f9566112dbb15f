/** The GitOps engine that applies a cluster's tree, and where it finds the tree. */
export type GitOpsSpec =
  | {
      readonly engine: 'flux';
      /** Repository-relative path of the rendered tree, as Flux sees it. */
      readonly path: string;
      /** The GitRepository `flux bootstrap` created for this repository. */
      readonly sourceRef: { readonly name: string; readonly namespace: string };
      readonly interval: string;
    }
  | {
      readonly engine: 'argocd';
      readonly path: string;
      readonly repoURL: string;
      readonly targetRevision: string;
      /** Namespace Argo CD runs in (Applications and AppProjects live there). */
      readonly namespace: string;
      /** Destination cluster API server as registered in Argo CD. */
      readonly destinationServer: string;
    };
