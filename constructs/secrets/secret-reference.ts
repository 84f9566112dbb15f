import { Construct } from 'constructs';
import * as eso from '../../imports/external-secrets.io';
import type { SecretBackend } from '../../environments/model';

export interface SecretReferenceProps {
  readonly backend: SecretBackend;
  readonly namespace: string;
  /** Name of the Kubernetes Secret the workload reads. */
  readonly name: string;
  /** Key in the region's secret store holding the values, e.g. `region-a/prod/postgres/hrm`. */
  readonly remoteKey: string;
  /** Secret data key → property of the remote entry. */
  readonly keys: Readonly<Record<string, string>>;
  /** Secret type, e.g. `kubernetes.io/basic-auth`. @default Opaque */
  readonly type?: string;
  /**
   * Secret data rendered from the fetched values (Go templates over the `keys` names), for
   * consumers that want a file such as MinIO's `config.env`. @default the keys as they are
   */
  readonly template?: Readonly<Record<string, string>>;
}

/**
 * A credential a workload reads, fetched from the region's secret store: an External
 * Secrets `ExternalSecret` that materialises a Kubernetes Secret. No secret value is ever
 * rendered into dist/.
 */
export class SecretReference extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly keys: readonly string[];

  constructor(scope: Construct, id: string, props: SecretReferenceProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = props.namespace;
    this.keys = Object.keys(props.template ?? props.keys).sort();
    if (props.backend.kind !== 'external-secrets') {
      throw new Error(`secret ${props.namespace}/${props.name}: the ${props.backend.kind} backend cannot be rendered yet; set the region's secrets.kind to external-secrets`);
    }
    new eso.ExternalSecret(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        refreshInterval: props.backend.refreshInterval,
        secretStoreRef: {
          name: props.backend.storeName,
          kind: props.backend.storeKind === 'ClusterSecretStore' ? eso.ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE : eso.ExternalSecretSpecSecretStoreRefKind.SECRET_STORE,
        },
        target: {
          name: props.name,
          creationPolicy: eso.ExternalSecretSpecTargetCreationPolicy.OWNER,
          deletionPolicy: eso.ExternalSecretSpecTargetDeletionPolicy.RETAIN,
          ...(props.type || props.template ? {
            template: {
              ...(props.type ? { type: props.type } : {}),
              ...(props.template ? { engineVersion: eso.ExternalSecretSpecTargetTemplateEngineVersion.V2, data: { ...props.template } } : {}),
            },
          } : {}),
        },
        data: Object.keys(props.keys).sort().map((key) => ({ secretKey: key, remoteRef: { key: props.remoteKey, property: props.keys[key] } })),
      },
    });
  }

  /** A `{ name, key }` selector for one key of this secret. */
  public selector(key: string): { name: string; key: string } {
    if (!this.keys.includes(key)) throw new Error(`secret ${this.namespace}/${this.name} has no key "${key}" (keys: ${this.keys.join(', ')})`);
    return { name: this.name, key };
  }
}
