/**
 * Writes the rendered GitOps tree. The whole new tree is assembled in a temporary folder
 * beside the output folder and swapped in with renames, so a failure or a kill leaves the
 * previous tree in place; when nothing changed, nothing in the tree is written. A lock file
 * beside the output folder keeps two synths in one checkout from interleaving.
 *
 * Strata owns every file under the output folder except what `flux bootstrap` commits
 * (`clusters/<cluster>/flux-system/`). With `--only`, it owns only the selected overlays'
 * folders, and every other file is carried over byte for byte.
 *
 * The output folder is Strata's own: the marker file `.strata-tree` lists every file synth
 * wrote there, and synth refuses a folder that holds anything else (a clone's `.git`, the
 * environments, a user's notes), so a mistyped `--out` can never delete them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StatIndex } from './stat-index';
import { compareStrings } from '../constructs/platform/ordering';

/** Files Strata never writes, removes or compares: Flux's own bootstrap manifests. */
export function isBootstrapFile(rel: string): boolean {
  return /^clusters\/[^/]+\/flux-system\//.test(rel);
}

export interface TreeScope {
  /** Whether Strata owns (renders, removes) a file at this tree-relative path. */
  owns(rel: string): boolean;
}

/** The marker: which files of the folder synth wrote. */
export const TREE_MARKER = '.strata-tree';
/** The acknowledged changes, rendered from every environment file whatever `--only` selects. */
export const ACKNOWLEDGEMENTS_FILE = 'acknowledgements.yaml';

export const WHOLE_TREE: TreeScope = { owns: (rel) => !isBootstrapFile(rel) && rel !== TREE_MARKER };

/** Scope of an `--only` run: the selected overlays' layer folders and entry folders. */
export function overlayScope(overlays: readonly { region: string; environment: string; clusterFolder: string; sharedRoot?: string }[]): TreeScope {
  const prefixes = overlays.flatMap((o) => [
    `${o.region}/${o.environment}/`,
    `clusters/${o.clusterFolder}/`,
    ...(o.sharedRoot ? [`${o.sharedRoot}/`] : []),
  ]);
  return { owns: (rel) => rel === ACKNOWLEDGEMENTS_FILE || (!isBootstrapFile(rel) && prefixes.some((p) => rel.startsWith(p))) };
}

export interface TreeResult {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
  /** The marker (`.strata-tree`) is missing or lists other files. */
  readonly markerStale?: boolean;
}

export function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

/** The output folder holds files synth did not write. */
export class TreeOwnershipError extends Error {}

/** Paths synth renders, for a folder written before the marker existed. */
function looksRendered(rel: string): boolean {
  return (
    rel === ACKNOWLEDGEMENTS_FILE ||
    /^clusters\/[a-z0-9][-a-z0-9]*\/[^/]+\.yaml$/.test(rel) ||
    /^clusters\/[a-z0-9][-a-z0-9]*\/TOPOLOGY\.md$/.test(rel) ||
    /^[a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9]*\/[^/]+\.yaml$/.test(rel)
  );
}

