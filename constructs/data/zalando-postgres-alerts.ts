import { backupMissingAfterSeconds, volumeAlerts } from './postgres-alert-common';
import { Alert, forDuration, matchers, percentOptions, regexLiteral } from '../platform/alert-rules';

/**
 * Alerts of one Zalando cluster, from what its pods and Kubernetes export: Patroni's own
 * `/metrics` on its REST API (port 8008; every Spilo image ships a Patroni that serves it, so
 * no exporter sidecar is needed), the kubelet's statistics of the data volumes
 * (`pgdata-<cluster>-<n>`), and kube-state-metrics for the operator's logical backup CronJob
 * (`logical-backup-<cluster>`). WAL-G's base backups and archiving export no metrics; the
 * logical backup alert is what notices a cluster that stopped backing up. Every expression
 * is limited to the cluster's namespace and its pods (`<cluster>-<n>`), so clusters never
 * share an alert.
 */

/** Thresholds of a cluster's alerts. */
export interface ZalandoPostgresAlertOptions {
  /**
   * WAL bytes a streaming standby may trail the primary by before `PostgresReplicationLagHigh`.
   * @default 33554432 (32 MiB: Spilo's `maximum_lag_on_failover`, beyond which Patroni does not promote the standby)
   */
  readonly replicationLagBytes?: number;
  /** @default 80 */
  readonly volumeUsageWarningPercent?: number;
  /** @default 90 */
  readonly volumeUsageCriticalPercent?: number;
  /**
   * How long without a successful logical backup before `PostgresLogicalBackupMissing` fires
   * (a Go duration). Only with `backupTo()`.
   * @default 1.5 × the interval of `backupSchedule` when it is fixed (36h for a daily one), else 26h
   */
  readonly backupMissingAfter?: string;
}

export interface ZalandoPostgresAlertThresholds {
  readonly replicationLagBytes: number;
  readonly volumeUsage: { readonly warning: number; readonly critical: number };
  readonly backupMissingAfterSeconds: number;
}

const SPILO_MAXIMUM_LAG_ON_FAILOVER = 32 * 1024 * 1024;

export function zalandoPostgresAlertThresholds(
  cluster: string,
  backupSchedule: string,
  options: ZalandoPostgresAlertOptions = {},
): ZalandoPostgresAlertThresholds {
  const what = `Zalando cluster ${cluster}`;
  const lag = options.replicationLagBytes ?? SPILO_MAXIMUM_LAG_ON_FAILOVER;
  if (!Number.isInteger(lag) || lag <= 0) {
    throw new Error(`${what}: alerts.replicationLagBytes ${lag} must be a positive whole number of bytes, e.g. 33554432 (32 MiB)`);
  }
  return {
    replicationLagBytes: lag,
    volumeUsage: percentOptions(
      what,
      'alerts.volumeUsage{Warning,Critical}Percent',
      options.volumeUsageWarningPercent ?? 80,
      options.volumeUsageCriticalPercent ?? 90,
    ),
    backupMissingAfterSeconds: backupMissingAfterSeconds(what, backupSchedule, options.backupMissingAfter),
  };
}

export interface ZalandoPostgresAlertTarget {
  readonly name: string;
  readonly namespace: string;
  readonly instances: number;
  /** The operator runs the logical backup CronJob (`backupTo()`). */
  readonly logicalBackups: boolean;
}

