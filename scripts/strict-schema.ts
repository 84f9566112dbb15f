/**
 * Turns upstream OpenAPI schemas (Kubernetes core definitions and CRD openAPIV3Schema)
 * into strict, self-contained JSON schemas that ajv can compile:
 *
 * - unknown fields are errors: every object schema that lists `properties` and does not
 *   preserve unknown fields gets `additionalProperties: false` (the API server would
 *   silently prune such a field, which hides typos; an operator might ignore it);
 * - Kubernetes extensions become plain JSON schema (`x-kubernetes-int-or-string`,
 *   `nullable`, `x-kubernetes-preserve-unknown-fields`);
 * - descriptions, defaults, examples and CEL rules are dropped: they do not validate
 *   anything ajv can check and make the committed schemas several times larger.
 */

type Json = any;

/** JSON-schema keywords kept as they are; everything else is dropped. */
const KEPT = new Set([
  'type',
  'properties',
  'additionalProperties',
  'items',
  'required',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'format',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  '$ref',
  'minProperties',
  'maxProperties',
  'multipleOf',
  'const',
]);

/** Formats ajv-formats checks the way the API server does; others are dropped. */
const FORMATS = new Set(['int32', 'int64', 'date-time', 'byte', 'double', 'float']);

/**
 * @param inCombinator the schema is a branch of oneOf/anyOf/allOf/not: such a branch often
 * lists only the fields it constrains (`{required: [pattern]}`), so closing it would reject
 * valid objects; the object schema that holds the combinator stays closed.
 */
export function strictify(schema: Json, inCombinator = false): Json {
  if (Array.isArray(schema)) return schema.map((s) => strictify(s, inCombinator));
  if (schema === null || typeof schema !== 'object') return schema;

  const out: Json = {};
  for (const key of Object.keys(schema)) {
    if (!KEPT.has(key)) continue;
    const value = schema[key];
    switch (key) {
      case 'properties': {
        const props: Json = {};
        for (const name of Object.keys(value)) props[name] = strictify(value[name]);
        out.properties = props;
        break;
      }
      case 'additionalProperties':
        out.additionalProperties = typeof value === 'object' ? strictify(value) : value;
        break;
      case 'items':
        out[key] = strictify(value);
        break;
      case 'not':
        out[key] = strictify(value, true);
        break;
      case 'oneOf':
      case 'anyOf':
      case 'allOf':
        // CRDs use these for "one of these fields is required"; keep only the structure.
        out[key] = value.map((branch: Json) => strictify(branch, true));
        break;
      case 'format':
        if (typeof value === 'string' && FORMATS.has(value)) out.format = value;
        break;
      case 'pattern':
        // Go's RE2 syntax is not JavaScript's: a pattern such as `^(?i)(abort|warn)?$` cannot
        // compile here, so it is left to the API server rather than guessed at.
        if (compiles(value)) out.pattern = value;
        break;
      case 'enum':
        // A nullable enum lists null; ajv needs the type to allow it too (handled below).
        out.enum = value;
        break;
      default:
        out[key] = value;
    }
  }

  if (schema['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }

  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  if (out.properties && out.additionalProperties === undefined && !preserve && !embedded && !inCombinator) {
    out.additionalProperties = false;
  }
  if (preserve && out.type === undefined && out.properties === undefined) {
    // "any value" in Kubernetes terms.
    return {};
  }

  if (schema.nullable === true && typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (out.enum && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Collects the names of `#/definitions/...` references reachable from a schema. */
export function referencedDefinitions(root: Json, definitions: Record<string, Json>): string[] {
  const seen = new Set<string>();
  const visit = (node: Json) => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/definitions/')) {
      const name = ref.slice('#/definitions/'.length);
      if (!seen.has(name)) {
        seen.add(name);
        if (!definitions[name]) throw new Error(`dangling schema reference ${ref}`);
        visit(definitions[name]);
      }
    }
    for (const key of Object.keys(node)) visit(node[key]);
  };
  visit(root);
  return [...seen].sort();
}

/** Sorts object keys recursively so generated files are byte-stable. */
export function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
  return out;
}
