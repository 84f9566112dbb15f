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
