/**
 * A cluster every environment of a region shares (environments/placement.ts): each
 * environment's render holds its own folders and its copy of what belongs to the whole
 * cluster (`<region>/<key>/`, and the Flux Kustomizations or Argo CD Applications for it in
 * `clusters/<region>-<key>/`). Here the copies become one: a file all environments render
 * alike is written once; a kustomization.yaml lists what any of them renders; a file two
 * environments render differently, or an object two environments both own in their own
 * folders, is refused, for the cluster would get two owners fighting over it.
 */
import * as path from 'path';
import { kustomizationFile } from './kustomization-file';
import { topologyDiagram, TopologyLayer, topologySummary } from './topology-diagram';
import { fromYaml, toYaml } from './yaml';
import { LAYERS } from '../constructs/core/layers';
import { compareStrings } from '../constructs/platform/ordering';
import type { OverlaySpec } from '../environments/model';
import { placedCluster, sharedClusterKey } from '../environments/placement';
import type { Problem } from '../environments/problems';

/** One shared cluster, as the tree sees it. */
export interface SharedClusterFolders {
  readonly region: string;
  readonly key: string;
  /** The cluster's name (`<clusterPrefix>-<key>`). */
  readonly name: string;
  /** `<region>/<key>`: what is rendered once for it. */
  readonly root: string;
  /** Its entry folder under `clusters/`. */
  readonly folder: string;
}

/** The shared clusters of the overlays' regions, in code-point order of their roots. */
export function sharedClusters(overlays: readonly OverlaySpec[]): SharedClusterFolders[] {
  const out = new Map<string, SharedClusterFolders>();
  for (const o of overlays) {
    const key = sharedClusterKey(o.region);
    if (!key) continue;
    const c = placedCluster(o, key);
    out.set(c.sharedRoot!, { region: o.region.name, key, name: c.name, root: c.sharedRoot!, folder: c.folder });
  }
  return [...out.values()].sort((a, b) => compareStrings(a.root, b.root));
}

export interface SharedMerge {
  /** The merged files of every shared cluster (tree-relative path → text). */
  readonly files: ReadonlyMap<string, string>;
  readonly problems: readonly Problem[];
}

