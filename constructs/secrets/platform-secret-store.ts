import { Construct, IConstruct } from 'constructs';
import { SopsSecret } from './sops-secret';
import * as eso from '../../imports/external-secrets.io';
import type { BootstrapSecretKey, SecretBackend, SecretStoreSpec, SopsFiles } from '../core/secret-backend';
import { operatorDefinition } from '../operators/catalog';
import { dependOnLayerOf } from '../platform/layer-chart';
import { allowEgressToAddresses } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { protectFromPrune } from '../platform/protection';

/** Ports the External Secrets operator may already reach anywhere (its operator egress). */
const OPEN_PORTS = new Set([443, 8200]);

type ExternalSecretsBackend = Extract<SecretBackend, { kind: 'external-secrets' }>;

/**
 * The ClusterSecretStore every ExternalSecret of the overlay reads through, when the region
 * says what it is (`secrets.store`): HashiCorp Vault or OpenBao, or 1Password Connect. One
 * per overlay, created in the layer of its first user (its CRD comes with the operators
 * layer), the others depending on that layer; protected from pruning like the platform CA,
 * so it moves between layers without a gap in which no secret refreshes. Its credential is a
 * service-account login (Vault's kubernetes auth) or one bootstrap Secret in the operator's
 * namespace: the one secret made by hand (README, section Secrets), or, in a region with SOPS,
 * committed encrypted and rendered beside the store.
 */
export class PlatformSecretStore extends Construct {
  /** The overlay's store, created on first use; undefined when the backend renders none. */
  public static of(scope: IConstruct, backend: ExternalSecretsBackend): PlatformSecretStore | undefined {
    if (!backend.store) return undefined;
    const ctx = OverlayContext.of(scope);
    const existing = ctx.node.tryFindChild('PlatformSecretStoreRef') as StoreRef | undefined;
    if (existing) {
      if (existing.store.storeName !== backend.storeName) {
        throw new Error(
          `the overlay renders secret store ${existing.store.storeName}; a second store (${backend.storeName}) in the same overlay is not supported`,
        );
      }
      dependOnLayerOf(scope as Construct, existing.store);
      return existing.store;
    }
    const store = new PlatformSecretStore(scope as Construct, backend.storeName, backend.store, backend.storeKind, backend.sops);
    new StoreRef(ctx, 'PlatformSecretStoreRef', store);
    return store;
  }

  private constructor(
    scope: Construct,
    public readonly storeName: string,
    spec: SecretStoreSpec,
    storeKind: ExternalSecretsBackend['storeKind'],
    sops?: SopsFiles,
  ) {
    super(scope, 'PlatformSecretStore');
    if (storeKind !== 'ClusterSecretStore') {
      throw new Error(`secret store ${storeName}: Strata renders the store as a ClusterSecretStore; set secrets.storeKind: ClusterSecretStore`);
    }
    const operator = operatorDefinition('external-secrets');
    const store = new eso.ClusterSecretStore(this, 'Resource', {
      metadata: { name: storeName },
      spec: { provider: provider(storeName, spec, operator.namespace) },
    });
    protectFromPrune(store);
    // With SOPS, the bootstrap Secret is committed encrypted and rendered beside the store.
    const bootstrap = bootstrapSecret(spec);
    if (sops && bootstrap) {
      new SopsSecret(this, 'Bootstrap', { files: sops, namespace: operator.namespace, name: bootstrap.name, keys: bootstrap.keys });
    }
    // The cloud providers' APIs are on 443, which the operator reaches already.
    const url =
      'vault' in spec ? spec.vault.server : 'onepassword' in spec ? spec.onepassword.connectHost : 'azure' in spec ? spec.azure.vaultUrl : undefined;
    const port = url ? serverPort(storeName, url) : 443;
    if (!OPEN_PORTS.has(port)) {
      allowEgressToAddresses(this, 'AllowStore', {
        name: `allow-external-secrets-to-${storeName}`,
        from: { namespace: operator.namespace, podLabels: {} },
        cidrs: ['0.0.0.0/0'],
        ports: [port],
      });
    }
  }
}

/** The bootstrap Secret the store's credential is in, with its keys, if it has one. */
function bootstrapSecret(spec: SecretStoreSpec): { name: string; keys: string[] } | undefined {
  const one = (k: BootstrapSecretKey) => ({ name: k.name, keys: [k.key] });
  if ('onepassword' in spec) return one(spec.onepassword.token);
  if ('vault' in spec) return 'token' in spec.vault.auth ? one(spec.vault.auth.token) : undefined;
  if ('gcp' in spec) return spec.gcp.serviceAccountKey ? one(spec.gcp.serviceAccountKey) : undefined;
  if ('aws' in spec) {
    const a = spec.aws.auth;
    return 'accessKey' in a ? { name: a.accessKey.name, keys: [a.accessKey.accessKeyIdKey, a.accessKey.secretAccessKeyKey].sort() } : undefined;
  }
  const z = spec.azure.auth;
  return 'servicePrincipal' in z
    ? { name: z.servicePrincipal.name, keys: [z.servicePrincipal.clientIdKey, z.servicePrincipal.clientSecretKey].sort() }
    : undefined;
}

