/**
 * `npm run diff` as users run it: flags, exit codes, the report written where asked, and the
 * git path (both sides rendered from refs in temporary worktrees, the checkout untouched).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../environments/project-root';
import { synth } from '../../main';
import { DIFF_FLAGS, main, parseDiffArgs, UsageError } from '../../scripts/diff';
import { environmentsWith, removeTempDirs, snapshotDir, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const DIST = path.join(PROJECT_ROOT, 'dist');
let shrunk: string;
beforeAll(() => {
  shrunk = path.join(tempDir('strata-diff-cli-'), 'dist');
  synth({ envDir: environmentsWith({ 'overlays/region-a/prod.yaml': { merge: { postgres: { storageSize: '50Gi' } } } }), outDir: shrunk });
});

let errors: string[];
beforeEach(() => {
  errors = [];
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
});
afterEach(() => jest.restoreAllMocks());

describe('flags', () => {
  test('defaults: markdown, failing on data loss', () => {
    expect(parseDiffArgs([])).toMatchObject({ format: 'markdown', only: [], failOn: new Set(['data-loss']) });
    expect(parseDiffArgs(['--fail-on', 'any']).failOn).toEqual(new Set(['data-loss', 'downtime', 'security']));
    expect(parseDiffArgs(['--fail-on', 'none']).failOn).toEqual(new Set());
    expect(parseDiffArgs(['--only', 'region-a-prod,region-b/*', '--only', 'eu']).only).toEqual(['region-a-prod', 'region-b/*', 'eu']);
  });

  test.each([
    [['--bogus'], /unknown argument "--bogus"/],
    [['--format'], /--format needs a value/],
    [['--format', 'html'], /--format is one of markdown, text, json, not "html"/],
    [['--fail-on', 'data-loss,outage'], /--fail-on takes data-loss, downtime, security, any, none \(comma-separated\), not "outage"/],
    [['--head', 'HEAD', '--head-tree', 'x'], /exclude each other/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseDiffArgs(argv)).toThrow(UsageError);
    expect(() => parseDiffArgs(argv)).toThrow(message);
  });

  test('every flag the parser takes is listed (the CI workflows are checked against the list)', () => {
    for (const flag of Object.keys(DIFF_FLAGS).filter((f) => f !== '--help')) {
      expect(() => parseDiffArgs([flag, 'x'])).not.toThrow(/unknown argument/);
    }
  });

  test('a usage error exits 2 and prints the usage', async () => {
    expect(await main(['--format', 'html'])).toBe(2);
    expect(errors.join('\n')).toMatch(/^strata diff: --format is one of/);
    expect(errors.join('\n')).toMatch(/usage: npm run diff --/);
  });
});

describe('rendered trees', () => {
  test('an unacknowledged data-loss change exits 3, and the report is still written', async () => {
    const out = path.join(tempDir('strata-diff-out-'), 'report.md');
    expect(await main(['--base-tree', DIST, '--head-tree', shrunk, '--output', out])).toBe(3);
    const md = fs.readFileSync(out, 'utf8');
    expect(md).toMatch(/^<!-- strata-diff -->\n/);
    expect(md).toContain('spec.storage.size: its data volumes would shrink from 100Gi to 50Gi');
    expect(errors.join('\n')).toMatch(/1 unacknowledged risk\(s\) of the --fail-on classes \(data-loss\)/);
  });

  test('--fail-on none, or --only a cluster the change does not touch, exits 0', async () => {
    const out = path.join(tempDir('strata-diff-out-'), 'report.json');
    expect(await main(['--base-tree', DIST, '--head-tree', shrunk, '--fail-on', 'none', '--format', 'json', '--output', out])).toBe(0);
    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(json.risks).toEqual([
      expect.objectContaining({ risk: 'data-loss', cluster: 'region-a-prod', status: 'impossible', field: 'spec.storage.size' }),
    ]);
    expect(await main(['--base-tree', DIST, '--head-tree', shrunk, '--only', 'region-b/*', '--output', out])).toBe(0);
    expect(await main(['--base-tree', DIST, '--head-tree', shrunk, '--only', 'region-a', '--output', out])).toBe(3);
  });

  test('a folder that does not exist is an error, not a stack trace', async () => {
    expect(await main(['--base-tree', '/nonexistent/strata', '--head-tree', shrunk])).toBe(1);
    expect(errors.join('\n')).toMatch(/strata diff: \/nonexistent\/strata is not a folder with a rendered tree/);
  });
});

describe('git refs', () => {
  test('HEAD against HEAD renders both sides in temporary worktrees: no changes, the checkout untouched', async () => {
    const before = snapshotDir(DIST);
    const worktrees = () => spawnSync('git', ['worktree', 'list', '--porcelain'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout;
    const listed = worktrees();
    const out = path.join(tempDir('strata-diff-out-'), 'report.txt');
    expect(await main(['--base', 'HEAD', '--head', 'HEAD', '--format', 'text', '--output', out])).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toMatch(
      /^strata diff: HEAD \([0-9a-f]{7}\) -> HEAD \([0-9a-f]{7}\)\nNo changes: both sides render the same tree\.\n/,
    );
    expect(snapshotDir(DIST)).toEqual(before);
    expect(worktrees()).toBe(listed);
  }, 120_000);

  test('a ref that does not exist says what to do', async () => {
    expect(await main(['--base', 'no-such-branch-strata'])).toBe(1);
    expect(errors.join('\n')).toMatch(
      /"no-such-branch-strata" is not a commit in this repository; fetch it \(git fetch origin\) or pass a branch, tag or commit/,
    );
  });
});
