import * as yaml from 'js-yaml';
import { VeleroBackups } from '../../../constructs/backup/velero-backups';
import { CloudNativePgCluster } from '../../../constructs/data/cloudnative-pg-cluster';
import { addAlertRules, RUNBOOKS } from '../../../constructs/platform/alert-rules';
import { ExternalPrometheus } from '../../../constructs/platform/external-prometheus';
import { PlatformApp } from '../../../constructs/platform/platform-app';
import { scrapePods } from '../../../constructs/platform/scrape';
import { ExternalBucket } from '../../../constructs/storage/external-bucket';
import { MinioTenant } from '../../../constructs/storage/minio-tenant';
import { KafkaCluster } from '../../../constructs/streaming/kafka-cluster';
import { loadEnvironments } from '../../../environments/load';
import { EXTERNAL_SECRETS, schemaIssues } from '../../support/layer';
import { environmentError, expectProblem } from '../../support/problems';
import { environmentsWith, removeTempDirs } from '../../support/temp';

afterAll(removeTempDirs);

const GITOPS = { engine: 'flux', path: './dist', sourceRef: { name: 'flux-system', namespace: 'flux-system' }, interval: '10m' } as const;
const OUTSIDE = { kind: 'external', addresses: ['10.40.0.20'], apiServerUrl: 'https://10.40.0.5:6443' } as const;

function platform(monitoring?: typeof OUTSIDE) {
  return new PlatformApp({
    region: 'hetzner',
    environment: 'prod',
    gitops: GITOPS,
    ...(monitoring ? { monitoring } : {}),
    clusterName: 'hetzner-prod',
  });
}
const manifests = (app: PlatformApp) => app.completeLayers().flatMap((l) => l.toJson());
const docs = (app: PlatformApp) => Object.fromEntries(app.prometheusDocuments().map((d) => [d.file, yaml.load(yaml.dump(d.content)) as any]));

describe('with Prometheus outside the cluster', () => {
  test('no object of the Prometheus operator is rendered, and the operator is not installed', () => {
    const app = platform(OUTSIDE);
    new CloudNativePgCluster(app.layer('data'), 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    const all = manifests(app);
    expect(all.filter((m) => String(m.apiVersion).startsWith('monitoring.coreos.com/'))).toEqual([]);
    expect(all.filter((m) => m.kind === 'HelmRelease').map((m) => m.metadata.name)).toEqual(['cert-manager', 'cloudnative-pg']);
    expect(schemaIssues(all)).toEqual([]);
  });

  test('a PodMonitor becomes a pod job of the outside Prometheus, and only its addresses reach the metrics port', () => {
    const app = platform(OUTSIDE);
    new CloudNativePgCluster(app.layer('data'), 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    const policy = manifests(app).find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'allow-external-prometheus-to-postgres')!;
    expect(policy.metadata.namespace).toBe('postgres');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'cnpg.io/cluster': 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '10.40.0.20/32' } }], ports: [{ protocol: 'TCP', port: 9187 }] }],
    });
    const [job] = docs(app)['scrape-configs.yaml'].scrape_configs;
    expect(job.job_name).toBe('hetzner-prod/postgres/postgres');
    expect(job.kubernetes_sd_configs[0]).toMatchObject({ role: 'pod', api_server: 'https://10.40.0.5:6443', namespaces: { names: ['postgres'] } });
    expect(job.relabel_configs).toEqual(
      expect.arrayContaining([
        { source_labels: ['__meta_kubernetes_pod_label_cnpg_io_cluster'], regex: 'postgres', action: 'keep' },
        { source_labels: ['__meta_kubernetes_pod_label_cnpg_io_podRole'], regex: 'instance', action: 'keep' },
        { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'metrics', action: 'keep' },
        { target_label: 'job', replacement: 'postgres/postgres' },
        { target_label: 'cluster', replacement: 'hetzner-prod' },
      ]),
    );
    // The alerts the PrometheusRule would hold, as a rule file.
    const groups = docs(app)['rules.yaml'].groups;
    expect(groups.map((g: any) => g.name)).toEqual(['postgres/postgres']);
    expect(groups[0].rules.length).toBeGreaterThan(3);
    expect(groups[0].rules[0].labels).toMatchObject({ namespace: 'postgres', cnpg_cluster: 'postgres' });
  });

  test('HTTPS endpoints keep their server name and CA; pod labels copied onto series are relabelled', () => {
    const app = platform(OUTSIDE);
    new MinioTenant(app.layer('data'), 'Minio', { secretBackend: EXTERNAL_SECRETS });
    new KafkaCluster(app.layer('streaming'), 'Kafka', { secretBackend: EXTERNAL_SECRETS });
    manifests(app);
    const jobs = docs(app)['scrape-configs.yaml'].scrape_configs;
    const minio = jobs.find((j: any) => j.job_name === 'hetzner-prod/minio/storage');
    expect(minio).toMatchObject({ scheme: 'https', metrics_path: '/minio/v2/metrics/cluster', tls_config: { server_name: 'minio.minio.svc' } });
    expect(minio.tls_config.ca_file).toMatch(/^\/etc\/prometheus\/kubernetes\/hetzner-prod\/minio-/);
    const kafka = jobs.find((j: any) => j.job_name.startsWith('hetzner-prod/kafka/'));
    expect(kafka.relabel_configs).toEqual(
      expect.arrayContaining([{ source_labels: ['__meta_kubernetes_pod_label_strimzi_io_cluster'], target_label: 'strimzi_io_cluster' }]),
    );
  });

  test("Velero's chart monitor is off, the server is scraped as a job, and its alerts go to the rule file", () => {
    const app = platform(OUTSIDE);
    const velero = new VeleroBackups(app.layer('backup'), 'Velero', { secretBackend: EXTERNAL_SECRETS });
    velero.storeIn(
      new ExternalBucket(app.layer('backup'), 'Bucket', {
        endpoint: 'https://fsn1.your-objectstorage.example',
        bucket: 'velero',
        region: 'fsn1',
        secretBackend: EXTERNAL_SECRETS,
        credentialsRemoteKey: 'hetzner/prod/s3/velero',
      }),
    );
    velero.schedule({ cron: '0 2 * * *', ttl: '720h', extraNamespaces: ['apps'] });
    const all = manifests(app);
    const release = all.find((m) => m.kind === 'HelmRelease' && m.metadata.name === 'velero')!;
    expect(release.spec.values.metrics.serviceMonitor.enabled).toBe(false);
    expect(release.spec.dependsOn).toEqual([]);
    expect(docs(app)['rules.yaml'].groups.map((g: any) => g.name)).toEqual(['velero/velero-backups']);
    expect(docs(app)['scrape-configs.yaml'].scrape_configs.map((j: any) => j.job_name)).toEqual(['hetzner-prod/velero/velero']);
  });

  test('Prometheus discovers pods with a ServiceAccount whose token the API server writes, in the monitoring layer', () => {
    const app = platform(OUTSIDE);
    new CloudNativePgCluster(app.layer('data'), 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    const layer = app.completeLayers().find((l) => l.layer === 'monitoring')!;
    const kinds = layer.toJson().map((m) => `${m.kind} ${m.metadata.name}`);
    expect(kinds.sort()).toEqual([
      'ClusterRole external-prometheus',
      'ClusterRoleBinding external-prometheus',
      'Secret external-prometheus-token',
      'ServiceAccount external-prometheus',
    ]);
    const token = layer.toJson().find((m) => m.kind === 'Secret')!;
    expect(token.type).toBe('kubernetes.io/service-account-token');
    expect(token.data).toBeUndefined();
    expect(schemaIssues(layer.toJson())).toEqual([]);
  });

  test('two scrape jobs of one name are refused', () => {
    const app = platform(OUTSIDE);
    const chart = app.layer('data');
    const props = { name: 'x', pods: { namespace: 'ns', podLabels: { a: 'b' } }, ports: [9000], endpoints: [{ port: 'metrics' }] };
    scrapePods(chart, 'One', props);
    expect(() => scrapePods(chart, 'Two', props)).toThrow('external Prometheus: two scrape jobs are named ns/x');
  });
});

