/**
 * Whole-tree invariants over the committed dist/ (read only): what Flux and Argo CD apply.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { TRUSTSTORE_PASSWORD } from '../constructs/tls/platform-ca';
import { PROJECT_ROOT } from '../environments/project-root';
import { isBootstrapFile } from '../gitops/tree';
import { manifestFileName } from '../gitops/tree-paths';
import { SchemaValidator } from '../gitops/validator';
import { filesUnder } from './support/temp';

const DIST = path.join(PROJECT_ROOT, 'dist');

interface Document {
  /** Path relative to dist/. */
  readonly file: string;
  readonly manifest: any;
}

/** Where a file sits: `<region>/<env>/<layer>/` or `clusters/<region>-<env>/`. */
function placeOf(file: string): { region: string; environment: string; layer: string } | undefined {
  const parts = file.split('/');
  if (parts[0] === 'clusters') {
    // Region and environment names may contain '-': match the folder against the overlays.
    const overlay = overlays.find((o) => `${o.region}-${o.environment}` === parts[1]);
    return parts.length === 3 && overlay ? { ...overlay, layer: 'clusters' } : undefined;
  }
  return parts.length === 4 ? { region: parts[0], environment: parts[1], layer: parts[2] } : undefined;
}

const present = fs.existsSync(DIST);
const treeFiles = present ? filesUnder(DIST).filter((f) => !isBootstrapFile(f)) : [];
/** The cluster pictures (gitops/topology-diagram.ts) are not objects: tested apart. */
const isTopology = (f: string) => /^clusters\/[^/]+\/TOPOLOGY\.md$/.test(f);
const files = treeFiles.filter((f) => !isTopology(f));
const overlays = [...new Set(files.filter((f) => !f.startsWith('clusters/')).map((f) => f.split('/').slice(0, 2).join('/')))].map((id) => ({
  region: id.split('/')[0],
  environment: id.split('/')[1],
}));
const folders = [...new Set(files.map((f) => path.posix.dirname(f)))].sort();
const isKustomization = (f: string) => path.posix.basename(f) === 'kustomization.yaml';
const documents: Document[] = files
  .filter((f) => !isKustomization(f))
  .flatMap((file) =>
    yaml
      .loadAll(fs.readFileSync(path.join(DIST, file), 'utf8'))
      .filter((m) => m != null)
      .map((manifest) => ({ file, manifest })),
  );
const ofKind = (...kinds: string[]) => documents.filter((d) => kinds.includes(d.manifest.kind));

test('dist/ exists and holds the rendered tree', () => {
  if (!present) {
    throw new Error('dist/ is missing: run `npm run synth` and commit dist/ (check that .gitignore does not ignore /dist/)');
  }
  expect(fs.readdirSync(path.join(DIST, 'clusters')).length).toBeGreaterThan(0);
  expect(documents.length).toBeGreaterThan(100);
});

// dist/ is the committed GitOps tree: projen's default ignore of /dist/ is removed in .projenrc.ts.
const inGit = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: PROJECT_ROOT, stdio: 'ignore' }).status === 0;
(inGit ? test : test.skip)('dist/ is not ignored by git', () => {
  const ignored = spawnSync('git', ['check-ignore', '-q', 'dist/clusters/kustomization.yaml'], { cwd: PROJECT_ROOT }).status === 0;
  expect(ignored).toBe(false);
});

test('only YAML files, one object per file, named <namespace>_<kind>_<name>.yaml, in a layer or cluster folder', () => {
  expect(files.filter((f) => !f.endsWith('.yaml'))).toEqual([]);
  expect(files.filter((f) => !placeOf(f))).toEqual([]);
  const perFile = new Map<string, number>();
  for (const d of documents) perFile.set(d.file, (perFile.get(d.file) ?? 0) + 1);
  expect([...perFile].filter(([, n]) => n !== 1)).toEqual([]);
  expect(documents.filter((d) => path.posix.basename(d.file) !== manifestFileName(d.manifest)).map((d) => d.file)).toEqual([]);
});

test('every entry folder has a TOPOLOGY.md with a Mermaid picture, and no kustomization.yaml lists it', () => {
  const entryFolders = fs.readdirSync(path.join(DIST, 'clusters')).sort();
  expect(treeFiles.filter(isTopology).sort()).toEqual(entryFolders.map((c) => `clusters/${c}/TOPOLOGY.md`));
  for (const c of entryFolders) {
    const text = fs.readFileSync(path.join(DIST, 'clusters', c, 'TOPOLOGY.md'), 'utf8');
    expect(text.startsWith(`# Topology of ${c}\n`)).toBe(true);
    expect(text).toMatch(/\n```mermaid\nflowchart TB\n[\s\S]*\n```\n/);
    const resources = (yaml.load(fs.readFileSync(path.join(DIST, 'clusters', c, 'kustomization.yaml'), 'utf8')) as any).resources;
    expect(resources).not.toContain('TOPOLOGY.md');
  }
  // The tree's marker lists them: synth owns them like every other file.
  const marker = fs.readFileSync(path.join(DIST, '.strata-tree'), 'utf8').split('\n');
  expect(entryFolders.filter((c) => !marker.includes(`clusters/${c}/TOPOLOGY.md`))).toEqual([]);
});

test('every object validates against the pinned schemas', () => {
  const validator = new SchemaValidator();
  const issues = documents.flatMap((d) => validator.validate(d.manifest).map((i) => `${d.file}: ${i.object} ${i.path}: ${i.message}`));
  expect(issues).toEqual([]);
});

