/**
 * kube-prometheus-stack's Grafana behind Traefik, never without authentication in front of it:
 * the route needs a middleware that establishes who the client is (Traefik's basicAuth from
 * the secret backend, or forward-auth to an identity proxy such as oauth2-proxy or Keycloak),
 * and Grafana keeps its own login behind it. Grafana learns its public URL, for the links and
 * redirects it writes.
 */
import { Construct } from 'constructs';
import { LetsEncryptIssuer } from './acme-issuer';
import { authenticates, MiddlewareCredentials, MiddlewareSpec } from './traefik-middleware';
import { TraefikRoute } from './traefik-route';
import { PROMETHEUS_OPERATOR } from '../operators/catalog';
import { OverlayContext } from '../platform/overlay-context';

const NAMESPACE = 'monitoring';
/** The Service the chart names after its release (`<release>-grafana`), its port, and Grafana's container port. */
const SERVICE = `${PROMETHEUS_OPERATOR}-grafana`;
const SERVICE_PORT = 80;
const GRAFANA_PORT = 3000;

export interface GrafanaRouteProps {
  readonly host: string;
  readonly issuer: LetsEncryptIssuer;
  /** Applied in order; at least one authenticates (basicAuth or forwardAuth). */
  readonly middlewares: readonly { readonly name: string; readonly spec: MiddlewareSpec; readonly credentials?: MiddlewareCredentials }[];
}

export class GrafanaRoute extends Construct {
  public readonly route: TraefikRoute;

  constructor(scope: Construct, id: string, props: GrafanaRouteProps) {
    super(scope, id);
    if (!props.middlewares.some((m) => authenticates(m.spec))) {
      throw new Error('Grafana route: none of its middlewares authenticates; add a basicAuth middleware, or a forwardAuth one to an identity proxy');
    }
    OverlayContext.of(this).requireOperator(PROMETHEUS_OPERATOR, {
      grafana: { 'grafana.ini': { server: { root_url: `https://${props.host}` } } },
    });
    this.route = new TraefikRoute(this, 'Route', {
      target: {
        routeName: 'grafana',
        serviceName: SERVICE,
        serviceKind: 'Service',
        servicePort: SERVICE_PORT,
        targetPort: GRAFANA_PORT,
        routePods: { namespace: NAMESPACE, podLabels: { 'app.kubernetes.io/name': 'grafana' } },
      },
      host: props.host,
      issuer: props.issuer,
      middlewares: props.middlewares,
    });
  }
}
