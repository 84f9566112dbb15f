import * as os from 'os';
import * as path from 'path';
import {
  diffTree,
  isBootstrapFile,
  listTree,
  overlayScope,
  TREE_MARKER,
  TreeOwnershipError,
  TreeScope,
  WHOLE_TREE,
  writeTree,
} from '../../gitops/tree';
import { readTree, removeTempDirs, snapshotDir, swapLeftovers, tempDir, writeFiles } from '../support/temp';

// CommonJS `fs` itself (not an import wrapper), so jest.spyOn reaches the calls tree.ts makes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('fs') = require('fs');

afterEach(() => jest.restoreAllMocks());
afterAll(removeTempDirs);

/** `<fresh temp dir>/dist`, so swap folders (`.dist.strata-*`) land in a folder of our own. */
function outDirPath(): string {
  return path.join(tempDir('strata-tree-'), 'dist');
}

const planned = (files: Record<string, string>) => new Map(Object.entries(files));

const TREE = {
  'region-a/prod/data/kustomization.yaml': 'resources:\n  - postgres_cluster_postgres.yaml\n',
  'region-a/prod/data/postgres_cluster_postgres.yaml': 'kind: Cluster\n',
  'region-b/prod/data/kustomization.yaml': 'resources: []\n',
  'clusters/region-a-prod/kustomization.yaml': 'resources: []\n',
};

