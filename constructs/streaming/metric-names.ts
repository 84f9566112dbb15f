/**
 * The series a Strimzi cluster's PodMonitors collect, by the exporter that serves them: the
 * JMX exporter of brokers and controllers and of Kafka Connect workers, with the names our
 * rules in `metrics.ts` give the MBeans (lower-cased, `PerSec` meters as `_total`), and the
 * Kafka Exporter Strimzi deploys beside the cluster (`kafkaExporter`), whose pods carry the
 * cluster's labels and are scraped by the same PodMonitor. MBeans from the Apache Kafka
 * monitoring documentation; Kafka Exporter names from its README.
 */

/** Brokers and controllers (KRaft), through `KAFKA_METRICS_RULES`. */
export const KAFKA_JMX_METRICS: readonly string[] = [
  'kafka_controller_kafkacontroller_activecontrollercount',
  'kafka_controller_kafkacontroller_globalpartitioncount',
  'kafka_controller_kafkacontroller_globaltopiccount',
  'kafka_controller_kafkacontroller_offlinepartitionscount',
  'kafka_log_log_size',
  'kafka_network_requestmetrics_requests_total',
  'kafka_network_requestmetrics_totaltimems',
  'kafka_server_brokertopicmetrics_bytesin_total',
  'kafka_server_brokertopicmetrics_bytesout_total',
  'kafka_server_brokertopicmetrics_messagesin_total',
  'kafka_server_raftmetrics_current_state',
  'kafka_server_replicamanager_isrexpands_total',
  'kafka_server_replicamanager_isrshrinks_total',
  'kafka_server_replicamanager_leadercount',
  'kafka_server_replicamanager_partitioncount',
  'kafka_server_replicamanager_underminisrpartitioncount',
  'kafka_server_replicamanager_underreplicatedpartitions',
];

/** Strimzi's Kafka Exporter: topics, partitions and consumer group offsets and lag. */
export const KAFKA_EXPORTER_METRICS: readonly string[] = [
  'kafka_brokers',
  'kafka_consumergroup_current_offset',
  'kafka_consumergroup_lag',
  'kafka_consumergroup_members',
  'kafka_topic_partition_current_offset',
  'kafka_topic_partition_in_sync_replica',
  'kafka_topic_partition_leader',
  'kafka_topic_partition_oldest_offset',
  'kafka_topic_partition_replicas',
  'kafka_topic_partition_under_replicated_partition',
  'kafka_topic_partitions',
];

/** Kafka Connect workers, through `CONNECT_METRICS_RULES`. */
export const KAFKA_CONNECT_JMX_METRICS: readonly string[] = [
  'kafka_connect_connector_status',
  'kafka_connect_coordinator_assigned_connectors',
  'kafka_connect_coordinator_assigned_tasks',
  'kafka_connect_sink_task_sink_record_read_total',
  'kafka_connect_sink_task_sink_record_send_total',
  'kafka_connect_source_task_source_record_poll_total',
  'kafka_connect_source_task_source_record_write_total',
  'kafka_connect_task_error_total_record_errors',
  'kafka_connect_task_error_total_record_failures',
  'kafka_connect_worker_connector_count',
  'kafka_connect_worker_connector_failed_task_count',
  'kafka_connect_worker_connector_running_task_count',
  'kafka_connect_worker_connector_total_task_count',
  'kafka_connect_worker_task_count',
];
