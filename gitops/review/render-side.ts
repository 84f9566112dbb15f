/**
 * Renders one side of a review diff into a folder of its own, never touching the checkout's
 * dist/: the working tree with its own sources, or a git ref in a temporary worktree with that
 * ref's sources and environments (its node_modules linked to this checkout's). Both run the
 * ref's own `node scripts/launch.js main.ts --out <folder>`, so each side renders as its
 * commit would, and share the render cache (content-keyed: gitops/render-cache.ts).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export class RenderSideError extends Error {}

export interface RenderedSide {
  /** How the report names it: `origin/main (1a2b3c4)`, `working tree`. */
  readonly label: string;
  readonly treeDir: string;
}

function git(root: string, args: readonly string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim() };
}

/** The commit a ref names, or a RenderSideError that says what to pass instead. */
export function resolveRef(root: string, ref: string): string {
  const r = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!r.ok || !/^[0-9a-f]{40}$/.test(r.out)) {
    throw new RenderSideError(
      `--base/--head "${ref}" is not a commit in this repository; fetch it (git fetch origin) or pass a branch, tag or commit`,
    );
  }
  return r.out;
}

/** `origin/main` when the remote branch exists, else `HEAD`. */
export function defaultBase(root: string): string {
  return git(root, ['rev-parse', '--verify', '--quiet', 'origin/main^{commit}']).ok ? 'origin/main' : 'HEAD';
}

function synth(cwd: string, outDir: string, label: string, renderCache: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(renderCache ? { STRATA_RENDER_CACHE: process.env.STRATA_RENDER_CACHE ?? renderCache } : {}) };
    const child = spawn(process.execPath, [path.join(cwd, 'scripts', 'launch.js'), 'main.ts', '--out', outDir], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d));
    child.stderr.on('data', (d: Buffer) => output.push(d));
    child.on('error', (err) => reject(new RenderSideError(`${label}: cannot run synth: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const text = Buffer.concat(output).toString('utf8').trim().split('\n').slice(-40).join('\n');
      reject(new RenderSideError(`${label} does not render (synth exited ${code}):\n${text}`));
    });
  });
}

/** The working tree as it is, rendered into `work/head`. */
export async function renderWorkingTree(root: string, work: string): Promise<RenderedSide> {
  const treeDir = path.join(work, 'head');
  await synth(root, treeDir, 'the working tree', path.join(root, '.strata-build', 'render-cache'));
  return { label: 'working tree', treeDir };
}

/** A ref's sources and environments, checked out in a temporary worktree and rendered there. */
export async function renderRef(root: string, ref: string, work: string, name: 'base' | 'head'): Promise<RenderedSide> {
  const commit = resolveRef(root, ref);
  const src = path.join(work, `${name}-src`);
  const added = git(root, ['worktree', 'add', '--detach', '--quiet', src, commit]);
  if (!added.ok) throw new RenderSideError(`cannot check out ${ref} in a temporary worktree: ${added.err}`);
  try {
    if (!fs.existsSync(path.join(src, 'scripts', 'launch.js'))) {
      throw new RenderSideError(`${ref} (${commit.slice(0, 7)}) has no scripts/launch.js: it predates \`npm run diff\`; diff against a later commit`);
    }
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(src, 'node_modules'), 'dir');
    const treeDir = path.join(work, name);
    await synth(src, treeDir, `${ref} (${commit.slice(0, 7)})`, path.join(root, '.strata-build', 'render-cache'));
    return { label: `${ref} (${commit.slice(0, 7)})`, treeDir };
  } finally {
    git(root, ['worktree', 'remove', '--force', src]);
    fs.rmSync(src, { recursive: true, force: true });
    git(root, ['worktree', 'prune']);
  }
}
