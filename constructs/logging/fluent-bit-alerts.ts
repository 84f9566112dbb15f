import { Alert, matchers } from '../platform/alert-rules';

/**
 * Alerts of the Fluent Bit DaemonSet, from its own counters (fluent-bit-metrics.ts) per pod
 * (one per node) and per output plugin instance (label `name`). Strata's outputs retry for
 * ever (`Retry_Limit False`), so a store that refuses or cannot be reached shows as errors and
 * no processed records, not as failed retries; the records wait in the pod's memory buffer
 * (`Mem_Buf_Limit`), and the tail input stops reading once it is full, so logs of files
 * rotated away meanwhile are lost. The namespace scopes every expression to this release.
 */
export interface FluentBitAlertTarget {
  /** The release, also the PrometheusRule's name. */
  readonly name: string;
  readonly namespace: string;
}

export function fluentBitAlerts(t: FluentBitAlertTarget): Alert[] {
  const id = `${t.namespace}/${t.name}`;
  const scope = matchers({ namespace: t.namespace });
  const perOutput = (fn: string, metric: string, window: string) => `sum by (namespace, pod, name) (${fn}(${metric}${scope}[${window}]))`;
  const perPod = (metric: string) => `sum by (namespace, pod) (rate(${metric}${scope}[5m]))`;
  return [
    {
      alert: 'FluentBitOutputErrors',
      expr: `${perOutput('rate', 'fluentbit_output_errors_total', '5m')} > 0`,
      for: '15m',
      severity: 'warning',
      summary: `Fluent Bit ${id}: an output keeps failing`,
      description: `Output {{ $labels.name }} of Fluent Bit pod {{ $labels.pod }} (${id}) has failed to deliver chunks for 15 minutes; it retries them, and the node's buffer fills meanwhile.`,
    },
    {
      alert: 'FluentBitNotShipping',
      // `unless`, not `== 0`: a pod whose output never processed a record may lack the series.
      expr: `${perPod('fluentbit_input_records_total')} > 0 unless on (namespace, pod) ${perPod('fluentbit_output_proc_records_total')} > 0`,
      for: '30m',
      severity: 'critical',
      summary: `Fluent Bit ${id}: a pod reads logs and ships none`,
      description: `Fluent Bit pod {{ $labels.pod }} (${id}) has read container logs for 30 minutes and its output has delivered none: they pile up in the node's memory buffer and are lost when the log files rotate.`,
    },
    {
      alert: 'FluentBitRecordsDropped',
      expr:
        `${perOutput('increase', 'fluentbit_output_dropped_records_total', '15m')} > 0` +
        ` or ${perOutput('increase', 'fluentbit_output_retries_failed_total', '15m')} > 0`,
      severity: 'warning',
      summary: `Fluent Bit ${id}: records were dropped`,
      description: `Output {{ $labels.name }} of Fluent Bit pod {{ $labels.pod }} (${id}) gave up on records in the last 15 minutes (dropped, or retries exhausted): those log lines are lost.`,
    },
  ];
}
