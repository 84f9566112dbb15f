import type { ApiObject } from 'cdk8s';

/**
 * Stateful objects (database clusters, Kafka, OpenSearch, MinIO tenants, PVCs) must never be
 * deleted because a file disappeared from git or a layer was renamed: removing them from
 * dist/ leaves them running, and deleting them is a deliberate act outside GitOps.
 *
 * Both engines' annotations are set, whichever engine the region uses, so a region that
 * moves between Flux and Argo CD stays protected through the move.
 */
export const PRUNE_PROTECTION_ANNOTATIONS: Readonly<Record<string, string>> = {
  // Flux kustomize-controller skips objects with this annotation when pruning.
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
  // Argo CD: not pruned when removed from git, not deleted when the Application is.
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
};

export function protectFromPrune(obj: ApiObject): void {
  for (const [key, value] of Object.entries(PRUNE_PROTECTION_ANNOTATIONS)) obj.metadata.addAnnotation(key, value);
}

export function isPruneProtected(manifest: { metadata?: { annotations?: Record<string, string> } }): boolean {
  return manifest.metadata?.annotations?.['kustomize.toolkit.fluxcd.io/prune'] === 'disabled';
}
