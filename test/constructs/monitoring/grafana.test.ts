/**
 * Grafana (constructs/monitoring/grafana.ts) in a PlatformApp: its own release in the
 * monitoring layer beside the admin Secret it reads, the data sources, the dashboards'
 * sidecar, single sign-on with its client secret and egress, and what it refuses.
 */
import type { GitOpsSpec } from '../../../constructs/core/gitops';
import { Grafana, GrafanaProps, roleAttributePath } from '../../../constructs/monitoring/grafana';
import { PrometheusStack, prometheusStackDataSources } from '../../../constructs/monitoring/prometheus-stack';
import { PlatformApp } from '../../../constructs/platform/platform-app';
import { HELM_CHARTS } from '../../../constructs/versions';
import { ARGOCD, FLUX } from '../../support/gitops';
import { EXTERNAL_SECRETS, schemaIssues } from '../../support/layer';

const KEYCLOAK = { keycloakRealm: 'https://id.example.org/realms/platform', clientId: 'grafana', adminGroups: ['platform-admins'] };

function build(props: Partial<GrafanaProps> = {}, gitops: GitOpsSpec = FLUX) {
  const app = new PlatformApp({ region: 'region-a', environment: 'prod', gitops });
  new PrometheusStack(app.layer('monitoring'), 'PrometheusStack', {
    prometheus: {
      replicas: 2,
      retention: '15d',
      storageSize: '50Gi',
      resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    },
    alertmanager: { replicas: 3, storageSize: '1Gi' },
    storageClass: 'fast-ssd',
    externalLabels: { region: 'region-a', environment: 'prod', cluster: 'region-a-prod' },
  });
  const grafana = new Grafana(app.layer('monitoring'), 'Grafana', {
    secretBackend: EXTERNAL_SECRETS,
    secretKeyPrefix: 'region-a/prod',
    dataSources: prometheusStackDataSources(),
    ...props,
  });
  const manifests = app.completeLayers().flatMap((l) => l.toJson());
  const find = (kind: string, name: string) => {
    const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
    if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
    return found[0];
  };
  const all = (kind: string) => manifests.filter((m) => m.kind === kind);
  return { app, grafana, manifests, find, all, values: () => find('HelmRelease', 'grafana').spec.values };
}

test('a release of its own in the monitoring layer, at the pinned chart, with kube-prometheus-stack’s Grafana switched off', () => {
  const b = build();
  const release = b.find('HelmRelease', 'grafana');
  expect(release.metadata.namespace).toBe('monitoring');
  expect(release.metadata.labels['strata.io/layer']).toBe('monitoring');
  expect(release.spec.chart.spec.version).toBe(HELM_CHARTS.grafana.version);
  expect(b.find('HelmRepository', 'grafana').spec.url).toBe(HELM_CHARTS.grafana.repository);
  // No data of its own: pruned like a workload when it leaves the tree.
  expect(release.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune']).toBeUndefined();
  const stack = b.find('HelmRelease', 'kube-prometheus-stack');
  expect(stack.metadata.labels['strata.io/layer']).toBe('operators');
  expect(stack.spec.values.grafana).toEqual({ enabled: false, forceDeployDashboards: true });
  expect(schemaIssues(b.manifests)).toEqual([]);
});

test('the admin account comes from the secret backend, never from the chart; stateless, with a Role of its namespace', () => {
  const b = build();
  const admin = b.find('ExternalSecret', 'grafana-admin');
  expect(admin.metadata.namespace).toBe('monitoring');
  // Applied with the release it serves: the layer waits for neither.
  expect(admin.metadata.labels['strata.io/layer']).toBe('monitoring');
  expect(admin.spec.data).toEqual([
    { secretKey: 'admin-password', remoteRef: { key: 'region-a/prod/monitoring/grafana-admin', property: 'admin-password' } },
    { secretKey: 'admin-user', remoteRef: { key: 'region-a/prod/monitoring/grafana-admin', property: 'admin-user' } },
  ]);
  const values = b.values();
  expect(values.admin).toEqual({ existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' });
  expect(values.adminPassword).toBeUndefined();
  expect(values.persistence).toEqual({ enabled: false });
  expect(values.rbac).toEqual({ namespaced: true });
  expect(values['grafana.ini'].users).toEqual({ allow_sign_up: false });
  expect(b.all('Secret')).toEqual([]);
});

test("the data sources by uid, Prometheus the default; the sidecar reads the dashboards' ConfigMaps and their folders", () => {
  const values = build().values();
  expect(values.datasources['datasources.yaml'].datasources).toEqual([
    expect.objectContaining({
      name: 'Alertmanager',
      type: 'alertmanager',
      uid: 'alertmanager',
      url: 'http://kube-prometheus-stack-alertmanager.monitoring.svc:9093',
      isDefault: false,
    }),
    expect.objectContaining({
      name: 'Prometheus',
      type: 'prometheus',
      uid: 'prometheus',
      url: 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090',
      isDefault: true,
    }),
  ]);
  expect(values.sidecar.dashboards).toEqual({
    enabled: true,
    label: 'grafana_dashboard',
    labelValue: '1',
    folderAnnotation: 'grafana_folder',
    resource: 'configmap',
    provider: { foldersFromFilesStructure: true },
  });
});

test('Prometheus scrapes it: a PodMonitor on port 3000', () => {
  const b = build();
  expect(b.find('PodMonitor', 'grafana').spec).toEqual({
    selector: { matchLabels: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'grafana' } },
    podMetricsEndpoints: [{ portNumber: 3000, path: '/metrics' }],
  });
});

test('told its public URL when it is exposed, and nothing when it is not', () => {
  expect(build({ rootUrl: 'https://grafana.example.org' }).values()['grafana.ini'].server).toEqual({ root_url: 'https://grafana.example.org' });
  expect(build().values()['grafana.ini'].server).toBeUndefined();
});

test('single sign-on through a Keycloak realm: its endpoints, the client secret from the backend, roles from groups, egress to the provider', () => {
  const b = build({ sso: KEYCLOAK });
  const values = b.values();
  expect(values['grafana.ini']['auth.generic_oauth']).toMatchObject({
    enabled: true,
    name: 'Keycloak',
    client_id: 'grafana',
    auth_url: 'https://id.example.org/realms/platform/protocol/openid-connect/auth',
    token_url: 'https://id.example.org/realms/platform/protocol/openid-connect/token',
    api_url: 'https://id.example.org/realms/platform/protocol/openid-connect/userinfo',
    use_pkce: true,
    role_attribute_path: "(contains(groups[*], 'platform-admins')) && 'Admin' || 'Viewer'",
  });
  expect(values['grafana.ini']['auth.generic_oauth'].client_secret).toBeUndefined();
  expect(values.envValueFrom).toEqual({ GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: { secretKeyRef: { name: 'grafana-oauth', key: 'client-secret' } } });
  expect(b.find('ExternalSecret', 'grafana-oauth').spec.data).toEqual([
    { secretKey: 'client-secret', remoteRef: { key: 'region-a/prod/monitoring/grafana-oauth', property: 'client-secret' } },
  ]);
  const egress = b.find('NetworkPolicy', 'allow-grafana-to-identity-provider-egress').spec;
  expect(egress.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'grafana' });
  expect(egress.egress[0].ports).toEqual([{ protocol: 'TCP', port: 443 }]);
  // The login form stays, the way in while the provider is down, unless it is switched off.
  expect(values['grafana.ini'].auth).toBeUndefined();
  expect(build({ sso: { ...KEYCLOAK, disableLoginForm: true } }).values()['grafana.ini'].auth).toEqual({ disable_login_form: true });
  expect(schemaIssues(b.manifests)).toEqual([]);
});

test('a provider by its three endpoints, on its own port', () => {
  const b = build({
    sso: {
      authUrl: 'https://login.example.org:8443/authorize',
      tokenUrl: 'https://login.example.org:8443/token',
      apiUrl: 'https://login.example.org:8443/userinfo',
      clientId: 'grafana',
    },
  });
  expect(b.values()['grafana.ini']['auth.generic_oauth']).toMatchObject({
    name: 'Single sign-on',
    token_url: 'https://login.example.org:8443/token',
  });
  expect(b.find('NetworkPolicy', 'allow-grafana-to-identity-provider-egress').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 8443 }]);
});

