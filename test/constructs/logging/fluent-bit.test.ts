/**
 * FluentBit (constructs/logging/fluent-bit.ts) in a PlatformApp beside an OpenSearch cluster:
 * the release and its values, what it is granted on the OpenSearch side (user, role, index
 * template, retention), the network paths, where it sits in the layer order, and its alerts
 * (constructs/logging/fluent-bit-alerts.ts) with promtool.
 */
import type { GitOpsSpec } from '../../../constructs/core/gitops';
import { FluentBit, FluentBitProps } from '../../../constructs/logging/fluent-bit';
import { PlatformApp } from '../../../constructs/platform/platform-app';
import { OpenSearchCluster } from '../../../constructs/search/opensearch-cluster';
import { HELM_CHARTS } from '../../../constructs/versions';
import { alertNames, alertRules, expectScoped } from '../../support/alerts';
import { ARGOCD, FLUX } from '../../support/gitops';
import { EXTERNAL_SECRETS, schemaIssues } from '../../support/layer';
import { AlertExpectation, checkRules, SeriesInput, testAlerts } from '../../support/promtool';

const OUTSIDE = { kind: 'external', addresses: ['10.40.0.20'], apiServerUrl: 'https://10.40.0.5:6443' } as const;

function build(options: { gitops?: GitOpsSpec; external?: boolean; props?: Partial<FluentBitProps> } = {}) {
  const app = new PlatformApp({
    region: 'region-a',
    environment: 'prod',
    gitops: options.gitops ?? FLUX,
    ...(options.external ? { monitoring: OUTSIDE } : {}),
  });
  const opensearch = new OpenSearchCluster(app.layer('search'), 'OpenSearch', {
    secretBackend: EXTERNAL_SECRETS,
    topology: 'combined',
    dataNodes: 1,
    prometheusExporter: !options.external,
  });
  const fluentBit = new FluentBit(app.layer('monitoring'), 'FluentBit', { opensearch, ...options.props });
  const layers = app.completeLayers();
  const manifests = layers.flatMap((l) => l.toJson());
  const find = (kind: string, name: string, namespace?: string) => {
    const found = manifests.filter(
      (m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace),
    );
    if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? '*'}/${name}, found ${found.length}`);
    return found[0];
  };
  const layerOf = (kind: string, name: string) => find(kind, name).metadata.labels['strata.io/layer'];
  return { app, layers, manifests, find, layerOf, fluentBit };
}

const valuesOf = (b: ReturnType<typeof build>) => b.find('HelmRelease', 'fluent-bit', 'logging').spec.values;
/** The settings of a classic-configuration section, as key → value. */
const sectionOf = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .slice(1)
      .filter((l) => l.trim())
      .map((l) => {
        const [key, ...value] = l.trim().split(/\s+/);
        return [key, value.join(' ')];
      }),
  );

describe('FluentBit', () => {
  test('the pinned chart, released by Flux in the monitoring layer, beside the credential and CA it mounts', () => {
    const b = build();
    const release = b.find('HelmRelease', 'fluent-bit', 'logging');
    expect(release.spec.chart.spec).toMatchObject({
      chart: 'fluent-bit',
      version: '0.58.1',
      sourceRef: { kind: 'HelmRepository', name: 'fluent-bit' },
    });
    expect(b.find('HelmRepository', 'fluent-bit', 'logging').spec.url).toBe('https://fluent.github.io/helm-charts');
    expect(HELM_CHARTS.fluentBit).toEqual({
      repository: 'https://fluent.github.io/helm-charts',
      chart: 'fluent-bit',
      version: '0.58.1',
      appVersion: '5.1.1',
    });
    // The Secrets its pods need are in the same layer: applied together, never after the release's layer.
    expect(b.layerOf('HelmRelease', 'fluent-bit')).toBe('monitoring');
    expect(b.layerOf('ExternalSecret', 'fluent-bit-opensearch-credentials')).toBe('monitoring');
    expect(b.find('Certificate', 'strata-ca-trust', 'logging').metadata.labels['strata.io/layer']).toBe('monitoring');
    // No CRDs or data of its own: not protected from pruning, unlike the operators.
    expect(release.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune']).toBeUndefined();
    const monitoring = b.layers.find((l) => l.layer === 'monitoring')!;
    expect([...monitoring.layerDependencies].map((l) => l.layer).sort()).toEqual(['foundation', 'operators', 'search']);
    expect(schemaIssues(b.manifests)).toEqual([]);
  });

  test('a DaemonSet on every node, with requests and limits, hardened, and scraped through the chart ServiceMonitor', () => {
    const values = valuesOf(build());
    expect(values.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(values.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(values.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(values.serviceMonitor).toEqual({ enabled: true });
    expect(values.testFramework).toEqual({ enabled: false });
    const resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } };
    expect(valuesOf(build({ props: { resources } })).resources).toEqual(resources);
  });

  test('tails the containers’ logs, adds their pods’ metadata, and writes logs-YYYY.MM.DD over verified TLS with credentials from the environment', () => {
    const values = valuesOf(build());
    expect(sectionOf(values.config.inputs)).toMatchObject({
      Name: 'tail',
      Path: '/var/log/containers/*.log',
      Tag: 'kube.*',
      'multiline.parser': 'docker, cri',
    });
    expect(sectionOf(values.config.filters)).toMatchObject({ Name: 'kubernetes', Match: 'kube.*', Merge_Log: 'On', Merge_Log_Key: 'log_processed' });
    expect(sectionOf(values.config.outputs)).toMatchObject({
      Name: 'opensearch',
      Match: 'kube.*',
      Host: 'search.opensearch.svc.cluster.local',
      Port: '9200',
      HTTP_User: '${OPENSEARCH_USERNAME}',
      HTTP_Passwd: '${OPENSEARCH_PASSWORD}',
      tls: 'On',
      'tls.verify': 'On',
      'tls.ca_file': '/fluent-bit/tls/ca.crt',
      Logstash_Format: 'On',
      Logstash_Prefix: 'logs',
      Suppress_Type_Name: 'On',
    });
    expect(values.env).toEqual([
      { name: 'OPENSEARCH_USERNAME', valueFrom: { secretKeyRef: { name: 'fluent-bit-opensearch-credentials', key: 'username' } } },
      { name: 'OPENSEARCH_PASSWORD', valueFrom: { secretKeyRef: { name: 'fluent-bit-opensearch-credentials', key: 'password' } } },
    ]);
    expect(values.extraVolumes).toEqual([
      { name: 'opensearch-ca', secret: { secretName: 'strata-ca-trust', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ]);
    expect(values.extraVolumeMounts).toEqual([{ name: 'opensearch-ca', mountPath: '/fluent-bit/tls', readOnly: true }]);
  });

  test('its own OpenSearch user and role, writing and creating logs-* indices only, its password from the secret store', () => {
    const b = build();
    const role = b.find('OpensearchRole', 'fluent-bit-index-write', 'opensearch');
    expect(role.spec.indexPermissions).toEqual([
      { indexPatterns: ['logs-*'], allowedActions: ['write', 'create_index', 'indices:admin/get', 'indices_monitor'] },
    ]);
    expect(b.find('OpensearchUserRoleBinding', 'fluent-bit', 'opensearch').spec).toMatchObject({
      users: ['fluent-bit'],
      roles: ['fluent-bit-index-write'],
    });
    expect(b.find('OpensearchUser', 'fluent-bit', 'opensearch').spec.passwordFrom).toEqual({ name: 'search-user-fluent-bit', key: 'password' });
    const credential = b.find('ExternalSecret', 'fluent-bit-opensearch-credentials', 'logging');
    expect(credential.spec.data).toEqual([
      { secretKey: 'password', remoteRef: { key: 'region-a/prod/opensearch/search/users/fluent-bit', property: 'password' } },
    ]);
    expect(credential.spec.target.template.data.username).toBe('{{ "fluent-bit" }}');
    // Nothing secret is rendered: no Secret, and no password anywhere in the release.
    expect(b.manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  test('an index template for logs-* and a retention policy deleting them after the given days (14 by default)', () => {
    const b = build();
    const template = b.find('OpensearchIndexTemplate', 'logs', 'opensearch');
    expect(template.spec).toMatchObject({ name: 'logs', indexPatterns: ['logs-*'], priority: 100 });
    expect(template.spec.template.mappings.properties['@timestamp']).toEqual({ type: 'date' });
    expect(template.spec.template.mappings.properties.kubernetes.properties.namespace_name).toEqual({ type: 'keyword' });
    const policy = b.find('OpenSearchISMPolicy', 'logs-retention', 'opensearch');
    expect(policy.spec.ismTemplate).toEqual({ indexPatterns: ['logs-*'], priority: 100 });
    expect(policy.spec.states[0].transitions).toEqual([{ stateName: 'delete', conditions: { minIndexAge: '14d' } }]);
    expect(policy.spec.states[1].actions).toEqual([{ delete: {} }]);
    const longer = build({ props: { retentionDays: 45 } }).find('OpenSearchISMPolicy', 'logs-retention', 'opensearch');
    expect(longer.spec.states[0].transitions[0].conditions).toEqual({ minIndexAge: '45d' });
  });

  test('network: a privileged logging namespace with API server egress, Fluent Bit to OpenSearch on 9200, Prometheus to Fluent Bit on 2020', () => {
    const b = build();
    const ns = b.app.context.namespaces.find((n) => n.name === 'logging');
    expect(ns).toMatchObject({ podSecurity: 'privileged', apiServerEgress: true, workload: false });
    expect(ns?.podSecurityReason).toMatch(/hostPath/);
    const pods = { matchLabels: { 'app.kubernetes.io/name': 'fluent-bit', 'app.kubernetes.io/instance': 'fluent-bit' } };
    const egress = b.find('NetworkPolicy', 'allow-fluent-bit-to-search-egress', 'logging');
    expect(egress.spec.podSelector).toEqual(pods);
    expect(egress.spec.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'opensearch' } },
            podSelector: { matchLabels: { 'opensearch.org/opensearch-cluster': 'search' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 9200 }],
      },
    ]);
    const ingress = b.find('NetworkPolicy', 'allow-fluent-bit-to-search-ingress', 'opensearch');
    expect(ingress.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'logging' } }, podSelector: pods },
    ]);
    const scrape = b.find('NetworkPolicy', 'allow-prometheus-to-fluent-bit-ingress', 'logging');
    expect(scrape.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 2020 }]);
    expect(b.find('NetworkPolicy', 'allow-apiserver-egress', 'logging').spec.policyTypes).toEqual(['Egress']);
  });

  test('under Argo CD: an Application of the pinned chart in the cluster project', () => {
    const b = build({ gitops: ARGOCD });
    const app = b.find('Application', 'fluent-bit', 'argocd');
    expect(app.spec.project).toBe('region-a-prod');
    expect(app.spec.source).toMatchObject({ repoURL: 'https://fluent.github.io/helm-charts', chart: 'fluent-bit', targetRevision: '0.58.1' });
    expect(app.spec.destination.namespace).toBe('logging');
    expect(app.spec.source.helm.valuesObject.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(app.metadata.labels['strata.io/layer']).toBe('monitoring');
  });

  test('with Prometheus outside the cluster: no ServiceMonitor, and its addresses reach the metrics port', () => {
    const b = build({ external: true });
    expect(valuesOf(b).serviceMonitor).toEqual({ enabled: false });
    const policy = b.find('NetworkPolicy', 'allow-external-prometheus-to-fluent-bit', 'logging');
    expect(policy.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '10.40.0.20/32' } }], ports: [{ protocol: 'TCP', port: 2020 }] }]);
    expect(b.app.prometheusDocuments().length).toBeGreaterThan(0);
  });

  test('an index prefix that is no index name is refused, naming the prop', () => {
    expect(() => build({ props: { indexPrefix: 'Logs' } })).toThrow(/indexPrefix "Logs" must be a lower-case index name/);
  });
});

describe('FluentBit alerts', () => {
  const rulesOf = (b: ReturnType<typeof build>) => alertRules(b, 'fluent-bit', 'logging');
  const POD = 'namespace="logging", pod="fluent-bit-n1"';
  const OUTPUT = `${POD}, name="opensearch.0"`;
  const firing = (extra: Record<string, string>, severity: string) => ({ namespace: 'logging', pod: 'fluent-bit-n1', ...extra, severity });
  const silent = (alertname: string, evalTime = '45m'): AlertExpectation => ({ alertname, evalTime, firing: [] });
  /** One pod reading 100 records a minute, its output delivering them; `over` replaces a counter's samples. */
  const pod = (over: Record<string, string | undefined> = {}): SeriesInput[] =>
    Object.entries({
      [`fluentbit_input_records_total{${POD}, name="tail.0"}`]: '0+100x60',
      [`fluentbit_output_proc_records_total{${OUTPUT}}`]: '0+100x60',
      [`fluentbit_output_errors_total{${OUTPUT}}`]: '0x60',
      [`fluentbit_output_dropped_records_total{${OUTPUT}}`]: '0x60',
      [`fluentbit_output_retries_failed_total{${OUTPUT}}`]: '0x60',
      ...over,
    })
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([series, values]) => ({ series, values }));
  const NAMES = ['FluentBitOutputErrors', 'FluentBitNotShipping', 'FluentBitRecordsDropped'];

  test("a PrometheusRule fluent-bit in Fluent Bit's namespace, every selector scoped to it, each alert with its runbook", () => {
    const b = build();
    const rules = rulesOf(b);
    expect(alertNames(rules)).toEqual(NAMES);
    for (const rule of rules) {
      expectScoped(rule, ['namespace="logging"'], ['fluentbit_'], { namespace: 'logging' }, 'logging/fluent-bit');
      expect((rule.annotations as any).runbook_url).toBe(`constructs/logging/runbooks/${rule.alert}.md`);
    }
    expect(rules.map((r) => [r.alert, r.labels.severity, r.for])).toEqual([
      ['FluentBitOutputErrors', 'warning', '15m'],
      ['FluentBitNotShipping', 'critical', '30m'],
      ['FluentBitRecordsDropped', 'warning', undefined],
    ]);
    expect(b.layerOf('PrometheusRule', 'fluent-bit')).toBe('monitoring');
    expect(checkRules([b.find('PrometheusRule', 'fluent-bit', 'logging')])).toBe('');
    // Another namespace scopes every selector to it.
    const other = alertRules(build({ props: { namespace: 'logs' } }), 'fluent-bit', 'logs');
    for (const rule of other) expectScoped(rule, ['namespace="logs"'], ['fluentbit_'], { namespace: 'logs' }, 'logs/fluent-bit');
  });

  test('with Prometheus outside the cluster: no PrometheusRule, the group in its rule file', () => {
    const b = build({ external: true });
    expect(b.manifests.filter((m) => m.kind === 'PrometheusRule')).toEqual([]);
    const rules = b.app.prometheusDocuments().find((d) => d.file === 'rules.yaml')!.content as any;
    const group = rules.groups.find((g: any) => g.name === 'logging/fluent-bit');
    expect(group.rules.map((r: any) => r.alert)).toEqual(NAMES);
    for (const r of group.rules) {
      expect(r.labels).toMatchObject({ namespace: 'logging' });
      expect(r.annotations.runbook_url).toBe(`constructs/logging/runbooks/${r.alert}.md`);
    }
  });

  test('a healthy pod raises nothing, nor does an idle one', () => {
    const rules = rulesOf(build());
    expect(
      testAlerts(
        rules,
        pod(),
        NAMES.map((n) => silent(n)),
      ),
    ).toBe('');
    const idle = pod({
      [`fluentbit_input_records_total{${POD}, name="tail.0"}`]: '0x60',
      [`fluentbit_output_proc_records_total{${OUTPUT}}`]: '0x60',
    });
    expect(
      testAlerts(
        rules,
        idle,
        NAMES.map((n) => silent(n)),
      ),
    ).toBe('');
  });

  test('an output failing for 15 minutes warns, naming it; a single failed flush does not', () => {
    const rules = rulesOf(build());
    expect(
      testAlerts(rules, pod({ [`fluentbit_output_errors_total{${OUTPUT}}`]: '0x4 0+2x55' }), [
        { alertname: 'FluentBitOutputErrors', evalTime: '25m', firing: [firing({ name: 'opensearch.0' }, 'warning')] },
        // It still delivers some: not a pod that ships nothing.
        silent('FluentBitNotShipping'),
      ]),
    ).toBe('');
    expect(testAlerts(rules, pod({ [`fluentbit_output_errors_total{${OUTPUT}}`]: '0x4 1x55' }), [silent('FluentBitOutputErrors', '30m')])).toBe('');
  });

  test('a pod reading logs while its output delivers none for 30 minutes pages, with or without the output series', () => {
    const rules = rulesOf(build());
    const stuck = pod({ [`fluentbit_output_proc_records_total{${OUTPUT}}`]: '0+100x4 400x55' });
    expect(testAlerts(rules, stuck, [{ alertname: 'FluentBitNotShipping', evalTime: '45m', firing: [firing({}, 'critical')] }])).toBe('');
    // Not yet: 30 minutes have not passed.
    expect(testAlerts(rules, stuck, [silent('FluentBitNotShipping', '25m')])).toBe('');
    const never = pod({ [`fluentbit_output_proc_records_total{${OUTPUT}}`]: undefined });
    expect(testAlerts(rules, never, [{ alertname: 'FluentBitNotShipping', evalTime: '45m', firing: [firing({}, 'critical')] }])).toBe('');
  });

  test('records dropped or given up after their retries warn at once', () => {
    const rules = rulesOf(build());
    const expectation = (evalTime: string) => ({
      alertname: 'FluentBitRecordsDropped',
      evalTime,
      firing: [firing({ name: 'opensearch.0' }, 'warning')],
    });
    expect(testAlerts(rules, pod({ [`fluentbit_output_dropped_records_total{${OUTPUT}}`]: '0x10 25x50' }), [expectation('12m')])).toBe('');
    expect(testAlerts(rules, pod({ [`fluentbit_output_retries_failed_total{${OUTPUT}}`]: '0x10 1x50' }), [expectation('12m')])).toBe('');
    // Both: one alert per output, not two.
    expect(
      testAlerts(
        rules,
        pod({
          [`fluentbit_output_dropped_records_total{${OUTPUT}}`]: '0x10 25x50',
          [`fluentbit_output_retries_failed_total{${OUTPUT}}`]: '0x10 1x50',
        }),
        [expectation('12m')],
      ),
    ).toBe('');
    // Cleared once 15 minutes pass without a drop.
    expect(
      testAlerts(rules, pod({ [`fluentbit_output_dropped_records_total{${OUTPUT}}`]: '0x10 25x50' }), [silent('FluentBitRecordsDropped', '40m')]),
    ).toBe('');
  });
});
