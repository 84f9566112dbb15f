/**
 * What a Traefik middleware is in Strata's vocabulary, and the rules it must keep: no
 * construct code, so the loader checks middlewares without loading the ingress constructs.
 */
import type { SecretBackend } from '../core/secret-backend';
import { checkCidr } from '../platform/cidr';

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
