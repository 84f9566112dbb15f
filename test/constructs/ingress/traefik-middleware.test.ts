import { LetsEncryptIssuer } from '../../../constructs/ingress/acme-issuer';
import { authenticates, MiddlewareCredentials, middlewareProblem, MiddlewareSpec } from '../../../constructs/ingress/middleware-spec';
import { TraefikRoute } from '../../../constructs/ingress/traefik-route';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';

function route(
  layer: TestLayer,
  name: string,
  namespace: string,
  middlewares: { name: string; spec: MiddlewareSpec; credentials?: MiddlewareCredentials }[],
) {
  const issuer = LetsEncryptIssuer.of(layer.chart, { email: 'platform@example.org', secretBackend: EXTERNAL_SECRETS });
  const target = {
    routeName: name,
    serviceName: name,
    servicePort: 8080,
    targetPort: 8080,
    routePods: { namespace, podLabels: { 'app.kubernetes.io/name': name } },
  };
  return new TraefikRoute(layer.chart, `Route-${name}`, { target, host: `${name}.example.org`, issuer, middlewares });
}

const HEADERS = { name: 'secure-headers', spec: { securityHeaders: {} } };
const AUTH = {
  name: 'sso',
  spec: { forwardAuth: { address: 'http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth', authResponseHeaders: ['X-Auth-Request-User'] } },
};

test('a route applies its middlewares in order, each rendered once in its namespace', () => {
  const layer = testLayer('ingress');
  route(layer, 'hello', 'web', [HEADERS, AUTH]);
  route(layer, 'shop', 'web', [HEADERS]);
  route(layer, 'wiki', 'docs', [HEADERS]);
  expect(layer.find('IngressRoute', 'hello', 'web').spec.routes[0].middlewares).toEqual([{ name: 'secure-headers' }, { name: 'sso' }]);
  expect(
    layer
      .all('Middleware')
      .map((m) => `${m.metadata.namespace}/${m.metadata.name}`)
      .sort(),
  ).toEqual(['docs/secure-headers', 'web/secure-headers', 'web/sso']);
  expect(layer.find('Middleware', 'secure-headers', 'web').spec.headers).toMatchObject({
    stsSeconds: 31536000,
    frameDeny: true,
    contentTypeNosniff: true,
  });
  expect(layer.find('Middleware', 'sso', 'web').spec.forwardAuth).toEqual({
    address: 'http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth',
    trustForwardHeader: true,
    authResponseHeaders: ['X-Auth-Request-User'],
  });
  // Traefik asks the identity proxy on its port.
  expect(layer.find('NetworkPolicy', 'allow-traefik-to-sso', 'traefik').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 4180 }]);
  expect(layer.find('IngressRoute', 'wiki', 'docs').spec.routes[0].middlewares).toEqual([{ name: 'secure-headers' }]);
  expect(schemaIssues(layer.manifests())).toEqual([]);
});

test('rate limits and IP allow-lists', () => {
  const layer = testLayer('ingress');
  route(layer, 'api', 'web', [
    { name: 'limit', spec: { rateLimit: { average: 50, burst: 100 } } },
    { name: 'office', spec: { ipAllowList: { sourceRange: ['203.0.113.0/24'] } } },
  ]);
  expect(layer.find('Middleware', 'limit', 'web').spec.rateLimit).toEqual({ average: 50, burst: 100 });
  expect(layer.find('Middleware', 'office', 'web').spec.ipAllowList).toEqual({ sourceRange: ['203.0.113.0/24'] });
  expect(schemaIssues(layer.manifests())).toEqual([]);
});

test('basic auth: Traefik checks htpasswd lines from the secret backend, in each namespace that uses it, and passes the user on', () => {
  const layer = testLayer('ingress');
  const login = {
    name: 'platform-login',
    spec: { basicAuth: {} },
    credentials: { backend: EXTERNAL_SECRETS, remoteKey: 'region-a/prod/ingress/platform-login' },
  };
  route(layer, 'grafana', 'monitoring', [HEADERS, login]);
  route(layer, 'console', 'minio', [login]);
  expect(layer.find('Middleware', 'platform-login', 'monitoring').spec.basicAuth).toEqual({
    secret: 'platform-login-users',
    headerField: 'X-WebAuth-User',
    removeHeader: true,
  });
  for (const ns of ['monitoring', 'minio']) {
    const users = layer.find('ExternalSecret', 'platform-login-users', ns).spec;
    expect(users.data).toEqual([{ secretKey: 'users', remoteRef: { key: 'region-a/prod/ingress/platform-login', property: 'users' } }]);
  }
  expect(layer.all('Secret')).toEqual([]);
  expect(schemaIssues(layer.manifests())).toEqual([]);
  // Without where the users come from, it cannot be rendered.
  expect(() => route(testLayer('ingress'), 'grafana', 'monitoring', [{ name: 'platform-login', spec: { basicAuth: {} } }])).toThrow(
    /basicAuth reads its users from the secret backend/,
  );
  expect(
    [{ basicAuth: {} }, AUTH.spec, HEADERS.spec, { ipAllowList: { sourceRange: ['203.0.113.0/24'] } }].map((s) => authenticates(s as MiddlewareSpec)),
  ).toEqual([true, true, false, false]);
});

test.each([
  [{ ipAllowList: { sourceRange: [] } }, /refuse every client/],
  [{ ipAllowList: { sourceRange: ['10.0.0.1/24'] } }, /ipAllowList\.sourceRange 10\.0\.0\.1\/24/],
  [{ rateLimit: { average: 0, burst: 10 } }, /whole average and burst of 1 or more/],
  [{ forwardAuth: { address: 'oauth2-proxy:4180' } }, /is not (a URL|http)/],
])('%p is refused', (spec, message) => {
  expect(middlewareProblem(spec as MiddlewareSpec)).toMatch(message);
  expect(() => route(testLayer('ingress'), 'hello', 'web', [{ name: 'm', spec: spec as MiddlewareSpec }])).toThrow(message);
});
