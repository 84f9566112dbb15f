/**
 * What the review diff never prints: Secret and SealedSecret payloads, SOPS-encrypted values
 * and their metadata, and any value under a key that names a credential (`password`,
 * `token`, `apiKey`, ...). ExternalSecrets and secret stores hold references, not secrets, and
 * are shown. The tree should hold no credential at all (synth refuses them); this is the
 * second line, for a hand-edited file or a field nobody thought of.
 *
 * Masking is by place (this module's rules) and then by value: every string found at a
 * secret place in either tree is scrubbed from the finished report, whatever field or
 * message it turned up in.
 */
import type { Manifest } from '../../constructs/platform/transition-rules';

export const MASK = '(masked)';

/** Keys whose value is a credential; references (`...Ref`, `...Name`, `...Key` naming a key) are not. */
const CREDENTIAL_KEY = /(password|passwd|passphrase|secret|token|apikey|privatekey|credentials?|clientsecret|accesskey|secretkey)$/i;
const REFERENCE_KEY = /(ref|name|names|selector|store)$/i;
const REFERENCE_KINDS = new Set(['ExternalSecret', 'ClusterExternalSecret', 'SecretStore', 'ClusterSecretStore', 'PushSecret']);

export function isCredentialKey(key: string): boolean {
  return CREDENTIAL_KEY.test(key.replace(/[-._]/g, '')) && !REFERENCE_KEY.test(key);
}

/** Whether the value at `parts` of an object of `kind` must not be shown. */
export function isSecretPath(kind: string | undefined, parts: readonly string[], value?: unknown): boolean {
  if (parts.length === 0) return false;
  if (parts[0] === 'sops') return true;
  if (kind === 'Secret' && (parts[0] === 'data' || parts[0] === 'stringData')) return true;
  if (kind === 'SealedSecret' && parts[0] === 'spec' && (parts[1] === 'encryptedData' || parts[1] === 'template')) return true;
  if (REFERENCE_KINDS.has(kind ?? '') || (value !== null && typeof value === 'object')) return false;
  // The key that holds the value (`password: ...`, `auth.token: ...`); an object under such a
  // key (`passwordSecret: {name, key}`) is a reference, and its fields are shown.
  const named = parts.filter((p) => !/^[0-9]+$/.test(p));
  const leaf = named[named.length - 1];
  // An env entry keyed by its name (`env[DB_PASSWORD].value`, object-diff.ts keys lists by name).
  if (leaf === 'value' && named.length > 1 && isCredentialKey(named[named.length - 2])) return true;
  return leaf !== undefined && isCredentialKey(leaf);
}

/** A value shown at a path: masked when the path is secret, or when it is a SOPS ciphertext. */
export function showValue(kind: string | undefined, parts: readonly string[], value: unknown): unknown {
  if (value === undefined) return undefined;
  if (isSecretPath(kind, parts, value)) return MASK;
  if (typeof value === 'string' && value.startsWith('ENC[')) return MASK;
  if (value && typeof value === 'object') {
    if (Array.isArray(value)) return value.map((v, i) => showValue(kind, [...parts, String(i)], v));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, showValue(kind, [...parts, k], v)]));
  }
  return value;
}

/** Every string at a secret place of a manifest (for the final scrub), of 8 characters or more (shorter ones are words). */
export function secretValues(manifest: Manifest, out: Set<string> = new Set()): Set<string> {
  const kind = manifest?.kind;
  const walk = (value: unknown, parts: string[]) => {
    if (typeof value === 'string') {
      if (value.length >= 8 && (isSecretPath(kind, parts, value) || value.startsWith('ENC['))) out.add(value);
      return;
    }
    if (value && typeof value === 'object') {
      // `{name: DB_PASSWORD, value: ...}`: an env entry whose name names a credential.
      const entry = value as { name?: unknown; value?: unknown };
      if (typeof entry.name === 'string' && typeof entry.value === 'string' && entry.value.length >= 8 && isCredentialKey(entry.name)) {
        out.add(entry.value);
      }
      for (const [k, v] of Object.entries(value)) walk(v, [...parts, k]);
    }
  };
  walk(manifest, []);
  return out;
}

/** The report with every secret value replaced, longest first (a value that contains another). */
export function scrub(text: string, values: ReadonlySet<string>): string {
  let out = text;
  for (const v of [...values].sort((a, b) => b.length - a.length)) {
    if (out.includes(v)) out = out.split(v).join(MASK);
    // JSON output escapes quotes and newlines: scrub the escaped form too.
    const escaped = JSON.stringify(v).slice(1, -1);
    if (escaped !== v && out.includes(escaped)) out = out.split(escaped).join(MASK);
  }
  return out;
}
