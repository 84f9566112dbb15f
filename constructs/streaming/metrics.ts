import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import { scrapePods } from '../platform/scrape';

/** Key of the JMX exporter configuration in the metrics ConfigMaps. */
export const METRICS_CONFIG_KEY = 'metrics-config.yml';
/** Port Strimzi exposes the JMX exporter on (`tcp-prometheus`). */
export const METRICS_PORT = 9404;

/**
 * JMX exporter rules for KRaft brokers and controllers: request rates, under-replicated and
 * offline partitions, ISR changes, log sizes, request latencies and the KRaft (raft) state.
 */
export const KAFKA_METRICS_RULES = {
  lowercaseOutputName: true,
  rules: [
    {
      pattern: 'kafka.server<type=(.+), name=(.+), clientId=(.+), topic=(.+), partition=(.*)><>Value',
      name: 'kafka_server_$1_$2',
      type: 'GAUGE',
      labels: { clientId: '$3', topic: '$4', partition: '$5' },
    },
    {
      pattern: 'kafka.server<type=(.+), name=(.+), clientId=(.+), brokerHost=(.+), brokerPort=(.+)><>Value',
      name: 'kafka_server_$1_$2',
      type: 'GAUGE',
      labels: { clientId: '$3', broker: '$4:$5' },
    },
    { pattern: 'kafka.server<type=raft-metrics><>(.+-total|.+-max):', name: 'kafka_server_raftmetrics_$1', type: 'COUNTER' },
    {
      pattern: 'kafka.server<type=raft-metrics><>(current-state): (.+)',
      name: 'kafka_server_raftmetrics_$1',
      value: 1,
      type: 'UNTYPED',
      labels: { $1: '$2' },
    },
    { pattern: 'kafka.server<type=raft-metrics><>(.+):', name: 'kafka_server_raftmetrics_$1', type: 'GAUGE' },
    { pattern: 'kafka.server<type=raft-channel-metrics><>(.+-total|.+-max):', name: 'kafka_server_raftchannelmetrics_$1', type: 'COUNTER' },
    { pattern: 'kafka.server<type=raft-channel-metrics><>(.+):', name: 'kafka_server_raftchannelmetrics_$1', type: 'GAUGE' },
    { pattern: 'kafka.server<type=broker-metadata-metrics><>(.+):', name: 'kafka_server_brokermetadatametrics_$1', type: 'GAUGE' },
    {
      pattern: 'kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+), (.+)=(.+)><>Count',
      name: 'kafka_$1_$2_$3_total',
      type: 'COUNTER',
      labels: { $4: '$5', $6: '$7' },
    },
    {
      pattern: 'kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+)><>Count',
      name: 'kafka_$1_$2_$3_total',
      type: 'COUNTER',
      labels: { $4: '$5' },
    },
    { pattern: 'kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*><>Count', name: 'kafka_$1_$2_$3_total', type: 'COUNTER' },
    {
      pattern: 'kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+), (.+)=(.+)><>Value',
      name: 'kafka_$1_$2_$3',
      type: 'GAUGE',
      labels: { $4: '$5', $6: '$7' },
    },
    { pattern: 'kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+)><>Value', name: 'kafka_$1_$2_$3', type: 'GAUGE', labels: { $4: '$5' } },
    { pattern: 'kafka.(\\w+)<type=(.+), name=(.+)><>Value', name: 'kafka_$1_$2_$3', type: 'GAUGE' },
    {
      pattern: 'kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.*), (.+)=(.+)><>Count',
      name: 'kafka_$1_$2_$3_count',
      type: 'COUNTER',
      labels: { $4: '$5', $6: '$7' },
    },
    {
      pattern: 'kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.*), (.+)=(.+)><>(\\d+)thPercentile',
      name: 'kafka_$1_$2_$3',
      type: 'GAUGE',
      labels: { $4: '$5', $6: '$7', quantile: '0.$8' },
    },
    { pattern: 'kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.*)><>Count', name: 'kafka_$1_$2_$3_count', type: 'COUNTER', labels: { $4: '$5' } },
    {
      pattern: 'kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.*)><>(\\d+)thPercentile',
      name: 'kafka_$1_$2_$3',
      type: 'GAUGE',
      labels: { $4: '$5', quantile: '0.$6' },
    },
    { pattern: 'kafka.(\\w+)<type=(.+), name=(.+)><>Count', name: 'kafka_$1_$2_$3_count', type: 'COUNTER' },
    { pattern: 'kafka.(\\w+)<type=(.+), name=(.+)><>(\\d+)thPercentile', name: 'kafka_$1_$2_$3', type: 'GAUGE', labels: { quantile: '0.$4' } },
  ],
};