describe('writeTree', () => {
  test('writes a new tree and reports every file as written', () => {
    const outDir = outDirPath();
    const result = writeTree(outDir, planned(TREE), WHOLE_TREE);
    expect(readTree(outDir)).toEqual(TREE);
    expect(result.written).toEqual(Object.keys(TREE).sort());
    expect(result.unchanged).toEqual([]);
    expect(result.removed).toEqual([]);
    expect(swapLeftovers(outDir)).toEqual([]);
  });

  test('unchanged input writes nothing', () => {
    const outDir = outDirPath();
    writeTree(outDir, planned(TREE), WHOLE_TREE);
    const before = snapshotDir(outDir);
    const inode = fs.statSync(outDir).ino;
    const writeFile = jest.spyOn(fs, 'writeFileSync');
    const rename = jest.spyOn(fs, 'renameSync');

    const result = writeTree(outDir, planned(TREE), WHOLE_TREE);

    expect(result.written).toEqual([]);
    expect(result.removed).toEqual([]);
    expect(result.unchanged).toEqual(Object.keys(TREE).sort());
    expect(snapshotDir(outDir)).toEqual(before); // same bytes and mtimes
    expect(fs.statSync(outDir).ino).toBe(inode); // the folder was not swapped
    // Only the lock beside the tree is written.
    expect(writeFile.mock.calls.map(([file]) => path.basename(String(file)))).toEqual(['.dist.strata.lock']);
    expect(rename).not.toHaveBeenCalled();
    expect(swapLeftovers(outDir)).toEqual([]);
  });

  test('one changed file is reported alone; the tree is replaced as a whole', () => {
    const outDir = outDirPath();
    writeTree(outDir, planned(TREE), WHOLE_TREE);
    const result = writeTree(outDir, planned({ ...TREE, 'region-b/prod/data/kustomization.yaml': 'resources:\n  - x.yaml\n' }), WHOLE_TREE);
    expect(result.written).toEqual(['region-b/prod/data/kustomization.yaml']);
    expect(result.removed).toEqual([]);
    expect(result.unchanged).toHaveLength(Object.keys(TREE).length - 1);
    expect(readTree(outDir)['region-b/prod/data/kustomization.yaml']).toBe('resources:\n  - x.yaml\n');
  });

  test('files no longer rendered are pruned', () => {
    const outDir = outDirPath();
    writeTree(
      outDir,
      planned({ ...TREE, 'region-a/prod/data/postgres_pooler_old.yaml': 'kind: Pooler\n', 'notes.txt': 'hand-written\n' }),
      WHOLE_TREE,
    );
    const result = writeTree(outDir, planned(TREE), WHOLE_TREE);
    expect(result.removed).toEqual(['notes.txt', 'region-a/prod/data/postgres_pooler_old.yaml']);
    expect(result.written).toEqual([]);
    expect(readTree(outDir)).toEqual(TREE);
  });

  test('clusters/<name>/flux-system/ is preserved and never counted', () => {
    const outDir = outDirPath();
    const bootstrap = {
      'clusters/region-a-prod/flux-system/gotk-components.yaml': 'kind: Deployment\n',
      'clusters/region-a-prod/flux-system/gotk-sync.yaml': 'kind: GitRepository\n',
      'clusters/region-a-prod/flux-system/kustomization.yaml': 'resources: []\n',
    };
    writeFiles(outDir, { ...TREE, ...bootstrap });

    const unchanged = writeTree(outDir, planned(TREE), WHOLE_TREE);
    // A folder written before the marker existed is adopted: only the marker is written.
    expect(unchanged).toEqual({ written: [], unchanged: Object.keys(TREE).sort(), removed: [], markerStale: true });

    const changed = writeTree(outDir, planned({ ...TREE, 'region-a/prod/data/kustomization.yaml': 'resources: []\n' }), WHOLE_TREE);
    const counted = [...changed.written, ...changed.unchanged, ...changed.removed];
    expect(counted.filter(isBootstrapFile)).toEqual([]);
    expect(changed.written).toEqual(['region-a/prod/data/kustomization.yaml']);
    const after = readTree(outDir);
    for (const [rel, content] of Object.entries(bootstrap)) expect(after[rel]).toBe(content);
  });

  test('refuses to render a bootstrap file', () => {
    const outDir = outDirPath();
    expect(() => writeTree(outDir, planned({ 'clusters/region-a-prod/flux-system/gotk-sync.yaml': 'x\n' }), WHOLE_TREE)).toThrow(
      /outside the synth scope/,
    );
    expect(fs.existsSync(outDir)).toBe(false);
  });

  test("overlayScope keeps the other overlays' files byte for byte", () => {
    const outDir = outDirPath();
    const others = {
      'region-b/prod/data/kustomization.yaml': 'resources: []\n',
      'region-b/prod/data/hand-edited.yaml': 'kept: as is\n',
      'clusters/region-b-prod/kustomization.yaml': 'resources: []\n',
      'region-a/prod-eu/data/kustomization.yaml': 'a sibling whose name starts like the selected one\n',
    };
    writeFiles(outDir, { ...TREE, ...others, 'region-a/prod/data/postgres_pooler_old.yaml': 'kind: Pooler\n' });
    const before = snapshotDir(outDir);
    const scope = overlayScope([{ region: 'region-a', environment: 'prod', clusterFolder: 'region-a-prod' }]);
    const selected = Object.fromEntries(Object.entries(TREE).filter(([rel]) => scope.owns(rel)));

    const result = writeTree(outDir, planned({ ...selected, 'region-a/prod/data/kustomization.yaml': 'resources: []\n' }), scope);

    expect(result.written).toEqual(['region-a/prod/data/kustomization.yaml']);
    expect(result.removed).toEqual(['region-a/prod/data/postgres_pooler_old.yaml']);
    const after = snapshotDir(outDir);
    // The other overlays' files are copied into the new tree byte for byte.
    for (const rel of Object.keys(others)) expect(after[rel].content).toBe(before[rel].content);
    expect(Object.keys(after).sort()).toEqual([...new Set([...Object.keys(TREE), ...Object.keys(others)])].sort());
  });

  test("overlayScope owns exactly the overlay's layer folders and its cluster folder", () => {
    const scope: TreeScope = overlayScope([{ region: 'region-a', environment: 'dev', clusterFolder: 'region-a-dev' }]);
    expect(scope.owns('region-a/dev/data/kustomization.yaml')).toBe(true);
    expect(scope.owns('clusters/region-a-dev/kustomization.yaml')).toBe(true);
    expect(scope.owns('clusters/region-a-dev/flux-system/gotk-sync.yaml')).toBe(false);
    expect(scope.owns('region-a/dev2/data/kustomization.yaml')).toBe(false);
    expect(scope.owns('clusters/region-a-dev2/kustomization.yaml')).toBe(false);
    expect(scope.owns('region-b/dev/data/kustomization.yaml')).toBe(false);
  });

  test('recovers when a kill between the two renames left only the old tree', () => {
    const parent = tempDir('strata-tree-');
    const outDir = path.join(parent, 'dist');
    // State after `rename(dist, .dist.strata-old)` and before `rename(new, dist)`.
    writeFiles(path.join(parent, '.dist.strata-old'), TREE);
    writeFiles(path.join(parent, '.dist.strata-new-abc123'), { 'half-written.yaml': 'x' });

    const result = writeTree(outDir, planned(TREE), WHOLE_TREE);

    expect(result.written).toEqual([]);
    expect(result.unchanged).toEqual(Object.keys(TREE).sort());
    expect(readTree(outDir)).toEqual(TREE);
    expect(swapLeftovers(outDir)).toEqual([]);
  });

  test('a stale old tree beside a complete new one is discarded', () => {
    const parent = tempDir('strata-tree-');
    const outDir = path.join(parent, 'dist');
    // State after both renames, before the old tree was removed.
    writeFiles(outDir, TREE);
    writeFiles(path.join(parent, '.dist.strata-old'), { 'old.yaml': 'old\n' });
    writeTree(outDir, planned(TREE), WHOLE_TREE);
    expect(readTree(outDir)).toEqual(TREE);
    expect(swapLeftovers(outDir)).toEqual([]);
  });

  test('a failure while writing leaves the previous tree intact and no temp folders', () => {
    const outDir = outDirPath();
    writeTree(outDir, planned(TREE), WHOLE_TREE);
    const before = snapshotDir(outDir);
    const real = fs.writeFileSync;
    let calls = 0;
    jest.spyOn(fs, 'writeFileSync').mockImplementation((...args: Parameters<typeof fs.writeFileSync>) => {
      if (++calls === 3) throw new Error('ENOSPC: no space left on device (injected)');
      return real(...args);
    });
    const next = planned(Object.fromEntries(Object.keys(TREE).map((rel) => [rel, `changed: ${rel}\n`])));

    expect(() => writeTree(outDir, next, WHOLE_TREE)).toThrow(/injected/);

    expect(calls).toBe(3);
    expect(snapshotDir(outDir)).toEqual(before);
    expect(swapLeftovers(outDir)).toEqual([]);
  });

  test('a failure between the two renames puts the previous tree back', () => {
    const outDir = outDirPath();
    writeTree(outDir, planned(TREE), WHOLE_TREE);
    const before = readTree(outDir);
    const real = fs.renameSync;
    let calls = 0;
    jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      // The first rename moves the tree aside; the second would move the new one in.
      if (++calls === 2) throw new Error('EIO (injected)');
      return real(from, to);
    });

    expect(() => writeTree(outDir, planned({ ...TREE, 'new.yaml': 'x\n' }), WHOLE_TREE)).toThrow(/injected/);

    jest.restoreAllMocks();
    expect(readTree(outDir)).toEqual(before);
    expect(swapLeftovers(outDir)).toEqual([]);
  });
});

