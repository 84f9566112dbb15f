import { buildKafka, DEV_KAFKA, jmxExporterSeries, streamingSchemaIssues } from './support';
import { Grantee } from '../../../constructs/core/grantee';
import { KafkaCluster } from '../../../constructs/streaming/kafka-cluster';
import { KAFKA_METRICS_RULES } from '../../../constructs/streaming/metrics';
import { STRIMZI_KAFKA } from '../../../constructs/versions';
import { alertNames, alertRules, expectScoped, metricSelectors } from '../../support/alerts';
import { EXTERNAL_SECRETS, testLayer } from '../../support/layer';

/** What Flux and Argo CD read to leave an object in place when it leaves git. */
const PRUNE_PROTECTION = { 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };

const kafkaOf = (layer: ReturnType<typeof buildKafka>) => layer.find('Kafka', 'events', 'kafka');
const pool = (layer: ReturnType<typeof buildKafka>, name: string) => layer.find('KafkaNodePool', name, 'kafka');
const policy = (layer: ReturnType<typeof buildKafka>, name: string) => layer.all('NetworkPolicy').find((p) => p.metadata.name === name);
const RESTRICTED = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

describe('KafkaCluster', () => {
  describe('production topology (dedicated)', () => {
    test('3 KRaft controllers and 3 brokers in separate node pools of the cluster', () => {
      const layer = buildKafka();
      expect(
        layer
          .all('KafkaNodePool')
          .map((p) => p.metadata.name)
          .sort(),
      ).toEqual(['brokers', 'controllers']);
      expect(pool(layer, 'controllers').spec).toMatchObject({ replicas: 3, roles: ['controller'] });
      expect(pool(layer, 'brokers').spec).toMatchObject({ replicas: 3, roles: ['broker'] });
      for (const name of ['controllers', 'brokers']) expect(pool(layer, name).metadata.labels['strimzi.io/cluster']).toBe('events');
    });

    test('replication factor 3 and min.insync.replicas 2, for internal topics too; retention from the profile', () => {
      expect(kafkaOf(buildKafka()).spec.kafka.config).toMatchObject({
        'default.replication.factor': 3,
        'min.insync.replicas': 2,
        'offsets.topic.replication.factor': 3,
        'transaction.state.log.replication.factor': 3,
        'transaction.state.log.min.isr': 2,
        'log.retention.hours': 168,
        'auto.create.topics.enable': false,
      });
    });

    test('JBOD persistent claims on the retain class, KRaft metadata on the same volume, claims kept on deletion', () => {
      const layer = buildKafka();
      expect(pool(layer, 'brokers').spec.storage).toEqual({
        type: 'jbod',
        volumes: [{ id: 0, type: 'persistent-claim', size: '100Gi', class: 'fast-ssd-retain', deleteClaim: false, kraftMetadata: 'shared' }],
      });
      expect(pool(layer, 'controllers').spec.storage.volumes[0]).toMatchObject({
        size: '10Gi',
        class: 'fast-ssd-retain',
        kraftMetadata: 'shared',
        deleteClaim: false,
      });
    });

    test('brokers sized by the tier, controllers by the construct default, requests and limits on both', () => {
      const layer = buildKafka();
      expect(pool(layer, 'brokers').spec.resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } });
      expect(pool(layer, 'controllers').spec.resources).toEqual({ requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '500m', memory: '1Gi' } });
    });

    test('pools on the database nodes, one node per machine, spread across zones', () => {
      const pod = pool(buildKafka(), 'brokers').spec.template.pod;
      expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
        { matchExpressions: [{ key: 'node.role', operator: 'In', values: ['database'] }] },
      ]);
      expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
        {
          labelSelector: { matchLabels: { 'strimzi.io/cluster': 'events', 'strimzi.io/pool-name': 'brokers' } },
          topologyKey: 'kubernetes.io/hostname',
        },
      ]);
      expect(pod.tolerations).toEqual([{ key: 'node.role', operator: 'Equal', value: 'database', effect: 'NoSchedule' }]);
      expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1 });
    });
  });

  describe('development topology (combined)', () => {
    test('one dual-role node, replication factor 1', () => {
      const layer = buildKafka(DEV_KAFKA, { region: 'region-a', environment: 'dev' });
      expect(layer.all('KafkaNodePool').map((p) => p.metadata.name)).toEqual(['dual-role']);
      expect(pool(layer, 'dual-role').spec).toMatchObject({ replicas: 1, roles: ['controller', 'broker'] });
      expect(pool(layer, 'dual-role').spec.storage.volumes[0]).toMatchObject({ size: '10Gi', kraftMetadata: 'shared' });
      expect(kafkaOf(layer).spec.kafka.config).toMatchObject({
        'default.replication.factor': 1,
        'min.insync.replicas': 1,
        'offsets.topic.replication.factor': 1,
        'log.retention.hours': 24,
      });
    });
  });

  test('Kafka pinned, KRaft mode, simple authorization, internal TLS listener with SCRAM-SHA-512', () => {
    const spec = kafkaOf(buildKafka()).spec.kafka;
    expect(spec.version).toBe(STRIMZI_KAFKA.kafka);
    expect(spec.authorization).toEqual({ type: 'simple' });
    expect(spec.listeners).toHaveLength(1);
    expect(spec.listeners[0]).toMatchObject({ name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'scram-sha-512' } });
  });

  test('mutual TLS when the overlay asks for it: listener and users', () => {
    const layer = buildKafka({ authentication: 'tls' });
    const user = layer.kafka.addUser('orders');
    expect(kafkaOf(layer).spec.kafka.listeners[0].authentication).toEqual({ type: 'tls' });
    expect(layer.find('KafkaUser', 'orders', 'kafka').spec.authentication).toEqual({ type: 'tls' });
    expect(user.clientAuthentication()).toEqual({
      type: 'tls',
      certificateAndKey: { secretName: 'orders', certificate: 'user.crt', key: 'user.key' },
    });
  });

  test('rack awareness on the zone label, with closest-replica fetching', () => {
    const spec = kafkaOf(buildKafka()).spec.kafka;
    expect(spec.rack).toEqual({ type: 'topology-label', topologyKey: 'topology.kubernetes.io/zone' });
    expect(spec.config['replica.selector.class']).toBe('org.apache.kafka.common.replica.RackAwareReplicaSelector');
    const noRack = kafkaOf(buildKafka({ rackTopologyKey: undefined })).spec.kafka;
    expect(noRack.rack).toBeUndefined();
    expect(noRack.config['replica.selector.class']).toBeUndefined();
  });

  test('one disruption budget over the cluster: one voluntary eviction at a time', () => {
    expect(kafkaOf(buildKafka()).spec.kafka.template.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
  });

  test('JMX exporter metrics from a ConfigMap, a PodMonitor, Kafka Exporter and the entity operator', () => {
    const layer = buildKafka();
    const spec = kafkaOf(layer).spec;
    expect(spec.kafka.metricsConfig).toEqual({
      type: 'jmxPrometheusExporter',
      valueFrom: { configMapKeyRef: { name: 'events-kafka-metrics', key: 'metrics-config.yml' } },
    });
    expect(layer.find('ConfigMap', 'events-kafka-metrics', 'kafka').data['metrics-config.yml']).toContain('kafka_server_raftmetrics_$1');
    const podMonitor = layer.find('PodMonitor', 'events-kafka', 'kafka').spec;
    expect(podMonitor.selector).toEqual({ matchLabels: { 'strimzi.io/cluster': 'events', 'strimzi.io/kind': 'Kafka' } });
    // The Strimzi labels the alerts select on, carried onto every series as strimzi_io_*.
    expect(podMonitor.podTargetLabels).toEqual([
      'strimzi.io/cluster',
      'strimzi.io/kind',
      'strimzi.io/name',
      'strimzi.io/broker-role',
      'strimzi.io/controller-role',
    ]);
    expect(podMonitor.podMetricsEndpoints).toEqual([
      { port: 'tcp-prometheus', path: '/metrics' },
      { port: 'healthcheck', path: '/metrics' },
    ]);
    expect(spec.kafkaExporter).toMatchObject({ topicRegex: '.*', groupRegex: '.*', resources: { limits: { memory: '128Mi' } } });
    expect(Object.keys(spec.entityOperator).sort()).toEqual(['template', 'topicOperator', 'userOperator']);
    expect(spec.entityOperator.topicOperator.resources.limits.memory).toBe('384Mi');
  });

  test('every Strimzi container runs under the restricted Pod Security Standard', () => {
    const layer = buildKafka();
    const spec = kafkaOf(layer).spec;
    for (const container of [
      spec.kafka.template.kafkaContainer,
      spec.kafka.template.initContainer,
      spec.entityOperator.template.topicOperatorContainer,
      spec.entityOperator.template.userOperatorContainer,
      spec.kafkaExporter.template.container,
      pool(layer, 'brokers').spec.template.kafkaContainer,
      pool(layer, 'controllers').spec.template.initContainer,
    ]) {
      expect(container.securityContext).toEqual(RESTRICTED);
    }
    expect(pool(layer, 'brokers').spec.template.pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      fsGroup: 0,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(layer.context.namespaces.find((n) => n.name === 'kafka')).toMatchObject({ workload: true, apiServerEgress: true });
    expect(layer.context.namespaces.find((n) => n.name === 'kafka')!.podSecurity ?? 'restricted').toBe('restricted');
  });

  test('Kafka, node pools and topics are protected from pruning', () => {
    const layer = buildKafka();
    layer.kafka.addTopic('orders');
    for (const obj of [kafkaOf(layer), pool(layer, 'brokers'), pool(layer, 'controllers'), layer.find('KafkaTopic', 'orders', 'kafka')]) {
      expect(obj.metadata.annotations).toEqual(expect.objectContaining(PRUNE_PROTECTION));
    }
  });

  test('bootstrap address and cluster CA secret are exposed', () => {
    const { kafka } = buildKafka();
    expect(kafka.bootstrapServers).toBe('events-kafka-bootstrap.kafka.svc:9093');
    expect(kafka.clusterCa).toEqual({ name: 'events-cluster-ca-cert', key: 'ca.crt' });
  });

  describe('validation', () => {
    test.each([
      [{ replicationFactor: 4 }, 'Kafka cluster events: replicationFactor 4 must be between 1 and the 3 broker(s)'],
      [{ minInsyncReplicas: 3, replicationFactor: 2 }, 'Kafka cluster events: minInsyncReplicas 3 must be between 1 and the replication factor 2'],
      [{ controllers: 2 }, 'Kafka cluster events: controllers 2 cannot keep a KRaft majority; use an odd number (1, 3 or 5)'],
      [{ brokers: 0 }, 'Kafka cluster events: brokers must be a positive integer (got 0)'],
    ])('%j is rejected', (props, message) => {
      expect(() => buildKafka(props)).toThrow(message);
    });
  });

  describe('topics', () => {
    test('defaults: 3 partitions, the cluster replication factor and retention', () => {
      const layer = buildKafka();
      const topic = layer.kafka.addTopic('orders');
      expect(topic.topicName).toBe('orders');
      expect(layer.find('KafkaTopic', 'orders', 'kafka')).toMatchObject({
        metadata: { labels: { 'strimzi.io/cluster': 'events' } },
        spec: { partitions: 3, replicas: 3, config: { 'retention.ms': 168 * 3600_000 } },
      });
    });

    test('a Kafka name that is no object name keeps its name in spec.topicName', () => {
      const layer = buildKafka();
      const topic = layer.kafka.addTopic('HRM_events', { partitions: 6, config: { 'cleanup.policy': 'compact' } });
      expect(topic.objectName).toMatch(/^hrm-events-[0-9a-f]{8}$/);
      expect(layer.find('KafkaTopic', topic.objectName, 'kafka').spec).toMatchObject({
        topicName: 'HRM_events',
        partitions: 6,
        config: { 'cleanup.policy': 'compact' },
      });
    });

    test('more replicas than brokers, or the same topic twice, are errors', () => {
      const layer = buildKafka();
      expect(() => layer.kafka.addTopic('orders', { replicas: 5 })).toThrow('topic "orders" asks for 5 replicas, the cluster has 3 broker(s)');
      layer.kafka.addTopic('orders');
      expect(() => layer.kafka.addTopic('orders')).toThrow('topic "orders" is added twice');
    });
  });

  describe('users and grants', () => {
    test('a SCRAM user whose password the User Operator generates (no password in git)', () => {
      const layer = buildKafka();
      const user = layer.kafka.addUser('orders-app');
      expect(layer.find('KafkaUser', 'orders-app', 'kafka')).toMatchObject({
        metadata: { labels: { 'strimzi.io/cluster': 'events' } },
        spec: { authentication: { type: 'scram-sha-512' }, authorization: { type: 'simple', acls: [] } },
      });
      expect(user.clientAuthentication()).toEqual({
        type: 'scram-sha-512',
        username: 'orders-app',
        passwordSecret: { secretName: 'orders-app', password: 'password' },
      });
      expect(layer.all('Secret')).toEqual([]);
      expect(layer.all('ExternalSecret')).toEqual([]);
    });

    test('grantProduce and grantConsume give the grantee a user named after it, the ACLs merged per resource, and the network path', () => {
      const layer = buildKafka();
      const orders = layer.kafka.addTopic('orders');
      const app = Grantee.of(layer.chart, 'orders-app', { namespace: 'kafka', podLabels: { app: 'orders' } });
      const user = layer.kafka.grantProduce(app, orders);
      expect(layer.kafka.grantConsume(app, orders, 'orders-app')).toBe(user);
      layer.kafka.grantProduce(app, { prefix: 'hrm.' }, { create: true });
      expect(user.clientAuthentication()).toMatchObject({ username: 'orders-app', passwordSecret: { secretName: 'orders-app' } });
      expect(policy(layer, 'allow-orders-app-to-events-ingress').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9093 }]);
      expect(policy(layer, 'allow-orders-app-to-events-egress').spec.podSelector).toEqual({ matchLabels: { app: 'orders' } });
      expect(layer.all('NetworkPolicy').filter((p: any) => p.metadata.name.startsWith('allow-orders-app-to-'))).toHaveLength(2);
      expect(layer.find('KafkaUser', 'orders-app', 'kafka').spec.authorization.acls).toEqual([
        { type: 'allow', resource: { type: 'group', name: 'orders-app', patternType: 'literal' }, operations: ['Read'] },
        { type: 'allow', resource: { type: 'topic', name: 'orders', patternType: 'literal' }, operations: ['Describe', 'Read', 'Write'] },
        { type: 'allow', resource: { type: 'topic', name: 'hrm.', patternType: 'prefix' }, operations: ['Create', 'Describe', 'Write'] },
      ]);
    });

    test('a grantee whose pods run outside the Kafka namespace is refused: its credentials could not reach it', () => {
      const layer = buildKafka();
      const app = Grantee.of(layer.chart, 'app', { namespace: 'apps', podLabels: { app: 'orders' } });
      expect(() => layer.kafka.grantProduce(app, 'orders')).toThrow(
        "Kafka cluster events: grantProduce to app, whose pods run in namespace apps; Strimzi's User Operator writes Kafka credentials only into kafka, so run the client there",
      );
      expect(layer.all('KafkaUser').map((u: any) => u.metadata.name)).not.toContain('app');
    });

    test('an external user takes its password from the secret store; a mirror source grant is read-only', () => {
      const layer = buildKafka();
      const user = layer.kafka.grantMirrorSource('mirror-maker-region-b');
      expect(layer.kafka.addExternalUser('mirror-maker-region-b')).toBe(user);
      const rendered = layer.find('KafkaUser', 'mirror-maker-region-b', 'kafka');
      expect(rendered.spec.authentication).toEqual({
        type: 'scram-sha-512',
        password: { valueFrom: { secretKeyRef: { name: 'mirror-maker-region-b-password', key: 'password' } } },
      });
      const source = layer.find('ExternalSecret', 'mirror-maker-region-b-password', 'kafka');
      expect(source.spec.data).toEqual([
        { secretKey: 'password', remoteRef: { key: 'region-a/prod/kafka/events/users/mirror-maker-region-b', property: 'password' } },
      ]);
      expect(KafkaCluster.externalUserKey('region-a/prod', 'events', 'mirror-maker-region-b')).toBe(
        'region-a/prod/kafka/events/users/mirror-maker-region-b',
      );
      const operations = rendered.spec.authorization.acls.flatMap((a: any) => a.operations);
      expect(operations.filter((op: string) => !['Describe', 'DescribeConfigs', 'Read'].includes(op))).toEqual([]);
      expect(rendered.spec.authorization.acls).toContainEqual({
        type: 'allow',
        resource: { type: 'topic', name: '*', patternType: 'literal' },
        operations: ['Describe', 'DescribeConfigs', 'Read'],
      });
    });
  });

  describe('network', () => {
    test('KRaft nodes, the operator, the entity operator, Kafka Exporter and Prometheus each get exactly their ports', () => {
      const layer = buildKafka();
      const ports = (name: string) => policy(layer, name).spec[name.endsWith('-egress') ? 'egress' : 'ingress'][0].ports.map((p: any) => p.port);
      expect(ports('allow-events-kafka-nodes-ingress')).toEqual([9090, 9091]);
      expect(ports('allow-strimzi-operator-to-events-ingress')).toEqual([9090, 9091, 8443]);
      expect(policy(layer, 'allow-strimzi-operator-to-events-egress').metadata.namespace).toBe('strimzi-system');
      expect(ports('allow-events-entity-operator-to-kafka-ingress')).toEqual([9091]);
      expect(ports('allow-events-kafka-exporter-to-kafka-ingress')).toEqual([9091]);
      expect(ports('allow-prometheus-to-events-kafka-ingress')).toEqual([8080, 8081, 9404]);
    });

    test('clients are let in by allowClients, and the listener admits only them', () => {
      const layer = buildKafka();
      const listener = () => kafkaOf(layer).spec.kafka.listeners[0];
      // Without clients the listener admits only the brokers themselves (an empty list would admit everyone).
      expect(listener().networkPolicyPeers).toEqual([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } },
          podSelector: { matchLabels: layer.kafka.brokerPods.podLabels },
        },
      ]);
      layer.kafka.allowClients({ namespace: 'apps', podLabels: { app: 'orders' } }, 'orders');
      expect(listener().networkPolicyPeers).toEqual([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } }, podSelector: { matchLabels: { app: 'orders' } } },
      ]);
      expect(policy(layer, 'allow-orders-to-events-egress').metadata.namespace).toBe('apps');
      expect(policy(layer, 'allow-orders-to-events-ingress').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9093 }]);
    });

    test('an external listener for other regions: TLS load balancer with SCRAM, its DNS name in the certificates', () => {
      const layer = buildKafka();
      expect(layer.kafka.addExternalListener({ host: 'kafka-prod.region-a.strata.example', loadBalancerSourceRanges: ['203.0.113.0/24'] })).toBe(
        'kafka-prod.region-a.strata.example:9094',
      );
      expect(kafkaOf(layer).spec.kafka.listeners[1]).toEqual({
        name: 'external',
        port: 9094,
        type: 'loadbalancer',
        tls: true,
        authentication: { type: 'scram-sha-512' },
        configuration: {
          bootstrap: {
            alternativeNames: ['kafka-prod.region-a.strata.example'],
            annotations: { 'external-dns.alpha.kubernetes.io/hostname': 'kafka-prod.region-a.strata.example' },
          },
          loadBalancerSourceRanges: ['203.0.113.0/24'],
        },
      });
      expect(policy(layer, 'allow-external-to-events').spec.ingress).toEqual([
        { from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 9094 }] },
      ]);
      expect(() => layer.kafka.addExternalListener({ host: 'other.example' })).toThrow('already uses host kafka-prod.region-a.strata.example');
    });
  });

  test('every object validates against the pinned schemas', () => {
    const layer = buildKafka();
    layer.kafka.grantConsume(Grantee.of(layer.chart, 'app', { namespace: 'kafka', podLabels: { app: 'app' } }), layer.kafka.addTopic('orders'), {
      prefix: 'app-',
    });
    layer.kafka.addExternalListener({ host: 'kafka-prod.region-a.strata.example' });
    expect(streamingSchemaIssues(layer.manifests())).toEqual([]);
  });

  describe('alerts', () => {
    const rulesOf = (layer: ReturnType<typeof buildKafka>) => alertRules(layer, 'events-kafka', 'kafka');
    const LABELS = { namespace: 'kafka', strimzi_io_cluster: 'events', strimzi_io_kind: 'Kafka' };
    const SCOPE = ['namespace="kafka"', 'strimzi_io_cluster="events"', 'strimzi_io_kind="Kafka"'];

    test('a PrometheusRule beside the PodMonitor: replication, partitions, the KRaft controller and brokers', () => {
      expect(alertNames(rulesOf(buildKafka()))).toEqual([
        'KafkaUnderReplicatedPartitions',
        'KafkaUnderMinIsrPartitions',
        'KafkaOfflinePartitions',
        'KafkaNoActiveController',
        'KafkaBrokerDown',
      ]);
    });

    test("every expression is scoped to the cluster's namespace and Strimzi labels; severity, cluster labels and annotations naming it", () => {
      const rules = rulesOf(buildKafka());
      for (const rule of rules) expectScoped(rule, SCOPE, ['kafka_', 'up'], LABELS, 'kafka/events');
      expect(new Set(rules.map((r) => r.labels.severity))).toEqual(new Set(['critical', 'warning']));
    });

    test('every Kafka series an alert reads is one our JMX exporter rules produce from the broker or controller MBean', () => {
      const produced = [
        'kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value: 0',
        'kafka.server<type=ReplicaManager, name=UnderMinIsrPartitionCount><>Value: 0',
        'kafka.controller<type=KafkaController, name=OfflinePartitionsCount><>Value: 0',
        'kafka.controller<type=KafkaController, name=ActiveControllerCount><>Value: 1',
      ].map((bean) => jmxExporterSeries(KAFKA_METRICS_RULES, bean)!.name);
      const read = new Set(
        rulesOf(buildKafka())
          .flatMap((r) => metricSelectors(r.expr).map((m) => m.metric))
          .filter((m) => m.startsWith('kafka_')),
      );
      expect([...read].sort()).toEqual([...produced].sort());
    });

    test('broker down counts the broker-role targets against the brokers of the topology', () => {
      const broker = (layer: ReturnType<typeof buildKafka>) => rulesOf(layer).find((r) => r.alert === 'KafkaBrokerDown')!.expr;
      expect(broker(buildKafka())).toBe(
        '(count(up{namespace="kafka", strimzi_io_cluster="events", strimzi_io_kind="Kafka", strimzi_io_broker_role="true", endpoint="tcp-prometheus"} == 1) or vector(0)) < 3',
      );
      expect(broker(buildKafka(DEV_KAFKA, { region: 'region-a', environment: 'dev' }))).toMatch(/ < 1$/);
    });
  });
});

