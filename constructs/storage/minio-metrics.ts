/**
 * What a MinIO tenant's servers export on `/minio/v2/metrics/cluster`, which the tenant's
 * PodMonitor scrapes: the cluster's capacity, servers and drives, S3 traffic and bucket usage.
 * From MinIO's metrics v2 documentation.
 */
export const MINIO_METRICS: readonly string[] = [
  'minio_bucket_usage_object_total',
  'minio_bucket_usage_total_bytes',
  'minio_cluster_bucket_total',
  'minio_cluster_capacity_raw_free_bytes',
  'minio_cluster_capacity_raw_total_bytes',
  'minio_cluster_capacity_usable_free_bytes',
  'minio_cluster_capacity_usable_total_bytes',
  'minio_cluster_drive_offline_total',
  'minio_cluster_drive_online_total',
  'minio_cluster_drive_total',
  'minio_cluster_health_status',
  'minio_cluster_nodes_offline_total',
  'minio_cluster_nodes_online_total',
  'minio_cluster_usage_object_total',
  'minio_cluster_usage_total_bytes',
  'minio_s3_requests_4xx_errors_total',
  'minio_s3_requests_5xx_errors_total',
  'minio_s3_requests_errors_total',
  'minio_s3_requests_total',
  'minio_s3_traffic_received_bytes',
  'minio_s3_traffic_sent_bytes',
];
