import * as yaml from 'js-yaml';
import { SecretReference } from '../../../constructs/secrets/secret-reference';
import { isSopsEncrypted } from '../../../constructs/secrets/sops-secret';
import type { SecretBackend } from '../../../environments/model';
import { testLayer } from '../../support/layer';
import { SOPS_BASIC_AUTH } from '../../support/sops';

const manifest = yaml.load(SOPS_BASIC_AUTH) as Record<string, any>;
const backend = (secrets: Record<string, any> = {}): SecretBackend => ({
  kind: 'sops',
  sops: { decryptionSecret: 'sops-age', dir: 'sops/region-a/prod', secrets },
});
const committed = { 'harbor/postgres-harbor-credentials': { text: SOPS_BASIC_AUTH, manifest, keys: ['password', 'username'] } };

function reference(
  b: SecretBackend,
  keys: Record<string, string> = { username: 'username', password: 'password' },
  type = 'kubernetes.io/basic-auth',
) {
  const layer = testLayer('data');
  new SecretReference(layer.chart, 'Credentials', {
    backend: b,
    namespace: 'harbor',
    name: 'postgres-harbor-credentials',
    remoteKey: 'unused',
    keys,
    type,
  });
  return layer;
}

test('the committed document is rendered as it is: no label or field of the chart is added, which would break its MAC', () => {
  const layer = reference(backend(committed));
  const rendered = layer.all('Secret');
  expect(rendered).toEqual([manifest]);
  expect(rendered[0].metadata.labels).toBeUndefined();
  expect(isSopsEncrypted(rendered[0])).toBe(true);
  expect(layer.context.problems).toEqual([]);
});

test('a Secret not committed yet is a problem that gives the sops command, with the keys and type its consumer needs', () => {
  const layer = reference(backend());
  expect(layer.all('Secret')).toEqual([]);
  expect(layer.context.problems).toEqual([
    expect.objectContaining({
      file: 'sops/region-a/prod/harbor_postgres-harbor-credentials.sops.yaml',
      message: expect.stringContaining('keys password, username'),
      fix: expect.stringMatching(
        /--type=kubernetes\.io\/basic-auth --from-literal=password=\.\.\. --from-literal=username=\.\.\. .*sops --encrypt .*> <environments>\/sops\/region-a\/prod\/harbor_postgres-harbor-credentials\.sops\.yaml$/,
      ),
    }),
  ]);
});

test('a committed Secret without a key, or of another type, is refused', () => {
  const missing = reference(backend(committed), { username: 'username', password: 'password', sslmode: 'sslmode' });
  expect(missing.context.problems).toEqual([
    expect.objectContaining({ path: 'data', message: 'lacks key(s) sslmode', value: ['password', 'username'] }),
  ]);
  const opaque = reference(backend(committed), { username: 'username', password: 'password' }, 'kubernetes.io/tls');
  expect(opaque.context.problems).toEqual([expect.objectContaining({ path: 'type', value: 'kubernetes.io/basic-auth' })]);
  expect(opaque.all('Secret')).toEqual([]);
});

test('only v1 Secrets with a sops block count as SOPS documents', () => {
  expect(isSopsEncrypted({ apiVersion: 'v1', kind: 'Secret', sops: {} })).toBe(true);
  expect(isSopsEncrypted({ apiVersion: 'v1', kind: 'Secret' })).toBe(false);
  expect(isSopsEncrypted({ apiVersion: 'v1', kind: 'ConfigMap', sops: {} })).toBe(false);
});
