/**
 * The rules of `apps` and `ingress` (environments/apps-checks.ts, the schema's APP_SCHEMA and
 * the placement rule of exposed apps), one failing case per rule on a copy of the shipped
 * environments, whose region-a defaults define the exposed app `hello`: each problem names the
 * file, the field path, the bad value and the fix. Then what a valid app renders: its host,
 * and a database grant through the pooler with the owner's credentials in the app's namespace.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { appHost } from '../../environments/apps-checks';
import { loadEnvironments } from '../../environments/load';
import type { OverlaySpec } from '../../environments/model';
import { EnvironmentError, Problem } from '../../environments/problems';
import { PROJECT_ROOT } from '../../environments/project-root';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { EnvironmentChange, environmentsWith, readEnvironmentsFile, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const PROD = 'overlays/region-a/prod.yaml';
const DEV = 'overlays/region-a/dev.yaml';
const REGION = 'regions/region-a.yaml';
const IMAGE = 'docker.io/traefik/whoami:v1.11.0';

const reject = (changes: Readonly<Record<string, EnvironmentChange>>): EnvironmentError =>
  environmentError(() => loadEnvironments(environmentsWith(changes)));
const appsIn = (file: string, apps: Record<string, unknown>): Record<string, EnvironmentChange> => ({ [file]: { merge: { apps } } });
/** The problems a load reports (none when it loads). */
function problemsOf(changes: Readonly<Record<string, EnvironmentChange>>): readonly Problem[] {
  try {
    loadEnvironments(environmentsWith(changes));
    return [];
  } catch (err) {
    if (err instanceof EnvironmentError) return err.problems;
    throw err;
  }
}

