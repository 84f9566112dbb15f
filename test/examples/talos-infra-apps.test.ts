/**
 * The example of two Talos clusters per environment (infra runs the shared CloudNativePG
 * cluster, apps runs the applications) renders, every object validated strictly (synth
 * does): one entry folder per cluster, nothing stateful on apps, each application's database
 * exported from infra on its own address and imported on apps, metrics on VictoriaMetrics in
 * infra (alerts routed through its VMAlertmanager), and every folder builds with kubectl
 * kustomize.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { PROJECT_ROOT } from '../../environments/project-root';
import { listTree } from '../../gitops/tree';
import { synth } from '../../main';
import { removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'talos-infra-apps');
/** What the example's region file gives the apps cluster as its egress blocks. */
const APPS_EGRESS = ['10.25.11.14/32', '10.25.11.15/32', '10.25.11.16/32'];
const EXPORTED = { harbor: '10.25.11.201', keycloak: '10.25.11.202', gitlab: '10.25.11.203' } as const;

let out: string;
let objects: { file: string; manifest: any }[];

beforeAll(() => {
  out = path.join(tempDir('strata-example-'), 'dist');
  synth({ envDir: EXAMPLE, outDir: out });
  objects = listTree(out)
    .filter((f) => f.endsWith('.yaml') && path.posix.basename(f) !== 'kustomization.yaml')
    .flatMap((file) =>
      (yaml.loadAll(fs.readFileSync(path.join(out, file), 'utf8')) as any[]).filter(Boolean).map((manifest) => ({ file, manifest })),
    );
});

const on = (cluster: string) => objects.filter((o) => o.file.startsWith(`homelab/prod/${cluster}/`)).map((o) => o.manifest);
const one = (manifests: any[], kind: string, name: string, namespace?: string) => {
  const found = manifests.filter(
    (m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace),
  );
  expect(found.map((m) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
    `${kind} ${namespace ?? found[0]?.metadata.namespace}/${name}`,
  ]);
  return found[0];
};

test('one entry folder per cluster, and every layer folder under its cluster', () => {
  expect(fs.readdirSync(path.join(out, 'clusters')).sort()).toEqual(['homelab-prod-apps', 'homelab-prod-infra']);
  expect(fs.readdirSync(path.join(out, 'homelab', 'prod')).sort()).toEqual(['apps', 'infra']);
  // Nothing rendered for the environment outside its clusters' folders.
  expect(objects.filter((o) => !/^(clusters\/homelab-prod-(apps|infra)|homelab\/prod\/(apps|infra)\/[a-z]+)\/[^/]+\.yaml$/.test(o.file))).toEqual([]);
});

test('the apps cluster runs nothing stateful', () => {
  const kinds = new Set(on('apps').map((m) => m.kind));
  for (const kind of ['Cluster', 'Pooler', 'Tenant', 'postgresql', 'PersistentVolumeClaim', 'StatefulSet', 'ObjectStore', 'ScheduledBackup']) {
    expect(kinds).not.toContain(kind);
  }
  expect(on('apps').length).toBeGreaterThan(0);
});

