/**
 * Environment file contents no YAML writer produces: alias bombs, self-referencing aliases,
 * duplicate keys, invalid UTF-8 and other encodings, tags, deep nesting, huge literals.
 * A recipe is plain data (printable, reproducible); `rawContent` turns it into bytes, some
 * recipes from the file's original text.
 */
import fc from 'fast-check';

export type RawRecipe =
  | { readonly name: 'alias-bomb'; readonly levels: number; readonly fan: number; readonly under: 'mappings' | 'parameters' | 'labels' | 'top' }
  | { readonly name: 'self-alias'; readonly under: 'mappings' | 'parameters' | 'top' }
  | { readonly name: 'scalar-anchors' }
  | { readonly name: 'merge-key' }
  | { readonly name: 'duplicate-key'; readonly variant: 'file-twice' | 'nested' | 'top' | 'flow' }
  | { readonly name: 'bytes'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly name: 'encoding'; readonly as: 'bom' | 'utf16le' | 'utf16le-no-bom' | 'crlf' | 'tabs' | 'latin1-value' | 'nul-end' }
  | { readonly name: 'document'; readonly text: string }
  | { readonly name: 'multi-document' }
  | { readonly name: 'deep'; readonly depth: number; readonly brackets: 'flow-seq' | 'flow-map' | 'block'; readonly under: 'mappings' | 'top' }
  | { readonly name: 'long'; readonly length: number; readonly what: 'value' | 'key' | 'comment' | 'mapping-key' }
  | { readonly name: 'number-literal'; readonly literal: string }
  | { readonly name: 'tag'; readonly text: string };

const INDEX_HEAD = [
  'streaming:',
  '  kafka: {enabled: true}',
  '  pipelines:',
  '    - name: hrm',
  '      database: hrm',
  '      tables: [public.employees]',
  '      indices:',
  '        public.employees:',
  '          index: employees_index',
  '          mappings:',
];
const INDEX_TAIL = ['opensearch: {enabled: true}'];

/** `lines` placed where the recipe says, as a whole file. */
function placed(under: string, lines: readonly string[]): string {
  switch (under) {
    case 'mappings':
      return [...INDEX_HEAD, ...lines.map((l) => `            ${l}`), ...INDEX_TAIL, ''].join('\n');
    case 'parameters':
      return ['postgres:', '  parameters:', ...lines.map((l) => `    ${l}`), ''].join('\n');
    case 'labels':
      return ['databaseNodes:', '  labels:', ...lines.map((l) => `    ${l}`), ''].join('\n');
    default:
      return [...lines, ''].join('\n');
  }
}