describe('checkApps: each rule refused with the file, path, value and fix', () => {
  test("an image tagged latest, in an overlay: that overlay's file", () => {
    const image = 'docker.io/traefik/whoami:latest';
    const err = reject(appsIn(PROD, { hello: { image } }));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'apps.hello.image',
      value: image,
      message: /^region-a\/prod: the image is tagged latest, which moves: each pull may run a different image$/,
      fix: /^pin it by a version tag or a digest, e.g. docker.io\/traefik\/whoami:v1.11.0$/,
    });
  });

  test("an untagged image in the region's defaults: the region file, once per environment", () => {
    const image = 'docker.io/traefik/whoami';
    const err = reject({ [REGION]: { merge: { defaults: { apps: { hello: { image } } } } } });
    expect(err.problems.map((p) => [p.file, p.path, p.message.split(':')[0]])).toEqual(
      expect.arrayContaining(['dev', 'prod', 'staging'].map((env) => [REGION, 'apps.hello.image', `region-a/${env}`])),
    );
    expect(err.problems).toHaveLength(3);
    expectProblem(err, {
      file: REGION,
      path: 'apps.hello.image',
      value: image,
      message: /: the image has no tag or digest, so each pull may run a different image$/,
      fix: /pin it by a version tag or a digest/,
    });
  });

  test('a pinned tag or a digest is taken; a disabled app is not judged', () => {
    const digest = `docker.io/traefik/whoami@sha256:${'a'.repeat(64)}`;
    const overlays = loadEnvironments(environmentsWith(appsIn(PROD, { hello: { image: digest } })));
    expect(overlays.find((o) => o.id === 'region-a/prod')!.settings.apps.hello.image).toBe(digest);
    expect(problemsOf(appsIn(DEV, { hello: { enabled: false, image: 'docker.io/traefik/whoami:latest' } }))).toEqual([]);
  });

  test('a probe on another port than the app serves', () => {
    const readiness = { http: { path: '/healthz', port: 9090 } };
    const err = reject(appsIn(DEV, { hello: { probes: { readiness } } }));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: DEV,
      path: 'apps.hello.probes.readiness',
      value: readiness,
      message: /^region-a\/dev: the probe checks port 9090, and the app serves 8080$/,
      fix: /^check port 8080, or leave the port out \(the app's port is the default\)$/,
    });
    // A TCP liveness probe too; the app's own port is fine.
    const tcp = reject(appsIn(DEV, { hello: { probes: { liveness: { tcp: { port: 8081 } }, readiness: { http: { path: '/', port: 8080 } } } } }));
    expect(tcp.problems.map((p) => p.path)).toEqual(['apps.hello.probes.liveness']);
  });

  test('autoscaling with minReplicas above maxReplicas', () => {
    const err = reject(appsIn(DEV, { hello: { autoscaling: { minReplicas: 5, maxReplicas: 2 } } }));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: DEV,
      path: 'apps.hello.autoscaling.minReplicas',
      value: 5,
      message: /^region-a\/dev: minReplicas is above maxReplicas \(2\)$/,
      fix: /^lower minReplicas or raise maxReplicas$/,
    });
    expect(problemsOf(appsIn(DEV, { hello: { autoscaling: { minReplicas: 2, maxReplicas: 2 } } }))).toEqual([]);
  });

  test('a database postgres does not declare', () => {
    const err = reject(appsIn(DEV, { hello: { database: 'wiki' } }));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: DEV,
      path: 'apps.hello.database',
      value: 'wiki',
      message: /^region-a\/dev: postgres has no database wiki$/,
      fix: /^add it to postgres.databases, or use one of hrm, payroll, dora$/,
    });
  });

  test('a database with postgres disabled', () => {
    const err = reject({ [DEV]: { merge: { postgres: { enabled: false }, apps: { hello: { database: 'hrm' } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: DEV,
      path: 'apps.hello.database',
      value: 'hrm',
      message: /^region-a\/dev: the app uses database hrm, and postgres is disabled$/,
      fix: /^set postgres.enabled: true, or remove the database$/,
    });
  });

  // Zalando runs one pooler per cluster: every pooled database with the same mode.
  const zalando = (app: Record<string, unknown>): Record<string, EnvironmentChange> => ({
    'overlays/region-b/dev.yaml': {
      merge: {
        postgres: {
          engine: 'zalando',
          databases: ['hrm', 'payroll', 'dora'].map((name) => ({ name, poolerInstances: 2, poolMode: 'transaction' })),
        },
        apps: { hello: { image: IMAGE, database: 'hrm', ...app } },
      },
    },
  });

  test("a database on engine zalando, whose credentials stay in the operator's namespace", () => {
    const err = reject(zalando({}));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-b/dev.yaml',
      path: 'apps.hello.database',
      value: 'hrm',
      message: /^region-b\/dev: the Zalando operator makes the database's credentials in its own namespace, where no other namespace can read them$/,
      fix: /^run the app in namespace postgres \(apps.hello.namespace\), or use engine cloudnative-pg, whose credentials come from the secret store$/,
    });
  });

  test("zalando: the fix the rule gives, the app in postgres' namespace, is taken", () => {
    expect(problemsOf(zalando({ namespace: 'postgres' })).filter((p) => p.path === 'apps.hello.database')).toEqual([]);
  });

  test("an exposed app without ingress.acme.email: reported in each overlay's file", () => {
    // platform.yaml as shipped, without the ACME account address.
    const platform = readEnvironmentsFile('platform.yaml');
    expect(platform.ingress.acme.email).toBe('platform-team@strata.example');
    // The account address goes; the middlewares stay.
    const rest = { ...platform, ingress: { middlewares: platform.ingress.middlewares } };
    const err = reject({ 'platform.yaml': yaml.dump(rest) });
    // The app and Grafana, in each environment.
    expect(err.problems).toHaveLength(6);
    for (const env of ['dev', 'prod', 'staging']) {
      for (const what of ['app hello is exposed', 'grafana is exposed']) {
        expectProblem(err, {
          file: `overlays/region-a/${env}.yaml`,
          path: 'ingress.acme.email',
          value: undefined,
          message: new RegExp(`^region-a/${env}: ${what}, and Let's Encrypt needs an account address$`),
          fix: /^set ingress.acme.email, e.g. platform@example.org$/,
        });
      }
    }
    // Nothing exposed, nothing needed.
    const region = readEnvironmentsFile(REGION);
    delete region.defaults.apps.hello.expose;
    delete region.defaults.ui;
    expect(problemsOf({ 'platform.yaml': yaml.dump(rest), [REGION]: yaml.dump(region) })).toEqual([]);
  });

  test('two apps on the same host and path: the later one (by name) is refused', () => {
    const err = reject(appsIn(PROD, { other: { image: IMAGE, expose: { host: 'hello.region-a.strata.example' } } }));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'apps.other.expose',
      value: { host: 'hello.region-a.strata.example' },
      message: /^region-a\/prod: hello.region-a.strata.example\/ is served by app hello already$/,
      fix: /^give one of them another host or path$/,
    });
    // The same with a path; another path on the same host is fine.
    const samePath = reject({
      [DEV]: {
        merge: {
          apps: { hello: { expose: { path: '/api' } }, other: { image: IMAGE, expose: { host: 'hello.dev.region-a.strata.example', path: '/api' } } },
        },
      },
    });
    expect(samePath.problems.map((p) => [p.path, p.message])).toEqual([
      ['apps.other.expose', 'region-a/dev: hello.dev.region-a.strata.example/api is served by app hello already'],
    ]);
    expect(problemsOf(appsIn(DEV, { other: { image: IMAGE, expose: { host: 'hello.dev.region-a.strata.example', path: '/other' } } }))).toEqual([]);
  });
});

