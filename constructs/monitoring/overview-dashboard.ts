/**
 * The platform overview of one overlay: a stat per layer the overlay runs, linking to that
 * layer's dashboard, then the cluster's nodes, workloads, volumes and certificates, on the
 * series the platform alerts read.
 */
import type { Exporter } from './exporters';
import type { DashboardPanel, DashboardRow, GrafanaDashboardProps } from './grafana-dashboard';

/** The components whose dashboards an overview links to (each rendered only where the overlay runs it). */
export interface DashboardComponents {
  /** @default false */
  readonly cloudNativePg?: boolean;
  /** @default false */
  readonly zalandoPostgres?: boolean;
  /** @default false */
  readonly externalPostgres?: boolean;
  /** CloudNativePG poolers (PgBouncer). @default false */
  readonly poolers?: boolean;
  /** @default false */
  readonly kafka?: boolean;
  /** @default false */
  readonly kafkaConnect?: boolean;
  /** @default false */
  readonly opensearch?: boolean;
  /** @default false */
  readonly minio?: boolean;
  /** @default false */
  readonly velero?: boolean;
  /** @default false */
  readonly traefik?: boolean;
  /** cert-manager is scraped (the cluster issues certificates). @default false */
  readonly certificates?: boolean;
}

const KSM = 'job="kube-state-metrics"';
const FILESYSTEMS = 'job="node-exporter", fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs", mountpoint!=""';

/** One stat per layer present, each linking to its dashboard. */
function layerStats(c: DashboardComponents): { panels: DashboardPanel[]; exporters: Exporter[] } {
  const stats: [boolean | undefined, Exporter, DashboardPanel][] = [
    [
      c.cloudNativePg,
      'cloudnative-pg',
      { title: 'PostgreSQL instances up', queries: [{ expr: 'sum(cnpg_collector_up)' }], linkTo: { name: 'postgresql', title: 'PostgreSQL' } },
    ],
    [
      c.zalandoPostgres,
      'patroni',
      {
        title: 'PostgreSQL members running (Zalando)',
        queries: [{ expr: 'sum(patroni_postgres_running)' }],
        linkTo: { name: 'postgresql-zalando', title: 'PostgreSQL (Zalando)' },
      },
    ],
    [
      c.externalPostgres,
      'postgres-exporter',
      {
        title: 'PostgreSQL servers up (VMs)',
        queries: [{ expr: 'sum(pg_up)' }],
        linkTo: { name: 'postgresql-external', title: 'PostgreSQL on VMs' },
      },
    ],
    [
      c.poolers,
      'pgbouncer',
      {
        title: 'PgBouncer clients waiting',
        queries: [{ expr: 'sum(cnpg_pgbouncer_pools_cl_waiting{database!="pgbouncer"})' }],
        linkTo: { name: 'pgbouncer', title: 'PgBouncer' },
      },
    ],
    [
      c.kafka,
      'kafka-jmx',
      {
        title: 'Kafka offline partitions',
        queries: [{ expr: 'sum(max by (namespace, strimzi_io_cluster) (kafka_controller_kafkacontroller_offlinepartitionscount))' }],
        linkTo: { name: 'kafka', title: 'Kafka' },
      },
    ],
    [
      c.kafkaConnect,
      'kafka-connect',
      {
        title: 'Kafka Connect failed tasks',
        queries: [{ expr: 'sum(kafka_connect_worker_connector_failed_task_count)' }],
        linkTo: { name: 'kafka-connect', title: 'Kafka Connect and CDC' },
      },
    ],
    [
      c.opensearch,
      'opensearch',
      {
        title: 'OpenSearch status (0 green, 2 red)',
        queries: [{ expr: 'max(opensearch_cluster_status)' }],
        linkTo: { name: 'opensearch', title: 'OpenSearch' },
      },
    ],
    [
      c.minio,
      'minio',
      { title: 'MinIO servers offline', queries: [{ expr: 'sum(minio_cluster_nodes_offline_total)' }], linkTo: { name: 'minio', title: 'MinIO' } },
    ],
    [
      c.velero,
      'velero',
      {
        title: 'Age of the oldest last Velero backup',
        unit: 's',
        queries: [{ expr: 'max(time() - velero_backup_last_successful_timestamp)' }],
        linkTo: { name: 'velero', title: 'Velero' },
      },
    ],
    [
      c.traefik,
      'traefik',
      {
        title: 'Traefik requests',
        unit: 'reqps',
        queries: [{ expr: 'sum(rate(traefik_entrypoint_requests_total[$__rate_interval]))' }],
        linkTo: { name: 'traefik', title: 'Traefik' },
      },
    ],
  ];
  const present = stats.filter(([on]) => on);
  return { panels: present.map(([, , p]) => ({ ...p, type: 'stat' as const, width: 4 })), exporters: present.map(([, e]) => e) };
}

/** The certificates cert-manager issues: days to expiry, and those not ready. */
function certificatesRow(ns: string): DashboardRow {
  return {
    title: 'Certificates',
    panels: [
      {
        title: 'Days until certificates expire',
        queries: [
          {
            expr: `min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds{${ns}} - time()) / 86400`,
            legend: '{{namespace}}/{{name}}',
          },
        ],
      },
      {
        title: 'Certificates not ready',
        queries: [{ expr: `sum by (namespace) (certmanager_certificate_ready_status{${ns}, condition="False"})`, legend: '{{namespace}}' }],
      },
    ],
  };
}

