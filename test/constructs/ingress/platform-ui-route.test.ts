/**
 * The platform's UIs behind Traefik: each route reaches its UI (Grafana's Service, Traefik's
 * own api@internal, the HTTPS backends of OpenSearch Dashboards and the MinIO console verified
 * against the platform CA under the name their certificate carries), charts are told what
 * exposing implies, and no UI is exposed without a middleware that authenticates.
 */
import { LetsEncryptIssuer } from '../../../constructs/ingress/acme-issuer';
import type { MiddlewareSpec } from '../../../constructs/ingress/middleware-spec';
import { GRAFANA_UI, PlatformUi, PlatformUiRoute, TRAEFIK_DASHBOARD_UI } from '../../../constructs/ingress/platform-ui-route';
import { OpenSearchCluster } from '../../../constructs/search/opensearch-cluster';
import { MinioTenant } from '../../../constructs/storage/minio-tenant';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';

const LOGIN = {
  name: 'platform-login',
  spec: { basicAuth: {} } as MiddlewareSpec,
  credentials: { backend: EXTERNAL_SECRETS, remoteKey: 'region-a/prod/ingress/platform-login' },
};

function expose(layer: TestLayer, ui: PlatformUi, host: string, middlewares = [LOGIN]) {
  const issuer = LetsEncryptIssuer.of(layer.chart, { email: 'platform@example.org', secretBackend: EXTERNAL_SECRETS });
  return new PlatformUiRoute(layer.chart, `Ui-${ui.target.routeName}`, { ui, host, issuer, middlewares });
}

test("Grafana: the release's Service behind the login, Traefik to port 3000", () => {
  const layer = testLayer('ingress');
  expose(layer, GRAFANA_UI, 'grafana.example.org');
  expect(layer.find('IngressRoute', 'grafana', 'monitoring').spec.routes[0]).toMatchObject({
    match: 'Host(`grafana.example.org`)',
    middlewares: [{ name: 'platform-login' }],
    services: [{ name: 'grafana', port: 80 }],
  });
  expect(layer.find('Certificate', 'grafana-tls', 'monitoring').spec.dnsNames).toEqual(['grafana.example.org']);
  const ingress = layer.find('NetworkPolicy', 'allow-traefik-to-monitoring-grafana-ingress', 'monitoring').spec;
  expect(ingress.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'grafana' });
  expect(ingress.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 3000 }]);
  // Grafana is told its root URL by its own release (grafana.ts), not through an operator's values.
  expect(layer.context.operatorValues('kube-prometheus-stack')).toEqual([]);
  expect(schemaIssues(layer.manifests())).toEqual([]);
});

test("Traefik's dashboard: a route to api@internal in Traefik's namespace, no network path to open, the dashboard switched on", () => {
  const layer = testLayer('ingress');
  expose(layer, TRAEFIK_DASHBOARD_UI, 'traefik.example.org');
  expect(layer.find('IngressRoute', 'traefik-dashboard', 'traefik').spec.routes[0].services).toEqual([
    { name: 'api@internal', kind: 'TraefikService' },
  ]);
  expect(layer.all('NetworkPolicy').filter((p) => /allow-traefik-to-(traefik-)?traefik-dashboard/.test(p.metadata.name))).toEqual([]);
  expect(layer.context.operatorValues('traefik')).toContainEqual({ api: { dashboard: true } });
  expect(schemaIssues(layer.manifests())).toEqual([]);
});

test('OpenSearch Dashboards and the MinIO console: HTTPS backends Traefik verifies with the platform CA, under their certificates’ names', () => {
  const layer = testLayer('ingress');
  const search = new OpenSearchCluster(layer.chart, 'OpenSearch', { secretBackend: EXTERNAL_SECRETS, secretKeyPrefix: 'region-a/prod' });
  const minio = new MinioTenant(layer.chart, 'Minio', { secretBackend: EXTERNAL_SECRETS });
  expose(layer, search.dashboardsUi, 'dashboards.example.org');
  expose(layer, minio.consoleUi, 'minio-console.example.org');
  // Named apart from the Service: its certificate of the platform CA is search-dashboards-tls, the route's search-dashboards-ui-tls.
  const dashboards = layer.find('IngressRoute', 'search-dashboards-ui', 'opensearch').spec.routes[0].services[0];
  expect(dashboards).toEqual({ name: 'search-dashboards', port: 5601, scheme: 'https', serversTransport: 'search-dashboards-ui-backend' });
  expect(layer.find('Certificate', 'search-dashboards-ui-tls', 'opensearch').spec.issuerRef.name).toBe('letsencrypt-production');
  expect(layer.find('Certificate', 'search-dashboards-tls', 'opensearch').spec.issuerRef.name).toBe('strata-ca');
  expect(layer.find('ServersTransport', 'search-dashboards-ui-backend', 'opensearch').spec).toEqual({
    serverName: 'search-dashboards.opensearch.svc',
    rootCAs: [{ secret: 'strata-ca-trust' }],
  });
  expect(layer.find('Certificate', 'strata-ca-trust', 'opensearch')).toBeDefined();
  const console = layer.find('IngressRoute', 'storage-console', 'minio').spec.routes[0].services[0];
  expect(console).toEqual({ name: 'storage-console', port: 9443, scheme: 'https', serversTransport: 'storage-console-backend' });
  expect(layer.find('ServersTransport', 'storage-console-backend', 'minio').spec.serverName).toBe('minio.minio.svc');
  // The console's own certificate names the name Traefik checks.
  expect(layer.find('Certificate', 'storage-tls', 'minio').spec.dnsNames).toContain('minio.minio.svc');
  expect(layer.find('NetworkPolicy', 'allow-traefik-to-minio-storage-console-ingress', 'minio').spec.ingress[0].ports).toEqual([
    { protocol: 'TCP', port: 9443 },
  ]);
  expect(schemaIssues(layer.manifests())).toEqual([]);
});

test('without a middleware that authenticates (an IP allow-list does not), no UI is exposed', () => {
  expect(() =>
    expose(testLayer('ingress'), GRAFANA_UI, 'grafana.example.org', [
      { name: 'offices', spec: { ipAllowList: { sourceRange: ['203.0.113.0/24'] } } } as any,
    ]),
  ).toThrow(/grafana route: none of its middlewares authenticates; add a basicAuth middleware, or a forwardAuth one/);
});
