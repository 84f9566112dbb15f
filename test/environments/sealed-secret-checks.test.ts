/**
 * environments/sealed-secret-checks.ts: a sealed-secret file must hold kubeseal's output;
 * plain or base64-encoded values, inconsistent scope annotations and copies of the plain
 * object are refused by key, never showing a value, and nothing is written.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { checkSealedSecret, ciphertextProblem, CLUSTER_WIDE, NAMESPACE_WIDE } from '../../environments/sealed-secret-checks';
import { synth } from '../../main';
import { environmentError } from '../support/problems';
import { deterministicBytes, sealedValue } from '../support/sealed';
import { environmentsWith, readEnvironmentsFile, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const FILE = 'sealed-secrets/region-a/prod/postgres_postgres-hrm-credentials.yaml';

function sealedSecret(
  encryptedData: Record<string, unknown>,
  options: { annotations?: Record<string, string>; template?: Record<string, unknown> } = {},
) {
  return {
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    metadata: { name: 'postgres-hrm-credentials', namespace: 'postgres', ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: {
      encryptedData,
      template: { metadata: { name: 'postgres-hrm-credentials', namespace: 'postgres', ...options.template }, type: 'kubernetes.io/basic-auth' },
    },
  };
}

const withStructure = (rsaLength: number, rest: Buffer) => {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(rsaLength);
  return Buffer.concat([prefix, rest]).toString('base64');
};

describe('ciphertext', () => {
  test("kubeseal's shape passes, for 2048- to 4096-bit keys", () => {
    expect(ciphertextProblem(sealedValue('hrm password'))).toBeUndefined();
    expect(ciphertextProblem(withStructure(256, deterministicBytes('2048-bit', 256 + 16 + 8)))).toBeUndefined();
    expect(ciphertextProblem(withStructure(384, deterministicBytes('3072-bit', 384 + 16)))).toBeUndefined();
  });

  test.each([
    ['a plain password', 'hunter2', /^it is not base64$/],
    [
      'base64 of a short string',
      Buffer.from('hunter2').toString('base64'),
      /^its length prefix \(26741\) is not the size of an RSA-encrypted session key/,
    ],
    ['a length prefix of 512 with nothing behind it', 'AgA0c2VhbGVk', /^it decodes to 9 bytes, fewer than the 530 of its RSA block and AES-GCM tag$/],
    ['a truncated RSA block', withStructure(512, deterministicBytes('short', 400)), /^it decodes to 402 bytes, fewer than the 530/],
    ['a length prefix that is no RSA size', withStructure(300, deterministicBytes('odd', 400)), /^its length prefix \(300\)/],
    ['readable text behind a valid prefix', withStructure(256, Buffer.from('x'.repeat(300))), /^its RSA block is readable text$/],
    ['a number', 12345, /^it is not a string$/],
  ])('%s is refused', (_name, value, reason) => {
    expect(ciphertextProblem(value)).toMatch(reason);
  });

  test('the problem names the file and key, never the value, and gives the kubeseal command', () => {
    const problems = checkSealedSecret(FILE, sealedSecret({ username: sealedValue('u'), password: 'hunter2' }));
    expect(problems).toEqual([
      {
        file: FILE,
        path: 'spec.encryptedData.password',
        message: 'is not kubeseal ciphertext (it is not base64): a plain value would be rendered into dist/ as it is',
        fix: `treat the value as leaked and rotate it, then seal the Secret again: kubeseal --format yaml < secret.yaml > <environments>/${FILE} (README, section Secrets)`,
      },
    ]);
  });
});

describe('scope annotations', () => {
  const data = () => ({ password: sealedValue('p') });

  test('strict (no annotation), namespace-wide and cluster-wide as kubeseal writes them pass', () => {
    expect(checkSealedSecret(FILE, sealedSecret(data()))).toEqual([]);
    for (const a of [NAMESPACE_WIDE, CLUSTER_WIDE]) {
      expect(checkSealedSecret(FILE, sealedSecret(data(), { annotations: { [a]: 'true' }, template: { annotations: { [a]: 'true' } } }))).toEqual([]);
    }
  });

  test('a value other than "true" is refused: the controller would read strict scope', () => {
    expect(checkSealedSecret(FILE, sealedSecret(data(), { annotations: { [CLUSTER_WIDE]: 'false' } }))).toEqual([
      expect.objectContaining({
        path: `metadata.annotations.${CLUSTER_WIDE}`,
        value: 'false',
        message: 'is not "true": the controller reads it as strict scope',
      }),
    ]);
  });

  test('both scopes at once are refused', () => {
    const problems = checkSealedSecret(FILE, sealedSecret(data(), { annotations: { [CLUSTER_WIDE]: 'true', [NAMESPACE_WIDE]: 'true' } }));
    expect(problems).toEqual([expect.objectContaining({ path: 'metadata.annotations', message: 'sets both cluster-wide and namespace-wide scope' })]);
  });

  test("a template scope other than the object's is refused", () => {
    const problems = checkSealedSecret(FILE, sealedSecret(data(), { template: { annotations: { [CLUSTER_WIDE]: 'true' } } }));
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'spec.template.metadata.annotations',
        value: 'cluster-wide',
        message: 'gives a scope other than metadata.annotations (strict)',
      }),
    ]);
  });

  test('with strict scope, a template sealed for another name is refused; namespace-wide allows the rename, not another namespace; cluster-wide allows both', () => {
    expect(checkSealedSecret(FILE, sealedSecret(data(), { template: { name: 'other' } }))).toEqual([
      expect.objectContaining({
        path: 'spec.template.metadata.name',
        value: 'other',
        message: expect.stringMatching(/^differs from metadata\.name \("postgres-hrm-credentials"\): with strict scope/),
      }),
    ]);
    const nsWide = { [NAMESPACE_WIDE]: 'true' };
    expect(checkSealedSecret(FILE, sealedSecret(data(), { annotations: nsWide, template: { name: 'other', annotations: nsWide } }))).toEqual([]);
    expect(
      checkSealedSecret(FILE, sealedSecret(data(), { annotations: nsWide, template: { namespace: 'kafka', annotations: nsWide } })).map(
        (p) => p.path,
      ),
    ).toEqual(['spec.template.metadata.namespace']);
    const clusterWide = { [CLUSTER_WIDE]: 'true' };
    expect(
      checkSealedSecret(
        FILE,
        sealedSecret(data(), { annotations: clusterWide, template: { name: 'other', namespace: 'kafka', annotations: clusterWide } }),
      ),
    ).toEqual([]);
  });

  test('a copy of the applied object (the plain Secret) is refused, as is a credential elsewhere in the file', () => {
    const lastApplied = { 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Secret","data":{"password":"aHVudGVy"}}' };
    expect(checkSealedSecret(FILE, sealedSecret(data(), { annotations: lastApplied })).map((p) => p.path)).toEqual([
      'metadata.annotations.kubectl.kubernetes.io/last-applied-configuration',
    ]);
    const leaked = checkSealedSecret(FILE, sealedSecret(data(), { annotations: { note: 'dsn postgresql://hrm:hunter2hunter2@db/hrm' } }));
    expect(leaked.map((p) => p.path)).toEqual(['metadata.annotations.note']);
    expect(JSON.stringify(leaked)).not.toContain('hunter2');
  });
});

describe('synth with a region on Sealed Secrets', () => {
  const region = readEnvironmentsFile('regions/region-a.yaml');

  test('a plaintext value in a sealed-secret file is refused and nothing is written', () => {
    const envDir = environmentsWith({
      'regions/region-a.yaml': yaml.dump({ ...region, secrets: { kind: 'sealed-secrets' } }),
      [FILE]: yaml.dump(sealedSecret({ username: sealedValue('u'), password: 'hunter2-in-plain-text' })),
    });
    const outDir = path.join(tempDir('strata-sealed-plain-'), 'dist');
    const err = environmentError(() => synth({ envDir, outDir }));
    expect(fs.existsSync(outDir)).toBe(false);
    expect(err.problems.filter((p) => p.file === FILE)).toEqual([
      expect.objectContaining({ path: 'spec.encryptedData.password', message: expect.stringMatching(/^is not kubeseal ciphertext/) }),
    ]);
    expect(err.message).not.toContain('hunter2');
  });
});
