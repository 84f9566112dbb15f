/**
 * Rendering on several threads writes what one thread writes, and reports the same
 * problems: synth runs from the launcher's build (render workers run only there) in child
 * processes, with the render cache off so every overlay is rendered.
 */
import { spawn } from 'child_process';
import { availableParallelism } from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from '../../environments/project-root';
import { OVERLAYS_PER_THREAD, renderThreads } from '../../gitops/render-pool';
import { compiledProject } from '../support/compiled-project';
import { environmentsWith, readTree, removeTempDirs, tempDir } from '../support/temp';

jest.setTimeout(120_000);
afterAll(removeTempDirs);

function synthCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const main = path.join(compiledProject(), 'main.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, STRATA_RENDER_CACHE: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('renderThreads', () => {
  test('one thread per core but one, only when each has enough overlays; --threads wins, but never more threads than overlays', () => {
    expect(renderThreads(0)).toBe(1);
    expect(renderThreads(OVERLAYS_PER_THREAD - 1)).toBe(1);
    // A core stays free for synth's own work and the garbage collector (one thread on 2 cores).
    expect(renderThreads(OVERLAYS_PER_THREAD * 64)).toBe(Math.max(1, availableParallelism() - 1));
    expect(renderThreads(OVERLAYS_PER_THREAD * 64)).toBeLessThan(Math.max(2, availableParallelism()));
    expect(renderThreads(3, 8)).toBe(3);
    expect(renderThreads(100, 1)).toBe(1);
    expect(renderThreads(100, 4)).toBe(4);
  });
});

describe('render workers', () => {
  test('--threads 3 writes the tree one thread writes, byte for byte', async () => {
    const outDir = path.join(tempDir('strata-threads-'), 'dist');
    const r = await synthCli(['--threads', '3', '--timings', '--out', outDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/render cache 0 hit\(s\), 6 miss\(es\); 3 render thread\(s\)/);
    expect(readTree(outDir)).toEqual(readTree(path.join(PROJECT_ROOT, 'dist')));
  });

  test('problems found in workers are reported as one thread reports them, and nothing is written', async () => {
    const envDir = environmentsWith({
      'overlays/region-a/prod.yaml': {
        merge: { streaming: { kafka: { resources: { requests: { cpu: '2', memory: '9Gi' }, limits: { cpu: '2', memory: '9Gi' } } } } },
      },
      'overlays/region-a/staging.yaml': {
        merge: { streaming: { kafka: { resources: { requests: { cpu: '2', memory: '9Gi' }, limits: { cpu: '2', memory: '9Gi' } } } } },
      },
    });
    const base = tempDir('strata-threads-');
    const one = await synthCli(['--threads', '1', '--env-dir', envDir, '--out', path.join(base, 'one')]);
    const three = await synthCli(['--threads', '3', '--env-dir', envDir, '--out', path.join(base, 'three')]);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/overlays\/region-a\/prod\.yaml[\s\S]*quota\.requestsMemory[\s\S]*overlays\/region-a\/staging\.yaml/);
    const sameOut = (r: typeof one, folder: string) => ({ ...r, stdout: r.stdout.split(folder).join('<out>') });
    expect(sameOut(three, 'three')).toEqual(sameOut(one, 'one'));
    expect(readTree(base)).toEqual({});
  });
});
