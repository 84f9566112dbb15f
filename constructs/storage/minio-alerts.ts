import { Alert, matchers } from '../platform/alert-rules';

/**
 * Alerts of one MinIO tenant, from MinIO's own cluster metrics (v2, `/minio/v2/metrics/cluster`)
 * scraped by the tenant's PodMonitor. Every server reports the whole cluster, so each
 * expression takes the maximum over the tenant's pods; the PodMonitor's job label
 * (`<namespace>/<tenant>`) and the namespace scope it to this one tenant.
 */
export interface MinioAlertTarget {
  readonly name: string;
  readonly namespace: string;
}

export function minioAlerts(t: MinioAlertTarget): Alert[] {
  const id = `${t.namespace}/${t.name}`;
  const tenant = matchers({ namespace: t.namespace, job: `${t.namespace}/${t.name}` });
  const usedPercent = `max(100 * (1 - minio_cluster_capacity_usable_free_bytes${tenant} / minio_cluster_capacity_usable_total_bytes${tenant}))`;
  return [
    {
      alert: 'MinioTenantDown',
      expr: `(count(up${tenant} == 1) or vector(0)) == 0`,
      for: '5m',
      severity: 'critical',
      summary: `MinIO tenant ${id} cannot be scraped`,
      description: `No server of MinIO tenant ${id} has answered Prometheus for 5 minutes: the tenant is down, or its metrics are unreachable.`,
    },
    {
      alert: 'MinioNodesOffline',
      expr: `max(minio_cluster_nodes_offline_total${tenant}) > 0`,
      for: '5m',
      severity: 'critical',
      summary: `MinIO tenant ${id} has offline servers`,
      description: `{{ $value }} server(s) of MinIO tenant ${id} have been offline for 5 minutes; erasure coding tolerates only some loss before objects become unreadable.`,
    },
    {
      alert: 'MinioDrivesOffline',
      expr: `max(minio_cluster_drive_offline_total${tenant}) > 0`,
      for: '10m',
      severity: 'warning',
      summary: `MinIO tenant ${id} has offline drives`,
      description: `{{ $value }} drive(s) of MinIO tenant ${id} have been offline for 10 minutes.`,
    },
    {
      alert: 'MinioCapacityLow',
      expr: `${usedPercent} > 80`,
      for: '15m',
      severity: 'warning',
      summary: `MinIO tenant ${id} is over 80% full`,
      description: `MinIO tenant ${id} has used {{ $value | humanize }}% of its usable capacity: backups and WAL archives will fail once it is full.`,
    },
    {
      alert: 'MinioCapacityLow',
      expr: `${usedPercent} > 90`,
      for: '5m',
      severity: 'critical',
      summary: `MinIO tenant ${id} is over 90% full`,
      description: `MinIO tenant ${id} has used {{ $value | humanize }}% of its usable capacity: backups and WAL archives will fail once it is full.`,
    },
  ];
}
