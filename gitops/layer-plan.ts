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