test('each application on apps reaches its database at the exported address: Service, EndpointSlice, credentials and egress', () => {
  const apps = on('apps');
  for (const [db, address] of Object.entries(EXPORTED)) {
    const service = one(apps, 'Service', `postgres-pooler-${db}`, db);
    expect(service.spec.selector).toBeUndefined();
    expect(service.spec.ports).toEqual([{ name: 'pgbouncer', protocol: 'TCP', port: 5432, targetPort: 5432 }]);
    const slice = one(apps, 'EndpointSlice', `postgres-pooler-${db}-export`, db);
    expect(slice.metadata.labels['kubernetes.io/service-name']).toBe(`postgres-pooler-${db}`);
    expect(slice.endpoints.map((e: any) => e.addresses)).toEqual([[address]]);
    const secret = one(apps, 'ExternalSecret', `postgres-${db}-credentials`, db);
    expect(secret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'onepassword' });
    expect([...new Set(secret.spec.data.map((d: any) => d.remoteRef.key))]).toEqual([`homelab/prod/postgres/postgres/roles/${db}`]);
    const egress = apps.filter((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === db && m.spec.policyTypes.includes('Egress'));
    expect(egress.flatMap((p) => p.spec.egress ?? []).filter((e: any) => (e.to ?? []).some((t: any) => t.ipBlock))).toEqual([
      { to: [{ ipBlock: { cidr: `${address}/32` } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    ]);
  }
  // The same secret-store entry is what infra's own credentials read.
  const infraSecret = one(on('infra'), 'ExternalSecret', 'postgres-harbor-credentials', 'postgres');
  const appsSecret = one(apps, 'ExternalSecret', 'postgres-harbor-credentials', 'harbor');
  expect(appsSecret.spec.data).toEqual(infraSecret.spec.data);
});

test("the infra cluster runs the database, a pooler per application, and offers each on its address to the apps cluster's egress blocks only", () => {
  const infra = on('infra');
  expect(infra.filter((m) => m.kind === 'Cluster' && m.apiVersion.startsWith('postgresql.cnpg.io/')).map((m) => m.metadata.name)).toEqual([
    'postgres',
  ]);
  expect(
    infra
      .filter((m) => m.kind === 'Pooler')
      .map((m) => m.metadata.name)
      .sort(),
  ).toEqual(['postgres-pooler-gitlab', 'postgres-pooler-harbor', 'postgres-pooler-keycloak']);
  const balancers = infra.filter((m) => m.kind === 'Service' && m.spec.type === 'LoadBalancer');
  expect(balancers.map((s) => [s.metadata.name, s.spec.loadBalancerIP]).sort()).toEqual(
    Object.entries(EXPORTED)
      .map(([db, address]) => [`postgres-pooler-${db}-export`, address])
      .sort(),
  );
  for (const s of balancers) {
    expect(s.metadata.namespace).toBe('postgres');
    expect(s.spec.loadBalancerSourceRanges).toEqual(APPS_EGRESS);
    expect(s.spec.externalTrafficPolicy).toBe('Local');
    const db = s.metadata.name.replace(/^postgres-pooler-/, '').replace(/-export$/, '');
    expect(s.spec.selector).toEqual({ 'cnpg.io/poolerName': `postgres-pooler-${db}` });
    const ingress = one(infra, 'NetworkPolicy', `allow-export-to-postgres-pooler-${db}`, 'postgres');
    expect(ingress.spec.ingress).toEqual([{ from: APPS_EGRESS.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: 5432 }] }]);
  }
  // The imported side renders on apps only; the exporting side on infra only.
  expect(infra.filter((m) => m.kind === 'EndpointSlice')).toEqual([]);
  expect(on('apps').filter((m) => m.kind === 'Service' && m.spec.type === 'LoadBalancer')).toEqual([]);
});

test("each entry folder's Flux Kustomizations apply that cluster's layer folders", () => {
  const entries = (cluster: string) =>
    objects.filter((o) => o.file.startsWith(`clusters/homelab-prod-${cluster}/`) && o.manifest.kind === 'Kustomization').map((o) => o.manifest);
  const layersOf = (cluster: string) => fs.readdirSync(path.join(out, 'homelab', 'prod', cluster)).sort();
  expect(layersOf('apps')).toEqual(['data', 'foundation', 'operators']);
  // The platform alerts are the monitoring layer's, placed with the default (infra).
  expect(layersOf('infra')).toEqual(['backup', 'data', 'foundation', 'monitoring', 'operators']);
  for (const cluster of ['apps', 'infra']) {
    const ks = entries(cluster);
    expect(ks.every((k) => k.apiVersion === 'kustomize.toolkit.fluxcd.io/v1' && k.metadata.namespace === 'flux-system')).toBe(true);
    expect(ks.map((k) => k.spec.path).sort()).toEqual(layersOf(cluster).map((l) => `./dist/homelab/prod/${cluster}/${l}`));
  }
});

test('no Secret in plain text: the only Secret is the SOPS-committed Connect token, byte for byte, on each cluster', () => {
  const source = fs.readFileSync(path.join(EXAMPLE, 'sops', 'homelab', 'prod', 'external-secrets_onepassword-connect-token.sops.yaml'), 'utf8');
  const secrets = objects.filter((o) => o.manifest.kind === 'Secret');
  expect(secrets.map((o) => o.file).sort()).toEqual([
    'homelab/prod/apps/data/external-secrets_secret_onepassword-connect-token.yaml',
    'homelab/prod/infra/data/external-secrets_secret_onepassword-connect-token.yaml',
  ]);
  for (const { file, manifest } of secrets) {
    // SOPS' MAC covers the document: not one byte may change.
    expect(fs.readFileSync(path.join(out, file), 'utf8')).toBe(source);
    const values = Object.values({ ...manifest.data, ...manifest.stringData }) as string[];
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(v).toMatch(/^ENC\[AES256_GCM,data:/);
  }
  // Every credential of the databases is a reference to the store, which both clusters read.
  for (const cluster of ['apps', 'infra']) expect(on(cluster).filter((m) => m.kind === 'ClusterSecretStore')).toHaveLength(1);
  // Flux decrypts the layer holding it, and only that one.
  const decrypted = objects
    .filter((o) => o.file.startsWith('clusters/') && o.manifest.kind === 'Kustomization' && o.manifest.spec.decryption)
    .map((o) => [o.file, o.manifest.spec.decryption]);
  expect(decrypted).toEqual(
    ['apps', 'infra'].map((c) => [
      `clusters/homelab-prod-${c}/flux-system_kustomization_strata-data.yaml`,
      { provider: 'sops', secretRef: { name: 'sops-age' } },
    ]),
  );
});

describe('metrics on VictoriaMetrics, in the infra cluster', () => {
  const monitoringOf = (cluster: string) => on(cluster).filter((m) => m.metadata.labels?.['strata.io/layer'] === 'monitoring');

  test('the operators layer installs the VictoriaMetrics operator after the Prometheus CRDs, and no kube-prometheus-stack anywhere', () => {
    const releases = (cluster: string) =>
      on(cluster)
        .filter((m) => m.kind === 'HelmRelease')
        .map((m) => m.metadata.name)
        .sort();
    expect(releases('infra')).toEqual(expect.arrayContaining(['prometheus-operator-crds', 'victoria-metrics-operator']));
    for (const cluster of ['apps', 'infra']) expect(releases(cluster)).not.toContain('kube-prometheus-stack');
    expect(releases('apps')).not.toContain('victoria-metrics-operator');
    const vmo = one(on('infra'), 'HelmRelease', 'victoria-metrics-operator', 'vm-operator');
    expect(vmo.spec.dependsOn).toEqual([{ name: 'prometheus-operator-crds', namespace: 'vm-operator' }]);
    // Velero's chart monitor needs the Prometheus operator's CRDs: it waits for them.
    expect(one(on('infra'), 'HelmRelease', 'velero', 'velero').spec.dependsOn).toEqual([
      { name: 'prometheus-operator-crds', namespace: 'vm-operator' },
    ]);
  });

  test('prod stores in a VMCluster on Ceph (three storage nodes, two copies); VMAgent writes through vminsert with the cluster labels; VMAlert queries vmselect and notifies VMAlertmanager', () => {
    const infra = on('infra');
    expect(infra.filter((m) => m.kind === 'VMSingle')).toEqual([]);
    const cluster = one(infra, 'VMCluster', 'platform', 'monitoring');
    expect(cluster.spec).toMatchObject({
      retentionPeriod: '15d',
      replicationFactor: 2,
      useStrictSecurity: true,
      vmstorage: {
        replicaCount: 3,
        storage: { volumeClaimTemplate: { spec: { storageClassName: 'ceph-block', resources: { requests: { storage: '50Gi' } } } } },
        podDisruptionBudget: { maxUnavailable: 1 },
        extraArgs: { 'dedup.minScrapeInterval': '30s' },
      },
      vminsert: { replicaCount: 2 },
      vmselect: { replicaCount: 2, extraArgs: { 'dedup.minScrapeInterval': '30s' } },
    });
    expect(cluster.metadata.annotations).toMatchObject({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
    const agent = one(infra, 'VMAgent', 'platform', 'monitoring');
    expect(agent.spec.externalLabels).toEqual({ region: 'homelab', environment: 'prod', cluster: 'talos-prod-infra' });
    expect(agent.spec.remoteWrite).toEqual([{ url: 'http://vminsert-platform.monitoring.svc:8480/insert/0/prometheus/api/v1/write' }]);
    expect(one(infra, 'VMAlert', 'platform', 'monitoring').spec).toMatchObject({
      datasource: { url: 'http://vmselect-platform.monitoring.svc:8481/select/0/prometheus' },
      remoteWrite: { url: 'http://vminsert-platform.monitoring.svc:8480/insert/0/prometheus' },
      remoteRead: { url: 'http://vmselect-platform.monitoring.svc:8481/select/0/prometheus' },
    });
    expect(one(infra, 'VMAlertmanager', 'platform', 'monitoring').spec.replicaCount).toBe(3);
    expect(monitoringOf('apps')).toEqual([]);
  });

  test('container logs go to VictoriaLogs on the infra cluster: a VLSingle on Ceph with the prod retention, Fluent Bit writing to it over HTTP', () => {
    const infra = on('infra');
    expect(one(infra, 'VLSingle', 'platform', 'monitoring').spec).toMatchObject({
      retentionPeriod: '30d',
      storage: { storageClassName: 'ceph-block', resources: { requests: { storage: '50Gi' } } },
    });
    const outputs = one(infra, 'HelmRelease', 'fluent-bit', 'logging').spec.values.config.outputs;
    expect(outputs).toMatch(/Name +http\n/);
    expect(outputs).toMatch(
      /URI +\/insert\/jsonline\?_stream_fields=kubernetes\.namespace_name,kubernetes\.pod_name,kubernetes\.container_name,stream&_msg_field=log&_time_field=date\n/,
    );
    expect(one(infra, 'NetworkPolicy', 'allow-fluent-bit-to-vlsingle-ingress', 'monitoring').spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 9428 },
    ]);
    expect(on('apps').filter((m) => m.kind === 'VLSingle')).toEqual([]);
  });

  test('Grafana reads vmselect and the VMAlertmanager, its admin from 1Password; the dashboards leave out what VictoriaMetrics does not scrape', () => {
    const infra = on('infra');
    const grafana = one(infra, 'HelmRelease', 'grafana', 'monitoring');
    expect(grafana.metadata.labels['strata.io/layer']).toBe('monitoring');
    expect(
      grafana.spec.values.datasources['datasources.yaml'].datasources.map((d: any) => `${d.uid} ${d.url}${d.isDefault ? ' (default)' : ''}`),
    ).toEqual([
      'alertmanager http://vmalertmanager-platform.monitoring.svc:9093',
      'prometheus http://vmselect-platform.monitoring.svc:8481/select/0/prometheus (default)',
    ]);
    expect(one(infra, 'ExternalSecret', 'grafana-admin', 'monitoring').spec.secretStoreRef.name).toBe('onepassword');
    // VMAgent scrapes it, through the converted PodMonitor.
    expect(one(infra, 'NetworkPolicy', 'allow-vmagent-to-grafana-ingress', 'monitoring').spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 3000 },
    ]);
    const overview = one(infra, 'ConfigMap', 'grafana-dashboard-platform-overview', 'monitoring');
    const model = JSON.parse(Object.values(overview.data as Record<string, string>)[0]);
    const exprs = model.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr)).join('\n');
    expect(exprs).not.toMatch(/kube_|node_|container_|kubelet_/);
    expect(model.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)).toEqual(['Layers', 'Certificates']);
    expect(model.templating.list.find((v: any) => v.name === 'namespace').definition).toBe('label_values(up, namespace)');
    expect(infra.some((m) => m.kind === 'HelmRelease' && m.metadata.name === 'kube-prometheus-stack')).toBe(false);
  });

  test('the routing is a VMAlertmanagerConfig (no AlertmanagerConfig to convert twice), its credentials from 1Password', () => {
    const infra = on('infra');
    expect(infra.filter((m) => m.kind === 'AlertmanagerConfig')).toEqual([]);
    const config = one(infra, 'VMAlertmanagerConfig', 'platform-alerting', 'monitoring');
    expect(config.spec.route.receiver).toBe('homelab-chat');
    expect(config.spec.route.routes.map((r: any) => [r.matchers.join(','), r.receiver])).toEqual([
      ['alertname="Watchdog"', 'heartbeat'],
      ['alertname="InfoInhibitor"', 'drop'],
      ['severity="critical"', 'on-call'],
    ]);
    const secret = one(infra, 'ExternalSecret', 'alertmanager-on-call', 'monitoring');
    expect(secret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'onepassword' });
    expect(secret.spec.data[0].remoteRef).toEqual({ key: 'homelab/prod/monitoring/alertmanager-on-call', property: 'routingKey' });
  });

  test("the scrape paths admit VMAgent's pods; only the alerts whose series exist are rendered", () => {
    const infra = on('infra');
    const egress = one(infra, 'NetworkPolicy', 'allow-vmagent-to-postgres-egress', 'monitoring');
    expect(egress.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'vmagent' });
    expect(infra.filter((m) => m.kind === 'NetworkPolicy' && m.metadata.name.startsWith('allow-prometheus-'))).toEqual([]);
    // No kube-state-metrics or node-exporter: no node, workload or volume alerts; the certificates' stay, and
    // Fluent Bit's, from the counters of its chart's ServiceMonitor, which VMAgent scrapes once converted.
    expect(
      monitoringOf('infra')
        .filter((m) => m.kind === 'PrometheusRule')
        .map((m) => m.metadata.name),
    ).toEqual(['fluent-bit', 'platform-certificates']);
    expect(one(infra, 'NetworkPolicy', 'allow-vmagent-to-fluent-bit-ingress', 'logging').spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 2020 },
    ]);
    // The components' own rules are still rendered, for VMAlert to evaluate once converted.
    expect(infra.filter((m) => m.kind === 'PrometheusRule').map((m) => m.metadata.name)).toEqual(expect.arrayContaining(['postgres']));
  });
});

const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
(kubectl ? test : test.skip)('kubectl kustomize builds every folder', () => {
  const folders = listTree(out)
    .filter((f) => path.posix.basename(f) === 'kustomization.yaml')
    .map((f) => path.posix.dirname(f));
  expect(folders.sort()).toEqual(
    [
      'clusters/homelab-prod-apps',
      'clusters/homelab-prod-infra',
      ...['data', 'foundation', 'operators'].map((l) => `homelab/prod/apps/${l}`),
      ...['backup', 'data', 'foundation', 'monitoring', 'operators'].map((l) => `homelab/prod/infra/${l}`),
    ].sort(),
  );
  const failures = folders.flatMap((folder) => {
    try {
      execFileSync('kubectl', ['kustomize', path.join(out, folder)], { stdio: ['ignore', 'pipe', 'pipe'] });
      return [];
    } catch (err) {
      return [`${folder}: ${(err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message}`];
    }
  });
  expect(failures).toEqual([]);
});
