/**
 * The example of K3s applications on external PostgreSQL, Redis and S3 renders, every object
 * validated strictly (synth does), no database or object store in the cluster (the applications'
 * own volumes aside), the applications wired to them, and every folder builds
 * with kubectl kustomize.
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

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'k3s-external-services');
let out: string;
let objects: { file: string; manifest: any }[];

beforeAll(() => {
  out = path.join(tempDir('strata-example-'), 'dist');
  synth({ envDir: EXAMPLE, outDir: out });
  objects = listTree(out)
    .filter((f) => f.endsWith('.yaml') && path.posix.basename(f) !== 'kustomization.yaml' && !f.includes('/prometheus/'))
    .flatMap((file) =>
      (yaml.loadAll(fs.readFileSync(path.join(out, file), 'utf8')) as any[]).filter(Boolean).map((manifest) => ({ file, manifest })),
    );
});

const kinds = (overlay: string) => objects.filter((o) => o.file.startsWith(`${overlay}/`)).map((o) => o.manifest.kind);

test("each environment is one cluster with its entry point; no operator's database or object store runs in it, only Mautic's MariaDB", () => {
  expect(fs.readdirSync(path.join(out, 'clusters')).sort()).toEqual(['hetzner-prod', 'hetzner-staging']);
  for (const overlay of ['hetzner/prod', 'hetzner/staging']) {
    for (const kind of ['Tenant', 'Cluster', 'postgresql']) expect(kinds(overlay)).not.toContain(kind);
    const sets = objects.filter((o) => o.file.startsWith(`${overlay}/`) && o.manifest.kind === 'StatefulSet').map((o) => o.manifest);
    expect(sets.map((m) => m.metadata.name)).toEqual(['mautic-db']);
    // The only volumes are the applications' own, each copied by Velero (opted in per pod).
    expect(
      objects
        .filter((o) => o.file.startsWith(`${overlay}/`) && o.manifest.kind === 'PersistentVolumeClaim')
        .map((o) => o.manifest.metadata.name)
        .sort(),
    ).toEqual(['mautic-config', 'mautic-media', 'nextcloud-html', 'odoo-filestore']);
    expect(sets[0].spec.template.metadata.annotations['backup.velero.io/backup-volumes']).toBe('data');
    const mautic = objects.find((o) => o.file === `${overlay}/apps/mautic_deployment_mautic.yaml`)!.manifest.spec.template;
    expect(mautic.metadata.annotations['backup.velero.io/backup-volumes']).toBe('data-config,data-media');
    const env = Object.fromEntries(mautic.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
    expect(env).toMatchObject({
      MAUTIC_DB_HOST: 'mautic-db.mautic-db.svc.cluster.local',
      MAUTIC_DB_PORT: '3306',
      MAUTIC_DB_PASSWORD: { name: 'mautic-secret-env', key: 'MAUTIC_DB_PASSWORD' },
    });
    expect(kinds(overlay)).toEqual(expect.arrayContaining(['ClusterSecretStore', 'BackupStorageLocation', 'EndpointSlice', 'ExternalSecret']));
  }
});

test('PostgreSQL and Redis are the VMs behind selector-less Services; backups go to the provider', () => {
  const slices = objects.filter((o) => o.file.startsWith('hetzner/staging/') && o.manifest.kind === 'EndpointSlice');
  expect(slices.map((s) => s.manifest.metadata.name).sort()).toEqual(['patroni-exporter-vms', 'patroni-vms', 'redis-sentinel-vms', 'redis-vms']);
  for (const s of slices) expect(s.manifest.endpoints.map((e: any) => e.addresses[0])).toEqual(['10.41.0.11', '10.41.0.12']);
  const pgbouncer = objects.find(
    (o) => o.file.startsWith('hetzner/prod/') && o.manifest.kind === 'Service' && o.manifest.metadata.name === 'patroni',
  );
  expect(pgbouncer!.manifest.spec.ports[0].port).toBe(6432);
  const location = objects.find((o) => o.file.startsWith('hetzner/prod/') && o.manifest.kind === 'BackupStorageLocation');
  expect(location!.manifest.spec.config).toMatchObject({ s3Url: 'https://fsn1.your-objectstorage.example', region: 'fsn1' });
  const store = objects.find((o) => o.manifest.kind === 'ClusterSecretStore');
  expect(store!.manifest.spec.provider.vault.auth.kubernetes.role).toBe('strata');
  // The one Secret is the discovery token of the outside Prometheus, which the API server fills in.
  expect(objects.filter((o) => o.manifest.kind === 'Secret').map((o) => [o.file, o.manifest.type, o.manifest.data, o.manifest.stringData])).toEqual(
    ['prod', 'staging'].map((env) => [
      `hetzner/${env}/monitoring/monitoring_secret_external-prometheus-token.yaml`,
      'kubernetes.io/service-account-token',
      undefined,
      undefined,
    ]),
  );
});

test('Keycloak, Odoo and Nextcloud use the external Patroni through PgBouncer, Nextcloud Redis with Sentinel, each behind Traefik', () => {
  const deployment = (name: string) => objects.find((o) => o.file === `hetzner/prod/apps/${name}_deployment_${name}.yaml`)!.manifest;
  const env = (name: string) =>
    Object.fromEntries(deployment(name).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
  expect(env('keycloak')).toMatchObject({
    PGHOST: 'patroni.postgres.svc.cluster.local',
    PGPORT: '6432',
    PGDATABASE: 'keycloak',
    KC_DB_URL: 'jdbc:postgresql://$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=require',
    KC_DB_PASSWORD: '$(PGPASSWORD)',
    PGPASSWORD: { name: 'patroni-keycloak-credentials', key: 'password' },
  });
  expect(env('nextcloud')).toMatchObject({
    REDIS_HOST: 'redis.redis.svc.cluster.local',
    REDIS_SENTINEL_PORT: '26379',
    REDIS_PASSWORD: { name: 'redis-redis-password', key: 'password' },
    REDIS_HOST_PASSWORD: '$(REDIS_PASSWORD)',
  });
  // Nextcloud runs as root, saying why, in a baseline namespace; the others are restricted.
  expect(deployment('nextcloud').metadata.annotations['strata.io/relaxed-run-as-root']).toMatch(/starts as root/);
  const level = (ns: string) =>
    objects.find((o) => o.file === `hetzner/prod/foundation/namespace_${ns}.yaml`)!.manifest.metadata.labels['pod-security.kubernetes.io/enforce'];
  expect([level('nextcloud'), level('keycloak'), level('odoo')]).toEqual(['baseline', 'restricted', 'restricted']);
  expect(deployment('odoo').spec.template.spec.securityContext.fsGroup).toBe(101);
  const route = (name: string, overlay: string) =>
    objects.find((o) => o.file === `hetzner/${overlay}/ingress/${name}_ingressroute_${name}.yaml`)!.manifest.spec.routes[0];
  expect(route('keycloak', 'prod').match).toBe('Host(`keycloak.apps.example.org`)');
  expect(route('keycloak', 'staging').match).toBe('Host(`keycloak.staging.apps.example.org`)');
  expect(route('odoo', 'prod').middlewares).toEqual([{ name: 'secure-headers' }]);
  // The PgBouncer VMs admit each application's pods only through its own egress policy.
  expect(
    objects.some(
      (o) =>
        o.file === 'hetzner/prod/data/keycloak_networkpolicy_allow-keycloak-to-patroni.yaml' ||
        /keycloak_networkpolicy_allow-keycloak-to-patroni/.test(o.file),
    ),
  ).toBe(true);
});

test('Prometheus runs on a VM: no Prometheus operator or monitor in the cluster, its scrape jobs and rules rendered beside the layers', () => {
  for (const kind of ['PodMonitor', 'ServiceMonitor', 'PrometheusRule']) expect(objects.filter((o) => o.manifest.kind === kind)).toEqual([]);
  // That Prometheus comes with its own Grafana: no dashboard ConfigMaps for a sidecar.
  expect(objects.filter((o) => o.manifest.metadata?.labels?.grafana_dashboard)).toEqual([]);
  expect(objects.filter((o) => o.manifest.kind === 'HelmRelease').map((o) => o.manifest.metadata.name)).not.toContain('kube-prometheus-stack');
  const velero = objects.find(
    (o) => o.file.startsWith('hetzner/staging/') && o.manifest.kind === 'HelmRelease' && o.manifest.metadata.name === 'velero',
  )!;
  expect(velero.manifest.spec.values.metrics.serviceMonitor.enabled).toBe(false);
  expect(velero.manifest.spec.dependsOn).toEqual([]);

  // Only the monitoring VM of each environment reaches the metrics port.
  const admit = objects.find((o) => o.file === 'hetzner/staging/backup/velero_networkpolicy_allow-external-prometheus-to-velero.yaml')!;
  expect(admit.manifest.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '10.41.0.20/32' } }], ports: [{ port: 8085, protocol: 'TCP' }] }]);

  const doc = (env: string, file: string) => yaml.load(fs.readFileSync(path.join(out, `hetzner/${env}/prometheus/${file}`), 'utf8')) as any;
  const jobs = doc('staging', 'scrape-configs.yaml').scrape_configs;
  expect(jobs.map((j: any) => j.job_name)).toEqual([
    'hetzner-staging/traefik/traefik',
    'hetzner-staging/velero/velero',
    'hetzner-staging/postgres/patroni-exporter',
  ]);
  expect(jobs[1].kubernetes_sd_configs).toEqual([
    {
      role: 'pod',
      api_server: 'https://10.41.0.5:6443',
      namespaces: { names: ['velero'] },
      authorization: { credentials_file: '/etc/prometheus/kubernetes/hetzner-staging/token' },
      tls_config: { ca_file: '/etc/prometheus/kubernetes/hetzner-staging/ca.crt' },
    },
  ]);
  expect(jobs[2].static_configs).toEqual([
    { targets: ['10.41.0.11:9187', '10.41.0.12:9187'], labels: { cluster: 'hetzner-staging', job: 'patroni-exporter', namespace: 'postgres' } },
  ]);
  const rules = doc('prod', 'rules.yaml').groups;
  expect(rules.map((g: any) => g.name)).toEqual(['postgres/patroni', 'velero/velero-backups']);
  expect(rules[0].rules.every((r: any) => r.labels.postgres_cluster === 'patroni' && /job="patroni-exporter"/.test(r.expr))).toBe(true);
  // Each rule names its runbook page, for the VM's Alertmanager too.
  for (const r of rules[0].rules) expect(r.annotations.runbook_url).toBe(`constructs/data/runbooks/${r.alert}.md`);
});

const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
(promtool ? test : test.skip)(
  "promtool reads the rule files, and the scrape jobs as a Prometheus configuration (Kubernetes discovery aside: Debian's build has none)",
  () => {
    for (const env of ['prod', 'staging']) {
      const dir = path.join(out, `hetzner/${env}/prometheus`);
      // Lint off: VeleroBackupMissing is two rules on purpose (a stale timestamp, or none at all).
      expect(execFileSync('promtool', ['check', 'rules', '--lint=none', path.join(dir, 'rules.yaml')], { encoding: 'utf8' })).toMatch(
        /SUCCESS: 8 rules found/,
      );
      const config = yaml.load(fs.readFileSync(path.join(dir, 'scrape-configs.yaml'), 'utf8')) as any;
      const withoutDiscovery = config.scrape_configs.map(({ kubernetes_sd_configs: _sd, ...job }: any) => job);
      const file = path.join(tempDir('strata-prometheus-'), 'prometheus.yml');
      fs.writeFileSync(file, yaml.dump({ global: { scrape_interval: '30s' }, scrape_configs: withoutDiscovery }));
      expect(execFileSync('promtool', ['check', 'config', '--syntax-only', file], { encoding: 'utf8' })).toMatch(/SUCCESS/);
    }
  },
);

const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
(kubectl ? test : test.skip)('kubectl kustomize builds every folder', () => {
  const folders = listTree(out)
    .filter((f) => path.posix.basename(f) === 'kustomization.yaml')
    .map((f) => path.posix.dirname(f));
  expect(folders.length).toBeGreaterThan(4);
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
