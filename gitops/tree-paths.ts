/**
 * Where objects and overlays live in the GitOps tree. Object names are a public contract:
 * a file's path is derived from the object's kind, namespace and name only.
 */

/** `<namespace>_<kind>_<name>.yaml`, or `<kind>_<name>.yaml` for cluster-scoped objects. */
export function manifestFileName(manifest: any): string {
  const kind = String(manifest.kind).toLowerCase();
  const ns = manifest.metadata?.namespace;
  return `${ns ? `${ns}_` : ''}${kind}_${manifest.metadata.name}.yaml`;
}

/** The entry folders (`clusters/<folder>`) among an overlay's files, in code-point order. */
export function entryFolders(files: ReadonlyMap<string, string>): string[] {
  const folders = new Set<string>();
  for (const rel of files.keys()) if (rel.startsWith('clusters/')) folders.add(rel.split('/', 2).join('/'));
  return [...folders].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
