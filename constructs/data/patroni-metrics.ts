/**
 * What Patroni serves on `/metrics` of its REST API (port 8008) in every Spilo pod of a
 * Zalando cluster, which the cluster's PodMonitor scrapes (no postgres_exporter sidecar runs
 * there). From Patroni's REST API documentation (`GET /metrics`).
 */
export const PATRONI_METRICS: readonly string[] = [
  'patroni_cluster_unlocked',
  'patroni_dcs_last_seen',
  'patroni_failsafe_mode_is_active',
  'patroni_is_paused',
  'patroni_pending_restart',
  'patroni_postgres_in_archive_recovery',
  'patroni_postgres_running',
  'patroni_postgres_server_version',
  'patroni_postgres_streaming',
  'patroni_postgres_timeline',
  'patroni_postmaster_start_time',
  'patroni_primary',
  'patroni_replica',
  'patroni_standby_leader',
  'patroni_sync_standby',
  'patroni_version',
  'patroni_xlog_location',
  'patroni_xlog_paused',
  'patroni_xlog_received_location',
  'patroni_xlog_replayed_location',
  'patroni_xlog_replayed_timestamp',
];
