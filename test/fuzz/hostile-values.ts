/**
 * Values a careless or hostile author writes into an environment file: numbers at and past
 * every bound, strings with combining marks, bidi overrides, emoji, NUL and lone
 * surrogates, 1k–100k character strings, path-like and YAML-like text, keys that collide
 * with Object.prototype, deep nesting, and credential-looking strings to plant.
 */
import fc from 'fast-check';

/** An own enumerable property, even for `__proto__` (plain assignment would set the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An object built key by key with `setOwn`, so `__proto__` and friends stay data. */
export function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) setOwn(out, k, v);
  return out;
}

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    1e308,
    -1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    -0,
    0.5,
    1.5,
    2.5,
    -1,
    -2147483649,
    2 ** 31,
    2 ** 31 - 1,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    1e21,
    1e-7,
    NaN,
    Infinity,
    -Infinity,
  ),
  fc.double(),
  fc.integer(),
);

const UNICODE_PIECES = [
  'e\u0301',
  'a\u0308\u0308\u0308',
  '\u202eevil',
  '\u202dx',
  'שלום',
  'مرحبا',
  '👩‍👩‍👧',
  '🏳️‍🌈',
  '\u0000',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  'İ',
  'ı',
  'ß',
  'ǅ',
  '\u0085',
  '\u2028',
  'Ω',
  'Ａ',
  '\u0007',
  '\t',
  '\r\n',
  'a',
  '-',
  '0',
];

export const unicodeString: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...UNICODE_PIECES), { minLength: 1, maxLength: 6 })
  .map((p) => p.join(''));

/** 1k–100k characters of one repeated piece (kept whole: no split surrogate pairs). */
export const longString: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.constantFrom('a', 'é', '-', '0', '👍', 'ab ', 'e\u0301', '\u0000'))
  .map(([n, piece]) => piece.repeat(Math.ceil(n / piece.length)));

export const PATH_LIKE = [
  '../x',
  '../../../../etc/passwd',
  '/etc/passwd',
  'a\\b',
  'C:\\Windows\\system32',
  '..',
  '.',
  '',
  ' ',
  'a/b',
  'a/../b',
  '~',
  '~/x',
  '$HOME',
  '${VAR}',
  '$(id)',
  '`id`',
  '%2e%2e%2f',
  'file:///etc/passwd',
  '\\\\server\\share',
  'a\nb',
  '-rf',
  '*',
  'x;rm -rf /',
];

export const YAML_LIKE = [
  'yes',
  'no',
  'on',
  'off',
  'y',
  'null',
  '~',
  'true',
  '0755',
  '0o17',
  '1:30',
  '1e3',
  '0x1F',
  '.nan',
  '.inf',
  '- a',
  'a: b',
  '{a: 1}',
  '[1]',
  '&a',
  '*a',
  '!!str',
  '#c',
  '---',
  '...',
  '|',
  '>',
  '%TAG',
  "'",
  '"',
  '<<',
  '1_000',
  '2001-12-14',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PATH_LIKE) },
  { weight: 3, arbitrary: fc.constantFrom(...YAML_LIKE) },
  { weight: 3, arbitrary: unicodeString },
  { weight: 2, arbitrary: longString },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

/** Keys that mean something to JavaScript, JSON Schema, YAML or Kubernetes. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'length',
      '0',
      '-1',
      '',
      ' ',
      '.',
      '..',
      'a.b',
      'a/b',
      '~1',
      '$ref',
      '$schema',
      'kind',
      'apiVersion',
      'metadata',
      '<<',
      'true',
      'null',
      'ON',
    ),
  },
  { weight: 2, arbitrary: unicodeString },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 5_000 }).map((n) => 'k'.repeat(n)) },
);

/** An ordinary key, for maps that should accept it. */
export const plainKey: fc.Arbitrary<string> = fc.stringMatching(/^[a-z][a-z_]{0,11}$/);

/** Objects and arrays nested 10–300 deep (deeper nesting is written as raw text). */
export const deepValue: fc.Arbitrary<unknown> = fc.tuple(fc.integer({ min: 10, max: 300 }), fc.boolean(), hostileKey).map(([depth, arrays, key]) => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = arrays ? [v] : objectOf([[i % 7 === 0 ? key : 'a', v]]);
  return v;
});

const leaf: fc.Arbitrary<unknown> = fc.oneof(hostileNumber, hostileString, fc.boolean(), fc.constant(null));

/** Any type of value: what a type change or a careless edit puts anywhere. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileNumber },
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, [], {}) },
  { weight: 2, arbitrary: fc.array(leaf, { maxLength: 4 }) },
  { weight: 2, arbitrary: fc.array(fc.tuple(hostileKey, leaf), { maxLength: 3 }).map(objectOf) },
  { weight: 1, arbitrary: deepValue },
);

/**
 * A credential-looking string around a unique marker: the marker must never reach the
 * rendered tree.
 */
export interface PlantedSecret {
  readonly value: string;
  readonly marker: string;
}

export const plantedSecret: fc.Arbitrary<PlantedSecret> = fc
  .tuple(fc.stringMatching(/^[A-Z0-9]{20}$/), fc.integer({ min: 0, max: 7 }))
  .map(([m, form]) => {
    const forms = [
      { value: `AKIA${m.slice(0, 16)}`, marker: `AKIA${m.slice(0, 16)}` },
      { value: `ghp_${m}${m.slice(0, 16)}`, marker: m },
      { value: `postgresql://app:${m}@db.internal:5432/app`, marker: m },
      { value: `https://deploy:${m}@git.strata.example/platform/strata.git`, marker: m },
      { value: `password=${m}`, marker: m },
      { value: `-----BEGIN OPENSSH PRIVATE KEY-----\n${m}\n-----END OPENSSH PRIVATE KEY-----`, marker: m },
      { value: `xoxb-123456789012-${m}`, marker: m },
      { value: `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${Buffer.from(JSON.stringify({ sub: m })).toString('base64url')}.${m}`, marker: m },
    ];
    return forms[form];
  });