test('no Secret and no secret material anywhere', () => {
  expect(ofKind('Secret').map((d) => d.file)).toEqual([]);
  // Plain data only in ConfigMaps; stringData nowhere.
  expect(documents.filter((d) => 'stringData' in d.manifest).map((d) => d.file)).toEqual([]);
  expect(documents.filter((d) => 'data' in d.manifest && d.manifest.kind !== 'ConfigMap').map((d) => d.file)).toEqual([]);
  // ExternalSecrets name where a value lives, never the value; templates only reference keys.
  for (const d of ofKind('ExternalSecret')) {
    for (const entry of d.manifest.spec.data ?? []) expect(Object.keys(entry).sort()).toEqual(['remoteRef', 'secretKey']);
    for (const [key, template] of Object.entries<string>(d.manifest.spec.target?.template?.data ?? {})) {
      expect({ file: d.file, key, isTemplate: template.includes('{{') }).toEqual({ file: d.file, key, isTemplate: true });
    }
  }
  // SealedSecrets carry ciphertext only.
  for (const d of ofKind('SealedSecret')) expect(d.manifest.spec.template?.data ?? {}).toEqual({});
  expect(files.filter((f) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(fs.readFileSync(path.join(DIST, f), 'utf8')))).toEqual([]);
  // A field named like a password holds a reference (a Secret key name such as Strimzi's
  // passwordSecret.password, or a ${secrets:...} placeholder), never a value.
  const passwordValues: string[] = [];
  const walk = (node: unknown, parent: string, where: string) => {
    if (Array.isArray(node)) {
      node.forEach((n) => walk(n, parent, where));
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (typeof value !== 'string' || !/passw(or)?d/i.test(key)) {
          walk(value, key, where);
          continue;
        }
        const reference =
          parent === 'passwordSecret' || // Strimzi: the key name in a Secret
          /^\$\{secrets:[^}]+\}$/.test(value) || // Kafka Connect config provider
          value.includes('{{') || // External Secrets template over fetched values
          (/Key$/.test(key) && typeof (node as Record<string, unknown>).existingSecret === 'string') || // a chart's key in an existing Secret (Grafana's admin.passwordKey)
          (parent === 'pkcs12' && value === TRUSTSTORE_PASSWORD); // public CA truststore
        if (!reference) passwordValues.push(`${where}: ${key}`);
      }
    }
  };
  for (const d of documents) walk(d.manifest, '', d.file);
  expect(passwordValues).toEqual([]);
});

test('every object carries the Strata labels matching its place in the tree', () => {
  const wrong = documents.flatMap((d) => {
    const place = placeOf(d.file)!;
    const expected = {
      'app.kubernetes.io/managed-by': 'strata',
      'strata.io/region': place.region,
      'strata.io/environment': place.environment,
      'strata.io/layer': place.layer,
    };
    const labels = d.manifest.metadata?.labels ?? {};
    const actual = Object.fromEntries(Object.keys(expected).map((k) => [k, labels[k]]));
    return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [{ file: d.file, labels: actual }];
  });
  expect(wrong).toEqual([]);
});

test('every CNPG Cluster, MinIO Tenant and PVC is protected from pruning', () => {
  const stateful = documents.filter(
    (d) =>
      (d.manifest.apiVersion === 'postgresql.cnpg.io/v1' && d.manifest.kind === 'Cluster') ||
      (d.manifest.apiVersion === 'minio.min.io/v2' && d.manifest.kind === 'Tenant') ||
      (d.manifest.apiVersion === 'v1' && d.manifest.kind === 'PersistentVolumeClaim'),
  );
  expect(stateful.filter((d) => d.manifest.kind === 'Cluster').length).toBeGreaterThan(0);
  expect(stateful.filter((d) => d.manifest.kind === 'Tenant').length).toBeGreaterThan(0);
  const unprotected = stateful.filter((d) => {
    const annotations = d.manifest.metadata?.annotations ?? {};
    return (
      annotations['kustomize.toolkit.fluxcd.io/prune'] !== 'disabled' || annotations['argocd.argoproj.io/sync-options'] !== 'Prune=false,Delete=false'
    );
  });
  expect(unprotected.map((d) => d.file)).toEqual([]);
});

test('every folder has a kustomization.yaml listing exactly its files', () => {
  const wrong = folders.flatMap((folder) => {
    const inFolder = files.filter((f) => path.posix.dirname(f) === folder && !isKustomization(f)).map((f) => path.posix.basename(f));
    const bootstrapped = fs.existsSync(path.join(DIST, folder, 'flux-system', 'kustomization.yaml'));
    const expected = [...inFolder, ...(bootstrapped ? ['flux-system'] : [])].sort();
    const file = path.join(DIST, folder, 'kustomization.yaml');
    if (!fs.existsSync(file)) return [{ folder, resources: 'missing kustomization.yaml' }];
    const resources = (yaml.load(fs.readFileSync(file, 'utf8')) as any).resources;
    return JSON.stringify(resources) === JSON.stringify(expected) ? [] : [{ folder, resources }];
  });
  expect(wrong).toEqual([]);
});

const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const kustomizeTest = kubectl ? test : test.skip;
kustomizeTest(`kubectl kustomize builds every layer folder and every cluster folder${kubectl ? '' : ' (SKIPPED: kubectl is not on PATH)'}`, () => {
  expect(folders.length).toBeGreaterThan(0);
  const failures: string[] = [];
  for (const folder of folders) {
    try {
      const output = execFileSync('kubectl', ['kustomize', path.join(DIST, folder)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const built = yaml.loadAll(output).filter((m) => m != null);
      const expected = documents.filter((d) => path.posix.dirname(d.file) === folder).length;
      if (built.length < expected) failures.push(`${folder}: kustomize built ${built.length} objects, the folder has ${expected}`);
    } catch (err) {
      failures.push(`${folder}: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
    }
  }
  expect(failures).toEqual([]);
});
