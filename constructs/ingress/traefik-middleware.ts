/**
 * Traefik middlewares a route applies, declared once by name and rendered into each namespace
 * whose routes use them (routes reach no other namespace: `allowCrossNamespace` is off).
 */
import { Construct } from 'constructs';
import * as traefik from '../../imports/traefik.io';
import type { SecretBackend } from '../core/secret-backend';
import { checkCidr } from '../platform/cidr';
import { dnsLabelProblem } from '../platform/names';
import { allowEgressToAddresses } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { SecretReference } from '../secrets/secret-reference';

/** One middleware: exactly one of these. */
export type MiddlewareSpec =
  | {
      /** HSTS, no framing, no MIME sniffing, a strict referrer policy. */
      readonly securityHeaders: { /** @default 31536000 (a year) */ readonly stsSeconds?: number };
    }
  | { readonly rateLimit: { /** Requests per second on average. */ readonly average: number; readonly burst: number } }
  | { readonly ipAllowList: { /** Client address blocks let through. */ readonly sourceRange: readonly string[] } }
  | {
      /** Each request is first asked of an identity proxy (oauth2-proxy, Keycloak's gatekeeper): 2xx lets it through. */
      readonly forwardAuth: {
        readonly address: string;
        /** Headers copied from the answer to the request. @default none */ readonly authResponseHeaders?: readonly string[];
      };
    }
  | {
      /**
       * A user name and password asked by Traefik itself, checked against htpasswd lines
       * (bcrypt: `htpasswd -nbB <user> <password>`) read from the secret backend, never from
       * Git; the user name is passed on in `X-WebAuth-User`, and the Authorization header is not.
       */
      readonly basicAuth: { /** The realm the browser's prompt names. @default 'traefik' */ readonly realm?: string };
    };

/** Middlewares that establish who the client is (a route Strata exposes a platform UI on needs one). */
export function authenticates(spec: MiddlewareSpec): boolean {
  return 'forwardAuth' in spec || 'basicAuth' in spec;
}

/** Where a basicAuth middleware's htpasswd lines come from: `remoteKey`'s property `users`. */
export interface MiddlewareCredentials {
  readonly backend: SecretBackend;
  readonly remoteKey: string;
}

/** Why a middleware cannot be rendered, or undefined. */
export function middlewareProblem(spec: MiddlewareSpec): string | undefined {
  if ('rateLimit' in spec) {
    const { average, burst } = spec.rateLimit;
    if (!Number.isInteger(average) || average < 1 || !Number.isInteger(burst) || burst < 1) {
      return 'rateLimit needs whole average and burst of 1 or more';
    }
  }
  if ('ipAllowList' in spec) {
    if (spec.ipAllowList.sourceRange.length === 0) return 'ipAllowList.sourceRange is empty, which would refuse every client';
    for (const cidr of spec.ipAllowList.sourceRange) {
      const check = checkCidr(cidr);
      if (!check.ok) return `ipAllowList.sourceRange ${cidr} ${check.message}`;
    }
  }
  if ('forwardAuth' in spec) {
    try {
      const url = new URL(spec.forwardAuth.address);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return `forwardAuth.address ${spec.forwardAuth.address} is not http(s)`;
    } catch {
      return `forwardAuth.address ${spec.forwardAuth.address} is not a URL; write it as http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth`;
    }
  }
  return undefined;
}

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
