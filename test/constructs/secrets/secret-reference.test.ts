import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import { SecretReference, SecretReferenceProps } from '../../../constructs/secrets/secret-reference';
import type { SealedSecretEntry, SecretBackend } from '../../../environments/model';
import { EnvironmentError, SpecError } from '../../../environments/problems';
import { fromYaml } from '../../../gitops/yaml';
import { synth } from '../../../main';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';
import { sealedValue } from '../../support/sealed';
import {
  environmentsWith,
  filesUnder,
  readEnvironmentsFile,
  removeTempDirs,
  snapshotDir,
  swapLeftovers,
  tempDir,
  writeFiles,
} from '../../support/temp';

afterAll(removeTempDirs);

const PROPS: SecretReferenceProps = {
  backend: EXTERNAL_SECRETS,
  namespace: 'postgres',
  name: 'postgres-hrm-credentials',
  remoteKey: 'region-a/prod/postgres/postgres/roles/hrm',
  keys: { username: 'user', password: 'pass' },
};

function build(props: Partial<SecretReferenceProps> = {}): TestLayer & { ref: SecretReference } {
  const layer = testLayer('data');
  const ref = new SecretReference(layer.chart, 'Secret', { ...PROPS, ...props });
  return { ...layer, ref };
}

const externalSecretOf = (layer: TestLayer) => layer.find('ExternalSecret', 'postgres-hrm-credentials', 'postgres');

