import { Construct } from 'constructs';
import { GitOpsSpec, PlatformApp } from '../../../constructs';
import type { SecretBackend } from '../../../constructs/core/secret-backend';
import { SecretReference } from '../../../constructs/secrets/secret-reference';
import { SchemaValidator } from '../../../gitops/validator';

const gitops: GitOpsSpec = { engine: 'flux', path: './clusters', sourceRef: { name: 'flux-system', namespace: 'flux-system' }, interval: '10m' };

const VAULT: SecretBackend = {
  kind: 'external-secrets',
  storeName: 'openbao',
  storeKind: 'ClusterSecretStore',
  refreshInterval: '1h',
  store: { vault: { server: 'https://bao.example.org:8200', path: 'platform', auth: { kubernetes: { role: 'strata' } } } },
};
const ONEPASSWORD: SecretBackend = {
  kind: 'external-secrets',
  storeName: 'onepassword',
  storeKind: 'ClusterSecretStore',
  refreshInterval: '1h',
  store: {
    onepassword: {
      connectHost: 'http://onepassword-connect.onepassword:8080',
      vaults: { platform: 1, shared: 2 },
      token: { name: 'onepassword-connect-token', key: 'token' },
    },
  },
};

/** A PlatformApp with secret references in the data and streaming layers. */
function platform(backend: SecretBackend) {
  const app = new PlatformApp({ region: 'eu-west', environment: 'prod', gitops });
  for (const [layer, namespace] of [
    ['data', 'postgres'],
    ['streaming', 'kafka'],
  ] as const) {
    app.context.requireNamespace({ name: namespace, workload: true });
    new SecretReference(new Construct(app.layer(layer), 'Owner'), 'Secret', {
      backend,
      namespace,
      name: 'app-credentials',
      remoteKey: 'eu-west/prod/app',
      keys: { password: 'password' },
    });
  }
  const layers = app.completeLayers();
  const objects = layers.flatMap((l) => l.toJson().map((o: any) => ({ layer: l.layer, ...o })));
  return { layers, objects };
}

