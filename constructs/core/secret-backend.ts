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