describe('SecretReference with External Secrets', () => {
  test("an ExternalSecret from the region's store: store kind, refresh interval, Owner creation and Retain deletion", () => {
    const es = externalSecretOf(build());
    expect(es.spec.secretStoreRef).toEqual({ name: 'platform-secrets', kind: 'ClusterSecretStore' });
    expect(es.spec.refreshInterval).toBe('1h');
    expect(es.spec.target).toEqual({ name: 'postgres-hrm-credentials', creationPolicy: 'Owner', deletionPolicy: 'Retain' });
  });

  test('a namespaced SecretStore and another refresh interval, as the region sets them', () => {
    const es = externalSecretOf(
      build({ backend: { kind: 'external-secrets', storeName: 'team-store', storeKind: 'SecretStore', refreshInterval: '15m' } }),
    );
    expect(es.spec.secretStoreRef).toEqual({ name: 'team-store', kind: 'SecretStore' });
    expect(es.spec.refreshInterval).toBe('15m');
  });

  test('each data key reads its property of the remote entry, sorted by key', () => {
    const es = externalSecretOf(build());
    expect(es.spec.data).toEqual([
      { secretKey: 'password', remoteRef: { key: 'region-a/prod/postgres/postgres/roles/hrm', property: 'pass' } },
      { secretKey: 'username', remoteRef: { key: 'region-a/prod/postgres/postgres/roles/hrm', property: 'user' } },
    ]);
  });

  test('no template without type, template or literals', () => {
    expect(externalSecretOf(build()).spec.target.template).toBeUndefined();
  });

  test('type alone: a template with only the Secret type', () => {
    expect(externalSecretOf(build({ type: 'kubernetes.io/basic-auth' })).spec.target.template).toEqual({ type: 'kubernetes.io/basic-auth' });
  });

  test("template: the Secret's data rendered by engine v2 from the fetched keys (no merge)", () => {
    const template = { 'config.env': 'export MINIO_ROOT_USER={{ .username }}\nexport MINIO_ROOT_PASSWORD={{ .password }}\n' };
    const layer = build({ template, type: 'Opaque' });
    expect(externalSecretOf(layer).spec.target.template).toEqual({ type: 'Opaque', engineVersion: 'v2', data: template });
    // The Secret holds the template's keys, not the fetched ones.
    expect(layer.ref.keys).toEqual(['config.env']);
    expect(() => layer.ref.selector('password')).toThrow('secret postgres/postgres-hrm-credentials has no key "password" (keys: config.env)');
  });

  test('literals alone: merged into the fetched keys (mergePolicy Merge)', () => {
    const layer = build({ literals: { AWS_CA_BUNDLE: '/etc/strata/ca/ca.crt' } });
    expect(externalSecretOf(layer).spec.target.template).toEqual({
      engineVersion: 'v2',
      mergePolicy: 'Merge',
      data: { AWS_CA_BUNDLE: '/etc/strata/ca/ca.crt' },
    });
    expect(layer.ref.keys).toEqual(['AWS_CA_BUNDLE', 'password', 'username']);
    expect(layer.ref.selector('AWS_CA_BUNDLE')).toEqual({ name: 'postgres-hrm-credentials', key: 'AWS_CA_BUNDLE' });
  });

  test('template and literals: both in the template data, no merge policy', () => {
    const template = { password: '{{ .password }}' };
    const layer = build({ template, literals: { username: 'hrm' } });
    expect(externalSecretOf(layer).spec.target.template).toEqual({ engineVersion: 'v2', data: { password: '{{ .password }}', username: 'hrm' } });
    expect(layer.ref.keys).toEqual(['password', 'username']);
  });

  test('renders no Secret and validates against the schemas', () => {
    const layer = build({ type: 'kubernetes.io/basic-auth', literals: { note: 'x' } });
    expect(layer.all('Secret')).toEqual([]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });
});

describe('SecretReference with Sealed Secrets', () => {
  const ENTRY: SealedSecretEntry = {
    encryptedData: { username: 'AgBy3i4OJSWK+PiTySYZZA==', password: 'AgCtr8mBQ3n0L4Uq1Zt+Jw==' },
    type: 'kubernetes.io/basic-auth',
    annotations: {},
  };
  const sealedBackend = (sealed: Record<string, SealedSecretEntry> = {}): SecretBackend => ({
    kind: 'sealed-secrets',
    controllerNamespace: 'kube-system',
    controllerName: 'sealed-secrets-controller',
    sealed,
    sealedDir: 'sealed-secrets/region-a/prod',
  });
  const sealedOf = (layer: TestLayer) => layer.find('SealedSecret', 'postgres-hrm-credentials', 'postgres');

  test('a sealed entry renders a SealedSecret with its encrypted data and the Secret type; no ExternalSecret', () => {
    const layer = build({ backend: sealedBackend({ 'postgres/postgres-hrm-credentials': ENTRY }) });
    const sealed = sealedOf(layer);
    expect(sealed.spec).toEqual({
      encryptedData: ENTRY.encryptedData,
      template: { metadata: { name: 'postgres-hrm-credentials', namespace: 'postgres' }, type: 'kubernetes.io/basic-auth' },
    });
    expect(sealed.metadata.annotations).toBeUndefined();
    expect(layer.all('ExternalSecret')).toEqual([]);
    expect(layer.context.problems).toEqual([]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test("the reference's type wins over the sealed one; the scope annotations kubeseal set are kept", () => {
    const entry = { ...ENTRY, type: 'Opaque', annotations: { 'sealedsecrets.bitnami.com/cluster-wide': 'true' } };
    const sealed = sealedOf(build({ type: 'kubernetes.io/basic-auth', backend: sealedBackend({ 'postgres/postgres-hrm-credentials': entry }) }));
    expect(sealed.spec.template.type).toBe('kubernetes.io/basic-auth');
    expect(sealed.metadata.annotations).toEqual({ 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
  });

  test('literals are rendered in template.data and need not be sealed', () => {
    const entry = { ...ENTRY, encryptedData: { password: ENTRY.encryptedData.password } };
    const layer = build({
      keys: { password: 'password' },
      literals: { username: 'hrm' },
      backend: sealedBackend({ 'postgres/postgres-hrm-credentials': entry }),
    });
    const sealed = sealedOf(layer);
    expect(sealed.spec.encryptedData).toEqual({ password: ENTRY.encryptedData.password });
    expect(sealed.spec.template.data).toEqual({ username: 'hrm' });
    expect(layer.context.problems).toEqual([]);
  });

  test('a missing sealed secret is a problem naming its file, with the kubeseal command as the fix; nothing is rendered', () => {
    const layer = build({ type: 'kubernetes.io/basic-auth', literals: { note: 'x' }, backend: sealedBackend() });
    expect(layer.context.problems).toEqual([
      {
        file: 'sealed-secrets/region-a/prod/postgres_postgres-hrm-credentials.yaml',
        path: '',
        message: 'secret postgres/postgres-hrm-credentials (keys note, password, username) is not sealed yet for this cluster',
        fix:
          'kubectl create secret generic postgres-hrm-credentials -n postgres --type=kubernetes.io/basic-auth --from-literal=password=... --from-literal=username=...' +
          ' --dry-run=client -o yaml | kubeseal --controller-namespace kube-system --controller-name sealed-secrets-controller -o yaml' +
          ' > <environments>/sealed-secrets/region-a/prod/postgres_postgres-hrm-credentials.yaml',
      },
    ]);
    expect(layer.manifests()).toEqual([]);
  });

  test('a missing sealed secret without an OverlayContext throws a SpecError with that problem', () => {
    const app = new App({ outdir: path.join(tempDir(), 'unused') });
    const chart = new Chart(app, 'data');
    let error: unknown;
    try {
      new SecretReference(chart, 'Secret', { ...PROPS, backend: sealedBackend() });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SpecError);
    const problems = (error as SpecError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      file: 'sealed-secrets/region-a/prod/postgres_postgres-hrm-credentials.yaml',
      fix: expect.stringMatching(/\| kubeseal /),
    });
    expect((error as SpecError).message).toContain(
      'sealed-secrets/region-a/prod/postgres_postgres-hrm-credentials.yaml: secret postgres/postgres-hrm-credentials',
    );
  });

  test('a sealed entry lacking keys is a problem naming the keys to seal', () => {
    const entry = { ...ENTRY, encryptedData: { username: ENTRY.encryptedData.username } };
    const layer = build({ backend: sealedBackend({ 'postgres/postgres-hrm-credentials': entry }) });
    expect(layer.context.problems).toEqual([
      {
        file: 'sealed-secrets/region-a/prod/postgres_postgres-hrm-credentials.yaml',
        path: 'spec.encryptedData',
        value: ['username'],
        message: 'lacks key(s) password',
        fix: 'seal the secret again with keys password, username',
      },
    ]);
    expect(layer.all('SealedSecret')).toEqual([]);
  });
});

describe('Sealed Secrets end to end', () => {
  /** environments/ with region-a on Sealed Secrets; nothing sealed yet. */
  const sealedEnvironments = () => {
    const region = readEnvironmentsFile('regions/region-a.yaml');
    return environmentsWith({ 'regions/region-a.yaml': yaml.dump({ ...region, secrets: { kind: 'sealed-secrets' } }) });
  };

  /** `<namespace>/<name>` of every ExternalSecret of region-a's overlays, by environment, in the default render. */
  function externalSecretsOfRegionA(): Record<string, string[]> {
    const outDir = path.join(tempDir('strata-sealed-'), 'dist');
    synth({ envDir: environmentsWith(), outDir });
    const out: Record<string, string[]> = {};
    for (const rel of filesUnder(path.join(outDir, 'region-a')).filter((f) => f.includes('_externalsecret_'))) {
      const m = fromYaml(fs.readFileSync(path.join(outDir, 'region-a', rel), 'utf8')) as any;
      (out[rel.split('/')[0]] ??= []).push(`${m.metadata.namespace}/${m.metadata.name}`);
    }
    return out;
  }

  let envDir: string;
  let err: EnvironmentError;
  let outDir: string;
  let before: ReturnType<typeof snapshotDir>;

  beforeAll(() => {
    envDir = sealedEnvironments();
    outDir = path.join(tempDir('strata-sealed-out-'), 'dist');
    writeFiles(outDir, {
      'region-a/prod/data/kustomization.yaml': 'resources: []\n',
      'clusters/region-a-prod/kustomization.yaml': 'resources: []\n',
    });
    before = snapshotDir(outDir);
    try {
      synth({ envDir, outDir });
    } catch (e) {
      err = e as EnvironmentError;
    }
  });

  test('synth fails with one problem per missing secret, each naming its sealed-secrets file, and leaves the out dir untouched', () => {
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(snapshotDir(outDir)).toEqual(before);
    expect(swapLeftovers(outDir)).toEqual([]);
    // Exactly the secrets the External Secrets render fetches, one problem each.
    const expected = Object.entries(externalSecretsOfRegionA())
      .flatMap(([env, refs]) => refs.map((ref) => `sealed-secrets/region-a/${env}/${ref.replace('/', '_')}.yaml`))
      .sort();
    expect(expected.length).toBeGreaterThan(20);
    expect(err.problems.map((p) => p.file).sort()).toEqual(expected);
    for (const p of err.problems) {
      expect(p.path).toBe('');
      expect(p.message).toMatch(/^secret \S+\/\S+ \(keys .+\) is not sealed yet for this cluster$/);
      expect(p.fix).toMatch(
        new RegExp(
          `\\| kubeseal --controller-namespace kube-system --controller-name sealed-secrets-controller -o yaml > <environments>/${p.file.replace(/\./g, '\\.')}$`,
        ),
      );
    }
    // Listed in the report under each file, the command writing into the folder given (not the project's environments/).
    expect(err.message.split('\n')[0]).toBe(`${expected.length} problems in ${envDir}; nothing was written.`);
    // A folder outside the working directory is named by its absolute path.
    for (const p of err.problems) expect(`${err.message}\n`).toContain(`-o yaml > ${envDir}/${p.file}\n`);
    expect(err.message).not.toContain('> environments/');
    expect(err.message).not.toContain('<environments>');
  });

  test('once each file holds the sealed secret kubeseal wrote, synth renders SealedSecrets and no ExternalSecret for the region', () => {
    // Stand-ins for kubeseal output: the keys each problem names, with ciphertext of kubeseal's shape.
    const files: Record<string, string> = {};
    for (const p of err.problems) {
      const [, namespace, name, keys] = /^secret ([^/]+)\/(\S+) \(keys (.+)\) is not sealed yet/.exec(p.message)!;
      const type = /--type=(\S+)/.exec(p.fix)?.[1];
      files[p.file] = yaml.dump({
        apiVersion: 'bitnami.com/v1alpha1',
        kind: 'SealedSecret',
        metadata: { name, namespace },
        spec: {
          encryptedData: Object.fromEntries(keys.split(', ').map((k) => [k, sealedValue(`${p.file} ${k}`)])),
          template: { metadata: { name, namespace }, ...(type ? { type } : {}) },
        },
      });
    }
    writeFiles(envDir, files);
    const sealedOut = path.join(tempDir('strata-sealed-out-'), 'dist');
    synth({ envDir, outDir: sealedOut });
    const rendered = filesUnder(path.join(sealedOut, 'region-a'));
    expect(rendered.filter((f) => f.includes('_externalsecret_'))).toEqual([]);
    expect(rendered.filter((f) => f.includes('_sealedsecret_'))).toHaveLength(err.problems.length);
    // region-b still uses External Secrets.
    expect(filesUnder(path.join(sealedOut, 'region-b')).filter((f) => f.includes('_sealedsecret_'))).toEqual([]);
  });
});
