import { backupMissingAfterSeconds, volumeAlerts } from './postgres-alert-common';
import { Alert, forDuration, matchers, percentOptions, regexLiteral } from '../platform/alert-rules';

/**
 * Alerts of one CloudNativePG cluster, from what its instances export on the metrics port
 * (the cluster's PodMonitor scrapes it): CloudNativePG's collector and default queries
 * (`cnpg_collector_up`, `cnpg_pg_replication_*`, `cnpg_pg_stat_archiver_*`), the Barman Cloud
 * plugin's backup timestamps (`barman_cloud_cloudnative_pg_io_*`, relayed by the instance
 * manager; the in-core `cnpg_collector_*backup*` metrics stay 0 with the plugin), and the
 * kubelet's statistics of the cluster's volumes. Every expression is limited to the cluster's
 * namespace and to its instance pods and PVCs (`<name>-<n>`, `<name>-<n>-wal`), the way
 * CloudNativePG's own cluster chart scopes its rules, so clusters never share an alert.
 */

/** Thresholds of a cluster's alerts. */
export interface CloudNativePgAlertOptions {
  /** Replay lag of a streaming standby, in seconds, that raises `PostgresReplicationLagHigh`. @default 300 */
  readonly replicationLagSeconds?: number;
  /** Used share of a data or WAL volume (percent) for a warning. @default 80 */
  readonly volumeUsageWarningPercent?: number;
  /** Used share of a data or WAL volume (percent) for a critical alert. @default 90 */
  readonly volumeUsageCriticalPercent?: number;
  /**
   * How long without a successful base backup before `PostgresBackupMissing` fires (a Go
   * duration). Only with `backupTo()`.
   * @default 1.5 × the interval of `backupSchedule` when it is fixed (36h for a daily one), else 26h
   */
  readonly backupMissingAfter?: string;
}

/** The thresholds, validated and defaulted. */
export interface CloudNativePgAlertThresholds {
  readonly replicationLagSeconds: number;
  readonly volumeUsage: { readonly warning: number; readonly critical: number };
  readonly backupMissingAfterSeconds: number;
}

export function cloudNativePgAlertThresholds(
  cluster: string,
  backupSchedule: string,
  options: CloudNativePgAlertOptions = {},
): CloudNativePgAlertThresholds {
  const what = `CloudNativePG cluster ${cluster}`;
  const lag = options.replicationLagSeconds ?? 300;
  if (!Number.isFinite(lag) || lag <= 0) {
    throw new Error(`${what}: alerts.replicationLagSeconds ${lag} must be a positive number of seconds, e.g. 300`);
  }
  return {
    replicationLagSeconds: lag,
    volumeUsage: percentOptions(
      what,
      'alerts.volumeUsage{Warning,Critical}Percent',
      options.volumeUsageWarningPercent ?? 80,
      options.volumeUsageCriticalPercent ?? 90,
    ),
    backupMissingAfterSeconds: backupMissingAfterSeconds(what, backupSchedule, options.backupMissingAfter),
  };
}

export interface CloudNativePgAlertTarget {
  readonly name: string;
  readonly namespace: string;
  readonly instances: number;
  /** WAL archiving and base backups are configured (`backupTo()`). */
  readonly backups: boolean;
}

