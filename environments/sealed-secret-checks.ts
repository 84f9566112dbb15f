/**
 * A sealed-secret file is rendered into dist/ as it is, so it must hold what kubeseal
 * writes and nothing else: every `spec.encryptedData` value is kubeseal's hybrid ciphertext
 * (base64 of a 2-byte big-endian length, the RSA-OAEP-encrypted AES session key of that
 * length, then the AES-256-GCM ciphertext with its 16-byte tag), and the scope annotations
 * agree with the names the ciphertext was sealed for. A plain value, or base64 of one, is
 * refused by key, never shown.
 */
import type { Problem } from './problems';
import { credentialProblems } from './secret-checks';
import { ENVIRONMENTS_FOLDER } from '../constructs/core/problems';

export const CLUSTER_WIDE = 'sealedsecrets.bitnami.com/cluster-wide';
export const NAMESPACE_WIDE = 'sealedsecrets.bitnami.com/namespace-wide';

/** RSA key sizes kubeseal's controller can hold: 2048 to 16384 bits, in whole 512-bit steps. */
const RSA_BYTES = { min: 256, max: 2048, step: 64 };
const GCM_TAG_BYTES = 16;

/** Why `value` is not kubeseal ciphertext, or undefined when it has the shape. */
export function ciphertextProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'it is not a string';
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return 'it is not base64';
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 2) return `it decodes to ${bytes.length} byte(s)`;
  const rsaLength = bytes.readUInt16BE(0);
  if (rsaLength < RSA_BYTES.min || rsaLength > RSA_BYTES.max || rsaLength % RSA_BYTES.step !== 0) {
    return `its length prefix (${rsaLength}) is not the size of an RSA-encrypted session key (${RSA_BYTES.min} to ${RSA_BYTES.max} bytes; 512 for kubeseal's 4096-bit default)`;
  }
  const minimum = 2 + rsaLength + GCM_TAG_BYTES;
  if (bytes.length < minimum) return `it decodes to ${bytes.length} bytes, fewer than the ${minimum} of its RSA block and AES-GCM tag`;
  // RSA ciphertext is uniformly random: about 37% printable bytes, never nearly all.
  const block = bytes.subarray(2, 2 + rsaLength);
  const printable = block.filter((b) => b >= 0x20 && b < 0x7f).length;
  if (printable / block.length > 0.9) return 'its RSA block is readable text';
  return undefined;
}

const SCOPE_VALUES = 'kubeseal writes "true", or leaves the annotation out for strict scope';

function scopeOf(annotations: Record<string, unknown>): 'strict' | 'namespace-wide' | 'cluster-wide' {
  // As the controller reads them: cluster-wide wins, any value but "true" is strict.
  if (annotations[CLUSTER_WIDE] === 'true') return 'cluster-wide';
  if (annotations[NAMESPACE_WIDE] === 'true') return 'namespace-wide';
  return 'strict';
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The annotations kubectl and kubecfg keep a copy of the whole object in: the plain Secret, once sealed. */
const LAST_APPLIED = /(^|\/)last-applied-configuration$/;

/**
 * Problems of one SealedSecret file (`rel` relative to the environments folder) that has
 * metadata.name, metadata.namespace and spec.encryptedData.
 */
export function checkSealedSecret(rel: string, doc: Record<string, any>): Problem[] {
  const problems: Problem[] = [];
  const reseal = `seal the Secret again: kubeseal --format yaml < secret.yaml > ${ENVIRONMENTS_FOLDER}/${rel} (README, section Secrets)`;
  const encrypted = record(doc.spec?.encryptedData);
  const keys = Object.keys(encrypted);
  for (const key of keys) {
    const why = ciphertextProblem(encrypted[key]);
    // The key is shown (a Secret data key, e.g. password); the value never is.
    const shownKey = /^[-._a-zA-Z0-9]{1,253}$/.test(key) ? key : '(a key that is not a Secret data key)';
    if (why) {
      problems.push({
        file: rel,
        path: `spec.encryptedData.${shownKey}`,
        message: `is not kubeseal ciphertext (${why}): a plain value would be rendered into dist/ as it is`,
        fix: `treat the value as leaked and rotate it, then ${reseal}`,
      });
    }
  }

  const meta = record(doc.metadata);
  const annotations = record(meta.annotations);
  const template = record(record(doc.spec?.template).metadata);
  const templateAnnotations = record(template.annotations);
  for (const [where, anns] of [
    ['metadata.annotations', annotations],
    ['spec.template.metadata.annotations', templateAnnotations],
  ] as const) {
    for (const a of [CLUSTER_WIDE, NAMESPACE_WIDE]) {
      if (a in anns && anns[a] !== 'true') {
        problems.push({
          file: rel,
          path: `${where}.${a}`,
          value: anns[a],
          message: `is not "true": the controller reads it as strict scope`,
          fix: `${SCOPE_VALUES}; ${reseal}`,
        });
      }
    }
    if (anns[CLUSTER_WIDE] === 'true' && anns[NAMESPACE_WIDE] === 'true') {
      problems.push({
        file: rel,
        path: where,
        message: 'sets both cluster-wide and namespace-wide scope',
        fix: `kubeseal sets at most one; ${reseal} with the scope you mean (--scope cluster-wide or namespace-wide)`,
      });
    }
    for (const k of Object.keys(anns).filter((key) => LAST_APPLIED.test(key))) {
      problems.push({
        file: rel,
        path: `${where}.${k}`,
        message: 'holds a copy of the object as applied, which for a Secret is its plain data',
        fix: `remove the annotation, rotate the values and ${reseal}`,
      });
    }
  }

  const scope = scopeOf(annotations);
  // kubeseal copies the Secret's metadata into both places; an edit to one side only changes
  // what the controller decrypts for (and widening it in the template is how scope leaks).
  if ((CLUSTER_WIDE in templateAnnotations || NAMESPACE_WIDE in templateAnnotations) && scopeOf(templateAnnotations) !== scope) {
    problems.push({
      file: rel,
      path: 'spec.template.metadata.annotations',
      value: scopeOf(templateAnnotations),
      message: `gives a scope other than metadata.annotations (${scope})`,
      fix: reseal,
    });
  }
  const bound = scope === 'strict' ? (['namespace', 'name'] as const) : scope === 'namespace-wide' ? (['namespace'] as const) : [];
  for (const field of bound) {
    if (template[field] !== undefined && template[field] !== meta[field]) {
      problems.push({
        file: rel,
        path: `spec.template.metadata.${field}`,
        value: template[field],
        message: `differs from metadata.${field} (${JSON.stringify(meta[field])}): with ${scope} scope the values only decrypt as the ${field} they were sealed for`,
        fix: `${reseal} for ${String(meta.namespace)}/${String(meta.name)}, or use --scope cluster-wide when it moves`,
      });
    }
  }

  // Everything but the ciphertext is rendered as written: the same scan as environment files.
  const rest = { ...doc, spec: { ...record(doc.spec), encryptedData: Object.fromEntries(keys.map((k) => [k, null])) } };
  problems.push(...credentialProblems(rel, rest, { prefix: rel.split('/').slice(1, 3).join('/'), kind: 'sealed-secrets' }).problems);
  return problems;
}
