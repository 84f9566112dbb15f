/**
 * The platform's own web UIs behind Traefik (Grafana, OpenSearch Dashboards, the MinIO
 * console, Traefik's dashboard), never without authentication in front of them: the route
 * needs a middleware that establishes who the client is (Traefik's basicAuth from the secret
 * backend, or forward-auth to an identity proxy such as oauth2-proxy or Keycloak), and each UI
 * keeps its own login behind it (Traefik's dashboard has none). Each component describes its
 * UI (`PlatformUi`): the charts' UIs here, the operators' next to their constructs
 * (`OpenSearchCluster.dashboardsUi`, `MinioTenant.consoleUi`).
 */
import { Construct } from 'constructs';
import { LetsEncryptIssuer } from './acme-issuer';
import { authenticates, MiddlewareCredentials, MiddlewareSpec } from './middleware-spec';
import { IRoutable, TRAEFIK_PODS, TraefikRoute } from './traefik-route';
import { GRAFANA_PODS, GRAFANA_PORT, GRAFANA_SERVICE } from '../monitoring/grafana';
import { OverlayContext } from '../platform/overlay-context';

/** A web UI a component serves, as a route reaches it. */
export interface PlatformUi {
  /** What the route sends to; its `routeName` names the route, certificate and policies. */
  readonly target: IRoutable;
  /** Called once the UI is exposed at `host` (a chart told its public URL). @default nothing */
  readonly exposedAt?: (scope: Construct, host: string) => void;
}

/** Grafana (constructs/monitoring/grafana.ts): its Service, port 80 to Grafana's 3000; its root URL comes with `ui.grafana`. */
export const GRAFANA_UI: PlatformUi = {
  target: {
    routeName: 'grafana',
    serviceName: GRAFANA_SERVICE,
    servicePort: 80,
    targetPort: GRAFANA_PORT,
    routePods: GRAFANA_PODS,
  },
};

/** Traefik's dashboard and API (`api@internal`), served by Traefik itself; the chart's own route to it stays off. */
export const TRAEFIK_DASHBOARD_UI: PlatformUi = {
  target: {
    routeName: 'traefik-dashboard',
    serviceName: 'api@internal',
    serviceKind: 'TraefikService',
    servicePort: 8080,
    targetPort: 8080,
    routePods: TRAEFIK_PODS,
    internal: true,
  },
  exposedAt: (scope) => OverlayContext.of(scope).requireOperator('traefik', { api: { dashboard: true } }),
};

export interface PlatformUiRouteProps {
  readonly ui: PlatformUi;
  readonly host: string;
  readonly issuer: LetsEncryptIssuer;
  /** Applied in order; at least one authenticates (basicAuth or forwardAuth). */
  readonly middlewares: readonly { readonly name: string; readonly spec: MiddlewareSpec; readonly credentials?: MiddlewareCredentials }[];
}

export class PlatformUiRoute extends Construct {
  public readonly route: TraefikRoute;

  constructor(scope: Construct, id: string, props: PlatformUiRouteProps) {
    super(scope, id);
    const name = props.ui.target.routeName;
    if (!props.middlewares.some((m) => authenticates(m.spec))) {
      throw new Error(`${name} route: none of its middlewares authenticates; add a basicAuth middleware, or a forwardAuth one to an identity proxy`);
    }
    props.ui.exposedAt?.(this, props.host);
    this.route = new TraefikRoute(this, 'Route', { target: props.ui.target, host: props.host, issuer: props.issuer, middlewares: props.middlewares });
  }
}