/**
 * JMX exporter rules for Kafka Connect and MirrorMaker 2 workers: worker, connector and task
 * state and throughput, producer and consumer client metrics, and MirrorMaker replication
 * latency and checkpoint metrics.
 */
export const CONNECT_METRICS_RULES = {
  lowercaseOutputName: true,
  lowercaseOutputLabelNames: true,
  rules: [
    {
      pattern: 'kafka.(.+)<type=app-info, client-id=(.+)><>start-time-ms',
      name: 'kafka_$1_start_time_seconds',
      labels: { clientId: '$2' },
      help: 'Kafka $1 JMX metric start time seconds',
      type: 'GAUGE',
      valueFactor: 0.001,
    },
    {
      pattern: 'kafka.(.+)<type=app-info, client-id=(.+)><>(commit-id|version): (.+)',
      name: 'kafka_$1_$3_info',
      value: 1,
      labels: { clientId: '$2', $3: '$4' },
      type: 'UNTYPED',
    },
    {
      pattern:
        'kafka.(.+)<type=(.+)-metrics, client-id=(.+), topic=(.+), partition=(.+)><>(.+-total|compression-rate|.+-avg|.+-replica|.+-lag|.+-lead)',
      name: 'kafka_$2_$6',
      labels: { clientId: '$3', topic: '$4', partition: '$5' },
      type: 'GAUGE',
    },
    {
      pattern: 'kafka.(.+)<type=(.+)-metrics, client-id=(.+), topic=(.+)><>(.+-total|compression-rate|.+-avg)',
      name: 'kafka_$2_$5',
      labels: { clientId: '$3', topic: '$4' },
      type: 'GAUGE',
    },
    {
      pattern: 'kafka.(.+)<type=(.+)-metrics, client-id=(.+), node-id=(.+)><>(.+-total|.+-avg)',
      name: 'kafka_$2_$5',
      labels: { clientId: '$3', nodeId: '$4' },
      type: 'UNTYPED',
    },
    {
      pattern: 'kafka.(.+)<type=(.+)-metrics, client-id=(.*)><>(.+-total|.+-avg|.+-bytes|.+-count|.+-ratio|.+-age|.+-flushes|.+-io|.+-time)',
      name: 'kafka_$2_$4',
      labels: { clientId: '$3' },
      type: 'GAUGE',
    },
    {
      pattern: 'kafka.connect<type=connector-task-metrics, connector=(.+), task=(.+)><>status: ([a-z-]+)',
      name: 'kafka_connect_connector_status',
      value: 1,
      labels: { connector: '$1', task: '$2', status: '$3' },
      type: 'GAUGE',
    },
    {
      pattern: 'kafka.connect<type=connector-metrics, connector=(.+)><>status: ([a-z-]+)',
      name: 'kafka_connect_connector_status',
      value: 1,
      labels: { connector: '$1', status: '$2' },
      type: 'GAUGE',
    },
    {
      pattern:
        'kafka.connect<type=(.+)-metrics, connector=(.+), task=(.+)><>(.+-total|.+-count|.+-ms|.+-ratio|.+-rate|.+-avg|.+-failures|.+-requests|.+-timestamp|.+-logged|.+-errors|.+-retries|.+-skipped)',
      name: 'kafka_connect_$1_$4',
      labels: { connector: '$2', task: '$3' },
      type: 'GAUGE',
    },
    {
      pattern: 'kafka.connect<type=connector-metrics, connector=(.+)><>([a-z-]+)',
      name: 'kafka_connect_connector_$2',
      labels: { connector: '$1' },
      type: 'GAUGE',
    },
    {
      pattern: 'kafka.connect<type=connect-worker-metrics, connector=(.+)><>([a-z-]+)',
      name: 'kafka_connect_worker_$2',
      labels: { connector: '$1' },
      type: 'GAUGE',
    },
    { pattern: 'kafka.connect<type=connect-worker-metrics><>([a-z-]+)', name: 'kafka_connect_worker_$1', type: 'GAUGE' },
    { pattern: 'kafka.connect<type=connect-worker-rebalance-metrics><>([a-z-]+)', name: 'kafka_connect_worker_rebalance_$1', type: 'GAUGE' },
    {
      pattern: 'kafka.connect<type=connect-coordinator-metrics><>(assigned-connectors|assigned-tasks)',
      name: 'kafka_connect_coordinator_$1',
      type: 'GAUGE',
    },
    {
      pattern: 'kafka.connect.mirror<type=MirrorSourceConnector, target=(.+), topic=(.+), partition=([0-9]+)><>([a-z-_]+)',
      name: 'kafka_connect_mirror_source_connector_$4',
      labels: { target: '$1', topic: '$2', partition: '$3' },
      type: 'GAUGE',
    },
    {
      pattern:
        'kafka.connect.mirror<type=MirrorCheckpointConnector, source=(.+), target=(.+), group=(.+), topic=(.+), partition=([0-9]+)><>([a-z-_]+)',
      name: 'kafka_connect_mirror_checkpoint_connector_$6',
      labels: { source: '$1', target: '$2', group: '$3', topic: '$4', partition: '$5' },
      type: 'GAUGE',
    },
  ],
};

