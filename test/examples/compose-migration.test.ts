/**
 * The example of one VPS's Docker Compose services moved to one Kubernetes cluster under
 * Argo CD renders, every object validated strictly (synth does): a namespace per service
 * domain, the applications behind Traefik with Keycloak's forward-auth in front of the UIs,
 * OpenBao as the secret store, PostgreSQL for the applications, Loki keeping the logs in the
 * in-cluster MinIO, network paths only between what talks, and every folder builds with
 * kubectl kustomize.
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

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'compose-migration');
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

const all = () => objects.map((o) => o.manifest);
const one = (kind: string, name: string, namespace?: string) => {
  const found = all().filter((m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? '*'}/${name}, found ${found.length}`);
  return found[0];
};

test('one cluster, reconciled by Argo CD: its entry folder holds the project and one Application per layer', () => {
  expect(fs.readdirSync(path.join(out, 'clusters'))).toEqual(['ams-prod']);
  const entry = objects.filter((o) => o.file.startsWith('clusters/ams-prod/')).map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}`);
  expect(entry).toEqual(
    expect.arrayContaining(['AppProject/ams-prod', 'Application/ams-prod-root', 'Application/ams-prod-apps', 'Application/ams-prod-monitoring']),
  );
  expect(all().some((m) => m.apiVersion?.startsWith('kustomize.toolkit.fluxcd.io/'))).toBe(false);
});

test('a namespace per service domain, beside the platform ones (monitoring, logging, traefik for the ingress)', () => {
  const namespaces = all()
    .filter((m) => m.kind === 'Namespace')
    .map((m) => m.metadata.name);
  expect(namespaces).toEqual(expect.arrayContaining(['rentguy', 'psra', 'wpcs', 'ai', 'infra', 'monitoring', 'logging', 'traefik']));
  expect(one('Namespace', 'rentguy').metadata.labels['example.org/domain']).toBe('rentguy');
  const apps = Object.fromEntries(
    all()
      .filter((m) => m.kind === 'Deployment' && m.metadata.labels?.['strata.io/layer'] === 'apps')
      .map((m) => [m.metadata.name, m.metadata.namespace]),
  );
  expect(apps).toEqual({
    keycloak: 'infra',
    'oauth2-proxy': 'infra',
    'rentguy-frontend': 'rentguy',
    'rentguy-api': 'rentguy',
    'psra-api': 'psra',
    n8n: 'ai',
  });
  for (const d of all().filter((m) => m.kind === 'Deployment' && m.metadata.labels?.['strata.io/layer'] === 'apps')) {
    expect(d.spec.template.spec.containers[0].image).toMatch(/^registry\.example\.org\/[a-z0-9/-]+:[0-9v][0-9A-Za-z.-]*$/);
  }
});

test("every UI signs in through Keycloak: the sso middleware asks oauth2-proxy, in front of Grafana, RentGuy's frontend, PSRA and N8N", () => {
  const sso = one('Middleware', 'sso', 'ai');
  expect(sso.spec.forwardAuth.address).toBe('http://oauth2-proxy.infra.svc.cluster.local:4180/oauth2/auth');
  const middlewares = (name: string, namespace: string) => one('IngressRoute', name, namespace).spec.routes[0].middlewares.map((m: any) => m.name);
  expect(middlewares('grafana', 'monitoring')).toEqual(['secure-headers', 'sso']);
  expect(middlewares('rentguy-frontend', 'rentguy')).toEqual(['secure-headers', 'sso']);
  expect(middlewares('psra-api', 'psra')).toEqual(['secure-headers', 'sso', 'api-limit']);
  expect(middlewares('n8n', 'ai')).toEqual(['secure-headers', 'sso']);
  // Keycloak and oauth2-proxy themselves are reachable without it (the sign-in pages), over TLS.
  expect(middlewares('keycloak', 'infra')).toEqual(['secure-headers']);
  expect(one('IngressRoute', 'oauth2-proxy', 'infra').spec.routes[0].match).toBe('Host(`auth.apps.example.org`)');
  expect(one('IngressRoute', 'rentguy-api', 'rentguy').spec.routes[0].match).toBe('Host(`rentguy.apps.example.org`) && PathPrefix(`/api`)');
  expect(one('Certificate', 'n8n-tls', 'ai').spec.dnsNames).toEqual(['n8n.apps.example.org']);
});

test('OpenBao is the secret store (External Secrets, Vault provider); no Secret is written in the tree', () => {
  const store = one('ClusterSecretStore', 'openbao');
  expect(store.spec.provider.vault).toMatchObject({ server: 'https://bao.internal.example.org:8200', auth: { kubernetes: { role: 'strata' } } });
  expect(all().filter((m) => m.kind === 'Secret')).toEqual([]);
  expect(one('ExternalSecret', 'oauth2-proxy-secret-env', 'infra').spec.secretStoreRef).toMatchObject({
    name: 'openbao',
    kind: 'ClusterSecretStore',
  });
});

test('PostgreSQL holds a database per application; each app reaches its own pooler only', () => {
  const cluster = one('Cluster', 'postgres', 'postgres');
  expect(cluster.spec.instances).toBe(3);
  const databases = all()
    .filter((m) => m.kind === 'Database')
    .map((m) => m.spec.name)
    .sort();
  expect(databases).toEqual(['keycloak', 'n8n', 'psra', 'rentguy']);
  const egress = one('NetworkPolicy', 'allow-rentguy-api-to-postgres-pooler-rentguy-egress', 'rentguy');
  expect(egress.spec.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/name': 'rentguy-api' });
  expect(all().some((m) => m.kind === 'NetworkPolicy' && /^allow-psra-api-to-postgres-pooler-rentguy/.test(m.metadata.name))).toBe(false);
});

test('between domains, only the paths the services use: RentGuy frontend to its API, oauth2-proxy to Keycloak, nothing across', () => {
  const names = all()
    .filter((m) => m.kind === 'NetworkPolicy' && m.metadata.labels?.['strata.io/layer'] === 'apps')
    .map((m) => m.metadata.name)
    .sort();
  expect(names).toEqual([
    'allow-oauth2-proxy-to-keycloak-egress',
    'allow-oauth2-proxy-to-keycloak-ingress',
    'allow-rentguy-frontend-to-rentguy-api-egress',
    'allow-rentguy-frontend-to-rentguy-api-ingress',
  ]);
  // Every domain namespace starts from deny-all.
  for (const ns of ['rentguy', 'psra', 'wpcs', 'ai', 'infra']) {
    expect(
      all().some(
        (m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === ns && m.spec.podSelector && Object.keys(m.spec.podSelector).length === 0,
      ),
    ).toBe(true);
  }
});

test('logs go to Loki (simple-scalable in prod), which keeps them in the MinIO tenant; Prometheus scrapes it', () => {
  const loki = one('Application', 'loki', 'argocd');
  const values = loki.spec.source.helm.valuesObject;
  expect(loki.spec.destination.namespace).toBe('monitoring');
  expect(values.deploymentMode).toBe('SimpleScalable');
  expect([values.write.replicas, values.read.replicas, values.backend.replicas]).toEqual([3, 3, 3]);
  expect(values.loki.limits_config.retention_period).toBe('720h');
  expect(values.loki.storage).toMatchObject({ type: 's3', bucketNames: { chunks: 'loki' }, s3: { endpoint: 'minio.minio.svc.cluster.local' } });
  expect(loki.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  expect(one('Tenant', 'storage', 'minio').spec.buckets).toContainEqual({ name: 'loki' });
  const outputs = one('Application', 'fluent-bit', 'argocd').spec.source.helm.valuesObject.config.outputs;
  expect(outputs).toMatch(/Host +loki-write\.monitoring\.svc\n/);
  expect(outputs).toMatch(/region=ams, environment=prod, cluster=ams-prod/);
  expect(one('PodMonitor', 'loki', 'monitoring').spec.podMetricsEndpoints).toEqual([{ portNumber: 3100, path: '/metrics' }]);
});

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

test('Grafana reads Loki beside Prometheus and signs people in through the Keycloak realm, its secrets from OpenBao', () => {
  const values = one('Application', 'grafana', 'argocd').spec.source.helm.valuesObject;
  const sources = values.datasources['datasources.yaml'].datasources.map((d: any) => `${d.uid} ${d.type} ${d.url}`);
  expect(sources).toEqual([
    'alertmanager alertmanager http://kube-prometheus-stack-alertmanager.monitoring.svc:9093',
    'loki loki http://loki-read.monitoring.svc:3100',
    'prometheus prometheus http://kube-prometheus-stack-prometheus.monitoring.svc:9090',
  ]);
  const oauth = values['grafana.ini']['auth.generic_oauth'];
  expect(oauth.auth_url).toBe('https://keycloak.apps.example.org/realms/platform/protocol/openid-connect/auth');
  expect(oauth.role_attribute_path).toBe(
    "(contains(groups[*], 'platform-admins')) && 'Admin' || (contains(groups[*], 'developers')) && 'Editor' || 'Viewer'",
  );
  expect(values['grafana.ini'].server.root_url).toBe('https://grafana.apps.example.org');
  for (const name of ['grafana-admin', 'grafana-oauth']) {
    expect(one('ExternalSecret', name, 'monitoring').spec.data.every((d: any) => d.remoteRef.key === `ams/prod/monitoring/${name}`)).toBe(true);
  }
});
