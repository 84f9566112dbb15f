/**
 * Kubernetes (and PostgreSQL) name rules, and the short form of derived names.
 *
 * Every rule exists twice in one place: as a pattern string (the JSON schema of
 * environments/ uses it, so a bad value is one line naming its field) and as a function
 * returning why a name breaks it (load-time checks and constructs use it).
 *
 * Which names are shortened and which are refused:
 * - Names Strata derives for its own plumbing, that nobody types elsewhere (the Kafka user
 *   a replica mirrors with, PgBouncer poolers, OpenSearch users and roles of connectors,
 *   MinIO users of peers) are shortened with `shortName` when too long: the result is
 *   stable across runs and machines, so a GitOps engine never sees a rename.
 * - Names a person types or reads elsewhere (databases and their owner roles, pipeline
 *   names that prefix Kafka topics, cluster names, host names in DNS) are never shortened:
 *   a silently different name would surprise whoever connects with the typed one, so the
 *   loader refuses them with the field to change.
 */
import { createHash } from 'crypto';

/** DNS-1123 label: Service names, namespaces, most derived object names. */
export const DNS_LABEL_MAX = 63;
/** DNS-1123 subdomain: names of most other objects (Secrets, StorageClasses, stores). */
export const DNS_SUBDOMAIN_MAX = 253;
/** A host name (RFC 1123) in total; each dot-separated label at most DNS_LABEL_MAX. */
export const HOSTNAME_MAX = 253;
/** PostgreSQL truncates identifiers beyond NAMEDATALEN - 1 bytes. */
export const POSTGRES_IDENTIFIER_MAX = 63;

const LABEL = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
const SUBDOMAIN_PART = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
/** The name part of a label or annotation key, and a non-empty label value. */
const QUALIFIED_NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';

export const DNS_LABEL_PATTERN = `^${LABEL}$`;
/**
 * DNS-1035 label of at most `max` characters: Service names (and so the names of clusters
 * whose operators derive Services from them) must start with a letter.
 */
