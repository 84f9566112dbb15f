import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { YAML_LIMITS } from '../../environments/environment-yaml';
import { formatValue, Problem } from '../../environments/problems';
import { EmptyFile, MAX_FILE_BYTES, readEnvironmentFile } from '../../environments/read-environment-file';
import { ENVIRONMENTS_DIR, filesUnder, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const EMPTY: EmptyFile = { message: 'is empty (test)', fix: 'write `{}` (test)' };

function read(dir: string, rel: string) {
  const problems: Problem[] = [];
  const file = readEnvironmentFile(dir, rel, problems, EMPTY);
  return { file, problems };
}

function withFile(content: string | Buffer): { dir: string; rel: string } {
  const dir = tempDir('strata-read-');
  fs.writeFileSync(path.join(dir, 'f.yaml'), content);
  return { dir, rel: 'f.yaml' };
}

/** The one problem reading `content` gives, which names the file and has a fix. */
function problemOf(content: string | Buffer): Problem {
  const { dir, rel } = withFile(content);
  return problemAt(dir, rel);
}

function problemAt(dir: string, rel: string): Problem {
  const { file, problems } = read(dir, rel);
  expect(file).toBeUndefined();
  expect(problems).toHaveLength(1);
  expect(problems[0].file).toBe(rel);
  expect(problems[0].fix.length).toBeGreaterThan(10);
  return problems[0];
}

describe('YAML 1.2 core schema, as js-yaml CORE_SCHEMA read it', () => {
  test('every shipped and fixture environment file parses to the same data', () => {
    const roots = [ENVIRONMENTS_DIR, path.resolve(__dirname, '../fixtures/environments')];
    const files = roots.flatMap((root) =>
      filesUnder(root)
        .filter((f) => f.endsWith('.yaml'))
        .map((rel) => ({ root, rel })),
    );
    expect(files.length).toBeGreaterThan(8);
    for (const { root, rel } of files) {
      const { file, problems } = read(root, rel);
      expect(problems).toEqual([]);
      expect(file!.data).toStrictEqual(jsyaml.load(fs.readFileSync(path.join(root, rel), 'utf8'), { schema: jsyaml.CORE_SCHEMA }));
    }
  });

  test('scalars resolve as in js-yaml CORE_SCHEMA', () => {
    const text = 'a: [yes, no, on, 0o17, 0x1F, 017, 1e3, .inf, ~, null, "", 2020-01-01, !!str 12, True]\n"quoted <<": 1\n';
    const { dir, rel } = withFile(text);
    expect(read(dir, rel).file!.data).toStrictEqual(jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }));
  });

  test('`{}` is an empty mapping; an empty or comment-only file is reported as the caller says', () => {
    const braces = withFile('# an overlay of defaults\n{}\n');
    expect(read(braces.dir, braces.rel)).toEqual({ file: { rel: 'f.yaml', data: {} }, problems: [] });
    for (const empty of ['', '# emptied by mistake\n\n', '---\n']) expect(problemOf(empty)).toEqual({ file: 'f.yaml', path: '', ...EMPTY });
  });

  test('a top level that is not a mapping is refused with the value', () => {
    expect(problemOf('- a\n- b\n')).toMatchObject({ path: '', value: ['a', 'b'], message: 'must be a YAML mapping' });
  });

  test('a syntax error names the line and column', () => {
    expect(problemOf('velero: [unclosed\n').message).toMatch(/^is not valid YAML: .* at line 2, column 1$/);
  });
});

