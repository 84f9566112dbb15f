import { Testing } from 'cdk8s';
import { buildOverlay } from '../../charts/overlay';
import { kafkaExternalHost, mirrorUserName, StreamingChart } from '../../charts/streaming';
import { loadEnvironments } from '../../environments/load';
import type { OverlaySpec } from '../../environments/model';
import { ENVIRONMENTS_DIR, environmentsWith, removeTempDirs } from '../support/temp';

afterAll(removeTempDirs);

const overlays = loadEnvironments(ENVIRONMENTS_DIR);
const overlay = (id: string, from: readonly OverlaySpec[] = overlays): OverlaySpec => {
  const found = from.find((o) => o.id === id);
  if (!found) throw new Error(`no overlay ${id}`);
  return found;
};
const streaming = (o: OverlaySpec) => {
  const built = buildOverlay(o);
  const chart = built.layers.find((l) => l.layer === 'streaming') as StreamingChart | undefined;
  return { built, chart, manifests: chart ? Testing.synth(chart) : [] };
};
const find = (manifests: any[], kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);

describe('StreamingChart', () => {
  test('region-a/prod: 3 controllers + 3 brokers, RF 3, min ISR 2; Connect built with the CDC plugins; kafka and connect are public', () => {
    const { built, chart, manifests } = streaming(overlay('region-a/prod'));
    expect(chart).toBeDefined();
    expect(built.platform.streaming).toBe(chart);
    expect(chart!.kafka.bootstrapServers).toBe('events-kafka-bootstrap.kafka.svc:9093');
    expect(chart!.connect).toBeDefined();
    expect(chart!.mirrorMaker).toBeUndefined();
    expect(find(manifests, 'KafkaNodePool', 'controllers').spec.replicas).toBe(3);
    expect(find(manifests, 'KafkaNodePool', 'brokers').spec.replicas).toBe(3);
    expect(find(manifests, 'Kafka', 'events').spec.kafka.config).toMatchObject({ 'default.replication.factor': 3, 'min.insync.replicas': 2 });
    expect(find(manifests, 'Kafka', 'events').spec.kafka.rack).toEqual({ type: 'topology-label', topologyKey: 'topology.kubernetes.io/zone' });
    const connect = find(manifests, 'KafkaConnect', 'connect');
    expect(connect.spec.build.output.image).toMatch(/^registry\.region-a\.strata\.example\/platform\/kafka-connect:1\.2\.0-/);
    expect(connect.spec.build.output.pushSecret).toBe('kafka-connect-registry');
    expect(connect.spec.build.plugins.map((p: any) => p.name)).toEqual(['debezium-connector-postgres', 'opensearch-connector-for-apache-kafka']);
  });

  test('region-a/prod, primary of region-b/prod: external listener and a read-only mirror user whose password region-b reads too', () => {
    const { manifests } = streaming(overlay('region-a/prod'));
    const external = find(manifests, 'Kafka', 'events').spec.kafka.listeners.find((l: any) => l.name === 'external');
    expect(external).toMatchObject({
      type: 'loadbalancer',
      port: 9094,
      tls: true,
      configuration: { bootstrap: { alternativeNames: ['kafka-prod.region-a.strata.example'] } },
    });
    expect(find(manifests, 'KafkaUser', 'mirror-maker-region-b')).toBeDefined();
    expect(find(manifests, 'ExternalSecret', 'mirror-maker-region-b-password').spec.data[0].remoteRef.key).toBe(
      'region-a/prod/kafka/events/users/mirror-maker-region-b',
    );
  });

  test("region-b/prod, DR replica: MirrorMaker 2 from region-a/prod's external listener with its mirror user; no Connect", () => {
    const { chart, manifests } = streaming(overlay('region-b/prod'));
    expect(chart!.connect).toBeUndefined();
    expect(chart!.mirrorMaker).toBeDefined();
    expect(find(manifests, 'KafkaConnect', 'connect')).toBeUndefined();
    const mirror = find(manifests, 'KafkaMirrorMaker2', 'mirror-maker').spec.mirrors[0];
    expect(mirror.source).toMatchObject({
      alias: 'region-a',
      bootstrapServers: `${kafkaExternalHost(overlay('region-a/prod'))}:9094`,
      authentication: { username: mirrorUserName(overlay('region-b/prod')) },
    });
    expect(mirror.topicsPattern).toBe(overlay('region-b/prod').settings.streaming.mirrorTopics);
    expect(mirror.topicsExcludePattern).toContain('connect\\-offsets');
    expect(find(manifests, 'ExternalSecret', 'mirror-maker-region-a-credentials').spec.data[0].remoteRef.key).toBe(
      'region-a/prod/kafka/events/users/mirror-maker-region-b',
    );
    expect(find(manifests, 'ExternalSecret', 'mirror-maker-region-a-cluster-ca').spec.data[0].remoteRef.key).toBe(
      'region-a/prod/kafka/events/cluster-ca',
    );
    // A replica opens no external listener of its own.
    expect(find(manifests, 'Kafka', 'events').spec.kafka.listeners.map((l: any) => l.name)).toEqual(['tls']);
  });

  test('the mirrored topics follow streaming.mirrorTopics', () => {
    const envs = loadEnvironments(environmentsWith({ 'overlays/region-b/prod.yaml': { merge: { streaming: { mirrorTopics: 'hrm\\..*' } } } }), {
      only: ['region-a/prod', 'region-b/prod'],
    });
    const { manifests } = streaming(overlay('region-b/prod', envs));
    expect(find(manifests, 'KafkaMirrorMaker2', 'mirror-maker').spec.mirrors[0].topicsPattern).toBe('hrm\\..*');
  });

  test('an invalid mirrorTopics on a replica is an environment error naming the field', () => {
    expect(() => loadEnvironments(environmentsWith({ 'overlays/region-b/prod.yaml': { merge: { streaming: { mirrorTopics: 'hrm.(' } } } }))).toThrow(
      /streaming\.mirrorTopics/,
    );
  });

  test('development: one dual-role node with replication factor 1', () => {
    const envs = loadEnvironments(environmentsWith({ 'overlays/region-a/dev.yaml': 'streaming:\n  kafka:\n    enabled: true\n' }), {
      only: ['region-a/dev'],
    });
    const { chart, manifests } = streaming(envs[0]);
    expect(chart!.connect).toBeUndefined();
    expect(manifests.filter((m) => m.kind === 'KafkaNodePool').map((m) => [m.metadata.name, m.spec.replicas, m.spec.roles])).toEqual([
      ['dual-role', 1, ['controller', 'broker']],
    ]);
    expect(find(manifests, 'Kafka', 'events').spec.kafka.config).toMatchObject({ 'default.replication.factor': 1, 'min.insync.replicas': 1 });
    // One broker spreads nothing: no rack, so nodes without zone labels can run it.
    expect(find(manifests, 'Kafka', 'events').spec.kafka.rack).toBeUndefined();
  });

  test('a prebuilt Connect image replaces the build and keeps the kafka namespace restricted', () => {
    const envs = loadEnvironments(
      environmentsWith({ 'overlays/region-a/staging.yaml': { merge: { streaming: { connect: { image: 'registry.example/connect-cdc:1.0.0' } } } } }),
      { only: ['region-a/staging'] },
    );
    const { built, manifests } = streaming(envs[0]);
    const connect = find(manifests, 'KafkaConnect', 'connect');
    expect(connect.spec.image).toBe('registry.example/connect-cdc:1.0.0');
    expect(connect.spec.build).toBeUndefined();
    const ns = Testing.synth(built.layers.find((l) => l.layer === 'foundation')!).find(
      (m: any) => m.kind === 'Namespace' && m.metadata.name === 'kafka',
    );
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('no streaming layer where Kafka is disabled', () => {
    const { built, chart } = streaming(overlay('region-a/dev'));
    expect(chart).toBeUndefined();
    expect(built.platform.streaming).toBeUndefined();
  });

  test('the streaming layer is applied after foundation and operators; Strimzi is installed', () => {
    const { built, chart } = streaming(overlay('region-a/prod'));
    expect([...chart!.layerDependencies].map((c) => c.layer).sort()).toEqual(expect.arrayContaining(['foundation', 'operators']));
    const operators = Testing.synth(built.layers.find((l) => l.layer === 'operators')!);
    expect(operators.some((m: any) => m.metadata.name === 'strimzi-kafka-operator')).toBe(true);
  });
});
