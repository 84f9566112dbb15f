import { Construct } from 'constructs';
import type { EntryLayer } from './layer-plan';
import { isSopsEncrypted } from '../constructs/secrets/sops-secret';
import type { GitOpsSpec } from '../environments/model';
import * as kustomize from '../imports/kustomize.toolkit.fluxcd.io';

type FluxSpec = Extract<GitOpsSpec, { engine: 'flux' }>;

export interface FluxEntryPointsProps {
  readonly gitops: FluxSpec;
  /** The folders the cluster applies, in apply order. */
  readonly layers: readonly EntryLayer[];
  /**
   * The Secret in the Flux namespace with the age identity that decrypts the SOPS Secrets a
   * layer holds (`age.agekey`); only layers holding one get `spec.decryption`. @default none
   */
  readonly decryptionSecret?: string;
}

/**
 * One Flux Kustomization per layer, reading the layer folder from the GitRepository that
 * `flux bootstrap` created, ordered with dependsOn + wait: a layer starts only when the
 * layers it uses are applied and healthy. A layer holding SOPS-encrypted Secrets is decrypted
 * by the kustomize-controller with the age identity of `decryptionSecret`.
 */
export class FluxEntryPoints extends Construct {
  /** Kustomization name of an entry (a layer, or `<env>-<layer>` in a shared cluster): a public contract (renaming prunes it). */
  public static kustomizationName(id: string): string {
    return `strata-${id}`;
  }

  constructor(scope: Construct, id: string, props: FluxEntryPointsProps) {
    super(scope, id);
    for (const layer of props.layers) {
      new kustomize.Kustomization(this, layer.id, {
        metadata: { name: FluxEntryPoints.kustomizationName(layer.id), namespace: props.gitops.sourceRef.namespace },
        spec: {
          interval: props.gitops.interval,
          retryInterval: '2m',
          timeout: layer.layer === 'operators' ? '15m' : '10m',
          path: layer.path,
          prune: true,
          wait: true,
          sourceRef: { kind: kustomize.KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: props.gitops.sourceRef.name },
          dependsOn: layer.dependsOn.map((dep) => ({ name: FluxEntryPoints.kustomizationName(dep) })),
          ...(props.decryptionSecret && layer.manifests.some(isSopsEncrypted)
            ? { decryption: { provider: kustomize.KustomizationSpecDecryptionProvider.SOPS, secretRef: { name: props.decryptionSecret } } }
            : {}),
        },
      });
    }
  }
}
