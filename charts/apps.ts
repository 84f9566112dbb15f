import { App } from 'cdk8s';
import { DataChart, secretKeyPrefix } from './data';
import { acmeIssuer, requireTraefik, routeMiddlewares } from './routes';
import type { SearchChart } from './search';
import type { StreamingChart } from './streaming';
import { AppInit } from '../constructs/apps/app-init';
import { Application } from '../constructs/apps/application';
import type { ImportedDatabase } from '../constructs/data/database-export';
import { IRoutable, TRAEFIK_PODS, TraefikRoute, traefikPolicyName } from '../constructs/ingress/traefik-route';
import { WildcardCertificate } from '../constructs/ingress/wildcard-certificate';
import { LayerChart } from '../constructs/platform/layer-chart';
import { allowTraffic } from '../constructs/platform/network';
import { compareStrings } from '../constructs/platform/ordering';
import { OverlayContext } from '../constructs/platform/overlay-context';
import { appHost } from '../environments/apps-checks';
import type { OverlaySpec } from '../environments/model';
import { layerClusterKey } from '../environments/placement';
import * as traefik from '../imports/traefik.io';

/**
 * Apps layer: the overlay's applications (`apps`), each granted the database it uses; the
 * ingress layer (`ingress`, a chart of the same app) gets the routes and certificates of the
 * exposed ones.
 */
export class AppsChart extends LayerChart {
  public readonly apps: Readonly<Record<string, Application>>;

