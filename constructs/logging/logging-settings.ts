/**
 * The cluster's log collection as an environment chooses it (`monitoring.logging`): plain
 * values, no construct code, so the environment loader can read them.
 */

/**
 * Where the cluster's container logs go. `opensearch`: Fluent Bit ships them to the overlay's
 * OpenSearch cluster; `victorialogs`: to a VictoriaLogs store (VLSingle) beside the
 * VictoriaMetrics stack; `loki`: to Loki, which keeps them in the overlay's object storage
 * (its MinIO tenant or external S3); `none`: no log collection.
 */
export const LOGGING_BACKENDS = ['opensearch', 'victorialogs', 'loki', 'none'] as const;
export type LoggingBackend = (typeof LOGGING_BACKENDS)[number];

/**
 * How Loki runs: `single-binary`, one pod with every component (small clusters, no high
 * availability); `simple-scalable`, separate read, write and backend pods, `replicas` of each.
 */
export const LOKI_MODES = ['single-binary', 'simple-scalable'] as const;
export type LokiMode = (typeof LOKI_MODES)[number];

/** Loki's shape (`backend: loki`), from the tier profile. */
export interface LokiSettings {
  /** @default `simple-scalable` in prod, `single-binary` in the other tiers */
  readonly mode: LokiMode;
  /** Pods of each of read, write and backend (`simple-scalable` only). @default 3 */
  readonly replicas: number;
}

export interface LoggingSettings {
  /**
   * Where the logs go.
   * @default `opensearch` where the overlay runs OpenSearch on the cluster the logs come from, else `none`
   */
  readonly backend?: LoggingBackend;
  /** Days a day's log index (or VictoriaLogs' or Loki's logs) is kept before it is deleted (from the tier profile). */
  readonly retentionDays: number;
  /** The VictoriaLogs volume (`victorialogs`), from the tier profile; logs are also dropped once 90% of it is used. */
  readonly storageSize: string;
  /** Loki's deployment mode and size (`loki`), from the tier profile. */
  readonly loki: LokiSettings;
}
