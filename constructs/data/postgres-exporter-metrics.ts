/**
 * What the prometheus-community postgres_exporter on each VM of an external Patroni cluster
 * exports with its default collectors, scraped through the cluster's ServiceMonitor (or the
 * outside Prometheus' static job). From the exporter's README and collector sources.
 */
export const POSTGRES_EXPORTER_METRICS: readonly string[] = [
  'pg_database_size_bytes',
  'pg_exporter_last_scrape_error',
  'pg_postmaster_start_time_seconds',
  'pg_replication_is_replica',
  'pg_replication_lag_seconds',
  'pg_settings_max_connections',
  'pg_stat_bgwriter_buffers_alloc_total',
  'pg_stat_database_blks_hit',
  'pg_stat_database_blks_read',
  'pg_stat_database_deadlocks',
  'pg_stat_database_numbackends',
  'pg_stat_database_xact_commit',
  'pg_stat_database_xact_rollback',
  'pg_up',
];
