/**
 * The render cache as `npm run synth` uses it: synth runs from the launcher's build
 * (.strata-build/), in a child process, with its own cache folder per test.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { compiledProject } from '../support/compiled-project';
import { environmentsWith, removeTempDirs, snapshotDir, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const DEV = 'overlays/region-a/dev.yaml';

interface Run {
  readonly code: number;
  readonly result?: { renderCache: { hits: number; misses: number }; written: string[]; unchanged: string[] };
  readonly output: string;
}

let build: string;
/** This file's own cache: a whole-tree run drops the entries it did not use. */
let cacheDir: string;
beforeAll(() => {
  build = compiledProject();
  cacheDir = tempDir('strata-render-cache-');
});

/** One synth in a child process, reporting its result as JSON. */
function synthChild(envDir: string, outDir: string, env: Record<string, string> = {}): Run {
  const script = `
    const { synth } = require(${JSON.stringify(path.join(build, 'main.js'))});
    try {
      const r = synth({ envDir: ${JSON.stringify(envDir)}, outDir: ${JSON.stringify(outDir)} });
      process.stdout.write(JSON.stringify({ renderCache: r.renderCache, written: r.written, unchanged: r.unchanged }));
    } catch (err) {
      process.stdout.write(JSON.stringify({ error: err.name, message: err.message }));
      process.exitCode = 1;
    }`;
  try {
    const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, STRATA_RENDER_CACHE: cacheDir, ...env }, encoding: 'utf8' });
    return { code: 0, result: JSON.parse(out), output: out };
  } catch (err: any) {
    return { code: err.status ?? 1, output: String(err.stdout ?? '') };
  }
}

describe('render cache', () => {
  test('a second synth of the same environments renders nothing and writes the same tree', () => {
    const envDir = environmentsWith();
    const first = synthChild(envDir, path.join(tempDir(), 'dist'));
    expect(first.code).toBe(0);
    const outDir = path.join(tempDir(), 'dist');
    const second = synthChild(envDir, outDir);
    expect(second.result!.renderCache).toEqual({ hits: 6, misses: 0 });
    const fresh = path.join(tempDir(), 'dist');
    expect(synthChild(envDir, fresh, { STRATA_RENDER_CACHE: 'off' }).result!.renderCache).toEqual({ hits: 0, misses: 6 });
    const contents = (dir: string) => Object.fromEntries(Object.entries(snapshotDir(dir)).map(([rel, f]) => [rel, f.content]));
    expect(contents(outDir)).toEqual(contents(fresh));
  });

  test('a changed overlay is rendered again, the others come from the cache (wherever the folder is)', () => {
    synthChild(environmentsWith(), path.join(tempDir(), 'dist'));
    const outDir = path.join(tempDir(), 'dist');
    const run = synthChild(environmentsWith({ [DEV]: { merge: { postgres: { instances: 2 } } } }), outDir);
    expect(run.output).not.toMatch(/"error"/);
    expect(run.result!.renderCache).toEqual({ hits: 5, misses: 1 });
    expect(fs.readFileSync(path.join(outDir, 'region-a/dev/data/postgres_cluster_postgres.yaml'), 'utf8')).toMatch(/\n {2}instances: 2\n/);
  });

  test('a cached render still goes through the transition guard against the tree on disk', () => {
    // The cache holds region-a/dev without PostgreSQL; the tree on disk still runs it.
    const disabled = environmentsWith({ [DEV]: { merge: { postgres: { enabled: false } } } });
    expect(synthChild(disabled, path.join(tempDir(), 'dist')).code).toBe(0);
    const outDir = path.join(tempDir(), 'dist');
    expect(synthChild(environmentsWith(), outDir).code).toBe(0);
    const before = snapshotDir(outDir);
    const run = synthChild(disabled, outDir);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/Namespace postgres with \d+ stateful object\(s\) in it .* would be removed from the tree/);
    expect(snapshotDir(outDir)).toEqual(before);
  });

  test('keys hold content, not file times: a source touched (as a fresh checkout touches every file) keeps every entry', () => {
    const envDir = environmentsWith();
    expect(synthChild(envDir, path.join(tempDir(), 'dist')).code).toBe(0);
    const source = path.join(path.dirname(build), 'gitops', 'yaml.ts');
    const { atime, mtime } = fs.statSync(source);
    try {
      fs.utimesSync(source, atime, new Date(mtime.getTime() + 60_000));
      build = compiledProject();
      expect(synthChild(envDir, path.join(tempDir(), 'dist')).result!.renderCache).toEqual({ hits: 6, misses: 0 });
    } finally {
      fs.utimesSync(source, atime, mtime);
      build = compiledProject();
    }
  });
});
