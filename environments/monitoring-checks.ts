/**
 * Rules of `monitoring`: Grafana exposed only behind authentication, what a Prometheus outside
 * the cluster cannot do, and the addresses it is admitted from.
 */
import type { OverlaySpec } from './model';
import type { Problem } from './problems';
import { valueAt } from './problems';
import type { SourceOf } from './semantic-checks';
import { authenticates } from '../constructs/ingress/traefik-middleware';
import { externalAddressesProblem } from '../constructs/platform/external-endpoints';

export function checkMonitoring(overlays: readonly OverlaySpec[], sourceOf: SourceOf): Problem[] {
  const problems: Problem[] = [];
  for (const o of overlays) {
    const s = o.settings;
    const external = s.monitoring.external;
    const problem = (fieldPath: string, message: string, fix: string) => {
      problems.push({ file: sourceOf(o, fieldPath), path: fieldPath, value: valueAt(s, fieldPath), message: `${o.id}: ${message}`, fix });
    };
    const grafana = s.monitoring.grafana?.expose;
    if (grafana) {
      if (external) {
        problem(
          'monitoring.grafana.expose',
          'Grafana runs beside the Prometheus outside the cluster (monitoring.external), not in it',
          'remove monitoring.grafana.expose and serve that Grafana from its VM, or run Prometheus in the cluster',
        );
      }
      if (!s.ingress.acme.email) {
        problem(
          'ingress.acme.email',
          "Grafana is exposed, and Let's Encrypt needs an account address",
          'set ingress.acme.email, e.g. platform@example.org',
        );
      }
      grafana.middlewares.forEach((m, i) => {
        if (!(m in s.ingress.middlewares)) {
          problem(
            `monitoring.grafana.expose.middlewares.${i}`,
            `names middleware ${m}, which ingress.middlewares does not declare`,
            `declare it under ingress.middlewares (${Object.keys(s.ingress.middlewares).join(', ') || 'none declared yet'}), or remove it`,
          );
        }
      });
      if (!grafana.middlewares.some((m) => s.ingress.middlewares[m] && authenticates(s.ingress.middlewares[m]))) {
        problem(
          'monitoring.grafana.expose.middlewares',
          'none of the middlewares in front of Grafana authenticates, and Grafana is never exposed without it',
          'add a basicAuth middleware (its users from the secret backend) or a forwardAuth one to an identity proxy such as oauth2-proxy or Keycloak',
        );
      }
    }
    if (!external) continue;
    const addresses = externalAddressesProblem('monitoring.external', external.addresses, 'Prometheus servers');
    if (addresses) {
      problem(
        'monitoring.external.addresses',
        addresses.replace(/^monitoring\.external: /, ''),
        'list each Prometheus server once, by its routable IPv4 address',
      );
    }
    let host = '';
    try {
      const url = new URL(external.apiServerUrl);
      host = url.protocol === 'https:' && url.pathname === '/' && !url.search && !url.username ? url.hostname : '';
    } catch {
      host = '';
    }
    if (!host) {
      problem(
        'monitoring.external.apiServerUrl',
        'is not the https URL of a host (and port)',
        'write the API server URL alone, e.g. https://10.40.0.5:6443',
      );
    }
    if (s.opensearch.enabled && s.opensearch.prometheusExporter) {
      problem(
        'opensearch.prometheusExporter',
        "OpenSearch's exporter is scraped through a ServiceMonitor the opensearch-operator creates, and Prometheus runs outside the cluster (monitoring.external), where no ServiceMonitor exists",
        'set opensearch.prometheusExporter: false (the cluster then has no exporter metrics or alerts), or run Prometheus in the cluster',
      );
    }
  }
  return problems;
}
