/** Field differences of two versions of an object, with named list entries keyed by name. */
import { fieldChanges, formatPath } from '../../../gitops/review/object-diff';

const pod = (containers: any[]) => ({ spec: { template: { spec: { containers } } } });

test('an inserted container reads as one added entry, not as every later one changed', () => {
  const before = pod([
    { name: 'app', image: 'app:1' },
    { name: 'exporter', image: 'exp:1' },
  ]);
  const after = pod([
    { name: 'init', image: 'init:1' },
    { name: 'app', image: 'app:1' },
    { name: 'exporter', image: 'exp:1' },
  ]);
  expect(fieldChanges(before, after)).toEqual([
    {
      path: 'spec.template.spec.containers[init]',
      parts: ['spec', 'template', 'spec', 'containers', 'init'],
      type: 'added',
      after: { name: 'init', image: 'init:1' },
    },
  ]);
});

test('a changed field names its entry and keeps both values', () => {
  const [c] = fieldChanges(pod([{ name: 'app', image: 'app:1' }]), pod([{ name: 'app', image: 'app:2' }]));
  expect(c).toMatchObject({ path: 'spec.template.spec.containers[app].image', type: 'changed', before: 'app:1', after: 'app:2' });
});

test('keys with dots or slashes are quoted; lists without names are indexed', () => {
  expect(
    fieldChanges({ metadata: { labels: { 'app.kubernetes.io/name': 'a' } } }, { metadata: { labels: { 'app.kubernetes.io/name': 'b' } } })[0].path,
  ).toBe('metadata.labels["app.kubernetes.io/name"]');
  expect(fieldChanges({ args: ['a', 'b'] }, { args: ['a', 'c'] })[0].path).toBe('args[1]');
  expect(formatPath(['spec', 0, 'x-y'])).toBe('spec[0].x-y');
});

test('identical objects have no changes; removed fields keep their value', () => {
  expect(fieldChanges({ a: { b: [1, 2] } }, { a: { b: [1, 2] } })).toEqual([]);
  expect(fieldChanges({ a: 1, b: 2 }, { a: 1 })).toEqual([{ path: 'b', parts: ['b'], type: 'removed', before: 2 }]);
});
