/**
 * A block-style YAML emitter for the plain JSON values that manifests are, writing exactly the
 * bytes js-yaml 4's `dump` writes with the options of `toYaml` (2-space indent, no refs, no line
 * width, single quotes, a key order, the same implicit-type schema), in a fraction of its time:
 * js-yaml's general dumper re-detects types and re-scans every scalar through its schema.
 *
 * It declines (returns `undefined`) instead of guessing where its output would need what it does
 * not implement: double-quoted scalars (unprintable or line-break characters in a key), keys of
 * more than 1024 characters, and anything that is not a string, number, boolean, null, plain
 * object or array. The caller then uses js-yaml for that document. The test suite proves the
 * equivalence on generated documents (test/gitops/yaml-emitter.test.ts) and on all of dist/.
 */
import * as yaml from 'js-yaml';

export interface EmitterOptions {
  /** Implicit scalar types: a string any of them resolves must be quoted. */
  readonly implicit: readonly yaml.Type[];
  readonly sortKeys: (a: string, b: string) => number;
}

/** What js-yaml quotes before looking at the schema (its compatibility mode). */
const DEPRECATED_BOOLEANS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const DEPRECATED_BASE60 = /^[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?$/;
/**
 * First characters of every string the core schema's null, bool, int and float types and the
 * YAML 1.1 ambiguity type can resolve; any other string needs no resolver call. The tests check
 * the set against the resolvers.
 */
const RESOLVABLE_FIRST = new Set('0123456789+-._~nNtTfFyYoO');
const INDENTS: string[] = [];
/** Strings that are plain-safe at every position without a closer look (most names, paths, versions). */
const SIMPLE = /^[\w/][\w./-]*$/;

class Decline extends Error {}

function indent(level: number): string {
  return (INDENTS[level] ??= ' '.repeat(2 * level));
}

function isPrintable(c: number): boolean {
  return (
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa1 && c <= 0xd7ff && c !== 0x2028 && c !== 0x2029) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

function isNsCharOrWhitespace(c: number): boolean {
  return isPrintable(c) && c !== 0xfeff && c !== 0x0d && c !== 0x0a;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** js-yaml's isPlainSafe in block context (flow indicators allowed). */
function isPlainSafe(c: number, prev: number): boolean {
  const nsOrWs = isNsCharOrWhitespace(c);
  const ns = nsOrWs && !isWhitespace(c);
  return (
    (nsOrWs && c !== 0x23 && !(prev === 0x3a && !ns)) ||
    (prev !== -1 && isNsCharOrWhitespace(prev) && !isWhitespace(prev) && c === 0x23) ||
    (prev === 0x3a && ns)
  );
}

/** `-?:,[]{}#&*!|=>'"%@\`` cannot start a plain scalar. */
const INDICATORS = new Set([0x2d, 0x3f, 0x3a, 0x2c, 0x5b, 0x5d, 0x7b, 0x7d, 0x23, 0x26, 0x2a, 0x21, 0x7c, 0x3d, 0x3e, 0x27, 0x22, 0x25, 0x40, 0x60]);

function isPlainSafeFirst(c: number): boolean {
  return isPrintable(c) && c !== 0xfeff && !isWhitespace(c) && !INDICATORS.has(c);
}

function codePointAt(s: string, i: number): number {
  return s.codePointAt(i)!;
}

export class YamlEmitter {
  private readonly implicit: readonly yaml.Type[];
  private readonly sortKeys: (a: string, b: string) => number;

  constructor(options: EmitterOptions) {
    this.implicit = options.implicit;
    this.sortKeys = options.sortKeys;
  }

  /** The document's text, or undefined where js-yaml must write it. */
  emit(value: unknown): string | undefined {
    try {
      const text = this.node(value, 0, true, false);
      return text === undefined ? '' : text + '\n';
    } catch (e) {
      if (e instanceof Decline) return undefined;
      throw e;
    }
  }

  private ambiguous(s: string): boolean {
    if (!RESOLVABLE_FIRST.has(s[0])) return false;
    for (const type of this.implicit) if (type.resolve(s)) return true;
    return false;
  }

  private scalar(s: string, level: number, isKey: boolean): string {
    if (s.length === 0) return "''";
    if (DEPRECATED_BOOLEANS.has(s) || DEPRECATED_BASE60.test(s)) return `'${s}'`;
    if (SIMPLE.test(s)) return this.ambiguous(s) ? `'${s}'` : s;
    const last = codePointAt(s, s.length - 1);
    let plain = isPlainSafeFirst(codePointAt(s, 0)) && !isWhitespace(last) && last !== 0x3a;
    let lineBreak = false;
    let prev = -1;
    for (let i = 0; i < s.length;) {
      const c = s.charCodeAt(i) < 0xd800 ? s.charCodeAt(i) : codePointAt(s, i);
      if (c === 0x0a && !isKey) {
        lineBreak = true;
      } else if (!isPrintable(c)) {
        throw new Decline();
      }
      plain = plain && isPlainSafe(c, prev);
      prev = c;
      i += c >= 0x10000 ? 2 : 1;
    }
    if (!lineBreak) {
      if (plain && !this.ambiguous(s)) return s;
      return s.includes("'") ? `'${s.replace(/'/g, "''")}'` : `'${s}'`;
    }
    return literal(s, 2 * Math.max(1, level));
  }

  /** The dump of one node, or undefined for a value js-yaml leaves out (undefined). */
  private node(value: unknown, level: number, compact: boolean, isKey: boolean): string | undefined {
    switch (typeof value) {
      case 'string':
        return this.scalar(value, level, isKey);
      case 'number':
        return number(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'undefined':
        return undefined;
      case 'object':
        if (value === null) return 'null';
        if (Array.isArray(value)) return value.length ? this.sequence(value, level, compact) : '[]';
        if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
          return this.mapping(value as Record<string, unknown>, level, compact);
        }
        throw new Decline();
      default:
        throw new Decline();
    }
  }

  private mapping(object: Record<string, unknown>, level: number, compact: boolean): string {
    const keys = Object.keys(object).sort(this.sortKeys);
    let out = '';
    for (const key of keys) {
      const keyText = this.scalar(key, level + 1, true);
      if (keyText.length > 1024) throw new Decline();
      const valueText = this.node(object[key], level + 1, false, false);
      if (valueText === undefined) continue;
      if (!compact || out !== '') out += '\n' + indent(level);
      out += keyText + (valueText.charCodeAt(0) === 0x0a ? ':' : ': ') + valueText;
    }
    return out || '{}';
  }

  private sequence(items: readonly unknown[], level: number, compact: boolean): string {
    let out = '';
    for (const item of items) {
      const text = this.node(item, level + 1, true, false) ?? 'null';
      if (!compact || out !== '') out += '\n' + indent(level);
      out += (text.charCodeAt(0) === 0x0a ? '-' : '- ') + text;
    }
    return out;
  }
}

function number(n: number): string {
  if (n % 1 === 0 && !Object.is(n, -0)) return n.toString(10);
  if (Number.isNaN(n)) return '.nan';
  if (n === Infinity) return '.inf';
  if (n === -Infinity) return '-.inf';
  if (Object.is(n, -0)) return '-0.0';
  const text = n.toString(10);
  return /^[-+]?[0-9]+e/.test(text) ? text.replace('e', '.e') : text;
}

/** A literal block scalar: `|` with js-yaml's indentation indicator and chomping. */
function literal(s: string, spaces: number): string {
  const indicator = /^\n* /.test(s) ? '2' : '';
  const clip = s[s.length - 1] === '\n';
  const keep = clip && (s[s.length - 2] === '\n' || s === '\n');
  const chomp = keep ? '+' : clip ? '' : '-';
  const pad = indent(spaces / 2);
  let body = '';
  let position = 0;
  while (position < s.length) {
    const next = s.indexOf('\n', position);
    const line = next === -1 ? s.slice(position) : s.slice(position, next + 1);
    position = next === -1 ? s.length : next + 1;
    if (line.length && line !== '\n') body += pad;
    body += line;
  }
  if (body[body.length - 1] === '\n') body = body.slice(0, -1);
  return '|' + indicator + chomp + '\n' + body;
}
