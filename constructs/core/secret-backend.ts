/**
 * Where credentials come from: External Secrets (a secret store outside the cluster), Sealed
 * Secrets (kubeseal output committed to the repository) or SOPS (Secrets encrypted with age,
 * committed, and decrypted by Flux as it applies them). No construct ever renders a
 * credential; it renders a reference or ciphertext through one of these (constructs/secrets/).
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
      /**
       * SOPS-encrypted Secrets committed for the overlay, for the store's bootstrap Secret (its
       * token rendered from the committed file instead of made by hand). @default none
       */
      readonly sops?: SopsFiles;
    }
  | {
      readonly kind: 'sops';
      readonly sops: SopsFiles;
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

/**
 * The overlay's SOPS-encrypted Secrets, read from `sops/<region>/<env>/<namespace>_<name>.sops.yaml`
 * (each a v1 Secret as `sops --encrypt` wrote it), and what Flux decrypts them with.
 */
export interface SopsFiles {
  /** The Secret in the Flux namespace holding the age identity (`age.agekey`), made by hand once per cluster. */
  readonly decryptionSecret: string;
  /** By `<namespace>/<name>`. */
  readonly secrets: Readonly<Record<string, SopsSecretEntry>>;
  /** The folder they came from, relative to the environments folder. */
  readonly dir: string;
}

/** The SOPS files of a backend that has them (`sops`, or External Secrets with its bootstrap committed). */
export function sopsFilesOf(backend: SecretBackend): SopsFiles | undefined {
  return backend.kind === 'sops' ? backend.sops : backend.kind === 'external-secrets' ? backend.sops : undefined;
}

/** One committed SOPS-encrypted Secret. */
export interface SopsSecretEntry {
  /** The file's text: rendered byte for byte (SOPS' MAC covers the document as written). */
  readonly text: string;
  /** The document as parsed. */
  readonly manifest: Readonly<Record<string, unknown>>;
  /** Its data and stringData keys. */
  readonly keys: readonly string[];
}

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
      /** AWS Secrets Manager. */
      readonly aws: {
        readonly region: string;
        /** An IAM role the operator assumes to read. @default none */
        readonly role?: string;
        /**
         * `serviceAccount`: the operator's own identity (EKS IRSA or Pod Identity: annotate the
         * `external-secrets` service account); `accessKey`: a bootstrap Secret with an IAM user's keys.
         */
        readonly auth:
          | { readonly serviceAccount: Record<string, never> }
          | { readonly accessKey: { readonly name: string; readonly accessKeyIdKey: string; readonly secretAccessKeyKey: string } };
      };
    }
  | {
      /** Google Cloud Secret Manager. */
      readonly gcp: {
        readonly projectId: string;
        /** A service-account key (JSON) in a bootstrap Secret. @default none: the operator's Workload Identity */
        readonly serviceAccountKey?: BootstrapSecretKey;
      };
    }
  | {
      /** Azure Key Vault. */
      readonly azure: {
        /** `https://<vault>.vault.azure.net`. */
        readonly vaultUrl: string;
        readonly tenantId: string;
        /**
         * `workloadIdentity`: the operator's service account (AKS Workload Identity);
         * `servicePrincipal`: a bootstrap Secret with the principal's client id and secret.
         */
        readonly auth:
          | { readonly workloadIdentity: Record<string, never> }
          | { readonly servicePrincipal: { readonly name: string; readonly clientIdKey: string; readonly clientSecretKey: string } };
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
