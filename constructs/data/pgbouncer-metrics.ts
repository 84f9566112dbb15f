/**
 * What the PgBouncer of a CloudNativePG `Pooler` exports on its `metrics` port (9127), which
 * the pooler's PodMonitor scrapes: `SHOW LISTS`, `SHOW POOLS` and `SHOW STATS` as
 * `cnpg_pgbouncer_lists_*`, `_pools_*` and `_stats_*`, and the exporter's own collection
 * status. From CloudNativePG's connection pooling documentation (its sample scrape).
 */

/** The pooler pods' metrics port (`metrics`). */
export const PGBOUNCER_METRICS_PORT = 9127;

export const PGBOUNCER_METRICS: readonly string[] = [
  'cnpg_pgbouncer_collection_duration_seconds',
  'cnpg_pgbouncer_collections_total',
  'cnpg_pgbouncer_last_collection_error',
  'cnpg_pgbouncer_lists_databases',
  'cnpg_pgbouncer_lists_free_clients',
  'cnpg_pgbouncer_lists_free_servers',
  'cnpg_pgbouncer_lists_login_clients',
  'cnpg_pgbouncer_lists_pools',
  'cnpg_pgbouncer_lists_used_clients',
  'cnpg_pgbouncer_lists_used_servers',
  'cnpg_pgbouncer_lists_users',
  'cnpg_pgbouncer_pools_cl_active',
  'cnpg_pgbouncer_pools_cl_cancel_req',
  'cnpg_pgbouncer_pools_cl_waiting',
  'cnpg_pgbouncer_pools_maxwait',
  'cnpg_pgbouncer_pools_maxwait_us',
  'cnpg_pgbouncer_pools_pool_mode',
  'cnpg_pgbouncer_pools_sv_active',
  'cnpg_pgbouncer_pools_sv_idle',
  'cnpg_pgbouncer_pools_sv_login',
  'cnpg_pgbouncer_pools_sv_tested',
  'cnpg_pgbouncer_pools_sv_used',
  'cnpg_pgbouncer_stats_avg_query_count',
  'cnpg_pgbouncer_stats_avg_query_time',
  'cnpg_pgbouncer_stats_avg_recv',
  'cnpg_pgbouncer_stats_avg_sent',
  'cnpg_pgbouncer_stats_avg_wait_time',
  'cnpg_pgbouncer_stats_avg_xact_count',
  'cnpg_pgbouncer_stats_avg_xact_time',
  'cnpg_pgbouncer_stats_total_query_count',
  'cnpg_pgbouncer_stats_total_query_time',
  'cnpg_pgbouncer_stats_total_received',
  'cnpg_pgbouncer_stats_total_sent',
  'cnpg_pgbouncer_stats_total_wait_time',
  'cnpg_pgbouncer_stats_total_xact_count',
  'cnpg_pgbouncer_stats_total_xact_time',
];
