/**
 * What an app's storage may not do on a running cluster: a claim shrinking or changing class,
 * a StatefulSet's claim templates changing at all. Each is refused as impossible, naming the
 * setting it comes from and the way forward.
 */
import { APP_TRANSITIONS } from '../../../constructs/apps/app-transitions';

const rule = (kind: string) => APP_TRANSITIONS.find((r) => r.kind === kind)!;

const claim = (size: string, storageClassName = 'longhorn-retain') => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'wordpress-files', namespace: 'prod', labels: { 'app.kubernetes.io/name': 'wordpress' } },
  spec: { accessModes: ['ReadWriteMany'], storageClassName, resources: { requests: { storage: size } } },
});

const statefulSet = (templates: Record<string, [string, string]>) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'mysql', namespace: 'prod' },
  spec: {
    volumeClaimTemplates: Object.entries(templates).map(([name, [size, storageClassName]]) => ({
      metadata: { name },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: size } } },
    })),
  },
});

describe('PersistentVolumeClaim', () => {
  test('growing is taken; shrinking and another class are impossible, naming the volume setting', () => {
    expect(rule('PersistentVolumeClaim').check!(claim('20Gi'), claim('30Gi'))).toEqual([]);
    const shrunk = rule('PersistentVolumeClaim').check!(claim('20Gi'), claim('10Gi'));
    expect(shrunk).toEqual([
      expect.objectContaining({ field: 'spec.resources.requests.storage', impossible: true, setting: 'apps.wordpress.volumes.files.size' }),
    ]);
    const moved = rule('PersistentVolumeClaim').check!(claim('20Gi'), claim('20Gi', 'longhorn-fast'));
    expect(moved).toEqual([
      expect.objectContaining({
        field: 'spec.storageClassName',
        before: 'longhorn-retain',
        after: 'longhorn-fast',
        impossible: true,
        setting: 'apps.wordpress.volumes.files.storageClass',
        fix: expect.stringMatching(/add a volume of another name on the new class, copy the data over/),
      }),
    ]);
  });
});

describe('StatefulSet', () => {
  const check = rule('StatefulSet').check!;

  test('the same templates are taken', () => {
    expect(check(statefulSet({ data: ['30Gi', 'longhorn-retain'] }), statefulSet({ data: ['30Gi', 'longhorn-retain'] }))).toEqual([]);
  });

  test('a template grown, shrunk, moved, added or removed is impossible', () => {
    const was = statefulSet({ data: ['30Gi', 'longhorn-retain'], logs: ['5Gi', 'longhorn-fast'] });
    const grown = check(was, statefulSet({ data: ['40Gi', 'longhorn-retain'], logs: ['5Gi', 'longhorn-fast'] }));
    expect(grown).toEqual([
      expect.objectContaining({
        field: 'spec.volumeClaimTemplates[data].spec.resources.requests.storage',
        impossible: true,
        fix: expect.stringMatching(/grow each claim data-mysql-<ordinal> itself/),
      }),
    ]);
    const shrunk = check(was, statefulSet({ data: ['20Gi', 'longhorn-retain'], logs: ['5Gi', 'longhorn-fast'] }));
    expect(shrunk.map((c) => [c.field, c.message])).toEqual([
      ['spec.volumeClaimTemplates[data].spec.resources.requests.storage', 'volume data would shrink from 30Gi to 20Gi; volumes cannot shrink'],
    ]);
    const reshaped = check(was, statefulSet({ data: ['30Gi', 'longhorn-fast'], cache: ['1Gi', 'longhorn-fast'] }));
    expect(reshaped.map((c) => [c.field, c.setting, c.impossible])).toEqual([
      ['spec.volumeClaimTemplates[data].spec.storageClassName', 'apps.mysql.volumes.data.storageClass', true],
      ['spec.volumeClaimTemplates[logs]', 'apps.mysql.volumes.logs', true],
      ['spec.volumeClaimTemplates[cache]', 'apps.mysql.volumes.cache', true],
    ]);
  });
});
