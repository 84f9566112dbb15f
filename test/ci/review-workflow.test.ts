/**
 * .github/workflows/review.yml and examples/gitlab/.gitlab-ci.yml: the review diff of a pull
 * (merge) request. Each runs the README's CI commands, calls `npm run diff` only with flags it
 * accepts, posts the report as one comment that later runs update (keyed on the marker), and
 * fails on exit 3 after posting. The shell steps and the comment script are run here against
 * fake `npm`, `git`, `curl` and GitHub clients.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { PROJECT_ROOT } from '../../environments/project-root';
import { parseArgs } from '../../main';
import { DIFF_FLAGS, parseDiffArgs } from '../../scripts/diff';

const MARKER = '<!-- strata-diff -->';

const read = (...parts: string[]) => fs.readFileSync(path.join(PROJECT_ROOT, ...parts), 'utf8');
const github = YAML.parse(read('.github', 'workflows', 'review.yml'));
const synth = YAML.parse(read('.github', 'workflows', 'synth.yml'));
const gitlab = YAML.parse(read('examples', 'gitlab', '.gitlab-ci.yml'));

const runs = (job: any): string[] => job.steps.filter((s: any) => s.run).map((s: any) => String(s.run).trim());
const stepNamed = (job: any, name: string) => job.steps.find((s: any) => s.name === name);

/** Shell words of one command line: double-quoted words keep their spaces (quotes removed). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** The `npm run diff -- …` line in a script, as flag → value; fails on a flag diff does not accept. */
function diffOptions(script: string): Record<string, string> {
  const lines = script.split('\n').filter((l) => /^\s*(?:- )?npm run diff\b/.test(l));
  expect(lines).toHaveLength(1);
  const w = words(lines[0].replace(/\|\|.*$/, '').trim());
  expect(w.slice(0, 4)).toEqual(['npm', 'run', 'diff', '--']);
  // The diff CLI's own parser: a flag it does not take, a missing value or a bad --format or
  // --fail-on throws here as it would exit 2 in the workflow.
  expect(() => parseDiffArgs(w.slice(4))).not.toThrow();
  const options: Record<string, string> = {};
  for (let i = 4; i < w.length; i += 2) {
    expect(DIFF_FLAGS[w[i]]).toBe(true);
    options[w[i]] = w[i + 1];
  }
  return options;
}

/** A folder of fake commands that log their arguments to $LOG; the caller adds behaviour. */
function fakeBin(dir: string, commands: Record<string, string>): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const [name, body] of Object.entries(commands)) {
    fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\nprintf '%s %s\\n' ${name} "$*" >> "$LOG"\n${body}\n`, { mode: 0o755 });
  }
  return bin;
}

// Writes the report where --output says, with the marker first, and exits with $DIFF_EXIT.
const FAKE_NPM = `
if [ "$1 $2" = "run diff" ]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = --output ] && [ -z "\${NO_REPORT:-}" ]; then printf '${MARKER}\\n## Strata diff\\n' > "$2"; fi
    shift
  done
  exit "\${DIFF_EXIT:-0}"
fi`;

function bash(script: string, cwd: string, env: Record<string, string>) {
  // -e and pipefail, as GitHub's `bash -e {0}` and GitLab's runner shell run scripts.
  return spawnSync('bash', ['-eo', 'pipefail', '-c', script], {
    cwd,
    encoding: 'utf8',
    env: { PATH: `${env.BIN}:${process.env.PATH}`, HOME: cwd, ...env },
  });
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'strata-review-'));

/** The commands of the README's CI section (the list of what `.ci/run` runs). */
function readmeCiCommands(): string[] {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('\n## CI\n'));
  const list = section.slice(section.indexOf('`.ci/run` runs'), section.indexOf('\n\n', section.indexOf('\n0. ')));
  return [...list.matchAll(/`(npm [^`]+)`/g)].map((m) => m[1]);
}

