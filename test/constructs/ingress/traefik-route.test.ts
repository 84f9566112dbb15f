/**
 * Let's Encrypt issuers and Traefik routes (constructs/ingress/): the ClusterIssuer per
 * server and overlay with its solver, the route's Certificate and IngressRoute, and the paths
 * through the default-deny policies a route implies, each once per namespace or per overlay.
 */
import { LETS_ENCRYPT_SERVERS, LetsEncryptIssuer, LetsEncryptIssuerProps } from '../../../constructs/ingress/acme-issuer';
import { IRoutable, TraefikRoute, TraefikRouteProps } from '../../../constructs/ingress/traefik-route';
import { LayerChart } from '../../../constructs/platform/layer-chart';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';

const ISSUER: LetsEncryptIssuerProps = { email: 'platform@example.org', secretBackend: EXTERNAL_SECRETS };

/** A Service `hello-web` on port 80 in front of pods serving 8080: service and container ports differ on purpose. */
function target(name = 'hello', namespace = 'web'): IRoutable {
  return {
    routeName: name,
    serviceName: `${name}-web`,
    servicePort: 80,
    routePods: { namespace, podLabels: { 'app.kubernetes.io/name': name } },
    targetPort: 8080,
  };
}

const names = (layer: TestLayer, kind: string) =>
  layer
    .all(kind)
    .map((m) => `${m.metadata.namespace ?? ''}/${m.metadata.name}`)
    .sort();

function route(layer: TestLayer, props: Partial<TraefikRouteProps> = {}, scope = layer.chart): TraefikRoute {
  const issuer = props.issuer ?? LetsEncryptIssuer.of(scope, ISSUER);
  const t = props.target ?? target();
  return new TraefikRoute(scope, `Route-${t.routeName}`, { host: 'hello.example.org', target: t, ...props, issuer });
}

