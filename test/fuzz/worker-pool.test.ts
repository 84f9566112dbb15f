/**
 * The fuzz watchdog: a run that never answers or never yields is reported as hung within
 * its budget, a worker that exits is reported as died, and the next run gets a fresh worker.
 */
import * as path from 'path';
import { SynthWorker } from './worker-pool';

const worker = new SynthWorker({ script: path.join(__dirname, 'fixtures', 'scripted-worker.js') });
afterAll(() => worker.stop());

const run = (envDir: string, budgetMs = 1_000) => worker.run({ envDir, outDir: '/nonexistent' }, budgetMs);

test('an answer within the budget is the outcome', async () => {
  expect(await run('ok')).toEqual({ kind: 'written', written: [], removed: [], invalid: [] });
});

test.each(['hang', 'spin'])('a run that %ss is reported as hung, and the next run gets a fresh worker', async (mode) => {
  const starts = worker.starts;
  const started = Date.now();
  expect(await run(mode, 500)).toEqual({ kind: 'hung', budgetMs: 500 });
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(await run('ok')).toMatchObject({ kind: 'written' });
  expect(worker.starts).toBe(starts + 1);
});

test('a worker that exits is reported as died', async () => {
  expect(await run('die')).toMatchObject({ kind: 'died', code: 3, signal: null });
  expect(await run('ok')).toMatchObject({ kind: 'written' });
});
