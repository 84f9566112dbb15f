/**
 * Where credentials come from: External Secrets (a secret store outside the cluster) or
 * Sealed Secrets (kubeseal output committed to the repository). No construct ever renders a
 * credential; it renders a reference through one of these (constructs/secrets/).
 */
export type SecretBackend =
  | {
      readonly kind: 'external-secrets';
      readonly storeName: string;
      readonly storeKind: 'ClusterSecretStore' | 'SecretStore';
      readonly refreshInterval: string;
      /**
       * The store itself, rendered as the ClusterSecretStore `storeName` (with storeKind
       * ClusterSecretStore). @default none: the store exists already, made outside Strata
       */
      readonly store?: SecretStoreSpec;
    }
  | {
      readonly kind: 'sealed-secrets';
      readonly controllerNamespace: string;
      readonly controllerName: string;
      /**
       * The overlay's sealed secrets by `<namespace>/<name>`, read from
       * `sealed-secrets/<region>/<env>/*.yaml` (kubeseal output), and that folder's path.
       */
      readonly sealed: Readonly<Record<string, SealedSecretEntry>>;
      readonly sealedDir: string;
    };

/** A secret sealed with kubeseal for one overlay's cluster. */
export interface SealedSecretEntry {
  readonly encryptedData: Readonly<Record<string, string>>;
  /** Secret type from the sealed template. @default Opaque */
  readonly type?: string;
  /** Scope annotations kubeseal set (strict scope when absent). */
  readonly annotations: Readonly<Record<string, string>>;
}

/** One key of a Secret in the External Secrets operator's namespace. */
export interface BootstrapSecretKey {
  readonly name: string;
  readonly key: string;
}

/**
 * A secret store External Secrets reads from, in the provider's own terms. Its credential is
 * the one secret Strata cannot reference through the store itself: a Kubernetes
 * service-account login (Vault's kubernetes auth, nothing to create) or one bootstrap
 * Secret created by hand in the operator's namespace, named here.
 */
export type SecretStoreSpec =
  | {
      /** HashiCorp Vault or OpenBao (the same API). */
      readonly vault: {
        /** `https://vault.example.org:8200`. */
        readonly server: string;
        /** The KV mount. @default 'secret' */
        readonly path?: string;
        /** KV engine version. @default 'v2' */
        readonly version?: 'v1' | 'v2';
        /** Vault Enterprise / OpenBao namespace. @default none */
        readonly namespace?: string;
        /** PEM bundle of the CA that signs the server's certificate. @default the system's roots */
        readonly caBundle?: string;
        readonly auth:
          | { readonly kubernetes: { readonly role: string; /** @default 'kubernetes' */ readonly mountPath?: string } }
          | { readonly token: BootstrapSecretKey };
      };
    }
  | {
      /** 1Password Connect. */
      readonly onepassword: {
        /** `http://onepassword-connect.onepassword:8080`. */
        readonly connectHost: string;
        /** Vault names and the order they are searched in (1 first). */
        readonly vaults: Readonly<Record<string, number>>;
        /** The Connect token. */
        readonly token: BootstrapSecretKey;
      };
    };