export function cloudNativePgAlerts(c: CloudNativePgAlertTarget, t: CloudNativePgAlertThresholds): Alert[] {
  const id = `${c.namespace}/${c.name}`;
  const instancePods = `${regexLiteral(c.name)}-[1-9][0-9]*`;
  const pods = matchers({ namespace: c.namespace }, { pod: instancePods });
  const volumes = matchers({ job: 'kubelet', metrics_path: '/metrics', namespace: c.namespace }, { persistentvolumeclaim: `${instancePods}(-wal)?` });
  const usedPercent = `max by (namespace, persistentvolumeclaim) (100 * (1 - kubelet_volume_stats_available_bytes${volumes} / kubelet_volume_stats_capacity_bytes${volumes}))`;
  const lastBackup = `barman_cloud_cloudnative_pg_io_last_available_backup_timestamp${pods}`;
  const missingAfter = forDuration(t.backupMissingAfterSeconds);

  const alerts: Alert[] = [
    {
      alert: 'PostgresClusterDown',
      expr: `(count(cnpg_collector_up${pods} == 1) or vector(0)) == 0`,
      for: '5m',
      severity: 'critical',
      summary: `PostgreSQL cluster ${id} has no running instance`,
      description: `No instance of PostgreSQL cluster ${id} reports PostgreSQL up (cnpg_collector_up) for 5 minutes: the database is unavailable, or Prometheus cannot scrape it.`,
    },
  ];
  if (c.instances > 1) {
    alerts.push(
      {
        alert: 'PostgresInstanceDown',
        expr: `count(cnpg_collector_up${pods} == 1) < ${c.instances}`,
        for: '10m',
        severity: 'warning',
        summary: `PostgreSQL cluster ${id} runs fewer than ${c.instances} instances`,
        description: `Only {{ $value }} of the ${c.instances} instances of PostgreSQL cluster ${id} report PostgreSQL up (cnpg_collector_up) for 10 minutes; see \`kubectl cnpg status ${c.name} -n ${c.namespace}\`.`,
      },
      {
        // Standbys with a running WAL receiver, not pg_stat_replication rows: those also count
        // the logical walsenders of CDC connectors, which would hide the loss of every standby.
        alert: 'PostgresHighAvailabilityLost',
        expr: `sum(cnpg_pg_replication_is_wal_receiver_up${pods}) < 1`,
        for: '5m',
        severity: 'critical',
        summary: `PostgreSQL cluster ${id} has no streaming standby`,
        description: `No standby of PostgreSQL cluster ${id} has streamed from the primary for 5 minutes: losing the primary now loses the service, and commits wait if synchronous replication requires a standby.`,
      },
      {
        // Streaming standbys only: a DR replica cluster's designated primary replays the peer's
        // archive, and its lag grows whenever the peer is idle.
        alert: 'PostgresReplicationLagHigh',
        expr: `max by (namespace, pod) (cnpg_pg_replication_lag${pods} and on (namespace, pod) cnpg_pg_replication_is_wal_receiver_up${pods} == 1) > ${t.replicationLagSeconds}`,
        for: '5m',
        severity: 'warning',
        summary: `A standby of PostgreSQL cluster ${id} lags more than ${t.replicationLagSeconds}s`,
        description: `Standby {{ $labels.pod }} of PostgreSQL cluster ${id} replays WAL {{ $value | humanizeDuration }} behind the primary.`,
      },
    );
  }
  if (c.backups) {
    alerts.push(
      {
        alert: 'PostgresWalArchivingFailing',
        expr: `max by (namespace, pod) (cnpg_pg_stat_archiver_last_failed_time${pods} - cnpg_pg_stat_archiver_last_archived_time${pods}) > 1`,
        for: '15m',
        severity: 'critical',
        summary: `WAL archiving of PostgreSQL cluster ${id} is failing`,
        description: `On {{ $labels.pod }} of PostgreSQL cluster ${id} the last WAL archiving attempt failed after the last success, for 15 minutes: point-in-time recovery and the DR peer fall behind, and WAL piles up on the WAL volume. See the plugin-barman-cloud sidecar's log.`,
      },
      {
        alert: 'PostgresBackupFailed',
        expr: `max by (namespace) (barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp${pods}) > max by (namespace) (${lastBackup})`,
        for: '5m',
        severity: 'warning',
        summary: `The last base backup of PostgreSQL cluster ${id} failed`,
        description: `The last base backup of PostgreSQL cluster ${id} failed after the last successful one; see \`kubectl get backups -n ${c.namespace}\`.`,
      },
      {
        alert: 'PostgresBackupMissing',
        expr: `time() - max by (namespace) (${lastBackup} > 0) > ${Math.round(t.backupMissingAfterSeconds)}`,
        for: '15m',
        severity: 'critical',
        summary: `No successful base backup of PostgreSQL cluster ${id} for ${missingAfter}`,
        description: `The last successful base backup of PostgreSQL cluster ${id} is {{ $value | humanizeDuration }} old.`,
      },
      {
        // The plugin reports 0 until the first backup succeeds; the metric is absent when the
        // plugin's metrics are not relayed or the instances are not scraped.
        alert: 'PostgresNoBackupReported',
        expr: `max by (namespace) (${lastBackup}) == 0 or absent(${lastBackup})`,
        for: missingAfter,
        severity: 'critical',
        summary: `No successful base backup of PostgreSQL cluster ${id} for ${missingAfter}`,
        description: `PostgreSQL cluster ${id} has reported no successful base backup for ${missingAfter} (or its backup metrics are not scraped).`,
      },
    );
  }
  alerts.push(
    ...volumeAlerts(
      id,
      usedPercent,
      t.volumeUsage,
      'PostgreSQL stops when its data or WAL volume is full. Grow the volume (storageSize, walStorageSize).',
    ),
  );
  return alerts;
}
