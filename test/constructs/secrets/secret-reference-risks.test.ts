/** Review rule for ExternalSecrets: a secret read from another store, or other keys. */
import { SECRET_REFERENCE_RISKS } from '../../../constructs/secrets/secret-reference-risks';

const check = SECRET_REFERENCE_RISKS[0].check;
const es = (store: string, key = 'region-a/prod/postgres/app') => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'app', namespace: 'apps' },
  spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: store }, data: [{ secretKey: 'password', remoteRef: { key, property: 'password' } }] },
});

test('another store or other keys are flagged', () => {
  expect(check(es('platform-secrets'), es('team-secrets'))[0]).toMatchObject({ field: 'spec.secretStoreRef' });
  expect(check(es('platform-secrets'), es('platform-secrets', 'region-b/prod/postgres/app'))[0].field).toBe('spec.data');
});

test('the same references, a new and a removed ExternalSecret, are not', () => {
  expect(check(es('platform-secrets'), es('platform-secrets'))).toEqual([]);
  expect(check(undefined, es('platform-secrets'))).toEqual([]);
  expect(check(es('platform-secrets'), undefined)).toEqual([]);
});