const NAMESPACE_VARIABLE = { name: 'namespace', label: 'Namespace', query: 'label_values(kube_pod_info, namespace)' };

/**
 * Where environments share a cluster, its one overview is the same for all of them, whatever
 * each runs: it has no layer stats, and the certificates are on a dashboard of their own,
 * rendered by the environments that issue some.
 */
export function platformCertificatesDashboard(): GrafanaDashboardProps {
  return {
    name: 'platform-certificates',
    title: 'Certificates',
    folder: 'Platform',
    tags: ['platform', 'certificates'],
    exporters: ['cert-manager'],
    variables: [{ ...NAMESPACE_VARIABLE, query: 'label_values(certmanager_certificate_ready_status, namespace)' }],
    rows: [certificatesRow('namespace=~"$namespace"')],
  };
}

/** @param shared the cluster is shared by environments (see platformCertificatesDashboard) */
export function platformOverviewDashboard(overlay: string, c: DashboardComponents, shared = false): GrafanaDashboardProps {
  const layers = shared ? { panels: [], exporters: [] } : layerStats(c);
  const certificates = !shared && c.certificates;
  const ns = 'namespace=~"$namespace"';
  const rows: DashboardRow[] = [
    ...(layers.panels.length ? [{ title: 'Layers', panels: layers.panels }] : []),
    {
      title: 'Nodes',
      panels: [
        {
          title: 'Nodes ready',
          type: 'stat',
          queries: [{ expr: `sum(kube_node_status_condition{${KSM}, condition="Ready", status="true"})`, legend: 'ready' }],
        },
        {
          title: 'Nodes under pressure',
          type: 'stat',
          queries: [
            {
              expr: `sum(kube_node_status_condition{${KSM}, condition=~"MemoryPressure|DiskPressure|PIDPressure", status="true"})`,
              legend: 'pressure',
            },
          ],
        },
        {
          title: 'CPU busy',
          unit: 'percent',
          queries: [
            {
              expr: '(1 - avg by (instance) (rate(node_cpu_seconds_total{job="node-exporter", mode="idle"}[$__rate_interval]))) * 100',
              legend: '{{instance}}',
            },
          ],
        },
        {
          title: 'Memory available',
          unit: 'percent',
          queries: [
            {
              expr: 'node_memory_MemAvailable_bytes{job="node-exporter"} / node_memory_MemTotal_bytes{job="node-exporter"} * 100',
              legend: '{{instance}}',
            },
          ],
        },
        {
          title: 'Filesystem free',
          unit: 'percent',
          queries: [
            {
              expr: `min by (instance) (node_filesystem_avail_bytes{${FILESYSTEMS}} / node_filesystem_size_bytes{${FILESYSTEMS}} * 100)`,
              legend: '{{instance}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Workloads',
      panels: [
        {
          title: 'Pods not running',
          queries: [
            { expr: `sum by (namespace) (kube_pod_status_phase{${KSM}, ${ns}, phase=~"Pending|Failed|Unknown"}) > 0`, legend: '{{namespace}}' },
          ],
        },
        {
          title: 'Container restarts (1h)',
          queries: [
            {
              expr: `sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{${KSM}, ${ns}}[1h])) > 0`,
              legend: '{{namespace}}/{{pod}}',
            },
          ],
        },
        {
          title: 'CPU by namespace',
          unit: 'short',
          queries: [
            {
              expr: `sum by (namespace) (rate(container_cpu_usage_seconds_total{job="kubelet", ${ns}, container!=""}[$__rate_interval]))`,
              legend: '{{namespace}}',
            },
          ],
        },
        {
          title: 'Memory by namespace',
          unit: 'bytes',
          queries: [
            { expr: `sum by (namespace) (container_memory_working_set_bytes{job="kubelet", ${ns}, container!=""})`, legend: '{{namespace}}' },
          ],
        },
      ],
    },
    {
      title: 'Volumes',
      panels: [
        {
          title: 'Persistent volumes used',
          unit: 'percent',
          width: 24,
          queries: [
            {
              expr: `max by (namespace, persistentvolumeclaim) (100 * (1 - kubelet_volume_stats_available_bytes{job="kubelet", ${ns}} / kubelet_volume_stats_capacity_bytes{job="kubelet", ${ns}}))`,
              legend: '{{namespace}}/{{persistentvolumeclaim}}',
            },
          ],
        },
      ],
    },
    ...(certificates ? [certificatesRow(ns)] : []),
  ];
  return {
    name: 'platform-overview',
    title: `Strata platform: ${overlay}`,
    folder: 'Platform',
    tags: ['platform', 'overview'],
    exporters: ['kube-state-metrics', 'node-exporter', 'kubelet', ...(certificates ? (['cert-manager'] as const) : []), ...layers.exporters],
    variables: [NAMESPACE_VARIABLE],
    rows,
  };
}
