/**
 * The printed problem report stays readable whatever the files hold: keys, file names and
 * values from the user's files cannot add lines, move the terminal cursor, reorder text
 * (bidi overrides) or grow a line without bound.
 */
import * as path from 'path';
import { loadEnvironments } from '../../environments/load';
import { EnvironmentError, formatProblems, printable } from '../../environments/problems';
import { environmentError } from '../support/problems';
import { environmentsWith, removeTempDirs } from '../support/temp';

afterAll(removeTempDirs);

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;

describe('printable', () => {
  test('escapes controls, separators and bidi overrides', () => {
    expect(printable('a\u0007b\nc\u0085d\u2028e\u202ef', 100)).toBe('a\\u0007b\\u000ac\\u0085d\\u2028e\\u202ef');
  });

  test('leaves other text as it is', () => {
    expect(printable('postgres.parameters.max_connections é 👩‍👩‍👧', 100)).toBe('postgres.parameters.max_connections é 👩‍👩‍👧');
  });

  test('cuts long text, never inside a surrogate pair', () => {
    expect(printable('k'.repeat(500), 20)).toBe(`${'k'.repeat(17)}...`);
    const cut = printable(`a${'👍'.repeat(50)}`, 21);
    expect(cut).toBe(`a${'👍'.repeat(8)}...`);
  });
});

describe('the printed report', () => {
  test('a key holding a control character is printed escaped, on its line', () => {
    const err = environmentError(() => loadEnvironments(environmentsWith({ 'overlays/region-a/prod.yaml': { merge: { 'bell\u0007\u0085': 1 } } })));
    // The problem keeps the key as it is; only the printed report escapes it.
    expect(err.problems.some((p) => p.path === 'bell\u0007\u0085')).toBe(true);
    expect(err.message).not.toMatch(CONTROL);
    expect(err.message).toContain('    bell\\u0007\\u0085: unknown field');
  });

  test('a 10,000-character key is cut in the printed report', () => {
    const key = 'k'.repeat(10_000);
    const err = environmentError(() => loadEnvironments(environmentsWith({ 'overlays/region-a/prod.yaml': { merge: { [key]: 1 } } })));
    expect(err.problems.some((p) => p.path === key)).toBe(true);
    expect(Math.max(...err.message.split('\n').map((l) => l.length))).toBeLessThan(1_000);
  });

  test('a file name with a newline is one heading line', () => {
    const message = formatProblems('/envs', [
      { file: 'overlays/region-a/a\nb.yaml', path: '', message: 'the environment name (file name) is not a DNS label', fix: 'rename the file' },
    ]);
    expect(message.split('\n')).toContain('  overlays/region-a/a\\u000ab.yaml');
    expect(message).not.toMatch(CONTROL);
  });

  test('an EnvironmentError message has no control character from a value', () => {
    const err = new EnvironmentError('/envs', [
      { file: 'platform.yaml', path: 'postgres.name', value: 'x\u0085\u202ey', message: 'must be a DNS label', fix: 'rename it' },
    ]);
    expect(err.message).toContain('(value: "x\\u0085\\u202ey")');
  });
});

describe('fixes that write into the environments folder', () => {
  const problem = {
    file: 'sealed-secrets/r/e/ns_n.yaml',
    path: '',
    message: 'not sealed',
    fix: 'kubeseal -o yaml > <environments>/sealed-secrets/r/e/ns_n.yaml',
  };

  test('name the folder the user gave: relative inside the working directory, absolute outside it', () => {
    const inside = path.join(process.cwd(), 'my-envs');
    expect(formatProblems(inside, [problem])).toContain('fix: kubeseal -o yaml > my-envs/sealed-secrets/r/e/ns_n.yaml');
    expect(formatProblems('/srv/platform/envs', [problem])).toContain('fix: kubeseal -o yaml > /srv/platform/envs/sealed-secrets/r/e/ns_n.yaml');
    expect(formatProblems(process.cwd(), [problem])).toContain('fix: kubeseal -o yaml > ./sealed-secrets/r/e/ns_n.yaml');
  });
});
