/** Review rules for Traefik routes, weighted services and middlewares. */
import { ROUTE_RISKS } from '../../../constructs/ingress/route-risks';

const rule = (kind: string, risk: string) => ROUTE_RISKS.find((r) => r.kind === kind && r.risk === risk)!.check;
const route = (options: { tls?: boolean; middlewares?: string[]; service?: string } = {}) => ({
  apiVersion: 'traefik.io/v1alpha1',
  kind: 'IngressRoute',
  metadata: { name: 'web', namespace: 'apps' },
  spec: {
    entryPoints: ['websecure'],
    routes: [
      {
        kind: 'Rule',
        match: 'Host(`web.example.org`)',
        middlewares: (options.middlewares ?? ['secure-headers', 'login']).map((name) => ({ name })),
        services: [{ name: options.service ?? 'web', port: 80 }],
      },
    ],
    ...(options.tls === false ? {} : { tls: { secretName: 'web-tls' } }),
  },
});

describe('IngressRoute (security)', () => {
  const check = rule('IngressRoute', 'security');
  test('a new route without TLS, or without any middleware, is flagged', () => {
    expect(check(undefined, route({ tls: false }))[0].message).toMatch(/^a new route without TLS/);
    expect(check(undefined, route({ middlewares: [] }))[0].message).toMatch(/with no middleware: nothing authenticates/);
  });
  test('losing TLS or a middleware is flagged', () => {
    expect(check(route(), route({ tls: false }))[0].message).toMatch(/^the route loses TLS/);
    expect(check(route(), route({ middlewares: ['secure-headers'] }))[0]).toMatchObject({ before: ['login'] });
  });
  test('a new route with TLS and middlewares, or an unchanged one, is not flagged', () => {
    expect(check(undefined, route())).toEqual([]);
    expect(check(route(), route())).toEqual([]);
    expect(check(route({ middlewares: ['a'] }), route({ middlewares: ['a', 'b'] }))).toEqual([]);
  });
});

describe('IngressRoute (downtime)', () => {
  const check = rule('IngressRoute', 'downtime');
  test('live requests sent to another service are flagged', () => {
    expect(check(route(), route({ service: 'web-green' }))[0].message).toMatch(/move from web:80 to web-green:80 at once/);
  });
  test('the same services are not', () => {
    expect(check(route(), route({ middlewares: ['x'] }))).toEqual([]);
  });
});

test('weights shifting between colours are flagged; the same weights are not', () => {
  const weighted = (blue: number, green: number) => ({
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TraefikService',
    metadata: { name: 'web', namespace: 'apps' },
    spec: {
      weighted: {
        services: [
          { name: 'web-blue', weight: blue },
          { name: 'web-green', weight: green },
        ],
      },
    },
  });
  const check = rule('TraefikService', 'downtime');
  expect(check(weighted(70, 30), weighted(30, 70))[0].message).toBe(
    'live traffic shifts between services: {"web-blue":70,"web-green":30} becomes {"web-blue":30,"web-green":70}',
  );
  expect(check(weighted(70, 30), weighted(70, 30))).toEqual([]);
});

test('an authentication middleware changed or removed is flagged; security headers are not', () => {
  const mw = (spec: any) => ({ apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: { name: 'login', namespace: 'apps' }, spec });
  const check = rule('Middleware', 'security');
  expect(check(mw({ basicAuth: { secret: 'users' } }), undefined)[0].message).toMatch(/basicAuth middleware is removed/);
  expect(check(mw({ ipAllowList: { sourceRange: ['10.0.0.0/8'] } }), mw({ ipAllowList: { sourceRange: ['0.0.0.0/0'] } }))[0].field).toBe(
    'spec.ipAllowList',
  );
  expect(check(mw({ headers: { frameDeny: true } }), mw({ headers: { frameDeny: false } }))).toEqual([]);
});