describe("LetsEncryptIssuer: a ClusterIssuer per Let's Encrypt server", () => {
  test('defaults: the production server, the account key in a Secret of its own, HTTP-01 through the traefik ingress class', () => {
    const layer = testLayer('ingress');
    const issuer = LetsEncryptIssuer.of(layer.chart, ISSUER);
    expect(issuer.issuerName).toBe('letsencrypt-production');
    expect(issuer.http01).toBe(true);
    const resource = layer.find('ClusterIssuer', 'letsencrypt-production');
    expect(resource.apiVersion).toMatch(/^cert-manager\.io\//);
    expect(resource.metadata.namespace).toBeUndefined();
    expect(resource.spec).toEqual({
      acme: {
        server: 'https://acme-v02.api.letsencrypt.org/directory',
        email: 'platform@example.org',
        privateKeySecretRef: { name: 'letsencrypt-production-account' },
        solvers: [{ http01: { ingress: { ingressClassName: 'traefik' } } }],
      },
    });
    expect(LETS_ENCRYPT_SERVERS.production).toBe(resource.spec.acme.server);
    // cert-manager's controller checks the challenge itself before the ACME server does: egress on port 80.
    const selfCheck = layer.find('NetworkPolicy', 'allow-letsencrypt-production-http01-self-check', 'cert-manager');
    expect(selfCheck.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'controller' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'TCP', port: 80 }] }],
    });
    expect(layer.context.namespaces.find((n) => n.name === 'cert-manager')).toMatchObject({ workload: false });
    // No secret is read for HTTP-01.
    expect(layer.all('ExternalSecret')).toEqual([]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('staging: its own ClusterIssuer on the staging directory, with its own account key and self-check policy', () => {
    const layer = testLayer('ingress');
    const issuer = LetsEncryptIssuer.of(layer.chart, { ...ISSUER, server: 'staging' });
    expect(issuer.issuerName).toBe('letsencrypt-staging');
    const spec = layer.find('ClusterIssuer', 'letsencrypt-staging').spec.acme;
    expect(spec.server).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    expect(spec.privateKeySecretRef).toEqual({ name: 'letsencrypt-staging-account' });
    expect(names(layer, 'ClusterIssuer')).toEqual(['/letsencrypt-staging']);
    expect(names(layer, 'NetworkPolicy')).toEqual(['cert-manager/allow-letsencrypt-staging-http01-self-check']);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('DNS-01 through Cloudflare: the API token from the secret store into cert-manager, no HTTP-01 self-check', () => {
    const layer = testLayer('ingress');
    const issuer = LetsEncryptIssuer.of(layer.chart, {
      ...ISSUER,
      solver: { dns01: { cloudflare: { apiTokenKey: 'region-a/prod/cert-manager/cloudflare' } } },
    });
    expect(issuer.http01).toBe(false);
    const spec = layer.find('ClusterIssuer', 'letsencrypt-production').spec.acme;
    expect(spec.solvers).toEqual([{ dns01: { cloudflare: { apiTokenSecretRef: { name: 'letsencrypt-production-cloudflare', key: 'api-token' } } } }]);
    const token = layer.find('ExternalSecret', 'letsencrypt-production-cloudflare', 'cert-manager');
    expect(token.spec.secretStoreRef).toEqual({ name: 'platform-secrets', kind: 'ClusterSecretStore' });
    expect(token.spec.target).toMatchObject({ name: 'letsencrypt-production-cloudflare' });
    expect(token.spec.data).toEqual([{ secretKey: 'api-token', remoteRef: { key: 'region-a/prod/cert-manager/cloudflare', property: 'apiToken' } }]);
    expect(layer.all('NetworkPolicy').filter((p) => /self-check/.test(p.metadata.name))).toEqual([]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('one issuer per server and overlay: a second `of` returns the first, another overlay gets its own', () => {
    const layer = testLayer('ingress');
    const first = LetsEncryptIssuer.of(layer.chart, ISSUER);
    const apps = new LayerChart(layer.app, 'apps', { region: 'region-a', environment: 'prod' });
    const second = LetsEncryptIssuer.of(apps, { ...ISSUER, server: 'production' });
    expect(second === first).toBe(true);
    expect(names(layer, 'ClusterIssuer')).toEqual(['/letsencrypt-production']);
    expect(names(layer, 'NetworkPolicy')).toEqual(['cert-manager/allow-letsencrypt-production-http01-self-check']);
    // Another server is another issuer.
    const staging = LetsEncryptIssuer.of(layer.chart, { ...ISSUER, server: 'staging' });
    expect(staging === first).toBe(false);
    expect(staging.issuerName).toBe('letsencrypt-staging');
    expect(LetsEncryptIssuer.of(apps, { ...ISSUER, server: 'staging' }) === staging).toBe(true);
    expect(names(layer, 'ClusterIssuer')).toEqual(['/letsencrypt-production', '/letsencrypt-staging']);

    const other = testLayer('ingress', { region: 'region-b', environment: 'prod' });
    expect(LetsEncryptIssuer.of(other.chart, ISSUER) === first).toBe(false);
    expect(names(other, 'ClusterIssuer')).toEqual(['/letsencrypt-production']);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test.each(['platform', 'platform@example', 'platform team@example.org', '@example.org', ''])('the e-mail %p is refused', (email) => {
    const layer = testLayer('ingress');
    expect(() => LetsEncryptIssuer.of(layer.chart, { ...ISSUER, email })).toThrow(
      `Let's Encrypt issuer: "${email}" is not an e-mail address; give the address expiry notices go to`,
    );
    expect(layer.all('ClusterIssuer')).toEqual([]);
  });
});

describe('TraefikRoute', () => {
  test('a Certificate for the host: ECDSA P-256, rotated, from the ClusterIssuer', () => {
    const layer = testLayer('ingress');
    const r = route(layer);
    expect(r.host).toBe('hello.example.org');
    const cert = layer.find('Certificate', 'hello-tls', 'web');
    expect(cert.apiVersion).toMatch(/^cert-manager\.io\//);
    expect(cert.spec).toEqual({
      secretName: 'hello-tls',
      dnsNames: ['hello.example.org'],
      issuerRef: { name: 'letsencrypt-production', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    });
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test("a staging issuer's route asks the staging ClusterIssuer", () => {
    const layer = testLayer('ingress');
    route(layer, { issuer: LetsEncryptIssuer.of(layer.chart, { ...ISSUER, server: 'staging' }) });
    expect(layer.find('Certificate', 'hello-tls', 'web').spec.issuerRef.name).toBe('letsencrypt-staging');
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('an IngressRoute on websecure for the host, to the Service port, with the certificate', () => {
    const layer = testLayer('ingress');
    route(layer);
    const ingressRoute = layer.find('IngressRoute', 'hello', 'web');
    expect(ingressRoute.apiVersion).toMatch(/^traefik\.io\//);
    expect(ingressRoute.spec).toEqual({
      entryPoints: ['websecure'],
      routes: [{ match: 'Host(`hello.example.org`)', kind: 'Rule', services: [{ name: 'hello-web', port: 80 }] }],
      tls: { secretName: 'hello-tls' },
    });
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a path adds a PathPrefix; `/` is the host alone', () => {
    const layer = testLayer('ingress');
    route(layer, { path: '/api/v1' });
    route(layer, { target: target('root'), path: '/' });
    expect(layer.find('IngressRoute', 'hello', 'web').spec.routes[0].match).toBe('Host(`hello.example.org`) && PathPrefix(`/api/v1`)');
    expect(layer.find('IngressRoute', 'root', 'web').spec.routes[0].match).toBe('Host(`hello.example.org`)');
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test("Traefik reaches the pods' container port: egress in traefik, ingress in the app's namespace", () => {
    const layer = testLayer('ingress');
    route(layer);
    const traefikPeer = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
    };
    const appPeer = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'hello' } },
    };
    // Named with the namespace (web), which is not the target's: Traefik's namespace is shared by every route.
    expect(layer.find('NetworkPolicy', 'allow-traefik-to-web-hello-egress', 'traefik').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
      policyTypes: ['Egress'],
      egress: [{ to: [appPeer], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    expect(layer.find('NetworkPolicy', 'allow-traefik-to-web-hello-ingress', 'web').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'hello' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [traefikPeer], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    // The solver pods cert-manager starts for HTTP-01 challenges, on 8089.
    const solvers = { 'acme.cert-manager.io/http01-solver': 'true' };
    expect(layer.find('NetworkPolicy', 'allow-traefik-to-acme-solvers-web-ingress', 'web').spec).toEqual({
      podSelector: { matchLabels: solvers },
      policyTypes: ['Ingress'],
      ingress: [{ from: [traefikPeer], ports: [{ protocol: 'TCP', port: 8089 }] }],
    });
    expect(layer.find('NetworkPolicy', 'allow-traefik-to-acme-solvers-web-egress', 'traefik').spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } }, podSelector: { matchLabels: solvers } }],
        ports: [{ protocol: 'TCP', port: 8089 }],
      },
    ]);
    // Clients from anywhere to the entry points; Prometheus to the metrics port.
    expect(layer.find('NetworkPolicy', 'allow-clients-to-traefik', 'traefik').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          ports: [
            { protocol: 'TCP', port: 8000 },
            { protocol: 'TCP', port: 8443 },
          ],
        },
      ],
    });
    expect(layer.find('NetworkPolicy', 'allow-prometheus-to-traefik-egress', 'monitoring').spec.egress).toEqual([
      { to: [traefikPeer], ports: [{ protocol: 'TCP', port: 9100 }] },
    ]);
    expect(layer.find('NetworkPolicy', 'allow-prometheus-to-traefik-ingress', 'traefik').spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 9100 }],
      },
    ]);
    expect(names(layer, 'NetworkPolicy')).toEqual([
      'cert-manager/allow-letsencrypt-production-http01-self-check',
      'monitoring/allow-prometheus-to-traefik-egress',
      'traefik/allow-clients-to-traefik',
      'traefik/allow-prometheus-to-traefik-ingress',
      'traefik/allow-traefik-to-acme-solvers-web-egress',
      'traefik/allow-traefik-to-web-hello-egress',
      'web/allow-traefik-to-acme-solvers-web-ingress',
      'web/allow-traefik-to-web-hello-ingress',
    ]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a DNS-01 issuer needs no path to solver pods', () => {
    const layer = testLayer('ingress');
    const issuer = LetsEncryptIssuer.of(layer.chart, { ...ISSUER, solver: { dns01: { cloudflare: { apiTokenKey: 'cloudflare' } } } });
    route(layer, { issuer });
    expect(layer.all('NetworkPolicy').filter((p) => /acme-solvers/.test(p.metadata.name))).toEqual([]);
    expect(names(layer, 'NetworkPolicy')).toContain('traefik/allow-clients-to-traefik');
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('the solver path once per namespace, the clients and scrape policies once per overlay', () => {
    const layer = testLayer('ingress');
    route(layer, { target: target('hello', 'web') });
    route(layer, { target: target('shop', 'web'), host: 'shop.example.org' });
    // In another chart of the same overlay, and in another namespace.
    const apps = new LayerChart(layer.app, 'apps', { region: 'region-a', environment: 'prod' });
    route(layer, { target: target('wiki', 'docs'), host: 'wiki.example.org' }, apps);
    const all = layer.all('NetworkPolicy').map((m) => `${m.metadata.namespace}/${m.metadata.name}`);
    const count = (name: string) => all.filter((n) => n === name).length;
    expect(count('web/allow-traefik-to-acme-solvers-web-ingress')).toBe(1);
    expect(count('docs/allow-traefik-to-acme-solvers-docs-ingress')).toBe(1);
    expect(count('traefik/allow-clients-to-traefik')).toBe(1);
    expect(count('traefik/allow-prometheus-to-traefik-ingress')).toBe(1);
    expect(count('monitoring/allow-prometheus-to-traefik-egress')).toBe(1);
    expect(count('cert-manager/allow-letsencrypt-production-http01-self-check')).toBe(1);
    for (const app of ['web-hello', 'web-shop', 'docs-wiki']) expect(count(`traefik/allow-traefik-to-${app}-egress`)).toBe(1);
    // Traefik's egress to the solvers reaches both namespaces.
    const solverEgress = layer.all('NetworkPolicy').filter((p) => p.metadata.namespace === 'traefik' && /acme-solvers/.test(p.metadata.name));
    expect(
      solverEgress
        .flatMap((p) => p.spec.egress.flatMap((e: any) => e.to.map((t: any) => t.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])))
        .sort(),
    ).toEqual(['docs', 'web']);
    expect(names(layer, 'ClusterIssuer')).toEqual(['/letsencrypt-production']);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  // Traefik's side of each namespace's solver path is named after the namespace: two namespaces, two policies.
  test('routes in two namespaces render no two objects of one kind, namespace and name', () => {
    const layer = testLayer('ingress');
    route(layer, { target: target('hello', 'web') });
    route(layer, { target: target('wiki', 'docs'), host: 'wiki.example.org' });
    const keys = layer.manifests().map((m) => `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  test.each([
    ['Hello_World.example', `host "Hello_World.example" is not a host name: dot-separated labels of lower-case letters, digits and '-'`],
    ['Hello.example.org', 'is not a host name'],
    [`${'a'.repeat(64)}.example.org`, 'each label has at most 63'],
  ])('the host %p is refused', (host, message) => {
    const layer = testLayer('ingress');
    expect(() => route(layer, { host })).toThrow(`route hello: host "${host}" `);
    expect(() => route(testLayer('ingress'), { host })).toThrow(message);
    expect(layer.all('IngressRoute')).toEqual([]);
    expect(layer.all('Certificate')).toEqual([]);
  });

  test.each(['no-slash', '/a b', '/api?x=1', ''])('the path %p is refused', (path) => {
    const layer = testLayer('ingress');
    expect(() => route(layer, { path })).toThrow(
      `route hello: path "${path}" is not a URL path; start it with / and use letters, digits, - . _ ~ and /`,
    );
    expect(layer.all('IngressRoute')).toEqual([]);
  });
});
