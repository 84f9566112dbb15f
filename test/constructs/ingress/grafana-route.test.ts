/**
 * Grafana exposed through Traefik: the route to kube-prometheus-stack's Grafana Service, the
 * network path to its container port, its public URL given to the chart, and never without
 * a middleware that authenticates.
 */
import { LetsEncryptIssuer } from '../../../constructs/ingress/acme-issuer';
import { GrafanaRoute } from '../../../constructs/ingress/grafana-route';
import type { MiddlewareSpec } from '../../../constructs/ingress/traefik-middleware';
import { EXTERNAL_SECRETS, schemaIssues, testLayer } from '../../support/layer';

const LOGIN = {
  name: 'platform-login',
  spec: { basicAuth: {} } as MiddlewareSpec,
  credentials: { backend: EXTERNAL_SECRETS, remoteKey: 'region-a/prod/ingress/platform-login' },
};

function build(middlewares: ConstructorParameters<typeof GrafanaRoute>[2]['middlewares']) {
  const layer = testLayer('ingress');
  const issuer = LetsEncryptIssuer.of(layer.chart, { email: 'platform@example.org', secretBackend: EXTERNAL_SECRETS });
  new GrafanaRoute(layer.chart, 'Grafana', { host: 'grafana.example.org', issuer, middlewares });
  return layer;
}

test("the route sends to the chart's Grafana Service behind the login, Traefik reaches port 3000, and Grafana knows its URL", () => {
  const layer = build([LOGIN]);
  const route = layer.find('IngressRoute', 'grafana', 'monitoring').spec.routes[0];
  expect(route).toMatchObject({
    match: 'Host(`grafana.example.org`)',
    middlewares: [{ name: 'platform-login' }],
    services: [{ name: 'kube-prometheus-stack-grafana', port: 80 }],
  });
  expect(layer.find('Certificate', 'grafana-tls', 'monitoring').spec.dnsNames).toEqual(['grafana.example.org']);
  const ingress = layer.find('NetworkPolicy', 'allow-traefik-to-monitoring-grafana-ingress', 'monitoring').spec;
  expect(ingress.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'grafana' });
  expect(ingress.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 3000 }]);
  expect(layer.context.operatorValues('kube-prometheus-stack')).toEqual([
    { grafana: { 'grafana.ini': { server: { root_url: 'https://grafana.example.org' } } } },
  ]);
  expect(schemaIssues(layer.manifests())).toEqual([]);
});

test('without a middleware that authenticates (an IP allow-list does not), Grafana is not exposed', () => {
  expect(() => build([{ name: 'offices', spec: { ipAllowList: { sourceRange: ['203.0.113.0/24'] } } }])).toThrow(
    /none of its middlewares authenticates; add a basicAuth middleware, or a forwardAuth one/,
  );
});