function markedFiles(outDir: string): Set<string> | undefined {
  const marker = path.join(outDir, TREE_MARKER);
  if (!fs.existsSync(marker)) return undefined;
  return new Set(
    fs
      .readFileSync(marker, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#')),
  );
}

/**
 * Refuses an output folder that is not Strata's: one that exists and holds a file neither
 * listed in its marker nor committed by `flux bootstrap`. A folder without a marker (written
 * before the marker existed) is adopted only when every file in it is at a path synth renders.
 */
export function checkOutputFolder(outDir: string): void {
  if (!fs.existsSync(outDir)) return;
  if (!fs.lstatSync(outDir).isDirectory()) {
    throw new TreeOwnershipError(`${outDir} is not a folder; point --out at a new folder or at one synth wrote`);
  }
  const marked = markedFiles(outDir);
  const foreign = listTree(outDir).filter((rel) => rel !== TREE_MARKER && !isBootstrapFile(rel) && (marked ? !marked.has(rel) : !looksRendered(rel)));
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, ... (${foreign.length} in all)` : '');
  throw new TreeOwnershipError(
    `${outDir} holds files synth did not write (${shown}); synth writes only into an empty or new folder, or one whose ${TREE_MARKER} lists every file in it. ` +
      'Nothing was written. Point --out at the rendered tree (default dist/) or at a new folder, or move those files out of it.',
  );
}

/** The marker's text: every file synth owns in the folder once the planned files are written. */
export function treeMarker(owned: readonly string[]): string {
  const lines = [
    '# Written by `npm run synth`: the files Strata owns in this folder, and the only ones it may',
    '# replace or remove. Synth refuses a folder holding any other file (except flux-system/).',
    ...[...owned].sort(),
  ];
  return `${lines.join('\n')}\n`;
}

/** Files the new tree keeps from the old one: bootstrap files and, with `--only`, the other overlays'. */
function carriedFiles(outDir: string, scope: TreeScope): string[] {
  return listTree(outDir).filter((rel) => rel !== TREE_MARKER && !scope.owns(rel));
}

/** The planned files plus the marker that lists them with the carried-over ones. */
function withMarker(outDir: string, files: ReadonlyMap<string, string>, scope: TreeScope): Map<string, string> {
  const owned = [...carriedFiles(outDir, scope).filter((rel) => !isBootstrapFile(rel)), ...files.keys()];
  return new Map([...files, [TREE_MARKER, treeMarker(owned)]]);
}

/**
 * Compares the planned files with the output folder, within the scope. The marker is not a
 * rendered file: it is reported apart, as `markerStale`.
 */
export function diffTree(outDir: string, files: ReadonlyMap<string, string>, scope: TreeScope, index?: StatIndex): TreeResult {
  const marker = path.join(outDir, TREE_MARKER);
  const markerText = withMarker(outDir, files, scope).get(TREE_MARKER)!;
  const markerStale = !fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== markerText;
  const present = listTree(outDir);
  const existing = present.filter((rel) => scope.owns(rel));
  // One walk of the tree, not a stat per planned file: a fresh folder reads nothing.
  const onDisk = new Set(present);
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const rel of [...files.keys()].sort()) {
    if (onDisk.has(rel) && holds(path.join(outDir, rel), files.get(rel)!, index)) unchanged.push(rel);
    else written.push(rel);
  }
  if (index) {
    index.prune(path.resolve(outDir), new Set([...files.keys()].map((rel) => path.resolve(outDir, rel))));
    index.save();
  }
  const removed = existing.filter((rel) => !files.has(rel));
  return { written, unchanged, removed, ...(markerStale ? { markerStale } : {}) };
}

/** Whether `file` holds `content`: by the index where it knows the file as it is, else by reading it. */
function holds(file: string, content: string, index: StatIndex | undefined): boolean {
  if (!index) return fs.readFileSync(file, 'utf8') === content;
  const full = path.resolve(file);
  const digest = StatIndex.digest(content);
  if (index.holds(full, digest)) return true;
  const same = fs.readFileSync(full, 'utf8') === content;
  if (same) index.record(full, digest);
  return same;
}

/** Undoes an interrupted swap; only called with the lock held, so no other synth is mid-swap. */
function recover(outDir: string): void {
  const parent = path.dirname(outDir);
  const base = path.basename(outDir);
  if (!fs.existsSync(parent)) return;
  const old = path.join(parent, `.${base}.strata-old`);
  // A kill between the two renames of a swap leaves only the old tree: put it back.
  if (!fs.existsSync(outDir) && fs.existsSync(old)) fs.renameSync(old, outDir);
  for (const entry of fs.readdirSync(parent)) {
    if (entry.startsWith(`.${base}.strata-`)) fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
}

/** Another synth holds the output folder's lock. */
export class TreeLockedError extends Error {}

/** Whether a process of this machine is alive (EPERM: alive, owned by another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the output folder's lock (`.<out>.strata.lock` beside it, holding `<pid> <host>`)
 * so two synths in one checkout never swap or recover each other's folders. A lock left by
 * a process of this machine that is gone is taken over; any other lock is an error saying
 * who holds it.
 */
export function lockTree(outDir: string): () => void {
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  const lock = path.join(path.dirname(outDir), `.${path.basename(outDir)}.strata.lock`);
  const owner = `${process.pid} ${os.hostname()}`;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(lock, `${owner}\n`, { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const [pid, host] = (fs.existsSync(lock) ? fs.readFileSync(lock, 'utf8') : '').trim().split(' ');
    const stale = host === os.hostname() && /^\d+$/.test(pid) && !processAlive(Number(pid));
    if (attempt > 0 || !stale) {
      throw new TreeLockedError(
        `another synth (process ${pid || '?'} on ${host || '?'}) is writing ${outDir}; wait for it to finish, ` +
          `or delete ${lock} if that process is gone`,
      );
    }
    fs.rmSync(lock, { force: true });
  }
}

/**
 * Replaces the output folder with the planned files (plus carried-over files outside the
 * scope). Returns what changed; writes nothing when nothing did.
 */
export function writeTree(outDir: string, files: ReadonlyMap<string, string>, scope: TreeScope): TreeResult {
  const release = lockTree(outDir);
  try {
    return writeLockedTree(outDir, files, scope);
  } finally {
    release();
  }
}

/** `writeTree` for a caller that already holds the folder's lock (`lockTree`). */
export function writeLockedTree(outDir: string, planned: ReadonlyMap<string, string>, scope: TreeScope, index?: StatIndex): TreeResult {
  recover(outDir);
  checkOutputFolder(outDir);
  for (const rel of planned.keys()) {
    if (!scope.owns(rel)) throw new Error(`internal error: rendered file ${rel} is outside the synth scope`);
  }
  const result = diffTree(outDir, planned, scope, index);
  const files = withMarker(outDir, planned, scope);
  if (result.written.length === 0 && result.removed.length === 0 && !result.markerStale) return result;

  const parent = path.dirname(outDir);
  const base = path.basename(outDir);
  const tmp = fs.mkdtempSync(path.join(parent, `.${base}.strata-new-`));
  try {
    // One mkdir per folder, not per file.
    const folders = new Set<string>();
    const folderOf = (rel: string) => {
      const dir = path.dirname(path.join(tmp, rel));
      if (!folders.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        folders.add(dir);
      }
    };
    const carried = carriedFiles(outDir, scope);
    for (const rel of carried) {
      folderOf(rel);
      fs.copyFileSync(path.join(outDir, rel), path.join(tmp, rel));
    }
    const unchanged = new Set(result.unchanged);
    for (const [rel, content] of [...files.entries()].sort(([a], [b]) => compareStrings(a, b))) {
      folderOf(rel);
      // Unchanged files are linked, not rewritten: the swap stays atomic and costs little.
      if (unchanged.has(rel)) fs.linkSync(path.join(outDir, rel), path.join(tmp, rel));
      else fs.writeFileSync(path.join(tmp, rel), content);
    }
    fs.chmodSync(tmp, 0o755);
    const old = path.join(parent, `.${base}.strata-old`);
    if (fs.existsSync(outDir)) fs.renameSync(outDir, old);
    fs.renameSync(tmp, outDir);
    fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    recover(outDir);
    throw err;
  }
  return result;
}
