/**
 * Temporary folders and tree snapshots for tests that synthesize: every test writes into its
 * own folder under the OS temp dir, never into the checkout (dist/ and environments/ are
 * shared with other engineers).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { PROJECT_ROOT } from '../../environments/project-root';
import { listTree, TREE_MARKER } from '../../gitops/tree';

export const ENVIRONMENTS_DIR = path.join(PROJECT_ROOT, 'environments');

const created: string[] = [];

/** A fresh, empty folder; removed by `removeTempDirs()`. */
export function tempDir(prefix = 'strata-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A change to one environments file: new text, `null` to delete it, or values to merge in. */
export type EnvironmentChange = string | null | { readonly merge: Record<string, unknown> };

/**
 * A copy of the project's environments/ (YAML files only) with some files replaced, deleted
 * or changed by a deep merge (objects merge key by key, everything else replaces), paths
 * relative to the environments folder. Merging keeps the rest of a file as it is, so a test
 * changes only what it is about.
 */
export function environmentsWith(changes: Readonly<Record<string, EnvironmentChange>> = {}): string {
  const dir = tempDir('strata-env-');
  fs.cpSync(ENVIRONMENTS_DIR, dir, { recursive: true, filter: (src) => fs.statSync(src).isDirectory() || src.endsWith('.yaml') });
  for (const [rel, change] of Object.entries(changes)) {
    const file = path.join(dir, rel);
    if (change === null) {
      fs.rmSync(file);
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof change === 'string') {
      fs.writeFileSync(file, change);
    } else {
      const current = fs.existsSync(file) ? (yaml.load(fs.readFileSync(file, 'utf8')) ?? {}) : {};
      fs.writeFileSync(file, yaml.dump(deepMerge(current, change.merge)));
    }
  }
  return dir;
}

function deepMerge(base: unknown, change: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(base) || !isObject(change)) return change;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(change)) out[k] = deepMerge(base[k], v);
  return out;
}

/** An environments file of the project, parsed. */
export function readEnvironmentsFile(rel: string): any {
  return yaml.load(fs.readFileSync(path.join(ENVIRONMENTS_DIR, rel), 'utf8'));
}

/** Files under `dir`, relative, sorted (folders are not listed): the rendered files, without synth's marker. */
export const filesUnder = (dir: string): string[] => listTree(dir).filter((f) => f !== TREE_MARKER);

export interface FileState {
  readonly content: string;
  readonly mtimeMs: number;
}

/** Every file's bytes and modification time, to prove a folder was not touched. */
export function snapshotDir(dir: string): Record<string, FileState> {
  const out: Record<string, FileState> = {};
  for (const rel of filesUnder(dir)) {
    const full = path.join(dir, rel);
    out[rel] = { content: fs.readFileSync(full).toString('base64'), mtimeMs: fs.statSync(full).mtimeMs };
  }
  return out;
}

/** Every file's text, by relative path. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  // The marker is synth's bookkeeping, asserted by the tree writer's own tests.
  for (const rel of filesUnder(dir).filter((f) => f !== TREE_MARKER)) out[rel] = fs.readFileSync(path.join(dir, rel), 'utf8');
  return out;
}

export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
}

/** Entries beside `outDir` left by an interrupted tree swap (`.<base>.strata-*`). */
export function swapLeftovers(outDir: string): string[] {
  const base = path.basename(outDir);
  return fs.readdirSync(path.dirname(outDir)).filter((e) => e.startsWith(`.${base}.strata-`));
}
