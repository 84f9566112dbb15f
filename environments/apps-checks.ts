/**
 * Rules of `apps` and `ingress` the schema cannot state: a pinned image, probes on the port
 * the app serves, a database that exists on an engine whose credentials can be granted, one
 * app per host and path, autoscaling bounds, and an ACME address once anything is exposed.
 */
import type { OverlaySpec } from './model';
import { sharedClusterKey } from './placement';
import type { Problem } from './problems';
import { valueAt } from './problems';
import type { SourceOf } from './semantic-checks';
import { appAccessVariables } from '../constructs/apps/app-access';
import { middlewareProblem } from '../constructs/ingress/middleware-spec';
import { pinnedImageProblem } from '../constructs/platform/image-reference';

/** The host an exposed app is served at: `<app>.<baseDomain>` in prod, `<app>.<env>.<baseDomain>` elsewhere. */
export function appHost(o: Pick<OverlaySpec, 'environment' | 'region'>, app: string, given?: string): string {
  return given ?? (o.environment === 'prod' ? `${app}.${o.region.baseDomain}` : `${app}.${o.environment}.${o.region.baseDomain}`);
}

const KAFKA_VARIABLES = [
  'KAFKA_BOOTSTRAP_SERVERS',
  'KAFKA_CA_FILE',
  'KAFKA_SECURITY_PROTOCOL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_USERNAME',
  'KAFKA_PASSWORD',
  'KAFKA_CERT_FILE',
  'KAFKA_KEY_FILE',
];

