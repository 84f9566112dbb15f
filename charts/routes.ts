/**
 * What every route of an overlay shares, whichever chart exposes it (apps, platform UIs):
 * Traefik installed with the cross-namespace references the region allows, the ACME issuer,
 * and the declared middlewares by name, a basicAuth's users read from the secret backend at
 * `<region>/<env>/ingress/<middleware>`.
 */
import type { Construct } from 'constructs';
import { secretKeyPrefix } from './data';
import { LetsEncryptIssuer } from '../constructs/ingress/acme-issuer';
import type { MiddlewareCredentials, MiddlewareSpec } from '../constructs/ingress/middleware-spec';
import { OverlayContext } from '../constructs/platform/overlay-context';
import type { OverlaySpec } from '../environments/model';

/** Traefik, with cross-namespace references where the region allows them (the same in every environment of a shared cluster). */
export function requireTraefik(ingress: Construct, overlay: OverlaySpec): void {
  OverlayContext.of(ingress).requireOperator(
    'traefik',
    overlay.settings.ingress.allowCrossNamespace ? { providers: { kubernetesCRD: { allowCrossNamespace: true } } } : undefined,
  );
}

/** The overlay's Let's Encrypt ClusterIssuer (one per cluster). */
export function acmeIssuer(ingress: Construct, overlay: OverlaySpec): LetsEncryptIssuer {
  const acme = overlay.settings.ingress.acme;
  return LetsEncryptIssuer.of(ingress, {
    email: acme.email ?? '',
    server: acme.server,
    solver: acme.solver,
    secretBackend: overlay.region.secrets,
  });
}

/** The named middlewares of `ingress.middlewares`, in order, with where a basicAuth's users come from. */
export function routeMiddlewares(
  overlay: OverlaySpec,
  names: readonly string[],
): { readonly name: string; readonly spec: MiddlewareSpec; readonly credentials: MiddlewareCredentials }[] {
  return names.map((name) => ({
    name,
    spec: overlay.settings.ingress.middlewares[name],
    credentials: { backend: overlay.region.secrets, remoteKey: `${secretKeyPrefix(overlay)}/ingress/${name}` },
  }));
}
