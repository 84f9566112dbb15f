/**
 * Writes the rendered GitOps tree. The whole new tree is assembled in a temporary folder
 * beside the output folder and swapped in with renames, so a failure or a kill leaves the
 * previous tree in place; when nothing changed, nothing in the tree is written. A lock file
 * beside the output folder keeps two synths in one checkout from interleaving.
 *
 * Strata owns every file under the output folder except what `flux bootstrap` commits
 * (`clusters/<cluster>/flux-system/`). With `--only`, it owns only the selected overlays'
 * folders, and every other file is carried over byte for byte.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Files Strata never writes, removes or compares: Flux's own bootstrap manifests. */
export function isBootstrapFile(rel: string): boolean {
  return /^clusters\/[^/]+\/flux-system\//.test(rel);
}

export interface TreeScope {
  /** Whether Strata owns (renders, removes) a file at this tree-relative path. */
  owns(rel: string): boolean;
}

export const WHOLE_TREE: TreeScope = { owns: (rel) => !isBootstrapFile(rel) };

/** Scope of an `--only` run: the selected overlays' layer folders and entry folders. */
export function overlayScope(overlays: readonly { region: string; environment: string; clusterFolder: string }[]): TreeScope {
  const prefixes = overlays.flatMap((o) => [`${o.region}/${o.environment}/`, `clusters/${o.clusterFolder}/`]);
  return { owns: (rel) => !isBootstrapFile(rel) && prefixes.some((p) => rel.startsWith(p)) };
}

export interface TreeResult {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
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

/** Compares the planned files with the output folder, within the scope. */
export function diffTree(outDir: string, files: ReadonlyMap<string, string>, scope: TreeScope): TreeResult {
  const existing = listTree(outDir).filter((rel) => scope.owns(rel));
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const rel of [...files.keys()].sort()) {
    const full = path.join(outDir, rel);
    if (fs.existsSync(full) && fs.readFileSync(full, 'utf8') === files.get(rel)) unchanged.push(rel);
    else written.push(rel);
  }
  const removed = existing.filter((rel) => !files.has(rel));
  return { written, unchanged, removed };
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
function acquireLock(outDir: string): () => void {
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
        `or delete ${lock} if that process is gone`);
    }
    fs.rmSync(lock, { force: true });
  }
}

/**
 * Replaces the output folder with the planned files (plus carried-over files outside the
 * scope). Returns what changed; writes nothing when nothing did.
 */
export function writeTree(outDir: string, files: ReadonlyMap<string, string>, scope: TreeScope): TreeResult {
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  const release = acquireLock(outDir);
  try {
    return swapTree(outDir, files, scope);
  } finally {
    release();
  }
}

function swapTree(outDir: string, files: ReadonlyMap<string, string>, scope: TreeScope): TreeResult {
  recover(outDir);
  for (const rel of files.keys()) {
    if (!scope.owns(rel)) throw new Error(`internal error: rendered file ${rel} is outside the synth scope`);
  }
  const result = diffTree(outDir, files, scope);
  if (result.written.length === 0 && result.removed.length === 0) return result;

  const parent = path.dirname(outDir);
  const base = path.basename(outDir);
  const tmp = fs.mkdtempSync(path.join(parent, `.${base}.strata-new-`));
  try {
    const carried = listTree(outDir).filter((rel) => !scope.owns(rel));
    for (const rel of carried) {
      fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
      fs.copyFileSync(path.join(outDir, rel), path.join(tmp, rel));
    }
    const unchanged = new Set(result.unchanged);
    for (const [rel, content] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
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