describe('the README', () => {
  test("lists the CI commands the workflows are checked against (this test's premise)", () => {
    expect(readmeCiCommands()).toEqual(['npm ci', 'npm test', 'npm run lint', 'npm run synth -- --check', 'npm run import -- --check']);
  });
});

describe('the review workflow (GitHub Actions)', () => {
  const { checks, diff } = github.jobs;

  test('runs on pull requests and on pushes to main; the diff job on pull requests only', () => {
    expect(Object.keys(github.on).sort()).toEqual(['pull_request', 'push']);
    expect(github.on.push.branches).toEqual(['main']);
    expect(checks.if).toBeUndefined();
    expect(diff.if).toBe("github.event_name == 'pull_request'");
  });

  test('asks for the least permissions: read the code; only the diff job writes, to pull requests', () => {
    expect(github.permissions).toEqual({ contents: 'read' });
    expect(checks.permissions).toBeUndefined();
    expect(diff.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  });

  test("the checks job runs the README's CI commands in its order, with promtool and amtool installed first", () => {
    const steps = runs(checks);
    // import --check needs the pinned CRDs (../shared/crds), which a runner does not have.
    const expected = readmeCiCommands().filter((c) => !c.startsWith('npm run import'));
    expect(steps.filter((r) => r.startsWith('npm '))).toEqual(expected);
    const install = steps.findIndex((r) => /apt-get install .*\bprometheus\b.*\bprometheus-alertmanager\b/.test(r));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(install).toBeLessThan(steps.indexOf('npm test'));
    const options = parseArgs(words(steps.find((r) => r.startsWith('npm run synth'))!).slice(4));
    expect(options.check).toBe(true);
    expect(options.shard).toBeUndefined();
    expect(options.only ?? []).toEqual([]);
  });

  test('the tests run once per pull request: synth.yml runs none', () => {
    for (const job of Object.values<any>(synth.jobs)) expect(runs(job).filter((r) => /^npm (test|run lint)\b/.test(r))).toEqual([]);
    const testing = Object.entries<any>(github.jobs).filter(([, job]) => runs(job).includes('npm test'));
    expect(testing.map(([name]) => name)).toEqual(['checks']);
  });

  test('the diff job checks out the whole history and installs with npm ci, on the same Node as the checks', () => {
    const checkout = diff.steps.find((s: any) => String(s.uses).startsWith('actions/checkout@'));
    expect(checkout.with['fetch-depth']).toBe(0);
    expect(runs(diff)[0]).toBe('npm ci');
    for (const job of [checks, diff]) {
      expect(runs(job)[0]).toBe('npm ci');
      const node = job.steps.find((s: any) => String(s.uses).startsWith('actions/setup-node@'));
      expect(node.with).toEqual({ 'node-version': 20, cache: 'npm' });
    }
  });

  test('the diff compares with the target branch, as markdown to the file the comment and summary read, linked to the head commit', () => {
    const step = stepNamed(diff, 'npm run diff');
    const options = diffOptions(step.run);
    expect(options['--base']).toBe('origin/$BASE_REF');
    expect(step.env.BASE_REF).toBe('${{ github.base_ref }}');
    expect(options['--format']).toBe('markdown');
    expect(options['--output']).toBe('strata-diff.md');
    expect(options['--link-base']).toBe('$LINK_BASE');
    expect(step.env.LINK_BASE).toBe('${{ github.server_url }}/${{ github.repository }}/blob/${{ github.event.pull_request.head.sha }}/');
    // The default --fail-on (data-loss) decides the job.
    expect(options['--fail-on']).toBeUndefined();
    expect(stepNamed(diff, 'job summary').run).toContain('cat strata-diff.md >> "$GITHUB_STEP_SUMMARY"');
    expect(stepNamed(diff, 'review comment').with.script).toContain("report: 'strata-diff.md'");
  });

  test('no event value is pasted into a script (script injection): they arrive as variables', () => {
    for (const job of Object.values<any>(github.jobs)) {
      for (const step of job.steps) {
        expect(String(step.run ?? '')).not.toContain('${{');
        expect(String(step.with?.script ?? '')).not.toContain('${{');
      }
    }
  });

  describe('run against a fake npm', () => {
    const diffStep = stepNamed(diff, 'npm run diff');
    const failStep = stepNamed(diff, 'fail on unacknowledged risky changes');

    function runDiff(exit: number) {
      const dir = tmp();
      const env = { BIN: fakeBin(dir, { npm: FAKE_NPM }), LOG: path.join(dir, 'log'), GITHUB_OUTPUT: path.join(dir, 'out'), DIFF_EXIT: String(exit) };
      const result = bash(diffStep.run, dir, { ...env, BASE_REF: 'main', LINK_BASE: 'https://github.com/o/r/blob/abc/' });
      return { dir, result, output: fs.readFileSync(env.GITHUB_OUTPUT, 'utf8'), log: fs.readFileSync(env.LOG, 'utf8') };
    }

    test.each([0, 1, 3])('the diff step keeps exit code %i for later and does not stop the job', (exit) => {
      const { dir, result, output, log } = runDiff(exit);
      expect(result.status).toBe(0);
      expect(output).toBe(`exit-code=${exit}\n`);
      expect(log).toBe('npm run diff -- --base origin/main --format markdown --output strata-diff.md --link-base https://github.com/o/r/blob/abc/\n');
      expect(fs.readFileSync(path.join(dir, 'strata-diff.md'), 'utf8').startsWith(MARKER)).toBe(true);
    });

    test('the last step fails the job on any exit code but 0, and runs only then', () => {
      expect(failStep.if).toBe("steps.diff.outputs.exit-code != '0'");
      expect(diff.steps.indexOf(failStep)).toBe(diff.steps.length - 1);
      for (const exit of ['1', '2', '3']) {
        const result = bash(failStep.run, tmp(), { BIN: '/nonexistent', DIFF_EXIT: exit });
        expect(result.status).toBe(1);
        expect(result.stdout).toContain('::error::');
      }
      expect(bash(failStep.run, tmp(), { BIN: '/nonexistent', DIFF_EXIT: '3' }).stdout).toContain('acknowledge');
    });

    test('the summary and the comment come before the failure, and run whatever the diff found', () => {
      const names = diff.steps.map((s: any) => s.name ?? s.uses ?? s.run);
      expect(names.indexOf('job summary')).toBeGreaterThan(names.indexOf('npm run diff'));
      expect(names.indexOf('review comment')).toBeGreaterThan(names.indexOf('npm run diff'));
      expect(names.indexOf('review comment')).toBeLessThan(names.indexOf('fail on unacknowledged risky changes'));
      expect(stepNamed(diff, 'job summary').if).toBeUndefined();
      expect(stepNamed(diff, 'review comment').if).toBeUndefined();
    });
  });
});

describe('the review comment (.github/scripts/strata-diff-comment.js)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const post = require(path.join(PROJECT_ROOT, '.github', 'scripts', 'strata-diff-comment.js'));
  const step = stepNamed(github.jobs.diff, 'review comment');
  const BOT = { login: 'github-actions[bot]' };

  function fakeGitHub(comments: any[], fail?: { status: number; message: string }) {
    const calls: { method: string; args: any }[] = [];
    const call = (method: string) => async (args: any) => {
      calls.push({ method, args });
      if (fail && method !== 'listComments') throw Object.assign(new Error(fail.message), { status: fail.status });
      return { data: {} };
    };
    const listComments = call('listComments');
    return {
      calls,
      github: {
        paginate: async (method: any, args: any) => {
          await method(args);
          return comments;
        },
        rest: { issues: { listComments, createComment: call('createComment'), updateComment: call('updateComment') } },
      },
    };
  }
  const context = { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 }, sha: 'f00', payload: { pull_request: { head: { sha: 'abcdef123456' } } } };
  const core = () => ({ info: jest.fn(), warning: jest.fn() });
  const report = (text: string) => {
    const file = path.join(tmp(), 'strata-diff.md');
    fs.writeFileSync(file, text);
    return file;
  };
  const args = (extra: any) => ({ context, runUrl: 'https://github.com/o/r/actions/runs/1', exitCode: '0', ...extra });

  test('the workflow step calls it, and the step can never fail the job', () => {
    expect(step.uses).toMatch(/^actions\/github-script@/);
    expect(step['continue-on-error']).toBe(true);
    expect(step.with.script).toContain("require('./.github/scripts/strata-diff-comment.js')");
    expect(post.MARKER).toBe(MARKER);
  });

  test("updates the workflow's own comment that starts with the marker, and posts no second one", async () => {
    const { github: gh, calls } = fakeGitHub([
      { id: 1, user: { login: 'alice' }, body: 'looks good' },
      { id: 2, user: BOT, body: `${MARKER}\nold report` },
    ]);
    expect(await post(args({ github: gh, core: core(), report: report(`${MARKER}\nnew report`) }))).toBe(true);
    expect(calls.map((c) => c.method)).toEqual(['listComments', 'updateComment']);
    expect(calls[1].args).toEqual({ owner: 'o', repo: 'r', comment_id: 2, body: `${MARKER}\nnew report` });
  });

  test("posts a new comment when there is none, and never edits someone else's comment that quotes the marker", async () => {
    const { github: gh, calls } = fakeGitHub([
      { id: 3, user: { login: 'alice' }, body: `${MARKER}\nquoted` },
      { id: 4, user: BOT, body: 'another bot message' },
    ]);
    await post(args({ github: gh, core: core(), report: report('## Strata diff\n') }));
    expect(calls.map((c) => c.method)).toEqual(['listComments', 'createComment']);
    // A report without the marker gets it, so the next run finds the comment.
    expect(calls[1].args).toEqual({ owner: 'o', repo: 'r', issue_number: 7, body: `${MARKER}\n## Strata diff\n` });
  });

  test('a missing report (the diff failed) replaces the old report with the exit code and a link to the run', async () => {
    const { github: gh, calls } = fakeGitHub([{ id: 2, user: BOT, body: `${MARKER}\nold report` }]);
    await post(args({ github: gh, core: core(), report: path.join(tmp(), 'missing.md'), exitCode: '1' }));
    const body: string = calls[1].args.body;
    expect(calls[1].method).toBe('updateComment');
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body).toContain('exit code 1');
    expect(body).toContain('abcdef1');
    expect(body).toContain('https://github.com/o/r/actions/runs/1');
  });

  test("a fork's read-only token: a warning, no exception", async () => {
    const { github: gh } = fakeGitHub([], { status: 403, message: 'Resource not accessible by integration' });
    const log = core();
    expect(await post(args({ github: gh, core: log, report: report(`${MARKER}\nx`) }))).toBe(false);
    expect(log.warning).toHaveBeenCalledWith(expect.stringContaining('403'));
  });

  test("a report over GitHub's comment limit is cut below it, keeping the marker", () => {
    const body: string = post.commentBody({ report: report(`${MARKER}\n${'x'.repeat(70_000)}`), runUrl: 'u' });
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith(MARKER)).toBe(true);
  });
});

