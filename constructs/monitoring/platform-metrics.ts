/**
 * The series of what kube-prometheus-stack scrapes by default, and of cert-manager's
 * controller, which PlatformAlerts has scraped: the names the platform alerts and the overview
 * dashboard may use. From kube-state-metrics' metric docs (docs/metrics/), node_exporter's
 * collectors, the kubelet's volume statistics and cAdvisor's container metrics (the chart's
 * kubelet job scrapes both), cert-manager's Prometheus metrics, and the series Prometheus adds
 * to every target.
 */

/** kube-state-metrics (job `kube-state-metrics`). */
export const KUBE_STATE_METRICS: readonly string[] = [
  'kube_cronjob_status_last_successful_time',
  'kube_daemonset_status_desired_number_scheduled',
  'kube_daemonset_status_number_ready',
  'kube_deployment_spec_replicas',
  'kube_deployment_status_replicas_available',
  'kube_node_info',
  'kube_node_spec_unschedulable',
  'kube_node_status_allocatable',
  'kube_node_status_condition',
  'kube_persistentvolume_status_phase',
  'kube_persistentvolumeclaim_status_phase',
  'kube_pod_container_resource_limits',
  'kube_pod_container_resource_requests',
  'kube_pod_container_status_restarts_total',
  'kube_pod_container_status_waiting_reason',
  'kube_pod_info',
  'kube_pod_status_phase',
  'kube_pod_status_ready',
  'kube_statefulset_replicas',
  'kube_statefulset_status_replicas_ready',
];

/** node_exporter (job `node-exporter`). */
export const NODE_EXPORTER_METRICS: readonly string[] = [
  'node_cpu_seconds_total',
  'node_filesystem_avail_bytes',
  'node_filesystem_readonly',
  'node_filesystem_size_bytes',
  'node_load1',
  'node_memory_MemAvailable_bytes',
  'node_memory_MemTotal_bytes',
  'node_network_receive_bytes_total',
  'node_network_transmit_bytes_total',
];

/** The kubelet (job `kubelet`): its own `/metrics` and cAdvisor's `/metrics/cadvisor`. */
export const KUBELET_METRICS: readonly string[] = [
  'container_cpu_usage_seconds_total',
  'container_memory_working_set_bytes',
  'kubelet_running_pods',
  'kubelet_volume_stats_available_bytes',
  'kubelet_volume_stats_capacity_bytes',
  'kubelet_volume_stats_used_bytes',
];

/** cert-manager's controller (port 9402). */
export const CERT_MANAGER_METRICS: readonly string[] = [
  'certmanager_certificate_expiration_timestamp_seconds',
  'certmanager_certificate_ready_status',
  'certmanager_certificate_renewal_timestamp_seconds',
  'certmanager_controller_sync_call_count',
];

/** What Prometheus records for every target it scrapes, whatever the exporter. */
export const SCRAPE_TARGET_METRICS: readonly string[] = ['scrape_duration_seconds', 'scrape_samples_scraped', 'up'];

/**
 * Recording rules of kube-prometheus-stack that dashboards or alerts read. None: both read the
 * raw series, so they work where the chart's rules are switched off (k3s).
 */
export const KUBE_PROMETHEUS_STACK_RECORDING_RULES: readonly string[] = [];
