/**
 * A SOPS file is rendered into dist/ byte for byte, so it must be what `sops --encrypt`
 * writes for a v1 Secret and nothing else: every `data` and `stringData` value SOPS
 * ciphertext (`ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`), a `sops` block with an age
 * recipient (what Flux decrypts with) and a MAC, and the names its file is called by. A plain
 * value is refused by key, never shown.
 */
import type { Problem } from './problems';
import { credentialProblems } from './secret-checks';
import { ENVIRONMENTS_FOLDER } from '../constructs/core/problems';

const B64 = '[A-Za-z0-9+/]*={0,2}';
/** One value as SOPS encrypts it (AES-256-GCM, base64 parts, the value's original type). */
export const SOPS_VALUE = new RegExp(`^ENC\\[AES256_GCM,data:${B64},iv:${B64},tag:${B64},type:(str|int|float|bool|bytes|comment)\\]$`);
const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;
const AGE_BLOCK = /^-----BEGIN AGE ENCRYPTED FILE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END AGE ENCRYPTED FILE-----\r?\n?$/;

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * Problems of one SOPS file (`rel` relative to the environments folder, named
 * `<namespace>_<name>.sops.yaml`); none means it renders as it is.
 */
export function checkSopsSecret(rel: string, doc: unknown): Problem[] {
  const again = `encrypt the Secret again: sops --encrypt --age <recipient> --encrypted-regex '^(data|stringData)$' secret.yaml > ${ENVIRONMENTS_FOLDER}/${rel} (README, section Secrets)`;
  const d = record(doc);
  if (d.apiVersion !== 'v1' || d.kind !== 'Secret') {
    return [{ file: rel, path: 'kind', value: d.kind, message: 'is not a v1 Secret: SOPS files under sops/ hold one Secret each', fix: again }];
  }
  const problems: Problem[] = [];
  const meta = record(d.metadata);
  const base = rel
    .split('/')
    .pop()!
    .replace(/\.sops\.yaml$/, '');
  const expected = `${String(meta.namespace)}_${String(meta.name)}`;
  if (typeof meta.name !== 'string' || typeof meta.namespace !== 'string' || base !== expected) {
    problems.push({
      file: rel,
      path: 'metadata',
      message: `names ${String(meta.namespace)}/${String(meta.name)}, and the file is called ${base}.sops.yaml`,
      fix: `name the file <namespace>_<name>.sops.yaml after the Secret it holds (${expected}.sops.yaml), with metadata.name and metadata.namespace set`,
    });
  }
  const sops = record(d.sops);
  if (!('sops' in d)) {
    return [
      ...problems,
      {
        file: rel,
        path: 'sops',
        message: 'has no sops block: the file is not encrypted, and would be committed and rendered in plain text',
        fix: `treat its values as leaked and rotate them, then ${again}`,
      },
    ];
  }
  const age = Array.isArray(sops.age) ? sops.age.map(record) : [];
  if (
    age.length === 0 ||
    age.some((r) => typeof r.recipient !== 'string' || !AGE_RECIPIENT.test(r.recipient) || typeof r.enc !== 'string' || !AGE_BLOCK.test(r.enc))
  ) {
    problems.push({
      file: rel,
      path: 'sops.age',
      message: 'has no age recipient with its encrypted data key: Flux decrypts with the age identity of the region',
      fix: `${again}, with --age set to the public key (age1…) of the identity in the cluster's decryption Secret`,
    });
  }
  if (typeof sops.mac !== 'string' || !SOPS_VALUE.test(sops.mac)) {
    problems.push({ file: rel, path: 'sops.mac', message: 'has no SOPS MAC: the file was edited by hand or not written by sops', fix: again });
  }
  for (const field of ['data', 'stringData'] as const) {
    for (const [key, value] of Object.entries(record(d[field]))) {
      const shownKey = /^[-._a-zA-Z0-9]{1,253}$/.test(key) ? key : '(a key that is not a Secret data key)';
      if (typeof value !== 'string' || !SOPS_VALUE.test(value)) {
        problems.push({
          file: rel,
          path: `${field}.${shownKey}`,
          message: 'is not SOPS ciphertext: a plain value would be committed and rendered into dist/ as it is',
          fix: `treat the value as leaked and rotate it, then ${again}`,
        });
      }
    }
  }
  if (Object.keys(record(d.data)).length + Object.keys(record(d.stringData)).length === 0) {
    problems.push({ file: rel, path: 'data', message: 'holds no data or stringData', fix: again });
  }
  // Everything but the ciphertext is rendered as written: the same scan as environment files.
  const blank = (v: unknown) => Object.fromEntries(Object.keys(record(v)).map((k) => [k, null]));
  const rest = { ...d, data: blank(d.data), stringData: blank(d.stringData), sops: null };
  problems.push(...credentialProblems(rel, rest, { prefix: rel.split('/').slice(1, 3).join('/'), kind: 'sops' }).problems);
  return problems;
}

/** Region-file problems of SOPS: only Flux decrypts it as it applies the tree. */
export function sopsRegionProblems(rel: string, data: any): Problem[] {
  const uses = data?.secrets?.kind === 'sops' ? 'secrets.kind' : data?.secrets?.sops ? 'secrets.sops' : undefined;
  if (!uses || data?.gitops?.engine !== 'argocd') return [];
  return [
    {
      file: rel,
      path: uses,
      ...(uses === 'secrets.kind' ? { value: 'sops' } : {}),
      message: 'SOPS files are decrypted by Flux as it applies them, and this region runs Argo CD, which would apply the ciphertext as it is',
      fix:
        uses === 'secrets.kind'
          ? 'use secrets.kind: sealed-secrets (kubeseal, decrypted in the cluster) or external-secrets (a secret store), or gitops.engine: flux'
          : "remove secrets.sops and create the store's bootstrap Secret by hand (README, section Secrets), or use gitops.engine: flux",
    },
  ];
}
