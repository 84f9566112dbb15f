import { Alert, matchers } from '../platform/alert-rules';

/**
 * Alerts of PostgreSQL run by Patroni on VMs, from what Prometheus can see of them: the
 * postgres_exporter on each VM (scraped through the cluster's ServiceMonitor, so its series
 * carry `job="<name>-exporter"`): whether it reaches its PostgreSQL (`pg_up`), which server is
 * the primary (`pg_replication_is_replica`), and a standby's replay lag
 * (`pg_replication_lag_seconds`, 0 while it has replayed everything it received). Disks,
 * backups and Patroni itself are watched where the VMs are run; nothing here can see them.
 */

export interface ExternalPatroniAlertOptions {
  /** Replay lag of a standby, in seconds, that raises `PostgresReplicationLagHigh`. @default 300 */
  readonly replicationLagSeconds?: number;
}

export interface ExternalPatroniAlertTarget {
  readonly name: string;
  readonly namespace: string;
  /** The exporters' scrape job (the ServiceMonitor's Service). */
  readonly job: string;
  /** VMs, each running PostgreSQL and an exporter. */
  readonly servers: number;
}

export function externalPatroniAlerts(c: ExternalPatroniAlertTarget, options: ExternalPatroniAlertOptions = {}): Alert[] {
  const lag = options.replicationLagSeconds ?? 300;
  if (!Number.isFinite(lag) || lag <= 0) {
    throw new Error(`external PostgreSQL ${c.name}: alerts.replicationLagSeconds ${lag} must be a positive number of seconds, e.g. 300`);
  }
  const id = `${c.namespace}/${c.name}`;
  const sel = matchers({ namespace: c.namespace, job: c.job });
  const alerts: Alert[] = [
    {
      alert: 'PostgresExporterDown',
      expr: `up${sel} == 0`,
      for: '5m',
      severity: 'warning',
      summary: `Prometheus cannot scrape a postgres_exporter of PostgreSQL cluster ${id}`,
      description: `The postgres_exporter at {{ $labels.instance }} of PostgreSQL cluster ${id} has not answered for 5 minutes: the VM is down, the exporter stopped, or the network path from Prometheus is closed.`,
    },
    {
      alert: 'PostgresClusterDown',
      expr: `(count(pg_up${sel} == 1) or vector(0)) == 0`,
      for: '5m',
      severity: 'critical',
      summary: `PostgreSQL cluster ${id} has no reachable server`,
      description: `No postgres_exporter of PostgreSQL cluster ${id} reaches its PostgreSQL (pg_up) for 5 minutes: the database on the VMs is down, or Prometheus cannot scrape the exporters.`,
    },
    {
      // Only while some server answers: with none, PostgresClusterDown says it.
      alert: 'PostgresNoPrimary',
      expr: `(count(pg_replication_is_replica${sel} == 0) or vector(0)) == 0 and on () count(pg_up${sel} == 1) > 0`,
      for: '5m',
      severity: 'critical',
      summary: `PostgreSQL cluster ${id} has no primary`,
      description: `Every reachable server of PostgreSQL cluster ${id} is a standby for 5 minutes: writes through PgBouncer fail. See \`patronictl list\` on a VM.`,
    },
  ];
  if (c.servers > 1) {
    alerts.push(
      {
        alert: 'PostgresInstanceDown',
        expr: `count(pg_up${sel} == 1) < ${c.servers}`,
        for: '10m',
        severity: 'warning',
        summary: `PostgreSQL cluster ${id} runs fewer than ${c.servers} servers`,
        description: `Only {{ $value }} of the ${c.servers} servers of PostgreSQL cluster ${id} report PostgreSQL up for 10 minutes.`,
      },
      {
        alert: 'PostgresReplicationLagHigh',
        expr: `max by (namespace, instance) (pg_replication_lag_seconds${sel} and on (namespace, instance) pg_replication_is_replica${sel} == 1) > ${lag}`,
        for: '5m',
        severity: 'warning',
        summary: `A standby of PostgreSQL cluster ${id} lags more than ${lag}s`,
        description: `Standby {{ $labels.instance }} of PostgreSQL cluster ${id} replays WAL {{ $value | humanizeDuration }} behind what it received.`,
      },
    );
  }
  return alerts;
}
