import { App } from 'cdk8s';
import type { DataChart } from './data';
import { AppInit } from '../constructs/apps/app-init';
import { Application } from '../constructs/apps/application';
import type { ImportedDatabase } from '../constructs/data/database-export';
import { LetsEncryptIssuer } from '../constructs/ingress/acme-issuer';
import { LayerChart } from '../constructs/platform/layer-chart';
import { compareStrings } from '../constructs/platform/ordering';
import { OverlayContext } from '../constructs/platform/overlay-context';
import { appHost } from '../environments/apps-checks';
import type { OverlaySpec } from '../environments/model';
import { layerClusterKey } from '../environments/placement';

/**
 * Apps layer: the overlay's applications (`apps`), each granted the database it uses; the
 * ingress layer (`ingress`, a chart of the same app) gets the routes and certificates of the
 * exposed ones.
 */
export class AppsChart extends LayerChart {
  public readonly apps: Readonly<Record<string, Application>>;

  /**
   * `imported`: databases exported to another cluster of the environment, by `<cluster>|<database>`;
   * `initLayer`: where the apps' init Jobs go (the apps layer waits for it).
   */
  constructor(
    scope: App,
    overlay: OverlaySpec,
    data: DataChart,
    ingress: LayerChart,
    imported: ReadonlyMap<string, ImportedDatabase>,
    initLayer: LayerChart,
  ) {
    super(scope, 'apps', { region: overlay.region.name, environment: overlay.environment });
    const s = overlay.settings;
    const apps: Record<string, Application> = {};
    for (const name of Object.keys(s.apps).sort(compareStrings)) {
      const spec = s.apps[name];
      if (!spec.enabled) continue;
      // The settings are ApplicationProps' own fields (environments/model.ts picks them).
      const { enabled: _enabled, database, expose, init: initSpec, volumes, redis, ...props } = spec;
      const app = new Application(this, `App-${name}`, {
        ...props,
        name,
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
      if (expose) {
        const acme = s.ingress.acme;
        const issuer = LetsEncryptIssuer.of(ingress, {
          email: acme.email ?? '',
          server: acme.server,
          solver: acme.solver,
          secretBackend: overlay.region.secrets,
        });
        const middlewares = (expose.middlewares ?? []).map((m) => ({ name: m, spec: s.ingress.middlewares[m] }));
        app.exposeAt(ingress, {
          host: appHost(overlay, name, expose.host),
          ...(expose.path ? { path: expose.path } : {}),
          issuer,
          ...(middlewares.length ? { middlewares } : {}),
        });
      }
    }
    this.apps = apps;
  }
}