describe('diffTree', () => {
  test('compares without writing', () => {
    const outDir = outDirPath();
    writeFiles(outDir, { ...TREE, 'stale.yaml': 'x\n', 'clusters/region-a-prod/flux-system/gotk-sync.yaml': 'y\n' });
    const before = snapshotDir(outDir);
    const result = diffTree(outDir, planned({ ...TREE, 'region-a/prod/data/kustomization.yaml': 'changed\n', 'new.yaml': 'n\n' }), WHOLE_TREE);
    expect(result.written).toEqual(['new.yaml', 'region-a/prod/data/kustomization.yaml']);
    expect(result.removed).toEqual(['stale.yaml']);
    expect(result.unchanged).toHaveLength(Object.keys(TREE).length - 1);
    expect(snapshotDir(outDir)).toEqual(before);
  });

  test('a missing output folder means every file is to be written', () => {
    const outDir = outDirPath();
    expect(diffTree(outDir, planned(TREE), WHOLE_TREE)).toEqual({ written: Object.keys(TREE).sort(), unchanged: [], removed: [], markerStale: true });
    expect(listTree(outDir)).toEqual([]);
  });
});

describe('the output folder lock', () => {
  test('is released after a write, so the next write proceeds', () => {
    const outDir = outDirPath();
    writeTree(outDir, planned(TREE), WHOLE_TREE);
    expect(fs.existsSync(path.join(path.dirname(outDir), '.dist.strata.lock'))).toBe(false);
    writeTree(outDir, planned({ ...TREE, 'extra.yaml': 'x\n' }), WHOLE_TREE);
    expect(readTree(outDir)['extra.yaml']).toBe('x\n');
  });

  test('held by a live synth: the write fails naming the holder, and touches nothing', () => {
    const outDir = outDirPath();
    writeTree(outDir, planned(TREE), WHOLE_TREE);
    const parent = path.dirname(outDir);
    // A concurrent synth mid-swap: its lock and its temp folder.
    fs.writeFileSync(path.join(parent, '.dist.strata.lock'), `${process.ppid} ${os.hostname()}\n`);
    writeFiles(path.join(parent, '.dist.strata-new-other'), { 'a.yaml': 'a\n' });
    const before = snapshotDir(parent);

    expect(() => writeTree(outDir, planned({ 'other.yaml': 'y\n' }), WHOLE_TREE)).toThrow(
      new RegExp(`another synth \\(process ${process.ppid} on .*\\) is writing .*dist; wait for it to finish, or delete .*\\.dist\\.strata\\.lock`),
    );
    expect(snapshotDir(parent)).toEqual(before);
  });

  test('left by a process of this machine that is gone is taken over', () => {
    const outDir = outDirPath();
    const parent = path.dirname(outDir);
    fs.mkdirSync(parent, { recursive: true });
    // Process ids are below 2^22 on Linux: this one cannot be running.
    fs.writeFileSync(path.join(parent, '.dist.strata.lock'), `${2 ** 22 + 1} ${os.hostname()}\n`);
    writeTree(outDir, planned(TREE), WHOLE_TREE);
    expect(readTree(outDir)).toEqual(TREE);
    expect(fs.existsSync(path.join(parent, '.dist.strata.lock'))).toBe(false);
  });

  test('held on another machine is never taken over', () => {
    const outDir = outDirPath();
    const parent = path.dirname(outDir);
    fs.mkdirSync(parent, { recursive: true });
    fs.writeFileSync(path.join(parent, '.dist.strata.lock'), `${2 ** 22 + 1} some-other-host\n`);
    expect(() => writeTree(outDir, planned(TREE), WHOLE_TREE)).toThrow(/process 4194305 on some-other-host/);
    expect(fs.existsSync(outDir)).toBe(false);
  });
});

