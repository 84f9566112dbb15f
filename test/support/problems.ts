/**
 * Assertions on reported environment problems: each names the file, the field path, the
 * bad value and the fix, both as data and in the printed report.
 */
import { EnvironmentError, formatValue, Problem } from '../../environments/problems';

export interface ExpectedProblem {
  readonly file: string;
  readonly path: string;
  /** The bad value; omit to leave the value unchecked. */
  readonly value?: unknown;
  readonly message: RegExp;
  readonly fix: RegExp;
}

/** The EnvironmentError `fn` throws (fails the test when it throws nothing or something else). */
export function environmentError(fn: () => unknown): EnvironmentError {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(EnvironmentError);
  return error as EnvironmentError;
}

/** The problem is in `err.problems` and the printed message names file, path, value and fix. */
export function expectProblem(err: EnvironmentError, expected: ExpectedProblem): Problem {
  const problem = err.problems.find((p) => p.file === expected.file && p.path === expected.path && expected.message.test(p.message));
  if (!problem) throw new Error(`no problem ${expected.file} ${expected.path} ${expected.message} in:\n${err.message}`);
  expect(problem.fix).toMatch(expected.fix);
  if ('value' in expected) expect(problem.value).toEqual(expected.value);

  // The printed report: the file as a heading, then "<path>: <message> (value: <v>)" and the fix.
  const lines = err.message.split('\n');
  const heading = lines.indexOf(`  ${expected.file}`);
  expect(heading).toBeGreaterThan(0);
  const where = expected.path ? `${expected.path}: ` : '';
  const printed = `    ${where}${problem.message}`;
  // Without an expected value, the line may still carry whatever value the problem has.
  const matches = (l: string) =>
    'value' in expected ? l === `${printed} (value: ${formatValue(expected.value)})` : l === printed || l.startsWith(`${printed} (value: `);
  // Within the file's section: up to the next file heading.
  const next = lines.findIndex((l, i) => i > heading && /^  \S/.test(l));
  const end = next === -1 ? lines.length : next;
  const line = lines.findIndex((l, i) => i > heading && i < end && matches(l));
  expect(line).toBeGreaterThan(heading);
  expect(lines[line + 1]).toBe(`      fix: ${problem.fix}`);
  return problem;
}