  /**
   * `imported`: databases exported to another cluster of the environment, by `<cluster>|<database>`;
   * `initLayer`: where the apps' init Jobs go (the apps layer waits for it); `search`: the
   * overlay's OpenSearch, for the apps that write indices; `streaming`: its Kafka, for the
   * apps that use topics.
   */
  constructor(
    scope: App,
    overlay: OverlaySpec,
    data: DataChart,
    ingress: LayerChart,
    imported: ReadonlyMap<string, ImportedDatabase>,
    initLayer: LayerChart,
    search?: SearchChart,
    streaming?: StreamingChart,
  ) {
    super(scope, 'apps', { region: overlay.region.name, environment: overlay.environment });
    const s = overlay.settings;
    const apps: Record<string, Application> = {};
    let wildcard: WildcardCertificate | undefined;
    for (const name of Object.keys(s.apps).sort(compareStrings)) {
      const spec = s.apps[name];
      if (!spec.enabled) continue;
      // The settings are ApplicationProps' own fields (environments/model.ts picks them).
      const {
        enabled: _enabled,
        database,
        expose,
        init: initSpec,
        volumes,
        redis,
        secretFiles,
        secretEnv,
        uses: _uses,
        opensearch,
        kafka,
        ...props
      } = spec;
      const fromStore = (property: string) => ({ remoteKey: `${secretKeyPrefix(overlay)}/apps/${name}`, property });
      const app = new Application(this, `App-${name}`, {
        ...props,
        name,
        ...(secretFiles || secretEnv ? { secretBackend: overlay.region.secrets } : {}),
        ...(secretFiles ? { secretFiles: Object.fromEntries(Object.entries(secretFiles).map(([p, f]) => [p, fromStore(f.property)])) } : {}),
        ...(secretEnv ? { secretEnv: Object.fromEntries(Object.entries(secretEnv).map(([k, f]) => [k, fromStore(f.property)])) } : {}),
        ...(volumes
          ? {
              volumes: Object.fromEntries(
                Object.entries(volumes).map(([key, v]) => [
                  key,
                  {
                    path: v.path,
                    size: v.size,
                    storageClass: overlay.region.storageClasses[v.storageClass ?? 'retain'],
                    ...(v.accessMode ? { accessMode: v.accessMode } : {}),
                  },
                ]),
              ),
            }
          : {}),
      });
      apps[name] = app;
      // Granted first: its layer holds what the app shares with it (the credentials' copy).
      const init = initSpec
        ? new AppInit(initLayer, `Init-${name}`, {
            app: name,
            namespace: app.namespace,
            image: initSpec.image ?? spec.image,
            command: initSpec.command,
            ...(initSpec.args ? { args: initSpec.args } : {}),
            ...(initSpec.env ? { env: initSpec.env } : {}),
            ...(spec.runAsUser !== undefined ? { runAsUser: spec.runAsUser } : {}),
          })
        : undefined;
      if (init) this.dependOn(initLayer);
      const appsOn = layerClusterKey(overlay, 'apps');
      const remote = database !== undefined && appsOn !== layerClusterKey(overlay, 'data') ? imported.get(`${appsOn}|${database}`) : undefined;
      if (remote) {
        // The database runs on another cluster and is exported to this one.
        if (init) init.useDatabase(remote.grantDatabase(init));
        app.useDatabase(remote.grantDatabase(app));
      } else if (database !== undefined) {
        if (!data.postgres) {
          OverlayContext.of(this).problems.push({
            file: overlay.sourceFile,
            path: `apps.${name}.database`,
            value: database,
            message: `${overlay.id}: app ${name} uses database ${database}, and postgres is disabled`,
            fix: 'set postgres.enabled: true, or remove the database',
          });
        } else {
          if (init) init.useDatabase(data.postgres.grantDatabase(init, database));
          app.useDatabase(data.postgres.grantDatabase(app, database));
        }
      }
      if (redis && data.redis) app.useRedis(data.redis.grantAccess(app));
      if (opensearch && search) app.useOpenSearch(search.opensearch.grantIndexWrite(app, opensearch.indices));
      if (kafka && streaming) {
        const cluster = streaming.kafka;
        const produced = (kafka.produce ?? []).map((t) => cluster.grantProduce(app, cluster.topic(t) ?? cluster.addTopic(t)));
        const consumed = (kafka.consume ?? []).map((t) => cluster.grantConsume(app, t, name));
        const user = produced[0] ?? consumed[0];
        if (user) app.useKafka(cluster, user);
      }
      // Other environments' routes send a share here: Traefik reaches the pods, whether or not this one exposes them.
      if (overlay.splitFrom?.[name]) {
        requireTraefik(ingress, overlay);
        allowTraffic(ingress, `AllowSplit-${name}`, {
          name: traefikPolicyName(`${name}-split`, app.namespace),
          from: TRAEFIK_PODS,
          to: app.pods,
          ports: [app.port],
        });
      }
      if (expose) {
        const issuer = acmeIssuer(ingress, overlay);
        const middlewares = routeMiddlewares(overlay, expose.middlewares ?? []);
        requireTraefik(ingress, overlay);
        if (s.ingress.wildcard && !wildcard) {
          const domain = overlay.environment === 'prod' ? overlay.region.baseDomain : `${overlay.environment}.${overlay.region.baseDomain}`;
          wildcard = new WildcardCertificate(ingress, 'Wildcard', { domain, issuer });
        }
        const route = {
          host: appHost(overlay, name, expose.host),
          ...(expose.path ? { path: expose.path } : {}),
          issuer,
          ...(wildcard ? { wildcard } : {}),
          ...(middlewares.length ? { middlewares } : {}),
        };
        if (expose.split) {
          new TraefikRoute(ingress, `Route-${name}`, { target: this.split(overlay, ingress, app, expose.split), ...route });
        } else {
          app.exposeAt(ingress, route);
        }
      }
    }
    // Calls between apps, once every app exists: each called app grants its caller.
    for (const name of Object.keys(apps).sort(compareStrings)) {
      for (const other of s.apps[name].uses ?? []) {
        const callee = apps[other];
        if (!callee) throw new Error(`internal error: ${overlay.id}: app ${name} uses ${other}, which was not built`);
        apps[name].useApp(callee.grantAccess(apps[name]));
      }
    }
    this.apps = apps;
  }

  /**
   * A weighted TraefikService over this environment's app and the same app of the other
   * environments of the shared cluster (each of which admits Traefik to its own pods).
   */
  private split(overlay: OverlaySpec, ingress: LayerChart, app: Application, shares: Readonly<Record<string, number>>): IRoutable {
    const envs = Object.keys(shares).sort(compareStrings);
    const services = envs
      .filter((env) => shares[env] > 0)
      .map((env) => {
        const mate = env === overlay.environment ? { namespace: app.namespace, port: app.port } : overlay.clusterMates?.[env]?.[app.name];
        if (!mate) throw new Error(`internal error: ${overlay.id}: app ${app.name} of ${env} was not resolved`);
        return {
          name: app.name,
          ...(env === overlay.environment ? {} : { namespace: mate.namespace }),
          port: traefik.TraefikServiceSpecWeightedServicesPort.fromNumber(mate.port),
          weight: shares[env],
        };
      });
    new traefik.TraefikService(ingress, `Split-${app.name}`, {
      metadata: { name: `${app.name}-split`, namespace: app.namespace },
      spec: { weighted: { services } },
    });
    return {
      routeName: app.name,
      serviceName: `${app.name}-split`,
      serviceKind: 'TraefikService',
      servicePort: app.port,
      routePods: app.pods,
      targetPort: app.port,
    };
  }
}
