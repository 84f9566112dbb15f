/**
 * An app behind Traefik: an IngressRoute on the `websecure` entry point for its host (and
 * path), the certificate for the host from Let's Encrypt through cert-manager, and the paths
 * a route implies through the default-deny policies: Traefik to the app's port, Traefik to
 * cert-manager's HTTP-01 solver pods in the app's namespace, and, once per cluster, the
 * internet to Traefik's entry points and Prometheus to its metrics. Traefik itself (the
 * operators layer's `traefik` release, from the traefik.io CRD group) is installed because
 * the route uses its CRDs.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { LetsEncryptIssuer } from './acme-issuer';
import type { MiddlewareCredentials, MiddlewareSpec } from './middleware-spec';
import { useMiddleware } from './traefik-middleware';
import type { WildcardCertificate } from './wildcard-certificate';
import * as cm from '../../imports/cert-manager.io';
import * as traefik from '../../imports/traefik.io';
import type { PodGroup } from '../core/grantee';
import { hostnameProblem } from '../platform/names';
import { allowTraffic } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { admitScrape } from '../platform/scrape';
import { PlatformCa } from '../tls/platform-ca';

/** Traefik's pods as the chart labels them, in the namespace the operators layer installs it into. */
export const TRAEFIK_PODS: PodGroup = { namespace: 'traefik', podLabels: { 'app.kubernetes.io/name': 'traefik' } };
/** The chart's container ports of the `web` and `websecure` entry points, and of its metrics. */
/**
 * The name of the policies that let Traefik reach `target`'s pods. Their egress half lives in
 * Traefik's namespace, which the environments of a shared cluster have in common: a target in
 * a namespace not named after it (prod's and stage's `wordpress`) carries the namespace.
 */
export function traefikPolicyName(target: string, namespace: string): string {
  return namespace === target ? `allow-traefik-to-${target}` : `allow-traefik-to-${namespace}-${target}`;
}

const ENTRY_POINT_PORTS = [8000, 8443];
const METRICS_PORT = 9100;
/** The port cert-manager's HTTP-01 solver pods listen on. */
const HTTP01_SOLVER_PORT = 8089;

/** What a route sends traffic to: a Service in front of pods. */
export interface IRoutable {
  /** Names the route, its certificate and policies. */
  readonly routeName: string;
  readonly serviceName: string;
  readonly servicePort: number;
  /** A TraefikService (weighted, mirroring) in the target's namespace instead of a Service. @default 'Service' */
  readonly serviceKind?: 'Service' | 'TraefikService';
  /** The pods behind the Service (where Traefik's traffic arrives). */
  readonly routePods: PodGroup;
  /** The container port the Service targets. */
  readonly targetPort: number;
  /**
   * The pods serve HTTPS with a certificate of the platform CA for `serverName`: Traefik
   * verifies it through a ServersTransport `<route>-backend` that trusts the CA. @default plain HTTP
   */
  readonly backendTls?: { readonly serverName: string };
  /** A service inside Traefik itself (`api@internal`, the dashboard): no network path to open. @default false */
  readonly internal?: boolean;
}

export interface TraefikRouteProps {
  readonly target: IRoutable;
  /** The public host name, e.g. `hello.region-a.example.org`. */
  readonly host: string;
  /** A path prefix. @default '/' */
  readonly path?: string;
  readonly issuer: LetsEncryptIssuer;
  /** A wildcard certificate that may cover the host: the route then serves it from Traefik's default store. @default none */
  readonly wildcard?: WildcardCertificate;
  /** Routes ahead of the target's for requests that also match `match` (a header, a cookie), to another Service of its namespace. @default none */
  readonly candidates?: readonly { readonly match: string; readonly serviceName: string; readonly servicePort: number }[];
  /** Middlewares applied in order, by name (rendered into the route's namespace). @default none */
  readonly middlewares?: readonly { readonly name: string; readonly spec: MiddlewareSpec; readonly credentials?: MiddlewareCredentials }[];
}

export class TraefikRoute extends Construct {
  public readonly host: string;