/** A ConfigMap holding one JMX exporter configuration under `METRICS_CONFIG_KEY`. */
export function metricsConfigMap(
  scope: Construct,
  id: string,
  props: { name: string; namespace: string; rules: object },
): { name: string; key: string } {
  new k8s.KubeConfigMap(scope, id, {
    metadata: { name: props.name, namespace: props.namespace },
    data: { [METRICS_CONFIG_KEY]: yaml.dump(props.rules, { lineWidth: -1, noRefs: true, sortKeys: false }) },
  });
  return { name: props.name, key: METRICS_CONFIG_KEY };
}

/** The `metricsConfig` block of a Strimzi resource reading the JMX exporter config from a ConfigMap. */
export function jmxMetricsConfig<T>(type: T, configMap: { name: string; key: string }) {
  return { type, valueFrom: { configMapKeyRef: { name: configMap.name, key: configMap.key } } };
}

/**
 * Strimzi pod labels copied onto every scraped series (as `strimzi_io_cluster`, ...), so an
 * alert can name one cluster and one role: pods of every Strimzi cluster of a namespace share
 * their metric names.
 */
export const STRIMZI_TARGET_LABELS: readonly string[] = [
  'strimzi.io/cluster',
  'strimzi.io/kind',
  'strimzi.io/name',
  'strimzi.io/broker-role',
  'strimzi.io/controller-role',
];

/**
 * A PodMonitor for pods Strimzi labels with `strimzi.io/cluster` and `strimzi.io/kind` (their
 * Strimzi labels carried onto the series), and the network path from Prometheus to the given
 * ports.
 */
export function strimziPodMonitor(
  scope: Construct,
  id: string,
  props: {
    name: string;
    namespace: string;
    selector: Readonly<Record<string, string>>;
    endpoints: readonly { port: string; number: number }[];
  },
): void {
  scrapePods(scope, id, {
    name: props.name,
    pods: { namespace: props.namespace, podLabels: props.selector },
    podTargetLabels: STRIMZI_TARGET_LABELS,
    // One endpoint per port name: Prometheus finds every container port of that name.
    endpoints: [...new Set(props.endpoints.map((e) => e.port))].map((port) => ({ port, path: '/metrics' })),
    ports: props.endpoints.map((e) => e.number),
  });
}