describe('aliases', () => {
  test('an alias bomb (billion laughs) in a small file is refused fast', () => {
    const names = 'abcdefghi';
    const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < names.length; i++) {
      lines.push(
        `${names[i]}: &${names[i]} [${Array(10)
          .fill(`*${names[i - 1]}`)
          .join(', ')}]`,
      );
    }
    const text = `${lines.join('\n')}\n`;
    expect(text.length).toBeLessThan(700);
    const started = Date.now();
    const p = problemOf(text);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(p.message).toMatch(
      new RegExp(`^expands more than ${YAML_LIMITS.aliases} aliases \\(the last one \\*\\w at line \\d\\), which multiplies the file's size$`),
    );
    expect(p.fix).toMatch(/write the values out/);
  });

  test('one alias of a large list is refused past the value budget, named as expansion', () => {
    const p = problemOf(`a: &a [${Array(60_000).fill('x').join(', ')}]\nb: *a\n`);
    expect(p).toMatchObject({
      path: expect.stringMatching(/^b\.\d+$/),
      message: `holds more than ${YAML_LIMITS.nodes} values once its aliases are expanded`,
    });
  });

  test('one alias of a long string is refused past the character budget', () => {
    const p = problemOf(`a: &a "${'x'.repeat(600_000)}"\nb: *a\n`);
    expect(p).toMatchObject({ path: 'b', message: `holds more than ${YAML_LIMITS.characters} characters of text once its aliases are expanded` });
  });

  test('a few aliases are expanded into copies', () => {
    const { dir, rel } = withFile('base: &base { cpu: "1", memory: 2Gi }\npostgres: { limits: *base, requests: *base }\n');
    const data = read(dir, rel).file!.data;
    expect(data.postgres).toEqual({ limits: { cpu: '1', memory: '2Gi' }, requests: { cpu: '1', memory: '2Gi' } });
    // Copies, not shared objects: a later change to one cannot leak into the other.
    expect(data.postgres.limits).not.toBe(data.postgres.requests);
  });

  test.each([
    ['a mapping', 'a: &x\n  b: *x\n', 'a.b', 2],
    ['a list', 'a: &x [1, *x]\n', 'a.1', 1],
  ])('an alias inside %s it names is refused, not left circular', (_what, text, at, line) => {
    expect(problemOf(text)).toMatchObject({
      path: at,
      message: `alias *x at line ${line} refers to itself: it is inside the list or mapping &x names, so it would repeat forever`,
      fix: 'replace the alias with the values it should repeat',
    });
  });

  test('an alias without an anchor is refused', () => {
    expect(problemOf('a: *nope\n')).toMatchObject({ path: 'a', message: 'alias *nope at line 1 has no anchor &nope before it' });
  });

  test('merge keys (<<) are refused; a quoted "<<" is an ordinary key', () => {
    expect(problemOf('base: &b { a: 1 }\npostgres:\n  <<: *b\n')).toMatchObject({
      path: 'postgres.<<',
      message: expect.stringMatching(/^uses a YAML merge key \(<<\) at line 3/),
    });
    const quoted = withFile('"<<": 1\n');
    expect(read(quoted.dir, quoted.rel).file!.data).toEqual({ '<<': 1 });
  });
});