describe("the output folder is Strata's own", () => {
  test('the marker lists every file synth owns, in code-point order', () => {
    const outDir = outDirPath();
    writeTree(outDir, planned({ ...TREE, 'region-a/prod/data/Zeta.yaml': 'z\n' }), WHOLE_TREE);
    const lines = fs
      .readFileSync(path.join(outDir, TREE_MARKER), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual([...Object.keys(TREE), 'region-a/prod/data/Zeta.yaml'].sort());
  });

  test('a folder holding anything synth did not write is refused, and nothing in it changes', () => {
    const outDir = outDirPath();
    writeFiles(outDir, { '.git/HEAD': 'ref: refs/heads/main\n', 'notes.md': 'mine\n', ...TREE });
    const before = snapshotDir(outDir);
    expect(() => writeTree(outDir, planned({}), WHOLE_TREE)).toThrow(TreeOwnershipError);
    expect(() => writeTree(outDir, planned({}), WHOLE_TREE)).toThrow(
      /holds files synth did not write \(\.git\/HEAD, notes\.md\); .*Nothing was written/,
    );
    expect(snapshotDir(outDir)).toEqual(before);
    expect(swapLeftovers(outDir)).toEqual([]);
  });

  test('a file added by hand to a rendered tree is refused, not deleted', () => {
    const outDir = outDirPath();
    writeTree(outDir, planned(TREE), WHOLE_TREE);
    writeFiles(outDir, { 'region-a/prod/data/hand-written.yaml': 'kind: ConfigMap\n' });
    expect(() => writeTree(outDir, planned(TREE), WHOLE_TREE)).toThrow(/region-a\/prod\/data\/hand-written\.yaml/);
    expect(fs.readFileSync(path.join(outDir, 'region-a/prod/data/hand-written.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });

  test('a file in the way of the output folder is refused', () => {
    const outDir = outDirPath();
    fs.mkdirSync(path.dirname(outDir), { recursive: true });
    fs.writeFileSync(outDir, 'not a folder\n');
    expect(() => writeTree(outDir, planned(TREE), WHOLE_TREE)).toThrow(/is not a folder/);
    expect(fs.readFileSync(outDir, 'utf8')).toBe('not a folder\n');
  });

  test('an empty folder is taken', () => {
    const outDir = outDirPath();
    fs.mkdirSync(outDir, { recursive: true });
    expect(writeTree(outDir, planned(TREE), WHOLE_TREE).written).toEqual(Object.keys(TREE).sort());
  });
});
