/**
 * The settings are declared once: the JSON schema that checks environment files
 * (environments/schema.ts) and the TypeScript model the charts read (environments/model.ts,
 * whose component types pick their fields from the construct props) must describe the same
 * fields with the same types, enums included. The model is read with the TypeScript compiler;
 * a field added to one side only fails here.
 */
/* eslint-disable no-bitwise -- the TypeScript compiler's type and symbol flags are bit sets */
import * as path from 'path';
import * as ts from 'typescript';
import { PROJECT_ROOT } from '../../environments/project-root';
import { SETTINGS_SCHEMA } from '../../environments/schema';

/** A shape both sides can be reduced to. */
type Shape =
  | { kind: 'string' | 'number' | 'boolean' | 'unknown' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'array'; items: Shape }
  | { kind: 'map'; values: Shape }
  | { kind: 'object'; properties: Record<string, Shape> };

function fromSchema(s: any): Shape {
  // One of several objects (a probe, a solver): the fields of all of them, as the model's union reads.
  if (Array.isArray(s.oneOf) && s.oneOf.every((b: any) => b.type === 'object' && b.properties)) {
    const properties: Record<string, Shape> = {};
    for (const branch of s.oneOf) for (const [k, v] of Object.entries(branch.properties)) properties[k] ??= fromSchema(v);
    return { kind: 'object', properties };
  }
  if (Array.isArray(s.enum)) return { kind: 'enum', values: [...s.enum].map(String).sort() };
  if (s.type === 'string') return { kind: 'string' };
  if (s.type === 'integer' || s.type === 'number') return { kind: 'number' };
  if (s.type === 'boolean') return { kind: 'boolean' };
  if (s.type === 'array') return { kind: 'array', items: fromSchema(s.items) };
  if (s.type === 'object' && s.properties) {
    return { kind: 'object', properties: Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, fromSchema(v)])) };
  }
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return { kind: 'map', values: fromSchema(s.additionalProperties) };
  }
  if (s.type === 'object') return { kind: 'map', values: { kind: 'unknown' } };
  throw new Error(`schema node without a shape: ${JSON.stringify(s).slice(0, 200)}`);
}

function modelChecker(): { checker: ts.TypeChecker; exported: (name: string) => ts.Type } {
  const file = path.join(PROJECT_ROOT, 'environments', 'model.ts');
  const options: ts.CompilerOptions = { strict: true, skipLibCheck: true, noEmit: true, types: [] };
  // The generated imports (24 MB of TypeScript) and cdk8s-plus' Kubernetes API types are read
  // as empty modules: no settings field is typed by them, and the program stays small enough
  // for a test worker's heap.
  const host = ts.createCompilerHost(options);
  const readFully = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, create) =>
    /[/\\]imports[/\\]|[/\\]cdk8s-plus-28[/\\]lib[/\\]imports[/\\]/.test(name)
      ? ts.createSourceFile(name, 'export {};\n', language)
      : readFully(name, language, onError, create);
  const program = ts.createProgram([file], options, host);
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  const exports = checker.getExportsOfModule(moduleSymbol);
  return {
    checker,
    exported: (name) => {
      const symbol = exports.find((e) => e.name === name);
      if (!symbol) throw new Error(`environments/model.ts exports no ${name}`);
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return checker.getDeclaredTypeOfSymbol(target);
    },
  };
}

function fromType(checker: ts.TypeChecker, type: ts.Type): Shape {
  if (type.isUnion()) {
    const members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    if (members.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { kind: 'boolean' };
    if (members.every((t) => t.isStringLiteral())) return { kind: 'enum', values: members.map((t) => (t as ts.StringLiteralType).value).sort() };
    if (members.length === 1) return fromType(checker, members[0]);
    // A discriminated union of objects (dr): the fields of all its members.
    const properties: Record<string, Shape[]> = {};
    for (const m of members) {
      const shape = fromType(checker, m);
      if (shape.kind !== 'object') throw new Error(`union of ${checker.typeToString(type)} mixes objects and scalars`);
      for (const [k, v] of Object.entries(shape.properties)) (properties[k] ??= []).push(v);
    }
    return {
      kind: 'object',
      properties: Object.fromEntries(
        Object.entries(properties).map(([k, shapes]) => {
          const enums = shapes.filter((s): s is Extract<Shape, { kind: 'enum' }> => s.kind === 'enum');
          return [k, enums.length === shapes.length ? { kind: 'enum', values: [...new Set(enums.flatMap((e) => e.values))].sort() } : shapes[0]];
        }),
      ),
    };
  }
  if (type.flags & ts.TypeFlags.String) return { kind: 'string' };
  if (type.flags & ts.TypeFlags.Number) return { kind: 'number' };
  if (type.flags & ts.TypeFlags.Boolean || type.flags & ts.TypeFlags.BooleanLiteral) return { kind: 'boolean' };
  if (type.flags & ts.TypeFlags.Unknown) return { kind: 'unknown' };
  if (type.isStringLiteral()) return { kind: 'enum', values: [type.value] };
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    return { kind: 'array', items: fromType(checker, checker.getTypeArguments(type as ts.TypeReference)[0]) };
  }
  const index = checker.getIndexInfosOfType(type).find((i) => i.keyType.flags & ts.TypeFlags.String);
  const properties = checker.getPropertiesOfType(type);
  if (index && properties.length === 0) return { kind: 'map', values: fromType(checker, index.type) };
  return {
    kind: 'object',
    properties: Object.fromEntries(properties.map((p) => [p.name, fromType(checker, checker.getTypeOfSymbol(p))])),
  };
}

