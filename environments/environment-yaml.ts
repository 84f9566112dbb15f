/**
 * Turns the text of one environment file into plain data, refusing what a hostile or broken
 * file could do to the loader: aliases that multiply the document ("billion laughs"), aliases
 * that contain themselves, duplicate keys, several documents, tags beyond YAML 1.2 core, and
 * documents too large or too deep once aliases are expanded.
 *
 * Values are the YAML 1.2 core schema (what js-yaml's CORE_SCHEMA gives for ordinary files:
 * `yes` is a string, `0o17` is 15). Aliases are expanded into fresh copies while counting, so
 * what the rest of the loader sees is exactly what was measured.
 */
import { Alias, isAlias, isMap, isScalar, isSeq, LineCounter, Node, parseAllDocuments, YAMLError, YAMLMap } from 'yaml';
import { formatValue } from './problems';

/** Limits on one file's data, aliases expanded. */
export const YAML_LIMITS = {
  /** Alias uses, counting each use inside an expanded alias again. */
  aliases: 100,
  /** Scalars, mappings, sequences and keys. */
  nodes: 100_000,
  /** Characters of keys and string values: as much as the largest file holds without aliases. */
  characters: 1024 * 1024,
  /** Mappings and sequences inside one another. */
  depth: 100,
} as const;

/** A reason to refuse the file, with the field path (dotted, empty for the whole file). */
export interface YamlProblem {
  readonly path: string;
  readonly value?: unknown;
  readonly message: string;
  readonly fix: string;
}

export type ParsedYaml =
  { readonly kind: 'empty' } | { readonly kind: 'data'; readonly data: unknown } | { readonly kind: 'problem'; readonly problem: YamlProblem };

const CORE = 'tag:yaml.org,2002:';
const SCALAR_TAGS = new Set(['str', 'int', 'float', 'bool', 'null'].map((t) => CORE + t));
const MAP_TAGS = new Set([`${CORE}map`]);
const SEQ_TAGS = new Set([`${CORE}seq`]);
const PLAIN_YAML = 'environment files hold plain YAML 1.2 values: strings, numbers, booleans, null, lists and mappings';
const FLATTEN = 'flatten the file: environment settings nest only a few levels';

/** An anchor's name as printed: names come from the file and may be any length. */
function anchorName(name: string): string {
  return name.length > 40 ? `${name.slice(0, 37)}...` : name;
}

class Refusal {
  constructor(readonly problem: YamlProblem) {}
}

