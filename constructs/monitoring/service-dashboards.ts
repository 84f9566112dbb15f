/**
 * The dashboards of the search, backup and ingress layers: OpenSearch (the exporter plugin),
 * Velero's backups by schedule, and Traefik's entry points and services.
 */
import type { GrafanaDashboardProps } from './grafana-dashboard';

export function openSearchDashboard(): GrafanaDashboardProps {
  const s = '{namespace=~"$namespace", cluster=~"$cluster"}';
  return {
    name: 'opensearch',
    title: 'OpenSearch clusters',
    folder: 'OpenSearch',
    tags: ['opensearch', 'search'],
    exporters: ['opensearch'],
    variables: [
      { name: 'namespace', label: 'Namespace', query: 'label_values(opensearch_cluster_status, namespace)' },
      { name: 'cluster', label: 'Cluster', query: 'label_values(opensearch_cluster_status{namespace=~"$namespace"}, cluster)' },
    ],
    rows: [
      {
        title: 'Health',
        panels: [
          {
            title: 'Status (0 green, 1 yellow, 2 red)',
            type: 'stat',
            queries: [{ expr: `max by (cluster) (opensearch_cluster_status${s})`, legend: '{{cluster}}' }],
          },
          { title: 'Nodes', type: 'stat', queries: [{ expr: `max by (cluster) (opensearch_cluster_nodes_number${s})`, legend: '{{cluster}}' }] },
          {
            title: 'Data nodes',
            type: 'stat',
            queries: [{ expr: `max by (cluster) (opensearch_cluster_datanodes_number${s})`, legend: '{{cluster}}' }],
          },
          {
            title: 'Unassigned shards',
            type: 'stat',
            queries: [
              {
                expr: `max by (cluster) (opensearch_cluster_shards_number{namespace=~"$namespace", cluster=~"$cluster", type="unassigned"})`,
                legend: '{{cluster}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Nodes',
        panels: [
          {
            title: 'Data disk used',
            unit: 'percent',
            queries: [
              {
                expr: `max by (cluster, node) (100 * (1 - opensearch_fs_total_available_bytes${s} / opensearch_fs_total_total_bytes${s}))`,
                legend: '{{node}}',
              },
            ],
          },
          {
            title: 'JVM heap used',
            unit: 'percent',
            queries: [
              {
                expr: `max by (cluster, node) (100 * opensearch_jvm_mem_heap_used_bytes${s} / opensearch_jvm_mem_heap_max_bytes${s})`,
                legend: '{{node}}',
              },
            ],
          },
          { title: 'CPU', unit: 'percent', queries: [{ expr: `max by (cluster, node) (opensearch_os_cpu_percent${s})`, legend: '{{node}}' }] },
          {
            title: 'Garbage collection time',
            unit: 's',
            queries: [{ expr: `sum by (cluster, node) (rate(opensearch_jvm_gc_collection_time_seconds${s}[$__rate_interval]))`, legend: '{{node}}' }],
          },
        ],
      },
      {
        title: 'Indexing and search',
        panels: [
          {
            title: 'Documents indexed',
            unit: 'short',
            queries: [{ expr: `sum by (cluster) (rate(opensearch_indices_indexing_index_count${s}[$__rate_interval]))`, legend: '{{cluster}}' }],
          },
          {
            title: 'Search queries',
            unit: 'short',
            queries: [{ expr: `sum by (cluster) (rate(opensearch_indices_search_query_count${s}[$__rate_interval]))`, legend: '{{cluster}}' }],
          },
          { title: 'Documents', queries: [{ expr: `sum by (cluster) (opensearch_indices_doc_number${s})`, legend: '{{cluster}}' }] },
          {
            title: 'Store size',
            unit: 'bytes',
            queries: [{ expr: `sum by (cluster) (opensearch_indices_store_size_bytes${s})`, legend: '{{cluster}}' }],
          },
        ],
      },
    ],
  };
}

export function veleroDashboard(): GrafanaDashboardProps {
  const s = '{schedule=~"$schedule"}';
  return {
    name: 'velero',
    title: 'Velero backups',
    folder: 'Velero',
    tags: ['velero', 'backup'],
    exporters: ['velero'],
    variables: [{ name: 'schedule', label: 'Schedule', query: 'label_values(velero_backup_attempt_total, schedule)' }],
    rows: [
      {
        title: 'Schedules',
        panels: [
          {
            title: 'Age of the last successful backup',
            type: 'stat',
            unit: 's',
            queries: [{ expr: `time() - max by (schedule) (velero_backup_last_successful_timestamp${s})`, legend: '{{schedule}}' }],
          },
          {
            title: 'Failed backups (24h)',
            type: 'stat',
            queries: [
              {
                expr: `sum by (schedule) (increase(velero_backup_failure_total${s}[24h]) + increase(velero_backup_partial_failure_total${s}[24h]) + increase(velero_backup_validation_failure_total${s}[24h]))`,
                legend: '{{schedule}}',
              },
            ],
          },
          {
            title: 'Items in the last backup',
            type: 'stat',
            queries: [{ expr: `max by (schedule) (velero_backup_items_total${s})`, legend: '{{schedule}}' }],
          },
        ],
      },
      {
        title: 'Runs',
        panels: [
          {
            title: 'Attempts and successes per hour',
            queries: [
              { expr: `sum by (schedule) (increase(velero_backup_attempt_total${s}[1h]))`, legend: 'attempts {{schedule}}' },
              { expr: `sum by (schedule) (increase(velero_backup_success_total${s}[1h]))`, legend: 'successes {{schedule}}' },
            ],
          },
          {
            title: 'Backup duration (95th percentile)',
            unit: 's',
            queries: [
              {
                expr: `histogram_quantile(0.95, sum by (le, schedule) (rate(velero_backup_duration_seconds_bucket${s}[1h])))`,
                legend: '{{schedule}}',
              },
            ],
          },
          {
            title: 'Backup size',
            unit: 'bytes',
            queries: [{ expr: `max by (schedule) (velero_backup_tarball_size_bytes${s})`, legend: '{{schedule}}' }],
          },
          {
            title: 'Volume snapshots failed per hour',
            queries: [{ expr: `sum by (schedule) (increase(velero_volume_snapshot_failure_total${s}[1h]))`, legend: '{{schedule}}' }],
          },
        ],
      },
    ],
  };
}

export function traefikDashboard(): GrafanaDashboardProps {
  const e = '{entrypoint=~"$entrypoint"}';
  return {
    name: 'traefik',
    title: 'Traefik',
    folder: 'Traefik',
    tags: ['traefik', 'ingress'],
    exporters: ['traefik'],
    variables: [{ name: 'entrypoint', label: 'Entry point', query: 'label_values(traefik_entrypoint_requests_total, entrypoint)' }],
    rows: [
      {
        title: 'Entry points',
        panels: [
          {
            title: 'Requests',
            type: 'stat',
            unit: 'reqps',
            queries: [{ expr: `sum(rate(traefik_entrypoint_requests_total${e}[$__rate_interval]))`, legend: 'requests' }],
          },
          {
            title: 'Server errors (5xx)',
            type: 'stat',
            unit: 'percentunit',
            queries: [
              {
                expr: `sum(rate(traefik_entrypoint_requests_total{entrypoint=~"$entrypoint", code=~"5.."}[$__rate_interval])) / sum(rate(traefik_entrypoint_requests_total${e}[$__rate_interval]))`,
                legend: '5xx',
              },
            ],
          },
          { title: 'Open connections', type: 'stat', queries: [{ expr: `sum(traefik_open_connections${e})`, legend: 'connections' }] },
          {
            title: 'Requests by entry point and code',
            unit: 'reqps',
            queries: [
              {
                expr: `sum by (entrypoint, code) (rate(traefik_entrypoint_requests_total${e}[$__rate_interval]))`,
                legend: '{{entrypoint}} {{code}}',
              },
            ],
          },
          {
            title: 'Request duration (95th percentile)',
            unit: 's',
            queries: [
              {
                expr: `histogram_quantile(0.95, sum by (le, entrypoint) (rate(traefik_entrypoint_request_duration_seconds_bucket${e}[$__rate_interval])))`,
                legend: '{{entrypoint}}',
              },
            ],
          },
        ],
      },
      {
        title: 'Services',
        panels: [
          {
            title: 'Requests by service',
            unit: 'reqps',
            queries: [{ expr: 'topk(20, sum by (service) (rate(traefik_service_requests_total[$__rate_interval])))', legend: '{{service}}' }],
          },
          {
            title: 'Server errors by service',
            unit: 'reqps',
            queries: [{ expr: 'sum by (service) (rate(traefik_service_requests_total{code=~"5.."}[$__rate_interval])) > 0', legend: '{{service}}' }],
          },
          {
            title: 'Days until served certificates expire',
            queries: [{ expr: 'min by (cn) (traefik_tls_certs_not_after - time()) / 86400', legend: '{{cn}}' }],
          },
          { title: 'Configuration reloads', queries: [{ expr: 'sum(increase(traefik_config_reloads_total[1h]))', legend: 'reloads per hour' }] },
        ],
      },
    ],
  };
}
