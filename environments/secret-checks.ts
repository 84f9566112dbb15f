/**
 * Credentials never belong in environment files: a value written there can reach dist/ (and
 * is in the repository's history already). Every string and key of every parsed file is
 * scanned, whatever the field, so fields added later are covered too: URLs with user info
 * or credential query parameters, `name=value` pairs that name a secret, known token shapes
 * (token-shapes.ts), and values under keys that name a secret. Secrets belong in the
 * region's secret backend (External Secrets remote keys or kubeseal-sealed files), which
 * Strata references by name.
 */
import type { Problem } from './problems';
import { findTokenShapes } from './token-shapes';

/** One credential found in a file's data. */
export interface CredentialFinding {
  /** Dotted field path; a key that is itself a credential is shown redacted. */
  readonly path: string;
  /** What it looks like, for the message ("an AWS access key id"). */
  readonly what: string;
  /** The value as shown: at most 4 characters before the credential, then `…(redacted)`. */
  readonly shown: string;
  /** The kind of fix: take a URL's user info or query out, name a Secret, or move the value. */
  readonly fix: 'url' | 'reference' | 'value';
  /** The credential's text, so that no other problem echoes it; never shown. */
  readonly secrets: readonly string[];
}

export const REDACTED = '…(redacted)';

/** `value` up to the credential (at most 4 printable characters, plus the credential's public prefix), then `…(redacted)`. */
export function redact(value: string, start = 0, publicPrefix = 0): string {
  // eslint-disable-next-line no-control-regex
  return `${value.slice(0, Math.max(0, Math.min(4, start + publicPrefix))).replace(/[^\x20-\x7e]/g, '')}${REDACTED}`;
}

/** Lower-case words of a key: `pushSecret` → push, secret; `X-Amz-Credential` → x, amz, credential. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'tokens',
  'apikey',
  'key',
  'keys',
  'privatekey',
  'accesskey',
  'secretkey',
  'clientsecret',
  'authtoken',
  'accesstoken',
  'refreshtoken',
  'sessiontoken',
  'bearer',
  'credential',
  'credentials',
  'creds',
  'sig',
  'signature',
]);

/**
 * Words that make a secret-named key name a reference or a property of a secret, not the
 * secret: `secretName`, `remoteKey`, `ssl_key_file`, `password_encryption`, `publicKey`.
 */
const REFERENCE_WORDS = new Set([
  'name',
  'names',
  'ref',
  'refs',
  'reference',
  'references',
  'file',
  'files',
  'path',
  'paths',
  'store',
  'stores',
  'kind',
  'namespace',
  'selector',
  'remote',
  'id',
  'ids',
  'label',
  'labels',
  'length',
  'size',
  'bits',
  'type',
  'format',
  'algorithm',
  'alg',
  'mode',
  'interval',
  'rotation',
  'version',
  'command',
  'cmd',
  'url',
  'uri',
  'endpoint',
  'template',
  'field',
  'fields',
  'property',
  'count',
  'ttl',
  'expiry',
  'expiration',
  'expires',
  'policy',
  'provider',
  'env',
  'var',
  'location',
  'source',
  'enabled',
  'required',
  'header',
  'prefix',
  'suffix',
  'pattern',
  'encryption',
  'timeout',
  'lifetime',
  'iterations',
  'age',
  'public',
  'method',
  'methods',
]);

/** The word by which `key` names a secret (`password`, `token`, `key`, …), or undefined. */
export function secretWord(key: string): string | undefined {
  const words = keyWords(key);
  if (words.some((w) => REFERENCE_WORDS.has(w))) return undefined;
  // `sslpassword`, `adminpasswd`: run-together words that end in a password word.
  return words.find((w) => SECRET_WORDS.has(w) || /(password|passwd|passphrase)$/.test(w));
}

/**
 * Fields that legitimately hold the name of a Secret (or a non-credential token): matched
 * against the end of the dotted path, `*` standing for one segment. A Secret name must look
 * like one; the other scans still apply.
 */
