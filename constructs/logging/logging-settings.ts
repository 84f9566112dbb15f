/**
 * The cluster's log collection as an environment chooses it (`monitoring.logging`): plain
 * values, no construct code, so the environment loader can read them.
 */

/**
 * Where the cluster's container logs go. `opensearch`: Fluent Bit ships them to the overlay's
 * OpenSearch cluster; `victorialogs`: to a VictoriaLogs store (VLSingle) beside the
 * VictoriaMetrics stack; `none`: no log collection. Other stores (Loki) become further backends
 * here.
 */
export const LOGGING_BACKENDS = ['opensearch', 'victorialogs', 'none'] as const;
export type LoggingBackend = (typeof LOGGING_BACKENDS)[number];

export interface LoggingSettings {
  /**
   * Where the logs go.
   * @default `opensearch` where the overlay runs OpenSearch on the cluster the logs come from, else `none`
   */
  readonly backend?: LoggingBackend;
  /** Days a day's log index (or VictoriaLogs' logs) is kept before it is deleted (from the tier profile). */
  readonly retentionDays: number;
  /** The VictoriaLogs volume (`victorialogs`), from the tier profile; logs are also dropped once 90% of it is used. */
  readonly storageSize: string;
}
