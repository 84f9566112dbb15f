import { Alert, matchers } from '../platform/alert-rules';

/**
 * Alerts of the Loki release, from its own metrics (loki-metrics.ts) scraped by its PodMonitor:
 * failing requests by route (pushes from Fluent Bit, queries from Grafana), panics, and a
 * compactor that stopped succeeding (it runs every 10 minutes by default and is what applies
 * the retention: while it fails, nothing is deleted and the bucket grows). The namespace
 * scopes every expression to this release.
 */
export interface LokiAlertTarget {
  /** The release, also the PrometheusRule's name. */
  readonly name: string;
  readonly namespace: string;
}

/** How old the last successful compaction may be: many missed runs, not one slow one. */
export const LOKI_COMPACTION_STALE_SECONDS = 3 * 3600;

export function lokiAlerts(t: LokiAlertTarget): Alert[] {
  const id = `${t.namespace}/${t.name}`;
  const scope = matchers({ namespace: t.namespace });
  const failed = matchers({ namespace: t.namespace }, { status_code: '5..' });
  const requests = (selector: string) => `sum by (namespace, route) (rate(loki_request_duration_seconds_count${selector}[5m]))`;
  const lastCompaction = `loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds${scope}`;
  return [
    {
      alert: 'LokiRequestErrors',
      expr: `100 * ${requests(failed)} / ${requests(scope)} > 10`,
      for: '15m',
      severity: 'critical',
      summary: `Loki ${id}: more than 10% of a route's requests fail`,
      description: `{{ $value | humanize }}% of the requests to route {{ $labels.route }} of Loki ${id} have been answered with a 5xx for 15 minutes: pushes from Fluent Bit or queries from Grafana fail.`,
    },
    {
      alert: 'LokiRequestPanics',
      expr: `sum by (namespace, pod) (increase(loki_panic_total${scope}[10m])) > 0`,
      severity: 'critical',
      summary: `Loki ${id} panicked`,
      description: `Loki pod {{ $labels.pod }} (${id}) recovered from {{ $value | humanize }} panic(s) in the last 10 minutes: a bug or corrupt data, and the requests it served failed.`,
    },
    {
      alert: 'LokiCompactionStale',
      // 0 is the value before the first success since the pod started (and on pods not running the compactor).
      expr: `time() - max by (namespace) (${lastCompaction} > 0) > ${LOKI_COMPACTION_STALE_SECONDS}`,
      for: '15m',
      severity: 'warning',
      summary: `Loki ${id}: no successful compaction for 3 hours`,
      description: `The last successful compaction of Loki ${id} is {{ $value | humanizeDuration }} old: while it fails, retention deletes nothing and the bucket grows.`,
    },
    {
      alert: 'LokiCompactionStale',
      // Never succeeded since it started: no pod reports a timestamp.
      expr: `max by (namespace) (${lastCompaction}) == 0`,
      for: '3h',
      severity: 'warning',
      summary: `Loki ${id}: no successful compaction for 3 hours`,
      description: `The compactor of Loki ${id} has not succeeded once in the 3 hours since it started: while it fails, retention deletes nothing and the bucket grows.`,
    },
  ];
}
