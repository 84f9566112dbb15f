/**
 * Which cluster each layer of an overlay runs on. A region without `clusters:` runs one
 * cluster per environment, as it always did: its layers render to `<region>/<env>/<layer>/`
 * and its entry points to `clusters/<region>-<env>/`. A region that declares clusters (an
 * `infra` and an `apps` cluster per environment, say) gets, per environment, one entry
 * folder per cluster it uses, `clusters/<region>-<env>-<cluster>/`, and that cluster's layers
 * under `<region>/<env>/<cluster>/<layer>/`. The operators and foundation of each cluster are
 * derived from what is placed on it.
 *
 * A shared cluster (`shared: true`) runs every environment of the region, each in namespaces
 * of its own: `clusters/<region>-<key>/` applies what is rendered once for the cluster from
 * `<region>/<key>/<layer>/` and each environment's layers from `<region>/<env>/<layer>/`.
 */
import type { LayerName, OverlaySpec, PlacementSpec } from './model';

/** The layers an overlay places; foundation and operators follow them onto each cluster. */
export const PLACED_LAYERS = ['data', 'streaming', 'search', 'backup', 'apps', 'ingress', 'monitoring'] as const satisfies readonly LayerName[];
export type PlacedLayer = (typeof PLACED_LAYERS)[number];

/** One cluster of an overlay, as the tree sees it. */
export interface PlacedCluster {
  /** The cluster's key in the region's `clusters:` (`''` for the region's one cluster per environment). */
  readonly key: string;
  /** The cluster's name: `<clusterPrefix>-<env>`, or `<clusterPrefix>-<env>-<key>`. */
  readonly name: string;
  /** Its entry folder under `clusters/`: `<region>-<env>`, or `<region>-<env>-<key>`. */
  readonly folder: string;
  /** The tree folder holding its layer folders: `<region>/<env>`, or `<region>/<env>/<key>`. */
  readonly root: string;
  /**
   * A cluster every environment of the region shares: the folder of what is rendered once for
   * it (operators, CRDs, cluster-scoped objects), `<region>/<key>`.
   */
  readonly sharedRoot?: string;
}

type Placed = Pick<OverlaySpec, 'region' | 'environment'> & { readonly settings: { readonly placement: PlacementSpec } };

/** The cluster of the region's `clusters:` with this key, as the overlay's environment runs it. */
export function placedCluster(overlay: Pick<OverlaySpec, 'region' | 'environment'>, key: string): PlacedCluster {
  const base = { name: `${overlay.region.clusterPrefix}-${overlay.environment}`, folder: `${overlay.region.name}-${overlay.environment}` };
  const root = `${overlay.region.name}/${overlay.environment}`;
  if (key === '') return { key, ...base, root };
  if (overlay.region.clusters[key]?.shared) {
    return {
      key,
      name: `${overlay.region.clusterPrefix}-${key}`,
      folder: `${overlay.region.name}-${key}`,
      root,
      sharedRoot: `${overlay.region.name}/${key}`,
    };
  }
  return { key, name: `${base.name}-${key}`, folder: `${base.folder}-${key}`, root: `${root}/${key}` };
}

/** The key of the cluster a layer runs on (`''` when the region declares no clusters). */
export function layerClusterKey(overlay: Placed, layer: PlacedLayer): string {
  if (Object.keys(overlay.region.clusters).length === 0) return '';
  const placement = overlay.settings.placement;
  return placement[layer] ?? placement.default ?? onlyCluster(overlay);
}

/** The region's only cluster, when it declares one; the loader requires placement.default otherwise. */
function onlyCluster(overlay: Placed): string {
  const keys = Object.keys(overlay.region.clusters);
  if (keys.length !== 1) throw new Error(`internal error: ${overlay.region.name} declares ${keys.length} clusters and placement.default is unset`);
  return keys[0];
}

/** The cluster holding what is not placed by layer (declared namespaces, imported services' default). */
export function defaultClusterKey(overlay: Placed): string {
  if (Object.keys(overlay.region.clusters).length === 0) return '';
  return overlay.settings.placement.default ?? onlyCluster(overlay);
}

/** The key of the region's shared cluster, if it runs one. */
export function sharedClusterKey(region: Pick<OverlaySpec['region'], 'clusters'>): string | undefined {
  return Object.keys(region.clusters).find((k) => region.clusters[k].shared);
}

/** Every cluster the region declares for this environment (or its one cluster), in code-point order of their keys. */
export function overlayClusters(overlay: Pick<OverlaySpec, 'region' | 'environment'>): PlacedCluster[] {
  const keys = Object.keys(overlay.region.clusters).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.length === 0 ? [placedCluster(overlay, '')] : keys.map((k) => placedCluster(overlay, k));
}
