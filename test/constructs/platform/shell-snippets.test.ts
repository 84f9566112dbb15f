/**
 * The shell functions of constructs/platform/shell-snippets.ts, parsed and run by /bin/sh
 * (dash here: POSIX, no bash extensions, as in the Jobs' images). The only value spliced
 * into the text is a variable name, checked; runtime values reach the functions as
 * arguments, files and environment, so hostile values stay data.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { shellRetry } from '../../../constructs/platform/shell-snippets';
import { removeTempDirs, tempDir } from '../../support/temp';

afterAll(removeTempDirs);

const shell = spawnSync('/bin/sh', ['-c', 'exit 0']).status === 0;

describe('shellRetry', () => {
  test.each(['BODY', 'OUT', 'MC_OUTPUT'])('accepts the variable name %s', (name) => {
    expect(shellRetry(name)).toContain(`cat "$${name}" >&2`);
  });

  test.each(['', 'body', 'B ODY', 'BODY;', 'BODY\n', '\nBODY', '$(touch pwned)', '`id`', 'OUT"', "OUT'", 'OUT}', '{OUT', 'OUT\\', '$OUT'])(
    'refuses %j, which is not a plain shell variable name',
    (name) => {
      expect(() => shellRetry(name)).toThrow(`shellRetry: "${name}" is not a shell variable name`);
    },
  );

  (shell ? describe : describe.skip)('in a POSIX shell', () => {
    test('parses (sh -n)', () => {
      const result = spawnSync('/bin/sh', ['-n'], { input: shellRetry('BODY'), encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    /**
     * Runs `retry "$@"` after the snippet and `functions`, with only cat and sleep on the
     * PATH (the mc image is UBI micro) and `$OUT` naming a file in a fresh working folder.
     */
    function retry(args: string[], options: { env?: Record<string, string>; output?: string; functions?: string } = {}) {
      const dir = tempDir('strata-retry-');
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      for (const tool of ['cat', 'sleep']) {
        const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
        fs.symlinkSync(found, path.join(bin, tool));
      }
      // A file name with a space: every expansion of $OUT has to be quoted.
      const outFile = path.join(dir, 'last output');
      if (options.output !== undefined) fs.writeFileSync(outFile, options.output);
      const script = `${shellRetry('OUT')}\n${options.functions ?? ''}\nretry "$@"\necho done`;
      const result = spawnSync('/bin/sh', ['-c', script, 'sh', ...args], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: bin, ATTEMPTS: '3', INTERVAL: '0', OUT: outFile, ...options.env },
      });
      const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
      return { ...result, read, pwned: fs.readdirSync(dir).filter((f) => f.startsWith('pwned')) };
    }

    test('a command that succeeds at once runs once and the script goes on', () => {
      const result = retry(['the tenant', 'once'], { functions: 'once() { echo ran >> count; }' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toBe('done\n');
      expect(result.read('count')).toBe('ran\n');
    });

    test('a command that succeeds on its last attempt is waited for, one line per wait, INTERVAL apart', () => {
      const third = 'third() { n=$(cat tries 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > tries; [ "$n" -ge 3 ]; }';
      const result = retry(['the tenant', 'third'], { functions: third });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toBe('waiting: the tenant (attempt 1 of 3)\nwaiting: the tenant (attempt 2 of 3)\ndone\n');
      expect(result.read('tries')).toBe('3\n');
      const started = Date.now();
      expect(retry(['the tenant', 'third'], { functions: third, env: { INTERVAL: '1' } }).status).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    });

    test('gives up after ATTEMPTS: exits 1, names what it waited for and prints the last output to stderr', () => {
      const what = 'MinIO at https://minio.storage.svc';
      const result = retry([what, 'false'], { output: 'HTTP 503 from the tenant\n' });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe(`waiting: ${what} (attempt 1 of 3)\nwaiting: ${what} (attempt 2 of 3)\n`);
      expect(result.stderr).toBe(`gave up: ${what}\nHTTP 503 from the tenant\n`);
    });

    test('gives up cleanly when there is no output file yet', () => {
      const result = retry(['the tenant', 'false'], { env: { ATTEMPTS: '1' } });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe('gave up: the tenant\n');
    });

    test('each argument reaches the command as one word, unexpanded', () => {
      const result = retry(['the tenant', 'words', 'a b', '', '*', '-n', '$OUT'], { functions: 'words() { printf \'[%s]\' "$@" > words; }' });
      expect(result.status).toBe(0);
      expect(result.read('words')).toBe('[a b][][*][-n][$OUT]');
    });

    test('a hostile description, arguments and output are printed, never executed', () => {
      // Each payload, if run, writes a file with builtins only (PATH holds no touch).
      const hostile = 'it\'s "$(echo > pwned-description)" `echo > pwned-backtick` ${IFS} $OUT *\nsecond line; echo > pwned-semicolon';
      const output = '$(echo > pwned-output) `echo > pwned-output-backtick`\n';
      const result = retry([hostile, 'cat', '$(echo > pwned-argument)'], { env: { ATTEMPTS: '2' }, output });
      expect(result.pwned).toEqual([]);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe(`waiting: ${hostile} (attempt 1 of 2)\n`);
      expect(result.stderr).toContain(`gave up: ${hostile}\n${output}`);
      // cat was given the argument as one literal file name.
      expect(result.stderr).toContain('$(echo > pwned-argument)');
    });
  });
});
