import * as fs from 'fs';
import * as path from 'path';
import { EnvironmentError } from '../environments/problems';
import { TREE_MARKER, TreeOwnershipError } from '../gitops/tree';
import { SynthValidationError } from '../gitops/validation-error';
import { SchemaValidator } from '../gitops/validator';
import { fromYaml } from '../gitops/yaml';
import * as cnpg from '../imports/postgresql.cnpg.io';
import { main, synth, SynthResult } from '../main';
import { environmentsWith, filesUnder, readTree, removeTempDirs, snapshotDir, swapLeftovers, tempDir, writeFiles } from './support/temp';

const OVERLAYS = ['region-a/dev', 'region-a/prod', 'region-a/staging', 'region-b/dev', 'region-b/prod', 'region-b/staging'];
const CLUSTERS = ['region-a-dev', 'region-a-prod', 'region-a-staging', 'region-b-dev', 'region-b-prod', 'region-b-staging'];

/** `<fresh temp dir>/dist`: swap folders land beside it, in a folder of our own. */
const outDirPath = () => path.join(tempDir('strata-main-'), 'dist');

/** A copy of the default render, to be changed by a test. */
function copyOfRendered(): string {
  const outDir = outDirPath();
  fs.cpSync(rendered, outDir, { recursive: true, preserveTimestamps: true });
  return outDir;
}

/** A copy of environments/ taken once, so edits by others during the run cannot interfere. */
let envDir: string;
let rendered: string;
let first: SynthResult;

beforeAll(() => {
  envDir = environmentsWith();
  rendered = outDirPath();
  first = synth({ envDir, outDir: rendered });
});
afterEach(() => jest.restoreAllMocks());
afterAll(removeTempDirs);

describe('synth of the default environments', () => {
  test('renders 6 overlays, each with its layer folders and a cluster entry folder', () => {
    expect(first.overlays).toBe(6);
    expect(first.objects).toBeGreaterThan(100);
    expect(first.removed).toEqual([]);
    expect(first.unchanged).toEqual([]);
    expect(first.written).toEqual(filesUnder(rendered));
    expect(fs.readdirSync(path.join(rendered, 'clusters')).sort()).toEqual(CLUSTERS);
    for (const overlay of OVERLAYS) {
      expect(fs.readdirSync(path.join(rendered, overlay)).sort()).toEqual(expect.arrayContaining(['data', 'foundation', 'operators']));
    }
    expect(fs.readdirSync(rendered).sort()).toEqual(['.strata-tree', 'clusters', 'region-a', 'region-b']);
    expect(swapLeftovers(rendered)).toEqual([]);
  });

  test("each cluster folder holds the entry points of its region's GitOps engine", () => {
    // region-a is reconciled by Flux, region-b by Argo CD.
    const a = fs.readdirSync(path.join(rendered, 'clusters/region-a-prod'));
    expect(a).toEqual(
      expect.arrayContaining([
        'kustomization.yaml',
        'flux-system_kustomization_strata-data.yaml',
        'flux-system_kustomization_strata-foundation.yaml',
      ]),
    );
    const b = fs.readdirSync(path.join(rendered, 'clusters/region-b-prod'));
    expect(b).toEqual(
      expect.arrayContaining([
        'kustomization.yaml',
        'argocd_appproject_region-b-prod.yaml',
        'argocd_application_region-b-prod-root.yaml',
        'argocd_application_region-b-prod-data.yaml',
      ]),
    );
    const data = fromYaml(fs.readFileSync(path.join(rendered, 'clusters/region-a-prod/flux-system_kustomization_strata-data.yaml'), 'utf8')) as any;
    expect(data.spec.path).toBe('./dist/region-a/prod/data');
    expect(data.spec.dependsOn.map((d: any) => d.name)).toEqual(expect.arrayContaining(['strata-foundation', 'strata-operators']));
  });

  test('is deterministic: a second render into another folder has identical bytes', () => {
    const other = outDirPath();
    synth({ envDir, outDir: other });
    const a = readTree(rendered);
    const b = readTree(other);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    const differing = Object.keys(a).filter((rel) => a[rel] !== b[rel]);
    expect(differing).toEqual([]);
  });

  test('a second synth into the same folder writes nothing', () => {
    const outDir = copyOfRendered();
    const before = snapshotDir(outDir);
    const result = synth({ envDir, outDir });
    expect(result.written).toEqual([]);
    expect(result.removed).toEqual([]);
    expect(result.unchanged).toHaveLength(Object.keys(before).length);
    expect(snapshotDir(outDir)).toEqual(before);
  });
});

