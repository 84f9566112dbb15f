/**
 * Field paths and values derived from the environment schemas: values that pass the schema
 * but sit at its edges (bounds, long pattern matches such as a 12-digit quantity with an
 * `Ei` suffix, ordinary keys beside prototype keys in maps) reach charts/ and constructs/,
 * where a random value would stop at loading.
 */
import fc from 'fast-check';
import { hostileKey, hostileNumber, hostileString, hostileValue, objectOf, plainKey } from './hostile-values';
import { OVERLAY_SCHEMA, REGION_SCHEMA } from '../../environments/schema';

type Schema = Record<string, any>;

/** A map's key in a schema path: filled in with a generated key. */
export const ANY_KEY = Symbol('any key');
export type SchemaSegment = string | number | typeof ANY_KEY;

export interface SchemaPath {
  readonly path: readonly SchemaSegment[];
  readonly schema: Schema;
}

function resolve(schema: Schema): Schema {
  return schema.$ref === 'strata:overlay' ? OVERLAY_SCHEMA : schema;
}

/** Every field path a schema describes (array items as index 0, map values under ANY_KEY). */
export function schemaPaths(root: Schema): SchemaPath[] {
  const out = new Map<string, SchemaPath>();
  const walk = (schema: Schema, at: SchemaSegment[], depth: number) => {
    const s = resolve(schema);
    if (at.length) out.set(at.map(String).join('\u0001'), { path: at, schema: s });
    if (depth > 8) return;
    for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) walk(v, [...at, k], depth + 1);
    for (const branch of (s.oneOf ?? []) as Schema[]) walk(branch, at, depth + 1);
    if (s.items) walk(s.items, [...at, 0], depth + 1);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, [...at, ANY_KEY], depth + 1);
  };
  walk(root, [], 0);
  return [...out.values()];
}

/** The schema for each kind of environment file. */
export function schemaOfFile(rel: string): Schema {
  return rel.startsWith('regions/') ? REGION_SCHEMA : OVERLAY_SCHEMA;
}

function edgeInteger(min: number | undefined, max: number | undefined): fc.Arbitrary<unknown> {
  const lo = min ?? -1_000_000;
  const hi = max ?? 1_000_000;
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: lo, max: hi }) },
    { weight: 3, arbitrary: fc.constantFrom(lo, hi) },
    { weight: 1, arbitrary: fc.constantFrom(lo - 1, hi + 1, 0, -1) },
    { weight: 1, arbitrary: hostileNumber },
  );
}

/** Strings matching a pattern; fast-check cannot generate for lookarounds: those get ordinary strings. */
function matching(pattern: string): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(new RegExp(pattern));
  } catch {
    return fc.string({ maxLength: 70 }).filter((s) => new RegExp(pattern).test(s) || s.length > 0);
  }
}

function schemaString(schema: Schema): fc.Arbitrary<unknown> {
  let valid: fc.Arbitrary<string>;
  if (schema.pattern) valid = matching(schema.pattern);
  else if (schema.format === 'ipv4') valid = fc.oneof(fc.ipV4(), fc.constantFrom('0.0.0.0', '255.255.255.255', '127.0.0.1'));
  else valid = fc.string({ minLength: schema.minLength ?? 0, maxLength: schema.maxLength ?? 40, unit: 'grapheme' });
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: hostileString });
}

/** Index mappings and other free-form objects: arrays where objects belong, prototype keys, deep nesting. */
const freeForm: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant({ properties: { id: { type: 'keyword' } } }),
  fc.array(hostileValue, { maxLength: 3 }).map((a) => ({ properties: a })),
  fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 3 }).map(objectOf),
  fc.tuple(hostileKey, hostileValue).map(([k, v]) => ({ properties: objectOf([[k, v]]) })),
  hostileValue.map((v) => ({ _meta: v })),
);

/** A value for a schema node: mostly valid but at the edges, sometimes of another type. */
export function valueFor(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const valid = validValue(s, depth);
  return fc.oneof({ weight: 10, arbitrary: valid }, { weight: 1, arbitrary: hostileValue });
}

function validValue(s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  if (s.oneOf) return fc.oneof(...(s.oneOf as Schema[]).map((b) => validValue(resolve(b), depth + 1)));
  switch (s.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return edgeInteger(s.minimum, s.maximum);
    case 'string':
      return schemaString(s);
    case 'array':
      return depth > 4 ? fc.constant([]) : fc.array(valueFor(s.items ?? {}, depth + 1), { minLength: s.minItems ?? 0, maxLength: 3 });
    case 'object': {
      if (s.properties) {
        if (depth > 3) return fc.constant({});
        const props = s.properties as Record<string, Schema>;
        const model = Object.fromEntries(Object.keys(props).map((k) => [k, valueFor(props[k], depth + 1)]));
        return fc.record(model, { requiredKeys: ((s.required ?? []) as string[]).filter((k) => k in props) });
      }
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        const key = fc.oneof({ weight: 3, arbitrary: plainKey }, { weight: 1, arbitrary: hostileKey });
        return fc.array(fc.tuple(key, valueFor(s.additionalProperties, depth + 1)), { maxLength: 3 }).map(objectOf);
      }
      return freeForm;
    }
    default:
      return hostileValue;
  }
}

/** A concrete path: ANY_KEY replaced with an ordinary or a hostile key. */
export function concretePath(path: readonly SchemaSegment[]): fc.Arbitrary<(string | number)[]> {
  const keys = path.filter((s) => s === ANY_KEY).length;
  const key = fc.oneof(
    { weight: 2, arbitrary: plainKey },
    { weight: 2, arbitrary: hostileKey },
    { weight: 1, arbitrary: fc.constant('public.employees') },
  );
  return fc.array(key, { minLength: keys, maxLength: keys }).map((ks) => {
    let i = 0;
    return path.map((s) => (s === ANY_KEY ? ks[i++] : s));
  });
}