const REFERENCE_FIELDS: readonly { readonly suffix: readonly string[]; readonly holds: 'secret-name' | 'not-a-credential' }[] = [
  { suffix: ['registry', 'pushSecret'], holds: 'secret-name' },
  // The Secret in the Flux namespace with the age identity that decrypts SOPS files.
  { suffix: ['secrets', 'decryptionSecret'], holds: 'secret-name' },
  { suffix: ['secrets', 'sops', 'decryptionSecret'], holds: 'secret-name' },
  // Secret-store keys (paths) of the backup credential and the provider's CA, not their values.
  { suffix: ['backupStorage', 'credentialsKey'], holds: 'not-a-credential' },
  { suffix: ['backupStorage', 'caKey'], holds: 'not-a-credential' },
  // The key, inside the bootstrap Secret, of the secret store's token: a key name, not the token.
  { suffix: ['secrets', 'store', 'onepassword', 'token', 'key'], holds: 'not-a-credential' },
  { suffix: ['secrets', 'store', 'vault', 'auth', 'token', 'key'], holds: 'not-a-credential' },
  { suffix: ['secrets', 'store', 'aws', 'auth', 'accessKey', 'secretAccessKeyKey'], holds: 'not-a-credential' },
  { suffix: ['secrets', 'store', 'azure', 'auth', 'servicePrincipal', 'clientSecretKey'], holds: 'not-a-credential' },
  { suffix: ['secrets', 'store', 'gcp', 'serviceAccountKey', 'key'], holds: 'not-a-credential' },
  // CloudNativePG's demotion token: where the old leader stopped, not a credential.
  { suffix: ['dr', 'promotionToken'], holds: 'not-a-credential' },
];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function referenceField(path: readonly string[]) {
  return REFERENCE_FIELDS.find(
    (r) => r.suffix.length <= path.length && r.suffix.every((s, i) => s === '*' || s === path[path.length - r.suffix.length + i]),
  );
}

/** Fields named as URLs, parsed as a whole besides the scan for URLs inside any string. */
const URL_WORDS = new Set(['url', 'uri', 'endpoint', 'server', 'address', 'href', 'webhook']);

/** Where a credential sits inside a string. */
interface Hit {
  readonly what: string;
  readonly start: number;
  readonly end: number;
  readonly publicPrefix: number;
  readonly fix: CredentialFinding['fix'];
  readonly extra?: string;
}

/** A value that is one `$(NAME)` reference to an environment variable, as Kubernetes expands it. */
const DEPENDENT_VARIABLE = /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/;

/** A user name and password that are both `$(NAME)` references to environment variables, as Kubernetes expands them. */
const DEPENDENT_VARIABLES = /^\$\([A-Za-z_][A-Za-z0-9_]*\):\$\([A-Za-z_][A-Za-z0-9_]*\)$/;

/** Only user names, never tokens, go before the @ of an SSH URL. */
const SSH_SCHEMES = new Set(['ssh', 'git+ssh', 'ssh+git', 'sftp', 'scp']);
const USER_NAME = /^[a-z_][a-z0-9_.-]{0,31}$/;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `name=value` parameters of a URL's query or fragment that name a credential. */
function credentialParams(text: string, offset: number): Hit[] {
  const hits: Hit[] = [];
  let at = 0;
  for (const part of text.split(/[&;]/)) {
    const eq = part.indexOf('=');
    const name = safeDecode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : part.slice(eq + 1);
    if (value && secretWord(name)) {
      hits.push({
        what: `a credential in a URL (parameter ${JSON.stringify(name.slice(0, 40))})`,
        start: offset + at + eq + 1,
        end: offset + at + part.length,
        publicPrefix: 0,
        fix: 'url',
      });
    }
    at += part.length + 1;
  }
  return hits;
}