function provider(storeName: string, spec: SecretStoreSpec, operatorNamespace: string): eso.ClusterSecretStoreSpecProvider {
  if ('vault' in spec) {
    const v = spec.vault;
    const auth = v.auth;
    return {
      vault: {
        server: v.server,
        path: v.path ?? 'secret',
        version: (v.version ?? 'v2') === 'v2' ? eso.ClusterSecretStoreSpecProviderVaultVersion.V2 : eso.ClusterSecretStoreSpecProviderVaultVersion.V1,
        ...(v.namespace ? { namespace: v.namespace } : {}),
        // The CRD takes the PEM bundle base64-encoded (a CA certificate, not a secret).
        ...(v.caBundle ? { caBundle: Buffer.from(v.caBundle, 'utf8').toString('base64') } : {}),
        auth:
          'kubernetes' in auth
            ? {
                kubernetes: {
                  mountPath: auth.kubernetes.mountPath ?? 'kubernetes',
                  role: auth.kubernetes.role,
                  // The operator logs in as its own service account (the chart's default name).
                  serviceAccountRef: { name: 'external-secrets', namespace: operatorNamespace },
                },
              }
            : { tokenSecretRef: { name: auth.token.name, key: auth.token.key, namespace: operatorNamespace } },
      },
    };
  }
  // The operator's own service account (the chart's default name), for the workload identities.
  const operatorAccount = { name: 'external-secrets', namespace: operatorNamespace };
  if ('aws' in spec) {
    const a = spec.aws;
    return {
      aws: {
        service: eso.ClusterSecretStoreSpecProviderAwsService.SECRETS_MANAGER,
        region: a.region,
        ...(a.role ? { role: a.role } : {}),
        auth:
          'accessKey' in a.auth
            ? {
                secretRef: {
                  accessKeyIdSecretRef: { name: a.auth.accessKey.name, key: a.auth.accessKey.accessKeyIdKey, namespace: operatorNamespace },
                  secretAccessKeySecretRef: { name: a.auth.accessKey.name, key: a.auth.accessKey.secretAccessKeyKey, namespace: operatorNamespace },
                },
              }
            : { jwt: { serviceAccountRef: operatorAccount } },
      },
    };
  }
  if ('gcp' in spec) {
    const g = spec.gcp;
    return {
      gcpsm: {
        projectId: g.projectId,
        ...(g.serviceAccountKey
          ? {
              auth: {
                secretRef: {
                  secretAccessKeySecretRef: { name: g.serviceAccountKey.name, key: g.serviceAccountKey.key, namespace: operatorNamespace },
                },
              },
            }
          : {}),
      },
    };
  }
  if ('azure' in spec) {
    const z = spec.azure;
    return {
      azurekv: {
        vaultUrl: z.vaultUrl,
        tenantId: z.tenantId,
        ...('servicePrincipal' in z.auth
          ? {
              authType: eso.ClusterSecretStoreSpecProviderAzurekvAuthType.SERVICE_PRINCIPAL,
              authSecretRef: {
                clientId: { name: z.auth.servicePrincipal.name, key: z.auth.servicePrincipal.clientIdKey, namespace: operatorNamespace },
                clientSecret: { name: z.auth.servicePrincipal.name, key: z.auth.servicePrincipal.clientSecretKey, namespace: operatorNamespace },
              },
            }
          : { authType: eso.ClusterSecretStoreSpecProviderAzurekvAuthType.WORKLOAD_IDENTITY, serviceAccountRef: operatorAccount }),
      },
    };
  }
  const op = spec.onepassword;
  if (Object.keys(op.vaults).length === 0) throw new Error(`secret store ${storeName}: 1Password Connect needs at least one vault to search`);
  return {
    onepassword: {
      connectHost: op.connectHost,
      vaults: { ...op.vaults },
      auth: { secretRef: { connectTokenSecretRef: { name: op.token.name, key: op.token.key, namespace: operatorNamespace } } },
    },
  };
}

/** The port of the store's URL (its scheme's default when none is written). */
function serverPort(storeName: string, url: string): number {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`secret store ${storeName}: "${url}" is not a URL; write it as https://vault.example.org:8200`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`secret store ${storeName}: "${url}" is not an http(s) URL`);
  return parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
}

class StoreRef extends Construct {
  constructor(
    scope: Construct,
    id: string,
    public readonly store: PlatformSecretStore,
  ) {
    super(scope, id);
  }
}
