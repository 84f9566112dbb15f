/**
 * A Secret committed encrypted with SOPS (age): rendered into the tree exactly as committed,
 * and decrypted by Flux's kustomize-controller as it applies the layer (the layer's
 * Kustomization gets `spec.decryption`). SOPS' MAC covers every value of the document,
 * labels included, so nothing is added to it: no standard labels, no reformatting (the tree
 * writes the committed text; gitops/render.ts).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ENVIRONMENTS_FOLDER, Problem, SpecError } from '../core/problems';
import type { SopsFiles, SopsSecretEntry } from '../core/secret-backend';
import { OverlayContext } from '../platform/overlay-context';

/** The annotation-free marker a rendered SOPS document carries: its top-level `sops` block. */
export function isSopsEncrypted(manifest: unknown): boolean {
  const m = manifest as { apiVersion?: unknown; kind?: unknown; sops?: unknown } | undefined;
  return m?.apiVersion === 'v1' && m.kind === 'Secret' && typeof m.sops === 'object' && m.sops !== null;
}

/** The committed document as the object of the tree, untouched by the chart. */
class CommittedDocument extends ApiObject {
  constructor(
    scope: Construct,
    id: string,
    private readonly entry: SopsSecretEntry,
  ) {
    const meta = entry.manifest.metadata as { name: string; namespace: string };
    super(scope, id, { apiVersion: 'v1', kind: 'Secret', metadata: { name: meta.name, namespace: meta.namespace } });
  }

  public toJson(): any {
    return JSON.parse(JSON.stringify(this.entry.manifest));
  }
}

export interface SopsSecretProps {
  readonly files: SopsFiles;
  readonly namespace: string;
  readonly name: string;
  /** Data keys the Secret must hold. */
  readonly keys: readonly string[];
  /** Secret type the consumer needs, e.g. `kubernetes.io/basic-auth`. @default any */
  readonly type?: string;
}

/**
 * The committed SOPS Secret `<namespace>/<name>`; a missing file or key is a problem of the
 * overlay that says how to write it.
 */
export class SopsSecret extends Construct {
  constructor(scope: Construct, id: string, props: SopsSecretProps) {
    super(scope, id);
    const entry = props.files.secrets[`${props.namespace}/${props.name}`];
    const file = `${props.files.dir}/${props.namespace}_${props.name}.sops.yaml`;
    const report = (problem: Problem) => {
      const ctx = OverlayContext.tryOf(this);
      if (!ctx) throw new SpecError([problem]);
      ctx.problems.push(problem);
    };
    const encrypt = `kubectl create secret generic ${props.name} -n ${props.namespace}${props.type ? ` --type=${props.type}` : ''} ${props.keys
      .map((k) => `--from-literal=${k}=...`)
      .join(
        ' ',
      )} --dry-run=client -o yaml | sops --encrypt --age <your age recipient> --encrypted-regex '^(data|stringData)$' --input-type yaml --output-type yaml /dev/stdin > ${ENVIRONMENTS_FOLDER}/${file}`;
    if (!entry) {
      report({
        file,
        path: '',
        message: `secret ${props.namespace}/${props.name} (keys ${props.keys.join(', ')}) is not committed yet`,
        fix: encrypt,
      });
      return;
    }
    const missing = props.keys.filter((k) => !entry.keys.includes(k));
    if (missing.length) {
      report({
        file,
        path: 'data',
        value: [...entry.keys],
        message: `lacks key(s) ${missing.join(', ')}`,
        fix: `encrypt the Secret again with keys ${props.keys.join(', ')}: ${encrypt}`,
      });
      return;
    }
    const type = (entry.manifest.type as string | undefined) ?? 'Opaque';
    if (props.type && type !== props.type) {
      report({
        file,
        path: 'type',
        value: type,
        message: `is a ${type} Secret; its consumer reads a ${props.type} one`,
        fix: `encrypt it again with --type=${props.type}: ${encrypt}`,
      });
      return;
    }
    new CommittedDocument(this, 'Resource', entry);
  }
}
