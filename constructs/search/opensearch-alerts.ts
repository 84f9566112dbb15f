import { Alert, durationOption, forDuration, matchers, percentOptions } from '../platform/alert-rules';

/**
 * Alerts of one OpenSearch cluster, from the Prometheus exporter plugin the nodes install
 * (`OPENSEARCH.prometheusExporterPlugin`), scraped through the ServiceMonitor the operator
 * creates for `general.monitoring`. The plugin labels every series with `cluster` (the
 * cluster's name); with the namespace it scopes each expression to this one cluster.
 */

/** Thresholds of a cluster's alerts. */
export interface OpenSearchAlertOptions {
  /** How long the cluster may stay yellow before `OpenSearchClusterYellow` fires (a Go duration). @default '15m' */
  readonly yellowFor?: string;
  /**
   * Used share of a node's data disks (percent) for a warning: below OpenSearch's default low
   * watermark (85%), past which no new shards are allocated to the node.
   * @default 80
   */
  readonly diskUsageWarningPercent?: number;
  /**
   * Used share of a node's data disks (percent) for a critical alert: OpenSearch's default high
   * watermark, past which it moves shards away; at 95% (flood stage) indices become read-only.
   * @default 90
   */
  readonly diskUsageCriticalPercent?: number;
}

export interface OpenSearchAlertThresholds {
  readonly yellowForSeconds: number;
  readonly diskUsage: { readonly warning: number; readonly critical: number };
}

export function openSearchAlertThresholds(cluster: string, options: OpenSearchAlertOptions = {}): OpenSearchAlertThresholds {
  const what = `OpenSearch cluster ${cluster}`;
  return {
    yellowForSeconds: durationOption(what, 'alerts.yellowFor', options.yellowFor ?? '15m'),
    diskUsage: percentOptions(
      what,
      'alerts.diskUsage{Warning,Critical}Percent',
      options.diskUsageWarningPercent ?? 80,
      options.diskUsageCriticalPercent ?? 90,
    ),
  };
}

export interface OpenSearchAlertTarget {
  readonly name: string;
  readonly namespace: string;
  /** Every node of every pool. */
  readonly nodes: number;
  readonly dataNodes: number;
}

export function openSearchAlerts(o: OpenSearchAlertTarget, t: OpenSearchAlertThresholds): Alert[] {
  const id = `${o.namespace}/${o.name}`;
  const cluster = matchers({ namespace: o.namespace, cluster: o.name });
  // Every node reports the cluster's health: 0 green, 1 yellow, 2 red.
  const status = `max by (namespace, cluster) (opensearch_cluster_status${cluster})`;
  const diskUsed = `max by (namespace, cluster, node) (100 * (1 - opensearch_fs_total_available_bytes${cluster} / opensearch_fs_total_total_bytes${cluster}))`;
  const yellowFor = forDuration(t.yellowForSeconds);
  const alerts: Alert[] = [
    {
      alert: 'OpenSearchClusterRed',
      expr: `${status} == 2`,
      for: '5m',
      severity: 'critical',
      summary: `OpenSearch cluster ${id} is red`,
      description: `OpenSearch cluster ${id} has been red for 5 minutes: at least one primary shard is unassigned, and its index can be neither fully searched nor written.`,
    },
  ];
  // A single data node cannot hold replicas: yellow is its normal state for replicated indices.
  if (o.dataNodes > 1) {
    alerts.push({
      alert: 'OpenSearchClusterYellow',
      expr: `${status} == 1`,
      for: yellowFor,
      severity: 'warning',
      summary: `OpenSearch cluster ${id} is yellow`,
      description: `OpenSearch cluster ${id} has been yellow for ${yellowFor}: replica shards are unassigned, so losing a node may lose data.`,
    });
  }
  alerts.push(
    {
      alert: 'OpenSearchClusterDown',
      expr: `absent(opensearch_cluster_status${cluster})`,
      for: '5m',
      severity: 'critical',
      summary: `OpenSearch cluster ${id} reports no metrics`,
      description: `No node of OpenSearch cluster ${id} has answered Prometheus for 5 minutes: the cluster is down, or its exporter cannot be scraped (plugin, monitoring user, network path).`,
    },
    {
      alert: 'OpenSearchNodesMissing',
      expr: `max by (namespace, cluster) (opensearch_cluster_nodes_number${cluster}) < ${o.nodes}`,
      for: '10m',
      severity: 'warning',
      summary: `OpenSearch cluster ${id} has fewer than ${o.nodes} nodes`,
      description: `OpenSearch cluster ${id} has had {{ $value }} of its ${o.nodes} nodes for 10 minutes.`,
    },
    {
      alert: 'OpenSearchDiskWatermarkApproaching',
      expr: `${diskUsed} > ${t.diskUsage.warning}`,
      for: '15m',
      severity: 'warning',
      summary: `A node of OpenSearch cluster ${id} has used more than ${t.diskUsage.warning}% of its disk`,
      description: `Node {{ $labels.node }} of OpenSearch cluster ${id} has used {{ $value | printf "%.0f" }}% of its data disk; at the low watermark (85% by default) no new shards are allocated to it.`,
    },
    {
      alert: 'OpenSearchDiskWatermarkApproaching',
      expr: `${diskUsed} > ${t.diskUsage.critical}`,
      for: '5m',
      severity: 'critical',
      summary: `A node of OpenSearch cluster ${id} has used more than ${t.diskUsage.critical}% of its disk`,
      description: `Node {{ $labels.node }} of OpenSearch cluster ${id} has used {{ $value | printf "%.0f" }}% of its data disk: past the high watermark (90% by default) shards move away, at the flood stage (95%) its indices become read-only. Grow storageSize or delete indices.`,
    },
  );
  return alerts;
}
