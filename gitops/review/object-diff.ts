/**
 * The fields that differ between two versions of an object. microdiff computes the
 * differences (small, no dependencies, one entry per changed leaf with its path); before it
 * runs, lists of named entries (containers, env, ports, volumes) become maps keyed by name,
 * so an inserted container reads as one added entry, not as every later one changed, and
 * paths name entries (`spec.template.spec.containers[app].image`) instead of indexes.
 */
import diff from 'microdiff';

export interface FieldChange {
  /** Dotted path; keys with dots or slashes are quoted (`metadata.labels["app.kubernetes.io/name"]`), named entries `[name]`. */
  readonly path: string;
  /** The same path as parts, to decide what is secret. */
  readonly parts: readonly string[];
  readonly type: 'added' | 'removed' | 'changed';
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Marks a key that came from a named list entry, so the path prints it as `[name]`. */
const ENTRY = '\u0000';

function keyed(value: unknown): unknown {
  if (Array.isArray(value)) {
    const names = value.map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as any).name : undefined));
    if (value.length > 0 && names.every((n) => typeof n === 'string') && new Set(names).size === names.length) {
      return Object.fromEntries(value.map((v, i) => [`${ENTRY}${names[i]}`, keyed(v)]));
    }
    return value.map(keyed);
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keyed(v)]));
  return value;
}

function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length && entries.every(([k]) => k.startsWith(ENTRY))) return entries.map(([, v]) => plain(v));
    return Object.fromEntries(entries.map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

export function formatPath(parts: readonly (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (p.startsWith(ENTRY)) out += `[${p.slice(1)}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const a = keyed(before);
  const b = keyed(after);
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') {
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: '', parts: [], type: 'changed', before, after }];
  }
  const changes = diff(a as Record<string, unknown>, b as Record<string, unknown>).map((d): FieldChange => {
    const parts = d.path.map((p) => (typeof p === 'number' ? String(p) : p.startsWith(ENTRY) ? p.slice(1) : p));
    const path = formatPath(d.path);
    if (d.type === 'CREATE') return { path, parts, type: 'added', after: plain(d.value) };
    if (d.type === 'REMOVE') return { path, parts, type: 'removed', before: plain(d.oldValue) };
    return { path, parts, type: 'changed', before: plain(d.oldValue), after: plain(d.value) };
  });
  return changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
