/**
 * Renders the overlays the render cache does not hold on every core: synth's own thread and
 * `threads - 1` render workers (worker_threads, gitops/render-worker.ts) take overlays from
 * one shared queue (an atomic counter), so a worker that starts late or draws small overlays
 * simply renders more of them. Outcomes come back in the order of the jobs, whoever rendered
 * them, so the tree and every message are the same as a render in one thread; files are
 * merged before synth's single atomic write.
 *
 * Workers run the launcher's build (.strata-build/); code running from its sources (jest,
 * ts-node) renders in its own thread. A worker costs its start-up (loading cdk8s, the
 * constructs and the imports an overlay uses, ≈0.3–0.5 s with the compile cache) and its own
 * heap, so small renders stay in one thread (see `renderThreads`).
 */
import * as fs from 'fs';
import { availableParallelism } from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { OverlayOutcome, OverlayRenderer, RenderPhases } from './overlay-renderer';
import type { OverlaySpec } from '../environments/model';

export interface RenderJob {
  readonly overlay: OverlaySpec;
  /** The overlay's entry folders where `flux bootstrap` committed flux-system/. */
  readonly bootstrapped: readonly string[];
}

/** What a worker posts when the queue is empty (or it failed). */
export interface WorkerReport {
  /** Job index and outcome, for every job this worker rendered. */
  readonly outcomes: ReadonlyArray<readonly [number, OverlayOutcome]>;
  readonly phases: RenderPhases;
  /** Validation cache keys of objects that passed (saved by synth's thread). */
  readonly passed: readonly string[];
  /** A failure that is not a problem of the input: the worker's stack. */
  readonly error?: string;
}

/** Overlays per thread below which another thread costs more than it saves. */
export const OVERLAYS_PER_THREAD = 8;

/** The worker script of the build this code runs from; undefined when running from sources. */
export function workerScript(): string | undefined {
  if (!__filename.endsWith('.js')) return undefined;
  const file = path.join(__dirname, 'render-worker.js');
  return fs.existsSync(file) ? file : undefined;
}

/**
 * Threads for `jobs` overlays: `requested` (`--threads N`) when given, else one per core but
 * one, as many as have `OVERLAYS_PER_THREAD` overlays each. Never more threads than overlays.
 *
 * One core is left to synth's own work beside rendering (merging, the guard, the write) and
 * to V8's concurrent garbage collection, which a single-threaded synth already keeps busy:
 * on a 2-core machine a worker brought 0-25 % at 120 overlays for ≈100 MB more peak memory
 * (its own heap, modules and validators), so there synth renders on one thread.
 */
export function renderThreads(jobs: number, requested?: number): number {
  const wanted = requested ?? Math.min(availableParallelism() - 1, Math.floor(jobs / OVERLAYS_PER_THREAD));
  return Math.max(1, Math.min(wanted, jobs));
}

/** Renders `jobs` on `threads` threads (this one included); outcomes in the order of `jobs`. */
export async function renderInParallel(
  jobs: readonly RenderJob[],
  threads: number,
  renderer: OverlayRenderer,
  script: string,
): Promise<{ outcomes: OverlayOutcome[]; workerPhases: RenderPhases }> {
  const next = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from({ length: threads - 1 }, () => new Worker(script, { workerData: { jobs, next } }));
  const reports = workers.map(
    (worker) =>
      new Promise<WorkerReport>((resolve, reject) => {
        let report: WorkerReport | undefined;
        worker.once('message', (m: WorkerReport) => {
          report = m;
        });
        worker.once('error', reject);
        worker.once('exit', (code) =>
          report ? resolve(report) : reject(new Error(`a render worker stopped (exit code ${code}) before it reported`)),
        );
      }),
  );
  const outcomes = new Array<OverlayOutcome>(jobs.length);
  try {
    for (let i = Atomics.add(next, 0, 1); i < jobs.length; i = Atomics.add(next, 0, 1)) {
      outcomes[i] = renderer.render(jobs[i].overlay, jobs[i].bootstrapped);
    }
  } catch (err) {
    // Stop taking jobs everywhere and end the workers before reporting.
    Atomics.store(next, 0, jobs.length);
    await Promise.allSettled(workers.map((w) => w.terminate()));
    throw err;
  }
  const workerPhases: RenderPhases = { build: 0, render: 0, validation: 0 };
  for (const report of await Promise.all(reports)) {
    if (report.error) throw new Error(`a render worker failed:\n${report.error}`);
    for (const [i, outcome] of report.outcomes) outcomes[i] = outcome;
    for (const phase of Object.keys(workerPhases) as Array<keyof RenderPhases>) workerPhases[phase] += report.phases[phase];
    renderer.adoptPassed(report.passed);
  }
  return { outcomes, workerPhases };
}
