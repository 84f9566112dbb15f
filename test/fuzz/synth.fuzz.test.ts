/**
 * Fuzz: synth on hostile and careless changes to the shipped environments/ (see
 * environment-mutations.ts) keeps the properties of trial-checks.ts. Each trial runs in a
 * worker process with a time budget, over a hard-linked copy of the default render.
 *
 * Trials come from a fixed seed, so a run is reproducible; trial i does not depend on how
 * many run. Environment variables:
 *   STRATA_FUZZ_SEED              seed (default below)
 *   STRATA_FUZZ_TRIALS            number of trials (`npm run fuzz`: 10000)
 *   STRATA_FUZZ_ONLY              comma-separated trial numbers to run alone
 *   STRATA_FUZZ_TRIAL_TIMEOUT_MS  per-trial budget before a run counts as a hang
 *   STRATA_FUZZ_REPORT            file to append one JSON line per trial to
 *   STRATA_FUZZ_MINIMIZE          how many failure categories to shrink to their smallest change
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { describeTrial, materialize, plantedMarkers, readBase, Trial, trialArbitrary } from './environment-mutations';
import { Outcome } from './outcome';
import { fingerprint, Fingerprint, TrialOutput } from './output-folder';
import { checkOutcome, Violation } from './trial-checks';
import { SynthWorker } from './worker-pool';
import { environmentsWith, removeTempDirs, tempDir } from '../support/temp';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}=${raw}: expected a non-negative integer`);
  return n;
}

const SEED = intEnv('STRATA_FUZZ_SEED', 20_240_611);
// About 30 s on a busy two-core machine, worker start and baseline render included.
const TRIALS = intEnv('STRATA_FUZZ_TRIALS', 120);
const BUDGET_MS = intEnv('STRATA_FUZZ_TRIAL_TIMEOUT_MS', 20_000);
const ONLY = (process.env.STRATA_FUZZ_ONLY ?? '')
  .split(',')
  .filter(Boolean)
  .map((s) => Number(s));
const REPORT = process.env.STRATA_FUZZ_REPORT;
/** Failures shrunk to their smallest failing subset of mutations (one per category). */
const MINIMIZE = intEnv('STRATA_FUZZ_MINIMIZE', 10);

const indices = ONLY.length ? ONLY : Array.from({ length: TRIALS }, (_, i) => i);

let pristine: string;
let trials: fc.Arbitrary<Trial>;
let root: string;
let worker: SynthWorker;
let output: TrialOutput;
let baseline: Fingerprint;

beforeAll(async () => {
  // A copy of environments/ taken once, so edits by others during the run cannot interfere.
  pristine = environmentsWith();
  trials = trialArbitrary(readBase(pristine));
  root = tempDir('strata-fuzz-');
  worker = new SynthWorker();
  const baselineDir = path.join(root, 'baseline', 'dist');
  const outcome = await worker.run({ envDir: pristine, outDir: baselineDir, validateAll: true }, 300_000);
  if (outcome.kind !== 'written' || outcome.invalid.length) {
    throw new Error(`the unmodified environments do not render cleanly: ${JSON.stringify(outcome).slice(0, 3_000)}`);
  }
  baseline = fingerprint(baselineDir);
  output = new TrialOutput(path.join(root, 'trial'), baselineDir);
}, 600_000);

afterAll(() => {
  worker?.stop();
  removeTempDirs();
});

function trialAt(i: number): Trial {
  return fc.sample(trials, { seed: SEED, numRuns: 1, path: String(i) })[0];
}

interface TrialResult {
  readonly outcome: Outcome;
  readonly violations: readonly Violation[];
  readonly notes: readonly string[];
  readonly ms: number;
}

async function runTrial(trial: Trial): Promise<TrialResult> {
  const started = Date.now();
  const envDir = path.join(root, 'env');
  fs.rmSync(envDir, { recursive: true, force: true });
  const notes = materialize(pristine, envDir, trial);
  output.prepare(trial.freshOut);
  const before = trial.freshOut ? undefined : baseline;
  const outcome = await worker.run({ envDir, outDir: output.outDir }, BUDGET_MS);
  const finished = outcome.kind === 'refused' || outcome.kind === 'written';
  const after = outcome.kind === 'refused' ? fingerprint(output.outDir) : undefined;
  const beside = finished ? output.entriesBeside() : [];
  const violations = checkOutcome(outcome, { outDir: output.outDir, before, after, beside, markers: plantedMarkers(trial) });
  const unchanged =
    outcome.kind === 'refused'
      ? violations.length === 0
      : outcome.kind === 'written' && !trial.freshOut && outcome.written.length === 0 && outcome.removed.length === 0 && beside.join() === 'dist';
  if (!unchanged) output.markChanged();
  return { outcome, violations, notes, ms: Date.now() - started };
}

