/**
 * Property test: whatever bytes an environment file holds, loading ends in the loaded
 * overlays or an EnvironmentError whose every problem names a file, with a bounded message:
 * never another exception, never a hang. Seeded; STRATA_FUZZ_SEED and STRATA_FUZZ_TRIALS
 * override the seed and the number of trials.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { loadEnvironments } from '../../environments/load';
import { EnvironmentError } from '../../environments/problems';
import { environmentsWith, removeTempDirs } from '../support/temp';

afterAll(removeTempDirs);

const SEED = Number(process.env.STRATA_FUZZ_SEED ?? 20261202);
const TRIALS = Number(process.env.STRATA_FUZZ_TRIALS ?? 150);
const FILES = [
  'platform.yaml',
  'regions/region-a.yaml',
  'regions/region-b.yaml',
  'overlays/region-a/prod.yaml',
  'overlays/region-b/prod.yaml',
  'overlays/region-a/dev.yaml',
];

const aliasBomb = fc.integer({ min: 2, max: 12 }).map((width) => {
  const names = 'abcdefghij'.split('');
  const lines = [`a: &a [${Array(width).fill('"xxxxxxxx"').join(', ')}]`];
  for (let i = 1; i < names.length; i++) {
    lines.push(
      `${names[i]}: &${names[i]} [${Array(width)
        .fill(`*${names[i - 1]}`)
        .join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
});

const content: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => `${JSON.stringify(v)}\n`),
  fc
    .dictionary(
      fc.constantFrom(
        'postgres',
        'minio',
        'streaming',
        'opensearch',
        'velero',
        'dr',
        'tier',
        'gitops',
        'secrets',
        'acknowledge',
        'constructor',
        '__proto__',
      ),
      fc.jsonValue({ maxDepth: 3 }),
    )
    .map((d) => `${JSON.stringify(d)}\n`),
  aliasBomb,
  fc.constantFrom(
    'a: &x\n  b: *x\n',
    'a: 1\na: 2\n',
    '---\na: 1\n---\nb: 2\n',
    '',
    '# only a comment\n',
    '{{{',
    'a: [1, 2\n',
    '\ta: 1\n',
    'a: !!binary AAAA\n',
    '? [a, b]\n: c\n',
  ),
  fc.uint8Array({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

test('hostile environment files never crash or hang the loader', () => {
  const base = environmentsWith();
  fc.assert(
    fc.property(fc.constantFrom(...FILES), content, (rel, body) => {
      const envDir = environmentsWith();
      fs.writeFileSync(path.join(envDir, rel), body);
      try {
        loadEnvironments(envDir);
      } catch (err) {
        if (!(err instanceof EnvironmentError)) throw err;
        for (const p of err.problems) {
          expect(p.file).not.toBe('');
          expect(p.fix.length).toBeGreaterThan(0);
        }
        expect(err.message.length).toBeLessThan(200_000);
        expect(err.message).not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m); // no stack trace
      }
    }),
    { seed: SEED, numRuns: TRIALS },
  );
  expect(fs.existsSync(base)).toBe(true);
});
