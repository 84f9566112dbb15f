/**
 * VictoriaLogs as the log store (constructs/logging/victoria-logs.ts) with Fluent Bit writing to
 * it, in a PlatformApp on the VictoriaMetrics stack: the VLSingle and its volume, the operator
 * it needs, Fluent Bit's HTTP output and the one network path between them.
 */
import { FluentBit } from '../../../constructs/logging/fluent-bit';
import { LOGGING_TRANSITIONS } from '../../../constructs/logging/logging-transitions';
import { VictoriaLogs, VictoriaLogsProps } from '../../../constructs/logging/victoria-logs';
import { PlatformApp } from '../../../constructs/platform/platform-app';
import { FLUX } from '../../support/gitops';
import { schemaIssues } from '../../support/layer';

const PROPS: VictoriaLogsProps = { retentionDays: 30, storageSize: '50Gi', storageClass: 'ceph-block' };

function build(props: Partial<VictoriaLogsProps> = {}) {
  const app = new PlatformApp({ region: 'homelab', environment: 'prod', gitops: FLUX, monitoringStack: 'victoriametrics' });
  const store = new VictoriaLogs(app.layer('monitoring'), 'VictoriaLogs', { ...PROPS, ...props });
  new FluentBit(app.layer('monitoring'), 'FluentBit', { victoriaLogs: store });
  const manifests = app.completeLayers().flatMap((l) => l.toJson());
  const find = (kind: string, name: string, namespace: string) => {
    const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name && m.metadata.namespace === namespace);
    if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace}/${name}, found ${found.length}`);
    return found[0];
  };
  return { manifests, find, store };
}

test('a VLSingle keeps the retention on a volume of the given class, drops the oldest logs at 90 % of it, and is protected from pruning', () => {
  const { find, manifests } = build();
  const store = find('VLSingle', 'platform', 'monitoring');
  expect(store.apiVersion).toBe('operator.victoriametrics.com/v1');
  expect(store.spec).toMatchObject({
    retentionPeriod: '30d',
    retentionMaxDiskSpaceUsageBytes: String(Math.floor(50 * 2 ** 30 * 0.9)),
    storage: { storageClassName: 'ceph-block', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } },
    useStrictSecurity: true,
  });
  expect(store.metadata.annotations).toMatchObject({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
  // The VictoriaMetrics operator reconciles it.
  expect(manifests.some((m) => m.kind === 'HelmRelease' && m.metadata.name === 'victoria-metrics-operator')).toBe(true);
  expect(schemaIssues(manifests)).toEqual([]);
});

test("Fluent Bit writes JSON lines to it, a stream per container, with no credential; one path opens VictoriaLogs' port to Fluent Bit's pods only", () => {
  const { find } = build();
  const values = find('HelmRelease', 'fluent-bit', 'logging').spec.values;
  expect(values.config.outputs).toBe(
    [
      '[OUTPUT]',
      '    Name             http',
      '    Match            kube.*',
      '    Host             vlsingle-platform.monitoring.svc',
      '    Port             9428',
      '    URI              /insert/jsonline?_stream_fields=kubernetes.namespace_name,kubernetes.pod_name,kubernetes.container_name,stream&_msg_field=log&_time_field=date',
      '    Format           json_lines',
      '    Json_Date_Key    date',
      '    Json_Date_Format iso8601',
      '    compress         gzip',
      '    Retry_Limit      False',
      '',
    ].join('\n'),
  );
  expect(values.env).toBeUndefined();
  const egress = find('NetworkPolicy', 'allow-fluent-bit-to-vlsingle-egress', 'logging');
  expect(egress.spec.egress).toEqual([
    {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'vlsingle', 'app.kubernetes.io/instance': 'platform' } },
        },
      ],
      ports: [{ protocol: 'TCP', port: 9428 }],
    },
  ]);
  const ingress = find('NetworkPolicy', 'allow-fluent-bit-to-vlsingle-ingress', 'monitoring');
  expect(ingress.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'vlsingle', 'app.kubernetes.io/instance': 'platform' });
  expect(ingress.spec.ingress[0].from[0].podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/name': 'fluent-bit' });
});

test('sizes that cannot run are refused; Fluent Bit takes exactly one store', () => {
  expect(() => build({ storageSize: '512Mi' })).toThrow(/VictoriaLogs: storageSize "512Mi" is not a volume size of 1Gi or more/);
  expect(() => build({ retentionDays: 0 })).toThrow(/VictoriaLogs: retentionDays 0 is not a whole number of days of 1 or more/);
  const app = new PlatformApp({ region: 'homelab', environment: 'prod', gitops: FLUX, monitoringStack: 'victoriametrics' });
  expect(() => new FluentBit(app.layer('monitoring'), 'FluentBit', {})).toThrow(/give exactly one of opensearch, victoriaLogs and loki/);
});

describe('transitions', () => {
  const store = (size: string, retention = '30d', storageClassName = 'ceph-block') => ({
    apiVersion: 'operator.victoriametrics.com/v1',
    kind: 'VLSingle',
    metadata: { name: 'platform', namespace: 'monitoring' },
    spec: { retentionPeriod: retention, storage: { storageClassName, resources: { requests: { storage: size } } } },
  });
  const check = (a: any, b: any) => LOGGING_TRANSITIONS[0].check!(a, b).map((c) => [c.field, c.setting, !!c.impossible]);

  test('a bigger volume or a longer retention is taken', () => {
    expect(check(store('50Gi'), store('100Gi', '60d'))).toEqual([]);
  });

  test('a shrunk volume is impossible; a shorter retention or another class needs an acknowledgement; the store is stateful', () => {
    expect(check(store('50Gi'), store('20Gi'))).toEqual([['spec.storage.resources.requests.storage', 'monitoring.logging.storageSize', true]]);
    expect(check(store('50Gi', '30d'), store('50Gi', '7d'))).toEqual([['spec.retentionPeriod', 'monitoring.logging.retentionDays', false]]);
    expect(check(store('50Gi'), store('50Gi', '30d', 'standard'))).toEqual([['spec.storage.storageClassName', 'region.storageClasses.fast', false]]);
    expect(LOGGING_TRANSITIONS[0]).toMatchObject({ stateful: true, removalSetting: 'monitoring.logging.backend' });
  });
});
