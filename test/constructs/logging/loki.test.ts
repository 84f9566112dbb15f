/**
 * Loki (constructs/logging/loki.ts) with Fluent Bit pushing to it, in a PlatformApp: the
 * release and its values by deployment mode, the bucket (MinIO tenant or external S3) with
 * its credential by reference and its CA, the network paths and the scrape, its alerts
 * (constructs/logging/loki-alerts.ts) with promtool, and the transition rules of
 * logging-transitions.ts on the release.
 */
import type { GitOpsSpec } from '../../../constructs/core/gitops';
import { FluentBit } from '../../../constructs/logging/fluent-bit';
import { LOGGING_TRANSITIONS } from '../../../constructs/logging/logging-transitions';
import { Loki, LOKI_SCHEMA_FROM, LokiProps } from '../../../constructs/logging/loki';
import { PlatformApp } from '../../../constructs/platform/platform-app';
import type { IBucket } from '../../../constructs/storage/bucket';
import { ExternalBucket } from '../../../constructs/storage/external-bucket';
import { MinioTenant } from '../../../constructs/storage/minio-tenant';
import { transitionRuleFor } from '../../../constructs/transitions';
import { HELM_CHARTS } from '../../../constructs/versions';
import { alertNames, alertRules, expectScoped } from '../../support/alerts';
import { ARGOCD, FLUX } from '../../support/gitops';
import { EXTERNAL_SECRETS, schemaIssues } from '../../support/layer';
import { AlertExpectation, checkRules, SeriesInput, testAlerts } from '../../support/promtool';

interface BuildOptions {
  readonly props?: Partial<LokiProps>;
  readonly gitops?: GitOpsSpec;
  readonly external?: boolean;
}