/** User info and credential parameters of the URL `url` (scheme included) found at `offset`. */
function urlHits(url: string, offset: number): Hit[] {
  const hits: Hit[] = [];
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  const afterScheme = url.indexOf('//') + 2;
  const authorityEnd = (() => {
    const m = /[/?#]/.exec(url.slice(afterScheme));
    return m ? afterScheme + m.index : url.length;
  })();
  const at = url.lastIndexOf('@', authorityEnd - 1);
  if (at >= afterScheme) {
    const userinfo = url.slice(afterScheme, at);
    const colon = userinfo.indexOf(':');
    // `$(PGUSER):$(PGPASSWORD)`: Kubernetes fills in variables of the container's own environment; nothing is written here.
    if (DEPENDENT_VARIABLES.test(userinfo)) {
      // not a credential
    } else if (colon !== -1 && colon < userinfo.length - 1) {
      hits.push({ what: 'a URL with a user name and password', start: offset + afterScheme, end: offset + at, publicPrefix: 0, fix: 'url' });
    } else if (!(SSH_SCHEMES.has(scheme) && USER_NAME.test(safeDecode(userinfo.replace(/:$/, ''))))) {
      hits.push({
        what: 'a URL with a token (or user name) before the @',
        start: offset + afterScheme,
        end: offset + at,
        publicPrefix: 0,
        fix: 'url',
      });
    }
  }
  const q = url.indexOf('?', authorityEnd);
  const h = url.indexOf('#', authorityEnd);
  if (q !== -1) hits.push(...credentialParams(url.slice(q + 1, h > q ? h : url.length), offset + q + 1));
  if (h !== -1) hits.push(...credentialParams(url.slice(h + 1), offset + h + 1));
  return hits;
}

const URL_END = /[\s"'<>`]/;

/**
 * Credentials inside one string. Every search starts at an anchor (`://`, `@`, `=`) and
 * looks a bounded distance around it, so a long string costs linear time.
 */
export function scanString(text: string): Hit[] {
  const hits: Hit[] = [];
  for (const t of findTokenShapes(text)) hits.push({ ...t, fix: 'value' });

  // URLs: `scheme://...` up to white space or a quote.
  const urls: [number, number][] = [];
  for (let i = text.indexOf('://'); i !== -1; i = text.indexOf('://', i + 3)) {
    let start = i;
    while (start > 0 && i - start < 32 && /[A-Za-z0-9+.-]/.test(text[start - 1])) start--;
    if (start === i || !/[A-Za-z]/.test(text[start])) continue;
    let end = i + 3;
    while (end < text.length && !URL_END.test(text[end])) end++;
    urls.push([start, end]);
    hits.push(...urlHits(text.slice(start, end), start));
    i = end - 3;
  }
  const inUrl = (pos: number) => urls.some(([s, e]) => pos >= s && pos < e);

  // `user:password@host` without a scheme (an image or registry reference, a DSN).
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (inUrl(at)) continue;
    let start = at;
    while (start > 0 && at - start < 256 && !/[\s/@"'<>]/.test(text[start - 1])) start--;
    const userinfo = text.slice(start, at);
    const colon = userinfo.indexOf(':');
    const host = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*/.exec(text.slice(at + 1, at + 254))?.[0] ?? '';
    if (colon <= 0 || colon === userinfo.length - 1 || userinfo.slice(0, colon).toLowerCase() === 'mailto') continue;
    if (!host.includes('.') && host !== 'localhost') continue;
    hits.push({ what: 'a user name and password before an @host', start, end: at, publicPrefix: 0, fix: 'url' });
  }

  // `password=...` pairs: connection strings, JAAS configurations, command lines.
  for (let eq = text.indexOf('='); eq !== -1; eq = text.indexOf('=', eq + 1)) {
    if (inUrl(eq)) continue;
    let nameEnd = eq;
    while (nameEnd > 0 && eq - nameEnd < 8 && /[ \t]/.test(text[nameEnd - 1])) nameEnd--;
    let nameStart = nameEnd;
    while (nameStart > 0 && nameEnd - nameStart < 64 && /[A-Za-z0-9_.-]/.test(text[nameStart - 1])) nameStart--;
    const name = text.slice(nameStart, nameEnd);
    if (!name || !secretWord(name)) continue;
    let start = eq + 1;
    while (start < text.length && start - eq < 8 && /[ \t]/.test(text[start])) start++;
    const quote = text[start] === '"' || text[start] === "'" ? text[start] : undefined;
    let end = quote ? text.indexOf(quote, start + 1) : start;
    if (quote) end = end === -1 ? text.length : end;
    else while (end < text.length && !/[\s&;,'"]/.test(text[end])) end++;
    const valueStart = quote ? start + 1 : start;
    if (end > valueStart) {
      hits.push({ what: `a credential after ${JSON.stringify(name.slice(0, 40))}=`, start: valueStart, end, publicPrefix: 0, fix: 'value' });
      // The value is taken whole: an = inside it starts no other pair (and the scan stays linear).
      eq = end - 1;
    }
  }
  return hits;
}

/** A value of a field named as a URL, parsed as a whole (WHATWG URL): what the scan may miss (`https:\\user:pass@host`, escapes). */
function urlFieldHits(text: string): Hit[] {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return [];
  }
  const hits: Hit[] = [];
  const whole = { start: 0, end: text.length, publicPrefix: 0, fix: 'url' as const };
  if (DEPENDENT_VARIABLES.test(`${safeDecode(url.username)}:${safeDecode(url.password)}`)) {
    // References to the container's own variables (Kubernetes' $(NAME) expansion), not credentials.
  } else if (url.password) {
    hits.push({ what: 'a URL with a user name and password', ...whole, extra: safeDecode(url.password) });
  } else if (url.username && !(SSH_SCHEMES.has(url.protocol.replace(/:$/, '')) && USER_NAME.test(safeDecode(url.username)))) {
    hits.push({ what: 'a URL with a token (or user name) before the @', ...whole, extra: safeDecode(url.username) });
  }
  const params = [...url.searchParams, ...new URLSearchParams(url.hash.replace(/^#/, ''))];
  for (const [name, value] of params) {
    if (!value) continue;
    if (secretWord(name)) {
      hits.push({ what: `a credential in a URL (parameter ${JSON.stringify(name.slice(0, 40))})`, ...whole, extra: value });
    }
    // An endpoint or repository URL takes no opaque parameters: a long random one is a key.
    else if (value.length >= 20 && /^[A-Za-z0-9+/=_%.~-]+$/.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value)) {
      hits.push({ what: `an opaque value in a URL (parameter ${JSON.stringify(name.slice(0, 40))})`, ...whole, extra: value });
    }
  }
  return hits;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `{key, value}` / `{name, value}` entries (taints, env vars, remote refs): `key` names the entry, not a secret. */
const ENTRY_SIBLINGS = ['value', 'values', 'effect', 'operator', 'property', 'path', 'mode'];
function entryName(obj: Record<string, unknown>): string | undefined {
  const name = typeof obj.key === 'string' ? obj.key : typeof obj.name === 'string' && 'value' in obj ? obj.name : undefined;
  return name !== undefined && ENTRY_SIBLINGS.some((s) => s in obj) ? name : undefined;
}

/** Every credential in `data`: each string value and key, wherever it sits. */
export function findCredentials(data: unknown): CredentialFinding[] {
  const findings: CredentialFinding[] = [];
  const add = (path: readonly string[], what: string, shown: string, fix: CredentialFinding['fix'], secrets: string[]) => {
    findings.push({ path: path.join('.'), what, shown, fix, secrets: secrets.filter(Boolean) });
  };
  const fromHits = (path: readonly string[], text: string, hits: Hit[]) => {
    // One problem per field: the first credential shows where to look; all are hidden.
    const first = hits.reduce((a, b) => (b.start < a.start ? b : a));
    // The field's own problems are redacted whole; these texts hide echoes elsewhere, so a bounded number does.
    add(
      path,
      first.what,
      redact(text, first.start, first.publicPrefix),
      first.fix,
      hits.slice(0, 100).flatMap((h) => [text.slice(h.start, h.end), h.extra ?? '']),
    );
  };

  // Depth-first without recursion: a hostile file may nest deeply.
  const stack: { node: unknown; path: string[]; key?: string; entry?: string }[] = [{ node: data, path: [] }];
  while (stack.length) {
    const { node, path, key, entry } = stack.pop()!;
    if (typeof node === 'string' || typeof node === 'number') {
      const text = String(node);
      const hits = typeof node === 'string' ? scanString(text) : [];
      if (!hits.length && typeof node === 'string' && key !== undefined && keyWords(key).some((w) => URL_WORDS.has(w))) {
        hits.push(...urlFieldHits(text));
      }
      if (hits.length) {
        fromHits(path, text, hits);
        continue;
      }
      if (text === '' || key === undefined) continue;
      const reference = referenceField(path);
      if (reference?.holds === 'not-a-credential') continue;
      if (reference?.holds === 'secret-name') {
        if (!DNS_SUBDOMAIN.test(text)) add(path, 'secret material where the name of a Secret belongs', redact(text), 'reference', [text]);
        continue;
      }
      const word = entry !== undefined && key === 'value' ? secretWord(entry) : entry !== undefined && key === 'key' ? undefined : secretWord(key);
      // `$(PGPASSWORD)`: a reference Kubernetes expands from the container's own (granted) variables.
      if (word && DEPENDENT_VARIABLE.test(text)) continue;
      if (word) add(path, `a value under ${JSON.stringify(entry ?? key).slice(0, 60)}, which names a secret`, redact(text), 'value', [text]);
      continue;
    }
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], path: [...path, String(i)], key });
      continue;
    }
    if (!isObject(node)) continue;
    const name = entryName(node);
    const keys = Object.keys(node);
    for (const k of keys) {
      const hits = scanString(k);
      if (hits.length) {
        const first = hits.reduce((a, b) => (b.start < a.start ? b : a));
        add([...path, redact(k, first.start, first.publicPrefix)], `${first.what} as a key`, redact(k, first.start, first.publicPrefix), 'value', [
          k,
          ...hits.map((h) => k.slice(h.start, h.end)),
        ]);
      }
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      stack.push({ node: node[k], path: [...path, k], key: k, entry: name });
    }
  }
  return findings;
}

/** Where an environment file's credentials belong instead, by the region's secret backend. */
export interface SecretBackendHint {
  readonly kind?: string;
  readonly storeName?: string;
  /** `<region>/<env>` as far as the file tells. */
  readonly prefix: string;
}

export function backendFix(hint: SecretBackendHint): string {
  const [region] = hint.prefix.split('/');
  if (hint.kind === 'external-secrets') {
    return `keep it in the secret store ${JSON.stringify(hint.storeName ?? 'secrets.storeName')} under a remote key ${hint.prefix}/<component>/..., which Strata references with an ExternalSecret (README, section Secrets)`;
  }
  if (hint.kind === 'sealed-secrets') {
    return `seal it with kubeseal into environments/sealed-secrets/${hint.prefix}/, which Strata renders as a SealedSecret (README, section Secrets)`;
  }
  if (hint.kind === 'sops') {
    return `encrypt it with sops into environments/sops/${hint.prefix}/<namespace>_<name>.sops.yaml, which Flux decrypts as it applies it (README, section Secrets)`;
  }
  return `keep it in region ${region}'s secret backend: a remote key of its External Secrets store, or a kubeseal-sealed file under environments/sealed-secrets/ (README, section Secrets)`;
}

/** The problems of one file's data; `hint` says where its credentials belong. */
export function credentialProblems(file: string, data: unknown, hint: SecretBackendHint): { problems: Problem[]; secrets: string[] } {
  const findings = findCredentials(data);
  const home = backendFix(hint);
  const problems = findings.map((f): Problem => ({
    file,
    path: f.path,
    value: f.shown,
    message: `holds what looks like ${f.what}: environment files are rendered into dist/ and kept in Git in plain text`,
    fix:
      f.fix === 'url'
        ? `remove the credentials from the URL and rotate them; ${home}`
        : f.fix === 'reference'
          ? `write the name of a Kubernetes Secret here, not its content, and rotate the value; ${home}`
          : `remove it and rotate it; ${home}`,
  }));
  return { problems, secrets: findings.flatMap((f) => f.secrets) };
}

/** Where a file's credentials belong: its region's backend, read from the region file when it parsed. */
function hintFor(rel: string, files: readonly { rel: string; data: unknown }[]): SecretBackendHint {
  const overlay = /^overlays\/([^/]+)\/([^/]+)\.ya?ml$/.exec(rel);
  const region = overlay?.[1] ?? /^regions\/([^/]+)\.ya?ml$/.exec(rel)?.[1];
  const secrets = (files.find((f) => f.rel === `regions/${region}.yaml`)?.data as any)?.secrets;
  return {
    kind: typeof secrets?.kind === 'string' ? secrets.kind : undefined,
    storeName: typeof secrets?.storeName === 'string' ? secrets.storeName : undefined,
    prefix: `${region ?? '<region>'}/${overlay?.[2] ?? '<env>'}`,
  };
}

/** Replaces every credential text inside strings (keys included) of `value`. */
function hideIn(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return secrets.reduce((s, secret) => s.split(secret).join(REDACTED), value);
  if (depth > 100 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => hideIn(v, secrets, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [hideIn(k, secrets) as string, hideIn(v, secrets, depth + 1)]));
}

/**
 * Adds a problem for each credential in `files` (every parsed environment file, valid or
 * not) and hides the credentials' text in the problems already collected, whose values and
 * messages may quote them.
 */
export function checkSecrets(files: readonly { rel: string; data: unknown }[], problems: Problem[]): void {
  const found: Problem[] = [];
  const secrets = new Set<string>();
  for (const f of files) {
    const r = credentialProblems(f.rel, f.data, hintFor(f.rel, files));
    found.push(...r.problems);
    for (const s of r.secrets) secrets.add(s);
  }
  if (!found.length) return;
  // Longest first, so a credential is hidden whole before any part of it.
  const texts = [...secrets].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  // Short texts (a 3-letter password) would blank out ordinary words: their fields' values go instead.
  const long = texts.filter((t) => t.length >= 6);
  const flagged = new Set(found.map((p) => `${p.file}\u0000${p.path}`));
  for (let i = 0; i < problems.length; i++) {
    const p = problems[i];
    const sameField = [...flagged].some((k) => {
      const [file, path] = k.split('\u0000');
      return file === p.file && (p.path === path || path.startsWith(`${p.path}.`) || p.path.startsWith(`${path}.`) || p.path === '');
    });
    problems[i] = {
      ...p,
      path: hideIn(p.path, long) as string,
      message: hideIn(p.message, long) as string,
      fix: hideIn(p.fix, long) as string,
      ...('value' in p ? { value: sameField ? REDACTED : hideIn(p.value, long) } : {}),
    };
  }
  problems.push(...found);
}