describe('check', () => {
  const rel = (outDir: string, file: string) => path.relative(process.cwd(), path.join(outDir, file));

  test('reports a hand-edited file and a file no longer rendered as stale, and writes nothing', () => {
    const outDir = copyOfRendered();
    const edited = 'region-a/prod/foundation/postgres_networkpolicy_default-deny.yaml';
    fs.appendFileSync(path.join(outDir, edited), '# edited by hand\n');
    writeFiles(outDir, { 'region-b/dev/data/leftover.yaml': 'kind: ConfigMap\n' });
    const before = snapshotDir(outDir);

    const result = synth({ envDir, outDir, check: true });

    // imports/ staleness is reported too; this test is about the tree.
    const staleInTree = result.stale.filter((s) => s.startsWith(rel(outDir, '')));
    expect(staleInTree).toEqual([rel(outDir, edited), `${rel(outDir, 'region-b/dev/data/leftover.yaml')} (no longer rendered)`]);
    expect(result.written).toEqual([edited]);
    expect(result.removed).toEqual(['region-b/dev/data/leftover.yaml']);
    expect(snapshotDir(outDir)).toEqual(before);
  });

  test('an up-to-date tree has nothing stale in it', () => {
    const result = synth({ envDir, outDir: rendered, check: true });
    expect(result.stale.filter((s) => s.startsWith(rel(rendered, '')))).toEqual([]);
    expect(result.written).toEqual([]);
  });
});

describe('only', () => {
  test('renders the selected overlay and leaves the others untouched', () => {
    const outDir = copyOfRendered();
    const mine = 'region-a/dev/foundation/postgres_networkpolicy_default-deny.yaml';
    const theirs = 'region-b/prod/foundation/postgres_networkpolicy_default-deny.yaml';
    fs.appendFileSync(path.join(outDir, mine), '# edited by hand\n');
    fs.appendFileSync(path.join(outDir, theirs), '# edited by hand\n');
    // Files an earlier synth wrote (the marker lists them): one outside the selection, one inside.
    writeFiles(outDir, { 'clusters/region-b-prod/extra.yaml': 'kept\n', 'region-a/dev/data/leftover.yaml': 'removed\n' });
    fs.appendFileSync(path.join(outDir, TREE_MARKER), 'clusters/region-b-prod/extra.yaml\nregion-a/dev/data/leftover.yaml\n');
    const before = snapshotDir(outDir);

    const result = synth({ envDir, outDir, only: ['region-a/dev'] });

    expect(result.overlays).toBe(1);
    expect(result.written).toEqual([mine]);
    expect(result.removed).toEqual(['region-a/dev/data/leftover.yaml']);
    expect(result.unchanged.every((f) => f.startsWith('region-a/dev/') || f.startsWith('clusters/region-a-dev/'))).toBe(true);
    const after = snapshotDir(outDir);
    expect(after[mine].content).toBe(Buffer.from(readTree(rendered)[mine]).toString('base64'));
    // Everything outside region-a/dev is carried over byte for byte.
    const outside = (f: string) => !f.startsWith('region-a/dev/') && !f.startsWith('clusters/region-a-dev/');
    const contents = (s: Record<string, { content: string }>) =>
      Object.fromEntries(
        Object.entries(s)
          .filter(([f]) => outside(f))
          .map(([f, v]) => [f, v.content]),
      );
    expect(contents(after)).toEqual(contents(before));
  });

  test('a render of every overlay into an empty folder with only writes just that overlay', () => {
    const outDir = outDirPath();
    const result = synth({ envDir, outDir, only: ['region-b/prod'] });
    expect(filesUnder(outDir).every((f) => f.startsWith('region-b/prod/') || f.startsWith('clusters/region-b-prod/'))).toBe(true);
    expect(result.written).toEqual(filesUnder(outDir));
    // The replica is rendered with its primary's facts, though the primary is not rendered.
    const cluster = fromYaml(fs.readFileSync(path.join(outDir, 'region-b/prod/data/postgres_cluster_postgres.yaml'), 'utf8')) as any;
    expect(cluster.spec.replica.primary).toBe('postgres-region-a');
  });
});

