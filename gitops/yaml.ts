/**
 * The one YAML writer for dist/: stable key order (apiVersion, kind, metadata first, then
 * alphabetical), no anchors, no line folding, and quoting that survives YAML 1.1 readers.
 * Kubernetes tooling (sigs.k8s.io/yaml) still reads `on`, `yes`, `0755` or `1:30` as
 * booleans and numbers, so such strings are always quoted.
 */
import * as yaml from 'js-yaml';
import { YamlEmitter } from './yaml-emitter';

const YAML11_AMBIGUOUS = new yaml.Type('tag:yaml.org,2002:yaml11-ambiguous', {
  kind: 'scalar',
  resolve: (data: string) =>
    /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(data) ||
    /^[-+]?0[0-7_]+$/.test(data) || // YAML 1.1 octal
    /^[-+]?0b[01_]+$/.test(data) || // YAML 1.1 binary
    /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(data) || // sexagesimal
    (/^[-+]?([0-9][0-9_]*)?\.?[0-9_]+([eE][-+]?[0-9]+)?$/.test(data) && data.includes('_')),
  construct: (data: string) => data,
});

const SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [YAML11_AMBIGUOUS] });
/** apiVersion, kind and metadata first, in that order; every other key after them. */
function rank(key: string): number {
  return key === 'apiVersion' ? 0 : key === 'kind' ? 1 : key === 'metadata' ? 2 : 3;
}

function compareKeys(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== 3 || rb !== 3) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

const DUMP_OPTIONS: yaml.DumpOptions = { schema: SCHEMA, noRefs: true, lineWidth: -1, sortKeys: compareKeys, quotingType: "'" };
/** The implicit types js-yaml consults, in its order (the schema's compiled list). */
export const IMPLICIT_TYPES: readonly yaml.Type[] = (SCHEMA as unknown as { compiledImplicit: yaml.Type[] }).compiledImplicit;
const EMITTER = new YamlEmitter({ implicit: IMPLICIT_TYPES, sortKeys: compareKeys });

/**
 * One document. The fast emitter writes what js-yaml would, byte for byte; where it declines
 * (a double-quoted scalar, a very long key, a value that is not plain JSON), js-yaml writes it.
 */
export function toYaml(value: unknown): string {
  return EMITTER.emit(value) ?? yaml.dump(value, DUMP_OPTIONS);
}

/** js-yaml's own rendering with the same options: the reference the emitter is tested against. */
export function toYamlWithJsYaml(value: unknown): string {
  return yaml.dump(value, DUMP_OPTIONS);
}

export function fromYaml(text: string): unknown {
  return yaml.load(text, { schema: yaml.CORE_SCHEMA });
}
