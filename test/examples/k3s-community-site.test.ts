/**
 * The example of one k3s cluster shared by every environment of the community site (region
 * dirtbike, environments prod, stage, dev and test, shared namespace infra) renders, every
 * object validated strictly (synth does): one entry folder for the cluster, what belongs to the
 * whole cluster once under dirtbike/k3s/ labelled with the cluster and not an environment,
 * each environment's namespace with its quota, the databases in infra, backups to Backblaze B2,
 * Sealed Secrets only, and every folder builds with kubectl kustomize.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { DEFAULT_LIMIT_RANGE } from '../../constructs/core/namespace-policy';
import { PROJECT_ROOT } from '../../environments/project-root';
import { listTree } from '../../gitops/tree';
import { synth } from '../../main';
import { removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'k3s-community-site');
const ENVS = ['dev', 'prod', 'stage', 'test'] as const;
const ENTRY = 'clusters/dirtbike-k3s';
const B2 = 'https://s3.us-west-004.backblazeb2.com';

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

const under = (folder: string) => objects.filter((o) => o.file.startsWith(`${folder}/`));
const ofKind = (kind: string) => objects.filter((o) => o.manifest.kind === kind);
const show = (o: { file: string; manifest: any }) =>
  `${o.file}: ${o.manifest.kind} ${o.manifest.metadata.namespace ?? ''}/${o.manifest.metadata.name}`;
const entries = () =>
  under(ENTRY).filter((o) => o.manifest.kind === 'Kustomization' && o.manifest.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/'));
const entry = (name: string) => {
  const found = entries().filter((o) => o.manifest.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0].manifest;
};

test('one entry folder for the shared cluster, and its Flux Kustomizations: the cluster part and each environment part', () => {
  expect(fs.readdirSync(path.join(out, 'clusters'))).toEqual(['dirtbike-k3s']);
  // Nothing for the region outside the cluster's folder and the environments' folders.
  expect(fs.readdirSync(path.join(out, 'dirtbike')).sort()).toEqual(['dev', 'k3s', 'prod', 'stage', 'test']);
  expect(
    entries()
      .map((o) => o.manifest.metadata.name)
      .sort(),
  ).toEqual(
    [
      'strata-backup',
      'strata-data',
      'strata-foundation',
      'strata-operators',
      'strata-ingress',
      // The cluster's own alerts (nodes, workloads, volumes, certificates), once for the cluster.
      'strata-monitoring',
      ...ENVS.map((env) => `strata-${env}-foundation`),
      ...['data', 'init', 'apps', 'ingress'].flatMap((layer) => [`strata-prod-${layer}`, `strata-stage-${layer}`]),
    ].sort(),
  );
  // The entry folder lists every one of them.
  const resources = (yaml.load(fs.readFileSync(path.join(out, ENTRY, 'kustomization.yaml'), 'utf8')) as any).resources;
  expect(resources).toEqual(entries().map((o) => path.posix.basename(o.file)));

  // The cluster's part applies <region>/<key>/<layer>, an environment's part its own folder; each
  // layer folder of the tree is applied by exactly one Kustomization.
  const applied = entries().map((o) => {
    const m = /^strata-(?:(dev|prod|stage|test)-)?([a-z]+)$/.exec(o.manifest.metadata.name)!;
    expect(m).not.toBeNull();
    expect(o.manifest.spec.path).toBe(`./dist/dirtbike/${m[1] ?? 'k3s'}/${m[2]}`);
    return o.manifest.spec.path.slice('./dist/'.length);
  });
  const layerFolders = listTree(out)
    .filter((f) => path.posix.basename(f) === 'kustomization.yaml' && !f.startsWith('clusters/'))
    .map((f) => path.posix.dirname(f));
  expect(applied.sort()).toEqual(layerFolders.sort());

  // Labels: the cluster's Kustomizations carry the cluster, not an environment; an environment's carry both.
  for (const { manifest } of entries()) {
    const labels = manifest.metadata.labels;
    expect(labels['strata.io/cluster']).toBe('k3s');
    const env = /^strata-(dev|prod|stage|test)-/.exec(manifest.metadata.name)?.[1];
    expect(labels['strata.io/environment']).toBe(env);
  }
});

test("an environment's layer waits for the cluster's part of the same layer and for its dependencies in both parts", () => {
  expect(entry('strata-stage-data').spec.dependsOn).toEqual([
    { name: 'strata-data' },
    { name: 'strata-foundation' },
    { name: 'strata-stage-foundation' },
    { name: 'strata-operators' },
  ]);
  expect(entry('strata-prod-data').spec.dependsOn).toEqual([
    { name: 'strata-data' },
    { name: 'strata-foundation' },
    { name: 'strata-prod-foundation' },
    { name: 'strata-operators' },
  ]);
  // The cluster's parts wait for the cluster's parts only.
  expect(entry('strata-operators').spec.dependsOn).toEqual([{ name: 'strata-foundation' }]);
  expect(entry('strata-data').spec.dependsOn).toEqual([{ name: 'strata-foundation' }, { name: 'strata-operators' }]);
  expect(entry('strata-backup').spec.dependsOn).toEqual([{ name: 'strata-foundation' }, { name: 'strata-operators' }]);
  expect(entry('strata-foundation').spec.dependsOn ?? []).toEqual([]);
  // An environment that renders a part of the cluster's foundation waits for it.
  for (const env of ['prod', 'stage']) expect(entry(`strata-${env}-foundation`).spec.dependsOn).toEqual([{ name: 'strata-foundation' }]);
});

test("each environment's foundation: its namespace and the quota its overlay file gives it", () => {
  const sizes = { prod: ['16', '32Gi'], stage: ['8', '16Gi'], dev: ['4', '8Gi'], test: ['4', '8Gi'] } as const;
  for (const env of ENVS) {
    const own = under(`dirtbike/${env}/foundation`).map((o) => o.manifest);
    expect(own.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name)).toEqual([env]);
    const quotas = own.filter((m) => m.kind === 'ResourceQuota');
    expect(quotas.map((q) => `${q.metadata.namespace}/${q.metadata.name}`)).toEqual([`${env}/compute-and-storage`]);
    const [cpu, memory] = sizes[env];
    expect(quotas[0].spec.hard).toMatchObject({
      'requests.cpu': cpu,
      'limits.cpu': cpu,
      'requests.memory': memory,
      'limits.memory': memory,
    });
    // Everything in an environment's folders is labelled with it.
    for (const o of under(`dirtbike/${env}`)) {
      expect([o.file, o.manifest.metadata.labels['strata.io/environment']]).toEqual([o.file, env]);
      expect([o.file, o.manifest.metadata.labels['strata.io/cluster']]).toEqual([o.file, undefined]);
    }
  }
  // The only quotas are the environments'.
  expect(ofKind('ResourceQuota').map((o) => o.manifest.metadata.namespace)).toEqual([...ENVS]);
});

test('the shared folder holds the namespace infra (no quota, the default limit range) and the operators’ namespaces', () => {
  const foundation = under('dirtbike/k3s/foundation').map((o) => o.manifest);
  expect(
    foundation
      .filter((m) => m.kind === 'Namespace')
      .map((m) => m.metadata.name)
      .sort(),
  ).toEqual(['cert-manager', 'cnpg-system', 'infra', 'monitoring', 'traefik', 'velero']);
  const infra = foundation.find((m) => m.kind === 'Namespace' && m.metadata.name === 'infra');
  expect(infra.metadata.labels.team).toBe('platform');
  expect(infra.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  expect(foundation.filter((m) => m.kind === 'ResourceQuota')).toEqual([]);
  expect(objects.filter((o) => o.manifest.kind === 'ResourceQuota' && o.manifest.metadata.namespace === 'infra')).toEqual([]);

  // The shared namespace and the operators' namespaces get the platform's default limit range.
  const limits = foundation.filter((m) => m.kind === 'LimitRange');
  expect(limits.map((m) => m.metadata.namespace).sort()).toEqual(['cert-manager', 'cnpg-system', 'infra', 'monitoring', 'traefik', 'velero']);
  for (const l of limits) {
    expect(l.spec.limits).toEqual([
      { type: 'Container', default: DEFAULT_LIMIT_RANGE.default, defaultRequest: DEFAULT_LIMIT_RANGE.defaultRequest, max: DEFAULT_LIMIT_RANGE.max },
    ]);
  }
  // An environment's namespace keeps its own (bounded by its quota).
  const dev = under('dirtbike/dev/foundation').find((o) => o.manifest.kind === 'LimitRange')!.manifest;
  expect(dev.spec.limits[0].max).not.toEqual(DEFAULT_LIMIT_RANGE.max);
});

test('what belongs to the whole cluster is rendered once, under dirtbike/k3s, labelled with the cluster and no environment', () => {
  const releases = ofKind('HelmRelease');
  expect(releases.map(show).sort()).toEqual(
    [
      // Grafana serves the whole cluster, released beside its admin Secret in the monitoring layer.
      'dirtbike/k3s/monitoring/monitoring_helmrelease_grafana.yaml: HelmRelease monitoring/grafana',
      'dirtbike/k3s/operators/cert-manager_helmrelease_cert-manager.yaml: HelmRelease cert-manager/cert-manager',
      'dirtbike/k3s/operators/cnpg-system_helmrelease_cloudnative-pg.yaml: HelmRelease cnpg-system/cloudnative-pg',
      'dirtbike/k3s/operators/cnpg-system_helmrelease_plugin-barman-cloud.yaml: HelmRelease cnpg-system/plugin-barman-cloud',
      'dirtbike/k3s/operators/kube-system_helmrelease_sealed-secrets.yaml: HelmRelease kube-system/sealed-secrets',
      'dirtbike/k3s/operators/monitoring_helmrelease_kube-prometheus-stack.yaml: HelmRelease monitoring/kube-prometheus-stack',
      'dirtbike/k3s/operators/traefik_helmrelease_traefik.yaml: HelmRelease traefik/traefik',
      'dirtbike/k3s/operators/velero_helmrelease_velero.yaml: HelmRelease velero/velero',
    ].sort(),
  );
  // No operators layer in an environment's folders.
  for (const env of ENVS) expect(fs.existsSync(path.join(out, 'dirtbike', env, 'operators'))).toBe(false);
  // Cluster-scoped objects are the cluster's.
  expect(ofKind('ClusterIssuer').map((o) => o.file)).toEqual([
    'dirtbike/k3s/data/clusterissuer_strata-ca.yaml',
    'dirtbike/k3s/data/clusterissuer_strata-selfsigned.yaml',
    'dirtbike/k3s/ingress/clusterissuer_letsencrypt-production.yaml',
  ]);
  const shared = under('dirtbike/k3s');
  expect(shared.length).toBeGreaterThan(50);
  const badLabels = shared.filter(
    (o) => o.manifest.metadata.labels?.['strata.io/environment'] !== undefined || o.manifest.metadata.labels?.['strata.io/cluster'] !== 'k3s',
  );
  expect(badLabels.map(show)).toEqual([]);
  // Nor does any file under it (kustomization.yaml included) carry the label anywhere.
  expect(
    listTree(out).filter((f) => f.startsWith('dirtbike/k3s/') && fs.readFileSync(path.join(out, f), 'utf8').includes('strata.io/environment')),
  ).toEqual([]);
});

test("one Prometheus for the cluster, sized in the region file: no environment label, and k3s's control plane neither scraped nor alerted on", () => {
  const release = under('dirtbike/k3s/operators').find(
    (o) => o.manifest.kind === 'HelmRelease' && o.manifest.metadata.name === 'kube-prometheus-stack',
  )!;
  const values = release.manifest.spec.values;
  expect(values.prometheus.prometheusSpec).toMatchObject({
    replicas: 2,
    retention: '15d',
    externalLabels: { region: 'dirtbike', cluster: 'dirtbike-k3s' },
  });
  expect(values.prometheus.prometheusSpec.externalLabels.environment).toBeUndefined();
  expect(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe('longhorn-fast');
  expect(values.kubeEtcd).toEqual({ enabled: false });
  expect(values.defaultRules.rules.kubeSchedulerAlerting).toBe(false);
});

test("the CloudNativePG clusters run in infra, each in its environment's folder, on the database nodes, with the CJK image", () => {
  const clusters = objects.filter((o) => o.manifest.kind === 'Cluster' && o.manifest.apiVersion === 'postgresql.cnpg.io/v1');
  expect(clusters.map(show)).toEqual([
    'dirtbike/prod/data/infra_cluster_postgres.yaml: Cluster infra/postgres',
    'dirtbike/stage/data/infra_cluster_postgres-stage.yaml: Cluster infra/postgres-stage',
  ]);
  const [prod, stage] = clusters.map((c) => c.manifest);
  expect(prod.spec.instances).toBe(3);
  expect(stage.spec.instances).toBe(1);
  for (const c of [prod, stage]) {
    expect(c.spec.imageName).toBe('dirtbikechina/postgres:15-cjk');
    expect(c.spec.affinity.nodeSelector).toEqual({ 'node.role': 'database' });
    expect(c.spec.storage.storageClass).toBe('longhorn-retain');
  }
  // Staging has no synchronous replica (one instance, synchronous: false).
  expect(prod.spec.postgresql.synchronous).toBeDefined();
  expect(stage.spec.postgresql.synchronous).toBeUndefined();

  const discourse = ofKind('Database').filter((o) => o.manifest.spec.name === 'discourse');
  expect(discourse.map(show)).toEqual([
    'dirtbike/prod/data/infra_database_postgres-discourse.yaml: Database infra/postgres-discourse',
    'dirtbike/stage/data/infra_database_postgres-stage-discourse.yaml: Database infra/postgres-stage-discourse',
  ]);
  for (const d of discourse) {
    expect(d.manifest.spec.extensions.map((e: any) => [e.name, e.ensure]).sort()).toEqual([
      ['pg_trgm', 'present'],
      ['vector', 'present'],
    ]);
  }
  expect(
    ofKind('Database')
      .filter((o) => o.manifest.spec.name === 'logto')
      .map((o) => o.manifest.spec.extensions ?? []),
  ).toEqual([[], []]);
});

test('backups go to Backblaze B2: the WAL archives of each cluster and Velero’s location', () => {
  const stores = ofKind('ObjectStore');
  expect(stores.map(show)).toEqual([
    'dirtbike/prod/data/infra_objectstore_postgres-backup.yaml: ObjectStore infra/postgres-backup',
    'dirtbike/stage/data/infra_objectstore_postgres-stage-backup.yaml: ObjectStore infra/postgres-stage-backup',
  ]);
  for (const s of stores) expect(s.manifest.spec.configuration.endpointURL).toBe(B2);
  // Each cluster archives under a server name of its own.
  const serverNames = objects
    .filter((o) => o.manifest.kind === 'Cluster' && o.manifest.apiVersion === 'postgresql.cnpg.io/v1')
    .map((o) => o.manifest.spec.plugins[0].parameters.serverName);
  expect(serverNames).toEqual(['postgres-dirtbike', 'postgres-stage-dirtbike']);
  const locations = ofKind('BackupStorageLocation');
  expect(locations.map(show)).toEqual(['dirtbike/k3s/backup/velero_backupstoragelocation_default.yaml: BackupStorageLocation velero/default']);
  expect(locations[0].manifest.spec.config).toMatchObject({ s3Url: B2, region: 'us-west-004' });
  // No MinIO in the cluster.
  expect(ofKind('Tenant')).toEqual([]);
});

test("Velero's one schedule, the cluster's, backs up every environment's namespace and infra", () => {
  const schedules = ofKind('Schedule');
  expect(schedules.map(show)).toEqual(['dirtbike/k3s/backup/velero_schedule_daily.yaml: Schedule velero/daily']);
  expect([...schedules[0].manifest.spec.template.includedNamespaces].sort()).toEqual(['dev', 'infra', 'prod', 'stage', 'test']);
  // The backup layer is the cluster's alone.
  for (const env of ENVS) expect(fs.existsSync(path.join(out, 'dirtbike', env, 'backup'))).toBe(false);
});

test('no Secret in plain text: the credentials are the committed SealedSecrets', () => {
  expect(ofKind('Secret')).toEqual([]);
  for (const kind of ['ExternalSecret', 'SecretStore', 'ClusterSecretStore']) expect(ofKind(kind)).toEqual([]);
  const sealed = ofKind('SealedSecret');
  expect(sealed.map(show)).toEqual([
    'dirtbike/k3s/backup/velero_sealedsecret_velero-s3-credentials.yaml: SealedSecret velero/velero-s3-credentials',
    // Sealed once for the cluster, the same file in every environment's folder.
    'dirtbike/k3s/monitoring/monitoring_sealedsecret_grafana-admin.yaml: SealedSecret monitoring/grafana-admin',
    'dirtbike/prod/apps/prod_sealedsecret_mysql-secret-files.yaml: SealedSecret prod/mysql-secret-files',
    'dirtbike/prod/apps/prod_sealedsecret_wordpress-secret-files.yaml: SealedSecret prod/wordpress-secret-files',
    'dirtbike/prod/data/infra_sealedsecret_postgres-discourse-credentials.yaml: SealedSecret infra/postgres-discourse-credentials',
    'dirtbike/prod/data/infra_sealedsecret_postgres-logto-credentials.yaml: SealedSecret infra/postgres-logto-credentials',
    'dirtbike/prod/data/infra_sealedsecret_postgres-s3-credentials.yaml: SealedSecret infra/postgres-s3-credentials',
    'dirtbike/prod/init/prod_sealedsecret_postgres-discourse-credentials.yaml: SealedSecret prod/postgres-discourse-credentials',
    'dirtbike/prod/init/prod_sealedsecret_postgres-logto-credentials.yaml: SealedSecret prod/postgres-logto-credentials',
    'dirtbike/stage/apps/stage_sealedsecret_mysql-secret-files.yaml: SealedSecret stage/mysql-secret-files',
    'dirtbike/stage/apps/stage_sealedsecret_wordpress-secret-files.yaml: SealedSecret stage/wordpress-secret-files',
    'dirtbike/stage/data/infra_sealedsecret_postgres-stage-discourse-credentials.yaml: SealedSecret infra/postgres-stage-discourse-credentials',
    'dirtbike/stage/data/infra_sealedsecret_postgres-stage-logto-credentials.yaml: SealedSecret infra/postgres-stage-logto-credentials',
    'dirtbike/stage/data/infra_sealedsecret_postgres-stage-s3-credentials.yaml: SealedSecret infra/postgres-stage-s3-credentials',
    'dirtbike/stage/init/stage_sealedsecret_postgres-stage-discourse-credentials.yaml: SealedSecret stage/postgres-stage-discourse-credentials',
    'dirtbike/stage/init/stage_sealedsecret_postgres-stage-logto-credentials.yaml: SealedSecret stage/postgres-stage-logto-credentials',
  ]);
  // The ciphertext is the committed one.
  for (const { file, manifest } of sealed) {
    const env = file.startsWith('dirtbike/stage/') ? 'stage' : 'prod';
    const source = path.join(EXAMPLE, 'sealed-secrets', 'dirtbike', env, `${manifest.metadata.namespace}_${manifest.metadata.name}.yaml`);
    expect(manifest.spec.encryptedData).toEqual((yaml.load(fs.readFileSync(source, 'utf8')) as any).spec.encryptedData);
  }
});

describe('the applications, in prod and stage', () => {
  const one = (file: string) => {
    const found = objects.filter((o) => o.file === file);
    expect(found).toHaveLength(1);
    return found[0].manifest;
  };
  const env = (workload: any) =>
    Object.fromEntries(workload.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));

  test("WordPress and Discourse release blue-green in prod: a Deployment per colour, the stable Service on the active one; stage's run one", () => {
    for (const app of ['wordpress', 'discourse']) {
      const blue = one(`dirtbike/prod/apps/prod_deployment_${app}-blue.yaml`);
      const green = one(`dirtbike/prod/apps/prod_deployment_${app}-green.yaml`);
      expect([blue.spec.replicas, green.spec.replicas]).toEqual([2, 1]);
      expect(one(`dirtbike/prod/apps/prod_service_${app}.yaml`).spec.selector).toMatchObject({ version: 'blue' });
      expect(one(`dirtbike/stage/apps/stage_deployment_${app}.yaml`).spec.replicas).toBe(1);
    }
    // The colours share the site's files on one ReadWriteMany claim, kept when pruned.
    const files = one('dirtbike/prod/apps/prod_persistentvolumeclaim_wordpress-files.yaml');
    expect(files.spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'longhorn-retain' });
    expect(files.metadata.annotations['kustomize.toolkit.fluxcd.io/prune']).toBe('disabled');
  });

  test('MySQL is a StatefulSet WordPress reaches through uses; Discourse gets the CJK database and its Redis', () => {
    const mysql = one('dirtbike/prod/apps/prod_statefulset_mysql.yaml');
    expect(mysql.spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: 'longhorn-retain',
      resources: { requests: { storage: '30Gi' } },
    });
    expect(mysql.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(env(one('dirtbike/prod/apps/prod_deployment_wordpress-blue.yaml'))).toMatchObject({
      MYSQL_HOST: 'mysql.prod.svc.cluster.local',
      MYSQL_PORT: '3306',
      WORDPRESS_DB_HOST: '$(MYSQL_HOST):$(MYSQL_PORT)',
    });
    expect(one('dirtbike/prod/apps/prod_networkpolicy_allow-wordpress-to-mysql-ingress.yaml').spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 3306 },
    ]);
    expect(env(one('dirtbike/stage/apps/stage_deployment_discourse.yaml'))).toMatchObject({
      PGHOST: 'postgres-stage-pooler-discourse.infra.svc.cluster.local',
      PGDATABASE: 'discourse',
      PGPASSWORD: { name: 'postgres-stage-discourse-credentials', key: 'password' },
      DISCOURSE_REDIS_HOST: 'discourse-redis.stage.svc.cluster.local',
      DISCOURSE_REDIS_PORT: '6379',
    });
  });

  test('discourse-init and logto-init run in the init layer, which the apps layer waits for, once per change of what they run', () => {
    for (const envName of ['prod', 'stage']) {
      const jobs = objects.filter((o) => o.file.startsWith(`dirtbike/${envName}/init/`) && o.manifest.kind === 'Job');
      expect(jobs.map((o) => o.manifest.metadata.name)).toEqual([
        expect.stringMatching(/^discourse-init-[0-9a-f]{8}$/),
        expect.stringMatching(/^logto-init-[0-9a-f]{8}$/),
      ]);
      expect(jobs[0].manifest.spec.template.spec.containers[0].image).toBe('docker.io/dirtbikechina/postgres:15-cjk');
      const apps = entry(`strata-${envName}-apps`);
      expect(apps.spec.dependsOn.map((d: any) => d.name)).toContain(`strata-${envName}-init`);
      expect(entry(`strata-${envName}-init`).spec.wait).toBe(true);
    }
  });
});

const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
(kubectl ? test : test.skip)('kubectl kustomize builds every folder', () => {
  const folders = listTree(out)
    .filter((f) => path.posix.basename(f) === 'kustomization.yaml')
    .map((f) => path.posix.dirname(f));
  expect(folders.sort()).toEqual(
    [
      ENTRY,
      ...['backup', 'data', 'foundation', 'ingress', 'monitoring', 'operators'].map((l) => `dirtbike/k3s/${l}`),
      ...ENVS.map((env) => `dirtbike/${env}/foundation`),
      ...['data', 'init', 'apps', 'ingress'].flatMap((layer) => [`dirtbike/prod/${layer}`, `dirtbike/stage/${layer}`]),
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