export function parseEnvironmentYaml(text: string): ParsedYaml {
  const lines = new LineCounter();
  // Duplicate keys are found while converting (one pass, both lines named): the parser's
  // `uniqueKeys` compares every key with every earlier one, minutes for a 1 MiB mapping.
  const docs = parseAllDocuments(text, { version: '1.2', schema: 'core', merge: false, uniqueKeys: false, prettyErrors: false, lineCounter: lines });
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const streamErrors = 'empty' in docs ? docs.errors : docs.flatMap((d) => d.errors);
  if (streamErrors.length) return { kind: 'problem', problem: syntaxProblem(streamErrors, at) };
  if (docs.length === 0) return { kind: 'empty' };
  if (docs.length > 1) {
    return {
      kind: 'problem',
      problem: {
        path: '',
        message: `holds ${docs.length} YAML documents (the second starts at ${at(docs[1].range[0])}); an environment file is one document`,
        fix: 'remove the `---` line and the document after it, or move that document into a file of its own',
      },
    };
  }
  const doc = docs[0];
  const warning = doc.warnings[0];
  if (warning) {
    return {
      kind: 'problem',
      problem: {
        path: '',
        message: `is not valid YAML: ${firstLine(warning.message)} at ${at(warning.pos[0])}`,
        fix: `remove the tag: ${PLAIN_YAML}`,
      },
    };
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return { kind: 'empty' };
  try {
    return { kind: 'data', data: new Converter(lines).value(doc.contents, [], 0) };
  } catch (err) {
    if (err instanceof Refusal) return { kind: 'problem', problem: err.problem };
    throw err;
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/\.$/, '');
}

/** The first error: the parser's own words, at its position. */
function syntaxProblem(errors: readonly YAMLError[], at: (offset: number) => string): YamlProblem {
  const first = errors[0];
  if (first.code === 'RESOURCE_EXHAUSTION') {
    return { path: '', message: `nests too deeply to be read (${firstLine(first.message)})`, fix: FLATTEN };
  }
  const message = `is not valid YAML: ${firstLine(first.message)} at ${at(first.pos[0])}`;
  return { path: '', message, fix: 'fix the YAML syntax (indentation, quotes, colons)' };
}

/** Builds plain data from the parsed document, expanding aliases and counting as it goes. */
class Converter {
  private readonly anchors = new Map<string, Node>();
  /** Collections being converted: an alias to one of them would repeat forever. */
  private readonly open = new Set<Node>();
  /** Above zero while copying an alias' target: its anchors were registered the first time. */
  private expanding = 0;
  private aliases = 0;
  private nodes = 0;
  private characters = 0;

  constructor(private readonly lines: LineCounter) {}

  value(node: unknown, path: string[], depth: number): unknown {
    if (node === null || node === undefined) return this.count(null, path);
    if (isAlias(node)) return this.alias(node, path, depth);
    const n = node as Node;
    if (n.anchor && this.expanding === 0) this.anchors.set(n.anchor, n);
    if (isScalar(n)) {
      this.checkTag(n, SCALAR_TAGS, path);
      const v = n.value;
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        this.refuse(path, `holds a value YAML 1.2 core does not define (${typeof v})`, `write it as a string: ${PLAIN_YAML}`);
      }
      return this.count(v, path);
    }
    if (depth >= YAML_LIMITS.depth) {
      this.refuse(path, `nests deeper than ${YAML_LIMITS.depth} levels`, FLATTEN);
    }
    if (isMap(n)) return this.map(n, path, depth);
    if (isSeq(n)) {
      this.checkTag(n, SEQ_TAGS, path);
      this.count(undefined, path);
      this.open.add(n);
      const out: unknown[] = [];
      for (const [i, item] of n.items.entries()) {
        path.push(String(i));
        out.push(this.value(item, path, depth + 1));
        path.pop();
      }
      this.open.delete(n);
      return out;
    }
    return this.refuse(path, 'holds a YAML node of an unsupported kind', PLAIN_YAML);
  }

  private map(n: YAMLMap<unknown, unknown>, path: string[], depth: number): Record<string, unknown> {
    this.checkTag(n, MAP_TAGS, path);
    this.count(undefined, path);
    this.open.add(n);
    const out: Record<string, unknown> = {};
    const firstLineOf = new Map<string, number>();
    for (const pair of n.items) {
      const keyNode = isAlias(pair.key) ? this.target(pair.key, path) : pair.key;
      if (keyNode !== null && keyNode !== undefined && !isScalar(keyNode)) {
        this.refuse(path, `has a list or mapping as a key at line ${this.line(keyNode as Node)}`, 'use a plain text key');
      }
      const scalar = isScalar(keyNode) ? keyNode : undefined;
      const key = String(scalar ? scalar.value : null);
      const line = this.line((pair.key as Node | null) ?? n);
      if (scalar?.type === 'PLAIN' && key === '<<') {
        this.refuse(
          [...path, key],
          `uses a YAML merge key (<<) at line ${line}, which environment files do not support`,
          "write the fields out; for values several overlays share, use platform.yaml, tiers/<tier>.yaml or the region's defaults:",
        );
      }
      if (key === '__proto__') this.refuse(path, `has a key named __proto__ at line ${line}`, 'remove it: no setting has that name');
      const earlier = firstLineOf.get(key);
      if (earlier !== undefined) {
        this.refuse(
          [...path, key],
          `duplicate key ${formatValue(key)} at lines ${earlier} and ${line}`,
          'keep one of the two: YAML does not allow a key twice in one mapping',
        );
      }
      firstLineOf.set(key, line);
      this.count(key, path);
      path.push(key);
      out[key] = this.value(pair.value, path, depth + 1);
      path.pop();
    }
    this.open.delete(n);
    return out;
  }

  private alias(node: Alias, path: string[], depth: number): unknown {
    if (++this.aliases > YAML_LIMITS.aliases) {
      const last = `*${anchorName(node.source)} at line ${this.line(node)}`;
      this.refuse(
        path,
        `expands more than ${YAML_LIMITS.aliases} aliases (the last one ${last}), which multiplies the file's size`,
        'write the values out instead of repeating them with aliases',
      );
    }
    const target = this.target(node, path);
    this.expanding++;
    const v = this.value(target, path, depth);
    this.expanding--;
    return v;
  }

  private target(node: Alias, path: string[]): Node {
    const target = this.anchors.get(node.source);
    const name = anchorName(node.source);
    const alias = `alias *${name} at line ${this.line(node)}`;
    if (!target) this.refuse(path, `${alias} has no anchor &${name} before it`, `define &${name} before its first use, or write the value out`);
    if (this.open.has(target)) {
      this.refuse(
        path,
        `${alias} refers to itself: it is inside the list or mapping &${name} names, so it would repeat forever`,
        'replace the alias with the values it should repeat',
      );
    }
    return target;
  }

  private checkTag(n: Node, allowed: ReadonlySet<string>, path: string[]): void {
    const tag = (n as { tag?: string }).tag;
    if (tag === undefined || allowed.has(tag)) return;
    const shown = tag.startsWith(CORE) ? `!!${tag.slice(CORE.length)}` : tag;
    this.refuse(path, `uses the tag ${formatValue(shown)} at line ${this.line(n)}`, `remove the tag: ${PLAIN_YAML}`);
  }

  /** Counts one node (and a string's characters), refusing as soon as a limit is passed. */
  private count<T>(v: T, path: string[]): T {
    this.nodes++;
    if (typeof v === 'string') this.characters += v.length;
    if (this.nodes > YAML_LIMITS.nodes) this.tooLarge(path, `${YAML_LIMITS.nodes} values`);
    if (this.characters > YAML_LIMITS.characters) this.tooLarge(path, `${YAML_LIMITS.characters} characters of text`);
    return v;
  }

  private tooLarge(path: string[], limit: string): never {
    const expanded = this.aliases ? ' once its aliases are expanded' : '';
    return this.refuse(
      path,
      `holds more than ${limit}${expanded}`,
      'keep environment files to settings: write repeated values out once, and move bulk data elsewhere',
    );
  }

  private line(n: Node): number {
    return this.lines.linePos(n.range?.[0] ?? 0).line;
  }

  private refuse(path: readonly string[], message: string, fix: string): never {
    throw new Refusal({ path: path.join('.'), message, fix });
  }
}
