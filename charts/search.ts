import { App } from 'cdk8s';
import { backupBucket } from './backup-storage';
import { secretKeyPrefix, type DataChart } from './data';
import { LayerChart } from '../constructs/platform/layer-chart';
import { OverlayContext } from '../constructs/platform/overlay-context';
import {
  CrossClusterReplication,
  REPLICATION_USER,
  ReplicationLeader,
  replicationTransportHost,
} from '../constructs/search/cross-cluster-replication';
import { OpenSearchCluster, TRANSPORT_PORT } from '../constructs/search/opensearch-cluster';
import type { OverlayRef, OverlaySpec } from '../environments/model';

/** Bucket holding every overlay's OpenSearch snapshots. */
export const OPENSEARCH_SNAPSHOT_BUCKET = 'opensearch-snapshots';

/** The OpenSearch indices the CDC pipelines of an overlay write, sorted. */
export function cdcIndices(o: { settings: OverlaySpec['settings'] }): string[] {
  const indices = o.settings.streaming.pipelines.flatMap((p) => Object.values(p.indices ?? {}).map((i) => i.index));
  return [...new Set(indices)].sort();
}

/**
 * Secret-store prefix of a DR pair's shared OpenSearch secrets: the overlay the pair was built
 * from (`dr.of` of the replica), whichever side leads now.
 */
export function pairSecretKeyPrefix(overlay: OverlaySpec, peers: readonly OverlayRef[]): string {
  const dr = overlay.settings.dr;
  if (dr.role !== 'replica') return secretKeyPrefix(overlay);
  const origin = peers.find((p) => p.id === dr.of);
  if (!origin) throw new Error(`internal error: ${overlay.id} is a replica of ${dr.of}, which is not among its OpenSearch peers`);
  return secretKeyPrefix(origin);
}

/**
 * Search layer: the OpenSearch cluster with snapshots to MinIO, retention, index templates,
 * and cross-cluster replication set-up in a DR replica region.
 */
export class SearchChart extends LayerChart {
  /** The cluster, for the CDC pipelines' OpenSearch sinks (`grantIndexWrite`). */
  public readonly opensearch: OpenSearchCluster;

  constructor(scope: App, overlay: OverlaySpec, data: DataChart) {
    super(scope, 'search', { region: overlay.region.name, environment: overlay.environment });
    const s = overlay.settings.opensearch;
    const region = overlay.region;
    const context = OverlayContext.of(this);

    const primary = overlay.peers.primary?.settings.opensearch.enabled ? overlay.peers.primary : undefined;
    const followers = overlay.peers.replicas.filter((r) => r.settings.opensearch.enabled);
    const replicated = primary !== undefined || followers.length > 0;
    // The pair's shared secrets (transport CA, replication user) live under the keys of the
    // overlay the pair was built from, so a promotion changes neither: a new transport CA
    // would split the running clusters.
    const pairKeys = replicated ? pairSecretKeyPrefix(overlay, [...(primary ? [primary] : []), ...followers]) : secretKeyPrefix(overlay);
    for (const peer of [...(primary ? [primary] : []), ...followers]) {
      if (peer.settings.opensearch.name !== s.name) {
        context.problems.push({
          file: overlay.sourceFile,
          path: 'opensearch.name',
          value: s.name,
          message: `${overlay.id}: OpenSearch cluster "${s.name}" replicates with ${peer.id}'s "${peer.settings.opensearch.name}"; cross-cluster replication needs the same name on both sides (their nodes' certificate names must match)`,
          fix: `set opensearch.name: ${peer.settings.opensearch.name} (names are a public contract: never rename a running cluster)`,
        });
      }
    }

    // The settings are OpenSearchClusterProps' own fields (environments/model.ts picks them),
    // and the snapshot retention, which backupTo takes.
    const { enabled: _enabled, retentionDays: _retentionDays, ...cluster } = s;
    this.opensearch = new OpenSearchCluster(this, 'OpenSearch', {
      ...cluster,
      storageClass: region.storageClasses.retain,
      nodePool: region.databaseNodes,
      zoneLabel: region.zoneLabel,
      secretBackend: region.secrets,
      secretKeyPrefix: secretKeyPrefix(overlay),
      sharedTransportCaKey: replicated ? `${pairKeys}/opensearch/${s.name}/transport-ca` : undefined,
    });

    const snapshots = backupBucket(this, overlay, data.minio, OPENSEARCH_SNAPSHOT_BUCKET);
    if (snapshots) {
      this.opensearch.backupTo(snapshots);
    } else {
      context.problems.push({
        file: overlay.sourceFile,
        path: 'minio.enabled',
        value: false,
        message: `${overlay.id}: OpenSearch snapshots go to the region's MinIO, which is disabled`,
        fix: 'set minio.enabled: true, or opensearch.enabled: false',
      });
    }

    // The CDC sinks write these indices; mappings come from the pipelines.
    const templated = new Set<string>();
    for (const pipeline of overlay.settings.streaming.pipelines) {
      for (const { index, mappings } of Object.values(pipeline.indices ?? {})) {
        if (templated.has(index)) continue;
        templated.add(index);
        this.opensearch.addIndexTemplate(index, { indexPatterns: [index], mappings });
      }
    }

    // A CDC index is a live mirror of a table, updated in place: deleting it by age would wipe
    // it. Retention covers what is derived from it by name (rollovers, dated copies, reindexes).
    const held = [...new Set([...cdcIndices(overlay), ...(primary ? cdcIndices(primary) : [])])].sort();
    if (held.length) {
      this.opensearch.addRetentionPolicy('retention', { indexPatterns: held.map((index) => `${index}-*`), deleteAfterDays: s.retentionDays });
    }

    const replicationUserKey = OpenSearchCluster.userKeyOf(pairKeys, s.name, REPLICATION_USER);
    if (followers.length) {
      new ReplicationLeader(this, 'ReplicationLeader', {
        cluster: this.opensearch,
        hostname: replicationTransportHost(s.name, region.baseDomain),
        userRemoteKey: replicationUserKey,
      });
    }
    if (primary) this.followLeader(primary, replicationUserKey);
  }

  /** Follows every index the primary's CDC pipelines write (and what is derived from them). */
  private followLeader(primary: OverlayRef, userRemoteKey: string): void {
    const indices = cdcIndices(primary);
    if (!indices.length) return;
    const name = primary.settings.opensearch.name;
    new CrossClusterReplication(this, 'Replication', {
      follower: this.opensearch,
      leader: {
        alias: primary.region.name,
        address: `${replicationTransportHost(name, primary.region.baseDomain)}:${TRANSPORT_PORT}`,
        userRemoteKey,
      },
      indexPatterns: indices.map((index) => `${index}*`),
    });
  }
}