function build(options: BuildOptions = {}) {
  const app = new PlatformApp({ region: 'region-a', environment: 'prod', gitops: options.gitops ?? FLUX });
  const bucket: IBucket = options.external
    ? new ExternalBucket(app.layer('data'), 'Bucket', {
        endpoint: 'https://fsn1.objects.example.org',
        bucket: 'loki',
        region: 'fsn1',
        secretBackend: EXTERNAL_SECRETS,
        credentialsRemoteKey: 'region-a/prod/s3/backups',
        endpointCidrs: ['192.0.2.10/32'],
      })
    : new MinioTenant(app.layer('data'), 'Minio', { secretBackend: EXTERNAL_SECRETS }).bucket('loki');
  const loki = new Loki(app.layer('monitoring'), 'Loki', { bucket, retentionDays: 14, storageClass: 'fast-ssd', ...options.props });
  new FluentBit(app.layer('monitoring'), 'FluentBit', { loki, streamLabels: { region: 'region-a', environment: 'prod', cluster: 'region-a-prod' } });
  const manifests = app.completeLayers().flatMap((l) => l.toJson());
  const find = (kind: string, name: string, namespace?: string) => {
    const found = manifests.filter(
      (m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace),
    );
    if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? '*'}/${name}, found ${found.length}`);
    return found[0];
  };
  return { manifests, find, loki };
}

const releaseOf = (b: ReturnType<typeof build>) => b.find('HelmRelease', 'loki', 'monitoring');

describe('the release', () => {
  test('the pinned chart, in monitoring, applied by Flux and protected from pruning; every object validates', () => {
    const b = build();
    const release = releaseOf(b);
    expect(release.spec.chart.spec).toMatchObject({ chart: 'loki', version: '7.3.0', sourceRef: { kind: 'HelmRepository', name: 'loki' } });
    expect(HELM_CHARTS.loki).toEqual({ repository: 'https://grafana.github.io/helm-charts', chart: 'loki', version: '7.3.0', appVersion: '3.6.12' });
    expect(b.find('HelmRepository', 'loki', 'monitoring').spec.url).toBe('https://grafana.github.io/helm-charts');
    expect(release.metadata.annotations).toMatchObject({
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
    });
    expect(schemaIssues(b.manifests)).toEqual([]);
  });

  test('outside prod (the default mode): one single binary, one copy of each stream, no other component', () => {
    const b = build();
    const values = releaseOf(b).spec.values;
    expect(values.deploymentMode).toBe('SingleBinary');
    expect([values.singleBinary.replicas, values.write.replicas, values.read.replicas, values.backend.replicas]).toEqual([1, 0, 0, 0]);
    expect(values.loki.commonConfig.replication_factor).toBe(1);
    expect(b.loki.queryUrl).toBe('http://loki.monitoring.svc:3100');
    expect(b.loki.pushHost).toBe('loki.monitoring.svc');
  });

  test('simple-scalable (prod): read, write and backend pods, three copies of each stream; Grafana queries the read path', () => {
    const b = build({ props: { mode: 'simple-scalable', replicas: 3 } });
    const values = releaseOf(b).spec.values;
    expect(values.deploymentMode).toBe('SimpleScalable');
    expect([values.singleBinary.replicas, values.write.replicas, values.read.replicas, values.backend.replicas]).toEqual([0, 3, 3, 3]);
    expect(values.loki.commonConfig.replication_factor).toBe(3);
    expect(b.loki.queryUrl).toBe('http://loki-read.monitoring.svc:3100');
    expect(b.loki.pushHost).toBe('loki-write.monitoring.svc');
    // The write-ahead log outlives the StatefulSet.
    expect(values.write.persistence).toEqual({ size: '10Gi', storageClass: 'fast-ssd', enableStatefulSetAutoDeletePVC: false });
  });

  test('schema v13 on the TSDB index in S3, retention by the compactor with its delete-request store, one tenant', () => {
    const values = releaseOf(build()).spec.values;
    expect(values.loki.schemaConfig.configs).toEqual([
      { from: LOKI_SCHEMA_FROM, store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'loki_index_', period: '24h' } },
    ]);
    expect(values.loki.limits_config).toEqual({ retention_period: '336h' });
    expect(values.loki.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 's3' });
    expect(values.loki.auth_enabled).toBe(false);
    // No gateway, caches, canary, test pod or ruler sidecar.
    for (const off of ['gateway', 'chunksCache', 'resultsCache', 'lokiCanary', 'test', 'ruler']) expect(values[off].enabled).toBe(false);
    expect(values.loki.podSecurityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  test('Argo CD: an Application with the same values in the Argo CD namespace, also protected', () => {
    const b = build({ gitops: ARGOCD });
    const app = b.find('Application', 'loki', 'argocd');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://grafana.github.io/helm-charts', chart: 'loki', targetRevision: '7.3.0' });
    expect(app.spec.destination.namespace).toBe('monitoring');
    expect(app.spec.source.helm.valuesObject.deploymentMode).toBe('SingleBinary');
    expect(app.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  });

  test('values that cannot run are refused, naming the prop', () => {
    expect(() => build({ props: { retentionDays: 0 } })).toThrow(/Loki: retentionDays 0 is not a whole number of days of 1 or more/);
    expect(() => build({ props: { mode: 'simple-scalable', replicas: 1 } })).toThrow(/Loki: replicas 1 must be 2 to 30 pods/);
  });
});

describe('the bucket', () => {
  test("in the MinIO tenant: Loki's own credential by reference, read from the environment, the Strata CA trusted; no key in the values", () => {
    const b = build();
    const values = releaseOf(b).spec.values;
    expect(values.loki.storage).toEqual({
      type: 's3',
      bucketNames: { chunks: 'loki', ruler: 'loki' },
      s3: {
        endpoint: 'minio.minio.svc.cluster.local',
        region: 'us-east-1',
        accessKeyId: '${AWS_ACCESS_KEY_ID}',
        secretAccessKey: '${AWS_SECRET_ACCESS_KEY}',
        s3ForcePathStyle: true,
        insecure: false,
        http_config: { ca_file: '/etc/loki/s3-ca/ca.crt' },
      },
    });
    for (const component of ['singleBinary', 'write', 'read', 'backend']) {
      expect(values[component].extraArgs).toEqual(['-config.expand-env=true']);
      expect(values[component].extraEnvFrom).toEqual([{ secretRef: { name: 'loki-s3-credentials' } }]);
      expect(values[component].extraVolumeMounts).toEqual([{ name: 's3-ca', mountPath: '/etc/loki/s3-ca', readOnly: true }]);
    }
    const credentials = b.find('ExternalSecret', 'loki-s3-credentials', 'monitoring');
    expect(credentials.spec.data.map((d: any) => d.secretKey).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    // The tenant creates the bucket; nothing rendered carries a secret value.
    expect(b.find('Tenant', 'storage').spec.buckets).toEqual([{ name: 'loki' }]);
    expect(b.manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    // The path to the tenant's S3 port.
    expect(b.find('NetworkPolicy', 'allow-loki-to-minio-storage-egress', 'monitoring').spec.egress[0].ports).toEqual([
      { protocol: 'TCP', port: 9000 },
    ]);
  });

  test("external S3: the provider's host and region, the system's roots, egress to its addresses only", () => {
    const b = build({ external: true });
    const values = releaseOf(b).spec.values;
    expect(values.loki.storage.s3).toMatchObject({ endpoint: 'fsn1.objects.example.org', region: 'fsn1', insecure: false });
    expect(values.loki.storage.s3.http_config).toBeUndefined();
    expect(values.singleBinary.extraVolumes).toEqual([]);
    const egress = b.find('NetworkPolicy', 'allow-loki-to-s3-loki', 'monitoring');
    expect(egress.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '192.0.2.10/32' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
  });
});

describe('Fluent Bit and the network', () => {
  test('Fluent Bit pushes a stream per container under the region, environment and cluster labels, with no credential', () => {
    const b = build();
    const values = b.find('HelmRelease', 'fluent-bit', 'logging').spec.values;
    expect(values.config.outputs).toBe(
      [
        '[OUTPUT]',
        '    Name                   loki',
        '    Match                  kube.*',
        '    Host                   loki.monitoring.svc',
        '    Port                   3100',
        "    Labels                 job=fluent-bit, region=region-a, environment=prod, cluster=region-a-prod, namespace=$kubernetes['namespace_name'], pod=$kubernetes['pod_name'], container=$kubernetes['container_name']",
        '    Auto_Kubernetes_Labels Off',
        '    Line_Format            json',
        '    Retry_Limit            False',
        '',
      ].join('\n'),
    );
    expect(values.env).toBeUndefined();
  });

  test("one path opens Loki's port to Fluent Bit's pods, one to Prometheus, which scrapes every Loki pod", () => {
    const b = build();
    const loki = { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/instance': 'loki' };
    const ingress = b.find('NetworkPolicy', 'allow-fluent-bit-to-loki-ingress', 'monitoring');
    expect(ingress.spec.podSelector.matchLabels).toEqual(loki);
    expect(ingress.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'logging' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'fluent-bit', 'app.kubernetes.io/instance': 'fluent-bit' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 3100 }],
      },
    ]);
    expect(b.find('NetworkPolicy', 'allow-fluent-bit-to-loki-egress', 'logging').spec.egress[0].to[0].podSelector.matchLabels).toEqual(loki);
    expect(b.find('NetworkPolicy', 'allow-prometheus-to-loki-ingress', 'monitoring').spec.podSelector.matchLabels).toEqual(loki);
    const monitor = b.find('PodMonitor', 'loki', 'monitoring');
    expect(monitor.spec).toEqual({ selector: { matchLabels: loki }, podMetricsEndpoints: [{ portNumber: 3100, path: '/metrics' }] });
  });
});

describe('alerts', () => {
  const rulesOf = (b: ReturnType<typeof build>) => alertRules(b, 'loki', 'monitoring');
  const NAMES = ['LokiRequestErrors', 'LokiRequestPanics', 'LokiCompactionStale'];
  const silent = (alertname: string, evalTime = '30m'): AlertExpectation => ({ alertname, evalTime, firing: [] });
  const requests = (route: string, status: string, perMinute: number): SeriesInput => ({
    series: `loki_request_duration_seconds_count{namespace="monitoring", pod="loki-0", route="${route}", status_code="${status}", method="POST"}`,
    values: `0+${perMinute}x40`,
  });
  const compaction = (pod: string, values: string): SeriesInput => ({
    series: `loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds{namespace="monitoring", pod="${pod}"}`,
    values,
  });

  test("a PrometheusRule loki in Loki's namespace, every selector scoped to it, each alert with its runbook", () => {
    const b = build();
    const rules = rulesOf(b);
    expect(alertNames(rules)).toEqual(NAMES);
    for (const rule of rules) {
      expectScoped(rule, ['namespace="monitoring"'], ['loki_'], { namespace: 'monitoring' }, 'monitoring/loki');
      expect((rule.annotations as any).runbook_url).toBe(`constructs/logging/runbooks/${rule.alert}.md`);
    }
    expect(rules.map((r) => [r.alert, r.labels.severity, r.for])).toEqual([
      ['LokiRequestErrors', 'critical', '15m'],
      ['LokiRequestPanics', 'critical', undefined],
      ['LokiCompactionStale', 'warning', '15m'],
      ['LokiCompactionStale', 'warning', '3h'],
    ]);
    expect(b.find('PrometheusRule', 'loki', 'monitoring').metadata.labels['strata.io/layer']).toBe('monitoring');
    expect(checkRules([b.find('PrometheusRule', 'loki', 'monitoring')])).toBe('');
    const other = alertRules(build({ props: { namespace: 'logs' } }), 'loki', 'logs');
    for (const rule of other) expectScoped(rule, ['namespace="logs"'], ['loki_'], { namespace: 'logs' }, 'logs/loki');
  });

  test("more than 10% of a route's requests failing for 15 minutes pages, naming the route; a few failures do not", () => {
    const rules = rulesOf(build());
    const push = 'loki_api_v1_push';
    expect(
      testAlerts(
        rules,
        [requests(push, '204', 100), requests(push, '500', 20), requests('loki_api_v1_query_range', '200', 10)],
        [{ alertname: 'LokiRequestErrors', evalTime: '25m', firing: [{ namespace: 'monitoring', route: push, severity: 'critical' }] }],
      ),
    ).toBe('');
    expect(testAlerts(rules, [requests(push, '204', 100), requests(push, '503', 5)], [silent('LokiRequestErrors')])).toBe('');
    // 4xx are the clients' errors (out-of-order entries, limits): not Loki failing.
    expect(testAlerts(rules, [requests(push, '204', 100), requests(push, '429', 50)], [silent('LokiRequestErrors')])).toBe('');
  });

  test('a panic pages at once, naming the pod, and clears 10 minutes later', () => {
    const rules = rulesOf(build());
    const panics = [{ series: 'loki_panic_total{namespace="monitoring", pod="loki-0"}', values: '0x5 1x30' }];
    expect(
      testAlerts(rules, panics, [
        { alertname: 'LokiRequestPanics', evalTime: '8m', firing: [{ namespace: 'monitoring', pod: 'loki-0', severity: 'critical' }] },
        silent('LokiRequestPanics', '25m'),
      ]),
    ).toBe('');
    expect(
      testAlerts(rules, [{ series: 'loki_panic_total{namespace="monitoring", pod="loki-0"}', values: '0x30' }], [silent('LokiRequestPanics')]),
    ).toBe('');
  });

  test('a compaction older than 3 hours warns, and a compactor that never succeeded; one running every 10 minutes does not', () => {
    const rules = rulesOf(build());
    const stale = [{ namespace: 'monitoring', severity: 'warning' }];
    // Succeeded at 10 minutes, never since: over 3 hours old at 3h10m, firing 15 minutes later.
    expect(
      testAlerts(
        rules,
        [compaction('loki-0', '0x10 600x290')],
        [silent('LokiCompactionStale', '3h'), { alertname: 'LokiCompactionStale', evalTime: '3h30m', firing: stale }],
      ),
    ).toBe('');
    // Never succeeded (0 since the start): the first rule leaves it out, the second fires after 3 hours.
    expect(
      testAlerts(
        rules,
        [compaction('loki-0', '0x300')],
        [silent('LokiCompactionStale', '2h50m'), { alertname: 'LokiCompactionStale', evalTime: '3h5m', firing: stale }],
      ),
    ).toBe('');
    // Every 10 minutes on the backend pod running the compactor; the other backends keep 0.
    const healthy = [
      compaction('loki-backend-0', '0x10 600+0x9 1200+0x9 1800+0x9 2400+0x9 3000+0x9 3600+60x250'),
      compaction('loki-backend-1', '0x300'),
    ];
    expect(testAlerts(rules, healthy, [silent('LokiCompactionStale', '4h')])).toBe('');
  });
});

describe('transitions', () => {
  const flux = (values: Record<string, unknown>, name = 'loki') => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: 'monitoring' },
    spec: { chart: { spec: { chart: name } }, values },
  });
  const argo = (values: Record<string, unknown>) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'loki', namespace: 'argocd' },
    spec: { source: { chart: 'loki', helm: { valuesObject: values } } },
  });
  const values = (retention: string, bucket = 'loki', from = LOKI_SCHEMA_FROM) => ({
    loki: {
      limits_config: { retention_period: retention },
      storage: { bucketNames: { chunks: bucket } },
      schemaConfig: { configs: [{ from, schema: 'v13' }] },
    },
  });
  const check = (a: any, b: any) => transitionRuleFor(a)!.check!(a, b).map((c) => [c.field, c.setting ?? null, !!c.impossible]);

  test("the rule of Loki's release is its own, stateful, and removal names monitoring.logging.backend; other releases keep theirs", () => {
    const rule = transitionRuleFor(flux(values('336h')));
    expect(rule).toBe(LOGGING_TRANSITIONS[1]);
    expect(rule).toMatchObject({ stateful: true, removalSetting: 'monitoring.logging.backend' });
    expect(rule!.removalFix).toMatch(/logs stay in the bucket/);
    expect(transitionRuleFor(argo(values('336h')))).toBe(LOGGING_TRANSITIONS[2]);
    expect(transitionRuleFor(flux({}, 'fluent-bit'))?.stateful).toBeFalsy();
    expect(transitionRuleFor(flux({}, 'kube-prometheus-stack'))?.stateful).toBeFalsy();
  });

  test('a longer retention is taken; a shorter one, another bucket or another schema needs an acknowledgement', () => {
    expect(check(flux(values('336h')), flux(values('720h')))).toEqual([]);
    expect(check(flux(values('720h')), flux(values('168h')))).toEqual([
      ['spec.values.loki.limits_config.retention_period', 'monitoring.logging.retentionDays', false],
    ]);
    expect(check(flux(values('336h')), flux(values('336h', 'logs')))).toEqual([
      ['spec.values.loki.storage.bucketNames.chunks', 'backupStorage', false],
    ]);
    expect(check(flux(values('336h')), flux(values('336h', 'loki', '2026-06-01')))).toEqual([['spec.values.loki.schemaConfig', null, false]]);
    expect(check(argo(values('720h')), argo(values('168h')))).toEqual([
      ['spec.source.helm.valuesObject.loki.limits_config.retention_period', 'monitoring.logging.retentionDays', false],
    ]);
  });
});
