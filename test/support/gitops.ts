/** The two GitOps engines as construct tests give them to a PlatformApp: Flux from ./dist, Argo CD from a repository. */
import type { GitOpsSpec } from '../../constructs/core/gitops';

export const FLUX: GitOpsSpec = { engine: 'flux', path: './dist', sourceRef: { name: 'flux-system', namespace: 'flux-system' }, interval: '10m' };

export const ARGOCD: GitOpsSpec = {
  engine: 'argocd',
  path: 'dist',
  repoURL: 'https://git.example.org/platform.git',
  targetRevision: 'main',
  namespace: 'argocd',
  destinationServer: 'https://kubernetes.default.svc',
};
