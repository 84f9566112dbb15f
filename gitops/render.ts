/**
 * Turns one overlay's layer charts into the files of the GitOps tree:
 *
 *   <region>/<env>/<layer>/<namespace>_<kind>_<name>.yaml  one object per file
 *   <region>/<env>/<layer>/kustomization.yaml
 *   clusters/<region>-<env>/...                             Flux or Argo CD entry points
 *   clusters/<region>-<env>/TOPOLOGY.md                     a picture of the cluster (gitops/topology-diagram.ts)
 *
 * With the region's `clusters` (environments/placement.ts), each cluster of the environment
 * gets `<region>/<env>/<cluster>/<layer>/` and `clusters/<region>-<env>-<cluster>/`.
 *
 * Every object is validated against the pinned schemas first; any violation aborts the
 * synth before a single file is written.
 */
import { App, Chart } from 'cdk8s';
import { ArgoCdEntryPoints } from './argocd-entry-points';
import { FluxEntryPoints } from './flux-entry-points';
import { kustomizationFile } from './kustomization-file';
import type { EntryLayer, LayerPlan } from './layer-plan';
import { topologyDiagram, topologySummary, TOPOLOGY_FILE } from './topology-diagram';
import { manifestFileName } from './tree-paths';
import { OverlayIssue, SynthValidationError } from './validation-error';
import { describeObject, SchemaValidator } from './validator';
import { toYaml } from './yaml';
import { sopsFilesOf } from '../constructs/core/secret-backend';
import type { PrometheusDocument } from '../constructs/platform/external-prometheus';
import { CLUSTER_LABEL, ENVIRONMENT_LABEL, standardLabels } from '../constructs/platform/labels';
import type { LayerChart } from '../constructs/platform/layer-chart';
import { isSopsEncrypted } from '../constructs/secrets/sops-secret';
import { LAYERS, OverlaySpec } from '../environments/model';
import type { PlacedCluster } from '../environments/placement';

/** Client-side apply stores the whole object in an annotation capped at 256 KiB. */
const CLIENT_SIDE_APPLY_LIMIT = 200 * 1024;

/**
 * Whether the object's JSON (what client-side apply stores) exceeds the limit. Its JSON is
 * at most twice its YAML (a key or string gains at most one character per character, for
 * quotes and escapes), so only objects whose YAML is near the limit are serialised again.
 */
function needsServerSideApply(manifest: unknown, text: string): boolean {
  return text.length * 2 > CLIENT_SIDE_APPLY_LIMIT && JSON.stringify(manifest).length > CLIENT_SIDE_APPLY_LIMIT;
}

function repoPath(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ''), ...parts].join('/');
}

export interface RenderedOverlay {
  readonly files: Map<string, string>;
  readonly objects: number;
  /** Every object of the overlay's layers (not the entry points), as rendered. */
  readonly manifests: readonly any[];
  /** The same objects by the key of the cluster they render to (environments/placement.ts). */
  readonly placed: ReadonlyMap<string, readonly any[]>;
}

export interface RenderOptions {
  readonly validator: SchemaValidator;
  /** Entry folders where `flux bootstrap` has committed clusters/<folder>/flux-system/: their entry kustomization includes it. */
  readonly bootstrapped?: readonly string[];
}

/** One cluster's layer charts, as charts/overlay.ts built them. */
export interface ClusterCharts {
  readonly cluster: PlacedCluster;
  readonly layers: readonly LayerChart[];
  /** Files for a Prometheus outside the cluster, written to `<root>/prometheus/` (not applied to the cluster). */
  readonly documents?: readonly PrometheusDocument[];
  /** In a cluster shared by environments: whether an object belongs to the whole cluster (PlatformApp.isClusterLevel). */
  readonly clusterLevel?: (manifest: any, layer: string) => boolean;
}

/** What a layer chart renders: the environment's part, and in a shared cluster the cluster's. */
interface Rendered {
  readonly own: LayerPlan[];
  readonly shared: LayerPlan[];
}