/** Differences between two shapes, by dotted path. */
function differences(schema: Shape, model: Shape, at: string): string[] {
  if (schema.kind !== model.kind) {
    // A number or string whose schema narrows it is fine; anything else is a mismatch.
    return [`${at}: the schema says ${schema.kind}, the model ${model.kind}`];
  }
  switch (schema.kind) {
    case 'enum': {
      const values = (model as typeof schema).values;
      return schema.values.join('|') === values.join('|')
        ? []
        : [`${at}: the schema allows ${schema.values.join(' | ')}, the model ${values.join(' | ')}`];
    }
    case 'array':
      return differences(schema.items, (model as typeof schema).items, `${at}[]`);
    case 'map':
      return differences(schema.values, (model as typeof schema).values, `${at}.*`);
    case 'object': {
      const other = (model as typeof schema).properties;
      const keys = [...new Set([...Object.keys(schema.properties), ...Object.keys(other)])].sort();
      return keys.flatMap((k) => {
        const where = at ? `${at}.${k}` : k;
        if (!(k in other)) return [`${where}: in the schema, not in the model`];
        if (!(k in schema.properties)) return [`${where}: in the model, not in the schema`];
        return differences(schema.properties[k], other[k], where);
      });
    }
    default:
      return [];
  }
}

describe('the settings schema and the model are one declaration', () => {
  const { checker, exported } = modelChecker();

  test('OverlaySettings and SETTINGS_SCHEMA have the same fields, types and enums', () => {
    expect(differences(fromSchema(SETTINGS_SCHEMA), fromType(checker, exported('OverlaySettings')), '')).toEqual([]);
  });

  test('the model is read through to the construct props it picks from', () => {
    const model = fromType(checker, exported('OverlaySettings')) as Extract<Shape, { kind: 'object' }>;
    expect(Object.keys(model.properties).sort()).toEqual([
      'apps',
      'backupStorage',
      'dr',
      'ingress',
      'limitRange',
      'minio',
      'monitoring',
      'namespaces',
      'opensearch',
      'placement',
      'postgres',
      'postgresClusters',
      'quota',
      'redis',
      'streaming',
      'tier',
      'ui',
      'velero',
    ]);
    const monitoring = (model.properties.monitoring as any).properties;
    expect(Object.keys(monitoring).sort()).toEqual([
      'alerting',
      'alertmanager',
      'external',
      'grafana',
      'logging',
      'prometheus',
      'runbookBaseUrl',
      'stack',
      'thresholds',
      'victoriametrics',
    ]);
    expect(monitoring.stack).toEqual({ kind: 'enum', values: ['kube-prometheus-stack', 'victoriametrics'] });
    expect(monitoring.victoriametrics.properties.storage).toEqual({ kind: 'enum', values: ['cluster', 'single'] });
    expect(Object.keys(monitoring.grafana.properties.sso.properties).sort()).toEqual([
      'adminGroups',
      'apiUrl',
      'authUrl',
      'clientId',
      'disableLoginForm',
      'editorGroups',
      'keycloakRealm',
      'name',
      'tokenUrl',
    ]);
    const kafka = (model.properties.streaming as any).properties.kafka.properties;
    expect(kafka.authentication).toEqual({ kind: 'enum', values: ['scram-sha-512', 'tls'] });
    expect(kafka.resources.properties.limits.properties.cpu).toEqual({ kind: 'string' });
  });

  test('the comparison sees a field added on one side, a changed type and a changed enum', () => {
    const base: Shape = { kind: 'object', properties: { a: { kind: 'string' }, b: { kind: 'enum', values: ['x', 'y'] } } };
    expect(
      differences(
        base,
        { kind: 'object', properties: { a: { kind: 'string' }, b: { kind: 'enum', values: ['x', 'y'] }, c: { kind: 'number' } } },
        '',
      ),
    ).toEqual(['c: in the model, not in the schema']);
    expect(differences(base, { kind: 'object', properties: { a: { kind: 'number' }, b: { kind: 'enum', values: ['x'] } } }, '')).toEqual([
      'a: the schema says string, the model number',
      'b: the schema allows x | y, the model x',
    ]);
  });
});
