/**
 * Rules of `monitoring.logging`: where the cluster's container logs go. Fluent Bit runs on
 * the cluster of the monitoring layer and writes to the overlay's OpenSearch, which must run
 * on that cluster (the logs' source), or to VictoriaLogs, which needs the VictoriaMetrics
 * operator (`monitoring.stack: victoriametrics`), or to Loki, which keeps them in the overlay's
 * object storage (its MinIO tenant on the same cluster, or external S3) and is read by the
 * cluster's own Grafana; none in a cluster every environment shares (one Fluent Bit there
 * would read every environment's logs).
 */
import type { OverlaySpec } from './model';
import { layerClusterKey } from './placement';
import type { Problem } from './problems';
import { valueAt } from './problems';
import type { SourceOf } from './semantic-checks';
import type { LoggingBackend } from '../constructs/logging/logging-settings';

type Overlay = Pick<OverlaySpec, 'id' | 'region' | 'environment' | 'settings'>;

/** A cluster every environment shares: one Fluent Bit there would send every environment's logs to this one's store. */
function sharedClusterObstacle(o: Overlay, store: string, storeName: string): { message: string; fix: string } | undefined {
  const source = layerClusterKey(o, 'monitoring');
  if (!o.region.clusters[source]?.shared) return undefined;
  return {
    message: `${o.id}: logs go to ${store} (monitoring.logging.backend), and cluster ${source} is shared by every environment of ${o.region.name}: one Fluent Bit would send every environment's logs to this environment's ${storeName}`,
    fix: 'set monitoring.logging.backend: none',
  };
}

/** Why the overlay cannot ship its logs to its OpenSearch, with the fix; undefined when it can. */
function openSearchObstacle(o: Overlay): { message: string; fix: string } | undefined {
  if (!o.settings.opensearch.enabled) {
    return {
      message: `${o.id}: logs go to OpenSearch (monitoring.logging.backend), and opensearch.enabled is false`,
      fix: 'set opensearch.enabled: true, or monitoring.logging.backend: none',
    };
  }
  const source = layerClusterKey(o, 'monitoring');
  const search = layerClusterKey(o, 'search');
  if (search !== source) {
    return {
      message: `${o.id}: logs go to OpenSearch (monitoring.logging.backend), which runs on cluster ${search}, and Fluent Bit runs on cluster ${source} (the monitoring layer's); shipping logs to another cluster is not supported`,
      fix: `place search and monitoring on one cluster (placement.search, placement.monitoring), or set monitoring.logging.backend: none`,
    };
  }
  return sharedClusterObstacle(o, 'OpenSearch', 'OpenSearch');
}

/**
 * Where the overlay's logs go: the backend it sets, else `opensearch` where its OpenSearch
 * runs on the cluster the logs come from, else `none`.
 */
export function loggingBackend(o: Overlay): LoggingBackend {
  const chosen = o.settings.monitoring.logging.backend;
  if (chosen) return chosen;
  return openSearchObstacle(o) ? 'none' : 'opensearch';
}

/** Why the overlay cannot keep its logs in VictoriaLogs, with the fix; undefined when it can. */
function victoriaLogsObstacle(o: Overlay): { message: string; fix: string } | undefined {
  if (o.settings.monitoring.stack !== 'victoriametrics' || o.settings.monitoring.external) {
    return {
      message: `${o.id}: logs go to VictoriaLogs (monitoring.logging.backend), which the VictoriaMetrics operator runs, and monitoring.stack is ${o.settings.monitoring.external ? 'outside the cluster (monitoring.external)' : o.settings.monitoring.stack}`,
      fix: 'set monitoring.stack: victoriametrics, or monitoring.logging.backend: opensearch (where OpenSearch runs) or none',
    };
  }
  return sharedClusterObstacle(o, 'VictoriaLogs', 'store');
}

/** Why the overlay cannot keep its logs in Loki, with the fix; undefined when it can. */
function lokiObstacle(o: Overlay): { message: string; fix: string } | undefined {
  const s = o.settings;
  if (s.monitoring.external) {
    return {
      message: `${o.id}: logs go to Loki (monitoring.logging.backend), which serves them inside the cluster to the cluster's Grafana, and the monitoring stack runs outside the cluster (monitoring.external): nothing there reaches Loki`,
      fix: 'set monitoring.logging.backend: opensearch (where OpenSearch runs) or none, or run the monitoring stack in the cluster (remove monitoring.external)',
    };
  }
  const storage = s.backupStorage;
  if (storage.kind === 's3' && !storage.endpoint) {
    return {
      message: `${o.id}: logs go to Loki (monitoring.logging.backend), which keeps them in the overlay's object storage, and backupStorage.kind s3 gives no endpoint`,
      fix: "set backupStorage.endpoint to the provider's S3 endpoint, or monitoring.logging.backend: none",
    };
  }
  if (storage.kind === 'minio' && !s.minio.enabled) {
    return {
      message: `${o.id}: logs go to Loki (monitoring.logging.backend), which keeps them in the overlay's object storage, and the overlay has none: minio.enabled is false and backupStorage.kind is not s3`,
      fix: "set minio.enabled: true, or backupStorage.kind: s3 with the provider's endpoint, or monitoring.logging.backend: none",
    };
  }
  const source = layerClusterKey(o, 'monitoring');
  const data = layerClusterKey(o, 'data');
  if (storage.kind === 'minio' && data !== source) {
    return {
      message: `${o.id}: logs go to Loki (monitoring.logging.backend), which runs on cluster ${source} (the monitoring layer's), and its bucket would be in the MinIO tenant on cluster ${data} (the data layer's); a bucket on another cluster is not supported`,
      fix: 'place data and monitoring on one cluster (placement.data, placement.monitoring), or use backupStorage.kind: s3, or set monitoring.logging.backend: none',
    };
  }
  return sharedClusterObstacle(o, 'Loki', 'Loki');
}

export function checkLogging(overlays: readonly OverlaySpec[], sourceOf: SourceOf): Problem[] {
  const problems: Problem[] = [];
  const path = 'monitoring.logging.backend';
  for (const o of overlays) {
    // A placement naming no declared cluster is refused by placement-checks.ts; nothing more is judged until it is valid.
    const backend = o.settings.monitoring.logging.backend;
    if (backend === undefined || backend === 'none' || !placementValid(o)) continue;
    const obstacle = { opensearch: openSearchObstacle, victorialogs: victoriaLogsObstacle, loki: lokiObstacle }[backend](o);
    if (obstacle) problems.push({ file: sourceOf(o, path), path, value: valueAt(o.settings, path), ...obstacle });
  }
  return problems;
}

function placementValid(o: Overlay): boolean {
  const declared = Object.keys(o.region.clusters);
  if (declared.length === 0) return true;
  const named = Object.values(o.settings.placement).filter((c): c is string => c !== undefined);
  return named.every((c) => declared.includes(c)) && (declared.length === 1 || o.settings.placement.default !== undefined);
}