describe('flux bootstrap files', () => {
  test('are preserved, and the entry kustomization includes flux-system once they exist', () => {
    const outDir = copyOfRendered();
    const bootstrap = {
      'clusters/region-a-prod/flux-system/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\n',
      'clusters/region-a-prod/flux-system/gotk-sync.yaml': '# flux bootstrap\n',
      'clusters/region-a-prod/flux-system/gotk-components.yaml': '# flux bootstrap\n',
    };
    writeFiles(outDir, bootstrap);

    const result = synth({ envDir, outDir });

    expect(result.written).toEqual(['clusters/region-a-prod/kustomization.yaml']);
    expect(result.removed).toEqual([]);
    const entry = fromYaml(fs.readFileSync(path.join(outDir, 'clusters/region-a-prod/kustomization.yaml'), 'utf8')) as any;
    expect(entry.resources).toContain('flux-system');
    const after = readTree(outDir);
    for (const [f, content] of Object.entries(bootstrap)) expect(after[f]).toBe(content);
    // Other clusters' entry points do not reference a flux-system folder they lack.
    expect((fromYaml(after['clusters/region-a-dev/kustomization.yaml']) as any).resources).not.toContain('flux-system');
  });
});

describe('failures leave the output folder as it was', () => {
  // The failures are injected into rendering: a render kept from an earlier test would skip them.
  beforeEach(() => {
    process.env.STRATA_RENDER_CACHE = 'off';
  });
  afterEach(() => {
    delete process.env.STRATA_RENDER_CACHE;
  });

  /** Runs synth, expects it to throw, and checks the output folder did not change. */
  function failedSynth(options: { envDir?: string; outDir: string }): unknown {
    const before = snapshotDir(options.outDir);
    let error: unknown;
    try {
      synth({ envDir: options.envDir ?? envDir, outDir: options.outDir });
    } catch (err) {
      error = err;
    }
    expect(error).toBeDefined();
    expect(snapshotDir(options.outDir)).toEqual(before);
    expect(swapLeftovers(options.outDir)).toEqual([]);
    return error;
  }

  test('an exception in the last overlay, after the others rendered, writes nothing', () => {
    // The first overlay's output changes, so a partial write would show.
    const changed = environmentsWith({ 'overlays/region-a/dev.yaml': { merge: { postgres: { storageSize: '6Gi' } } } });
    const outDir = copyOfRendered();
    const real = SchemaValidator.prototype.validate;
    const seen: string[] = [];
    jest.spyOn(SchemaValidator.prototype, 'validate').mockImplementation(function (this: SchemaValidator, manifest: any) {
      const labels = manifest?.metadata?.labels ?? {};
      seen.push(`${labels['strata.io/region']}/${labels['strata.io/environment']}`);
      if (manifest.kind === 'Cluster' && labels['strata.io/region'] === 'region-b' && labels['strata.io/environment'] === 'staging') {
        throw new Error('validator crashed (injected)');
      }
      return real.call(this, manifest);
    });

    const error = failedSynth({ envDir: changed, outDir });

    expect((error as Error).message).toMatch(/injected/);
    expect(seen).toContain('region-a/dev');
  });

  test('a schema violation names the overlay, the layer, the object and the JSON path', () => {
    const outDir = copyOfRendered();
    const real = cnpg.Cluster.prototype.toJson;
    jest.spyOn(cnpg.Cluster.prototype, 'toJson').mockImplementation(function (this: cnpg.Cluster) {
      const json = real.call(this);
      json.spec.instance = 3; // a typo for "instances"
      return json;
    });

    const error = failedSynth({ outDir });

    expect(error).toBeInstanceOf(SynthValidationError);
    const issues = (error as SynthValidationError).issues;
    // Every overlay's violation is reported, not only the first.
    expect(issues.map((i) => i.overlay).sort()).toEqual(OVERLAYS);
    for (const issue of issues) {
      expect(issue).toEqual({
        overlay: expect.any(String),
        layer: 'data',
        object: 'postgresql.cnpg.io/v1 Cluster postgres/postgres',
        path: '/spec',
        message: expect.stringContaining('"instance"'),
      });
    }
    const message = (error as Error).message;
    expect(message).toMatch(/^6 schema violations; nothing was written\./);
    expect(message).toContain(
      '  region-b/prod, layer data: postgresql.cnpg.io/v1 Cluster postgres/postgres\n    /spec: must NOT have additional properties "instance"',
    );
  });

  test('bad environment input writes nothing', () => {
    const broken = environmentsWith({ 'overlays/region-b/dev.yaml': { merge: { postgres: { instances: 0 } } } });
    const error = failedSynth({ envDir: broken, outDir: copyOfRendered() });
    expect(error).toBeInstanceOf(EnvironmentError);
  });
});

