import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../environments/project-root';
import { KindRules, ValidationRule } from '../../gitops/validation-rules';
import { SchemaValidator } from '../../gitops/validator';
import { extractValidationRules } from '../../scripts/extract-validation-rules';

describe('KindRules', () => {
  const rules = (...r: ValidationRule[]) => new KindRules(r);

  test('a rule that is false at a node is reported there, with its message and the rule', () => {
    const kind = rules({ path: '/spec/replicas', rule: 'self > 0', message: 'replicas must be positive' });
    expect(kind.violations({ spec: { replicas: 0 } })).toEqual([
      { path: '/spec/replicas', message: 'replicas must be positive (CRD validation rule: self > 0)' },
    ]);
    expect(kind.violations({ spec: { replicas: 2 } })).toEqual([]);
  });

  test('an absent node is not checked, as the API server does not run its rules', () => {
    expect(rules({ path: '/spec/replicas', rule: 'self > 0' }).violations({ spec: {} })).toEqual([]);
  });

  test('`*` runs the rule on every list item and map value; fieldPath points into self', () => {
    const kind = rules({
      path: '/spec/volumes/*',
      rule: "has(self.size) || self.type == 'ephemeral'",
      message: 'a persistent volume needs a size',
      fieldPath: '.size',
    });
    const violations = kind.violations({
      spec: { volumes: [{ type: 'ephemeral' }, { type: 'persistent-claim' }, { type: 'persistent-claim', size: '1Gi' }] },
    });
    expect(violations).toEqual([
      { path: '/spec/volumes/1/size', message: "a persistent volume needs a size (CRD validation rule: has(self.size) || self.type == 'ephemeral')" },
    ]);
    const maps = rules({ path: '/spec/labels/*', rule: 'size(self) <= 5' });
    expect(maps.violations({ spec: { labels: { 'a/b': 'short', c: 'much too long' } } }).map((v) => v.path)).toEqual(['/spec/labels/c']);
  });

  test('whole JSON numbers are CEL ints; messageExpression is used when it evaluates', () => {
    const kind = rules({
      path: '/spec',
      rule: 'self.renewalDays < self.validityDays',
      messageExpression: "'renewalDays ' + string(self.renewalDays) + ' is not below validityDays'",
    });
    expect(kind.violations({ spec: { renewalDays: 30, validityDays: 30 } })).toEqual([
      { path: '/spec', message: 'renewalDays 30 is not below validityDays (CRD validation rule: self.renewalDays < self.validityDays)' },
    ]);
  });

  test('a rule that cannot be evaluated here is left to the API server', () => {
    // No such key: the API server may default the field before it runs the rule.
    expect(rules({ path: '/spec', rule: "self.topologyKey != ''" }).violations({ spec: {} })).toEqual([]);
  });
});

describe('extractValidationRules', () => {
  test('finds rules under properties, list items, map values and combinators; drops transition rules', () => {
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          'x-kubernetes-validations': [
            { rule: 'has(self.a) || has(self.b)', message: 'a or b' },
            { rule: 'self == oldSelf', message: 'immutable' },
          ],
          properties: {
            pools: { type: 'array', items: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.replicas > 0', fieldPath: '.replicas' }] } },
            labels: {
              type: 'object',
              additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: 'size(self) < 64', messageExpression: "'too long'" }] },
            },
            'a/b': { anyOf: [{ 'x-kubernetes-validations': [{ rule: 'self != ""' }] }] },
          },
        },
      },
    };
    expect(extractValidationRules(schema)).toEqual([
      { path: '/spec', rule: 'has(self.a) || has(self.b)', message: 'a or b' },
      { path: '/spec/a~1b', rule: 'self != ""' },
      { path: '/spec/labels/*', rule: 'size(self) < 64', messageExpression: "'too long'" },
      { path: '/spec/pools/*', rule: 'self.replicas > 0', fieldPath: '.replicas' },
    ]);
  });

  test("imports/ carries the pinned CRDs' rules, e.g. CloudNativePG's reserved database names", () => {
    const file = path.join(PROJECT_ROOT, 'imports/rules/postgresql.cnpg.io/v1/Database.json');
    const rules = JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationRule[];
    expect(rules).toContainEqual(expect.objectContaining({ path: '/spec/name', rule: "self != 'postgres'" }));
    expect(rules.some((r) => r.rule.includes('oldSelf'))).toBe(false);
  });
});

describe('SchemaValidator with CRD rules', () => {
  const validator = new SchemaValidator();

  test('an object the schema accepts but a CEL rule rejects is reported like a schema violation', () => {
    const issues = validator.validate({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Database',
      metadata: { name: 'postgres-postgres', namespace: 'postgres' },
      spec: { name: 'postgres', owner: 'app', cluster: { name: 'postgres' } },
    });
    expect(issues).toEqual([
      {
        object: 'postgresql.cnpg.io/v1 Database postgres/postgres-postgres',
        path: '/spec/name',
        message: expect.stringMatching(/\(CRD validation rule: self != 'postgres'\)$/),
      },
    ]);
  });

  test('a Strimzi KafkaUser with TLS renewal but no validity is rejected', () => {
    const issues = validator.validate({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaUser',
      metadata: { name: 'app', namespace: 'kafka', labels: { 'strimzi.io/cluster': 'events' } },
      spec: { authentication: { type: 'tls', renewalDays: 30 } },
    });
    expect(issues.map((i) => i.path)).toEqual(['/spec/authentication']);
  });
});