  constructor(scope: Construct, id: string, props: TraefikRouteProps) {
    super(scope, id);
    const t = props.target;
    const hostProblem = hostnameProblem(props.host);
    if (hostProblem) throw new Error(`route ${t.routeName}: host "${props.host}" ${hostProblem}`);
    const path = props.path ?? '/';
    if (!/^\/[-a-zA-Z0-9._~/]*$/.test(path)) {
      throw new Error(`route ${t.routeName}: path "${path}" is not a URL path; start it with / and use letters, digits, - . _ ~ and /`);
    }
    this.host = props.host;
    const namespace = t.routePods.namespace;
    const secretName = `${t.routeName}-tls`;
    const wildcard = props.wildcard?.covers(props.host) ? props.wildcard : undefined;
    if (!wildcard) {
      new cm.Certificate(this, 'Certificate', {
        metadata: { name: secretName, namespace },
        spec: {
          secretName,
          dnsNames: [props.host],
          issuerRef: { name: props.issuer.issuerName, kind: 'ClusterIssuer', group: 'cert-manager.io' },
          privateKey: {
            algorithm: cm.CertificateSpecPrivateKeyAlgorithm.ECDSA,
            size: 256,
            rotationPolicy: cm.CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
          },
        },
      });
    }
    const middlewares = (props.middlewares ?? []).map((m) => useMiddleware(this, namespace, m.name, m.spec, m.credentials));
    // An HTTPS backend is verified against the platform CA, under the name its certificate carries.
    const transport = t.backendTls ? `${t.routeName}-backend` : undefined;
    if (t.backendTls && transport) {
      const ca = PlatformCa.of(this).trustIn(this, namespace);
      new traefik.ServersTransport(this, 'Backend', {
        metadata: { name: transport, namespace },
        spec: { serverName: t.backendTls.serverName, rootCAs: [{ secret: ca.name }] },
      });
    }
    const match = path === '/' ? `Host(\`${props.host}\`)` : `Host(\`${props.host}\`) && PathPrefix(\`${path}\`)`;
    new traefik.IngressRoute(this, 'Resource', {
      metadata: { name: t.routeName, namespace },
      spec: {
        entryPoints: ['websecure'],
        routes: [
          // Candidates first, and ahead by priority: their matches are the main one's and more.
          ...(props.candidates ?? []).map((c, i) => ({
            match: `${match} && ${c.match}`,
            kind: traefik.IngressRouteSpecRoutesKind.RULE,
            priority: 1000 - i,
            ...(middlewares.length ? { middlewares: middlewares.map((name) => ({ name })) } : {}),
            services: [{ name: c.serviceName, port: traefik.IngressRouteSpecRoutesServicesPort.fromNumber(c.servicePort) }],
          })),
          {
            match,
            kind: traefik.IngressRouteSpecRoutesKind.RULE,
            ...(middlewares.length ? { middlewares: middlewares.map((name) => ({ name })) } : {}),
            services: [
              t.serviceKind === 'TraefikService'
                ? { name: t.serviceName, kind: traefik.IngressRouteSpecRoutesServicesKind.TRAEFIK_SERVICE }
                : {
                    name: t.serviceName,
                    port: traefik.IngressRouteSpecRoutesServicesPort.fromNumber(t.servicePort),
                    ...(transport ? { scheme: 'https', serversTransport: transport } : {}),
                  },
            ],
          },
        ],
        // Under the wildcard: Traefik's default store serves its certificate.
        tls: wildcard ? {} : { secretName },
      },
    });
    if (!t.internal) {
      allowTraffic(this, 'AllowTraefik', {
        name: traefikPolicyName(t.routeName, t.routePods.namespace),
        from: TRAEFIK_PODS,
        to: t.routePods,
        ports: [t.targetPort],
      });
    }
    if (props.issuer.http01 && !wildcard) solverPath(this, namespace);
    TraefikEntry.of(this);
  }
}

/** Traefik to the HTTP-01 solver pods cert-manager starts in a namespace (once per namespace). */
function solverPath(scope: Construct, namespace: string): void {
  const ctx = OverlayContext.of(scope);
  const id = `Http01Solvers-${namespace}`;
  if (ctx.node.tryFindChild(id)) return;
  new Construct(ctx, id);
  allowTraffic(scope, 'AllowSolvers', {
    name: `allow-traefik-to-acme-solvers-${namespace}`,
    from: TRAEFIK_PODS,
    to: { namespace, podLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
    ports: [HTTP01_SOLVER_PORT],
  });
}

/** What every route of a cluster shares: clients reach Traefik's entry points, and Prometheus its metrics. */
class TraefikEntry extends Construct {
  public static of(scope: IConstruct): TraefikEntry {
    const ctx = OverlayContext.of(scope);
    return (ctx.node.tryFindChild('TraefikEntry') as TraefikEntry | undefined) ?? new TraefikEntry(scope as Construct, ctx);
  }

  private constructor(scope: Construct, ctx: Construct) {
    super(scope, 'TraefikEntry');
    new Construct(ctx, 'TraefikEntry');
    // Clients come from anywhere: the load balancer keeps (or NATs) their addresses.
    new k8s.KubeNetworkPolicy(this, 'Clients', {
      metadata: { name: 'allow-clients-to-traefik', namespace: TRAEFIK_PODS.namespace },
      spec: {
        podSelector: { matchLabels: { ...TRAEFIK_PODS.podLabels } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: ENTRY_POINT_PORTS.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) }],
      },
    });
    admitScrape(this, 'Scrape', { name: 'traefik', pods: TRAEFIK_PODS, ports: [METRICS_PORT], endpoints: [{ portNumber: METRICS_PORT }] });
  }
}
