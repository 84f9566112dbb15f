import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadEnvironments } from '../../environments/load';
import { checkSopsSecret, sopsRegionProblems, SOPS_VALUE } from '../../environments/sops-secret-checks';
import { synth } from '../../main';
import { environmentError } from '../support/problems';
import { SOPS_BASIC_AUTH, SOPS_TOKEN } from '../support/sops';
import { environmentsWith, removeTempDirs, snapshotDir, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const REL = 'sops/region-a/prod/harbor_postgres-harbor-credentials.sops.yaml';
const doc = () => yaml.load(SOPS_BASIC_AUTH) as any;

describe('a SOPS file', () => {
  test('as sops writes it has no problems', () => {
    expect(checkSopsSecret(REL, doc())).toEqual([]);
    expect(checkSopsSecret('sops/homelab/prod/external-secrets_onepassword-connect-token.sops.yaml', yaml.load(SOPS_TOKEN))).toEqual([]);
  });

  test('a plain value is refused by key, and never shown', () => {
    const d = doc();
    d.stringData.password = 'hunter2-but-longer';
    const problems = checkSopsSecret(REL, d);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: REL, path: 'stringData.password' });
    expect(problems[0].message).toMatch(/not SOPS ciphertext/);
    expect(problems[0].fix).toMatch(/rotate it.*sops --encrypt/);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  test('a file without a sops block is refused as unencrypted', () => {
    const { sops: _sops, ...plain } = doc();
    const problems = checkSopsSecret(REL, plain);
    expect(problems.map((p) => p.path)).toEqual(['sops']);
    expect(problems[0].message).toMatch(/not encrypted/);
  });

  test('the age recipient and the MAC must be what sops writes', () => {
    const d = doc();
    d.sops.age[0].recipient = 'age1notarecipient';
    delete d.sops.mac;
    expect(checkSopsSecret(REL, d).map((p) => p.path)).toEqual(['sops.age', 'sops.mac']);
  });

  test('the file is named after the Secret it holds, and holds a Secret', () => {
    expect(checkSopsSecret('sops/region-a/prod/harbor_other.sops.yaml', doc())).toEqual([
      expect.objectContaining({ path: 'metadata', fix: expect.stringContaining('harbor_postgres-harbor-credentials.sops.yaml') }),
    ]);
    expect(checkSopsSecret(REL, { ...doc(), kind: 'ConfigMap' })).toEqual([expect.objectContaining({ path: 'kind', value: 'ConfigMap' })]);
  });

  test('ciphertext has the shape of AES-256-GCM values', () => {
    expect(SOPS_VALUE.test(doc().stringData.username)).toBe(true);
    expect(SOPS_VALUE.test('ENC[AES256_GCM,data:abc,type:str]')).toBe(false);
  });
});

describe('SOPS in a region', () => {
  test('an Argo CD region cannot use it: Argo CD would apply the ciphertext', () => {
    const argo = { gitops: { engine: 'argocd' }, secrets: { kind: 'sops' } };
    expect(sopsRegionProblems('regions/r.yaml', argo)).toEqual([
      expect.objectContaining({ path: 'secrets.kind', value: 'sops', fix: expect.stringMatching(/sealed-secrets.*external-secrets.*flux/) }),
    ]);
    const bootstrap = { gitops: { engine: 'argocd' }, secrets: { kind: 'external-secrets', sops: {} } };
    expect(sopsRegionProblems('regions/r.yaml', bootstrap).map((p) => p.path)).toEqual(['secrets.sops']);
    expect(sopsRegionProblems('regions/r.yaml', { gitops: { engine: 'flux' }, secrets: { kind: 'sops' } })).toEqual([]);
  });

  test('with secrets.kind sops, every credential must be committed: the missing ones name the sops command', () => {
    const dir = environmentsWith({ 'regions/region-a.yaml': { merge: { secrets: { kind: 'sops', storeName: null } } } });
    const region = yaml.load(fs.readFileSync(path.join(dir, 'regions/region-a.yaml'), 'utf8')) as any;
    region.secrets = { kind: 'sops' };
    fs.writeFileSync(path.join(dir, 'regions/region-a.yaml'), yaml.dump(region));
    const out = path.join(tempDir(), 'dist');
    const before = snapshotDir(out);
    const err = environmentError(() => synth({ envDir: dir, outDir: out, only: ['region-a/prod'] }));
    const problem = err.problems.find((p) => p.file === 'sops/region-a/prod/postgres_postgres-hrm-credentials.sops.yaml');
    expect(problem).toMatchObject({
      path: '',
      message: expect.stringMatching(/postgres\/postgres-hrm-credentials \(keys password, username\) is not committed yet/),
    });
    expect(problem!.fix).toMatch(
      /kubectl create secret generic postgres-hrm-credentials -n postgres --type=kubernetes.io\/basic-auth .*\| sops --encrypt/,
    );
    // The printed command writes into the folder the user passed, not the project's environments/.
    expect(err.message).toContain(`> ${dir}/sops/region-a/prod/postgres_postgres-hrm-credentials.sops.yaml`);
    expect(snapshotDir(out)).toEqual(before);
  });

  test('a committed file is rendered byte for byte, and the layer holding it is decrypted by Flux', () => {
    const dir = environmentsWith({});
    const region = yaml.load(fs.readFileSync(path.join(dir, 'regions/region-a.yaml'), 'utf8')) as any;
    region.secrets = { ...region.secrets, sops: { decryptionSecret: 'flux-age' } };
    region.secrets.store = {
      onepassword: {
        connectHost: 'https://connect.example.org',
        vaults: { platform: 1 },
        token: { name: 'onepassword-connect-token', key: 'token' },
      },
    };
    fs.writeFileSync(path.join(dir, 'regions/region-a.yaml'), yaml.dump(region));
    fs.mkdirSync(path.join(dir, 'sops/region-a/dev'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sops/region-a/dev/external-secrets_onepassword-connect-token.sops.yaml'), SOPS_TOKEN);
    const out = path.join(tempDir(), 'dist');
    synth({ envDir: dir, outDir: out, only: ['region-a/dev'] });
    const [file] = fs.readdirSync(path.join(out, 'region-a/dev/data')).filter((f) => f.startsWith('external-secrets_secret_'));
    expect(file).toBe('external-secrets_secret_onepassword-connect-token.yaml');
    expect(fs.readFileSync(path.join(out, 'region-a/dev/data', file), 'utf8')).toBe(SOPS_TOKEN);
    const entry = (layer: string) =>
      yaml.load(fs.readFileSync(path.join(out, `clusters/region-a-dev/flux-system_kustomization_strata-${layer}.yaml`), 'utf8')) as any;
    expect(entry('data').spec.decryption).toEqual({ provider: 'sops', secretRef: { name: 'flux-age' } });
    expect(entry('foundation').spec.decryption).toBeUndefined();
  });

  test('a plain value in a committed file stops the load', () => {
    const dir = environmentsWith({});
    const region = yaml.load(fs.readFileSync(path.join(dir, 'regions/region-a.yaml'), 'utf8')) as any;
    region.secrets = { kind: 'sops' };
    fs.writeFileSync(path.join(dir, 'regions/region-a.yaml'), yaml.dump(region));
    const d = doc();
    d.stringData.password = 'correct-horse-battery-staple';
    fs.mkdirSync(path.join(dir, 'sops/region-a/prod'), { recursive: true });
    fs.writeFileSync(path.join(dir, REL), yaml.dump(d));
    const err = environmentError(() => loadEnvironments(dir));
    expect(err.problems).toEqual([
      expect.objectContaining({ file: REL, path: 'stringData.password', message: expect.stringMatching(/not SOPS ciphertext/) }),
    ]);
    expect(err.message).not.toContain('correct-horse');
  });
});
