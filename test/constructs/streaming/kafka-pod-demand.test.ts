import { KAFKA_POD_DEMANDS } from '../../../constructs/streaming/kafka-pod-demand';
import { demandOf, Gi, Mi } from '../../support/pod-demand';

const demand = (manifest: any) => demandOf(KAFKA_POD_DEMANDS, manifest);

describe('Kafka pod demand', () => {
  test('a KafkaNodePool with JBOD volumes', () => {
    const pool = demand({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaNodePool',
      metadata: { name: 'brokers' },
      spec: {
        replicas: 3,
        resources: { requests: { cpu: '2', memory: '6Gi' }, limits: { cpu: '2', memory: '6Gi' } },
        storage: {
          type: 'jbod',
          volumes: [
            { id: 0, size: '100Gi' },
            { id: 1, size: '50Gi' },
          ],
        },
      },
    });
    expect(pool).toEqual([
      {
        source: 'KafkaNodePool brokers',
        replicas: 3,
        requests: { cpu: 2, memory: 6 * Gi },
        limits: { cpu: 2, memory: 6 * Gi },
        claims: 2,
        storage: 150 * Gi,
      },
    ]);
  });

  test('a KafkaNodePool with one persistent claim, and none without replicas', () => {
    const [pool] = demand({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaNodePool',
      metadata: { name: 'controllers' },
      spec: { storage: { type: 'persistent-claim', size: '20Gi' } },
    });
    expect([pool.replicas, pool.claims, pool.storage]).toEqual([0, 1, 20 * Gi]);
  });

  test('a Kafka: the entity operator (its operators side by side) and the exporter', () => {
    const kafka = demand({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'Kafka',
      metadata: { name: 'events' },
      spec: { entityOperator: { topicOperator: { resources: { requests: { cpu: '100m', memory: '384Mi' } } }, userOperator: {} }, kafkaExporter: {} },
    });
    expect(kafka.map((g) => [g.source, g.requests])).toEqual([
      ['Kafka events entity operator', { cpu: 0.2, memory: 512 * Mi }],
      ['Kafka events exporter', { cpu: 0.1, memory: 128 * Mi }],
    ]);
  });

  test('a Kafka without entity operator or exporter starts no pods of its own', () => {
    expect(demand({ apiVersion: 'kafka.strimzi.io/v1', kind: 'Kafka', metadata: { name: 'events' }, spec: { kafka: {} } })).toEqual([]);
  });

  test('a KafkaConnect with a build: its workers and the one image build pod', () => {
    const connect = demand({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaConnect',
      metadata: { name: 'connect' },
      spec: { replicas: 2, resources: { requests: { cpu: '1', memory: '2Gi' } }, build: { resources: { requests: { cpu: '500m', memory: '1Gi' } } } },
    });
    expect(connect.map((g) => [g.source, g.replicas, g.requests])).toEqual([
      ['KafkaConnect connect', 2, { cpu: 1, memory: 2 * Gi }],
      ['KafkaConnect connect image build', 1, { cpu: 0.5, memory: Gi }],
    ]);
  });

  test("KafkaConnect and KafkaMirrorMaker2 without replicas run Strimzi's default of 3", () => {
    expect(
      demand({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaConnect', metadata: { name: 'connect' }, spec: {} }).map((g) => [g.source, g.replicas]),
    ).toEqual([['KafkaConnect connect', 3]]);
    expect(
      demand({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaMirrorMaker2', metadata: { name: 'mirror-maker' }, spec: {} }).map((g) => [
        g.source,
        g.replicas,
      ]),
    ).toEqual([['KafkaMirrorMaker2 mirror-maker', 3]]);
  });

  test('a KafkaMirrorMaker2 at its declared size', () => {
    const [mm2] = demand({
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaMirrorMaker2',
      metadata: { name: 'mirror-maker' },
      spec: { replicas: 1, resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } } },
    });
    expect(mm2).toEqual({
      source: 'KafkaMirrorMaker2 mirror-maker',
      replicas: 1,
      requests: { cpu: 1, memory: 2 * Gi },
      limits: { cpu: 2, memory: 2 * Gi },
      claims: 0,
      storage: 0,
    });
  });
});
