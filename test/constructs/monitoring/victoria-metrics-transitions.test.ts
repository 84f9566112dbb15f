/**
 * The VictoriaMetrics stack's volumes on a running cluster: VMSingle's and VMAlertmanager's
 * claims cannot shrink (impossible) or change class without acknowledgement; removing VMSingle
 * is a removal of data, refused unless acknowledged.
 */
import { VICTORIA_METRICS_TRANSITIONS } from '../../../constructs/monitoring/victoria-metrics-transitions';

const single = (size: string, storageClassName = 'ceph-block') => ({
  apiVersion: 'operator.victoriametrics.com/v1beta1',
  kind: 'VMSingle',
  metadata: { name: 'platform', namespace: 'monitoring' },
  spec: { storage: { storageClassName, resources: { requests: { storage: size } } } },
});
const alertmanager = (size: string, storageClassName = 'ceph-block') => ({
  apiVersion: 'operator.victoriametrics.com/v1beta1',
  kind: 'VMAlertmanager',
  metadata: { name: 'platform', namespace: 'monitoring' },
  spec: { storage: { volumeClaimTemplate: { spec: { storageClassName, resources: { requests: { storage: size } } } } } },
});
const rule = (kind: string) => VICTORIA_METRICS_TRANSITIONS.find((r) => r.kind === kind)!;

test('growing is taken; shrinking is impossible, naming the setting', () => {
  expect(rule('VMSingle').check!(single('50Gi'), single('100Gi'))).toEqual([]);
  expect(rule('VMSingle').check!(single('50Gi'), single('20Gi')).map((c) => [c.field, c.setting, c.impossible])).toEqual([
    ['spec.storage.resources.requests.storage', 'monitoring.prometheus.storageSize', true],
  ]);
  expect(rule('VMAlertmanager').check!(alertmanager('2Gi'), alertmanager('1Gi')).map((c) => [c.field, c.setting, c.impossible])).toEqual([
    ['spec.storage.volumeClaimTemplate.spec.resources.requests.storage', 'monitoring.alertmanager.storageSize', true],
  ]);
});

test('another storage class needs an acknowledgement; VMSingle is stateful and its removal names the setting', () => {
  const [change] = rule('VMSingle').check!(single('50Gi'), single('50Gi', 'standard'));
  expect(change).toMatchObject({
    field: 'spec.storage.storageClassName',
    before: 'ceph-block',
    after: 'standard',
    setting: 'region.storageClasses.fast',
  });
  expect(change.impossible).toBeUndefined();
  expect(rule('VMSingle')).toMatchObject({ stateful: true, removalSetting: 'monitoring.stack' });
  expect(rule('VMAlertmanager').stateful).toBeUndefined();
});

describe('VMCluster', () => {
  const cluster = (size: string, nodes = 3, replicationFactor = 2, storageClassName = 'ceph-block') => ({
    apiVersion: 'operator.victoriametrics.com/v1beta1',
    kind: 'VMCluster',
    metadata: { name: 'platform', namespace: 'monitoring' },
    spec: {
      replicationFactor,
      vmstorage: {
        replicaCount: nodes,
        storage: { volumeClaimTemplate: { spec: { storageClassName, resources: { requests: { storage: size } } } } },
      },
    },
  });
  const check = (a: any, b: any) => rule('VMCluster').check!(a, b).map((c) => [c.field, c.setting, !!c.impossible]);

  test('more nodes, more copies or bigger volumes are taken', () => {
    expect(check(cluster('50Gi'), cluster('100Gi', 4, 3))).toEqual([]);
  });

  test('shrunk volumes are impossible; fewer nodes, fewer copies or another class need an acknowledgement', () => {
    expect(check(cluster('50Gi'), cluster('20Gi'))).toEqual([
      ['spec.vmstorage.storage.volumeClaimTemplate.spec.resources.requests.storage', 'monitoring.prometheus.storageSize', true],
    ]);
    expect(check(cluster('50Gi', 3), cluster('50Gi', 2))).toEqual([
      ['spec.vmstorage.replicaCount', 'monitoring.victoriametrics.storageNodes', false],
    ]);
    expect(check(cluster('50Gi', 3, 2), cluster('50Gi', 3, 1))).toEqual([
      ['spec.replicationFactor', 'monitoring.victoriametrics.replicationFactor', false],
    ]);
    expect(check(cluster('50Gi'), cluster('50Gi', 3, 2, 'standard'))).toEqual([
      ['spec.vmstorage.storage.volumeClaimTemplate.spec.storageClassName', 'region.storageClasses.fast', false],
    ]);
  });

  test('it is stateful: switching to a single node (its removal) names the setting', () => {
    expect(rule('VMCluster')).toMatchObject({ stateful: true, removalSetting: 'monitoring.victoriametrics.storage' });
  });
});
