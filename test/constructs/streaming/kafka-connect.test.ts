import { buildKafka, jmxExporterSeries, streamingSchemaIssues } from './support';
import { downloadsIn, unverifiedDownloads } from '../../../constructs/platform/downloads';
import { SecretReference } from '../../../constructs/secrets/secret-reference';
import { KafkaConnectCluster, KafkaConnectClusterProps } from '../../../constructs/streaming/kafka-connect';
import { CONNECT_METRICS_RULES } from '../../../constructs/streaming/metrics';
import { CONNECT_PLUGINS, ConnectPluginPin } from '../../../constructs/versions';
import { alertNames, alertRules, expectScoped, metricSelectors } from '../../support/alerts';
import { EXTERNAL_SECRETS } from '../../support/layer';

const REGISTRY = { repository: 'registry.region-a.strata.example/platform', pushSecret: 'kafka-connect-registry' };

function build(props: Partial<Omit<KafkaConnectClusterProps, 'kafka'>> = {}) {
  const layer = buildKafka();
  const connect = new KafkaConnectCluster(layer.chart, 'Connect', {
    kafka: layer.kafka,
    replicas: 2,
    resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    registry: REGISTRY,
    secretBackend: EXTERNAL_SECRETS,
    secretKeyPrefix: 'region-a/prod',
    ...props,
  });
  return { ...layer, connect };
}

const connectOf = (layer: ReturnType<typeof build>) => layer.find('KafkaConnect', 'connect', 'kafka');
const secret = (
  layer: ReturnType<typeof build>,
  namespace: string,
  name: string,
  keys: Record<string, string> = { username: 'username', password: 'password' },
) =>
  new SecretReference(layer.chart, `Secret-${namespace}-${name}`, {
    backend: EXTERNAL_SECRETS,
    namespace,
    name,
    remoteKey: `region-a/prod/${name}`,
    keys,
  });

