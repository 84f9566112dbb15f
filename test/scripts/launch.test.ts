/**
 * scripts/launch.js in a project of its own: a temporary folder with a copy of the launcher,
 * a main.ts and this checkout's node_modules (for esbuild).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../environments/project-root';
import { removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

function project(files: Record<string, string>): string {
  const root = tempDir('strata-launch-');
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(path.join(PROJECT_ROOT, 'scripts', 'launch.js'), path.join(root, 'scripts', 'launch.js'));
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const launch = (root: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'launch.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** Changes a file and makes sure its size or time differs from the build stamp's. */
function edit(root: string, rel: string, text: string): void {
  const file = path.join(root, rel);
  fs.writeFileSync(file, text);
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(file, later, later);
}

const MAIN = `import { greeting } from './constructs/greeting';
const args: readonly string[] = process.argv.slice(2);
console.log(greeting(args.join(',')), require.main === module ? 'main' : 'not main');
process.exitCode = args.includes('fail') ? 3 : 0;
`;

describe('launch.js', () => {
  test('runs a TypeScript entry as the main module with its arguments and exit code', () => {
    const root = project({ 'main.ts': MAIN, 'constructs/greeting.ts': 'export const greeting = (s: string): string => `hello ${s}`;\n' });
    expect(launch(root, 'main.ts', 'a', 'b')).toMatchObject({ code: 0, stdout: 'hello a,b main\n' });
    expect(launch(root, 'main.ts', 'fail').code).toBe(3);
    expect(fs.existsSync(path.join(root, '.strata-build', 'constructs', 'greeting.js'))).toBe(true);
    expect(fs.existsSync(path.join(root, '.strata-build', 'code-cache.bin'))).toBe(true);
  });

  test('the code cache keeps the entries of modules a run did not load, and a cache cut short after its index is compiled around', () => {
    const root = project({
      'main.ts': `if (process.argv.includes('both')) require('./constructs/extra');\n${MAIN}`,
      'constructs/greeting.ts': 'export const greeting = (s: string): string => `hello ${s}`;\n',
      'constructs/extra.ts': 'export const extra = 1;\n',
    });
    const cache = path.join(root, '.strata-build', 'code-cache.bin');
    const names = () => {
      const blob = fs.readFileSync(cache);
      return (JSON.parse(blob.subarray(4, 4 + blob.readUInt32LE(0)).toString('utf8')) as [string][]).map(([n]) => path.basename(n));
    };
    launch(root, 'main.ts', 'both');
    expect(names()).toEqual(expect.arrayContaining(['main.js', 'greeting.js', 'extra.js']));
    // A run that loads less and compiles something new keeps what it did not load.
    edit(root, 'constructs/greeting.ts', 'export const greeting = (s: string): string => `hi ${s}`;\n');
    expect(launch(root, 'main.ts', 'x')).toMatchObject({ code: 0, stdout: 'hi x main\n' });
    expect(names()).toEqual(expect.arrayContaining(['main.js', 'greeting.js', 'extra.js']));
    // Entries whose data is gone are compiled from source, and the run goes on.
    const blob = fs.readFileSync(cache);
    fs.writeFileSync(cache, blob.subarray(0, 4 + blob.readUInt32LE(0) + 10));
    expect(launch(root, 'main.ts', 'both', 'y')).toMatchObject({ code: 0, stdout: 'hi both,y main\n' });
  });

  test('a changed source is transpiled again before the run, a removed one is removed from the build', () => {
    const root = project({
      'main.ts': MAIN,
      'constructs/greeting.ts': 'export const greeting = (s: string): string => `hello ${s}`;\n',
      'constructs/old.ts': 'export {};\n',
    });
    launch(root, 'main.ts', 'x');
    edit(root, 'constructs/greeting.ts', 'export const greeting = (s: string): string => `bonjour ${s}`;\n');
    fs.rmSync(path.join(root, 'constructs', 'old.ts'));
    expect(launch(root, 'main.ts', 'x').stdout).toBe('bonjour x main\n');
    expect(fs.existsSync(path.join(root, '.strata-build', 'constructs', 'old.js'))).toBe(false);
  });

  test('a syntax error names the file and line and exits 1; type errors are left to tsc', () => {
    const root = project({
      'main.ts': MAIN,
      'constructs/greeting.ts': 'export const greeting = (s: string) => `hi ${s}`;\nexport const broken = (;\n',
    });
    const r = launch(root, 'main.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^constructs\/greeting\.ts:2:\d+: /);
    expect(r.stderr).not.toMatch(/at .*launch\.js/);
    const typed = project({ 'main.ts': MAIN, 'constructs/greeting.ts': 'export const greeting = (s: number): string => `hi ${s}`;\n' });
    expect(launch(typed, 'main.ts', 'y')).toMatchObject({ code: 0, stdout: 'hi y main\n' });
  });

  test('an entry that is not a source of the project, or no entry, is a usage error', () => {
    const root = project({ 'main.ts': MAIN, 'constructs/greeting.ts': 'export const greeting = (s: string): string => s;\n' });
    expect(launch(root, 'nothing.ts').code).toBe(2);
    expect(launch(root).code).toBe(2);
  });
});
