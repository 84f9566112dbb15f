/**
 * Where objects and overlays live in the GitOps tree. Object names are a public contract:
 * a file's path is derived from the object's kind, namespace and name only.
 */
import type { OverlaySpec } from '../environments/model';

/** `<namespace>_<kind>_<name>.yaml`, or `<kind>_<name>.yaml` for cluster-scoped objects. */
export function manifestFileName(manifest: any): string {
  const kind = String(manifest.kind).toLowerCase();
  const ns = manifest.metadata?.namespace;
  return `${ns ? `${ns}_` : ''}${kind}_${manifest.metadata.name}.yaml`;
}

/** The overlay's entry folder under `clusters/`. */
export function clusterFolder(overlay: Pick<OverlaySpec, 'region' | 'environment'>): string {
  return `${overlay.region.name}-${overlay.environment}`;
}
