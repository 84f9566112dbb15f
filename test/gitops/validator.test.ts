import { describeObject, SchemaValidator } from '../../gitops/validator';

const namespace = () => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'postgres', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
});

describe('SchemaValidator', () => {
  const validator = new SchemaValidator();

  test('a valid Namespace passes', () => {
    expect(validator.validate(namespace())).toEqual([]);
  });

  test('a valid namespaced CRD object passes', () => {
    expect(
      validator.validate({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'ScheduledBackup',
        metadata: { name: 'postgres-daily', namespace: 'postgres' },
        spec: {
          cluster: { name: 'postgres' },
          schedule: '0 0 1 * * *',
          method: 'plugin',
          pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
        },
      }),
    ).toEqual([]);
  });

  test('an unknown field is an issue naming the object, the JSON path and the field', () => {
    const issues = validator.validate({ ...namespace(), spec: { finalizers: ['kubernetes'], finalizer: ['typo'] } });
    expect(issues).toEqual([{ object: 'v1 Namespace postgres', path: '/spec', message: expect.stringMatching(/additional properties "finalizer"/) }]);
  });

  test('an unknown top-level field', () => {
    const issues = validator.validate({ ...namespace(), specs: {} });
    expect(issues).toEqual([{ object: 'v1 Namespace postgres', path: '/', message: expect.stringMatching(/additional properties "specs"/) }]);
  });

  test("a wrong type is an issue at the field's JSON path", () => {
    const manifest = namespace();
    (manifest.metadata.labels as any)['strata.io/region'] = 1;
    expect(validator.validate(manifest)).toEqual([
      { object: 'v1 Namespace postgres', path: '/metadata/labels/strata.io~1region', message: 'must be string' },
    ]);
  });

  test('a wrong type in a CRD object', () => {
    const issues = validator.validate({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'postgres', namespace: 'postgres' },
      spec: { instances: 'three' },
    });
    expect(issues).toContainEqual({ object: 'postgresql.cnpg.io/v1 Cluster postgres/postgres', path: '/spec/instances', message: 'must be integer' });
  });

  test('an enum violation lists the allowed values', () => {
    const issues = validator.validate({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ScheduledBackup',
      metadata: { name: 'b', namespace: 'postgres' },
      spec: { cluster: { name: 'postgres' }, schedule: '0 0 1 * * *', method: 'tape' },
    });
    expect(issues).toContainEqual({
      object: 'postgresql.cnpg.io/v1 ScheduledBackup postgres/b',
      path: '/spec/method',
      message: expect.stringMatching(/must be equal to one of the allowed values: .*"plugin"/),
    });
  });

  test("the object's own metadata.name is required (no generateName); a pod template's metadata needs none", () => {
    const job = (metadata: Record<string, unknown>) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata,
      spec: {
        template: {
          metadata: { labels: { app: 'setup' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'setup', image: 'busybox:1.37' }] },
        },
      },
    });
    expect(validator.validate(job({ name: 'setup', namespace: 'minio' }))).toEqual([]);
    expect(validator.validate(job({ generateName: 'setup-', namespace: 'minio' }))).toEqual([
      { object: 'batch/v1 Job minio/(unnamed)', path: '/metadata', message: "must have required property 'name'" },
    ]);
  });

  test('an unknown kind is an issue saying how to add its schema', () => {
    const issues = validator.validate({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'default' } });
    expect(issues).toHaveLength(1);
    expect(issues[0].object).toBe('v1 Pod default/debug');
    // The whole object: '' is the JSON pointer of the document root.
    expect(issues[0].path).toMatch(/^\/?$/);
    expect(issues[0].message).toMatch(/no schema for v1 Pod: add the kind to constructs\/versions\.ts .* and run `npm run import`/);
  });

  test('an unknown API version of a known kind, and path tricks, have no schema', () => {
    expect(validator.validate({ apiVersion: 'v2', kind: 'Namespace', metadata: { name: 'x' } })[0].message).toMatch(/no schema for v2 Namespace/);
    expect(validator.validate({ apiVersion: '../core/v1', kind: 'Namespace', metadata: { name: 'x' } })[0].message).toMatch(/no schema/);
  });
});

describe('describeObject', () => {
  test('names apiVersion, kind, namespace and name', () => {
    expect(describeObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'minio', namespace: 'minio' } })).toBe('v1 Service minio/minio');
    expect(describeObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'minio' } })).toBe('v1 Namespace minio');
    expect(describeObject({ apiVersion: 'v1', kind: 'Namespace' })).toBe('v1 Namespace (unnamed)');
  });
});
