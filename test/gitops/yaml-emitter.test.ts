import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { PROJECT_ROOT } from '../../environments/project-root';
import { listTree } from '../../gitops/tree';
import { fromYaml, IMPLICIT_TYPES, toYaml, toYamlWithJsYaml } from '../../gitops/yaml';

/** Characters that steer js-yaml's scalar styles: indicators, quotes, spaces, breaks, digits, type words. */
const TRICKY = [
  'a',
  'Z',
  '0',
  '1',
  '7',
  '9',
  '_',
  '.',
  '+',
  '-',
  ':',
  '#',
  ' ',
  '\n',
  '\t',
  '\r',
  "'",
  '"',
  '\\',
  '?',
  ',',
  '[',
  ']',
  '{',
  '}',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  '=',
  '~',
  'e',
  'E',
  'x',
  'o',
  'b',
  'n',
  'y',
  'N',
  'Y',
  'O',
  'f',
  't',
  'T',
  'F',
  '\u00e9',
  '\u00a0',
  '\u0085',
  '\u2028',
  '\ufeff',
  '\u4e2d',
  '\ud83d\ude00',
  '\ud800',
  '\u0007',
  '\u007f',
];
const WORDS = [
  'true',
  'False',
  'NULL',
  'null',
  '~',
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  '.inf',
  '-.Inf',
  '.NaN',
  '0x1F',
  '0o17',
  '0b101',
  '0755',
  '1_000',
  '1:30',
  '190:20:30.5',
  '1e3',
  '-1.5e-3',
  '.5',
  '+1',
  '12',
  '3.0',
  '_',
  '- a',
  ': b',
  'a: b',
  'a #c',
  'a#c',
  '#x',
  '_:_',
  '1_:2',
  '-_:0.5',
];

const trickyString = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...TRICKY), { maxLength: 12 }).map((cs) => cs.join('')) },
  { weight: 2, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...TRICKY), fc.constantFrom(...WORDS)).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('apiVersion', 'kind', 'metadata', 'spec', 'status', 'data') },
);

const scalar = fc.oneof(
  { weight: 5, arbitrary: trickyString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null, undefined, 0, -0, 1e21, 5e-100, Number.MAX_SAFE_INTEGER) },
);

const document = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('object'), tie('array')),
  object: fc.dictionary(trickyString, tie('value'), { maxKeys: 6 }),
  array: fc.array(tie('value'), { maxLength: 5 }),
})).value;

describe('the YAML emitter', () => {
  test('writes what js-yaml writes, byte for byte, for any JSON-shaped document', () => {
    fc.assert(
      fc.property(document, (doc) => {
        expect(toYaml(doc)).toBe(toYamlWithJsYaml(doc));
      }),
      { numRuns: 4000 },
    );
  });

  test('writes what js-yaml writes for multi-line scalars at every depth', () => {
    const block = fc
      .array(fc.constantFrom('line', ' indented', '', '\n', 'a: b', "it's", '  ', '#'), { minLength: 1, maxLength: 6 })
      .map((ls) => ls.join('\n'));
    const nested = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        block,
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(nested, (doc) => {
        expect(toYaml(doc)).toBe(toYamlWithJsYaml(doc));
      }),
      { numRuns: 2000 },
    );
  });

  test('reads back as the document it was given', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, (doc) => {
        const normalised = JSON.parse(JSON.stringify(doc)) as unknown;
        expect(fromYaml(toYaml(normalised))).toEqual(normalised);
      }),
      { numRuns: 1000 },
    );
  });

  test('a string that any implicit type resolves starts with a character the emitter checks', () => {
    // The emitter skips the resolvers for strings whose first character no resolver accepts;
    // this holds that set against the resolvers themselves.
    const first = new Set('0123456789+-._~nNtTfFyYoO');
    const candidates = fc.oneof(trickyString, fc.string({ maxLength: 6 }), fc.constantFrom(...WORDS));
    fc.assert(
      fc.property(candidates, (s) => {
        if (s.length > 0 && IMPLICIT_TYPES.some((t) => t.resolve(s))) expect(first.has(s[0])).toBe(true);
      }),
      { numRuns: 20000 },
    );
    expect(IMPLICIT_TYPES.map((t) => (t as unknown as { tag: string }).tag)).toEqual([
      'tag:yaml.org,2002:null',
      'tag:yaml.org,2002:bool',
      'tag:yaml.org,2002:int',
      'tag:yaml.org,2002:float',
      'tag:yaml.org,2002:yaml11-ambiguous',
    ]);
  });

  test('leaves to js-yaml what needs double quotes, and values that are not plain JSON', () => {
    class Duration {
      constructor(readonly seconds: number) {}
    }
    for (const doc of [{ 'a\nb': 1 }, { bell: 'ring\u0007' }, { tab: 'a\tb' }, { when: new Duration(5) }, { ['k'.repeat(1100)]: 1 }]) {
      expect(toYaml(doc)).toBe(toYamlWithJsYaml(doc));
    }
  });

  test('every manifest in dist/ is written the same by the emitter and by js-yaml', () => {
    const dist = path.join(PROJECT_ROOT, 'dist');
    let documents = 0;
    for (const rel of listTree(dist).filter((f) => f.endsWith('.yaml'))) {
      const text = fs.readFileSync(path.join(dist, rel), 'utf8');
      for (const part of text.split(/^---\n/m).filter((p) => p.trim() !== '' && !p.startsWith('#'))) {
        const doc = fromYaml(part);
        expect(toYaml(doc)).toBe(toYamlWithJsYaml(doc));
        documents++;
      }
    }
    expect(documents).toBeGreaterThan(500);
  });
});