describe('keys, documents and tags', () => {
  test('a duplicate key names the key and both lines', () => {
    expect(problemOf('postgres:\n  instances: 3\npostgres:\n  instances: 1\n')).toMatchObject({
      path: 'postgres',
      message: 'duplicate key "postgres" at lines 1 and 3',
    });
    expect(problemOf('minio:\n  servers: 4\n  volumeSize: 10Gi\n  servers: 1\n')).toMatchObject({
      path: 'minio.servers',
      message: 'duplicate key "servers" at lines 2 and 4',
    });
  });

  test('keys that are equal once read as text are duplicates (as js-yaml found)', () => {
    expect(problemOf('1: a\n"1": b\n')).toMatchObject({ message: 'duplicate key "1" at lines 1 and 2' });
  });

  test('a mapping with many keys is checked for duplicates in one pass', () => {
    // The yaml parser's own uniqueKeys compares each key with every earlier one: minutes here.
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${i}: ${i}`);
    const started = Date.now();
    expect(problemOf(`${keys.join('\n')}\nk7: again\n`)).toMatchObject({ path: 'k7', message: 'duplicate key "k7" at lines 8 and 40001' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a __proto__ key and a collection as a key are refused', () => {
    expect(problemOf('postgres:\n  __proto__: { instances: 9 }\n')).toMatchObject({
      path: 'postgres',
      message: 'has a key named __proto__ at line 2',
    });
    expect(problemOf('? [a, b]\n: c\n').message).toBe('has a list or mapping as a key at line 1');
  });

  test('several documents are refused, naming where the second starts', () => {
    expect(problemOf('a: 1\n---\nb: 2\n').message).toBe(
      'holds 2 YAML documents (the second starts at line 2, column 1); an environment file is one document',
    );
  });

  test('tags outside the YAML 1.2 core schema are refused', () => {
    expect(problemOf('a: !!binary aGVsbG8=\n')).toMatchObject({ path: 'a', message: 'uses the tag "!!binary" at line 1' });
    expect(problemOf('a: !!set { x }\n')).toMatchObject({ path: 'a', message: 'uses the tag "!!set" at line 1' });
    expect(problemOf('a: !custom x\n').message).toMatch(/^is not valid YAML: Unresolved tag: !custom at line 1, column 4$/);
  });

  test('deep nesting is refused, not a stack overflow', () => {
    expect(problemOf(`a: ${'['.repeat(150)}${']'.repeat(150)}\n`).message).toBe(`nests deeper than ${YAML_LIMITS.depth} levels`);
    expect(problemOf(`${'['.repeat(100_000)}${']'.repeat(100_000)}\n`).message).toMatch(/^nests too deeply|^nests deeper than/);
  });
});

describe('only regular files inside the environments folder are opened', () => {
  test('a FIFO is refused without being opened (opening it would block forever)', () => {
    const dir = tempDir('strata-read-');
    execFileSync('mkfifo', [path.join(dir, 'f.yaml')]);
    expect(problemAt(dir, 'f.yaml')).toMatchObject({
      message: 'is a named pipe (FIFO), not a regular file',
      fix: expect.stringMatching(/regular file/),
    });
  });

  test('a symbolic link to a FIFO is refused the same way', () => {
    const dir = tempDir('strata-read-');
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    fs.symlinkSync('pipe', path.join(dir, 'f.yaml'));
    expect(problemAt(dir, 'f.yaml').message).toBe('is a named pipe (FIFO), not a regular file');
  });

  test('a device is refused', () => {
    expect(problemAt('/dev', 'null').message).toBe('is a device, not a regular file');
  });

  test('a symbolic link out of the environments folder is refused; one inside is read', () => {
    const outside = withFile('a: 1\n');
    const dir = tempDir('strata-read-');
    fs.symlinkSync(path.join(outside.dir, outside.rel), path.join(dir, 'out.yaml'));
    expect(problemAt(dir, 'out.yaml')).toMatchObject({
      message: `is a symbolic link to ${path.join(outside.dir, outside.rel)}, outside the environments folder`,
      fix: 'copy the file into the environments folder instead of linking to it',
    });
    fs.mkdirSync(path.join(dir, 'shared'));
    fs.writeFileSync(path.join(dir, 'shared/real.yaml'), 'b: 2\n');
    fs.symlinkSync('shared/real.yaml', path.join(dir, 'in.yaml'));
    expect(read(dir, 'in.yaml')).toEqual({ file: { rel: 'in.yaml', data: { b: 2 } }, problems: [] });
  });

  test('a file reached through a linked folder outside is refused', () => {
    const outside = withFile('a: 1\n');
    const dir = tempDir('strata-read-');
    fs.symlinkSync(outside.dir, path.join(dir, 'overlays'));
    expect(problemAt(dir, 'overlays/f.yaml').message).toBe('is reached through a symbolic link, outside the environments folder');
  });

  test('a dangling or looping link is refused', () => {
    const dir = tempDir('strata-read-');
    fs.symlinkSync('missing.yaml', path.join(dir, 'dangling.yaml'));
    fs.symlinkSync('loop.yaml', path.join(dir, 'loop.yaml'));
    expect(problemAt(dir, 'dangling.yaml').message).toBe('is a symbolic link that points nowhere (or at itself)');
    expect(problemAt(dir, 'loop.yaml').message).toBe('is a symbolic link that points nowhere (or at itself)');
  });

  test('a file over 1 MiB is refused before it is parsed', () => {
    const p = problemOf(`a: "${'x'.repeat(MAX_FILE_BYTES)}"\n`);
    expect(p.message).toBe('is larger than 1048576 bytes (1 MiB), the limit for environment files');
    const atLimit = withFile(`a: "${'x'.repeat(MAX_FILE_BYTES - 10)}"\n`);
    expect(read(atLimit.dir, atLimit.rel).problems).toEqual([]);
  });
});

describe('encoding', () => {
  test('invalid UTF-8 is refused with the byte offset and line', () => {
    const latin1 = Buffer.concat([Buffer.from('a: 1\nname: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    expect(problemOf(latin1)).toMatchObject({
      message: 'is not valid UTF-8: byte 0xE9 at byte offset 14 (line 2)',
      fix: 'save the file as UTF-8 without a byte-order mark (it may be Latin-1 or Windows-1252)',
    });
    // Overlong forms and encoded surrogates are invalid too (as TextDecoder decides).
    expect(problemOf(Buffer.from([0x61, 0x3a, 0x20, 0xc0, 0xaf, 0x0a])).message).toBe('is not valid UTF-8: byte 0xC0 at byte offset 3 (line 1)');
    expect(problemOf(Buffer.from([0x61, 0x3a, 0x20, 0xed, 0xa0, 0x80, 0x0a])).message).toBe(
      'is not valid UTF-8: byte 0xED at byte offset 3 (line 1)',
    );
    // A sequence cut off by the end of the file.
    expect(problemOf(Buffer.from([0x61, 0x3a, 0x20, 0xe2, 0x82])).message).toBe('is not valid UTF-8: byte 0xE2 at byte offset 3 (line 1)');
  });

  test('multi-byte UTF-8 is read', () => {
    const { dir, rel } = withFile('name: "café 👩‍👩‍👧"\n');
    expect(read(dir, rel).file!.data).toEqual({ name: 'café 👩‍👩‍👧' });
  });

  test('a byte-order mark is refused', () => {
    expect(problemOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a: 1\n')]))).toMatchObject({
      message: 'starts with a byte-order mark',
      fix: 'save the file as UTF-8 without a byte-order mark',
    });
    expect(problemOf(Buffer.from('\ufeffa: 1\n', 'utf16le')).message).toBe('starts with a UTF-16 byte-order mark');
  });

  test('a NUL byte is refused with its offset', () => {
    expect(problemOf(Buffer.from('a: 1\nb: x\0y\n')).message).toBe('contains a NUL byte at byte offset 9 (line 2)');
  });
});

describe('formatValue', () => {
  test('is JSON for short values', () => {
    expect(formatValue({ servers: 4, volumesPerServer: 1 })).toBe(JSON.stringify({ servers: 4, volumesPerServer: 1 }));
    expect(formatValue('10 GB')).toBe('"10 GB"');
  });

  test('is cycle-safe', () => {
    const cyclic: any = { a: [1, 2] };
    cyclic.self = cyclic;
    expect(formatValue(cyclic)).toBe('{"a":[1,2],"self":"(cycle)"}');
  });

  test('is bounded: a huge value or string is cut at 80 characters, quickly', () => {
    const started = Date.now();
    const huge = Array(1e6).fill('xxxxxxxxxx');
    const text = formatValue(huge);
    expect(text).toHaveLength(80);
    expect(text).toBe(`${JSON.stringify(huge).slice(0, 77)}...`);
    expect(formatValue('y'.repeat(50_000_000))).toBe(`"${'y'.repeat(76)}...`);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