describe('main (command line)', () => {
  let out: string[];
  beforeEach(() => {
    out = [];
    jest.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
    jest.spyOn(console, 'error').mockImplementation((...args) => void out.push(args.join(' ')));
  });

  test('usage errors exit 2, --help exits 0', async () => {
    expect(await main(['--bogus'])).toBe(2);
    expect(out.join('\n')).toMatch(/unknown argument "--bogus"[\s\S]*usage: npm run synth/);
    expect(await main(['--only'])).toBe(2);
    expect(await main(['--out', '--check'])).toBe(2);
    expect(await main(['--help'])).toBe(0);
  });

  test('bad input exits 1 with the problems listed', async () => {
    const broken = environmentsWith({ 'overlays/region-b/dev.yaml': { merge: { postgres: { instances: 0 } } } });
    const outDir = outDirPath();
    expect(await main(['--env-dir', broken, '--out', outDir])).toBe(1);
    expect(out.join('\n')).toMatch(/overlays\/region-b\/dev\.yaml[\s\S]*postgres\.instances/);
    expect(fs.existsSync(outDir)).toBe(false);
  });

  test('--only with a comma-separated list renders those overlays', async () => {
    const outDir = outDirPath();
    expect(await main(['--env-dir', envDir, '--out', outDir, '--only', 'region-a/dev,region-a/staging'])).toBe(0);
    expect(fs.readdirSync(path.join(outDir, 'region-a')).sort()).toEqual(['dev', 'staging']);
    expect(fs.readdirSync(path.join(outDir, 'clusters')).sort()).toEqual(['region-a-dev', 'region-a-staging']);
  });
});

describe('--out', () => {
  const run = async (out: string, extra: string[] = []) => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => {
      errors.push(String(line));
    });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      return { code: await main(['--out', out, ...extra]), errors: errors.join('\n') };
    } finally {
      spy.mockRestore();
      log.mockRestore();
    }
  };

  test('a clone of the project is refused and keeps .git and uncommitted files', async () => {
    const clone = tempDir('strata-clone-');
    writeFiles(clone, {
      '.git/HEAD': 'ref: refs/heads/main\n',
      'wip.txt': 'uncommitted\n',
      'environments/regions/region-a.yaml': 'clusterPrefix: x\n',
    });
    const before = snapshotDir(clone);
    const { code, errors } = await run(clone);
    expect(code).toBe(1);
    expect(errors).toMatch(/holds files synth did not write \(\.git\/HEAD, environments\/regions\/region-a\.yaml, wip\.txt\)/);
    expect(errors).not.toMatch(/\n\s+at /); // no stack trace
    expect(snapshotDir(clone)).toEqual(before);
  });

  test('the project folder, a folder above it, and the environments folder are refused', async () => {
    const root = path.resolve(__dirname, '..');
    for (const [out, why] of [
      [root, /is the project folder/],
      [path.dirname(root), /contains the project folder/],
      [path.join(root, 'environments'), /is the environments folder|contains the project folder/],
    ] as const) {
      const { code, errors } = await run(out);
      expect(code).toBe(1);
      expect(errors).toMatch(why);
      expect(errors).toMatch(/Nothing was written/);
    }
  });

  test('--out equal to --env-dir, or inside it, is refused and the environment files stay', async () => {
    const envFolder = environmentsWith();
    const before = snapshotDir(envFolder);
    expect((await run(envFolder, ['--env-dir', envFolder])).errors).toMatch(/is the environments folder/);
    expect((await run(path.join(envFolder, 'out'), ['--env-dir', envFolder])).errors).toMatch(/is inside the environments folder/);
    expect(() => synth({ envDir: envFolder, outDir: envFolder })).toThrow(TreeOwnershipError);
    expect(snapshotDir(envFolder)).toEqual(before);
  });
});
