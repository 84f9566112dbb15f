/**
 * What the Velero server exports on its metrics port (8085), which the chart's ServiceMonitor
 * scrapes: backups, restores and snapshots by schedule. From Velero's metrics
 * (pkg/metrics/metrics.go).
 */
export const VELERO_METRICS: readonly string[] = [
  'velero_backup_attempt_total',
  'velero_backup_deletion_attempt_total',
  'velero_backup_deletion_failure_total',
  'velero_backup_deletion_success_total',
  'velero_backup_duration_seconds_bucket',
  'velero_backup_duration_seconds_count',
  'velero_backup_duration_seconds_sum',
  'velero_backup_failure_total',
  'velero_backup_items_errors',
  'velero_backup_items_total',
  'velero_backup_last_status',
  'velero_backup_last_successful_timestamp',
  'velero_backup_partial_failure_total',
  'velero_backup_success_total',
  'velero_backup_tarball_size_bytes',
  'velero_backup_total',
  'velero_backup_validation_failure_total',
  'velero_backup_warning_total',
  'velero_csi_snapshot_attempt_total',
  'velero_csi_snapshot_failure_total',
  'velero_csi_snapshot_success_total',
  'velero_restore_attempt_total',
  'velero_restore_partial_failure_total',
  'velero_restore_success_total',
  'velero_restore_total',
  'velero_restore_validation_failed_total',
  'velero_volume_snapshot_attempt_total',
  'velero_volume_snapshot_failure_total',
  'velero_volume_snapshot_success_total',
];
