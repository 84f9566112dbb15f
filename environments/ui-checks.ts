/**
 * Rules of `ui`, the platform's UIs behind Traefik: each behind a middleware that
 * authenticates (an IP allow-list alone is not enough), middlewares that exist, an ACME
 * address for its certificate, the component it shows enabled, and on the cluster of the
 * ingress layer (a route reaches the pods of its own cluster only).
 */
import type { OverlaySpec, UiSpec } from './model';
import { layerClusterKey } from './placement';
import type { Problem } from './problems';
import { valueAt } from './problems';
import type { SourceOf } from './semantic-checks';
import { authenticates } from '../constructs/ingress/middleware-spec';

export type UiName = keyof UiSpec;

/** The first label of each UI's default host: `<label>.<baseDomain>` in prod, `<label>.<env>.<baseDomain>` elsewhere. */
export const PLATFORM_UI_HOSTS: Readonly<Record<UiName, string>> = {
  grafana: 'grafana',
  opensearchDashboards: 'dashboards',
  minioConsole: 'minio-console',
  traefikDashboard: 'traefik',
};

export function checkUis(overlays: readonly OverlaySpec[], sourceOf: SourceOf): Problem[] {
  const problems: Problem[] = [];
  for (const o of overlays) {
    const s = o.settings;
    const problem = (fieldPath: string, message: string, fix: string) => {
      problems.push({ file: sourceOf(o, fieldPath), path: fieldPath, value: valueAt(s, fieldPath), message: `${o.id}: ${message}`, fix });
    };
    // With several clusters and no placement.default, placement-checks.ts reports it: no layer is judged until then.
    const placementKnown = Object.keys(o.region.clusters).length <= 1 || s.placement.default !== undefined;
    for (const ui of Object.keys(PLATFORM_UI_HOSTS) as UiName[]) {
      const exposure = s.ui[ui];
      if (!exposure) continue;
      const at = `ui.${ui}`;
      if (!s.ingress.acme.email) {
        problem(
          'ingress.acme.email',
          `${ui} is exposed, and Let's Encrypt needs an account address`,
          'set ingress.acme.email, e.g. platform@example.org',
        );
      }
      exposure.middlewares.forEach((m, i) => {
        if (!(m in s.ingress.middlewares)) {
          problem(
            `${at}.middlewares.${i}`,
            `names middleware ${m}, which ingress.middlewares does not declare`,
            `declare it under ingress.middlewares (${Object.keys(s.ingress.middlewares).join(', ') || 'none declared yet'}), or remove it`,
          );
        }
      });
      if (!exposure.middlewares.some((m) => s.ingress.middlewares[m] && authenticates(s.ingress.middlewares[m]))) {
        problem(
          `${at}.middlewares`,
          `none of the middlewares in front of ${ui} authenticates, and a platform UI is never exposed without it`,
          'add a basicAuth middleware (its users from the secret backend) or a forwardAuth one to an identity proxy such as oauth2-proxy or Keycloak',
        );
      }
      const needs: { enabled: boolean; setting: string; layer?: 'search' | 'data' } =
        ui === 'grafana'
          ? { enabled: !s.monitoring.external, setting: 'Prometheus in the cluster (no monitoring.external)' }
          : ui === 'opensearchDashboards'
            ? { enabled: s.opensearch.enabled, setting: 'opensearch.enabled: true', layer: 'search' }
            : ui === 'minioConsole'
              ? { enabled: s.minio.enabled, setting: 'minio.enabled: true', layer: 'data' }
              : { enabled: true, setting: '' };
      if (!needs.enabled) {
        problem(
          at,
          ui === 'grafana'
            ? 'Grafana runs beside the Prometheus outside the cluster (monitoring.external), not in it'
            : `the overlay runs no ${ui === 'minioConsole' ? 'MinIO' : 'OpenSearch'} to show`,
          `remove ${at}, or set ${needs.setting}`,
        );
      } else if (needs.layer && placementKnown && layerClusterKey(o, needs.layer) !== layerClusterKey(o, 'ingress')) {
        problem(
          at,
          `the ${needs.layer} layer runs on cluster ${layerClusterKey(o, needs.layer)}, and the route would be on the ingress layer's cluster ${layerClusterKey(o, 'ingress')}`,
          `place ingress and ${needs.layer} on the same cluster, or remove ${at}`,
        );
      }
    }
  }
  return problems;
}
