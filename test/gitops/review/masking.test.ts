/**
 * Masking: secret-looking values planted in a tree never appear in any format of the report,
 * while references (ExternalSecrets, `...Ref`, `...Name`) stay readable.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isCredentialKey, isSecretPath, MASK, scrub } from '../../../gitops/review/masking';
import { readRenderedTree } from '../../../gitops/review/rendered-tree';
import { diffTrees } from '../../../gitops/review/tree-diff';
import { toYaml } from '../../../gitops/yaml';
import { report } from '../../../scripts/diff';
import { removeTempDirs, tempDir, writeFiles } from '../../support/temp';

afterAll(removeTempDirs);

const PLANTED = [
  'planted-stringdata-value-1',
  'cGxhbnRlZC1kYXRhLXZhbHVlLTI=',
  'ENC[AES256_GCM,data:cGxhbnRlZA==,iv:AAAA,tag:BBBB,type:str]',
  'AgBplantedSealedCiphertext3',
  'planted-configmap-password-4',
  'planted-env-token-value-5',
  'planted-helm-values-apikey-6',
  'planted-sops-mac-value-7',
];

function tree(version: number): string {
  const dir = tempDir('strata-mask-');
  const meta = (name: string) => ({ name: `${name}`, namespace: 'apps' });
  const objects: Record<string, unknown> = {
    'region-a/prod/apps/apps_secret_db.yaml': {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('db'),
      stringData: { password: version ? PLANTED[0] : 'old-value-aaaaaaaa' },
      data: { key: version ? PLANTED[1] : 'b2xk' },
    },
    'region-a/prod/apps/apps_secret_sops.yaml': {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('sops'),
      stringData: { token: version ? PLANTED[2] : 'ENC[AES256_GCM,data:b2xk,iv:CCCC,tag:DDDD,type:str]' },
      sops: { mac: version ? PLANTED[7] : 'old-mac-value-aaaa', version: '3.9.0' },
    },
    'region-a/prod/apps/apps_sealedsecret_login.yaml': {
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: meta('login'),
      spec: { encryptedData: { users: version ? PLANTED[3] : 'AgBoldCiphertext' } },
    },
    'region-a/prod/apps/apps_configmap_settings.yaml': {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('settings'),
      data: { DB_PASSWORD: version ? PLANTED[4] : 'old-password-aaaa', DB_HOST: 'postgres-rw' },
    },
    'region-a/prod/apps/apps_deployment_web.yaml': {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web'),
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [{ name: 'web', image: `web:${version}`, env: [{ name: 'API_TOKEN', value: version ? PLANTED[5] : 'old-token-aaaaaaaa' }] }],
          },
        },
      },
    },
    'region-a/prod/apps/apps_helmrelease_tool.yaml': {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: meta('tool'),
      spec: { values: { auth: { apiKey: version ? PLANTED[6] : 'old-apikey-aaaaaaa' } } },
    },
    'region-a/prod/apps/apps_externalsecret_db.yaml': {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: meta('db'),
      spec: {
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'platform-secrets' },
        data: [{ secretKey: 'password', remoteRef: { key: `region-a/prod/apps/db-v${version}`, property: 'password' } }],
      },
    },
  };
  writeFiles(dir, Object.fromEntries(Object.entries(objects).map(([rel, m]) => [rel, toYaml(m)])));
  return dir;
}

test('no planted value appears in markdown, text or JSON; references stay readable', () => {
  const base = readRenderedTree(tree(0));
  const head = readRenderedTree(tree(1));
  const diff = diffTrees(base, head);
  expect(diff.changes.map((c) => c.id)).toHaveLength(7);
  const ctx = { base: 'base', head: 'head', treePath: 'dist', topologies: new Set<string>(), failOn: new Set<any>(['data-loss']) };
  for (const format of ['markdown', 'text', 'json'] as const) {
    const out = report(diff, ctx, format, [base, head]);
    for (const value of PLANTED) expect(out).not.toContain(value);
    for (const old of ['old-value-aaaaaaaa', 'old-password-aaaa', 'old-token-aaaaaaaa', 'old-apikey-aaaaaaa', 'old-mac-value-aaaa']) {
      expect(out).not.toContain(old);
    }
    expect(out).toContain(MASK);
    // The ExternalSecret's reference moved, and it is shown.
    expect(out).toContain('region-a/prod/apps/db-v1');
    expect(out).toContain('web:1');
  }
});

test('credential keys and references', () => {
  for (const key of ['password', 'adminPassword', 'DB_PASSWORD', 'apiKey', 'api-key', 'token', 'clientSecret', 'secret_access_key', 'privateKey']) {
    expect(isCredentialKey(key)).toBe(true);
  }
  for (const key of ['passwordSecretRef', 'secretName', 'existingSecretName', 'secretStoreRef', 'tokenSecretRef', 'name', 'image', 'passwordKey']) {
    expect(isCredentialKey(key)).toBe(false);
  }
  expect(isSecretPath('Deployment', ['spec', 'passwordSecret'], { name: 'x', key: 'y' })).toBe(false);
  expect(isSecretPath('Deployment', ['spec', 'passwordSecret', 'name'], 'x')).toBe(false);
  expect(isSecretPath('Deployment', ['env', 'DB_PASSWORD', 'value'], 'x')).toBe(true);
  expect(isSecretPath('ExternalSecret', ['spec', 'data', '0', 'secretKey'], 'password')).toBe(false);
});

test('the scrub replaces every occurrence, JSON-escaped ones too', () => {
  expect(scrub('a "s3cr3t\\"x" b s3cr3t"x', new Set(['s3cr3t"x']))).toBe(`a "${MASK}" b ${MASK}`);
  expect(fs.existsSync(path.join(__dirname))).toBe(true);
});
