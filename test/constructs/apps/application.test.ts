import { Application, ApplicationProps } from '../../../constructs/apps/application';
import { CloudNativePgCluster } from '../../../constructs/data/cloudnative-pg-cluster';
import { ZalandoPostgresCluster } from '../../../constructs/data/zalando-postgres-cluster';
import { LetsEncryptIssuer } from '../../../constructs/ingress/acme-issuer';
import { KafkaCluster } from '../../../constructs/streaming/kafka-cluster';
import { EXTERNAL_SECRETS, schemaIssues, testLayer } from '../../support/layer';

const PROPS: ApplicationProps = { name: 'hello', image: 'docker.io/traefik/whoami:v1.11.0', args: ['--port', '8080'] };

function build(props: Partial<ApplicationProps> = {}) {
  const layer = testLayer('apps');
  const app = new Application(layer.chart, 'Hello', { ...PROPS, ...props });
  return { ...layer, app };
}

describe('Application', () => {
  test('defaults: two replicas of a restricted pod on 8080, spread over nodes, a Service, a disruption budget and a readiness check', () => {
    const layer = build();
    const deployment = layer.find('Deployment', 'hello', 'hello');
    expect(deployment.spec.replicas).toBe(2);
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const [container] = pod.containers;
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/', port: 8080 });
    expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', maxSkew: 1 });
    expect(layer.find('Service', 'hello', 'hello').spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
    expect(layer.find('PodDisruptionBudget', 'hello', 'hello').spec.maxUnavailable).toBe(1);
    expect(layer.context.namespaces.find((n) => n.name === 'hello')).toMatchObject({ workload: true });
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('one replica has no disruption budget; writable paths get emptyDirs; env, probes and a namespace of its own', () => {
    const layer = build({
      replicas: 1,
      namespace: 'web',
      writablePaths: ['/tmp', '/var/cache/nginx'],
      env: { LOG_LEVEL: 'info' },
      probes: { liveness: { tcp: {} }, startup: { exec: { command: ['/bin/check'] } } },
    });
    expect(layer.all('PodDisruptionBudget')).toEqual([]);
    const pod = layer.find('Deployment', 'hello', 'web').spec.template.spec;
    expect(pod.volumes.map((v: any) => v.emptyDir)).toEqual([{ sizeLimit: '256Mi' }, { sizeLimit: '256Mi' }]);
    expect(pod.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/var/cache/nginx']);
    expect(pod.containers[0].env).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
    expect(pod.containers[0].livenessProbe.tcpSocket).toEqual({ port: 8080 });
    expect(pod.containers[0].startupProbe.exec).toEqual({ command: ['/bin/check'] });
    expect(pod.containers[0].readinessProbe).toBeUndefined();
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('autoscaling: an HPA on CPU (and memory), no fixed replica count', () => {
    const layer = build({ autoscaling: { minReplicas: 2, maxReplicas: 6, memoryUtilization: 80 } });
    expect(layer.find('Deployment', 'hello', 'hello').spec.replicas).toBeUndefined();
    const hpa = layer.find('HorizontalPodAutoscaler', 'hello', 'hello');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 6, scaleTargetRef: { kind: 'Deployment', name: 'hello' } });
    expect(hpa.spec.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([
      ['cpu', 75],
      ['memory', 80],
    ]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test.each([
    [{ image: 'docker.io/traefik/whoami:latest' }, /not pinned/],
    [{ image: 'docker.io/traefik/whoami' }, /not pinned/],
    [{ name: '9lives' }, /must start with a letter/],
    [{ port: 70000 }, /not a TCP port/],
    [{ probes: { readiness: { http: { path: '/', port: 9090 } } } }, /checks port 9090, which the app does not expose \(it serves 8080\)/],
    [{ autoscaling: { minReplicas: 5, maxReplicas: 2 } }, /minReplicas 5 must be from 1 to maxReplicas 2/],
  ])('%p is refused', (props, message) => {
    expect(() => build(props as Partial<ApplicationProps>)).toThrow(message);
  });

  test('blue-green: a Deployment per colour, the stable Service on the active one, a Service per colour, the idle colour scaled by a field', () => {
    const layer = build({ blueGreen: { active: 'blue', green: { image: 'docker.io/traefik/whoami:v1.11.1' }, idleReplicas: 0 } });
    const blue = layer.find('Deployment', 'hello-blue', 'hello');
    const green = layer.find('Deployment', 'hello-green', 'hello');
    expect([blue.spec.replicas, green.spec.replicas]).toEqual([2, 0]);
    expect(blue.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'hello', 'app.kubernetes.io/instance': 'hello', version: 'blue' });
    expect(blue.spec.template.spec.containers[0].image).toBe('docker.io/traefik/whoami:v1.11.0');
    expect(green.spec.template.spec.containers[0].image).toBe('docker.io/traefik/whoami:v1.11.1');
    expect(layer.find('Service', 'hello', 'hello').spec.selector.version).toBe('blue');
    expect(layer.find('Service', 'hello-green', 'hello').spec.selector.version).toBe('green');
    // A budget for the colour that runs more than one pod only.
    expect(layer.all('PodDisruptionBudget').map((p) => p.metadata.name)).toEqual(['hello-blue']);
    expect(layer.all('Deployment').map((d) => d.metadata.name)).toEqual(['hello-blue', 'hello-green']);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('switching colours changes the stable Service selector and nothing else of it', () => {
    const service = (active: 'blue' | 'green') => build({ blueGreen: { active } }).find('Service', 'hello', 'hello');
    const { selector: blueSelector, ...blue } = service('blue').spec;
    const { selector: greenSelector, ...green } = service('green').spec;
    expect(blue).toEqual(green);
    expect([blueSelector.version, greenSelector.version]).toEqual(['blue', 'green']);
  });

  test('weights: the route sends to a weighted TraefikService over the colour Services; autoscaling follows the active colour', () => {
    const layer = build({ blueGreen: { active: 'blue', weights: { blue: 70, green: 30 } }, autoscaling: { minReplicas: 2, maxReplicas: 4 } });
    const weighted = layer.find('TraefikService', 'hello', 'hello');
    expect(weighted.spec.weighted.services).toEqual([
      { name: 'hello-blue', port: 8080, weight: 70 },
      { name: 'hello-green', port: 8080, weight: 30 },
    ]);
    const issuer = LetsEncryptIssuer.of(layer.chart, { email: 'platform@example.org', secretBackend: EXTERNAL_SECRETS });
    layer.app.exposeAt(layer.chart, { host: 'hello.example.org', issuer });
    expect(layer.find('IngressRoute', 'hello', 'hello').spec.routes[0].services).toEqual([{ name: 'hello', kind: 'TraefikService' }]);
    expect(layer.find('HorizontalPodAutoscaler', 'hello-blue', 'hello').spec.scaleTargetRef.name).toBe('hello-blue');
    expect(layer.find('Deployment', 'hello-blue', 'hello').spec.replicas).toBeUndefined();
    expect(layer.find('Deployment', 'hello-green', 'hello').spec.replicas).toBe(2);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a candidate header or cookie routes to the idle colour ahead of the main route; a mirror copies to it', () => {
    const layer = build({
      blueGreen: { active: 'blue', candidate: { header: { name: 'X-Canary', value: '1' }, cookie: { name: 'beta', value: 'yes' } } },
    });
    const issuer = LetsEncryptIssuer.of(layer.chart, { email: 'platform@example.org', secretBackend: EXTERNAL_SECRETS });
    layer.app.exposeAt(layer.chart, { host: 'hello.example.org', issuer });
    const routes = layer.find('IngressRoute', 'hello', 'hello').spec.routes;
    expect(routes.map((r: any) => [r.match, r.priority, r.services[0].name])).toEqual([
      ['Host(`hello.example.org`) && Header(`X-Canary`, `1`)', 1000, 'hello-green'],
      ['Host(`hello.example.org`) && HeaderRegexp(`Cookie`, `(^|;\\s*)beta=yes(;|$)`)', 999, 'hello-green'],
      ['Host(`hello.example.org`)', undefined, 'hello'],
    ]);
    expect(schemaIssues(layer.manifests())).toEqual([]);

    const mirrored = build({ blueGreen: { active: 'green', mirrorPercent: 10 } });
    expect(mirrored.find('TraefikService', 'hello', 'hello').spec.mirroring).toEqual({
      name: 'hello-green',
      port: 8080,
      mirrors: [{ name: 'hello-blue', port: 8080, percent: 10 }],
    });
    expect(schemaIssues(mirrored.manifests())).toEqual([]);
  });

  test.each([
    [{ active: 'blue', mirrorPercent: 0 }, /mirrorPercent 0 is not a whole percent/],
    [{ active: 'blue', mirrorPercent: 10, weights: { blue: 90, green: 10 } }, /both weights and mirrorPercent/],
    [{ active: 'blue', candidate: { header: { name: 'X Canary', value: '1' } } }, /candidate.header X Canary=1 is not a header name/],
    [{ active: 'blue', weights: { blue: 0, green: 0 } }, /weights are all 0/],
    [{ active: 'blue', weights: { blue: -1, green: 5 } }, /weights.blue -1 is not a whole number/],
    [{ active: 'blue', idleReplicas: 1.5 }, /idleReplicas 1.5 is not a count/],
    [{ active: 'green', green: { image: 'docker.io/traefik/whoami:latest' } }, /not pinned/],
  ])('blue-green %p is refused', (blueGreen, message) => {
    expect(() => build({ blueGreen: blueGreen as any })).toThrow(message);
  });

  test('relaxations: each with its reason as an annotation; root makes the namespace baseline; the rest stays restricted', () => {
    const layer = build({
      port: 80,
      relaxations: {
        runAsRoot: 'the entrypoint chowns /var/www as root',
        writableRootFilesystem: 'apache writes its pid under /var/run',
        bindLowPorts: 'apache listens on 80',
      },
    });
    const deployment = layer.find('Deployment', 'hello', 'hello');
    expect(deployment.metadata.annotations).toEqual({
      'strata.io/relaxed-bind-low-ports': 'apache listens on 80',
      'strata.io/relaxed-run-as-root': 'the entrypoint chowns /var/www as root',
      'strata.io/relaxed-writable-root-filesystem': 'apache writes its pid under /var/run',
    });
    expect(deployment.spec.template.metadata.annotations).toEqual(deployment.metadata.annotations);
    expect(deployment.spec.template.spec.containers[0].securityContext).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: false,
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(layer.context.namespaces.find((n) => n.name === 'hello')).toMatchObject({
      podSecurity: 'baseline',
      podSecurityReason: expect.stringContaining('runs as root'),
    });
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a port below 1024 without bindLowPorts, and a relaxation without a reason, are refused', () => {
    expect(() => build({ port: 80 })).toThrow(/port 80 is below 1024.*relaxations.bindLowPorts/);
    expect(() => build({ relaxations: { writableRootFilesystem: 'because' } })).toThrow(/relaxations.writableRootFilesystem needs the reason/);
  });

  test('a persistent volume: its claim, kept when pruned, mounted at its path; one replica is replaced rather than rolled', () => {
    const layer = build({ replicas: 1, volumes: { html: { path: '/var/www/html', size: '20Gi', storageClass: 'longhorn-retain' } } });
    const claim = layer.find('PersistentVolumeClaim', 'hello-html', 'hello');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'longhorn-retain', resources: { requests: { storage: '20Gi' } } });
    expect(claim.metadata.annotations).toMatchObject({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
    const deployment = layer.find('Deployment', 'hello', 'hello');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec.template.spec.volumes).toEqual([{ name: 'data-html', persistentVolumeClaim: { claimName: 'hello-html' } }]);
    expect(deployment.spec.template.spec.containers[0].volumeMounts).toEqual([{ name: 'data-html', mountPath: '/var/www/html' }]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a ReadWriteOnce volume with two replicas is refused; ReadWriteMany serves them', () => {
    expect(() => build({ volumes: { html: { path: '/data', size: '1Gi', storageClass: 'x' } } })).toThrow(/ReadWriteOnce volume serves one pod/);
    const layer = build({ volumes: { html: { path: '/data', size: '1Gi', storageClass: 'nfs', accessMode: 'ReadWriteMany' } } });
    expect(layer.find('Deployment', 'hello', 'hello').spec.strategy.type).toBe('RollingUpdate');
  });

  test('configuration files from a ConfigMap, credential files from the secret backend, each mounted read-only at its path', () => {
    const layer = build({
      files: { '/etc/hello/config.yaml': 'greeting: hi\n' },
      secretFiles: { '/etc/hello/tls.key': { remoteKey: 'region-a/prod/apps/hello', property: 'tls-key' } },
      secretBackend: EXTERNAL_SECRETS,
    });
    expect(layer.find('ConfigMap', 'hello-files', 'hello').data).toEqual({ 'etc_hello_config.yaml': 'greeting: hi\n' });
    const secret = layer.find('ExternalSecret', 'hello-secret-files', 'hello');
    expect(secret.spec.data).toEqual([{ secretKey: 'etc_hello_tls.key', remoteRef: { key: 'region-a/prod/apps/hello', property: 'tls-key' } }]);
    const pod = layer.find('Deployment', 'hello', 'hello').spec.template;
    expect(pod.spec.containers[0].volumeMounts).toEqual([
      { name: 'file-0', mountPath: '/etc/hello/config.yaml', subPath: 'etc_hello_config.yaml', readOnly: true },
      { name: 'secret-file-0', mountPath: '/etc/hello/tls.key', subPath: 'etc_hello_tls.key', readOnly: true },
    ]);
    expect(pod.metadata.annotations['strata.io/files-hash']).toMatch(/^[0-9a-f]{16}$/);
    // Other content, another hash: the pods roll.
    const other = build({ files: { '/etc/hello/config.yaml': 'greeting: hello\n' } });
    expect(other.find('Deployment', 'hello', 'hello').spec.template.metadata.annotations['strata.io/files-hash']).not.toBe(
      pod.metadata.annotations['strata.io/files-hash'],
    );
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test("a granted database: libpq's variables, the owner's credentials in the app's namespace, the path to the pooler", () => {
    const layer = build();
    const pg = new CloudNativePgCluster(layer.chart, 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    pg.addDatabase('hrm');
    layer.app.useDatabase(pg.grantDatabase(layer.app, 'hrm'));
    const env = layer.find('Deployment', 'hello', 'hello').spec.template.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'PGHOST', value: 'postgres-pooler-hrm.postgres.svc.cluster.local' },
      { name: 'PGPORT', value: '5432' },
      { name: 'PGDATABASE', value: 'hrm' },
      { name: 'PGSSLMODE', value: 'require' },
      { name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'postgres-hrm-credentials', key: 'username' } } },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-hrm-credentials', key: 'password' } } },
    ]);
    const copy = layer.find('ExternalSecret', 'postgres-hrm-credentials', 'hello');
    expect(copy.spec.data.map((d: any) => d.remoteRef.key)).toEqual([
      'region-a/prod/postgres/postgres/roles/hrm',
      'region-a/prod/postgres/postgres/roles/hrm',
    ]);
    const policies = layer.all('NetworkPolicy').map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    expect(policies).toEqual(
      expect.arrayContaining(['hello/allow-hello-to-postgres-pooler-hrm-egress', 'postgres/allow-hello-to-postgres-pooler-hrm-ingress']),
    );
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('literal values may refer to what a grant gives: the grant comes first, for Kubernetes to expand $(NAME)', () => {
    const layer = build({ env: { DB_URL: 'postgresql://$(PGUSER):$(PGPASSWORD)@$(PGHOST):$(PGPORT)/$(PGDATABASE)' } });
    const pg = new CloudNativePgCluster(layer.chart, 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    pg.addDatabase('hrm');
    layer.app.useDatabase(pg.grantDatabase(layer.app, 'hrm'));
    const names = layer.find('Deployment', 'hello', 'hello').spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(names).toEqual(['PGHOST', 'PGPORT', 'PGDATABASE', 'PGSSLMODE', 'PGUSER', 'PGPASSWORD', 'DB_URL']);
  });

  test("two grants to one app work, and each opens only its database's pooler", () => {
    const layer = build();
    const pg = new CloudNativePgCluster(layer.chart, 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    for (const db of ['hrm', 'payroll', 'dora']) pg.addDatabase(db);
    pg.grantDatabase(layer.app, 'hrm');
    pg.grantDatabase(layer.app, 'hrm');
    pg.grantDatabase(layer.app, 'payroll');
    const egress = layer
      .all('NetworkPolicy')
      .filter((p) => p.metadata.namespace === 'hello')
      .map((p) => p.metadata.name)
      .sort();
    expect(egress).toEqual(['allow-hello-to-postgres-pooler-hrm-egress', 'allow-hello-to-postgres-pooler-payroll-egress']);
    expect(
      layer
        .all('ExternalSecret')
        .filter((e) => e.metadata.namespace === 'hello')
        .map((e) => e.metadata.name)
        .sort(),
    ).toEqual(['postgres-hrm-credentials', 'postgres-payroll-credentials']);
  });

  test("Zalando's credentials cannot be granted into another namespace; a grant into another namespace is refused by the app", () => {
    const layer = build();
    const zalando = new ZalandoPostgresCluster(layer.chart, 'Zalando', { secretBackend: EXTERNAL_SECRETS });
    zalando.addDatabase('hrm');
    expect(() => zalando.grantDatabase(layer.app, 'hrm')).toThrow(/made in namespace postgres by the operator/);
    const pg = new CloudNativePgCluster(layer.chart, 'Postgres', { name: 'pg', secretBackend: EXTERNAL_SECRETS });
    pg.addDatabase('hrm');
    const other = new Application(layer.chart, 'Other', { ...PROPS, name: 'other' });
    expect(() => layer.app.useDatabase(pg.grantDatabase(other, 'hrm'))).toThrow(
      /credentials are in namespace other; grant the database to the app itself/,
    );
  });

  test('exposed: a route at the host with its certificate, Traefik admitted to the port', () => {
    const layer = build();
    const issuer = LetsEncryptIssuer.of(layer.chart, { email: 'platform@example.org', secretBackend: EXTERNAL_SECRETS });
    layer.app.exposeAt(layer.chart, { host: 'hello.example.org', issuer });
    expect(layer.find('IngressRoute', 'hello', 'hello').spec.routes[0].match).toBe('Host(`hello.example.org`)');
    expect(layer.find('Certificate', 'hello-tls', 'hello').spec.dnsNames).toEqual(['hello.example.org']);
    expect(layer.find('NetworkPolicy', 'allow-traefik-to-hello-ingress', 'hello').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a StatefulSet: a claim template per volume kept when scaled or deleted, a headless Service, no Deployment; ReadWriteOnce serves every pod', () => {
    const layer = build({
      name: 'mysql',
      image: 'docker.io/library/mysql:8.4.3',
      port: 3306,
      runAsUser: 999,
      replicas: 2,
      workload: 'StatefulSet',
      probes: { readiness: { tcp: {} } },
      volumes: { data: { path: '/var/lib/mysql', size: '30Gi', storageClass: 'longhorn-retain' } },
    });
    expect(layer.all('Deployment')).toEqual([]);
    expect(layer.all('PersistentVolumeClaim')).toEqual([]);
    const set = layer.find('StatefulSet', 'mysql', 'mysql');
    expect(set.spec.serviceName).toBe('mysql-headless');
    expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(set.spec.volumeClaimTemplates).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ name: 'data' }),
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'longhorn-retain', resources: { requests: { storage: '30Gi' } } },
      }),
    ]);
    expect(set.spec.template.spec.containers[0].volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/mysql' }]);
    expect(set.spec.template.spec.securityContext.fsGroup).toBe(999);
    expect(layer.find('Service', 'mysql-headless', 'mysql').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(layer.find('Service', 'mysql', 'mysql').spec.ports[0].port).toBe(3306);
    expect(layer.find('PodDisruptionBudget', 'mysql', 'mysql').spec.maxUnavailable).toBe(1);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a StatefulSet autoscales as a StatefulSet, and cannot be blue-green', () => {
    const layer = build({ workload: 'StatefulSet', autoscaling: { minReplicas: 2, maxReplicas: 4 } });
    expect(layer.find('HorizontalPodAutoscaler', 'hello', 'hello').spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: 'hello',
    });
    expect(() => build({ workload: 'StatefulSet', blueGreen: { active: 'blue' } })).toThrow(/blue-green needs workload Deployment/);
  });

  test("an app granted to another: its Service's address as <APP>_HOST / <APP>_PORT, egress from the caller and ingress to the callee on its port", () => {
    const layer = build({ name: 'wordpress', namespace: 'prod', env: { WORDPRESS_DB_HOST: '$(MYSQL_HOST):$(MYSQL_PORT)' } });
    const mysql = new Application(layer.chart, 'Mysql', { ...PROPS, name: 'mysql', namespace: 'infra', port: 3306, replicas: 1 });
    layer.app.useApp(mysql.grantAccess(layer.app));
    const env = layer.find('Deployment', 'wordpress', 'prod').spec.template.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'MYSQL_HOST', value: 'mysql.infra.svc.cluster.local' },
      { name: 'MYSQL_PORT', value: '3306' },
      { name: 'WORDPRESS_DB_HOST', value: '$(MYSQL_HOST):$(MYSQL_PORT)' },
    ]);
    const egress = layer.find('NetworkPolicy', 'allow-wordpress-to-mysql-egress', 'prod').spec;
    expect(egress.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/name': 'wordpress' });
    expect(egress.egress[0].ports).toEqual([{ protocol: 'TCP', port: 3306 }]);
    const ingress = layer.find('NetworkPolicy', 'allow-wordpress-to-mysql-ingress', 'infra').spec;
    expect(ingress.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/name': 'mysql' });
    expect(ingress.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'prod' });
    expect(() => layer.app.grantAccess(layer.app)).toThrow(/does not need a grant to call itself/);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test("Kafka with TLS client authentication: the user's certificate and key mounted as files, no password; an app outside Kafka's namespace is refused", () => {
    const layer = build({ namespace: 'kafka' });
    const kafka = new KafkaCluster(layer.chart, 'Kafka', { secretBackend: EXTERNAL_SECRETS, authentication: 'tls' });
    layer.app.useKafka(kafka, kafka.grantProduce(layer.app, kafka.addTopic('orders')));
    const pod = layer.find('Deployment', 'hello', 'kafka').spec.template.spec;
    expect(pod.containers[0].env).toEqual([
      { name: 'KAFKA_BOOTSTRAP_SERVERS', value: 'events-kafka-bootstrap.kafka.svc:9093' },
      { name: 'KAFKA_CA_FILE', value: '/etc/strata/kafka-ca/ca.crt' },
      { name: 'KAFKA_SECURITY_PROTOCOL', value: 'SSL' },
      { name: 'KAFKA_CERT_FILE', value: '/etc/strata/kafka-user/user.crt' },
      { name: 'KAFKA_KEY_FILE', value: '/etc/strata/kafka-user/user.key' },
    ]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'kafka-ca', mountPath: '/etc/strata/kafka-ca', readOnly: true },
      { name: 'kafka-user-crt', mountPath: '/etc/strata/kafka-user/user.crt', subPath: 'user.crt', readOnly: true },
      { name: 'kafka-user-key', mountPath: '/etc/strata/kafka-user/user.key', subPath: 'user.key', readOnly: true },
    ]);
    expect(pod.volumes.map((v: any) => [v.name, v.secret.secretName])).toEqual([
      ['kafka-ca', 'events-cluster-ca-cert'],
      ['kafka-user-crt', 'hello'],
      ['kafka-user-key', 'hello'],
    ]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
    const elsewhere = build();
    const other = new KafkaCluster(elsewhere.chart, 'Kafka', { secretBackend: EXTERNAL_SECRETS });
    expect(() => elsewhere.app.useKafka(other, other.addUser('hello'))).toThrow(/written into namespace kafka only; run the app in namespace kafka/);
  });

  test('a service account of its own with no token; credentials as environment variables from the secret backend; persistent volumes opted into Velero', () => {
    const layer = build({
      replicas: 1,
      secretBackend: EXTERNAL_SECRETS,
      secretEnv: { DB_PASSWORD: { remoteKey: 'region-a/prod/apps/hello', property: 'db-password' } },
      env: { DSN: 'postgres://hello:$(DB_PASSWORD)@db:5432/hello' },
      volumes: { data: { path: '/data', size: '1Gi', storageClass: 'longhorn-retain' } },
    });
    expect(layer.find('ServiceAccount', 'hello', 'hello').automountServiceAccountToken).toBe(false);
    const template = layer.find('Deployment', 'hello', 'hello').spec.template;
    expect(template.spec.serviceAccountName).toBe('hello');
    expect(template.spec.containers[0].env).toEqual([
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'hello-secret-env', key: 'DB_PASSWORD' } } },
      { name: 'DSN', value: 'postgres://hello:$(DB_PASSWORD)@db:5432/hello' },
    ]);
    expect(layer.find('ExternalSecret', 'hello-secret-env', 'hello').spec.data).toEqual([
      { secretKey: 'DB_PASSWORD', remoteRef: { key: 'region-a/prod/apps/hello', property: 'db-password' } },
    ]);
    expect(template.metadata.annotations['backup.velero.io/backup-volumes']).toBe('data-data');
    expect(schemaIssues(layer.manifests())).toEqual([]);
    expect(() => build({ secretEnv: { DB_PASSWORD: { remoteKey: 'k', property: 'p' } } })).toThrow(/secretEnv needs the secret backend/);
  });
});
