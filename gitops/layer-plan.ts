/** A rendered layer, as the entry points and the tree see it. */
export interface LayerPlan {
  readonly name: string;
  /** Position in the layer order (foundation 0, operators 1, ...). */
  readonly order: number;
  /** Layers that must be applied and healthy first. */
  readonly dependsOn: readonly string[];
  /** Fully rendered manifests, in file order. */
  readonly manifests: readonly any[];
  /** Objects too large for client-side apply's last-applied annotation. */
  readonly serverSideApply: boolean;
}

/**
 * One folder a cluster's entry points apply: a layer of the cluster (`id` its name), or in a
 * cluster shared by environments, what is rendered once for the cluster (`id` the layer) or
 * an environment's layer (`id` `<env>-<layer>`).
 */
export interface EntryLayer {
  /** Names the Flux Kustomization `strata-<id>` or the Argo CD Application `<cluster folder>-<id>`: a public contract. */
  readonly id: string;
  readonly layer: string;
  /** Repository path of the folder, e.g. `./dist/region-a/prod/data`. */
  readonly path: string;
  readonly order: number;
  /** Ids of the entries applied and healthy first. */
  readonly dependsOn: readonly string[];
  readonly manifests: readonly any[];
  readonly serverSideApply: boolean;
  /** Rendered once for a cluster shared by environments (not one environment's). */
  readonly ofCluster: boolean;
}