/** The original text when it is a block mapping, so more block keys can follow; else nothing. */
function blockBase(original: string): string {
  const content = original
    .split('\n')
    .filter((l) => !/^\s*(#.*)?$/.test(l))
    .join('\n')
    .trim();
  return content === '' || content.startsWith('{') || content.startsWith('[') ? '' : `${original.replace(/\n*$/, '')}\n`;
}

export function rawContent(recipe: RawRecipe, original: string): Buffer {
  return recipe.name === 'bytes' ? withBytes(original, recipe.at, recipe.bytes) : encoded(recipe, original);
}

function withBytes(original: string, at: number, bytes: readonly number[]): Buffer {
  const source = Buffer.from(original, 'utf8');
  const i = Math.min(source.length, Math.floor(at * source.length));
  return Buffer.concat([source.subarray(0, i), Buffer.from(bytes), source.subarray(i)]);
}

function encoded(recipe: RawRecipe, original: string): Buffer {
  switch (recipe.name) {
    case 'encoding':
      switch (recipe.as) {
        case 'bom':
          return Buffer.from(`\ufeff${original}`, 'utf8');
        case 'utf16le':
          return Buffer.from(`\ufeff${original}`, 'utf16le');
        case 'utf16le-no-bom':
          return Buffer.from(original, 'utf16le');
        case 'crlf':
          return Buffer.from(original.replace(/\r?\n/g, '\r\n'), 'utf8');
        case 'tabs':
          return Buffer.from(
            original.replace(/^( {2})+/gm, (s) => '\t'.repeat(s.length / 2)),
            'utf8',
          );
        case 'latin1-value':
          return Buffer.concat([Buffer.from(blockBase(original), 'utf8'), Buffer.from('postgres:\n  name: caf\u00e9\n', 'latin1')]);
        case 'nul-end':
          return Buffer.from(`${original}\u0000`, 'utf8');
      }
      break;
    default:
      return Buffer.from(text(recipe, original), 'utf8');
  }
  throw new Error(`unknown recipe ${JSON.stringify(recipe)}`);
}

function text(recipe: RawRecipe, original: string): string {
  switch (recipe.name) {
    case 'alias-bomb': {
      const names = 'abcdefghijklmnop'.split('').slice(0, recipe.levels);
      const lines = names.map(
        (n, i) => `_${n}: &${n} [${Array.from({ length: recipe.fan }, () => (i === 0 ? '"lol"' : `*${names[i - 1]}`)).join(', ')}]`,
      );
      return placed(recipe.under, lines);
    }
    case 'self-alias':
      return recipe.under === 'top' ? 'x: &x [*x]\n' : placed(recipe.under, ['self: &self', '  again: *self']);
    case 'scalar-anchors':
      // Legitimate anchors: one value written once and reused.
      return 'postgres:\n  instances: &n 3\nminio:\n  servers: *n\n';
    case 'merge-key':
      return 'base: &b {instances: 2}\npostgres:\n  <<: *b\n';
    case 'duplicate-key':
      switch (recipe.variant) {
        case 'file-twice':
          return `${original}\n${original}`;
        case 'nested':
          return `${blockBase(original)}velero:\n  enabled: true\n  enabled: false\n`;
        case 'top':
          return `${blockBase(original)}zoneLabel: a\nzoneLabel: b\n`;
        case 'flow':
          return 'postgres: {instances: 3, instances: 1}\n';
      }
      break;
    case 'document':
      return recipe.text;
    case 'multi-document':
      return `${original}\n---\n${original}`;
    case 'deep': {
      const d = recipe.depth;
      const value =
        recipe.brackets === 'flow-seq'
          ? `${'['.repeat(d)}${']'.repeat(d)}`
          : recipe.brackets === 'flow-map'
            ? `${'{a: '.repeat(d)}1${'}'.repeat(d)}`
            : undefined;
      if (value !== undefined) return placed(recipe.under, [`deep: ${value}`]);
      // Block nesting: each level one more indentation step.
      const lines = Array.from({ length: Math.min(d, 5_000) }, (_, i) => `${' '.repeat(i)}a:`);
      return placed(recipe.under, [...lines, `${' '.repeat(lines.length)}1`]);
    }
    case 'long':
      switch (recipe.what) {
        case 'value':
          return `postgres:\n  name: ${'a'.repeat(recipe.length)}\n`;
        case 'key':
          return `${'k'.repeat(recipe.length)}: 1\n`;
        case 'comment':
          return `# ${'x'.repeat(recipe.length)}\n${original}`;
        case 'mapping-key':
          return placed('mappings', [`${'k'.repeat(recipe.length)}: {type: text}`]);
      }
      break;
    case 'number-literal':
      return `postgres:\n  instances: ${recipe.literal}\n`;
    case 'tag':
      return `${recipe.text}\n`;
  }
  throw new Error(`unknown recipe ${JSON.stringify(recipe)}`);
}

const DOCUMENTS = [
  '',
  '   \n',
  '# only a comment\n',
  '---',
  '---\n...',
  '~',
  'null',
  '42',
  'just a string',
  '- a\n- b',
  '[]',
  '"\\u0000"',
  '? a',
  ': x',
  '{',
  '[',
  '"unterminated',
  "'",
  '@at',
  '`tick',
  '%',
  '\t{}',
  '{}{}',
  'a: b: c',
  'a:\n- b\n c',
];
const TAGS = [
  'postgres: !!binary aGVsbG8=',
  'postgres:\n  instances: !!float 3',
  'postgres:\n  instances: !!str 3',
  'x: !custom 1',
  'x: !!js/function "function(){}"',
  'x: !!set {a, b}',
  'x: !!omap [a: 1]',
  'postgres:\n  backup:\n    schedule: !!timestamp 2001-12-14',
  '!!map {}',
  '--- !<tag:yaml.org,2002:str> x',
  '%YAML 1.1\n---\npostgres:\n  synchronous: yes',
  '%YAML 9.9\n---\n{}',
  '%TAG ! tag:evil.example,2000:\n---\nx: !a 1',
  '? [a, b]\n: c',
  '{a: 1}: b',
];
const LITERALS = [
  '1' + '0'.repeat(400),
  '1e400',
  '-0',
  '.inf',
  '-.inf',
  '.nan',
  '0x7fffffffffffffff',
  '0o777',
  '1_000',
  '3.0',
  '3.',
  '+3',
  '0b11',
  '٣',
  '３',
  '9007199254740993',
];
const BYTES: number[][] = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0xaf],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0x00],
  [0xef, 0xbb, 0xbf],
  [0x1b, 0x5b, 0x33, 0x31, 0x6d],
  [0x0d],
  [0x85],
  [0xe9],
];

export const rawRecipe: fc.Arbitrary<RawRecipe> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      name: fc.constant('alias-bomb' as const),
      levels: fc.integer({ min: 2, max: 10 }),
      fan: fc.integer({ min: 2, max: 10 }),
      under: fc.constantFrom('mappings' as const, 'parameters' as const, 'labels' as const, 'top' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      name: fc.constant('self-alias' as const),
      under: fc.constantFrom('mappings' as const, 'parameters' as const, 'top' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ name: 'scalar-anchors' as const }) },
  { weight: 1, arbitrary: fc.constant({ name: 'merge-key' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      name: fc.constant('duplicate-key' as const),
      variant: fc.constantFrom('file-twice' as const, 'nested' as const, 'top' as const, 'flow' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ name: fc.constant('bytes' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.constantFrom(...BYTES) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      name: fc.constant('encoding' as const),
      as: fc.constantFrom(
        'bom' as const,
        'utf16le' as const,
        'utf16le-no-bom' as const,
        'crlf' as const,
        'tabs' as const,
        'latin1-value' as const,
        'nul-end' as const,
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ name: fc.constant('document' as const), text: fc.constantFrom(...DOCUMENTS) }) },
  { weight: 1, arbitrary: fc.constant({ name: 'multi-document' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      name: fc.constant('deep' as const),
      depth: fc.oneof(fc.integer({ min: 10, max: 1_000 }), fc.integer({ min: 1_000, max: 100_000 })),
      brackets: fc.constantFrom('flow-seq' as const, 'flow-map' as const, 'block' as const),
      under: fc.constantFrom('mappings' as const, 'top' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      name: fc.constant('long' as const),
      length: fc.integer({ min: 1_000, max: 100_000 }),
      what: fc.constantFrom('value' as const, 'key' as const, 'comment' as const, 'mapping-key' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ name: fc.constant('number-literal' as const), literal: fc.constantFrom(...LITERALS) }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constant('tag' as const), text: fc.constantFrom(...TAGS) }) },
);
