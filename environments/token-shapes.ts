/**
 * Credentials recognisable by their shape alone, wherever they sit in a string: vendors give
 * their keys and tokens fixed prefixes so that scanners like this one find them. Each shape
 * starts with a literal and has bounded repetitions, so a scan stays linear on long strings.
 * Certificates (`-----BEGIN CERTIFICATE-----`) are public and not matched.
 */

export interface TokenShape {
  readonly what: string;
  /** Global regular expression; a match is the credential. */
  readonly pattern: RegExp;
  /** How many leading characters are the public prefix, safe to show (`AKIA`, `ghp_`). */
  readonly publicPrefix: number;
}

export const TOKEN_SHAPES: readonly TokenShape[] = [
  { what: 'an AWS access key id', pattern: /(?:AKIA|ASIA)[A-Z0-9]{16}/g, publicPrefix: 4 },
  { what: 'a GitHub token', pattern: /gh[pousr]_[A-Za-z0-9]{36,255}/g, publicPrefix: 4 },
  { what: 'a GitHub fine-grained token', pattern: /github_pat_[A-Za-z0-9_]{22,255}/g, publicPrefix: 4 },
  { what: 'a GitLab token', pattern: /glpat-[A-Za-z0-9_-]{20,255}/g, publicPrefix: 4 },
  { what: 'a Slack token', pattern: /xox[abpr]-[A-Za-z0-9-]{10,255}/g, publicPrefix: 4 },
  { what: 'a Slack webhook URL', pattern: /hooks\.slack\.com\/services\/T[A-Z0-9]{6,20}\/B[A-Z0-9]{6,20}\/[A-Za-z0-9]{16,64}/g, publicPrefix: 4 },
  { what: 'a Google API key', pattern: /AIza[0-9A-Za-z_-]{35}/g, publicPrefix: 4 },
  { what: 'a Stripe live key', pattern: /(?:sk|rk)_live_[0-9A-Za-z]{20,255}/g, publicPrefix: 4 },
  { what: 'a JSON Web Token', pattern: /eyJ[A-Za-z0-9_-]{4,1024}\.[A-Za-z0-9_-]{4,16384}\.[A-Za-z0-9_-]{4,4096}/g, publicPrefix: 3 },
  { what: 'an age secret key', pattern: /AGE-SECRET-KEY-1[0-9A-Z]{58}/g, publicPrefix: 4 },
  // The body of an OpenSSH key without its armour: base64 of "openssh-key-v1".
  { what: 'an OpenSSH private key', pattern: /b3BlbnNzaC1rZXktdjE[A-Za-z0-9+/=]{0,16384}/g, publicPrefix: 0 },
  { what: 'a PuTTY private key', pattern: /PuTTY-User-Key-File-[0-9]/g, publicPrefix: 4 },
];

/** A private key block: the span runs to its END line, or to the end of the string. */
const PRIVATE_KEY_BEGIN = /-----BEGIN ([A-Z0-9]+ ){0,3}PRIVATE KEY( BLOCK)?-----/g;
/** Base64 of "-----BEGIN": a PEM block encoded once more, as in a Secret's data. */
const BASE64_PEM = /LS0tLS1CRUdJTi[A-Za-z0-9+/]{0,65536}={0,2}/g;

export interface TokenHit {
  readonly what: string;
  readonly start: number;
  readonly end: number;
  readonly publicPrefix: number;
}

function privateKeyEnd(text: string, from: number): number {
  const end = text.indexOf('-----END', from);
  if (end === -1) return text.length;
  const close = text.indexOf('-----', end + 8);
  return close === -1 ? text.length : close + 5;
}

/** Every token shape in `text`, in order of position. */
export function findTokenShapes(text: string): TokenHit[] {
  const hits: TokenHit[] = [];
  for (const shape of TOKEN_SHAPES) {
    for (const m of text.matchAll(shape.pattern)) {
      hits.push({ what: shape.what, start: m.index!, end: m.index! + m[0].length, publicPrefix: shape.publicPrefix });
    }
  }
  for (const m of text.matchAll(PRIVATE_KEY_BEGIN)) {
    const kind = m[0].slice('-----BEGIN '.length, m[0].indexOf('PRIVATE KEY')).trim();
    hits.push({
      what: `a private key${kind ? ` (${kind})` : ''}`,
      start: m.index!,
      end: privateKeyEnd(text, m.index! + m[0].length),
      publicPrefix: 4,
    });
  }
  for (const m of text.matchAll(BASE64_PEM)) {
    const decoded = Buffer.from(m[0].slice(0, 120), 'base64').toString('latin1');
    if (/-----BEGIN ([A-Z0-9]+ ){0,3}PRIVATE KEY/.test(decoded)) {
      hits.push({ what: 'a base64-encoded private key', start: m.index!, end: m.index! + m[0].length, publicPrefix: 0 });
    }
  }
  return hits.sort((a, b) => a.start - b.start || b.end - a.end);
}
