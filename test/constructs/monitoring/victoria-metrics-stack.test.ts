/**
 * The VictoriaMetrics stack: VMSingle sized like the Prometheus servers (retention, volume on
 * the given class, resources), VMAgent selecting every scrape object and writing to VMSingle
 * with the external labels, VMAlert evaluating every rule against VMSingle and notifying the
 * VMAlertmanager replicas, which route every namespace's alerts; in a PlatformApp, the
 * operators layer installs the VictoriaMetrics operator and the Prometheus operator's CRDs
 * (never kube-prometheus-stack), and the scrape paths admit VMAgent's pods.
 */
import {
  victoriaMetricsDataSources,
  VictoriaMetricsStack,
  VictoriaMetricsStackProps,
  VMINSERT_URL,
  VMSELECT_URL,
  VMSINGLE_URL,
} from '../../../constructs/monitoring/victoria-metrics-stack';
import { PlatformApp } from '../../../constructs/platform/platform-app';
import { scrapePods } from '../../../constructs/platform/scrape';
import { schemaIssues, testLayer } from '../../support/layer';

const PROPS: VictoriaMetricsStackProps = {
  prometheus: {
    replicas: 2,
    retention: '15d',
    storageSize: '50Gi',
    resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
  },
  alertmanager: { replicas: 3, storageSize: '1Gi' },
  storageClass: 'fast-ssd',
  externalLabels: { region: 'region-a', environment: 'prod', cluster: 'region-a-prod' },
};

function build(props: Partial<VictoriaMetricsStackProps> = {}) {
  const layer = testLayer('monitoring');
  new VictoriaMetricsStack(layer.chart, 'VictoriaMetrics', { ...PROPS, ...props });
  return layer;
}

