import { Construct } from 'constructs';
import { PlatformSecretStore } from './platform-secret-store';
import { SopsSecret } from './sops-secret';
import * as sealed from '../../imports/bitnami.com';
import * as eso from '../../imports/external-secrets.io';
import { ENVIRONMENTS_FOLDER, Problem, SpecError } from '../core/problems';
import type { SecretBackend } from '../core/secret-backend';
import { OverlayContext } from '../platform/overlay-context';

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
  /**
   * Non-secret values added to the Secret next to the fetched ones (a file path a tool
   * reads from the same environment, say). @default none
   */
  readonly literals?: Readonly<Record<string, string>>;
}

/**
 * A credential a workload reads. With the External Secrets backend, an `ExternalSecret`
 * fetches it from the region's store; with Sealed Secrets, the `SealedSecret` the team
 * sealed with kubeseal for this cluster is rendered (and a missing one is an error that
 * gives the kubeseal command); with SOPS, the Secret the team encrypted and committed is
 * rendered as it is, for Flux to decrypt. No secret value is ever rendered in plain text.
 */
export class SecretReference extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly keys: readonly string[];
  /** The secret-store entry the values come from (what another cluster or namespace reads for the same credential). */
  public readonly remoteKey: string;
  /** The backend it is read through. */
  public readonly backend: SecretBackend;

  constructor(scope: Construct, id: string, props: SecretReferenceProps) {
    super(scope, id);
    this.name = props.name;
    this.namespace = props.namespace;
    this.remoteKey = props.remoteKey;
    this.backend = props.backend;
    this.keys = [...new Set([...Object.keys(props.template ?? props.keys), ...Object.keys(props.literals ?? {})])].sort();
    if (props.backend.kind === 'sealed-secrets') {
      this.renderSealed(props, props.backend);
      return;
    }
    if (props.backend.kind === 'sops') {
      // The committed file holds the final keys: SOPS' MAC forbids adding literals to it.
      new SopsSecret(this, 'Resource', {
        files: props.backend.sops,
        namespace: props.namespace,
        name: props.name,
        keys: this.keys,
        type: props.type,
      });
      return;
    }
    // The store, where the region has Strata render it: in the first user's layer, later users depending on it.
    PlatformSecretStore.of(this, props.backend);
    new eso.ExternalSecret(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        refreshInterval: props.backend.refreshInterval,
        secretStoreRef: {
          name: props.backend.storeName,
          kind:
            props.backend.storeKind === 'ClusterSecretStore'
              ? eso.ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE
              : eso.ExternalSecretSpecSecretStoreRefKind.SECRET_STORE,
        },
        target: {
          name: props.name,
          creationPolicy: eso.ExternalSecretSpecTargetCreationPolicy.OWNER,
          deletionPolicy: eso.ExternalSecretSpecTargetDeletionPolicy.RETAIN,
          ...(props.type || props.template || props.literals
            ? {
                template: {
                  ...(props.type ? { type: props.type } : {}),
                  ...(props.template || props.literals
                    ? {
                        engineVersion: eso.ExternalSecretSpecTargetTemplateEngineVersion.V2,
                        // Without a template of its own, literals are merged into the fetched keys.
                        ...(props.template ? {} : { mergePolicy: eso.ExternalSecretSpecTargetTemplateMergePolicy.MERGE }),
                        data: { ...props.template, ...props.literals },
                      }
                    : {}),
                },
              }
            : {}),
        },
        data: Object.keys(props.keys)
          .sort()
          .map((key) => ({ secretKey: key, remoteRef: { key: props.remoteKey, property: props.keys[key] } })),
      },
    });
  }

  private renderSealed(props: SecretReferenceProps, backend: Extract<SecretBackend, { kind: 'sealed-secrets' }>): void {
    const entry = backend.sealed[`${props.namespace}/${props.name}`];
    const file = `${backend.sealedDir}/${props.namespace}_${props.name}.yaml`;
    const report = (problem: Problem) => {
      const ctx = OverlayContext.tryOf(this);
      if (!ctx) throw new SpecError([problem]);
      ctx.problems.push(problem);
    };
    if (!entry) {
      const literals = this.keys
        .filter((k) => !(k in (props.literals ?? {})))
        .map((k) => `--from-literal=${k}=...`)
        .join(' ');
      report({
        file,
        path: '',
        message: `secret ${props.namespace}/${props.name} (keys ${this.keys.join(', ')}) is not sealed yet for this cluster`,
        fix: `kubectl create secret generic ${props.name} -n ${props.namespace}${props.type ? ` --type=${props.type}` : ''} ${literals} --dry-run=client -o yaml | kubeseal --controller-namespace ${backend.controllerNamespace} --controller-name ${backend.controllerName} -o yaml > ${ENVIRONMENTS_FOLDER}/${file}`,
      });
      return;
    }
    const missing = this.keys.filter((k) => !(k in entry.encryptedData) && !(k in (props.literals ?? {})));
    if (missing.length) {
      report({
        file,
        path: 'spec.encryptedData',
        value: Object.keys(entry.encryptedData),
        message: `lacks key(s) ${missing.join(', ')}`,
        fix: `seal the secret again with keys ${this.keys.join(', ')}`,
      });
      return;
    }
    new sealed.SealedSecret(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        ...(Object.keys(entry.annotations).length ? { annotations: { ...entry.annotations } } : {}),
      },
      spec: {
        encryptedData: { ...entry.encryptedData },
        template: {
          metadata: { name: props.name, namespace: props.namespace },
          ...((props.type ?? entry.type) ? { type: props.type ?? entry.type } : {}),
          ...(props.literals ? { data: { ...props.literals } } : {}),
        },
      },
    });
  }

  /** A `{ name, key }` selector for one key of this secret. */
  public selector(key: string): { name: string; key: string } {
    if (!this.keys.includes(key)) throw new Error(`secret ${this.namespace}/${this.name} has no key "${key}" (keys: ${this.keys.join(', ')})`);
    return { name: this.name, key };
  }
}
