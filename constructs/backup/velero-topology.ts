/**
 * Velero in the topology picture (constructs/platform/topology.ts): each schedule and the
 * storage location it writes to; a read-only location (the peer region's backups, for a
 * restore) is drawn as a flow into the cluster.
 */
import { hostOf, Json, refOf, times, topologyRef, TopologyRule } from '../platform/topology';

const VELERO = 'velero.io';

const schedule: TopologyRule = {
  group: VELERO,
  kind: 'Schedule',
  describe: (m) => {
    const ref = refOf(m);
    const t: Json = m.spec?.template ?? {};
    const location = t.storageLocation ?? 'default';
    return {
      nodes: [
        {
          ref,
          kind: 'Velero schedule',
          name: m.metadata.name,
          details: [
            `${m.spec?.schedule}${t.ttl ? `, kept ${t.ttl}` : ''}`,
            t.includedNamespaces ? times(t.includedNamespaces.length, 'namespace') : 'all namespaces',
          ],
        },
      ],
      edges: [{ from: ref, to: topologyRef(VELERO, 'BackupStorageLocation', m.metadata?.namespace, location), label: 'backups', kind: 'backup' }],
    };
  },
};

const location: TopologyRule = {
  group: VELERO,
  kind: 'BackupStorageLocation',
  describe: (m) => {
    const ref = refOf(m);
    const spec: Json = m.spec ?? {};
    const bucket = `bucket ${spec.objectStorage?.bucket ?? '?'}${spec.objectStorage?.prefix ? `/${spec.objectStorage.prefix}` : ''}`;
    const url: string | undefined = spec.config?.s3Url;
    const store = url ? { host: hostOf(url) } : { external: `${spec.provider ?? 'object storage'} ${bucket}` };
    const readOnly = spec.accessMode === 'ReadOnly';
    return {
      nodes: [
        {
          ref,
          kind: 'Backup location',
          name: m.metadata.name,
          details: [`${readOnly ? 'read-only' : 'read-write'}${spec.default ? ', default' : ''}`, bucket],
        },
      ],
      edges: [
        readOnly
          ? { from: store, to: ref, label: `restore from ${bucket}`, kind: 'replication' }
          : { from: ref, to: store, label: bucket, kind: 'backup' },
      ],
    };
  },
};

export const VELERO_TOPOLOGY: readonly TopologyRule[] = [schedule, location];