test('VMSingle keeps the retention on one volume of the given class, with the servers’ resources, and is protected from pruning', () => {
  const layer = build();
  const single = layer.find('VMSingle', 'platform', 'monitoring');
  expect(single.spec).toMatchObject({
    retentionPeriod: '15d',
    storage: { storageClassName: 'fast-ssd', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } },
    resources: PROPS.prometheus.resources,
    useStrictSecurity: true,
  });
  // The VMAgent replicas' duplicate samples are dropped within the scrape interval.
  expect(single.spec.extraArgs).toEqual({ 'dedup.minScrapeInterval': '30s' });
  expect(single.metadata.annotations).toMatchObject({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
  expect(schemaIssues(layer.manifests())).toEqual([]);
  expect(VMSINGLE_URL).toBe('http://vmsingle-platform.monitoring.svc:8428');
});

test('storage cluster: a VMCluster of vmstorage nodes (the servers’ volume and resources each), vminsert and vmselect; the agent and the rules write and read through them', () => {
  const layer = build({ storage: { storage: 'cluster', storageNodes: 4, replicationFactor: 2 } });
  expect(layer.manifests().filter((m) => m.kind === 'VMSingle')).toEqual([]);
  const cluster = layer.find('VMCluster', 'platform', 'monitoring');
  expect(cluster.spec).toMatchObject({
    retentionPeriod: '15d',
    replicationFactor: 2,
    vmstorage: {
      replicaCount: 4,
      storage: {
        volumeClaimTemplate: { spec: { storageClassName: 'fast-ssd', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } },
      },
      resources: PROPS.prometheus.resources,
      podDisruptionBudget: { maxUnavailable: 1 },
    },
    vminsert: { replicaCount: 2 },
    vmselect: { replicaCount: 2 },
  });
  expect(cluster.metadata.annotations).toMatchObject({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
  expect(layer.find('VMAgent', 'platform', 'monitoring').spec.remoteWrite).toEqual([{ url: `${VMINSERT_URL}/api/v1/write` }]);
  expect(layer.find('VMAlert', 'platform', 'monitoring').spec).toMatchObject({
    datasource: { url: VMSELECT_URL },
    remoteRead: { url: VMSELECT_URL },
    remoteWrite: { url: VMINSERT_URL },
  });
  expect(VMINSERT_URL).toBe('http://vminsert-platform.monitoring.svc:8480/insert/0/prometheus');
  expect(VMSELECT_URL).toBe('http://vmselect-platform.monitoring.svc:8481/select/0/prometheus');
  expect(schemaIssues(layer.manifests())).toEqual([]);
});

test('a VMCluster asked to keep more copies than it has nodes is refused', () => {
  expect(() => build({ storage: { storage: 'cluster', storageNodes: 2, replicationFactor: 3 } })).toThrow(
    /VictoriaMetrics stack: replicationFactor 3 asks for more copies of each sample than the 2 storage nodes can hold/,
  );
});

test('VMAgent selects every scrape object, remote-writes to VMSingle and labels every series with region, environment and cluster', () => {
  const agent = build().find('VMAgent', 'platform', 'monitoring');
  expect(agent.spec).toMatchObject({
    replicaCount: 2,
    selectAllByDefault: true,
    scrapeInterval: '30s',
    externalLabels: PROPS.externalLabels,
    remoteWrite: [{ url: `${VMSINGLE_URL}/api/v1/write` }],
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  });
  // No selector narrows it: the converted monitors of every namespace.
  for (const field of ['serviceScrapeSelector', 'podScrapeSelector', 'serviceScrapeNamespaceSelector', 'podScrapeNamespaceSelector']) {
    expect(agent.spec[field]).toBeUndefined();
  }
});

test('VMAlert evaluates every rule against VMSingle, keeps its state there and notifies each VMAlertmanager replica', () => {
  const layer = build();
  const alert = layer.find('VMAlert', 'platform', 'monitoring');
  expect(alert.spec).toMatchObject({
    replicaCount: 2,
    selectAllByDefault: true,
    datasource: { url: VMSINGLE_URL },
    remoteWrite: { url: VMSINGLE_URL },
    remoteRead: { url: VMSINGLE_URL },
    externalLabels: PROPS.externalLabels,
  });
  expect(alert.spec.ruleSelector).toBeUndefined();
  const [notifier] = alert.spec.notifiers;
  const alertmanager = layer.find('VMAlertmanager', 'platform', 'monitoring');
  for (const [k, v] of Object.entries(notifier.selector.labelSelector.matchLabels)) expect(alertmanager.metadata.labels[k]).toBe(v);
  expect(notifier.selector.namespaceSelector).toEqual({ matchNames: ['monitoring'] });
});

test('VMAlertmanager: the replicas and volume of monitoring.alertmanager, the platform root configuration, routes from its namespace for every namespace', () => {
  const am = build().find('VMAlertmanager', 'platform', 'monitoring');
  expect(am.spec).toMatchObject({
    replicaCount: 3,
    storage: { volumeClaimTemplate: { spec: { storageClassName: 'fast-ssd', resources: { requests: { storage: '1Gi' } } } } },
    selectAllByDefault: true,
    configNamespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    disableNamespaceMatcher: true,
  });
  expect(am.spec.configRawYaml).toContain("receiver: 'null'");
  expect(am.spec.configRawYaml).toContain('alertname = "NodeNotReady"');
  expect(am.spec.configRawYaml).not.toContain('templates');
  expect(am.metadata.annotations).toMatchObject({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
});

test('the operator is required, and the monitoring namespace talks to the API server and within itself', () => {
  const layer = build();
  expect(layer.context.operators).toEqual(['victoria-metrics-operator']);
  expect(layer.context.namespaces.find((n) => n.name === 'monitoring')).toMatchObject({
    workload: false,
    apiServerEgress: true,
    allowSameNamespace: true,
  });
});

test.each([
  [{ alertmanager: { replicas: 2, storageSize: '1Gi' } }, /alertmanager.replicas 2 is even/],
  [{ prometheus: { ...PROPS.prometheus, retention: '2 weeks' } }, /prometheus.retention "2 weeks" is not a whole number/],
  [{ prometheus: { ...PROPS.prometheus, storageSize: '100Mi' } }, /prometheus.storageSize "100Mi" is not a volume size of 1Gi or more/],
])('%p is refused', (props, message) => {
  expect(() => build(props)).toThrow(message);
});

describe('in a PlatformApp with monitoringStack victoriametrics', () => {
  const gitops = { engine: 'flux' as const, path: './dist', sourceRef: { name: 'flux-system', namespace: 'flux-system' }, interval: '10m' };
  function platform() {
    const app = new PlatformApp({ region: 'homelab', environment: 'prod', gitops, monitoringStack: 'victoriametrics' });
    new VictoriaMetricsStack(app.layer('monitoring'), 'VictoriaMetrics', PROPS);
    app.context.requireNamespace({ name: 'shop', workload: true });
    scrapePods(app.layer('apps'), 'Scrape', {
      name: 'shop',
      pods: { namespace: 'shop', podLabels: { app: 'shop' } },
      ports: [9100],
      endpoints: [{ portNumber: 9100 }],
    });
    const objects = app.completeLayers().flatMap((l) => l.toJson());
    return objects;
  }

  test('the operators layer installs the VictoriaMetrics operator after the Prometheus operator’s CRDs, and no kube-prometheus-stack', () => {
    const objects = platform();
    const releases = objects.filter((o) => o.kind === 'HelmRelease');
    expect(releases.map((r) => r.metadata.name).sort()).toEqual(expect.arrayContaining(['prometheus-operator-crds', 'victoria-metrics-operator']));
    expect(releases.map((r) => r.metadata.name)).not.toContain('kube-prometheus-stack');
    const vmo = releases.find((r) => r.metadata.name === 'victoria-metrics-operator');
    expect(vmo.spec.chart.spec).toMatchObject({ chart: 'victoria-metrics-operator', version: '0.67.2' });
    expect(vmo.spec.dependsOn).toEqual([{ name: 'prometheus-operator-crds', namespace: 'vm-operator' }]);
    const crds = releases.find((r) => r.metadata.name === 'prometheus-operator-crds');
    expect(crds.spec.chart.spec).toMatchObject({ chart: 'prometheus-operator-crds', version: '31.0.1' });
    expect(schemaIssues(objects)).toEqual([]);
  });

  test('a scrape path admits the VMAgent’s pods, under policies named for it', () => {
    const objects = platform();
    const policy = (name: string) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name);
    expect(policy('allow-vmagent-to-shop-egress').spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'vmagent' });
    expect(policy('allow-vmagent-to-shop-egress').metadata.namespace).toBe('monitoring');
    expect(policy('allow-vmagent-to-shop-ingress').spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'vmagent' });
    expect(policy('allow-prometheus-to-shop-egress')).toBeUndefined();
  });
});

test("Grafana's data sources: the query API of VMSingle or of the cluster's vmselect (the default), and the VMAlertmanager", () => {
  const urls = (props: Partial<VictoriaMetricsStackProps>) => {
    const layer = testLayer('monitoring');
    const stack = new VictoriaMetricsStack(layer.chart, 'VictoriaMetrics', { ...PROPS, ...props });
    return victoriaMetricsDataSources(stack).map((d) => `${d.type} ${d.uid} ${d.url}${d.isDefault ? ' (default)' : ''}`);
  };
  expect(urls({})).toEqual([
    'prometheus prometheus http://vmsingle-platform.monitoring.svc:8428 (default)',
    'alertmanager alertmanager http://vmalertmanager-platform.monitoring.svc:9093',
  ]);
  expect(urls({ storage: { storage: 'cluster', storageNodes: 3, replicationFactor: 2 } })[0]).toBe(
    'prometheus prometheus http://vmselect-platform.monitoring.svc:8481/select/0/prometheus (default)',
  );
});
