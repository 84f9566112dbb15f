/**
 * The one YAML writer for dist/: stable key order (apiVersion, kind, metadata first, then
 * alphabetical), no anchors, no line folding, and quoting that survives YAML 1.1 readers.
 * Kubernetes tooling (sigs.k8s.io/yaml) still reads `on`, `yes`, `0755` or `1:30` as
 * booleans and numbers, so such strings are always quoted.
 */
import * as yaml from 'js-yaml';

const YAML11_AMBIGUOUS = new yaml.Type('tag:yaml.org,2002:yaml11-ambiguous', {
  kind: 'scalar',
  resolve: (data: string) => /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(data)
    || /^[-+]?0[0-7_]+$/.test(data) // YAML 1.1 octal
    || /^[-+]?0b[01_]+$/.test(data) // YAML 1.1 binary
    || /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(data) // sexagesimal
    || /^[-+]?([0-9][0-9_]*)?\.?[0-9_]+([eE][-+]?[0-9]+)?$/.test(data) && data.includes('_'),
  construct: (data: string) => data,
});

const SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [YAML11_AMBIGUOUS] });
const FIRST = ['apiVersion', 'kind', 'metadata'];

function compareKeys(a: string, b: string): number {
  const ia = FIRST.indexOf(a);
  const ib = FIRST.indexOf(b);
  if (ia !== -1 || ib !== -1) return (ia === -1 ? FIRST.length : ia) - (ib === -1 ? FIRST.length : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function toYaml(value: unknown): string {
  return yaml.dump(value, { schema: SCHEMA, noRefs: true, lineWidth: -1, sortKeys: compareKeys, quotingType: "'" });
}

export function fromYaml(text: string): unknown {
  return yaml.load(text, { schema: yaml.CORE_SCHEMA });
}