describe('KafkaCluster documented defaults', () => {
  /** Only what has no default: where the credentials come from. */
  const defaults = () => {
    const layer = testLayer('streaming');
    const kafka = new KafkaCluster(layer.chart, 'Kafka', { secretBackend: EXTERNAL_SECRETS });
    return { ...layer, kafka };
  };

  test("'events' in namespace kafka: 3 controllers and 3 brokers, replication 3 / min ISR 2, 7 days, SCRAM-SHA-512", () => {
    const layer = defaults();
    expect(layer.kafka.name).toBe('events');
    expect(layer.kafka.namespace).toBe('kafka');
    expect(layer.kafka.version).toBe(STRIMZI_KAFKA.kafka);
    const spec = kafkaOf(layer).spec.kafka;
    expect(spec.config).toMatchObject({
      'default.replication.factor': 3,
      'min.insync.replicas': 2,
      'offsets.topic.replication.factor': 3,
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.min.isr': 2,
      'log.retention.hours': 168,
    });
    expect(spec.listeners[0].authentication).toEqual({ type: 'scram-sha-512' });
    // No rack awareness unless a zone label is given.
    expect(spec.rack).toBeUndefined();
    expect(spec.config['replica.selector.class']).toBeUndefined();
  });

  test("dedicated topology: controllers 250m-500m / 1Gi on '10Gi', brokers 2 CPUs / 6Gi Guaranteed on '100Gi', no storage class", () => {
    const layer = defaults();
    expect(layer.all('KafkaNodePool').map((p) => p.metadata.name)).toEqual(['controllers', 'brokers']);
    const controllers = pool(layer, 'controllers').spec;
    expect(controllers.replicas).toBe(3);
    expect(controllers.roles).toEqual(['controller']);
    expect(controllers.storage.volumes[0].size).toBe('10Gi');
    expect(controllers.resources).toEqual({ requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '500m', memory: '1Gi' } });
    const brokers = pool(layer, 'brokers').spec;
    expect(brokers.replicas).toBe(3);
    expect(brokers.roles).toEqual(['broker']);
    expect(brokers.storage.volumes[0].size).toBe('100Gi');
    expect(brokers.resources).toEqual({ requests: { cpu: '2', memory: '6Gi' }, limits: { cpu: '2', memory: '6Gi' } });
    // The cluster's default StorageClass: the claims name none.
    for (const p of [controllers, brokers]) expect(p.storage.volumes[0]).not.toHaveProperty('class');
  });

  test('secret keys under <region>/<environment> of the layer', () => {
    const layer = defaults();
    layer.kafka.addExternalUser('mirror');
    const secret = layer.find('ExternalSecret', 'mirror-password', 'kafka');
    expect(secret.spec.data.map((d: any) => d.remoteRef.key)).toEqual(['region-a/prod/kafka/events/users/mirror']);
  });

  test('every object validates against the schemas', () => {
    const layer = defaults();
    layer.kafka.addTopic('orders');
    expect(streamingSchemaIssues(layer.manifests())).toEqual([]);
  });

  test('the defaults are validated with what is given: one broker cannot hold 3 replicas', () => {
    const layer = testLayer('streaming');
    expect(() => new KafkaCluster(layer.chart, 'Kafka', { secretBackend: EXTERNAL_SECRETS, brokers: 1 })).toThrow(
      'Kafka cluster events: replicationFactor 3 must be between 1 and the 1 broker(s)',
    );
  });
});
