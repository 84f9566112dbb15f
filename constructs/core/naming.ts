/**
 * Names that cross regions and clusters: two overlays agree on them without talking to
 * each other, so they are a public contract. Changing one renames objects in every region
 * (and the transition guard refuses what that would delete).
 */

/** Prefix of every key an overlay reads from its secret store: `<region>/<environment>`. */
export function secretKeyPrefix(region: string, environment: string): string {
  return `${region}/${environment}`;
}

/** A PostgreSQL cluster's name in the cross-region topology (replica sources, backup folders): `<cluster>-<region>`. */
export function postgresTopologyName(clusterName: string, region: string): string {
  return `${clusterName}-${region}`;
}
