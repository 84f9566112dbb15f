/**
 * What Fluent Bit serves on its HTTP server (port 2020, /api/v2/metrics/prometheus), which the
 * chart's ServiceMonitor scrapes (or the Prometheus outside the cluster, admitted by `admitScrape`):
 * records and bytes per input and output plugin instance (label `name`, e.g. `tail.0`,
 * `opensearch.0`). From Fluent Bit's cmetrics counters (src/flb_input.c, src/flb_output.c) and
 * its monitoring documentation.
 */
export const FLUENT_BIT_METRICS: readonly string[] = [
  'fluentbit_input_bytes_total',
  'fluentbit_input_records_total',
  'fluentbit_output_dropped_records_total',
  'fluentbit_output_errors_total',
  'fluentbit_output_proc_bytes_total',
  'fluentbit_output_proc_records_total',
  'fluentbit_output_retries_failed_total',
  'fluentbit_output_retries_total',
];
