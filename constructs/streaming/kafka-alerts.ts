import { Alert, matchers } from '../platform/alert-rules';

/**
 * Alerts of Strimzi clusters, on the series our JMX exporter rules (`metrics.ts`) name, as
 * Strimzi's example rules do, and on the `up` of their scrape targets. Every expression is
 * limited to the cluster's namespace and its Strimzi labels (`strimzi_io_cluster`,
 * `strimzi_io_kind`, carried onto the series by the PodMonitor), so clusters never share an
 * alert.
 */

export interface KafkaAlertTarget {
  readonly name: string;
  readonly namespace: string;
  /** Nodes with the broker role (brokers, or dual-role nodes). */
  readonly brokers: number;
}

export function kafkaClusterAlerts(k: KafkaAlertTarget): Alert[] {
  const id = `${k.namespace}/${k.name}`;
  const labels = { namespace: k.namespace, strimzi_io_cluster: k.name, strimzi_io_kind: 'Kafka' };
  const nodes = matchers(labels);
  const brokerTargets = matchers({ ...labels, strimzi_io_broker_role: 'true', endpoint: 'tcp-prometheus' });
  return [
    {
      alert: 'KafkaUnderReplicatedPartitions',
      expr: `max by (namespace, pod) (kafka_server_replicamanager_underreplicatedpartitions${nodes}) > 0`,
      for: '10m',
      severity: 'warning',
      summary: `Kafka cluster ${id} has under-replicated partitions`,
      description: `Broker {{ $labels.pod }} of Kafka cluster ${id} leads {{ $value }} partition(s) whose in-sync replicas are fewer than their replicas, for 10 minutes.`,
    },
    {
      alert: 'KafkaUnderMinIsrPartitions',
      expr: `max by (namespace, pod) (kafka_server_replicamanager_underminisrpartitioncount${nodes}) > 0`,
      for: '5m',
      severity: 'critical',
      summary: `Kafka cluster ${id} has partitions under min.insync.replicas`,
      description: `Broker {{ $labels.pod }} of Kafka cluster ${id} leads {{ $value }} partition(s) with fewer in-sync replicas than min.insync.replicas: producers with acks=all cannot write to them.`,
    },
    {
      // Every KRaft controller reports the offline partitions it observes.
      alert: 'KafkaOfflinePartitions',
      expr: `max by (namespace) (kafka_controller_kafkacontroller_offlinepartitionscount${nodes}) > 0`,
      for: '2m',
      severity: 'critical',
      summary: `Kafka cluster ${id} has offline partitions`,
      description: `{{ $value }} partition(s) of Kafka cluster ${id} have no leader: they can be neither written nor read.`,
    },
    {
      // 1 on the active KRaft controller, 0 on the others; nothing at all when no controller is scraped.
      alert: 'KafkaNoActiveController',
      expr: `(sum(kafka_controller_kafkacontroller_activecontrollercount${nodes}) or vector(0)) < 1`,
      for: '5m',
      severity: 'critical',
      summary: `Kafka cluster ${id} has no active controller`,
      description: `No KRaft controller of Kafka cluster ${id} has been active for 5 minutes (or none is scraped): metadata changes, leader elections and broker registrations stop.`,
    },
    {
      alert: 'KafkaBrokerDown',
      expr: `(count(up${brokerTargets} == 1) or vector(0)) < ${k.brokers}`,
      for: '5m',
      severity: 'critical',
      summary: `Kafka cluster ${id} runs fewer than ${k.brokers} brokers`,
      description: `Only {{ $value }} of the ${k.brokers} brokers of Kafka cluster ${id} have answered Prometheus for 5 minutes.`,
    },
  ];
}

export function kafkaConnectAlerts(c: { readonly name: string; readonly namespace: string }): Alert[] {
  const id = `${c.namespace}/${c.name}`;
  const labels = { namespace: c.namespace, strimzi_io_cluster: c.name, strimzi_io_kind: 'KafkaConnect' };
  // Connectors' status and their tasks' share one series name; a connector's has no `task` label.
  return [
    {
      alert: 'KafkaConnectConnectorFailed',
      expr: `max by (namespace, connector) (kafka_connect_connector_status${matchers({ ...labels, status: 'failed', task: '' })}) > 0`,
      for: '10m',
      severity: 'critical',
      summary: `A connector of Kafka Connect ${id} has failed`,
      description: `Connector {{ $labels.connector }} of Kafka Connect ${id} has been FAILED for 10 minutes, through Strimzi's automatic restarts; see its KafkaConnector status.`,
    },
    {
      alert: 'KafkaConnectTaskFailed',
      expr: `sum by (namespace, connector) (kafka_connect_worker_connector_failed_task_count${matchers(labels)}) > 0`,
      for: '10m',
      severity: 'critical',
      summary: `A connector task of Kafka Connect ${id} has failed`,
      description: `{{ $value }} task(s) of connector {{ $labels.connector }} of Kafka Connect ${id} have been FAILED for 10 minutes, through Strimzi's automatic restarts; see its KafkaConnector status.`,
    },
  ];
}
