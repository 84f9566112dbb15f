/**
 * A render worker (worker_threads): renders overlays from the queue it shares with synth's
 * own thread and the other workers (gitops/render-pool.ts) and posts what it rendered. It
 * runs only from the launcher's build (.strata-build/gitops/render-worker.js), with the
 * launcher's module compile cache, read-only: synth's own thread loads the same modules and
 * saves the cache.
 */
import * as path from 'path';
import { parentPort, workerData } from 'worker_threads';
import type { OverlayOutcome } from './overlay-renderer';
import type { RenderJob, WorkerReport } from './render-pool';

function useCompileCache(): void {
  if (process.env.STRATA_NO_COMPILE_CACHE) return;
  const buildDir = path.dirname(__dirname);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const launcher = require(path.join(path.dirname(buildDir), 'scripts', 'launch.js'));
    launcher.installCompileCache(path.join(buildDir, 'code-cache.bin'), { save: false });
  } catch {
    // Speed only.
  }
}

function run(): WorkerReport {
  const { jobs, next } = workerData as { jobs: readonly RenderJob[]; next: Int32Array };
  useCompileCache();
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { OverlayRenderer } = require('./overlay-renderer') as typeof import('./overlay-renderer');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const renderer = new OverlayRenderer();
  const outcomes: Array<[number, OverlayOutcome]> = [];
  try {
    for (let i = Atomics.add(next, 0, 1); i < jobs.length; i = Atomics.add(next, 0, 1)) {
      const outcome = renderer.render(jobs[i].overlay, jobs[i].bootstrapped);
      outcomes.push([i, outcome]);
    }
    renderer.save({ passed: false });
    return { outcomes, phases: renderer.phases, passed: renderer.passedKeys() };
  } catch (err) {
    return { outcomes, phases: renderer.phases, passed: [], error: (err as Error)?.stack ?? String(err) };
  }
}

parentPort!.postMessage(run());