export function checkApps(overlays: readonly OverlaySpec[], sourceOf: SourceOf): Problem[] {
  const problems: Problem[] = [];
  for (const o of overlays) {
    const s = o.settings;
    const problem = (fieldPath: string, message: string, fix: string) => {
      problems.push({ file: sourceOf(o, fieldPath), path: fieldPath, value: valueAt(s, fieldPath), message: `${o.id}: ${message}`, fix });
    };
    const routes = new Map<string, string>();
    if (s.ingress.wildcard) {
      if (!('dns01' in s.ingress.acme.solver)) {
        problem(
          'ingress.wildcard',
          "Let's Encrypt issues wildcard certificates through DNS-01 only, and the solver is HTTP-01",
          'set ingress.acme.solver: {dns01: {cloudflare: {apiTokenKey: ...}}}, or ingress.wildcard: false',
        );
      }
      if (sharedClusterKey(o.region)) {
        problem(
          'ingress.wildcard',
          "the environments share one cluster, and Traefik's TLS store has one default certificate",
          'give the routes certificates of their own (ingress.wildcard: false)',
        );
      }
    }
    for (const [name, spec] of Object.entries(s.ingress.middlewares)) {
      const why = middlewareProblem(spec);
      if (why) problem(`ingress.middlewares.${name}`, why, 'fix the middleware as the message says');
    }
    for (const name of Object.keys(s.apps).sort()) {
      const app = s.apps[name];
      if (!app.enabled) continue;
      const at = `apps.${name}`;
      const image = pinnedImageProblem(app.image);
      if (image) problem(`${at}.image`, `the image ${image}`, 'pin it by a version tag or a digest, e.g. docker.io/traefik/whoami:v1.11.0');
      for (const kind of ['readiness', 'liveness', 'startup'] as const) {
        const p = app.probes?.[kind];
        const port = p && ('http' in p ? p.http.port : 'tcp' in p ? p.tcp.port : undefined);
        if (port !== undefined && port !== app.port) {
          problem(
            `${at}.probes.${kind}`,
            `the probe checks port ${port}, and the app serves ${app.port}`,
            `check port ${app.port}, or leave the port out (the app's port is the default)`,
          );
        }
      }
      for (const colour of ['blue', 'green'] as const) {
        const own = app.blueGreen?.[colour]?.image;
        const ownProblem = own !== undefined ? pinnedImageProblem(own) : undefined;
        if (ownProblem) problem(`${at}.blueGreen.${colour}.image`, `the image ${ownProblem}`, 'pin it by a version tag or a digest');
      }
      if (app.blueGreen?.weights && app.blueGreen.mirrorPercent !== undefined) {
        problem(
          `${at}.blueGreen.mirrorPercent`,
          'the colours share the traffic (weights) and the idle colour gets a copy (mirrorPercent)',
          'split or mirror, not both',
        );
      }
      const weights = app.blueGreen?.weights;
      if (weights && weights.blue + weights.green === 0) {
        problem(
          `${at}.blueGreen.weights`,
          'every colour has weight 0, so the route would send traffic nowhere',
          `give the colour that serves a weight above 0, e.g. {blue: 100, green: 0}`,
        );
      }
      // One mount per path: writable paths, volumes, files and credential files.
      const mounts = [
        ...(app.writablePaths ?? []).map((p) => [p, 'writablePaths'] as const),
        ...Object.entries(app.volumes ?? {}).map(([v, spec]) => [spec.path, `volumes.${v}.path`] as const),
        ...Object.keys(app.files ?? {}).map((p) => [p, 'files'] as const),
        ...Object.keys(app.secretFiles ?? {}).map((p) => [p, 'secretFiles'] as const),
        ...(app.opensearch ? [['/etc/strata/opensearch-ca', 'opensearch (its CA)'] as const] : []),
        ...(app.kafka ? [['/etc/strata/kafka-ca', 'kafka (its CA)'] as const, ['/etc/strata/kafka-user', 'kafka (its user)'] as const] : []),
      ];
      const seenMounts = new Map<string, string>();
      for (const [mount, field] of mounts) {
        const prev = seenMounts.get(mount);
        if (prev) problem(`${at}.${field}`, `${mount} is mounted by ${prev} already`, 'give each mount a path of its own');
        else seenMounts.set(mount, field);
      }
      const stateful = app.workload === 'StatefulSet';
      if (stateful && app.blueGreen) {
        problem(
          `${at}.blueGreen`,
          'a StatefulSet runs one set of pods on their own claims, and blue-green runs two',
          `remove blueGreen, or set ${at}.workload: Deployment`,
        );
      }
      // A StatefulSet gives each pod its own claim: ReadWriteOnce serves any count.
      const exclusive = stateful
        ? undefined
        : Object.keys(app.volumes ?? {}).find((v) => (app.volumes![v].accessMode ?? 'ReadWriteOnce') === 'ReadWriteOnce');
      if (exclusive && (app.replicas > 1 || (app.autoscaling?.maxReplicas ?? 1) > 1 || app.blueGreen)) {
        problem(
          `${at}.volumes.${exclusive}`,
          `a ReadWriteOnce volume serves one pod, and the app runs ${app.blueGreen ? 'two colours' : 'more than one replica'}`,
          `set ${at}.replicas: 1, or give the volume accessMode: ReadWriteMany (a storage class that shares it)`,
        );
      }
      if (app.port < 1024 && !app.relaxations?.bindLowPorts && !app.relaxations?.runAsRoot) {
        problem(
          `${at}.port`,
          `port ${app.port} is below 1024, which a non-root process binds only with NET_BIND_SERVICE`,
          `serve a port of 1024 or more (most images take it as a setting), or set ${at}.relaxations.bindLowPorts with the reason`,
        );
      }
      if (app.autoscaling && app.autoscaling.minReplicas > app.autoscaling.maxReplicas) {
        problem(
          `${at}.autoscaling.minReplicas`,
          `minReplicas is above maxReplicas (${app.autoscaling.maxReplicas})`,
          'lower minReplicas or raise maxReplicas',
        );
      }
      if (app.database !== undefined) {
        const pg = s.postgres;
        if (!pg.enabled) {
          problem(
            `${at}.database`,
            `the app uses database ${app.database}, and postgres is disabled`,
            'set postgres.enabled: true, or remove the database',
          );
        } else if (!pg.databases.some((d) => d.name === app.database)) {
          problem(
            `${at}.database`,
            `postgres has no database ${app.database}`,
            `add it to postgres.databases, or use one of ${pg.databases.map((d) => d.name).join(', ') || '(none declared)'}`,
          );
        } else if (pg.engine === 'zalando' && (app.namespace ?? name) !== pg.namespace) {
          problem(
            `${at}.database`,
            "the Zalando operator makes the database's credentials in its own namespace, where no other namespace can read them",
            `run the app in namespace ${pg.namespace} (apps.${name}.namespace), or use engine cloudnative-pg, whose credentials come from the secret store`,
          );
        }
      }
      (app.uses ?? []).forEach((other, i) => {
        if (other === name) {
          problem(`${at}.uses.${i}`, 'the app lists itself', 'remove it: an app reaches its own pods without a grant');
        } else if (!s.apps[other]?.enabled) {
          const known = Object.keys(s.apps).filter((a) => a !== name && s.apps[a].enabled);
          problem(
            `${at}.uses.${i}`,
            `the overlay runs no app ${other}${s.apps[other] ? ' (it is disabled)' : ''}`,
            `use one of ${known.join(', ') || '(no other app)'}, or add apps.${other}`,
          );
        }
      });
      // What a grant gives is the grant's: a literal of the same name would shadow it.
      const granted = new Map<string, string>([
        ...(app.database !== undefined ? ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGSSLMODE', 'PGUSER', 'PGPASSWORD'] : []).map(
          (k) => [k, 'database'] as const,
        ),
        ...(app.redis ? ['REDIS_HOST', 'REDIS_PORT', 'REDIS_SENTINEL_HOST', 'REDIS_SENTINEL_PORT', 'REDIS_MASTER_NAME', 'REDIS_PASSWORD'] : []).map(
          (k) => [k, 'Redis'] as const,
        ),
        ...(app.uses ?? []).flatMap((other) => Object.values(appAccessVariables(other)).map((k) => [k, `app ${other}`] as const)),
        ...(app.opensearch ? ['OPENSEARCH_URL', 'OPENSEARCH_USERNAME', 'OPENSEARCH_PASSWORD', 'OPENSEARCH_CA_FILE'] : []).map(
          (k) => [k, 'OpenSearch'] as const,
        ),
        ...(app.kafka ? KAFKA_VARIABLES : []).map((k) => [k, 'Kafka'] as const),
      ]);
      for (const key of Object.keys(app.secretEnv ?? {})) {
        if (granted.has(key)) {
          problem(`${at}.secretEnv.${key}`, `${key} is what the app's ${granted.get(key)} grant gives`, 'remove it (the grant sets it)');
        } else if (app.env && key in app.env) {
          problem(`${at}.secretEnv.${key}`, `${key} is set in env too`, `keep one: a credential belongs in secretEnv, remove env.${key}`);
        }
      }
      for (const key of Object.keys(app.env ?? {}).filter((k) => granted.has(k))) {
        problem(
          `${at}.env.${key}`,
          `${key} is what the app's ${granted.get(key)} grant gives`,
          `remove it (the grant sets it), or refer to it from another variable as $(${key})`,
        );
      }
      // Two grants that set one variable: app names that differ only by - and _ cannot happen (DNS labels), but Redis can.
      if (app.redis && (app.uses ?? []).includes('redis')) {
        problem(`${at}.uses`, "app redis and the overlay's Redis both set REDIS_HOST and REDIS_PORT", 'use one of the two, or rename the app');
      }
      if (app.kafka) {
        const kafka = s.streaming.kafka;
        if (!kafka.enabled) {
          problem(`${at}.kafka`, 'the app uses Kafka topics, and streaming.kafka is disabled', 'set streaming.kafka.enabled: true, or remove it');
        } else if ((app.namespace ?? name) !== kafka.namespace) {
          problem(
            `${at}.kafka`,
            `Strimzi's User Operator writes the app's Kafka credential into namespace ${kafka.namespace} only, and the app runs in ${app.namespace ?? name}`,
            `run the app in namespace ${kafka.namespace} (${at}.namespace: ${kafka.namespace}), or remove kafka`,
          );
        }
        // A topic read is written by an app of the overlay or a CDC pipeline.
        const written = new Set([
          ...Object.values(s.apps).flatMap((a) => (a.enabled ? (a.kafka?.produce ?? []) : [])),
          ...s.streaming.pipelines.flatMap((p) => p.tables.map((t) => `${p.name}.${t}`)),
        ]);
        (app.kafka.consume ?? []).forEach((topic, i) => {
          if (!written.has(topic)) {
            problem(
              `${at}.kafka.consume.${i}`,
              `no app of the overlay produces topic ${topic}, nor does a CDC pipeline`,
              `name a topic an app lists in kafka.produce or a pipeline writes (<pipeline>.<schema>.<table>)${written.size ? `: ${[...written].sort().join(', ')}` : ''}`,
            );
          }
        });
      }
      if (app.opensearch && !s.opensearch.enabled) {
        problem(`${at}.opensearch`, 'the app writes to OpenSearch, and opensearch is disabled', 'set opensearch.enabled: true, or remove it');
      }
      if (app.redis && !s.redis.enabled) {
        problem(`${at}.redis`, 'the app uses Redis, and redis is disabled', "set redis.enabled: true with the machines' addresses, or remove it");
      }
      if (app.expose) {
        if (!s.ingress.acme.email) {
          problem(
            'ingress.acme.email',
            `app ${name} is exposed, and Let's Encrypt needs an account address`,
            'set ingress.acme.email, e.g. platform@example.org',
          );
        }
        (app.expose.middlewares ?? []).forEach((m, i) => {
          if (!(m in s.ingress.middlewares)) {
            problem(
              `${at}.expose.middlewares.${i}`,
              `names middleware ${m}, which ingress.middlewares does not declare`,
              `declare it under ingress.middlewares (${Object.keys(s.ingress.middlewares).join(', ') || 'none declared yet'}), or remove it`,
            );
          }
        });
        const split = app.expose.split;
        if (split) {
          const shared = sharedClusterKey(o.region);
          const others = Object.keys(split).filter((e) => e !== o.environment);
          if (!shared) {
            problem(
              `${at}.expose.split`,
              "a split across environments reaches the other environments' apps in one cluster, and the region's environments run on clusters of their own",
              `declare the region's cluster shared (clusters.<key>.shared: true), or remove the split`,
            );
          } else {
            for (const env of Object.keys(split).sort()) {
              const mate = overlays.find((m) => m.region.name === o.region.name && m.environment === env);
              if (!mate) {
                problem(
                  `${at}.expose.split.${env}`,
                  `the region has no environment ${env}`,
                  `use environments of ${o.region.name}, or add overlays/${o.region.name}/${env}.yaml`,
                );
              } else if (!mate.settings.apps[name]?.enabled) {
                problem(
                  `${at}.expose.split.${env}`,
                  `environment ${env} runs no app ${name} to send its share to`,
                  `add apps.${name} to ${env}, or remove ${env} from the split`,
                );
              }
            }
            if (others.length && !s.ingress.allowCrossNamespace) {
              problem(
                `${at}.expose.split`,
                `the split sends traffic to ${others.join(', ')}, whose apps are in other namespaces, and Traefik may reach only its route's own`,
                "set ingress.allowCrossNamespace: true in the region's defaults (the same for every environment of the cluster)",
              );
            }
          }
          if (Object.values(split).reduce((a, b) => a + b, 0) === 0) {
            problem(
              `${at}.expose.split`,
              'every environment has share 0, so the route would send traffic nowhere',
              `give ${o.environment} a share above 0`,
            );
          }
          if (app.blueGreen?.weights) {
            problem(
              `${at}.expose.split`,
              'the app splits its traffic between colours (blueGreen.weights) and between environments',
              'keep one of the two splits',
            );
          }
        }
        const route = `${appHost(o, name, app.expose.host)}${app.expose.path ?? '/'}`;
        const other = routes.get(route);
        if (other) problem(`${at}.expose`, `${route} is served by app ${other} already`, 'give one of them another host or path');
        else routes.set(route, name);
      }
    }
  }
  return problems;
}
