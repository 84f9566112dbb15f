/**
 * What may change on a running PostgreSQL cluster (CloudNativePG or Zalando) and its
 * databases and backups. See constructs/platform/transition-rules.ts.
 */
import { at, keepsQuorum, notShortened, notShrunk, show, TransitionChange, TransitionRule, unchanged } from '../platform/transition-rules';

const CNPG = 'postgresql.cnpg.io';

/** The DR side of a CloudNativePG cluster: `replica.self` and `replica.source` name the pair. */
function drTopology(previous: any, next: any): TransitionChange[] {
  const before = at(previous, 'spec.replica');
  const after = at(next, 'spec.replica');
  if (!before && !after) return [];
  if (!before || !after) {
    return [
      {
        field: 'spec.replica',
        before,
        after,
        setting: 'dr',
        message: before
          ? 'would leave its DR pair (spec.replica removed): a replica would stop following its primary and start as a primary of its own'
          : 'would join a DR pair as a running cluster: a primary would be demoted to follow another cluster',
        fix: 'role and of never change for a running pair: promote with dr.promoted (README, Disaster recovery), or acknowledge the change',
      },
    ];
  }
  return [
    ...unchanged(previous, next, 'spec.replica.self', 'its DR topology name', {
      setting: 'dr',
      fix: 'keep the region and environment names of a running DR pair, or acknowledge the change',
    }),
    ...unchanged(previous, next, 'spec.replica.source', 'the DR peer it replicates with', {
      setting: 'dr.of',
      message: `would replicate with ${show(after.source)} instead of ${show(before.source)}: a replica would follow a different primary`,
      fix: 'dr.of never changes for a running pair; keep it, or acknowledge the change',
    }),
  ];
}

/** The bootstrap method (initdb, recovery, pg_basebackup) of a running cluster. */
function bootstrapMethod(m: any): string | undefined {
  const b = at(m, 'spec.bootstrap');
  return b && typeof b === 'object' ? Object.keys(b).sort().join(',') : undefined;
}

export const POSTGRES_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: CNPG,
    kind: 'Cluster',
    stateful: true,
    removalSetting: 'postgres.enabled',
    removalFix:
      'keep postgres.enabled and postgres.name as they are (pin postgres.name when renaming), or acknowledge the removal: the cluster and its volumes stay on the cluster (prune-protected) and are deleted by hand',
    check: (previous, next) => {
      const changes: TransitionChange[] = [
        ...notShrunk(previous, next, 'spec.storage.size', 'its data volumes', 'postgres.storageSize'),
        ...notShrunk(previous, next, 'spec.walStorage.size', 'its WAL volumes', 'postgres.walStorageSize'),
        ...unchanged(previous, next, 'spec.storage.storageClass', 'the storage class of its data volumes', {
          setting: 'region.storageClasses.retain',
        }),
        ...unchanged(previous, next, 'spec.walStorage.storageClass', 'the storage class of its WAL volumes', {
          setting: 'region.storageClasses.retain',
        }),
        ...keepsQuorum(previous, next, 'spec.instances', 'its instances', 'postgres.instances'),
        ...drTopology(previous, next),
      ];
      const before = bootstrapMethod(previous);
      const after = bootstrapMethod(next);
      if (before && after && before !== after) {
        changes.push({
          field: 'spec.bootstrap',
          before,
          after,
          setting: 'dr',
          message: `would be bootstrapped with ${after} instead of ${before}: a cluster rebuilt from this spec starts from different data`,
          fix: 'keep the DR role and source of a running cluster, or acknowledge the change',
        });
      }
      return changes;
    },
  },
  {
    group: CNPG,
    kind: 'Database',
    stateful: true,
    removalSetting: 'postgres.databases',
    removalFix: 'keep the database in postgres.databases, or acknowledge its removal (the database stays: databaseReclaimPolicy retain)',
  },
  {
    group: CNPG,
    kind: 'ScheduledBackup',
    stateful: true,
    removalSetting: 'postgres.backup.schedule',
    removalFix: 'keep the backup schedule, or acknowledge that backups stop',
  },
  {
    group: 'barmancloud.cnpg.io',
    kind: 'ObjectStore',
    check: (previous, next) => notShortened(previous, next, 'spec.retentionPolicy', 'the backup retention', 'postgres.backup.retention'),
  },
  {
    group: 'acid.zalan.do',
    kind: 'postgresql',
    stateful: true,
    removalSetting: 'postgres.enabled',
    removalFix:
      'keep postgres.enabled, postgres.engine and postgres.name as they are, or acknowledge the removal: the cluster stays on the cluster (prune-protected) and is deleted by hand',
    check: (previous, next) => [
      ...notShrunk(previous, next, 'spec.volume.size', 'its volumes', 'postgres.storageSize'),
      ...unchanged(previous, next, 'spec.volume.storageClass', 'the storage class of its volumes', { setting: 'region.storageClasses.retain' }),
      ...keepsQuorum(previous, next, 'spec.numberOfInstances', 'its instances', 'postgres.instances'),
      ...unchanged(previous, next, 'spec.standby', 'its standby source', {
        setting: 'dr',
        fix: 'role and of never change for a running pair; keep them, or acknowledge the change',
      }),
    ],
  },
];
