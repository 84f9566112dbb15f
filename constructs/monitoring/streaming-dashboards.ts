/**
 * The streaming layer's dashboards: the Kafka clusters (JMX exporter and Strimzi's Kafka
 * Exporter) and the Kafka Connect clusters with their CDC pipelines' lag, on the same series
 * the Strimzi alerts read.
 */
import type { DashboardPanel, GrafanaDashboardProps } from './grafana-dashboard';

const namespace = { name: 'namespace', label: 'Namespace' };

export function kafkaDashboard(): GrafanaDashboardProps {
  const s = `{namespace=~"$namespace", strimzi_io_cluster=~"$cluster", strimzi_io_kind="Kafka"}`;
  const all = (selector: string) => selector.replace('}', ', topic=""}');
  return {
    name: 'kafka',
    title: 'Kafka clusters',
    folder: 'Kafka',
    tags: ['kafka', 'strimzi'],
    exporters: ['kafka-jmx', 'kafka-exporter', 'scrape-targets'],
    variables: [
      { ...namespace, query: 'label_values(kafka_server_replicamanager_partitioncount, namespace)' },
      {
        name: 'cluster',
        label: 'Kafka cluster',
        query: 'label_values(kafka_server_replicamanager_partitioncount{namespace=~"$namespace"}, strimzi_io_cluster)',
      },
    ],
    rows: [
      {
        title: 'Health',
        panels: [
          {
            title: 'Brokers answering',
            type: 'stat',
            queries: [
              {
                expr: `count by (strimzi_io_cluster) (up{namespace=~"$namespace", strimzi_io_cluster=~"$cluster", strimzi_io_kind="Kafka", strimzi_io_broker_role="true", endpoint="tcp-prometheus"} == 1)`,
                legend: '{{strimzi_io_cluster}}',
              },
            ],
          },
          {
            title: 'Active controllers',
            type: 'stat',
            queries: [
              { expr: `sum by (strimzi_io_cluster) (kafka_controller_kafkacontroller_activecontrollercount${s})`, legend: '{{strimzi_io_cluster}}' },
            ],
          },
          {
            title: 'Offline partitions',
            type: 'stat',
            queries: [
              { expr: `max by (strimzi_io_cluster) (kafka_controller_kafkacontroller_offlinepartitionscount${s})`, legend: '{{strimzi_io_cluster}}' },
            ],
          },
          {
            title: 'Under-replicated partitions',
            type: 'stat',
            queries: [
              { expr: `sum by (strimzi_io_cluster) (kafka_server_replicamanager_underreplicatedpartitions${s})`, legend: '{{strimzi_io_cluster}}' },
            ],
          },
        ],
      },
      {
        title: 'Throughput',
        panels: [
          {
            title: 'Messages in',
            unit: 'short',
            queries: [
              { expr: `sum by (pod) (rate(kafka_server_brokertopicmetrics_messagesin_total${all(s)}[$__rate_interval]))`, legend: '{{pod}}' },
            ],
          },
          {
            title: 'Bytes in and out',
            unit: 'Bps',
            queries: [
              { expr: `sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesin_total${all(s)}[$__rate_interval]))`, legend: 'in {{pod}}' },
              { expr: `sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesout_total${all(s)}[$__rate_interval]))`, legend: 'out {{pod}}' },
            ],
          },
          {
            title: 'Request time (99th percentile)',
            unit: 'ms',
            queries: [
              {
                expr: `max by (request) (kafka_network_requestmetrics_totaltimems{namespace=~"$namespace", strimzi_io_cluster=~"$cluster", strimzi_io_kind="Kafka", quantile="0.99", request=~"Produce|FetchConsumer|FetchFollower"})`,
                legend: '{{request}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Replication and partitions',
        panels: [
          {
            title: 'Partitions and leaders per broker',
            queries: [
              { expr: `sum by (pod) (kafka_server_replicamanager_partitioncount${s})`, legend: 'partitions {{pod}}' },
              { expr: `sum by (pod) (kafka_server_replicamanager_leadercount${s})`, legend: 'leaders {{pod}}' },
            ],
          },
          {
            title: 'ISR shrinks and expands',
            queries: [
              { expr: `sum by (pod) (rate(kafka_server_replicamanager_isrshrinks_total${s}[$__rate_interval]))`, legend: 'shrinks {{pod}}' },
              { expr: `sum by (pod) (rate(kafka_server_replicamanager_isrexpands_total${s}[$__rate_interval]))`, legend: 'expands {{pod}}' },
            ],
          },
          {
            title: 'Log size by topic',
            unit: 'bytes',
            queries: [{ expr: `topk(20, sum by (topic) (kafka_log_log_size${s}))`, legend: '{{topic}}' }],
          },
          {
            title: 'Under-replicated partitions by topic',
            queries: [{ expr: `sum by (topic) (kafka_topic_partition_under_replicated_partition${s}) > 0`, legend: '{{topic}}' }],
          },
        ],
      },
    ],
  };
}

export interface KafkaConnectDashboardOptions {
  /** CDC captures from CloudNativePG: show the WAL its logical slots retain. @default false */
  readonly cloudNativePgSlots?: boolean;
}

export function kafkaConnectDashboard(options: KafkaConnectDashboardOptions = {}): GrafanaDashboardProps {
  const s = `{namespace=~"$namespace", strimzi_io_cluster=~"$connect", strimzi_io_kind="KafkaConnect"}`;
  const lag: DashboardPanel[] = [
    {
      title: 'Sink connectors: consumer group lag',
      description: "Records a sink connector's consumer group has not read yet (Kafka Exporter).",
      queries: [
        {
          expr: 'sum by (consumergroup) (kafka_consumergroup_lag{namespace=~"$namespace", consumergroup=~"connect-.+"})',
          legend: '{{consumergroup}}',
        },
      ],
    },
  ];
  if (options.cloudNativePgSlots) {
    lag.push({
      title: 'Source connectors: WAL retained by their replication slots',
      unit: 'bytes',
      description: "WAL PostgreSQL keeps until a CDC source connector confirms it: the source side's lag, in bytes.",
      queries: [
        {
          expr: 'max by (namespace, slot_name) (cnpg_pg_replication_slots_pg_wal_lsn_diff{slot_type="logical"})',
          legend: '{{namespace}}/{{slot_name}}',
        },
      ],
    });
  }
  return {
    name: 'kafka-connect',
    title: 'Kafka Connect and CDC',
    folder: 'Kafka',
    tags: ['kafka', 'kafka-connect', 'cdc'],
    exporters: ['kafka-connect', 'kafka-exporter', ...(options.cloudNativePgSlots ? (['cloudnative-pg'] as const) : [])],
    variables: [
      { ...namespace, query: 'label_values(kafka_connect_worker_connector_count, namespace)' },
      {
        name: 'connect',
        label: 'Connect cluster',
        query: 'label_values(kafka_connect_worker_connector_count{namespace=~"$namespace"}, strimzi_io_cluster)',
      },
    ],
    rows: [
      {
        title: 'Connectors',
        panels: [
          {
            title: 'Connectors',
            type: 'stat',
            queries: [{ expr: `max by (strimzi_io_cluster) (kafka_connect_worker_connector_count${s})`, legend: '{{strimzi_io_cluster}}' }],
          },
          {
            title: 'Running tasks',
            type: 'stat',
            queries: [
              { expr: `sum by (strimzi_io_cluster) (kafka_connect_worker_connector_running_task_count${s})`, legend: '{{strimzi_io_cluster}}' },
            ],
          },
          {
            title: 'Failed tasks',
            type: 'stat',
            queries: [
              { expr: `sum by (strimzi_io_cluster) (kafka_connect_worker_connector_failed_task_count${s})`, legend: '{{strimzi_io_cluster}}' },
            ],
          },
          {
            title: 'Connector state',
            queries: [
              {
                expr: `max by (connector, status) (kafka_connect_connector_status{namespace=~"$namespace", strimzi_io_cluster=~"$connect", task=""}) > 0`,
                legend: '{{connector}} {{status}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Throughput',
        panels: [
          {
            title: 'Source records polled',
            unit: 'short',
            queries: [
              {
                expr: `sum by (connector) (rate(kafka_connect_source_task_source_record_poll_total${s}[$__rate_interval]))`,
                legend: '{{connector}}',
              },
            ],
          },
          {
            title: 'Sink records read',
            unit: 'short',
            queries: [
              { expr: `sum by (connector) (rate(kafka_connect_sink_task_sink_record_read_total${s}[$__rate_interval]))`, legend: '{{connector}}' },
            ],
          },
        ],
      },
      { title: 'CDC lag', panels: lag },
    ],
  };
}