export function renderOverlay(overlay: OverlaySpec, clusters: readonly ClusterCharts[], options: RenderOptions): RenderedOverlay {
  const issues: OverlayIssue[] = [];
  const files = new Map<string, string>();
  const placed = new Map<string, any[]>();
  let objects = 0;
  // Where each object is rendered, per cluster: two layers (two Kustomizations) owning one
  // object would fight over it, and one pruning it would delete what the other applies.
  const owners = new Map<string, string>();
  let clusterKey = '';

  // Each object is serialised once: the text is the file, the validation cache key and the size.
  const emit = (folder: string, layer: string, manifests: readonly any[], texts: readonly string[], extraResources: readonly string[] = []) => {
    const names: string[] = [];
    manifests.forEach((manifest, i) => {
      for (const issue of options.validator.validate(asApplied(manifest), texts[i])) issues.push({ ...issue, overlay: overlay.id, layer });
      const name = manifestFileName(manifest);
      const file = `${folder}/${name}`;
      if (files.has(file)) {
        issues.push({
          overlay: overlay.id,
          layer,
          object: describeObject(manifest),
          path: '/metadata/name',
          message: 'two objects of this kind share this namespace and name; give one of them another name',
        });
        return;
      }
      const identity = `${clusterKey}|${String(manifest?.apiVersion ?? '')
        .split('/')
        .slice(0, -1)
        .join('/')}|${manifest?.kind}|${manifest?.metadata?.namespace ?? ''}|${manifest?.metadata?.name}`;
      const owner = owners.get(identity);
      if (owner !== undefined && owner !== folder) {
        issues.push({
          overlay: overlay.id,
          layer,
          object: describeObject(manifest),
          path: '/metadata/name',
          message: `is rendered in ${owner} too; two layers would own one object (and one pruning it would delete it); give one of them another name`,
        });
        return;
      }
      owners.set(identity, folder);
      files.set(file, texts[i]);
      names.push(name);
    });
    objects += manifests.length;
    files.set(`${folder}/kustomization.yaml`, kustomizationFile([...names, ...extraResources]));
  };

  for (const { cluster, layers, documents, clusterLevel } of clusters) {
    clusterKey = cluster.key;
    const rendered = renderLayers(overlay, cluster, layers, emit, clusterLevel);
    // Keyed as the tree's paths say (environments/placement.ts); a shared cluster's own part is the region's.
    placed.set(
      cluster.root === `${overlay.region.name}/${overlay.environment}` ? '' : cluster.key,
      rendered.own.flatMap((p) => p.manifests),
    );
    renderEntryPoints(overlay, cluster, entryLayers(overlay, cluster, rendered), emit, (options.bootstrapped ?? []).includes(cluster.folder));
    // A cluster environments share is drawn once its environments' parts are merged (gitops/shared-cluster.ts).
    if (!cluster.sharedRoot) {
      files.set(
        `clusters/${cluster.folder}/${TOPOLOGY_FILE}`,
        topologyDiagram({
          cluster: cluster.folder,
          summary: topologySummary(overlay.region.name, [overlay.environment], cluster.key ? cluster.name : undefined, overlay.region.gitops.engine),
          layers: rendered.own.map((p) => ({ layer: p.name, manifests: p.manifests })),
        }),
      );
    }
    for (const doc of documents ?? []) {
      const comment = doc.comment
        .split('\n')
        .map((l) => `# ${l}\n`)
        .join('');
      files.set(`${cluster.root}/${PROMETHEUS_FOLDER}/${doc.file}`, comment + toYaml(doc.content));
    }
  }

  if (issues.length) throw new SynthValidationError(issues);
  return { files, objects, manifests: [...placed.values()].flat(), placed };
}

/** The committed text of a SOPS Secret the overlay renders. */
function committedText(overlay: OverlaySpec, m: any): string {
  const entry = sopsFilesOf(overlay.region.secrets)?.secrets[`${m.metadata?.namespace}/${m.metadata?.name}`];
  if (!entry) {
    throw new Error(`internal error: ${overlay.id} renders SOPS Secret ${m.metadata?.namespace}/${m.metadata?.name}, which it did not load`);
  }
  return entry.text;
}

/**
 * An object as the API server receives it: Flux decrypts a SOPS document and drops its
 * `sops` block first. Its values are ciphertext until then, so a Secret's `data` (base64 once
 * decrypted) is checked by key only.
 */
