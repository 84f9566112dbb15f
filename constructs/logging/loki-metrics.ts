/**
 * What Loki serves on its HTTP port (3100, /metrics), which its PodMonitor `loki` scrapes: the
 * requests of every route by status code (dskit's instrumentation, as Loki's own chart alerts
 * read them), panics, and the compactor's runs (pkg/compactor metrics, kept under the
 * `loki_boltdb_shipper` prefix with the TSDB index too).
 */
export const LOKI_METRICS: readonly string[] = [
  'loki_boltdb_shipper_apply_retention_last_successful_run_timestamp_seconds',
  'loki_boltdb_shipper_compact_tables_operation_duration_seconds',
  'loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds',
  'loki_boltdb_shipper_compact_tables_operation_total',
  'loki_boltdb_shipper_compactor_running',
  'loki_panic_total',
  'loki_request_duration_seconds_bucket',
  'loki_request_duration_seconds_count',
  'loki_request_duration_seconds_sum',
];