describe('PlatformSecretStore', () => {
  test("Vault or OpenBao with kubernetes auth: one ClusterSecretStore in the first user's layer, the operator logging in as its service account", () => {
    const { layers, objects } = platform(VAULT);
    const stores = objects.filter((o) => o.kind === 'ClusterSecretStore');
    expect(stores).toHaveLength(1);
    expect(stores[0]).toMatchObject({
      layer: 'data',
      apiVersion: 'external-secrets.io/v1',
      metadata: {
        name: 'openbao',
        annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' },
      },
      spec: {
        provider: {
          vault: {
            server: 'https://bao.example.org:8200',
            path: 'platform',
            version: 'v2',
            auth: {
              kubernetes: { mountPath: 'kubernetes', role: 'strata', serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } },
            },
          },
        },
      },
    });
    const streaming = layers.find((l) => l.layer === 'streaming')!;
    expect([...streaming.layerDependencies].map((l) => l.layer)).toContain('data');
    // 8200 is open to the operator already: no policy of its own.
    expect(objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('allow-external-secrets-to-'))).toEqual([]);
    const validator = new SchemaValidator();
    expect(objects.flatMap(({ layer: _layer, ...o }) => validator.validate(o))).toEqual([]);
  });

  test('a token from the bootstrap Secret, and a CA bundle as the CRD takes it (base64 of the PEM)', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const backend: SecretBackend = {
      ...VAULT,
      store: { vault: { server: 'https://vault.internal:8200', caBundle: pem, auth: { token: { name: 'vault-token', key: 'token' } } } },
    } as SecretBackend;
    const { objects } = platform(backend);
    const vault = objects.find((o) => o.kind === 'ClusterSecretStore').spec.provider.vault;
    expect(vault.auth).toEqual({ tokenSecretRef: { name: 'vault-token', key: 'token', namespace: 'external-secrets' } });
    expect(Buffer.from(vault.caBundle, 'base64').toString('utf8')).toBe(pem);
    expect(vault.path).toBe('secret');
  });

  test("1Password Connect with its token, and the path to Connect's port from the operator", () => {
    const { objects } = platform(ONEPASSWORD);
    expect(objects.find((o) => o.kind === 'ClusterSecretStore').spec.provider).toEqual({
      onepassword: {
        connectHost: 'http://onepassword-connect.onepassword:8080',
        vaults: { platform: 1, shared: 2 },
        auth: { secretRef: { connectTokenSecretRef: { name: 'onepassword-connect-token', key: 'token', namespace: 'external-secrets' } } },
      },
    });
    const egress = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-external-secrets-to-onepassword');
    expect(egress.metadata.namespace).toBe('external-secrets');
    expect(egress.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
  });

  const cloud = (store: any): SecretBackend => ({
    kind: 'external-secrets',
    storeName: 'cloud',
    storeKind: 'ClusterSecretStore',
    refreshInterval: '1h',
    store,
  });
  const providerOf = (store: any) => {
    const { objects } = platform(cloud(store));
    const found = objects.filter((o) => o.kind === 'ClusterSecretStore');
    const { layer: _layer, ...store0 } = found[0];
    expect(new SchemaValidator().validate(store0)).toEqual([]);
    // The providers' APIs are on 443: no egress policy of the store's own.
    expect(objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-external-secrets-to-cloud')).toEqual([]);
    return found[0].spec.provider;
  };

  test("AWS Secrets Manager: the operator's own identity (IRSA), an assumed role, or an IAM user's keys from a bootstrap Secret", () => {
    expect(providerOf({ aws: { region: 'eu-central-1', role: 'arn:aws:iam::123456789012:role/strata', auth: { serviceAccount: {} } } })).toEqual({
      aws: {
        service: 'SecretsManager',
        region: 'eu-central-1',
        role: 'arn:aws:iam::123456789012:role/strata',
        auth: { jwt: { serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } },
      },
    });
    const keys = providerOf({
      aws: { region: 'us-east-1', auth: { accessKey: { name: 'aws-keys', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret' } } },
    });
    expect(keys.aws.auth).toEqual({
      secretRef: {
        accessKeyIDSecretRef: { name: 'aws-keys', key: 'id', namespace: 'external-secrets' },
        secretAccessKeySecretRef: { name: 'aws-keys', key: 'secret', namespace: 'external-secrets' },
      },
    });
  });

  test('Google Cloud Secret Manager: Workload Identity by default, or a service-account key', () => {
    expect(providerOf({ gcp: { projectId: 'platform-prod' } })).toEqual({ gcpsm: { projectID: 'platform-prod' } });
    expect(providerOf({ gcp: { projectId: 'platform-prod', serviceAccountKey: { name: 'gcp-sa', key: 'key.json' } } }).gcpsm.auth).toEqual({
      secretRef: { secretAccessKeySecretRef: { name: 'gcp-sa', key: 'key.json', namespace: 'external-secrets' } },
    });
  });

  test('Azure Key Vault: Workload Identity, or a service principal from a bootstrap Secret', () => {
    const base = { vaultUrl: 'https://platform.vault.azure.net', tenantId: '00000000-0000-4000-8000-000000000000' };
    expect(providerOf({ azure: { ...base, auth: { workloadIdentity: {} } } })).toEqual({
      azurekv: { ...base, authType: 'WorkloadIdentity', serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } },
    });
    const sp = providerOf({
      azure: { ...base, auth: { servicePrincipal: { name: 'azure-sp', clientIdKey: 'client-id', clientSecretKey: 'client-secret' } } },
    });
    expect(sp.azurekv).toMatchObject({
      authType: 'ServicePrincipal',
      authSecretRef: {
        clientId: { name: 'azure-sp', key: 'client-id', namespace: 'external-secrets' },
        clientSecret: { name: 'azure-sp', key: 'client-secret', namespace: 'external-secrets' },
      },
    });
  });

  test('no store in the backend renders none; a namespaced store kind and a URL that is not one are refused', () => {
    const { store: _store, ...plain } = VAULT as Extract<SecretBackend, { kind: 'external-secrets' }>;
    expect(platform(plain).objects.filter((o) => o.kind === 'ClusterSecretStore')).toEqual([]);
    expect(() => platform({ ...VAULT, storeKind: 'SecretStore' } as SecretBackend)).toThrow('set secrets.storeKind: ClusterSecretStore');
    expect(() => platform({ ...VAULT, store: { vault: { server: 'vault:8200', auth: { kubernetes: { role: 'r' } } } } } as SecretBackend)).toThrow(
      /secret store openbao: "vault:8200" is not an http\(s\) URL|is not a URL/,
    );
  });
});