test('roles: admins first, then editors, everyone else a viewer', () => {
  expect(roleAttributePath({})).toBe("'Viewer'");
  expect(roleAttributePath({ adminGroups: ['a', 'b'], editorGroups: ['e'] })).toBe(
    "(contains(groups[*], 'a') || contains(groups[*], 'b')) && 'Admin' || (contains(groups[*], 'e')) && 'Editor' || 'Viewer'",
  );
});

test('under Argo CD, an Application in the monitoring layer', () => {
  const b = build({}, ARGOCD);
  const app = b.find('Application', 'grafana');
  expect(app.spec.source).toMatchObject({ repoURL: HELM_CHARTS.grafana.repository, chart: 'grafana', targetRevision: HELM_CHARTS.grafana.version });
  expect(app.spec.destination.namespace).toBe('monitoring');
});

test('refused: no default data source, two defaults, a uid twice, single sign-on over http or beside a realm', () => {
  const [prometheus, alertmanager] = prometheusStackDataSources();
  expect(() => build({ dataSources: [alertmanager] })).toThrow(/exactly one default \(got 0 defaults of 1\)/);
  expect(() => build({ dataSources: [prometheus, { ...alertmanager, isDefault: true }] })).toThrow(/exactly one default \(got 2/);
  expect(() => build({ dataSources: [prometheus, { ...alertmanager, uid: 'prometheus' }] })).toThrow(/uid "prometheus" is given twice/);
  expect(() =>
    build({
      sso: { clientId: 'grafana', authUrl: 'http://login.example.org/a', tokenUrl: 'https://x.example.org/t', apiUrl: 'https://x.example.org/u' },
    }),
  ).toThrow(/sso.authUrl: "http:\/\/login.example.org\/a" is not an https URL/);
  expect(() => build({ sso: { ...KEYCLOAK, tokenUrl: 'https://x.example.org/t' } })).toThrow(/sso.tokenUrl: tokenUrl given beside keycloakRealm/);
  expect(() => build({ sso: { ...KEYCLOAK, keycloakRealm: 'https://id.example.org/platform' } })).toThrow(/not the https URL of a Keycloak realm/);
  expect(() => build({ sso: { ...KEYCLOAK, adminGroups: ["x' || 'Admin"] } })).toThrow(/adminGroups: group .* has a space, quote or backslash/);
});
