/**
 * A rendered tree read back for review: every object with the cluster that applies it and
 * the layer it belongs to. The cluster comes from the entry points (a Flux Kustomization's
 * `spec.path`, an Argo CD Application's `spec.source.path`), so shared clusters and several
 * clusters per environment are grouped as their engines see them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { compareStrings } from '../../constructs/platform/ordering';
import { apiGroup, Manifest } from '../../constructs/platform/transition-rules';
import { objectId } from '../transition-guard';
import { ACKNOWLEDGEMENTS_FILE, isBootstrapFile, listTree, TREE_MARKER } from '../tree';
import { fromYaml } from '../yaml';

export interface TreeObject {
  /** Tree-relative path of its file. */
  readonly file: string;
  /** Entry folder under clusters/ of the cluster that applies it; for files no entry point applies, their folder. */
  readonly cluster: string;
  /** Layer folder name (`data`), `entry points` for clusters/<cluster>/, or `files` for other files. */
  readonly layer: string;
  /** `Kind[.group]`, or `file` for a file that is not a Kubernetes object. */
  readonly kind: string;
  /** `Kind[.group] [namespace/]name` (as the transition guard names it), or the file's path. */
  readonly id: string;
  /** `<region>/<env>` of the overlay that renders it, when the path tells. */
  readonly overlay?: string;
  /** The object; for a file that is not one, `{ text }`. */
  readonly manifest: Manifest;
  readonly text: string;
}

export interface Acknowledged {
  readonly file: string;
  readonly object: string;
  readonly change: string;
  readonly reason: string;
}

export interface RenderedTree {
  /** Objects by `cluster|id`. */
  readonly objects: ReadonlyMap<string, TreeObject>;
  readonly acknowledged: readonly Acknowledged[];
}

export function objectKey(o: Pick<TreeObject, 'cluster' | 'id'>): string {
  return `${o.cluster}|${o.id}`;
}

const kindOf = (m: Manifest) => `${m?.kind}${apiGroup(m) ? `.${apiGroup(m)}` : ''}`;

/** Layer folder (tree-relative) → entry folder, from every entry point's path. */
function layerClusters(dir: string, files: readonly string[]): Map<string, string> {
  const folders = new Set(files.map((f) => path.posix.dirname(f)));
  const out = new Map<string, string>();
  for (const f of files) {
    const m = /^clusters\/([^/]+)\/[^/]+\.yaml$/.exec(f);
    if (!m) continue;
    const manifest = read(path.join(dir, f));
    const p = String(manifest?.spec?.path ?? manifest?.spec?.source?.path ?? '');
    if (!p) continue;
    // The entry point names the folder from the repository root (`./dist/region-a/prod/data`);
    // the tree may sit anywhere in it: the longest ending that is a folder of the tree.
    const parts = p.replace(/^\.\//, '').split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const rel = parts.slice(i).join('/');
      if (folders.has(rel)) {
        out.set(rel, m[1]);
        break;
      }
    }
  }
  return out;
}

function read(file: string): Manifest | undefined {
  try {
    return fromYaml(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function readRenderedTree(dir: string): RenderedTree {
  const files = listTree(dir)
    .filter((f) => f !== TREE_MARKER && !isBootstrapFile(f))
    .sort(compareStrings);
  const clusters = layerClusters(dir, files);
  const objects = new Map<string, TreeObject>();
  let acknowledged: Acknowledged[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    if (file === ACKNOWLEDGEMENTS_FILE) {
      acknowledged = readAcknowledgements(text);
      continue;
    }
    const base = path.posix.basename(file);
    if (base === 'kustomization.yaml') continue; // lists the folder's files: their changes are the objects'
    const folder = path.posix.dirname(file);
    const entry = /^clusters\/([^/]+)$/.exec(folder);
    const overlay = /^([^/]+)\/([^/]+)\//.exec(file);
    let manifest: Manifest | undefined;
    if (file.endsWith('.yaml')) {
      try {
        manifest = fromYaml(text);
      } catch {
        manifest = undefined;
      }
    }
    const isObject = manifest && typeof manifest === 'object' && typeof manifest.kind === 'string' && manifest.metadata?.name !== undefined;
    const cluster = entry ? entry[1] : (clusters.get(folder) ?? folder);
    const layer = entry ? 'entry points' : clusters.has(folder) ? path.posix.basename(folder) : 'files';
    const o: TreeObject = {
      file,
      cluster,
      layer,
      kind: isObject ? kindOf(manifest) : 'file',
      id: isObject ? objectId(manifest) : file,
      overlay: !entry && overlay ? `${overlay[1]}/${overlay[2]}` : undefined,
      manifest: isObject ? manifest : { text },
      text,
    };
    objects.set(objectKey(o), o);
  }
  return { objects, acknowledged };
}

function readAcknowledgements(text: string): Acknowledged[] {
  try {
    const doc = fromYaml(text) as any;
    return ((doc?.acknowledged ?? []) as any[]).map((a) => ({
      file: String(a?.file ?? ''),
      object: String(a?.object ?? ''),
      change: String(a?.change ?? ''),
      reason: String(a?.reason ?? ''),
    }));
  } catch {
    return [];
  }
}