export function zalandoPostgresAlerts(c: ZalandoPostgresAlertTarget, t: ZalandoPostgresAlertThresholds): Alert[] {
  const id = `${c.namespace}/${c.name}`;
  const instancePods = `${regexLiteral(c.name)}-[0-9]+`;
  const pods = matchers({ namespace: c.namespace }, { pod: instancePods });
  const volumes = matchers({ job: 'kubelet', metrics_path: '/metrics', namespace: c.namespace }, { persistentvolumeclaim: `pgdata-${instancePods}` });
  const usedPercent = `max by (namespace, persistentvolumeclaim) (100 * (1 - kubelet_volume_stats_available_bytes${volumes} / kubelet_volume_stats_capacity_bytes${volumes}))`;

  const alerts: Alert[] = [
    {
      alert: 'PostgresClusterDown',
      expr: `(count(patroni_postgres_running${pods} == 1) or vector(0)) == 0`,
      for: '5m',
      severity: 'critical',
      summary: `PostgreSQL cluster ${id} has no running instance`,
      description: `No member of PostgreSQL cluster ${id} reports PostgreSQL running (patroni_postgres_running) for 5 minutes: the database is unavailable, or Prometheus cannot scrape Patroni.`,
    },
    {
      // The leader key, not patroni_primary: a standby cluster's leader is a standby leader.
      alert: 'PostgresNoLeader',
      expr: `max(patroni_cluster_unlocked${pods}) == 1`,
      for: '2m',
      severity: 'critical',
      summary: `PostgreSQL cluster ${id} has no Patroni leader`,
      description: `Patroni reports the leader lock of PostgreSQL cluster ${id} free for 2 minutes: no member accepts writes and no failover succeeded. See \`kubectl exec -n ${c.namespace} ${c.name}-0 -- patronictl list\`.`,
    },
  ];
  if (c.instances > 1) {
    const replicas = `patroni_replica${pods} == 1`;
    alerts.push(
      {
        alert: 'PostgresInstanceDown',
        expr: `count(patroni_postgres_running${pods} == 1) < ${c.instances}`,
        for: '10m',
        severity: 'warning',
        summary: `PostgreSQL cluster ${id} runs fewer than ${c.instances} instances`,
        description: `Only {{ $value }} of the ${c.instances} members of PostgreSQL cluster ${id} report PostgreSQL running for 10 minutes.`,
      },
      {
        alert: 'PostgresReplicaNotStreaming',
        expr: `(${replicas}) unless on (namespace, pod) (patroni_postgres_streaming${pods} == 1)`,
        for: '10m',
        severity: 'warning',
        summary: `A standby of PostgreSQL cluster ${id} does not stream from the leader`,
        description: `Standby {{ $labels.pod }} of PostgreSQL cluster ${id} has not streamed WAL for 10 minutes (it replays the archive, or nothing): it falls behind and is no failover candidate.`,
      },
      {
        alert: 'PostgresReplicationLagHigh',
        expr: `(scalar(max(patroni_xlog_location${pods})) - patroni_xlog_received_location${pods} and on (namespace, pod) ${replicas}) > ${t.replicationLagBytes}`,
        for: '5m',
        severity: 'warning',
        summary: `A standby of PostgreSQL cluster ${id} trails the primary by more than ${t.replicationLagBytes} bytes of WAL`,
        description: `Standby {{ $labels.pod }} of PostgreSQL cluster ${id} has received WAL {{ $value | humanize1024 }}B behind the primary's position; beyond the failover limit Patroni does not promote it.`,
      },
    );
  }
  if (c.logicalBackups) {
    const lastSuccess = `kube_cronjob_status_last_successful_time${matchers({ namespace: c.namespace, cronjob: `logical-backup-${c.name}` })}`;
    const missingAfter = forDuration(t.backupMissingAfterSeconds);
    alerts.push({
      alert: 'PostgresLogicalBackupMissing',
      expr: `time() - max(${lastSuccess}) > ${Math.round(t.backupMissingAfterSeconds)}`,
      for: '15m',
      severity: 'critical',
      summary: `No successful logical backup of PostgreSQL cluster ${id} for ${missingAfter}`,
      description: `The operator's logical backup CronJob logical-backup-${c.name} of PostgreSQL cluster ${id} last succeeded {{ $value | humanizeDuration }} ago. See \`kubectl get jobs -n ${c.namespace}\`.`,
    });
  }
  alerts.push(
    ...volumeAlerts(
      id,
      usedPercent,
      t.volumeUsage,
      'Spilo keeps pg_wal on the data volume, and PostgreSQL stops when it is full. Grow the volume (storageSize).',
    ),
  );
  return alerts;
}
