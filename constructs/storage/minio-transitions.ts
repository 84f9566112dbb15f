/**
 * What may change on a running MinIO tenant: the operator cannot turn a standalone tenant
 * into a distributed one or reshape an existing pool (it grows by adding pools), volumes
 * cannot shrink, and a bucket dropped from the tenant is a bucket whose data nobody serves.
 */
import { at, entriesRemoved, sizeNotShrunk, TransitionChange, TransitionRule, unchanged } from '../platform/transition-rules';

const describePool = (p: any) => `${p.servers} server(s) × ${p.volumesPerServer} volume(s)`;

export const MINIO_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: 'minio.min.io',
    kind: 'Tenant',
    stateful: true,
    removalSetting: 'minio.enabled',
    removalFix:
      'keep minio.enabled and minio.name, or acknowledge the removal: the tenant and its volumes stay (prune-protected) and are deleted by hand',
    check: (previous, next) => {
      const changes: TransitionChange[] = [];
      for (const pool of at(previous, 'spec.pools') ?? []) {
        const now = (at(next, 'spec.pools') ?? []).find((p: any) => p.name === pool.name);
        if (!now) continue;
        const wasStandalone = pool.servers * pool.volumesPerServer === 1;
        const isStandalone = now.servers * now.volumesPerServer === 1;
        const layout = { servers: now.servers, volumesPerServer: now.volumesPerServer };
        if (wasStandalone !== isStandalone) {
          changes.push({
            field: `spec.pools[${pool.name}]`,
            before: { servers: pool.servers, volumesPerServer: pool.volumesPerServer },
            after: layout,
            setting: 'minio.servers',
            impossible: true,
            message: `would change from ${wasStandalone ? 'standalone' : 'distributed'} (${describePool(pool)}) to ${isStandalone ? 'standalone' : 'distributed'} (${describePool(now)}); the MinIO operator cannot convert a running tenant`,
            fix: `keep minio.servers: ${pool.servers} and minio.volumesPerServer: ${pool.volumesPerServer}, or give the new layout a new minio.name, migrate the data (mc mirror) and remove the old tenant afterwards`,
          });
        } else if (pool.servers !== now.servers || pool.volumesPerServer !== now.volumesPerServer) {
          changes.push({
            field: `spec.pools[${pool.name}]`,
            before: { servers: pool.servers, volumesPerServer: pool.volumesPerServer },
            after: layout,
            setting: 'minio.servers',
            impossible: true,
            message: `pool ${pool.name} would change from ${describePool(pool)} to ${describePool(now)}; MinIO cannot reshape an existing pool (it grows by adding pools)`,
            fix: `keep minio.servers: ${pool.servers} and minio.volumesPerServer: ${pool.volumesPerServer}`,
          });
        }
        const claim = 'volumeClaimTemplate.spec';
        changes.push(
          ...sizeNotShrunk(
            at(pool, `${claim}.resources.requests.storage`),
            at(now, `${claim}.resources.requests.storage`),
            `spec.pools[${pool.name}].${claim}.resources.requests.storage`,
            'its volumes',
            'minio.volumeSize',
          ),
        );
        changes.push(
          ...unchanged(
            { v: at(pool, `${claim}.storageClassName`) },
            { v: at(now, `${claim}.storageClassName`) },
            'v',
            'the storage class of its volumes',
            { setting: 'region.storageClasses.retain' },
          ).map((c) => ({ ...c, field: `spec.pools[${pool.name}].${claim}.storageClassName` })),
        );
      }
      changes.push(...entriesRemoved(previous, next, 'spec.buckets', 'bucket', 'minio'));
      return changes;
    },
  },
];