describe('grants', () => {
  test("a literal env variable of a name the database grant gives is refused: it would shadow the grant's", () => {
    expectProblem(reject(appsIn(DEV, { hello: { database: 'hrm', env: { PGHOST: 'db.example.org' } } })), {
      file: DEV,
      path: 'apps.hello.env.PGHOST',
      value: 'db.example.org',
      message: /PGHOST is what the app's database grant gives/,
      fix: /refer to it from another variable as \$\(PGHOST\)/,
    });
  });

  test('an app that uses an app the overlay does not run, or itself, is refused; a literal of what the grant gives is too', () => {
    const err = reject(
      appsIn(DEV, {
        hello: { uses: ['mysql', 'hello', 'cache'], env: { MYSQL_HOST: 'db.example.org' } },
        mysql: { image: 'docker.io/library/mysql:8.4.3', port: 3306, replicas: 1, enabled: false },
      }),
    );
    expectProblem(err, {
      file: DEV,
      path: 'apps.hello.uses.0',
      value: 'mysql',
      message: /the overlay runs no app mysql \(it is disabled\)/,
      fix: /^use one of \(no other app\), or add apps\.mysql$/,
    });
    expectProblem(err, { file: DEV, path: 'apps.hello.uses.1', value: 'hello', message: /the app lists itself/, fix: /without a grant/ });
    expectProblem(err, { file: DEV, path: 'apps.hello.uses.2', value: 'cache', message: /runs no app cache$/, fix: /add apps\.cache/ });
    expectProblem(err, {
      file: DEV,
      path: 'apps.hello.env.MYSQL_HOST',
      message: /MYSQL_HOST is what the app's app mysql grant gives/,
      fix: /\$\(MYSQL_HOST\)/,
    });
  });

  test('a StatefulSet with blue-green is refused; with a ReadWriteOnce volume it may run several replicas', () => {
    expectProblem(reject(appsIn(DEV, { hello: { workload: 'StatefulSet', blueGreen: { active: 'blue' } } })), {
      file: DEV,
      path: 'apps.hello.blueGreen',
      message: /a StatefulSet runs one set of pods/,
      fix: /remove blueGreen, or set apps\.hello\.workload: Deployment/,
    });
    expect(problemsOf(appsIn(DEV, { hello: { workload: 'StatefulSet', replicas: 3, volumes: { data: { path: '/data', size: '1Gi' } } } }))).toEqual(
      [],
    );
    expectProblem(reject(appsIn(DEV, { hello: { workload: 'DaemonSet' } })), {
      file: DEV,
      path: 'apps.hello.workload',
      value: 'DaemonSet',
      message: /./,
      fix: /StatefulSet/,
    });
  });

  test("an OpenSearch grant on region-a/staging: a user and role for the app's indices, the credentials and the CA in its namespace, the policies", () => {
    const STAGING = 'overlays/region-a/staging.yaml';
    const envDir = environmentsWith(appsIn(STAGING, { hello: { opensearch: { indices: ['audit-*'] } } }));
    const outDir = path.join(tempDir('strata-out-'), 'dist');
    synth({ envDir, outDir, only: ['region-a/staging'] });
    const files = fs.readdirSync(path.join(outDir, 'region-a', 'staging'), { recursive: true }).map(String);
    const read = (name: string): any => {
      const found = files.filter((f) => f.endsWith(`/${name}`));
      expect(found).toHaveLength(1);
      return yaml.load(fs.readFileSync(path.join(outDir, 'region-a', 'staging', found[0]), 'utf8'));
    };
    const pod = read('hello_deployment_hello.yaml').spec.template.spec;
    const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
    expect(env).toMatchObject({
      OPENSEARCH_URL: 'https://search.opensearch.svc.cluster.local:9200',
      OPENSEARCH_USERNAME: { name: 'hello-opensearch-credentials', key: 'username' },
      OPENSEARCH_PASSWORD: { name: 'hello-opensearch-credentials', key: 'password' },
      OPENSEARCH_CA_FILE: '/etc/strata/opensearch-ca/ca.crt',
    });
    expect(pod.volumes).toContainEqual({
      name: 'opensearch-ca',
      secret: { secretName: 'strata-ca-trust', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'opensearch-ca', mountPath: '/etc/strata/opensearch-ca', readOnly: true });
    expect(read('hello_externalsecret_hello-opensearch-credentials.yaml').metadata.namespace).toBe('hello');
    const role = files.filter((f) => /opensearchrole_hello-index-write\.yaml$/.test(f));
    expect(role).toHaveLength(1);
    expect(files.filter((f) => /networkpolicy_allow-hello-to-search-(egress|ingress)\.yaml$/.test(f)).sort()).toEqual([
      'search/hello_networkpolicy_allow-hello-to-search-egress.yaml',
      'search/opensearch_networkpolicy_allow-hello-to-search-ingress.yaml',
    ]);
  });

  test("Kafka on region-a/staging: the app's user with its ACLs, the topic it produces declared, the CA and SCRAM credential, the listener opened", () => {
    const STAGING = 'overlays/region-a/staging.yaml';
    const envDir = environmentsWith(
      appsIn(STAGING, { hello: { namespace: 'kafka', kafka: { produce: ['hello.greetings'], consume: ['hrm.public.employees'] } } }),
    );
    const outDir = path.join(tempDir('strata-out-'), 'dist');
    synth({ envDir, outDir, only: ['region-a/staging'] });
    const tree = path.join(outDir, 'region-a', 'staging');
    const read = (rel: string): any => yaml.load(fs.readFileSync(path.join(tree, rel), 'utf8'));
    const pod = read('apps/kafka_deployment_hello.yaml').spec.template.spec;
    const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
    expect(env).toMatchObject({
      KAFKA_BOOTSTRAP_SERVERS: 'events-kafka-bootstrap.kafka.svc:9093',
      KAFKA_CA_FILE: '/etc/strata/kafka-ca/ca.crt',
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_USERNAME: 'hello',
      KAFKA_PASSWORD: { name: 'hello', key: 'password' },
    });
    expect(pod.volumes).toContainEqual({
      name: 'kafka-ca',
      secret: { secretName: 'events-cluster-ca-cert', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
    const user = read('streaming/kafka_kafkauser_hello.yaml');
    expect(user.spec.authorization.acls.map((a: any) => [a.resource.type, a.resource.name, a.operations.join('+')])).toEqual([
      ['group', 'hello', 'Read'],
      ['topic', 'hello.greetings', 'Describe+Write'],
      ['topic', 'hrm.public.employees', 'Describe+Read'],
    ]);
    expect(read('streaming/kafka_kafkatopic_hello.greetings.yaml').spec.replicas).toBe(
      read('streaming/kafka_kafkatopic_hrm.public.employees.yaml').spec.replicas,
    );
    // The apps layer waits for the streaming layer, which holds the user.
    const apps = read('../../clusters/region-a-staging/flux-system_kustomization_strata-apps.yaml');
    expect(apps.spec.dependsOn.map((d: any) => d.name)).toContain('strata-streaming');
  });

  test("Kafka from an app outside Kafka's namespace, or from a topic nothing writes, is refused", () => {
    const err = reject(appsIn('overlays/region-a/staging.yaml', { hello: { kafka: { consume: ['orders'] } } }));
    expectProblem(err, {
      file: 'overlays/region-a/staging.yaml',
      path: 'apps.hello.kafka',
      message: /writes the app's Kafka credential into namespace kafka only, and the app runs in hello/,
      fix: /run the app in namespace kafka \(apps\.hello\.namespace: kafka\)/,
    });
    expectProblem(err, {
      file: 'overlays/region-a/staging.yaml',
      path: 'apps.hello.kafka.consume.0',
      value: 'orders',
      message: /no app of the overlay produces topic orders, nor does a CDC pipeline/,
      fix: /hrm\.public\.employees/,
    });
    expectProblem(reject(appsIn(DEV, { hello: { namespace: 'kafka', kafka: { produce: ['orders'] } } })), {
      file: DEV,
      path: 'apps.hello.kafka',
      message: /streaming\.kafka is disabled/,
      fix: /streaming\.kafka\.enabled: true/,
    });
  });

  test('an app writing to OpenSearch where opensearch is disabled is refused', () => {
    expectProblem(reject(appsIn(DEV, { hello: { opensearch: { indices: ['audit-*'] } } })), {
      file: DEV,
      path: 'apps.hello.opensearch',
      message: /the app writes to OpenSearch, and opensearch is disabled/,
      fix: /opensearch\.enabled: true/,
    });
  });

  test('a credential in secretEnv that is also a literal, or that a grant sets, is refused', () => {
    const err = reject(
      appsIn(DEV, {
        hello: { database: 'hrm', env: { API_KEY: 'x' }, secretEnv: { API_KEY: { property: 'api-key' }, PGPASSWORD: { property: 'pw' } } },
      }),
    );
    expectProblem(err, { file: DEV, path: 'apps.hello.secretEnv.API_KEY', message: /API_KEY is set in env too/, fix: /remove env\.API_KEY/ });
    expectProblem(err, {
      file: DEV,
      path: 'apps.hello.secretEnv.PGPASSWORD',
      message: /PGPASSWORD is what the app's database grant gives/,
      fix: /remove it/,
    });
  });

  test('an app using Redis where redis is disabled is refused', () => {
    expectProblem(reject(appsIn(DEV, { hello: { redis: true } })), {
      file: DEV,
      path: 'apps.hello.redis',
      value: true,
      message: /redis is disabled/,
      fix: /redis\.enabled: true/,
    });
  });
});

describe('quota', () => {
  test("an app's pods above its namespace's quota are refused by the quota fit, naming the Deployment", () => {
    const envDir = environmentsWith(appsIn(DEV, { hello: { replicas: 40 } }));
    const err = environmentError(() => synth({ envDir, outDir: path.join(tempDir('strata-quota-'), 'dist'), only: ['region-a/dev'] }));
    expectProblem(err, {
      file: DEV,
      path: 'quota.limitsCpu',
      message: /namespace hello needs at least 20 of CPU limits \(Deployment hello 40 × 500m\)/,
      fix: /raise quota\.limitsCpu to 20 or more/,
    });
  });
});

describe('wildcard certificates', () => {
  test('a wildcard with the HTTP-01 solver is refused', () => {
    expectProblem(reject({ [DEV]: { merge: { ingress: { wildcard: true } } } }), {
      file: DEV,
      path: 'ingress.wildcard',
      value: true,
      message: /through DNS-01 only/,
      fix: /dns01/,
    });
  });
});

describe('mounts', () => {
  test('two mounts on one path are refused', () => {
    expectProblem(reject(appsIn(DEV, { hello: { writablePaths: ['/etc/hello/config.yaml'], files: { '/etc/hello/config.yaml': 'a: 1' } } })), {
      file: DEV,
      path: 'apps.hello.files',
      message: /\/etc\/hello\/config\.yaml is mounted by writablePaths already/,
      fix: /a path of its own/,
    });
  });
});

describe('volumes', () => {
  test("a ReadWriteOnce volume on an app of two replicas is refused; one replica loads, on the region's retain class", () => {
    expectProblem(reject(appsIn(DEV, { hello: { volumes: { data: { path: '/data', size: '1Gi' } } } })), {
      file: DEV,
      path: 'apps.hello.volumes.data',
      message: /ReadWriteOnce volume serves one pod/,
      fix: /replicas: 1.*ReadWriteMany/,
    });
    const dir = environmentsWith(appsIn(DEV, { hello: { replicas: 1, volumes: { data: { path: '/data', size: '1Gi' } } } }));
    const out = path.join(tempDir('strata-volumes-'), 'dist');
    synth({ envDir: dir, outDir: out, only: ['region-a/dev'] });
    const claim = yaml.load(fs.readFileSync(path.join(out, 'region-a/dev/apps/hello_persistentvolumeclaim_hello-data.yaml'), 'utf8')) as any;
    expect(claim.spec.storageClassName).toBe('fast-ssd-retain');
  });
});

describe('middlewares', () => {
  test('a middleware the route names and ingress.middlewares does not declare is refused', () => {
    expectProblem(reject(appsIn(DEV, { hello: { expose: { middlewares: ['secure-headers', 'sso'] } } })), {
      file: DEV,
      path: 'apps.hello.expose.middlewares.1',
      value: 'sso',
      message: /names middleware sso, which ingress.middlewares does not declare/,
      fix: /declare it under ingress\.middlewares \(secure-headers, platform-login\)/,
    });
  });

  test("a misspelt field of a middleware is reported in the kind the middleware names, not in every kind's terms", () => {
    const err = reject({ [DEV]: { merge: { ingress: { middlewares: { strict: { securityHeaders: { frameDeny: true } } } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: DEV,
      path: 'ingress.middlewares.strict.securityHeaders.frameDeny',
      value: true,
      message: /^unknown field "frameDeny"$/,
      fix: /allowed here: stsSeconds$/,
    });
  });

  test('a declared middleware that cannot work is refused where it is declared', () => {
    const err = reject({
      'overlays/region-a/dev.yaml': { merge: { ingress: { middlewares: { office: { ipAllowList: { sourceRange: ['10.0.0.1/24'] } } } } } },
    });
    expect(err.problems).toEqual([
      expect.objectContaining({ file: DEV, path: 'ingress.middlewares.office', message: expect.stringMatching(/host bits/) }),
    ]);
  });
});

describe('relaxations', () => {
  test('a port below 1024 needs bindLowPorts; with it (and its reason) the app loads', () => {
    expectProblem(reject(appsIn(DEV, { hello: { port: 80, args: ['--port', '80'] } })), {
      file: DEV,
      path: 'apps.hello.port',
      value: 80,
      message: /port 80 is below 1024/,
      fix: /relaxations\.bindLowPorts/,
    });
    const dir = environmentsWith(
      appsIn(DEV, { hello: { port: 80, args: ['--port', '80'], relaxations: { bindLowPorts: 'the image listens on 80 only' } } }),
    );
    expect(loadEnvironments(dir).find((o) => o.id === 'region-a/dev')!.settings.apps.hello.relaxations).toEqual({
      bindLowPorts: 'the image listens on 80 only',
    });
  });

  test('a relaxation without a reason of 10 characters is a schema problem', () => {
    const err = reject(appsIn(DEV, { hello: { relaxations: { runAsRoot: 'yes' } } }));
    expect(err.problems).toEqual([expect.objectContaining({ file: DEV, path: 'apps.hello.relaxations.runAsRoot' })]);
  });
});

describe('blue-green releases', () => {
  test('weights of 0 for both colours, and an unpinned colour image, are refused', () => {
    const err = reject(
      appsIn(DEV, { hello: { blueGreen: { active: 'blue', green: { image: 'docker.io/traefik/whoami:latest' }, weights: { blue: 0, green: 0 } } } }),
    );
    expectProblem(err, { file: DEV, path: 'apps.hello.blueGreen.weights', message: /every colour has weight 0/, fix: /blue: 100, green: 0/ });
    expectProblem(err, {
      file: DEV,
      path: 'apps.hello.blueGreen.green.image',
      value: 'docker.io/traefik/whoami:latest',
      message: /the image/,
      fix: /pin it/,
    });
  });

  test('an active colour that is not blue or green is a schema problem', () => {
    const err = reject(appsIn(DEV, { hello: { blueGreen: { active: 'red' } } }));
    expect(err.problems).toEqual([expect.objectContaining({ file: DEV, path: 'apps.hello.blueGreen.active', value: 'red' })]);
  });
});

describe('the schema of apps', () => {
  test.each(['Hello', '9lives'])('the app name %p is refused', (name) => {
    const err = reject(appsIn(PROD, { [name]: { image: IMAGE } }));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: `apps.${name}`,
      value: name,
      message: new RegExp(`^the key "${name}" must match pattern`),
      fix: /^an app is named by a letter, then lower-case letters, digits and -, at most 53 characters/,
    });
  });

  test('an app without an image', () => {
    const err = reject(appsIn(PROD, { other: { port: 8080 } }));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, { file: PROD, path: 'apps.other.image', message: /^required field is missing$/, fix: /^set apps.other.image$/ });
  });

  // The schema refuses what the route would: a path of URL characters only.
  test('an exposed path the route refuses is refused when loading, at apps.hello.expose.path', () => {
    const err = reject(appsIn(DEV, { hello: { expose: { path: '/a b' } } }));
    expectProblem(err, { file: DEV, path: 'apps.hello.expose.path', value: '/a b', message: /./, fix: /./ });
  });
});

describe('valid apps', () => {
  test('appHost: <app>.<baseDomain> in prod, <app>.<env>.<baseDomain> elsewhere; a given host wins', () => {
    const overlays = loadEnvironments(environmentsWith());
    const of = (id: string): OverlaySpec => overlays.find((o) => o.id === id)!;
    expect(appHost(of('region-a/prod'), 'hello')).toBe('hello.region-a.strata.example');
    expect(appHost(of('region-a/dev'), 'hello')).toBe('hello.dev.region-a.strata.example');
    expect(appHost(of('region-a/staging'), 'hello')).toBe('hello.staging.region-a.strata.example');
    expect(appHost(of('region-a/prod'), 'hello', 'www.example.org')).toBe('www.example.org');
    expect(appHost(of('region-a/dev'), 'hello', 'www.example.org')).toBe('www.example.org');
    // The shipped app: defaults from APPLICATION_DEFAULTS, enabled, exposed.
    expect(of('region-a/dev').settings.apps.hello).toMatchObject({ enabled: true, image: IMAGE, port: 8080, replicas: 2, expose: {} });
    expect(of('region-b/dev').settings.apps).toEqual({});
  });

  test("a database grant on region-a/dev: libpq's variables to the pooler, the owner's credentials in the app's namespace, the policies", () => {
    const envDir = environmentsWith(appsIn(DEV, { hello: { database: 'hrm' } }));
    const outDir = path.join(tempDir('strata-out-'), 'dist');
    synth({ envDir, outDir, only: ['region-a/dev'] });
    const tree = path.join(outDir, 'region-a', 'dev');
    const read = (rel: string): any => yaml.load(fs.readFileSync(path.join(tree, rel), 'utf8'));

    const container = read('apps/hello_deployment_hello.yaml').spec.template.spec.containers[0];
    expect(container.env).toEqual([
      { name: 'PGHOST', value: 'postgres-pooler-hrm.postgres.svc.cluster.local' },
      { name: 'PGPORT', value: '5432' },
      { name: 'PGDATABASE', value: 'hrm' },
      { name: 'PGSSLMODE', value: 'require' },
      { name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'postgres-hrm-credentials', key: 'username' } } },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-hrm-credentials', key: 'password' } } },
    ]);
    const credentials = read('apps/hello_externalsecret_postgres-hrm-credentials.yaml');
    expect(credentials.metadata).toMatchObject({ name: 'postgres-hrm-credentials', namespace: 'hello' });
    expect(credentials.spec.target.template).toEqual({ type: 'kubernetes.io/basic-auth' });
    expect(credentials.spec.data).toEqual([
      { secretKey: 'password', remoteRef: { key: 'region-a/dev/postgres/postgres/roles/hrm', property: 'password' } },
      { secretKey: 'username', remoteRef: { key: 'region-a/dev/postgres/postgres/roles/hrm', property: 'username' } },
    ]);
    // The same secret-store entry the data layer reads for the owner role.
    expect(read('data/postgres_externalsecret_postgres-hrm-credentials.yaml').spec.data.map((d: any) => d.remoteRef.key)).toEqual([
      'region-a/dev/postgres/postgres/roles/hrm',
      'region-a/dev/postgres/postgres/roles/hrm',
    ]);

    const egress = read('data/hello_networkpolicy_allow-hello-to-postgres-pooler-hrm-egress.yaml');
    expect(egress.metadata).toMatchObject({ name: 'allow-hello-to-postgres-pooler-hrm-egress', namespace: 'hello' });
    expect(egress.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'hello', 'app.kubernetes.io/instance': 'hello' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'postgres' } },
              podSelector: { matchLabels: { 'cnpg.io/poolerName': 'postgres-pooler-hrm' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
    });
    const ingress = read('data/postgres_networkpolicy_allow-hello-to-postgres-pooler-hrm-ingress.yaml');
    expect(ingress.metadata).toMatchObject({ name: 'allow-hello-to-postgres-pooler-hrm-ingress', namespace: 'postgres' });
    expect(ingress.spec.podSelector).toEqual({ matchLabels: { 'cnpg.io/poolerName': 'postgres-pooler-hrm' } });
    expect(ingress.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'hello' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'hello', 'app.kubernetes.io/instance': 'hello' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);

    // The route at the dev host, with its certificate.
    expect(read('ingress/hello_certificate_hello-tls.yaml').spec.dnsNames).toEqual(['hello.dev.region-a.strata.example']);
    expect(read('ingress/hello_ingressroute_hello.yaml').spec.routes[0].match).toBe('Host(`hello.dev.region-a.strata.example`)');
  });
});

describe('placement: exposed apps need the ingress layer on their cluster', () => {
  const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'talos-infra-apps');
  const HOMELAB = 'overlays/homelab/prod.yaml';
  const hello = { image: IMAGE, expose: {} };

  /** A copy of examples/talos-infra-apps (infra and apps clusters, everything placed on infra) with the prod overlay's `settings` merged in. */
  function exampleWith(settings: Record<string, unknown>): string {
    const dir = tempDir('strata-apps-placement-');
    fs.cpSync(EXAMPLE, dir, { recursive: true });
    const file = path.join(dir, HOMELAB);
    const doc = (yaml.load(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
    fs.writeFileSync(file, yaml.dump({ ...doc, ...settings, ingress: { acme: { email: 'ops@homelab.example.org' } } }));
    return dir;
  }

  test('placement.ingress: apps while the apps stay on infra is refused at placement.ingress', () => {
    const err = environmentError(() => loadEnvironments(exampleWith({ placement: { ingress: 'apps' }, apps: { hello } })));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: HOMELAB,
      path: 'placement.ingress',
      value: 'apps',
      message:
        /^homelab\/prod: apps hello are exposed: their routes and certificates live beside them, and the ingress layer is placed on cluster apps, the apps on infra$/,
      fix: /^place ingress and apps on the same cluster$/,
    });
  });

  test('apps moved without ingress are refused at placement.apps; both on apps load', () => {
    const err = environmentError(() => loadEnvironments(exampleWith({ placement: { apps: 'apps' }, apps: { hello } })));
    expect(err.problems.map((p) => [p.file, p.path, p.value])).toEqual([[HOMELAB, 'placement.apps', 'apps']]);
    expect(err.problems[0].message).toMatch(/the ingress layer is placed on cluster infra, the apps on apps$/);
    const [prod] = loadEnvironments(exampleWith({ placement: { apps: 'apps', ingress: 'apps' }, apps: { hello } }));
    expect(prod.settings.apps.hello.expose).toEqual({});
  });

  test('an exposed app with its database exported to the apps cluster loads, beside its ingress layer', () => {
    // A database not exported to the app's cluster is refused by the export rule (test/charts/apps.test.ts).
    const [prod] = loadEnvironments(exampleWith({ placement: { apps: 'apps', ingress: 'apps' }, apps: { hello: { ...hello, database: 'harbor' } } }));
    expect(prod.settings.apps.hello).toMatchObject({ database: 'harbor', expose: {} });
    const moved = environmentError(() =>
      loadEnvironments(exampleWith({ placement: { apps: 'apps', ingress: 'infra' }, apps: { hello: { ...hello, database: 'harbor' } } })),
    );
    expect(moved.problems.map((p) => [p.path, p.value])).toEqual([['placement.ingress', 'infra']]);
  });
});

describe('one object, two layers', () => {
  test("an app whose objects are another layer's (its PodDisruptionBudget is the data layer's pooler budget) is refused, naming both folders", () => {
    const envDir = environmentsWith(appsIn(DEV, { 'postgres-pooler-hrm': { image: IMAGE, args: ['--port', '8080'], namespace: 'postgres' } }));
    const outDir = path.join(tempDir('strata-out-'), 'dist');
    let message = '';
    try {
      synth({ envDir, outDir, only: ['region-a/dev'] });
    } catch (err) {
      message = String((err as Error).message);
    }
    expect(message).toMatch(/PodDisruptionBudget postgres\/postgres-pooler-hrm/);
    expect(message).toMatch(/is rendered in region-a\/dev\/(data|apps) too; two layers would own one object/);
    expect(fs.existsSync(outDir)).toBe(false);
  });
});