describe('with Prometheus in the cluster', () => {
  test('nothing changes: PodMonitors and PrometheusRules, no documents', () => {
    const app = platform();
    new CloudNativePgCluster(app.layer('data'), 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    expect(
      addAlertRules(app.layer('data'), 'More', { name: 'y', namespace: 'postgres', labels: {}, alerts: () => [], runbooks: RUNBOOKS.data }),
    ).toBeDefined();
    const all = manifests(app);
    expect(all.map((m) => m.kind)).toEqual(expect.arrayContaining(['PodMonitor', 'PrometheusRule']));
    expect(all.filter((m) => m.kind === 'HelmRelease').map((m) => m.metadata.name)).toContain('kube-prometheus-stack');
    expect(ExternalPrometheus.of(app)).toBeUndefined();
    expect(app.prometheusDocuments()).toEqual([]);
  });
});

describe('monitoring.external in the environments', () => {
  const external = { monitoring: { external: { addresses: ['10.40.0.20'], apiServerUrl: 'https://10.40.0.5:6443' } } };

  test('OpenSearch with its exporter is refused: the operator scrapes it through a ServiceMonitor', () => {
    const dir = environmentsWith({ 'overlays/region-a/prod.yaml': { merge: external } });
    expectProblem(
      environmentError(() => loadEnvironments(dir)),
      {
        file: 'overlays/region-a/prod.yaml',
        path: 'opensearch.prometheusExporter',
        value: true,
        message: /ServiceMonitor the opensearch-operator creates/,
        fix: /set opensearch\.prometheusExporter: false/,
      },
    );
  });

  test('an API server URL that is not one is refused', () => {
    const dir = environmentsWith({
      'overlays/region-a/dev.yaml': {
        merge: { monitoring: { external: { addresses: ['10.40.0.20'], apiServerUrl: 'https://k8s.example.org:6443/(x' } } },
      },
    });
    expectProblem(
      environmentError(() => loadEnvironments(dir)),
      {
        file: 'overlays/region-a/dev.yaml',
        path: 'monitoring.external.apiServerUrl',
        message: /https URL of a host/,
        fix: /https:\/\/10\.40\.0\.5:6443/,
      },
    );
  });

  test('a loopback or repeated address is refused', () => {
    const dir = environmentsWith({
      'overlays/region-a/dev.yaml': { merge: { monitoring: { external: { addresses: ['127.0.0.1'], apiServerUrl: 'https://10.40.0.5:6443' } } } },
    });
    expectProblem(
      environmentError(() => loadEnvironments(dir)),
      { file: 'overlays/region-a/dev.yaml', path: 'monitoring.external.addresses', message: /loopback/, fix: /routable IPv4 address/ },
    );
  });
});