describe('every action in the workflows is pinned', () => {
  const SHA = /^[0-9a-f]{40}$/;
  const SEMVER = /^v\d+\.\d+\.\d+$/;
  for (const file of ['review.yml', 'synth.yml']) {
    test(`${file}: by commit SHA, or by full version tag saying why not by SHA`, () => {
      const lines = read('.github', 'workflows', file)
        .split('\n')
        .filter((l) => /^\s*(?:- )?uses:/.test(l));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const m = /uses:\s*([\w.-]+\/[\w./-]+)@(\S+)(?:\s+#\s*(.*))?$/.exec(line.trim());
        expect(m).not.toBeNull();
        const [, , ref, comment = ''] = m!;
        if (SHA.test(ref)) {
          expect(comment).toMatch(/^v\d+\.\d+\.\d+\b/);
        } else {
          expect(ref).toMatch(SEMVER);
          expect(comment).toMatch(/SHA could not be verified/);
        }
      }
    });
  }
});

describe('the GitLab example (examples/gitlab/.gitlab-ci.yml)', () => {
  const { checks, review } = gitlab;
  const script = (job: any): string => job.script.join('\n');

  test('runs on merge requests and the default branch; the review job on merge requests only', () => {
    expect(gitlab.image).toBe('node:20');
    expect(gitlab.stages).toEqual(['test']);
    expect(checks.stage).toBe('test');
    expect(review.stage).toBe('test');
    expect(gitlab.workflow.rules.map((r: any) => r.if)).toEqual([
      '$CI_PIPELINE_SOURCE == "merge_request_event"',
      '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
    ]);
    expect(review.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(checks.rules).toBeUndefined();
  });

  test("the checks job runs the README's CI commands in its order, with promtool and amtool", () => {
    const lines: string[] = checks.script;
    const expected = readmeCiCommands().filter((c) => !c.startsWith('npm run import'));
    expect(lines.filter((l) => l.startsWith('npm '))).toEqual(expected);
    expect(lines.findIndex((l) => /apt-get install .*\bprometheus\b.*\bprometheus-alertmanager\b/.test(l))).toBe(0);
  });

  test('the review job has the whole history, fetches the target branch and diffs against it', () => {
    expect(gitlab.variables.GIT_DEPTH).toBe('0');
    const lines: string[] = review.script;
    expect(lines[0]).toBe('npm ci');
    const fetch = lines.findIndex((l) => l.startsWith('git fetch'));
    const diffLine = lines.findIndex((l) => l.startsWith('npm run diff'));
    expect(fetch).toBeGreaterThan(0);
    expect(fetch).toBeLessThan(diffLine);
    expect(lines[fetch]).toContain('refs/remotes/origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME');
    const options = diffOptions(script(review));
    expect(options['--base']).toBe('origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME');
    expect(options['--format']).toBe('markdown');
    expect(options['--output']).toBe('strata-diff.md');
    expect(options['--link-base']).toBe('$CI_PROJECT_URL/-/blob/$CI_COMMIT_SHA/');
    expect(review.artifacts).toMatchObject({ when: 'always', paths: ['strata-diff.md'] });
  });

  test('holds no credential: the token is a CI/CD variable, read only as a request header', () => {
    const text = read('examples', 'gitlab', '.gitlab-ci.yml');
    expect(Object.keys(gitlab.variables)).not.toContain('STRATA_DIFF_TOKEN');
    expect(text).not.toMatch(/glpat-|PRIVATE-TOKEN: (?!\$STRATA_DIFF_TOKEN")/);
    for (const use of text.match(/.*\$\{?STRATA_DIFF_TOKEN.*/g) ?? []) {
      expect(use).toMatch(/PRIVATE-TOKEN: \$STRATA_DIFF_TOKEN"|-z "\$\{STRATA_DIFF_TOKEN:-\}"/);
    }
    expect(text).not.toMatch(/set -x/);
  });

  describe('run against fake npm, git and GitLab API', () => {
    // GET /user → the token's user 7; notes on page 1 from $NOTES (page 2 is empty); PUT/POST recorded.
    const FAKE_CURL = `
args="$*"; url="\${@: -1}"
case "$args" in *"--request PUT"*|*"--request POST"*) cp note.json "sent-$(date +%s%N).json"; exit "\${CURL_WRITE_EXIT:-0}";; esac
case "$url" in
  */user) echo '{"id": 7, "username": "project_1_bot"}' ;;
  *"page=1&"*) cat "$NOTES" ;;
  *) echo '[]' ;;
esac`;

    function runReview(notes: any[], extra: Record<string, string> = {}) {
      const dir = tmp();
      const bin = fakeBin(dir, { npm: FAKE_NPM, git: '', curl: FAKE_CURL });
      fs.writeFileSync(path.join(dir, 'notes.json'), JSON.stringify(notes));
      const env = {
        BIN: bin,
        LOG: path.join(dir, 'log'),
        NOTES: path.join(dir, 'notes.json'),
        CI_API_V4_URL: 'https://gitlab.example/api/v4',
        CI_PROJECT_ID: '12',
        CI_MERGE_REQUEST_IID: '34',
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
        CI_PROJECT_URL: 'https://gitlab.example/g/p',
        CI_COMMIT_SHA: 'abc123',
        CI_COMMIT_SHORT_SHA: 'abc1',
        CI_JOB_URL: 'https://gitlab.example/g/p/-/jobs/5',
        STRATA_DIFF_TOKEN: 'not-a-real-token',
        ...extra,
      };
      const result = bash(script(review), dir, env);
      const log = fs.readFileSync(env.LOG, 'utf8').split('\n').filter(Boolean);
      const sent = fs
        .readdirSync(dir)
        .filter((f) => f.startsWith('sent-'))
        .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).body as string);
      return { result, log, sent, writes: log.filter((l) => /--request (PUT|POST)/.test(l)) };
    }

    test('updates its own note (found by the marker) with PUT, and fails the job on exit 3 after posting', () => {
      const { result, writes, sent, log } = runReview(
        [
          { id: 40, author: { id: 9 }, body: `${MARKER}\nquoted by a person` },
          { id: 41, author: { id: 7 }, body: `${MARKER}\nold report` },
        ],
        { DIFF_EXIT: '3' },
      );
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('unacknowledged data-loss');
      expect(log).toContain(
        'npm run diff -- --base origin/main --format markdown --output strata-diff.md --link-base https://gitlab.example/g/p/-/blob/abc123/',
      );
      expect(writes).toHaveLength(1);
      expect(writes[0]).toMatch(/--request PUT .*https:\/\/gitlab\.example\/api\/v4\/projects\/12\/merge_requests\/34\/notes\/41$/);
      expect(sent).toEqual([`${MARKER}\n## Strata diff\n`]);
    });

    test('posts a new note when it has none, and passes on exit 0', () => {
      const { result, writes } = runReview([{ id: 40, author: { id: 9 }, body: 'hello' }]);
      expect(result.status).toBe(0);
      expect(writes).toHaveLength(1);
      expect(writes[0]).toMatch(/--request POST .*\/merge_requests\/34\/notes$/);
    });

    test('a note that cannot be posted, or no token (a fork), does not fail the job; the diff still does', () => {
      expect(runReview([], { CURL_WRITE_EXIT: '22' }).result.status).toBe(0);
      const noToken = runReview([], { STRATA_DIFF_TOKEN: '', DIFF_EXIT: '3' });
      expect(noToken.writes).toEqual([]);
      expect(noToken.result.stdout).toContain('STRATA_DIFF_TOKEN is not set');
      expect(noToken.result.status).toBe(1);
    });

    test('a diff that wrote no report replaces the note with its exit code', () => {
      const { result, sent } = runReview([{ id: 41, author: { id: 7 }, body: `${MARKER}\nold` }], { DIFF_EXIT: '1', NO_REPORT: '1' });
      expect(result.status).toBe(1);
      expect(sent).toHaveLength(1);
      expect(sent[0].startsWith(MARKER)).toBe(true);
      expect(sent[0]).toContain('exit code 1');
    });
  });
});
