import { toYaml } from './yaml';

/** The kustomization.yaml listing a folder's files, so `kubectl kustomize` and Flux build it as is. */
export function kustomizationFile(resources: readonly string[]): string {
  return toYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...resources].sort(),
  });
}
