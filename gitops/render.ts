/**
 * Turns one overlay's layer charts into the files of the GitOps tree:
 *
 *   <region>/<env>/<layer>/<namespace>_<kind>_<name>.yaml  one object per file
 *   <region>/<env>/<layer>/kustomization.yaml
 *   clusters/<region>-<env>/...                             Flux or Argo CD entry points
 *
 * Every object is validated against the pinned schemas first; any violation aborts the
 * synth before a single file is written.
 */
import { App, Chart } from 'cdk8s';
import { ArgoCdEntryPoints } from './argocd-entry-points';
import { FluxEntryPoints } from './flux-entry-points';
import { kustomizationFile } from './kustomization-file';
import type { LayerPlan } from './layer-plan';
import { clusterFolder, manifestFileName } from './tree-paths';
import { OverlayIssue, SynthValidationError } from './validation-error';
import { describeObject, SchemaValidator } from './validator';
import { toYaml } from './yaml';
import { standardLabels } from '../constructs/platform/labels';
import type { LayerChart } from '../constructs/platform/layer-chart';
import { LAYERS, OverlaySpec } from '../environments/model';

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
}

export interface RenderOptions {
  readonly validator: SchemaValidator;
  /** `flux bootstrap` has committed clusters/<cluster>/flux-system/: include it in the entry kustomization. */
  readonly fluxBootstrapped?: boolean;
}

export function renderOverlay(overlay: OverlaySpec, charts: readonly LayerChart[], options: RenderOptions): RenderedOverlay {
  const issues: OverlayIssue[] = [];
  const files = new Map<string, string>();
  const ordered = [...charts].sort((a, b) => LAYERS.indexOf(a.layer as any) - LAYERS.indexOf(b.layer as any));
  const plans: LayerPlan[] = [];
  let objects = 0;

  // Each object is serialised once: the text is the file, the validation cache key and the size.
  const emit = (folder: string, layer: string, manifests: readonly any[], texts: readonly string[], extraResources: readonly string[] = []) => {
    const names: string[] = [];
    manifests.forEach((manifest, i) => {
      for (const issue of options.validator.validate(manifest, texts[i])) issues.push({ ...issue, overlay: overlay.id, layer });
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
      files.set(file, texts[i]);
      names.push(name);
    });
    objects += manifests.length;
    files.set(`${folder}/kustomization.yaml`, kustomizationFile([...names, ...extraResources]));
  };

  for (const chart of ordered) {
    const manifests = chart.toJson();
    if (manifests.length === 0) continue;
    const order = LAYERS.indexOf(chart.layer as any);
    const texts = manifests.map((m) => toYaml(m));
    plans.push({
      name: chart.layer,
      order,
      dependsOn: [...chart.layerDependencies].map((c) => c.layer).sort((a, b) => LAYERS.indexOf(a as any) - LAYERS.indexOf(b as any)),
      manifests,
      serverSideApply: manifests.some((m, i) => needsServerSideApply(m, texts[i])),
    });
    emit(`${overlay.region.name}/${overlay.environment}/${chart.layer}`, chart.layer, manifests, texts);
  }
  const rendered = new Set(plans.map((p) => p.name));
  for (const plan of plans) {
    const dangling = plan.dependsOn.filter((d) => !rendered.has(d));
    if (dangling.length) throw new Error(`internal error: layer ${plan.name} of ${overlay.id} depends on empty layer(s) ${dangling.join(', ')}`);
  }

  // Entry points: what the cluster applies, in which order.
  const entryApp = new App({ outdir: '.strata-unused' });
  const entry = new Chart(entryApp, 'clusters', {
    labels: standardLabels({ region: overlay.region.name, environment: overlay.environment, layer: 'clusters' }),
    disableResourceNameHashes: true,
  });
  const gitops = overlay.region.gitops;
  const folder = clusterFolder(overlay);
  if (gitops.engine === 'flux') {
    new FluxEntryPoints(entry, 'Flux', { gitops, overlayPath: repoPath(gitops.path, overlay.region.name, overlay.environment), layers: plans });
  } else {
    const chartRepositories = [
      ...new Set(
        plans
          .flatMap((p) => p.manifests)
          .filter((m) => m.kind === 'Application' && m.apiVersion === 'argoproj.io/v1alpha1')
          .map((m) => m.spec.source.repoURL as string),
      ),
    ].sort();
    new ArgoCdEntryPoints(entry, 'ArgoCD', {
      gitops,
      clusterName: folder,
      overlayPath: repoPath(gitops.path, overlay.region.name, overlay.environment),
      entryPath: repoPath(gitops.path, 'clusters', folder),
      layers: plans,
      chartRepositories,
    });
  }
  const entryManifests = entry.toJson();
  emit(
    `clusters/${folder}`,
    'clusters',
    entryManifests,
    entryManifests.map((m) => toYaml(m)),
    gitops.engine === 'flux' && options.fluxBootstrapped ? ['flux-system'] : [],
  );

  if (issues.length) throw new SynthValidationError(issues);
  return { files, objects, manifests: plans.flatMap((p) => p.manifests) };
}
