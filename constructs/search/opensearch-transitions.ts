/** What may change on a running OpenSearch cluster, its index templates and snapshots. */
import { at, belowQuorum, notLowered, sizeNotShrunk, TransitionChange, TransitionRule, unchanged } from '../platform/transition-rules';

const OPENSEARCH = 'opensearch.org';

export const OPENSEARCH_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: OPENSEARCH,
    kind: 'OpenSearchCluster',
    stateful: true,
    removalSetting: 'opensearch.enabled',
    removalFix:
      'keep opensearch.enabled (and the cluster name), or acknowledge the removal: the cluster stays (prune-protected) and is deleted by hand',
    check: (previous, next) => {
      const changes: TransitionChange[] = [];
      for (const pool of at(previous, 'spec.nodePools') ?? []) {
        const now = (at(next, 'spec.nodePools') ?? []).find((p: any) => p.component === pool.component);
        if (!now) continue;
        const field = `spec.nodePools[${pool.component}]`;
        changes.push(...sizeNotShrunk(pool.diskSize, now.diskSize, `${field}.diskSize`, `its ${pool.component} volumes`, 'opensearch.storageSize'));
        changes.push(
          ...unchanged(
            { v: at(pool, 'persistence.pvc.storageClass') },
            { v: at(now, 'persistence.pvc.storageClass') },
            'v',
            `the storage class of its ${pool.component} volumes`,
            { setting: 'region.storageClasses.retain' },
          ).map((c) => ({ ...c, field: `${field}.persistence.pvc.storageClass` })),
        );
        if (typeof pool.replicas === 'number' && typeof now.replicas === 'number' && belowQuorum(pool.replicas, now.replicas)) {
          changes.push({
            field: `${field}.replicas`,
            before: pool.replicas,
            after: now.replicas,
            setting: 'opensearch.dataNodes',
            message: `its ${pool.component} nodes would go from ${pool.replicas} to ${now.replicas}, below a majority of the ${pool.replicas} that run: shards whose copies all sat on removed nodes are lost`,
            fix: 'remove nodes one at a time after excluding them from allocation (cluster.routing.allocation.exclude), or acknowledge the change',
          });
        }
      }
      return changes;
    },
  },
  {
    group: OPENSEARCH,
    kind: 'OpensearchIndexTemplate',
    check: (previous, next) =>
      notLowered(previous, next, 'spec.template.settings.index.number_of_replicas', 'the replicas of its indices', {
        setting: 'opensearch.dataNodes',
      }),
  },
  {
    group: OPENSEARCH,
    kind: 'OpensearchSnapshotPolicy',
    stateful: true,
    removalSetting: 'opensearch.snapshotSchedule',
    removalFix: 'keep the snapshot policy, or acknowledge that snapshots stop',
  },
];