function outcomeLabel(o: Outcome): string {
  return o.kind === 'refused' ? `refused (${o.error})` : o.kind;
}

/** The smallest subset of the trial's mutations (tried one alone, then one removed at a time) that still fails the same way. */
async function minimize(trial: Trial, category: string): Promise<Trial> {
  const failsSame = async (t: Trial) => (await runTrial(t)).violations.some((v) => v.category === category);
  for (const m of trial.mutations) {
    for (const freshOut of trial.freshOut ? [false, true] : [false]) {
      const single = { mutations: [m], freshOut };
      if (await failsSame(single)) return single;
    }
  }
  let current = trial;
  for (let i = 0; i < current.mutations.length && current.mutations.length > 1;) {
    const smaller = { ...current, mutations: current.mutations.filter((_, j) => j !== i) };
    if (await failsSame(smaller)) current = smaller;
    else i++;
  }
  return current;
}

test(
  `synth keeps its properties on ${indices.length} mutated environment folders`,
  async () => {
    const failures: { index: number; trial: Trial; result: TrialResult }[] = [];
    const kinds = new Map<string, number>();
    for (const index of indices) {
      const trial = trialAt(index);
      const result = await runTrial(trial);
      const label = outcomeLabel(result.outcome);
      kinds.set(label, (kinds.get(label) ?? 0) + 1);
      if (result.violations.length) failures.push({ index, trial, result });
      if (REPORT) {
        fs.appendFileSync(
          REPORT,
          `${JSON.stringify({
            seed: SEED,
            trial: index,
            ms: result.ms,
            outcome: label,
            categories: [...new Set(result.violations.map((v) => v.category))],
            violations: result.violations.map((v) => ({ category: v.category, detail: v.detail.slice(0, 1_500) })),
            notes: result.notes,
            mutations: describeTrial(trial),
            ...(result.outcome.kind === 'refused' ? { refusal: result.outcome.message.slice(0, 600) } : {}),
          })}\n`,
        );
      }
    }

    if (failures.length) {
      const byCategory = new Map<string, typeof failures>();
      for (const f of failures) {
        for (const c of new Set(f.result.violations.map((v) => v.category))) byCategory.set(c, [...(byCategory.get(c) ?? []), f]);
      }
      const categories = [...byCategory.keys()].sort((a, b) => byCategory.get(b)!.length - byCategory.get(a)!.length || (a < b ? -1 : a > b ? 1 : 0));
      const lines = [
        `${failures.length} of ${indices.length} trials broke a property (seed ${SEED}). Reproduce one with`,
        `  STRATA_FUZZ_SEED=${SEED} STRATA_FUZZ_ONLY=<trial> npx jest --ci test/fuzz/synth.fuzz.test.ts`,
        '',
      ];
      for (const [n, c] of categories.entries()) {
        const first = byCategory.get(c)![0];
        const violation = first.result.violations.find((v) => v.category === c)!;
        const smallest = n < MINIMIZE ? await minimize(first.trial, c) : undefined;
        lines.push(
          `${c}: ${byCategory.get(c)!.length} trial(s): ${byCategory
            .get(c)!
            .map((f) => f.index)
            .slice(0, 12)
            .join(', ')}`,
          `  trial ${first.index}:`,
          `  ${describeTrial(first.trial)}`,
          ...(smallest ? [`  smallest failing change:`, `  ${describeTrial(smallest)}`] : []),
          ...violation.detail
            .split('\n')
            .slice(0, 12)
            .map((l) => `    | ${l.slice(0, 300)}`),
          '',
        );
      }
      lines.push(`outcomes: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}; workers started: ${worker.starts}`);
      throw new Error(lines.join('\n'));
    }

    // Both paths were exercised: some trials wrote a tree, some were refused.
    if (!ONLY.length && indices.length >= 20) {
      expect(kinds.get('written') ?? 0).toBeGreaterThan(0);
      expect([...kinds.keys()].some((k) => k.startsWith('refused'))).toBe(true);
    }
  },
  indices.length * (BUDGET_MS + 15_000) + 600_000,
);