describe('KafkaConnectCluster', () => {
  test('connectors are managed as KafkaConnector resources; workers sized by the tier', () => {
    const spec = connectOf(build());
    expect(spec.metadata.annotations).toEqual({ 'strimzi.io/use-connector-resources': 'true' });
    expect(spec.spec).toMatchObject({
      replicas: 2,
      resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } },
      version: '4.3.1',
      bootstrapServers: 'events-kafka-bootstrap.kafka.svc:9093',
      groupId: 'connect',
      configStorageTopic: 'connect-configs',
      offsetStorageTopic: 'connect-offsets',
      statusStorageTopic: 'connect-status',
      tls: { trustedCertificates: [{ secretName: 'events-cluster-ca-cert', certificate: 'ca.crt' }] },
      authentication: { type: 'scram-sha-512', username: 'connect', passwordSecret: { secretName: 'connect', password: 'password' } },
      metricsConfig: {
        type: 'jmxPrometheusExporter',
        valueFrom: { configMapKeyRef: { name: 'connect-connect-metrics', key: 'metrics-config.yml' } },
      },
      template: { podDisruptionBudget: { maxUnavailable: 1 } },
    });
  });

  test('secrets reach connectors only through the Kubernetes Secret config provider', () => {
    expect(connectOf(build()).spec.config).toMatchObject({
      'config.providers': 'secrets',
      'config.providers.secrets.class': 'io.strimzi.kafka.KubernetesSecretConfigProvider',
    });
  });

  describe('image', () => {
    test('without a prebuilt image Strimzi builds one with the pinned plugins and pushes it to the region registry', () => {
      const layer = build();
      const spec = connectOf(layer).spec;
      expect(spec.image).toBeUndefined();
      expect(spec.build.output).toEqual({ type: 'docker', image: layer.connect.image, pushSecret: 'kafka-connect-registry' });
      expect(layer.connect.image).toMatch(/^registry\.region-a\.strata\.example\/platform\/kafka-connect:1\.2\.0-[0-9a-f]{10}$/);
      expect(spec.build.plugins).toEqual([
        { name: 'debezium-connector-postgres', artifacts: [{ type: 'tgz', url: CONNECT_PLUGINS.debeziumPostgres.artifacts[0].url }] },
        { name: 'opensearch-connector-for-apache-kafka', artifacts: [{ type: 'zip', url: CONNECT_PLUGINS.opensearchSink.artifacts[0].url }] },
      ]);
      expect(spec.build.resources.limits).toEqual({ cpu: '1', memory: '1Gi' });
      // The same registry credential pulls the image it pushed.
      expect(spec.template.pod.imagePullSecrets).toEqual([{ name: 'kafka-connect-registry' }]);
    });

    test('the push secret is materialised from the secret store as a dockerconfigjson Secret', () => {
      const push = build().find('ExternalSecret', 'kafka-connect-registry', 'kafka');
      expect(push.spec.target.template).toEqual({ type: 'kubernetes.io/dockerconfigjson' });
      expect(push.spec.data).toEqual([
        { secretKey: '.dockerconfigjson', remoteRef: { key: 'region-a/prod/registry/push', property: 'dockerconfigjson' } },
      ]);
    });

    test('a pinned checksum is passed to the build; a new pin gives a new image tag', () => {
      const pinned: ConnectPluginPin = {
        name: 'my-plugin',
        version: '1.0.0',
        source: 'a test pin',
        artifacts: [{ type: 'jar', url: 'https://repo.example/my-plugin-1.0.0.jar', sha512: 'ab'.repeat(64) }],
      };
      const layer = build({ plugins: [pinned] });
      expect(connectOf(layer).spec.build.plugins[0].artifacts[0]).toEqual({
        type: 'jar',
        url: 'https://repo.example/my-plugin-1.0.0.jar',
        sha512sum: 'ab'.repeat(64),
      });
      const other = build({ plugins: [{ ...pinned, version: '1.0.1' }] });
      expect(other.connect.image).not.toBe(layer.connect.image);
      expect(build().connect.image).toBe(build().connect.image);
    });

    test('each plugin artifact the build downloads is recorded, verified where its pin has a SHA-512; a prebuilt image downloads nothing', () => {
      expect(unverifiedDownloads(build().chart).map((d) => [d.object, d.field, d.url])).toEqual([
        ['KafkaConnect kafka/connect', 'spec.build.plugins[0].artifacts[0].url', CONNECT_PLUGINS.debeziumPostgres.artifacts[0].url],
        ['KafkaConnect kafka/connect', 'spec.build.plugins[1].artifacts[0].url', CONNECT_PLUGINS.opensearchSink.artifacts[0].url],
      ]);
      expect(unverifiedDownloads(build().chart)[0].fix).toContain('debezium-connector-postgres 3.6.2.Final');
      const pinned: ConnectPluginPin = {
        name: 'my-plugin',
        version: '1.0.0',
        source: 'a test pin',
        artifacts: [{ type: 'jar', url: 'https://repo.example/my-plugin-1.0.0.jar', sha512: 'ab'.repeat(64) }],
      };
      const verified = build({ plugins: [pinned] }).chart;
      expect(downloadsIn(verified)).toEqual([expect.objectContaining({ url: 'https://repo.example/my-plugin-1.0.0.jar', sha512: 'ab'.repeat(64) })]);
      expect(unverifiedDownloads(verified)).toEqual([]);
      expect(downloadsIn(build({ image: 'registry.example/connect-cdc:1.0.0', registry: undefined }).chart)).toEqual([]);
    });

    test('the build runs in a baseline namespace (Buildah needs SETUID/SETGID) with HTTPS egress for downloads and the push', () => {
      const layer = build();
      expect(layer.context.namespaces.find((n) => n.name === 'kafka')).toMatchObject({
        podSecurity: 'baseline',
        podSecurityReason: expect.stringContaining('Buildah'),
      });
      const egress = layer.all('NetworkPolicy').find((p) => p.metadata.name === 'allow-connect-connect-build-egress');
      expect(egress.spec.podSelector.matchLabels).toEqual({
        'strimzi.io/cluster': 'connect',
        'strimzi.io/kind': 'KafkaConnect',
        'strimzi.io/name': 'connect-connect-build',
      });
      expect(egress.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    });

    test('a prebuilt image is used as it is: no build, no push secret, the namespace stays restricted', () => {
      const layer = build({ image: 'registry.example/connect-cdc:1.0.0', registry: undefined });
      const spec = connectOf(layer).spec;
      expect(spec.image).toBe('registry.example/connect-cdc:1.0.0');
      expect(spec.build).toBeUndefined();
      expect(spec.template.pod.imagePullSecrets).toBeUndefined();
      expect(layer.connect.image).toBe('registry.example/connect-cdc:1.0.0');
      expect(layer.all('ExternalSecret')).toEqual([]);
      expect(layer.context.namespaces.find((n) => n.name === 'kafka')!.podSecurity ?? 'restricted').toBe('restricted');
    });

    test('neither image nor registry is an error that says what to set', () => {
      expect(() => build({ registry: undefined })).toThrow(
        "Kafka Connect connect: no prebuilt image and no registry to push a built one to; set the region's registry {repository, pushSecret} or streaming.connect.image",
      );
    });
  });

  test("Connect's Kafka user may use exactly its internal topics and groups", () => {
    const acls = build().find('KafkaUser', 'connect', 'kafka').spec.authorization.acls;
    expect(acls).toEqual([
      { type: 'allow', resource: { type: 'group', name: 'connect', patternType: 'literal' }, operations: ['Describe', 'Read'] },
      { type: 'allow', resource: { type: 'group', name: 'connect-', patternType: 'prefix' }, operations: ['Describe', 'Read'] },
      ...['connect-configs', 'connect-offsets', 'connect-status'].map((name) => ({
        type: 'allow',
        resource: { type: 'topic', name, patternType: 'literal' },
        operations: ['Create', 'Describe', 'DescribeConfigs', 'Read', 'Write'],
      })),
    ]);
  });

  test("connectors' topics are granted through the cluster, to the Connect cluster as the grantee", () => {
    const layer = build();
    expect(layer.kafka.grantProduce(layer.connect, { prefix: 'hrm.' }, { create: true })).toBe(layer.connect.user);
    // The workers' path to the listener exists already: the grant adds no second policy.
    expect(layer.all('NetworkPolicy').filter((p: any) => p.metadata.name.startsWith('allow-connect-to-'))).toEqual([]);
    expect(layer.find('KafkaUser', 'connect', 'kafka').spec.authorization.acls).toContainEqual({
      type: 'allow',
      resource: { type: 'topic', name: 'hrm.', patternType: 'prefix' },
      operations: ['Create', 'Describe', 'Write'],
    });
  });

  describe('useSecret', () => {
    test("a Role allowing get on exactly the secrets used, per namespace, bound to the workers' service account", () => {
      const layer = build();
      const pg = secret(layer, 'postgres', 'postgres-hrm-credentials');
      const pg2 = secret(layer, 'postgres', 'postgres-payroll-credentials');
      const os = secret(layer, 'opensearch', 'search-connect-credentials');
      secret(layer, 'postgres', 'postgres-dora-credentials');
      expect(layer.connect.useSecret(pg)('password')).toBe('${secrets:postgres/postgres-hrm-credentials:password}');
      layer.connect.useSecret(pg2);
      layer.connect.useSecret(os);
      layer.connect.useSecret(pg);

      const roles = layer.all('Role');
      expect(roles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`).sort()).toEqual([
        'opensearch/connect-connect-secrets',
        'postgres/connect-connect-secrets',
      ]);
      expect(layer.find('Role', 'connect-connect-secrets', 'postgres').rules).toEqual([
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['postgres-hrm-credentials', 'postgres-payroll-credentials'] },
      ]);
      expect(layer.find('Role', 'connect-connect-secrets', 'opensearch').rules[0].resourceNames).toEqual(['search-connect-credentials']);
      expect(layer.find('RoleBinding', 'connect-connect-secrets', 'postgres')).toMatchObject({
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'connect-connect-secrets' },
        subjects: [{ kind: 'ServiceAccount', name: 'connect-connect', namespace: 'kafka' }],
      });
    });

    test('no Role at all while no secret is used', () => {
      const layer = build();
      expect(layer.all('Role')).toEqual([]);
      expect(layer.all('RoleBinding')).toEqual([]);
    });

    test('a key the secret does not have is an error', () => {
      const layer = build();
      expect(() => layer.connect.useSecret(secret(layer, 'postgres', 'db'))('token')).toThrow('secret postgres/db has no key "token"');
    });
  });

  describe('addConnector', () => {
    test('a KafkaConnector of this cluster, restarted automatically', () => {
      const layer = build();
      const db = layer.connect.useSecret(secret(layer, 'postgres', 'postgres-hrm-credentials'));
      layer.connect.addConnector('hrm-source', {
        class: 'io.debezium.connector.postgresql.PostgresConnector',
        config: { 'database.user': db('username'), 'database.password': db('password'), 'topic.prefix': 'hrm' },
      });
      expect(layer.find('KafkaConnector', 'hrm-source', 'kafka')).toMatchObject({
        metadata: { labels: { 'strimzi.io/cluster': 'connect' } },
        spec: {
          class: 'io.debezium.connector.postgresql.PostgresConnector',
          tasksMax: 1,
          autoRestart: { enabled: true },
          state: 'running',
          config: { 'database.password': '${secrets:postgres/postgres-hrm-credentials:password}', 'topic.prefix': 'hrm' },
        },
      });
    });

    test('a credential given inline is rejected, without echoing it', () => {
      const layer = build();
      let message = '';
      try {
        layer.connect.addConnector('sink', { class: 'x', config: { 'connection.password': 'hunter2' } });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toBe(
        'connector sink: config "connection.password" looks like a credential given inline; pass it as connect.useSecret(secret)(\'<key>\') so it is read from the Secret at run time',
      );
      expect(message).not.toContain('hunter2');
    });

    test('a placeholder for a secret Connect may not read is rejected', () => {
      const layer = build();
      expect(() =>
        layer.connect.addConnector('sink', { class: 'x', config: { 'connection.password': '${secrets:opensearch/admin:password}' } }),
      ).toThrow('connector sink: config "connection.password" reads secret opensearch/admin, which Connect may not read');
    });

    test('the same connector twice is an error', () => {
      const layer = build();
      layer.connect.addConnector('a', { class: 'x', config: {} });
      expect(() => layer.connect.addConnector('a', { class: 'x', config: {} })).toThrow('connector "a" is added twice');
    });
  });

  test('network: workers reach the brokers and each other, the operator reaches the REST API, Prometheus the metrics', () => {
    const layer = build();
    const names = layer.all('NetworkPolicy').map((p) => p.metadata.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'allow-connect-connect-to-events-egress',
        'allow-connect-connect-to-events-ingress',
        'allow-connect-connect-workers-ingress',
        'allow-strimzi-operator-to-connect-connect-ingress',
        'allow-prometheus-to-connect-connect-ingress',
      ]),
    );
    expect(layer.find('Kafka', 'events', 'kafka').spec.kafka.listeners[0].networkPolicyPeers).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } }, podSelector: { matchLabels: layer.connect.pods.podLabels } },
    ]);
    expect(layer.find('PodMonitor', 'connect-connect', 'kafka').spec.selector.matchLabels).toEqual({
      'strimzi.io/cluster': 'connect',
      'strimzi.io/kind': 'KafkaConnect',
    });
    expect(layer.find('PodMonitor', 'connect-connect', 'kafka').spec.podTargetLabels).toEqual(
      expect.arrayContaining(['strimzi.io/cluster', 'strimzi.io/kind']),
    );
  });

  describe('alerts', () => {
    const rulesOf = (layer: ReturnType<typeof build>) => alertRules(layer, 'connect-connect', 'kafka');

    test('a PrometheusRule beside the PodMonitor: a failed connector, a failed task', () => {
      expect(alertNames(rulesOf(build()))).toEqual(['KafkaConnectConnectorFailed', 'KafkaConnectTaskFailed']);
    });

    test('every expression is scoped to this Connect cluster (not Kafka, not MirrorMaker 2); critical, naming it', () => {
      for (const rule of rulesOf(build())) {
        expectScoped(
          rule,
          ['namespace="kafka"', 'strimzi_io_cluster="connect"', 'strimzi_io_kind="KafkaConnect"'],
          ['kafka_'],
          { namespace: 'kafka', strimzi_io_cluster: 'connect', strimzi_io_kind: 'KafkaConnect' },
          'kafka/connect',
        );
        expect(rule.labels.severity).toBe('critical');
      }
    });

    test("the series read are the ones our Connect JMX rules produce; a connector's status is the one without a task label", () => {
      const connector = jmxExporterSeries(CONNECT_METRICS_RULES, 'kafka.connect<type=connector-metrics, connector=hrm-source><>status: failed')!;
      const task = jmxExporterSeries(
        CONNECT_METRICS_RULES,
        'kafka.connect<type=connector-task-metrics, connector=hrm-source, task=0><>status: failed',
      )!;
      const failedTasks = jmxExporterSeries(
        CONNECT_METRICS_RULES,
        'kafka.connect<type=connect-worker-metrics, connector=hrm-source><>connector-failed-task-count: 1',
      )!;
      expect(connector).toEqual({ name: 'kafka_connect_connector_status', labels: { connector: 'hrm-source', status: 'failed' } });
      expect(task.labels).toEqual({ connector: 'hrm-source', task: '0', status: 'failed' });
      const [failed, taskFailed] = rulesOf(build()).map((r) => metricSelectors(r.expr));
      expect(failed).toEqual([expect.objectContaining({ metric: connector.name, matchers: expect.stringContaining('status="failed", task=""') })]);
      expect(taskFailed.map((m) => m.metric)).toEqual([failedTasks.name]);
    });
  });

  test('every object validates against the pinned schemas', () => {
    const layer = build();
    const db = layer.connect.useSecret(secret(layer, 'postgres', 'db'));
    layer.connect.addConnector('hrm-source', {
      class: 'io.debezium.connector.postgresql.PostgresConnector',
      tasksMax: 1,
      config: { 'database.password': db('password') },
    });
    expect(streamingSchemaIssues(layer.manifests())).toEqual([]);
  });
});
