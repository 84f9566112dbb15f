/**
 * Traefik middlewares a route applies, declared once by name and rendered into each namespace
 * whose routes use them (routes reach no other namespace: `allowCrossNamespace` is off).
 */
import { Construct } from 'constructs';
import { MiddlewareCredentials, middlewareProblem, MiddlewareSpec } from './middleware-spec';
import * as traefik from '../../imports/traefik.io';
import { dnsLabelProblem } from '../platform/names';
import { allowEgressToAddresses } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { SecretReference } from '../secrets/secret-reference';

function middlewareSpec(name: string, spec: MiddlewareSpec): traefik.MiddlewareSpec {
  if ('securityHeaders' in spec) {
    return {
      headers: {
        stsSeconds: spec.securityHeaders.stsSeconds ?? 31_536_000,
        stsIncludeSubdomains: true,
        forceStsHeader: true,
        frameDeny: true,
        contentTypeNosniff: true,
        referrerPolicy: 'strict-origin-when-cross-origin',
      },
    };
  }
  if ('rateLimit' in spec) return { rateLimit: { average: spec.rateLimit.average, burst: spec.rateLimit.burst } };
  if ('ipAllowList' in spec) return { ipAllowList: { sourceRange: [...spec.ipAllowList.sourceRange] } };
  if ('basicAuth' in spec) {
    return {
      basicAuth: {
        secret: `${name}-users`,
        headerField: 'X-WebAuth-User',
        removeHeader: true,
        ...(spec.basicAuth.realm ? { realm: spec.basicAuth.realm } : {}),
      },
    };
  }
  return {
    forwardAuth: {
      address: spec.forwardAuth.address,
      trustForwardHeader: true,
      ...(spec.forwardAuth.authResponseHeaders?.length ? { authResponseHeaders: [...spec.forwardAuth.authResponseHeaders] } : {}),
    },
  };
}

/**
 * The middleware `name` in `namespace`, rendered once per namespace (in the scope of its first
 * route), with Traefik's egress to a forward-auth address, or the Secret `<name>-users` of a
 * basicAuth's htpasswd lines (from `credentials`). Returns its name.
 */
export function useMiddleware(scope: Construct, namespace: string, name: string, spec: MiddlewareSpec, credentials?: MiddlewareCredentials): string {
  const nameProblem = dnsLabelProblem(name);
  if (nameProblem) throw new Error(`middleware "${name}": the name ${nameProblem}`);
  const problem = middlewareProblem(spec);
  if (problem) throw new Error(`middleware ${name}: ${problem}`);
  const ctx = OverlayContext.of(scope);
  const id = `Middleware-${namespace}-${name}`;
  if (ctx.node.tryFindChild(id)) return name;
  new Construct(ctx, id);
  new traefik.Middleware(scope, id, { metadata: { name, namespace }, spec: middlewareSpec(name, spec) });
  if ('basicAuth' in spec) {
    if (!credentials) throw new Error(`middleware ${name}: basicAuth reads its users from the secret backend; give the credentials' backend and key`);
    new SecretReference(scope, `${id}-Users`, {
      backend: credentials.backend,
      namespace,
      name: `${name}-users`,
      remoteKey: credentials.remoteKey,
      keys: { users: 'users' },
    });
  }
  if ('forwardAuth' in spec) {
    const url = new URL(spec.forwardAuth.address);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const egressId = `ForwardAuth-${name}`;
    if (!ctx.node.tryFindChild(egressId)) {
      new Construct(ctx, egressId);
      // The identity proxy may be anywhere (in the cluster or outside); only its port is known.
      allowEgressToAddresses(scope, egressId, {
        name: `allow-traefik-to-${name}`,
        from: { namespace: 'traefik', podLabels: { 'app.kubernetes.io/name': 'traefik' } },
        cidrs: ['0.0.0.0/0'],
        ports: [port],
      });
    }
  }
  return name;
}
