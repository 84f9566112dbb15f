/**
 * StatIndex (gitops/stat-index.ts): a file recorded as holding some content is known to while
 * its size, modification time and inode stay; any write, a recent file or another content is
 * read again. And diffTree and the imports check use it, reading only what they do not know.
 */
import * as path from 'path';
import { checkImports, sha256 } from '../../gitops/imports-check';
import { StatIndex } from '../../gitops/stat-index';
import { diffTree, WHOLE_TREE } from '../../gitops/tree';
import { removeTempDirs, tempDir } from '../support/temp';

// CommonJS `fs` itself, so jest.spyOn reaches the calls the modules make.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('fs') = require('fs');

afterEach(() => jest.restoreAllMocks());
afterAll(removeTempDirs);

const HOUR_AGO = () => new Date(Date.now() - 3600_000);

/** A file written and dated an hour ago: old enough to be recorded. */
function oldFile(dir: string, name: string, content: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  fs.utimesSync(file, HOUR_AGO(), HOUR_AGO());
  return file;
}

describe('StatIndex', () => {
  test('a recorded file is known while it is untouched, and across a save and a load', () => {
    const dir = tempDir('strata-stat-');
    const file = oldFile(dir, 'a.yaml', 'kind: A\n');
    const index = new StatIndex(path.join(dir, 'index.json'));
    const digest = StatIndex.digest('kind: A\n');
    expect(index.holds(file, digest)).toBe(false);
    index.record(file, digest);
    expect(index.holds(file, digest)).toBe(true);
    // Another content is another digest.
    expect(index.holds(file, StatIndex.digest('kind: B\n'))).toBe(false);
    index.save();
    expect(new StatIndex(path.join(dir, 'index.json')).holds(file, digest)).toBe(true);
  });

  test('a write to the file, even of the same size, makes it unknown; so does its removal', () => {
    const dir = tempDir('strata-stat-');
    const file = oldFile(dir, 'a.yaml', 'kind: A\n');
    const index = new StatIndex(path.join(dir, 'index.json'));
    const digest = StatIndex.digest('kind: A\n');
    index.record(file, digest);
    fs.writeFileSync(file, 'kind: B\n');
    expect(index.holds(file, digest)).toBe(false);
    fs.rmSync(file);
    expect(index.holds(file, digest)).toBe(false);
  });

  test('a file modified within two seconds of the recording is not recorded (it could change in the same tick)', () => {
    const dir = tempDir('strata-stat-');
    const file = path.join(dir, 'fresh.yaml');
    fs.writeFileSync(file, 'kind: A\n');
    const index = new StatIndex(path.join(dir, 'index.json'));
    const digest = StatIndex.digest('kind: A\n');
    index.record(file, digest);
    expect(index.holds(file, digest)).toBe(false);
    // Once it is older, it is.
    index.record(file, digest, Date.now() + 5000);
    expect(index.holds(file, digest)).toBe(true);
  });

  test('prune forgets the files of a folder that are no longer kept; an unreadable index is an empty one', () => {
    const dir = tempDir('strata-stat-');
    const a = oldFile(dir, 'tree/a.yaml', 'a');
    const b = oldFile(dir, 'tree/b.yaml', 'b');
    const index = new StatIndex(path.join(dir, 'index.json'));
    index.record(a, StatIndex.digest('a'));
    index.record(b, StatIndex.digest('b'));
    index.prune(path.join(dir, 'tree'), new Set([a]));
    expect(index.holds(a, StatIndex.digest('a'))).toBe(true);
    expect(index.holds(b, StatIndex.digest('b'))).toBe(false);
    fs.writeFileSync(path.join(dir, 'broken.json'), '{not json');
    expect(new StatIndex(path.join(dir, 'broken.json')).holds(a, StatIndex.digest('a'))).toBe(false);
  });

  test('no index from sources (the tests), or with STRATA_STAT_INDEX=off', () => {
    expect(StatIndex.open('tree')).toBeUndefined();
  });
});

describe('diffTree with an index', () => {
  const TREE = { 'region-a/prod/data/a.yaml': 'kind: A\n', 'region-a/prod/data/b.yaml': 'kind: B\n' };

  test('reads only the files it does not know, and finds a changed one', () => {
    const dir = tempDir('strata-stat-');
    const out = path.join(dir, 'dist');
    for (const [rel, content] of Object.entries(TREE)) oldFile(out, rel, content);
    const index = new StatIndex(path.join(dir, 'index.json'));
    const planned = new Map(Object.entries(TREE));
    expect(diffTree(out, planned, WHOLE_TREE, index).unchanged).toEqual(Object.keys(TREE));

    const reads = jest.spyOn(fs, 'readFileSync');
    const again = diffTree(out, planned, WHOLE_TREE, index);
    expect(again.unchanged).toEqual(Object.keys(TREE));
    expect(reads.mock.calls.map(([f]) => String(f)).filter((f) => f.endsWith('a.yaml') || f.endsWith('b.yaml'))).toEqual([]);
    reads.mockRestore();

    // A hand edit is a write: the file is read and found to differ.
    fs.writeFileSync(path.join(out, 'region-a/prod/data/b.yaml'), 'kind: X\n');
    expect(diffTree(out, planned, WHOLE_TREE, index).written).toEqual(['region-a/prod/data/b.yaml']);
    // A planned change is found whatever the index knows of the file.
    const changed = new Map([...planned, ['region-a/prod/data/a.yaml', 'kind: A2\n']]);
    expect(diffTree(out, changed, WHOLE_TREE, index).written).toEqual(['region-a/prod/data/a.yaml', 'region-a/prod/data/b.yaml']);
  });
});

describe('checkImports with an index', () => {
  test('a known file is not hashed again; an edited one is reported', () => {
    const dir = tempDir('strata-stat-');
    const imports = path.join(dir, 'imports');
    const file = oldFile(imports, 'k8s.ts', 'export const x = 1;\n');
    const real = JSON.parse(fs.readFileSync(path.join(__dirname, '../../imports/manifest.json'), 'utf8'));
    fs.writeFileSync(path.join(imports, 'manifest.json'), JSON.stringify({ pins: real.pins, files: { 'k8s.ts': sha256(fs.readFileSync(file)) } }));
    const index = new StatIndex(path.join(dir, 'index.json'));
    expect(checkImports(imports, index)).toEqual([]);
    const reads = jest.spyOn(fs, 'readFileSync');
    expect(checkImports(imports, index)).toEqual([]);
    expect(reads.mock.calls.map(([f]) => String(f)).filter((f) => f.endsWith('k8s.ts'))).toEqual([]);
    reads.mockRestore();
    fs.writeFileSync(file, 'export const x = 2;\n');
    expect(checkImports(imports, index)).toEqual([expect.stringMatching(/k8s\.ts \(edited by hand\)$/)]);
  });
});

test("a save removes other folders' indexes unused for a week, and keeps recent ones", () => {
  const dir = tempDir('strata-stat-');
  const stale = oldFile(dir, 'old-index.json', '{}');
  fs.utimesSync(stale, new Date(Date.now() - 8 * 24 * 3600_000), new Date(Date.now() - 8 * 24 * 3600_000));
  const recent = oldFile(dir, 'recent-index.json', '{}');
  const file = oldFile(dir, 'data/a.yaml', 'a');
  const index = new StatIndex(path.join(dir, 'index.json'));
  index.record(file, StatIndex.digest('a'));
  index.save();
  expect(fs.existsSync(stale)).toBe(false);
  expect(fs.existsSync(recent)).toBe(true);
  expect(fs.existsSync(path.join(dir, 'index.json'))).toBe(true);
});
