/**
 * The data layer's dashboards: PostgreSQL by engine (CloudNativePG, Zalando's Patroni, and
 * PostgreSQL on VMs through postgres_exporter: each exports different series), the PgBouncer
 * poolers, and MinIO. The same series the components' alerts read.
 */
import type { DashboardVariable, GrafanaDashboardProps } from './grafana-dashboard';

const ns = 'namespace=~"$namespace"';
const namespaceOf = (metric: string): DashboardVariable => ({ name: 'namespace', label: 'Namespace', query: `label_values(${metric}, namespace)` });
/** Used share of claims in the selected namespaces whose names match `claims`. */
const volumeUsed = (claims: string) => {
  const v = `{job="kubelet", metrics_path="/metrics", ${ns}, persistentvolumeclaim=~"${claims}"}`;
  return `max by (namespace, persistentvolumeclaim) (100 * (1 - kubelet_volume_stats_available_bytes${v} / kubelet_volume_stats_capacity_bytes${v}))`;
};

export function cloudNativePgDashboard(): GrafanaDashboardProps {
  const s = `{${ns}}`;
  return {
    name: 'postgresql',
    title: 'PostgreSQL (CloudNativePG)',
    folder: 'PostgreSQL',
    tags: ['postgresql', 'cloudnative-pg'],
    exporters: ['cloudnative-pg', 'kubelet'],
    variables: [namespaceOf('cnpg_collector_up')],
    rows: [
      {
        title: 'Availability',
        panels: [
          { title: 'Instances up', type: 'stat', queries: [{ expr: `sum by (namespace) (cnpg_collector_up${s})`, legend: '{{namespace}}' }] },
          {
            title: 'Streaming standbys',
            type: 'stat',
            queries: [{ expr: `sum by (namespace) (cnpg_pg_replication_is_wal_receiver_up${s})`, legend: '{{namespace}}' }],
          },
          {
            title: 'Fenced instances',
            type: 'stat',
            queries: [{ expr: `sum by (namespace) (cnpg_collector_fencing_on${s})`, legend: '{{namespace}}' }],
          },
          {
            title: 'Manual switchover required',
            type: 'stat',
            queries: [{ expr: `max by (namespace) (cnpg_collector_manual_switchover_required${s})`, legend: '{{namespace}}' }],
          },
        ],
      },
      {
        title: 'Replication',
        panels: [
          {
            title: 'Standby replay lag',
            unit: 's',
            queries: [
              {
                expr: `max by (namespace, pod) (cnpg_pg_replication_lag${s} and on (namespace, pod) cnpg_pg_replication_is_wal_receiver_up${s} == 1)`,
                legend: '{{namespace}}/{{pod}}',
              },
            ],
          },
          {
            title: 'WAL retained by logical replication slots (CDC)',
            unit: 'bytes',
            description: 'WAL a CDC connector has not confirmed yet: it grows while the connector is stopped or behind.',
            queries: [
              {
                expr: `max by (namespace, slot_name) (cnpg_pg_replication_slots_pg_wal_lsn_diff{${ns}, slot_type="logical"})`,
                legend: '{{namespace}}/{{slot_name}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Activity',
        panels: [
          {
            title: 'Commits and rollbacks',
            unit: 'ops',
            queries: [
              { expr: `sum by (namespace, datname) (rate(cnpg_pg_stat_database_xact_commit${s}[$__rate_interval]))`, legend: 'commit {{datname}}' },
              {
                expr: `sum by (namespace, datname) (rate(cnpg_pg_stat_database_xact_rollback${s}[$__rate_interval]))`,
                legend: 'rollback {{datname}}',
              },
            ],
          },
          {
            title: 'Backends',
            queries: [
              { expr: `sum by (namespace, pod) (cnpg_backends_total${s})`, legend: '{{namespace}}/{{pod}}' },
              { expr: `sum by (namespace, pod) (cnpg_backends_waiting_total${s})`, legend: 'waiting {{namespace}}/{{pod}}' },
            ],
          },
          {
            title: 'Database size',
            unit: 'bytes',
            queries: [
              {
                expr: `max by (namespace, datname) (cnpg_pg_database_size_bytes{${ns}, datname!~"template.*"})`,
                legend: '{{namespace}}/{{datname}}',
              },
            ],
          },
          {
            title: 'Transaction ID age',
            description: 'Autovacuum must freeze old rows before this reaches 2 billion.',
            queries: [{ expr: `max by (namespace, datname) (cnpg_pg_database_xid_age${s})`, legend: '{{namespace}}/{{datname}}' }],
          },
        ],
      },
      {
        title: 'Storage, WAL and backups',
        panels: [
          {
            title: 'Volume usage',
            unit: 'percent',
            queries: [{ expr: volumeUsed('.+-[1-9][0-9]*(-wal)?'), legend: '{{namespace}}/{{persistentvolumeclaim}}' }],
          },
          {
            title: 'Seconds since the last archived WAL',
            unit: 's',
            queries: [{ expr: `max by (namespace, pod) (cnpg_pg_stat_archiver_seconds_since_last_archival${s})`, legend: '{{namespace}}/{{pod}}' }],
          },
          {
            title: 'Age of the last successful base backup',
            unit: 's',
            queries: [
              {
                expr: `time() - max by (namespace) (barman_cloud_cloudnative_pg_io_last_available_backup_timestamp${s} > 0)`,
                legend: '{{namespace}}',
              },
            ],
          },
          {
            title: 'WAL archiving failures',
            queries: [{ expr: `sum by (namespace, pod) (increase(cnpg_pg_stat_archiver_failed_count${s}[1h]))`, legend: '{{namespace}}/{{pod}}' }],
          },
        ],
      },
    ],
  };
}

export function zalandoPostgresDashboard(): GrafanaDashboardProps {
  const s = `{${ns}}`;
  return {
    name: 'postgresql-zalando',
    title: 'PostgreSQL (Zalando, Patroni)',
    folder: 'PostgreSQL',
    tags: ['postgresql', 'zalando', 'patroni'],
    exporters: ['patroni', 'kubelet', 'kube-state-metrics'],
    variables: [namespaceOf('patroni_postgres_running')],
    rows: [
      {
        title: 'Availability',
        panels: [
          {
            title: 'Members running',
            type: 'stat',
            queries: [{ expr: `sum by (namespace) (patroni_postgres_running${s})`, legend: '{{namespace}}' }],
          },
          {
            title: 'Leader lock free',
            type: 'stat',
            queries: [{ expr: `max by (namespace) (patroni_cluster_unlocked${s})`, legend: '{{namespace}}' }],
          },
          {
            title: 'Standbys streaming',
            type: 'stat',
            queries: [{ expr: `sum by (namespace) (patroni_postgres_streaming${s})`, legend: '{{namespace}}' }],
          },
          { title: 'Timeline', type: 'stat', queries: [{ expr: `max by (namespace) (patroni_postgres_timeline${s})`, legend: '{{namespace}}' }] },
        ],
      },
      {
        title: 'Replication',
        panels: [
          {
            title: 'WAL position: written on the primary, received by standbys',
            unit: 'bytes',
            queries: [
              { expr: `max by (namespace, pod) (patroni_xlog_location${s})`, legend: 'written {{pod}}' },
              { expr: `max by (namespace, pod) (patroni_xlog_received_location${s})`, legend: 'received {{pod}}' },
            ],
          },
          { title: 'Pending restart', queries: [{ expr: `max by (namespace, pod) (patroni_pending_restart${s})`, legend: '{{namespace}}/{{pod}}' }] },
        ],
      },
      {
        title: 'Storage and backups',
        panels: [
          {
            title: 'Volume usage',
            unit: 'percent',
            queries: [{ expr: volumeUsed('pgdata-.+-[0-9]+'), legend: '{{namespace}}/{{persistentvolumeclaim}}' }],
          },
          {
            title: 'Age of the last successful logical backup',
            unit: 's',
            queries: [
              {
                expr: `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{job="kube-state-metrics", ${ns}, cronjob=~"logical-backup-.+"})`,
                legend: '{{namespace}}/{{cronjob}}',
              },
            ],
          },
        ],
      },
    ],
  };
}

export function externalPostgresDashboard(): GrafanaDashboardProps {
  const s = `{${ns}, job=~".+-exporter"}`;
  return {
    name: 'postgresql-external',
    title: 'PostgreSQL on VMs (postgres_exporter)',
    folder: 'PostgreSQL',
    tags: ['postgresql', 'patroni', 'external'],
    exporters: ['postgres-exporter', 'scrape-targets'],
    variables: [namespaceOf('pg_up')],
    rows: [
      {
        title: 'Availability',
        panels: [
          { title: 'Exporters answering', type: 'stat', queries: [{ expr: `sum by (namespace) (up${s})`, legend: '{{namespace}}' }] },
          { title: 'Servers up', type: 'stat', queries: [{ expr: `sum by (namespace) (pg_up${s})`, legend: '{{namespace}}' }] },
          {
            title: 'Primaries',
            type: 'stat',
            queries: [{ expr: `count by (namespace) (pg_replication_is_replica${s} == 0)`, legend: '{{namespace}}' }],
          },
        ],
      },
      {
        title: 'Replication and activity',
        panels: [
          {
            title: 'Standby replay lag',
            unit: 's',
            queries: [
              {
                expr: `max by (namespace, instance) (pg_replication_lag_seconds${s} and on (namespace, instance) pg_replication_is_replica${s} == 1)`,
                legend: '{{instance}}',
              },
            ],
          },
          { title: 'Connections', queries: [{ expr: `sum by (namespace, instance) (pg_stat_database_numbackends${s})`, legend: '{{instance}}' }] },
          {
            title: 'Commits',
            unit: 'ops',
            queries: [{ expr: `sum by (namespace, datname) (rate(pg_stat_database_xact_commit${s}[$__rate_interval]))`, legend: '{{datname}}' }],
          },
          {
            title: 'Database size',
            unit: 'bytes',
            queries: [{ expr: `max by (namespace, datname) (pg_database_size_bytes${s})`, legend: '{{datname}}' }],
          },
        ],
      },
    ],
  };
}

export function pgBouncerDashboard(): GrafanaDashboardProps {
  const pools = `{${ns}, database!="pgbouncer"}`;
  return {
    name: 'pgbouncer',
    title: 'PgBouncer poolers',
    folder: 'PostgreSQL',
    tags: ['postgresql', 'pgbouncer'],
    exporters: ['pgbouncer', 'scrape-targets'],
    variables: [namespaceOf('cnpg_pgbouncer_lists_pools')],
    rows: [
      {
        title: 'Poolers',
        panels: [
          {
            title: 'Pooler pods answering',
            type: 'stat',
            queries: [{ expr: `sum by (namespace) (up{${ns}, job=~".+-pooler-.+"})`, legend: '{{namespace}}' }],
          },
          {
            title: 'Collection errors',
            type: 'stat',
            queries: [{ expr: `sum by (namespace) (cnpg_pgbouncer_last_collection_error{${ns}})`, legend: '{{namespace}}' }],
          },
          {
            title: 'Clients waiting',
            type: 'stat',
            queries: [{ expr: `sum by (namespace) (cnpg_pgbouncer_pools_cl_waiting${pools})`, legend: '{{namespace}}' }],
          },
        ],
      },
      {
        title: 'Connections',
        panels: [
          {
            title: 'Client connections',
            queries: [
              { expr: `sum by (namespace, database) (cnpg_pgbouncer_pools_cl_active${pools})`, legend: 'active {{database}}' },
              { expr: `sum by (namespace, database) (cnpg_pgbouncer_pools_cl_waiting${pools})`, legend: 'waiting {{database}}' },
            ],
          },
          {
            title: 'Server connections',
            queries: [
              { expr: `sum by (namespace, database) (cnpg_pgbouncer_pools_sv_active${pools})`, legend: 'active {{database}}' },
              { expr: `sum by (namespace, database) (cnpg_pgbouncer_pools_sv_idle${pools})`, legend: 'idle {{database}}' },
            ],
          },
          {
            title: 'Longest client wait',
            unit: 's',
            queries: [{ expr: `max by (namespace, database) (cnpg_pgbouncer_pools_maxwait${pools})`, legend: '{{database}}' }],
          },
          {
            title: 'Queries',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (namespace, database) (rate(cnpg_pgbouncer_stats_total_query_count${pools}[$__rate_interval]))`,
                legend: '{{database}}',
              },
            ],
          },
          {
            title: 'Average query time',
            unit: 'µs',
            queries: [{ expr: `max by (namespace, database) (cnpg_pgbouncer_stats_avg_query_time${pools})`, legend: '{{database}}' }],
          },
        ],
      },
    ],
  };
}

export function minioDashboard(): GrafanaDashboardProps {
  const s = `{${ns}}`;
  const used = `max by (namespace, job) (100 * (1 - minio_cluster_capacity_usable_free_bytes${s} / minio_cluster_capacity_usable_total_bytes${s}))`;
  return {
    name: 'minio',
    title: 'MinIO tenants',
    folder: 'MinIO',
    tags: ['minio', 's3'],
    exporters: ['minio', 'scrape-targets'],
    variables: [namespaceOf('minio_cluster_nodes_online_total')],
    rows: [
      {
        title: 'Health',
        panels: [
          {
            title: 'Servers online',
            type: 'stat',
            queries: [{ expr: `max by (namespace, job) (minio_cluster_nodes_online_total${s})`, legend: '{{job}}' }],
          },
          {
            title: 'Servers offline',
            type: 'stat',
            queries: [{ expr: `max by (namespace, job) (minio_cluster_nodes_offline_total${s})`, legend: '{{job}}' }],
          },
          {
            title: 'Drives offline',
            type: 'stat',
            queries: [{ expr: `max by (namespace, job) (minio_cluster_drive_offline_total${s})`, legend: '{{job}}' }],
          },
          { title: 'Usable capacity used', type: 'stat', unit: 'percent', queries: [{ expr: used, legend: '{{job}}' }] },
        ],
      },
      {
        title: 'Capacity and traffic',
        panels: [
          { title: 'Usable capacity used', unit: 'percent', queries: [{ expr: used, legend: '{{job}}' }] },
          {
            title: 'Bucket usage',
            unit: 'bytes',
            queries: [{ expr: `max by (namespace, bucket) (minio_bucket_usage_total_bytes${s})`, legend: '{{bucket}}' }],
          },
          {
            title: 'S3 requests and errors',
            unit: 'reqps',
            queries: [
              { expr: `sum by (namespace) (rate(minio_s3_requests_total${s}[$__rate_interval]))`, legend: 'requests {{namespace}}' },
              { expr: `sum by (namespace) (rate(minio_s3_requests_errors_total${s}[$__rate_interval]))`, legend: 'errors {{namespace}}' },
            ],
          },
          {
            title: 'S3 traffic',
            unit: 'Bps',
            queries: [
              { expr: `sum by (namespace) (rate(minio_s3_traffic_received_bytes${s}[$__rate_interval]))`, legend: 'received {{namespace}}' },
              { expr: `sum by (namespace) (rate(minio_s3_traffic_sent_bytes${s}[$__rate_interval]))`, legend: 'sent {{namespace}}' },
            ],
          },
        ],
      },
    ],
  };
}
