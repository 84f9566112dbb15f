import { LetsEncryptIssuer } from '../../../constructs/ingress/acme-issuer';
import { TraefikRoute } from '../../../constructs/ingress/traefik-route';
import { WildcardCertificate } from '../../../constructs/ingress/wildcard-certificate';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';

const DNS01 = { dns01: { cloudflare: { apiTokenKey: 'homelab/prod/cert-manager/cloudflare' } } };
const target = (name: string) => ({
  routeName: name,
  serviceName: name,
  servicePort: 8080,
  targetPort: 8080,
  routePods: { namespace: name, podLabels: { 'app.kubernetes.io/name': name } },
});

function setUp(): TestLayer & { issuer: LetsEncryptIssuer; wildcard: WildcardCertificate } {
  const layer = testLayer('ingress');
  const issuer = LetsEncryptIssuer.of(layer.chart, { email: 'ops@homelab.example.org', solver: DNS01, secretBackend: EXTERNAL_SECRETS });
  const wildcard = new WildcardCertificate(layer.chart, 'Wildcard', { domain: 'homelab.example.org', issuer });
  return { ...layer, issuer, wildcard };
}

test("one certificate for *.<domain> in Traefik's default store; routes under it serve it, others get their own", () => {
  const layer = setUp();
  new TraefikRoute(layer.chart, 'Harbor', {
    target: target('harbor'),
    host: 'harbor.homelab.example.org',
    issuer: layer.issuer,
    wildcard: layer.wildcard,
  });
  new TraefikRoute(layer.chart, 'Docs', { target: target('docs'), host: 'docs.example.com', issuer: layer.issuer, wildcard: layer.wildcard });
  expect(layer.find('Certificate', 'wildcard', 'traefik').spec.dnsNames).toEqual(['*.homelab.example.org', 'homelab.example.org']);
  expect(layer.find('TLSStore', 'default', 'traefik').spec).toEqual({ defaultCertificate: { secretName: 'wildcard-tls' } });
  expect(layer.find('IngressRoute', 'harbor', 'harbor').spec.tls).toEqual({});
  expect(
    layer
      .all('Certificate')
      .map((c) => `${c.metadata.namespace}/${c.metadata.name}`)
      .sort(),
  ).toEqual(['docs/docs-tls', 'traefik/wildcard']);
  expect(layer.find('IngressRoute', 'docs', 'docs').spec.tls).toEqual({ secretName: 'docs-tls' });
  expect(schemaIssues(layer.manifests())).toEqual([]);
});

test('covers the domain and one label under it, not two', () => {
  const { wildcard } = setUp();
  expect(['homelab.example.org', 'a.homelab.example.org', 'a.b.homelab.example.org', 'xhomelab.example.org'].map((h) => wildcard.covers(h))).toEqual([
    true,
    true,
    false,
    false,
  ]);
});

test('an HTTP-01 issuer cannot prove a wildcard', () => {
  const layer = testLayer('ingress');
  const issuer = LetsEncryptIssuer.of(layer.chart, { email: 'ops@homelab.example.org', secretBackend: EXTERNAL_SECRETS });
  expect(() => new WildcardCertificate(layer.chart, 'Wildcard', { domain: 'homelab.example.org', issuer })).toThrow(/DNS-01 only/);
});
