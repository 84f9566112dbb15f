import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { formatValue } from '../../environments/problems';
import { MAX_FILE_BYTES, readEnvironmentFile } from '../../environments/read-environment-file';
import { ENVIRONMENTS_DIR, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

function withFile(content: string | Buffer): { dir: string; rel: string } {
  const dir = tempDir('strata-read-');
  fs.writeFileSync(path.join(dir, 'f.yaml'), content);
  return { dir, rel: 'f.yaml' };
}

function problemOf(dir: string, rel: string) {
  const r = readEnvironmentFile(dir, rel);
  if (!('problem' in r)) throw new Error(`expected a problem, got ${formatValue(r.data)}`);
  expect(r.problem.file).toBe(rel);
  expect(r.problem.fix.length).toBeGreaterThan(10);
  return r.problem;
}

test('every shipped environment file parses as js-yaml\'s core schema parsed it', () => {
  const files = execFileSync('find', [ENVIRONMENTS_DIR, path.resolve(__dirname, '../fixtures/environments'), '-name', '*.yaml'], { encoding: 'utf8' }).trim().split('\n');
  expect(files.length).toBeGreaterThan(8);
  for (const file of files) {
    const r = readEnvironmentFile(path.dirname(file), path.basename(file));
    expect(r).toEqual({ data: jsyaml.load(fs.readFileSync(file, 'utf8'), { schema: jsyaml.CORE_SCHEMA }) });
  }
});

test('an alias bomb stops at the alias budget', () => {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) levels.push(`${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(10).fill(`*${'abcdefghij'[i - 1]}`).join(',')}]`);
  const { dir, rel } = withFile(`${levels.join('\n')}\n`);
  expect(problemOf(dir, rel).message).toMatch(/^expands too far: /);
});

test('a few aliases that expand to a huge value are refused', () => {
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 5; i++) levels.push(`${'abcde'[i]}: &${'abcde'[i]} [${Array(20).fill(`*${'abcde'[i - 1]}`).join(', ')}]`);
  const { dir, rel } = withFile(`${levels.join('\n')}\n`);
  expect(problemOf(dir, rel).message).toMatch(/expands too far|expands to more than 100000 values/);
});

test('a self-referencing alias is refused', () => {
  const { dir, rel } = withFile('a: &x\n  b: *x\n');
  const p = problemOf(dir, rel);
  expect(p.message).toMatch(/refers to itself|not valid YAML|expands too far/);
});

test('a duplicate key names the line', () => {
  const { dir, rel } = withFile('postgres:\n  instances: 3\npostgres:\n  instances: 1\n');
  expect(problemOf(dir, rel).message).toMatch(/^is not valid YAML: a key appears twice in one mapping at line 3, column 1$/);
});

test('a FIFO is refused without being opened', () => {
  const dir = tempDir('strata-read-');
  execFileSync('mkfifo', [path.join(dir, 'f.yaml')]);
  expect(problemOf(dir, 'f.yaml').message).toBe('is a named pipe (FIFO), not a regular file');
});

test('a symbolic link out of the environments folder is refused; one inside is read', () => {
  const outside = withFile('a: 1\n');
  const dir = tempDir('strata-read-');
  fs.symlinkSync(path.join(outside.dir, outside.rel), path.join(dir, 'out.yaml'));
  expect(problemOf(dir, 'out.yaml').message).toMatch(/^is a symbolic link to .*, outside the environments folder$/);
  fs.writeFileSync(path.join(dir, 'real.yaml'), 'b: 2\n');
  fs.symlinkSync(path.join(dir, 'real.yaml'), path.join(dir, 'in.yaml'));
  expect(readEnvironmentFile(dir, 'in.yaml')).toEqual({ data: { b: 2 } });
});

test('invalid UTF-8, a BOM, a NUL byte and an oversized file are refused with where', () => {
  const bad = withFile(Buffer.concat([Buffer.from('name: caf'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
  expect(problemOf(bad.dir, bad.rel).message).toBe('is not valid UTF-8 (first bad byte at offset 9)');
  const bom = withFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a: 1\n')]));
  expect(problemOf(bom.dir, bom.rel).message).toBe('starts with a byte-order mark');
  const nul = withFile(Buffer.from('a: 1\0\n'));
  expect(problemOf(nul.dir, nul.rel).message).toBe('holds a NUL byte at byte offset 4');
  const big = withFile(`a: "${'x'.repeat(MAX_FILE_BYTES)}"\n`);
  expect(problemOf(big.dir, big.rel).message).toMatch(/^is \d+ bytes; environment files are at most 1048576 bytes$/);
});

test('several YAML documents in one file are refused', () => {
  const { dir, rel } = withFile('a: 1\n---\nb: 2\n');
  expect(problemOf(dir, rel).message).toBe('holds 2 YAML documents');
});

test('formatValue is bounded and cycle-safe', () => {
  const cyclic: any = { a: [1, 2] };
  cyclic.self = cyclic;
  expect(formatValue(cyclic)).toBe('{"a":[1,2],"self":"(cycle)"}');
  const huge = Array(1e6).fill('xxxxxxxxxx');
  const text = formatValue(huge);
  expect(text.length).toBeLessThanOrEqual(80);
  expect(text.endsWith('...')).toBe(true);
  expect(formatValue({ servers: 4, volumesPerServer: 1 })).toBe(JSON.stringify({ servers: 4, volumesPerServer: 1 }));
});