function asApplied(m: any): any {
  if (!isSopsEncrypted(m)) return m;
  const { sops: _sops, ...rest } = m;
  return rest.data ? { ...rest, data: Object.fromEntries(Object.keys(rest.data).map((k) => [k, ''])) } : rest;
}

/** The folder beside the layer folders holding the files of a Prometheus outside the cluster. */
export const PROMETHEUS_FOLDER = 'prometheus';

type Emit = (folder: string, layer: string, manifests: readonly any[], texts: readonly string[], extraResources?: readonly string[]) => void;

/**
 * One cluster's layer folders, `<root>/<layer>/`; in a cluster shared by environments, what
 * belongs to the whole cluster goes to `<sharedRoot>/<layer>/` without the environment's label.
 */
function renderLayers(
  overlay: OverlaySpec,
  cluster: PlacedCluster,
  charts: readonly LayerChart[],
  emit: Emit,
  clusterLevel?: (manifest: any, layer: string) => boolean,
): Rendered {
  const ordered = [...charts].sort((a, b) => LAYERS.indexOf(a.layer as any) - LAYERS.indexOf(b.layer as any));
  const own: LayerPlan[] = [];
  const shared: LayerPlan[] = [];
  for (const chart of ordered) {
    const all = chart.toJson();
    const order = LAYERS.indexOf(chart.layer as any);
    const dependsOn = [...chart.layerDependencies].map((c) => c.layer).sort((a, b) => LAYERS.indexOf(a as any) - LAYERS.indexOf(b as any));
    const sharedHere =
      cluster.sharedRoot && clusterLevel ? all.filter((m) => clusterLevel(m, chart.layer)).map((m) => ofCluster(m, cluster.key)) : [];
    const ownHere = sharedHere.length ? all.filter((m) => !clusterLevel!(m, chart.layer)) : all;
    for (const [manifests, folder, plans] of [
      [ownHere, `${cluster.root}/${chart.layer}`, own],
      [sharedHere, `${cluster.sharedRoot}/${chart.layer}`, shared],
    ] as const) {
      if (manifests.length === 0) continue;
      // A SOPS document is written as committed: its MAC covers the document as it is.
      const texts = manifests.map((m) => (isSopsEncrypted(m) ? committedText(overlay, m) : toYaml(m)));
      plans.push({ name: chart.layer, order, dependsOn, manifests, serverSideApply: manifests.some((m, i) => needsServerSideApply(m, texts[i])) });
      emit(folder, chart.layer, manifests, texts);
    }
  }
  return { own, shared };
}

/** An object rendered once for a shared cluster: labelled with the cluster, not with one of its environments. */
function ofCluster(m: any, cluster: string): any {
  const { [ENVIRONMENT_LABEL]: _environment, ...labels } = m.metadata?.labels ?? {};
  return { ...m, metadata: { ...m.metadata, labels: { ...labels, [CLUSTER_LABEL]: cluster } } };
}

/**
 * What the entry points apply: each layer with the layers it depends on. In a shared cluster,
 * an environment's layer also waits for the cluster's part of the same layer, and a dependency
 * resolves to the environment's layer and the cluster's, whichever exist.
 */
function entryLayers(overlay: OverlaySpec, cluster: PlacedCluster, rendered: Rendered): EntryLayer[] {
  const base = overlay.region.gitops.path;
  if (!cluster.sharedRoot) {
    const names = new Set(rendered.own.map((p) => p.name));
    return rendered.own.map((p) => {
      const dangling = p.dependsOn.filter((d) => !names.has(d));
      if (dangling.length) {
        throw new Error(
          `internal error: layer ${p.name} of ${overlay.id} (cluster ${cluster.name}) depends on empty layer(s) ${dangling.join(', ')}`,
        );
      }
      return { ...entryOf(p, p.name, repoPath(base, cluster.root, p.name)), dependsOn: [...p.dependsOn] };
    });
  }
  const env = overlay.environment;
  const ownNames = new Set(rendered.own.map((p) => p.name));
  const sharedNames = new Set(rendered.shared.map((p) => p.name));
  // A dependency is the cluster's part of that layer and this environment's, whichever exist.
  const resolve = (from: LayerPlan): string[] => {
    const missing = from.dependsOn.filter((d) => !sharedNames.has(d) && !ownNames.has(d));
    if (missing.length) {
      throw new Error(
        `internal error: layer ${from.name} of ${overlay.id} (cluster ${cluster.name}) depends on empty layer(s) ${missing.join(', ')}`,
      );
    }
    return from.dependsOn.flatMap((d) => [...(sharedNames.has(d) ? [d] : []), ...(ownNames.has(d) ? [`${env}-${d}`] : [])]);
  };
  const sharedEntries = rendered.shared.map((p) => ({
    ...entryOf(p, p.name, repoPath(base, cluster.sharedRoot!, p.name), true),
    // The cluster's part waits for the cluster's parts it uses only: every environment renders it alike.
    dependsOn: p.dependsOn.filter((d) => sharedNames.has(d)),
  }));
  const ownEntries = rendered.own.map((p) => ({
    ...entryOf(p, `${env}-${p.name}`, repoPath(base, cluster.root, p.name)),
    dependsOn: [...new Set([...(sharedNames.has(p.name) ? [p.name] : []), ...resolve(p)])],
  }));
  return [...sharedEntries, ...ownEntries];
}