/** Reads the resources a kustomization.yaml Strata wrote lists. */
function resourcesOf(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('  - '))
    .map((l) => l.slice(4).replace(/^['"]|['"]$/g, ''));
}

/** What a file name says of its object: `<namespace>_<kind>_<name>.yaml` or `<kind>_<name>.yaml`. */
function describeFile(file: string): string {
  const parts = path.posix.basename(file, '.yaml').split('_');
  if (parts.length === 3) return `${parts[1]} ${parts[0]}/${parts[2]}`;
  return parts.length === 2 ? `${parts[0]} ${parts[1]}` : path.posix.basename(file);
}

/**
 * Two environments' copies of the Flux Kustomization of a cluster part that differ only in
 * what it waits for: one that waits for both's; undefined when they differ otherwise.
 */
function joinedEntry(a: string, b: string): string | undefined {
  const x = fromYaml(a) as any;
  const y = fromYaml(b) as any;
  if (x?.kind !== 'Kustomization' || y?.kind !== 'Kustomization' || !x.apiVersion?.startsWith('kustomize.toolkit.fluxcd.io/')) return undefined;
  const strip = (k: any) => JSON.stringify({ ...k, spec: { ...k.spec, dependsOn: [] } });
  if (strip(x) !== strip(y)) return undefined;
  const order = (name: string) => LAYERS.indexOf(name.replace(/^strata-/, '') as (typeof LAYERS)[number]);
  const names = [...new Set([...x.spec.dependsOn, ...y.spec.dependsOn].map((d: any) => d.name as string))].sort(
    (p, q) => order(p) - order(q) || compareStrings(p, q),
  );
  return toYaml({ ...x, spec: { ...x.spec, dependsOn: names.map((name) => ({ name })) } });
}

export function mergeSharedClusters(
  rendered: readonly { readonly overlay: OverlaySpec; readonly files: ReadonlyMap<string, string> }[],
): SharedMerge {
  const problems: Problem[] = [];
  const merged = new Map<string, string>();
  for (const cluster of sharedClusters(rendered.map((r) => r.overlay))) {
    const members = rendered.filter((r) => r.overlay.region.name === cluster.region).sort((a, b) => compareStrings(a.overlay.id, b.overlay.id));
    const prefixes = [`${cluster.root}/`, `clusters/${cluster.folder}/`];
    const seen = new Map<string, { text: string; from: string }>();
    const resources = new Map<string, Set<string>>();
    for (const { overlay, files } of members) {
      for (const [rel, text] of files) {
        if (!prefixes.some((p) => rel.startsWith(p))) continue;
        if (path.posix.basename(rel) === 'kustomization.yaml') {
          const set = resources.get(rel) ?? new Set<string>();
          for (const r of resourcesOf(text)) set.add(r);
          resources.set(rel, set);
          continue;
        }
        const prev = seen.get(rel);
        const joined = prev && prev.text !== text ? joinedEntry(prev.text, text) : undefined;
        if (!prev) {
          seen.set(rel, { text, from: overlay.id });
        } else if (joined) {
          // One environment's part of the cluster needs more of it first than another's: it waits for all of that.
          seen.set(rel, { text: joined, from: prev.from });
        } else if (prev.text !== text) {
          problems.push({
            file: `regions/${cluster.region}.yaml`,
            path: `clusters.${cluster.key}`,
            message: `${describeFile(rel)} is rendered differently by ${prev.from} and ${overlay.id}, and the shared cluster ${cluster.name} has one of it (${rel})`,
            fix: rel.includes('kube-prometheus-stack')
              ? `one Prometheus serves the whole cluster, and the environments' tiers size it differently: set monitoring.prometheus and monitoring.alertmanager (and monitoring.thresholds, monitoring.alerting, ui.grafana) in the defaults of regions/${cluster.region}.yaml, which every environment shares`
              : `give the environments the same settings for it, or keep the component that renders it in one environment (disable it in the others${
                  rel.includes('velero')
                    ? '; one Velero backs up the whole cluster: list the other environments\u2019 namespaces in its velero.extraNamespaces'
                    : ''
                })`,
          });
        }
      }
    }
    for (const [rel, { text }] of seen) merged.set(rel, text);
    for (const [rel, set] of resources) merged.set(rel, kustomizationFile([...set].sort(compareStrings)));

    // Objects of the environments' own layer folders: one owner each in the cluster. A namespace
    // claimed twice is one problem, not one per object in it.
    const owners = new Map<string, { overlay: string; rel: string }>();
    const clashes: { overlay: OverlaySpec; prev: { overlay: string; rel: string }; rel: string; id: string }[] = [];
    for (const { overlay, files } of members) {
      const own = `${cluster.region}/${overlay.environment}/`;
      for (const rel of files.keys()) {
        const parts = rel.split('/');
        if (!rel.startsWith(own) || parts.length !== 4 || !(LAYERS as readonly string[]).includes(parts[2])) continue;
        if (path.posix.basename(rel) === 'kustomization.yaml') continue;
        const id = path.posix.basename(rel);
        const prev = owners.get(id);
        if (prev) clashes.push({ overlay, prev, rel, id });
        else owners.set(id, { overlay: overlay.id, rel });
      }
    }
    const namespaceOf = (id: string) => (id.startsWith('namespace_') ? id.slice('namespace_'.length, -'.yaml'.length) : undefined);
    const claimed = new Set(clashes.map((c) => `${c.overlay.id}|${namespaceOf(c.id) ?? ''}`));
    for (const { overlay, prev, rel, id } of clashes) {
      const namespace = namespaceOf(id);
      // Reported with its namespace.
      if (!namespace && claimed.has(`${overlay.id}|${id.split('_')[0]}`)) continue;
      problems.push({
        file: overlay.sourceFile,
        path: '',
        value: describeFile(rel),
        message: namespace
          ? `${overlay.id}: namespace ${namespace} is claimed by ${prev.overlay} and ${overlay.id}, which share the cluster ${cluster.name}: an environment's namespaces are its own`
          : `${overlay.id}: ${describeFile(rel)} is rendered by ${prev.overlay} too (${prev.rel}), and both run in the shared cluster ${cluster.name}: the two would fight over it`,
        fix: namespace
          ? `place ${overlay.environment}'s components in namespaces of its own (their namespace fields, e.g. postgres.namespace: ${overlay.environment}-postgres), or share the namespace by declaring it under clusters.${cluster.key}.namespaces in regions/${cluster.region}.yaml`
          : `give one of them another name or namespace (the component's name or namespace in ${overlay.sourceFile})`,
      });
    }
  }
  return { files: merged, problems };
}

/** The objects of the layer folders `<prefix><layer>/`, by layer. */
function layerObjects(files: ReadonlyMap<string, string>, prefix: string): Map<string, any[]> {
  const out = new Map<string, any[]>();
  for (const [rel, text] of files) {
    if (!rel.startsWith(prefix)) continue;
    const [layer, file, ...deeper] = rel.slice(prefix.length).split('/');
    if (deeper.length || !file || file === 'kustomization.yaml' || !(LAYERS as readonly string[]).includes(layer)) continue;
    out.set(layer, [...(out.get(layer) ?? []), fromYaml(text)]);
  }
  return out;
}

/**
 * The picture of a shared cluster (gitops/topology-diagram.ts), drawn once every environment's
 * render is merged: layer by layer, what is rendered once for the cluster, then each
 * environment's part.
 */
export function sharedClusterTopology(
  cluster: SharedClusterFolders,
  merged: ReadonlyMap<string, string>,
  members: readonly { readonly overlay: OverlaySpec; readonly files: ReadonlyMap<string, string> }[],
): string {
  const own = layerObjects(merged, `${cluster.root}/`);
  const envs = members
    .filter((m) => m.overlay.region.name === cluster.region)
    .sort((a, b) => compareStrings(a.overlay.environment, b.overlay.environment))
    .map((m) => ({ env: m.overlay.environment, layers: layerObjects(m.files, `${cluster.region}/${m.overlay.environment}/`) }));
  const layers: TopologyLayer[] = [];
  for (const layer of LAYERS) {
    if (own.has(layer)) layers.push({ layer, part: 'cluster', manifests: own.get(layer)! });
    for (const e of envs) if (e.layers.has(layer)) layers.push({ layer, part: e.env, manifests: e.layers.get(layer)! });
  }
  const engine = members.find((m) => m.overlay.region.name === cluster.region)?.overlay.region.gitops.engine ?? 'flux';
  return topologyDiagram({
    cluster: cluster.folder,
    summary: topologySummary(
      cluster.region,
      envs.map((e) => e.env),
      cluster.name,
      engine,
    ),
    layers,
  });
}
