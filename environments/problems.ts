/**
 * Bad environment input is reported all at once: every problem names the file, the field
 * path, the bad value and the fix. Loading throws one EnvironmentError; nothing is written.
 * `Problem` and `SpecError` (problems found while building constructs) are the construct
 * library's (constructs/core/problems.ts).
 */
import { isAbsolute, relative as relativePath } from 'path';
import { Problem, SpecError, withEnvironmentsFolder } from '../constructs/core/problems';

export { SpecError };
export type { Problem };

export class EnvironmentError extends Error {
  constructor(
    public readonly envDir: string,
    public readonly problems: readonly Problem[],
  ) {
    super(formatProblems(envDir, problems));
    this.name = 'EnvironmentError';
  }
}

/**
 * A value as JSON, cut at 80 characters. Written by hand so a huge or self-referencing value
 * (a YAML alias bomb) costs O(80) and never throws.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  const LIMIT = 80;
  let out = '';
  const seen = new Set<unknown>();
  const emit = (s: string) => {
    out += s;
    return out.length <= LIMIT;
  };
  const walk = (v: unknown): boolean => {
    if (v === null || typeof v !== 'object') {
      const s =
        typeof v === 'string'
          ? JSON.stringify(v.length > LIMIT ? v.slice(0, LIMIT) : v)
          : typeof v === 'number' || typeof v === 'boolean'
            ? String(v)
            : 'null';
      return emit(s);
    }
    if (seen.has(v)) return emit('"(cycle)"');
    seen.add(v);
    const isArray = Array.isArray(v);
    if (!emit(isArray ? '[' : '{')) return false;
    // Iterated lazily: a million-entry value stops after a few entries.
    let first = true;
    const entry = (key: string | number): boolean => {
      if (!first && !emit(',')) return false;
      first = false;
      if (!isArray && !emit(`${JSON.stringify(String(key).length > LIMIT ? String(key).slice(0, LIMIT) : key)}:`)) return false;
      return walk((v as any)[key]);
    };
    if (isArray) {
      for (let i = 0; i < (v as unknown[]).length; i++) if (!entry(i)) return false;
    } else {
      for (const key in v as object) if (Object.prototype.hasOwnProperty.call(v, key) && !entry(key)) return false;
    }
    seen.delete(v);
    return emit(isArray ? ']' : '}');
  };
  walk(value);
  return out.length > LIMIT ? `${out.slice(0, LIMIT - 3)}...` : out;
}

// C0 and C1 controls, line and paragraph separators, bidi overrides and isolates.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from the user's files (a key, a file name) as printed: one line that cannot move the
 * cursor or reorder what follows, cut at `limit` characters (never inside a surrogate pair).
 */
export function printable(text: string, limit: number): string {
  const escaped = text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (escaped.length <= limit) return escaped;
  const cut = escaped.slice(0, limit - 3);
  return `${/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut}...`;
}

export function formatProblems(envDir: string, problems: readonly Problem[]): string {
  // Fixes that write into the environments folder name it as the user would type it here.
  const relative = relativePath(process.cwd(), envDir);
  const folder = relative === '' ? '.' : relative.startsWith('..') || isAbsolute(relative) ? envDir : relative;
  const lines = [`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${envDir}; nothing was written.`];
  const byFile = new Map<string, Problem[]>();
  for (const p of problems) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
  for (const file of [...byFile.keys()].sort()) {
    lines.push('', `  ${printable(file, 200)}`);
    for (const p of byFile.get(file)!) {
      const where = p.path ? `${printable(p.path, 200)}: ` : '';
      const value = 'value' in p ? ` (value: ${printable(formatValue(p.value), 100)})` : '';
      lines.push(`    ${where}${printable(p.message, 600)}${value}`, `      fix: ${printable(withEnvironmentsFolder(p.fix, folder), 900)}`);
    }
  }
  return lines.join('\n');
}

/**
 * Walks a dotted field path. Keys may contain dots themselves (`indices.public.employees`
 * names the table `public.employees`), so at each level the longest run of segments that
 * is a key wins.
 */
function walkPath(data: unknown, path: string): { found: boolean; value: unknown } {
  if (!path) return { found: true, value: data };
  const parts = path.split('.');
  let node: any = data;
  let i = 0;
  while (i < parts.length) {
    if (node === null || typeof node !== 'object') return { found: false, value: undefined };
    let j = parts.length;
    while (j > i && !(parts.slice(i, j).join('.') in node)) j--;
    if (j === i) return { found: false, value: undefined };
    node = node[parts.slice(i, j).join('.')];
    i = j;
  }
  return { found: true, value: node };
}

/** Reads a dotted path from a plain object. */
export function valueAt(data: unknown, path: string): unknown {
  return walkPath(data, path).value;
}

export function hasPath(data: unknown, path: string): boolean {
  return walkPath(data, path).found;
}

/** The file that set a field of an overlay's settings (its overlay file for built-in values). */
export function settingSource(
  overlay: { sourceFile: string; settingsSources: readonly { file: string; data: unknown }[] },
  fieldPath: string,
): string {
  const layers = overlay.settingsSources ?? [];
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (hasPath(layer.data, fieldPath)) return layer.file.startsWith('(') ? overlay.sourceFile : layer.file;
  }
  return overlay.sourceFile;
}