function entryOf(p: LayerPlan, id: string, path: string, clusterWide = false): EntryLayer {
  return {
    id,
    layer: p.name,
    path,
    order: p.order,
    dependsOn: [],
    manifests: p.manifests,
    serverSideApply: p.serverSideApply,
    ofCluster: clusterWide,
  };
}

/** The cluster's entry folder `clusters/<folder>/`: what it applies, in which order. */
function renderEntryPoints(
  overlay: OverlaySpec,
  cluster: PlacedCluster,
  entries: readonly EntryLayer[],
  emit: Emit,
  fluxBootstrapped: boolean,
): void {
  const entryApp = new App({ outdir: '.strata-unused' });
  const entry = new Chart(entryApp, 'clusters', {
    labels: cluster.sharedRoot
      ? { ...standardLabels({ region: overlay.region.name, environment: overlay.environment, layer: 'clusters' }), [CLUSTER_LABEL]: cluster.key }
      : standardLabels({ region: overlay.region.name, environment: overlay.environment, layer: 'clusters' }),
    disableResourceNameHashes: true,
  });
  const regionGitops = overlay.region.gitops;
  if (regionGitops.engine === 'flux') {
    const sops = sopsFilesOf(overlay.region.secrets);
    new FluxEntryPoints(entry, 'Flux', {
      gitops: regionGitops,
      layers: entries,
      ...(sops ? { decryptionSecret: sops.decryptionSecret } : {}),
    });
  } else {
    const destinationServer = cluster.key ? overlay.region.clusters[cluster.key]?.destinationServer : undefined;
    const gitops = destinationServer ? { ...regionGitops, destinationServer } : regionGitops;
    const chartRepositories = [
      ...new Set(
        entries
          .flatMap((p) => p.manifests)
          .filter((m) => m.kind === 'Application' && m.apiVersion === 'argoproj.io/v1alpha1')
          .map((m) => m.spec.source.repoURL as string),
      ),
    ].sort();
    new ArgoCdEntryPoints(entry, 'ArgoCD', {
      gitops,
      clusterName: cluster.folder,
      entryPath: repoPath(regionGitops.path, 'clusters', cluster.folder),
      layers: entries,
      chartRepositories,
    });
  }
  // In a shared cluster, the environment's label comes off what every environment renders alike.
  const clusterWide = new Set(
    regionGitops.engine === 'flux'
      ? entries.filter((e) => e.ofCluster).map((e) => FluxEntryPoints.kustomizationName(e.id))
      : [
          cluster.folder,
          `${cluster.folder}-root`,
          ...entries.filter((e) => e.ofCluster).map((e) => ArgoCdEntryPoints.applicationName(cluster.folder, e.id)),
        ],
  );
  const entryManifests = entry.toJson().map((m: any) => (cluster.sharedRoot && clusterWide.has(m.metadata.name) ? ofCluster(m, cluster.key) : m));
  emit(
    `clusters/${cluster.folder}`,
    'clusters',
    entryManifests,
    entryManifests.map((m) => toYaml(m)),
    regionGitops.engine === 'flux' && fluxBootstrapped ? ['flux-system'] : [],
  );
}