export const dns1035LabelPattern = (max = DNS_LABEL_MAX): string => `^[a-z]([-a-z0-9]{0,${max - 2}}[a-z0-9])?$`;
export const DNS_SUBDOMAIN_PATTERN = `^(?=.{1,${DNS_SUBDOMAIN_MAX}}$)${SUBDOMAIN_PART}(\\.${SUBDOMAIN_PART})*$`;
/** Optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export const LABEL_KEY_PATTERN = `^(?![^/]{${DNS_SUBDOMAIN_MAX + 1},}/)(${SUBDOMAIN_PART}(\\.${SUBDOMAIN_PART})*/)?${QUALIFIED_NAME}$`;
/** Annotation keys follow the label-key syntax (only their values are free text). */
export const ANNOTATION_KEY_PATTERN = LABEL_KEY_PATTERN;
export const LABEL_VALUE_PATTERN = `^(${QUALIFIED_NAME})?$`;
/** A fully qualified host name of lower-case labels, ending in an alphabetic top-level label. */
export const HOSTNAME_PATTERN = `^(?=.{1,${HOSTNAME_MAX}}$)(${LABEL}\\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`;
/**
 * A PostgreSQL identifier Strata creates (database, role): unquoted lower case, starting
 * with a letter and ending in a letter or digit, so the object names derived from it
 * (`_` becomes `-`) are valid too; `pg_` is reserved for the system's own roles.
 */
export const POSTGRES_IDENTIFIER_PATTERN = `^(?!pg_)[a-z]([a-z0-9_]{0,${POSTGRES_IDENTIFIER_MAX - 2}}[a-z0-9])?$`;
export const STORAGE_CLASS_NAME_PATTERN = DNS_SUBDOMAIN_PATTERN;
export const SECRET_STORE_NAME_PATTERN = DNS_SUBDOMAIN_PATTERN;

/** Role names PostgreSQL reserves or that would grant more than meant. */
const RESERVED_POSTGRES_NAMES = new Set(['postgres', 'public', 'none', 'current_role', 'current_user', 'session_user', 'template0', 'template1']);

/** Why `name` is not a DNS-1123 label, or undefined when it is. */
/** Why `name` cannot name a Service (a DNS-1035 label: a letter first) of at most `max` characters, or undefined. */
export function dns1035LabelProblem(name: string, max: number = DNS_LABEL_MAX): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > max) return `has ${name.length} characters; at most ${max}`;
  if (!new RegExp(dns1035LabelPattern(max)).test(name)) {
    return "must start with a letter, then lower-case letters, digits and '-', ending with a letter or digit";
  }
  return undefined;
}

export function dnsLabelProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > DNS_LABEL_MAX) return `has ${name.length} characters; a DNS label has at most ${DNS_LABEL_MAX}`;
  if (!new RegExp(DNS_LABEL_PATTERN).test(name)) {
    return "is not a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit";
  }
  return undefined;
}

/** Why `name` is not a DNS-1123 subdomain, or undefined when it is. */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > DNS_SUBDOMAIN_MAX) return `has ${name.length} characters; a DNS subdomain has at most ${DNS_SUBDOMAIN_MAX}`;
  if (!new RegExp(DNS_SUBDOMAIN_PATTERN).test(name)) {
    return "is not a DNS subdomain: dot-separated parts of lower-case letters, digits and '-', each starting and ending with a letter or digit";
  }
  return undefined;
}

/** Why `key` is not a label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    const why = dnsSubdomainProblem(prefix);
    if (why) return `has a prefix "${prefix}" that ${why}`;
  }
  if (name.length === 0) return 'has an empty name part';
  if (name.length > DNS_LABEL_MAX) return `has a name part of ${name.length} characters; at most ${DNS_LABEL_MAX}`;
  if (!new RegExp(`^${QUALIFIED_NAME}$`).test(name)) {
    return "has a name part that is not letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  }
  return undefined;
}

export const annotationKeyProblem = labelKeyProblem;

/** Why `value` is not a label value (which may be empty), or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > DNS_LABEL_MAX) return `has ${value.length} characters; a label value has at most ${DNS_LABEL_MAX}`;
  if (!new RegExp(LABEL_VALUE_PATTERN).test(value)) {
    return "is not a label value: letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  }
  return undefined;
}

/** Why `host` is not a host name (RFC 1123, lower case, ≤ 253, labels ≤ 63), or undefined. */
export function hostnameProblem(host: string): string | undefined {
  if (host.length > HOSTNAME_MAX) return `has ${host.length} characters; a host name has at most ${HOSTNAME_MAX}`;
  const long = host.split('.').find((label) => label.length > DNS_LABEL_MAX);
  if (long) return `has the label "${long.slice(0, 20)}…" of ${long.length} characters; each label has at most ${DNS_LABEL_MAX}`;
  if (!new RegExp(HOSTNAME_PATTERN).test(host)) return "is not a host name: dot-separated labels of lower-case letters, digits and '-'";
  return undefined;
}

/** Why `name` is not an identifier Strata may create in PostgreSQL, or undefined. */
export function postgresIdentifierProblem(name: string): string | undefined {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > POSTGRES_IDENTIFIER_MAX) return `has ${bytes} bytes; PostgreSQL identifiers have at most ${POSTGRES_IDENTIFIER_MAX}`;
  if (name.startsWith('pg_')) return 'starts with pg_, which PostgreSQL reserves for system roles';
  if (RESERVED_POSTGRES_NAMES.has(name)) return 'is reserved by PostgreSQL';
  if (!new RegExp(POSTGRES_IDENTIFIER_PATTERN).test(name)) {
    return 'is not a lower-case PostgreSQL identifier: letters, digits and _, starting with a letter and ending with a letter or digit';
  }
  return undefined;
}

export const storageClassNameProblem = dnsSubdomainProblem;
export const secretStoreNameProblem = dnsSubdomainProblem;

const HASH_LENGTH = 8;

/**
 * `name` itself when it is a DNS label of at most `max` characters; otherwise a prefix of it
 * (lower-cased, other characters as `-`), `-` and 8 hex characters of the SHA-256 of the
 * whole name. Deterministic, never ends in `-`, and two names that differ anywhere get
 * different hashes.
 */
export function shortName(name: string, max: number = DNS_LABEL_MAX): string {
  if (!Number.isInteger(max) || max < HASH_LENGTH + 2 || max > DNS_LABEL_MAX) {
    throw new Error(`shortName: max must be an integer from ${HASH_LENGTH + 2} to ${DNS_LABEL_MAX} (got ${max})`);
  }
  if (name.length <= max && new RegExp(DNS_LABEL_PATTERN).test(name)) return name;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  const stem = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+/, '')
    .slice(0, max - HASH_LENGTH - 1)
    .replace(/-+$/, '');
  return stem ? `${stem}-${hash}` : hash;
}
