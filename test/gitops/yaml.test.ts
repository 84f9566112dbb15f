import { fromYaml, toYaml } from '../../gitops/yaml';

describe('toYaml', () => {
  test('puts apiVersion, kind and metadata first, then the other keys alphabetically', () => {
    const text = toYaml({
      spec: { b: 1, a: 2 },
      status: {},
      metadata: { name: 'x', labels: { z: 'z', a: 'a' } },
      data: {},
      kind: 'Thing',
      apiVersion: 'v1',
    });
    const topLevel = text
      .split('\n')
      .filter((l) => /^\S/.test(l))
      .map((l) => l.split(':')[0]);
    expect(topLevel).toEqual(['apiVersion', 'kind', 'metadata', 'data', 'spec', 'status']);
    expect(text).toBe(
      [
        'apiVersion: v1',
        'kind: Thing',
        'metadata:',
        '  labels:',
        '    a: a',
        '    z: z',
        '  name: x',
        'data: {}',
        'spec:',
        '  a: 2',
        '  b: 1',
        'status: {}',
        '',
      ].join('\n'),
    );
  });

  test('the key order does not depend on the insertion order', () => {
    const a = { apiVersion: 'v1', kind: 'K', metadata: { name: 'n', namespace: 'ns' }, spec: { x: [1, 2], y: { q: 1, p: 2 } } };
    const b = { spec: { y: { p: 2, q: 1 }, x: [1, 2] }, metadata: { namespace: 'ns', name: 'n' }, kind: 'K', apiVersion: 'v1' };
    expect(toYaml(b)).toBe(toYaml(a));
  });

  test.each(['on', 'On', 'ON', 'off', 'yes', 'Yes', 'no', 'NO', 'y', 'n', 'N'])('quotes the YAML 1.1 boolean %p', (value) => {
    expect(toYaml({ value })).toBe(`value: '${value}'\n`);
  });

  test.each(['0755', '0644', '-017', '0b1010', '1:30', '190:20:30', '1_000', '1_000.5'])('quotes the YAML 1.1 number %p', (value) => {
    expect(toYaml({ value })).toBe(`value: '${value}'\n`);
  });

  test.each(['true', 'false', 'null', '~', '123', '1.5', '1e3', '0x1F', '0o17', ''])('quotes the YAML 1.2 non-string %p', (value) => {
    expect(toYaml({ value })).toBe(`value: '${value}'\n`);
  });

  test('quotes ambiguous keys too', () => {
    expect(toYaml({ on: 'push' })).toBe("'on': push\n");
  });

  test('leaves ordinary strings plain', () => {
    expect(toYaml({ a: 'fast-ssd', b: '500m', c: '20Gi', d: 'region-a/prod', e: '0 1 * * *', f: 'nope' })).toBe(
      'a: fast-ssd\nb: 500m\nc: 20Gi\nd: region-a/prod\ne: 0 1 * * *\nf: nope\n',
    );
  });

  test('writes no anchors and does not fold long lines', () => {
    const shared = { a: 1 };
    const long = 'x'.repeat(300);
    const text = toYaml({ one: shared, two: shared, long });
    expect(text).not.toMatch(/[&*]ref/);
    expect(text).toContain(`long: ${long}\n`);
    expect(text.split('\n').filter(Boolean)).toHaveLength(5);
  });

  test('round trip: reading the text gives the value back', () => {
    const value = {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'postgres', namespace: 'postgres', annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' } },
      spec: {
        instances: 3,
        enabled: true,
        nothing: null,
        ratio: 0.5,
        parameters: { max_connections: '200', shared_buffers: '2GB', on: 'off', mode: '0755', time: '1:30', yes: 'no' },
        list: ['on', 'yes', 1, '1', 'multi\nline\ntext', "quote's", '#hash', 'a: b', ' padded '],
        empty: {},
        none: [],
      },
    };
    expect(fromYaml(toYaml(value))).toEqual(value);
    // And writing what was read gives the same text.
    expect(toYaml(fromYaml(toYaml(value)))).toBe(toYaml(value));
  });
});
