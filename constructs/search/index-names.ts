/**
 * Names OpenSearch and Kubernetes both see: index names and patterns, and the object names
 * derived from them.
 */

/** An index name OpenSearch accepts: lower case, no leading `_`, `-` or `+`, none of `\/*?"<>| ,#:`. */
const INDEX_NAME = /^[a-z0-9][a-z0-9_.+-]{0,254}$/;
/** The same with `*` wildcards (an index pattern). */
const INDEX_PATTERN = /^[a-z0-9*][a-z0-9_.+*-]{0,254}$/;

export function assertIndexName(what: string, name: string): void {
  if (!INDEX_NAME.test(name)) {
    throw new Error(
      `${what}: "${name}" is not a valid OpenSearch index name: use lower-case letters, digits, _, -, + and ., starting with a letter or digit`,
    );
  }
}

export function assertIndexPattern(what: string, pattern: string): void {
  if (!INDEX_PATTERN.test(pattern)) {
    throw new Error(`${what}: "${pattern}" is not a valid index pattern: use lower-case letters, digits, _, -, +, . and * wildcards`);
  }
}

/** Whether the wildcard pattern `pattern` matches the concrete index `index`. */
export function patternMatches(pattern: string, index: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(index);
}

/** A Kubernetes object name for an OpenSearch name (`employees_index` → `employees-index`). */
export function objectNameFor(name: string): string {
  const converted = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  if (!converted || converted.length > 253) throw new Error(`"${name}" cannot be turned into a Kubernetes object name`);
  return converted;
}

/** Users and roles Strata declares are Kubernetes objects named after them. */
export function assertSecurityName(kind: string, name: string): void {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
    throw new Error(
      `OpenSearch ${kind} name "${name}" must be a DNS label (lower-case letters, digits and -, at most 63 characters): it is also the name of its Kubernetes object`,
    );
  }
}
