/**
 * PostgreSQL in the topology picture (constructs/platform/topology.ts): CloudNativePG
 * clusters with their poolers, backups (the barman-cloud ObjectStore and the bucket behind
 * it) and the replica cluster in the peer region; Zalando clusters with theirs.
 */
import { hostOf, hostsIn, Json, refOf, times, topologyRef, TopologyEdge, TopologyRule } from '../platform/topology';

const CNPG = 'postgresql.cnpg.io';
const BARMAN = 'barmancloud.cnpg.io';

const sized = (instances: unknown, storage: Json | undefined, wal: Json | undefined) =>
  [times(instances, 'instance', storage?.size), ...(wal?.size ? [`WAL volume ${wal.size}`] : [])].join(', ');

/** The ObjectStore an external cluster or plugin entry names. */
const storeRef = (ns: string | undefined, name: string | undefined) => (name ? topologyRef(BARMAN, 'ObjectStore', ns, name) : undefined);

const cnpgCluster: TopologyRule = {
  group: CNPG,
  kind: 'Cluster',
  describe: (m, ctx) => {
    const ref = refOf(m);
    const ns = m.metadata?.namespace;
    const spec: Json = m.spec ?? {};
    const edges: TopologyEdge[] = [];
    for (const p of spec.plugins ?? []) {
      const store = storeRef(ns, p.parameters?.barmanObjectName);
      if (p.isWALArchiver && store) edges.push({ from: ref, to: store, label: 'WAL archive, base backups', kind: 'backup' });
    }
    const legacy: Json | undefined = spec.backup?.barmanObjectStore;
    if (legacy) {
      const to = legacy.endpointURL ? { host: hostOf(legacy.endpointURL) } : { external: `S3 ${legacy.destinationPath ?? ''}`.trim() };
      edges.push({ from: ref, to, label: `WAL archive, base backups ${legacy.destinationPath ?? ''}`.trim(), kind: 'backup' });
    }
    // Distributed topology (replica.self / primary) or a plain replica cluster (replica.enabled + source).
    const replica: Json | undefined = spec.replica;
    const external = (name: string): Json | undefined => (spec.externalClusters ?? []).find((e: Json) => e.name === name);
    const via = (e: Json | undefined) => {
      const store = e?.plugin?.parameters?.barmanObjectName ?? (e?.barmanObjectStore ? 'its object store' : undefined);
      return store ? ` via ${store}` : e?.connectionParameters?.host ? ` via ${e.connectionParameters.host}` : '';
    };
    if (replica?.self && replica.primary === replica.self) {
      for (const e of spec.externalClusters ?? []) {
        if (e.name === replica.self) continue;
        edges.push({
          from: ref,
          to: { external: `PostgreSQL ${e.name} (DR replica)` },
          label: `DR replica reads the WAL archive`,
          kind: 'replication',
        });
      }
    } else if (replica && (replica.enabled !== false || replica.primary) && (replica.primary ?? replica.source)) {
      const primary = replica.primary ?? replica.source;
      edges.push({
        from: { external: `PostgreSQL ${primary} (primary)` },
        to: ref,
        label: `replica of ${primary}${via(external(replica.source ?? primary))}`,
        kind: 'replication',
      });
    }
    const backups = ctx
      .all(CNPG, 'ScheduledBackup')
      .filter((b) => b.metadata?.namespace === ns && b.spec?.cluster?.name === m.metadata.name)
      .map((b) => `backup ${b.metadata.name}: ${b.spec?.schedule}`);
    return {
      nodes: [
        {
          ref,
          kind: 'PostgreSQL (CloudNativePG)',
          name: m.metadata.name,
          details: [
            sized(spec.instances, spec.storage, spec.walStorage),
            ...(spec.replica?.self ? [`${replica!.primary === replica!.self ? 'primary' : 'replica'} of ${replica!.self}`] : []),
            ...backups,
          ],
        },
      ],
      hosts: [{ ref, hosts: hostsIn(ns, `${m.metadata.name}-rw`, `${m.metadata.name}-ro`, `${m.metadata.name}-r`) }],
      edges,
    };
  },
};

const pooler: TopologyRule = {
  group: CNPG,
  kind: 'Pooler',
  describe: (m) => {
    const ref = refOf(m);
    const ns = m.metadata?.namespace;
    const spec: Json = m.spec ?? {};
    return {
      nodes: [
        {
          ref,
          kind: 'PgBouncer',
          name: m.metadata.name,
          details: [`${times(spec.instances, 'instance')}, ${spec.type ?? 'rw'}, ${spec.pgbouncer?.poolMode ?? 'session'} pooling`],
        },
      ],
      hosts: [{ ref, hosts: hostsIn(ns, m.metadata.name) }],
      edges: spec.cluster?.name
        ? [{ from: ref, to: topologyRef(CNPG, 'Cluster', ns, spec.cluster.name), label: spec.type ?? 'rw', kind: 'data' }]
        : [],
    };
  },
};

const objectStore: TopologyRule = {
  group: BARMAN,
  kind: 'ObjectStore',
  describe: (m) => {
    const ref = refOf(m);
    const c: Json = m.spec?.configuration ?? {};
    const to = c.endpointURL ? { host: hostOf(c.endpointURL) } : { external: `S3 ${c.destinationPath ?? ''}`.trim() };
    return {
      nodes: [
        {
          ref,
          kind: 'Backup store',
          name: m.metadata.name,
          details: [String(c.destinationPath ?? ''), ...(m.spec?.retentionPolicy ? [`retention ${m.spec.retentionPolicy}`] : [])],
        },
      ],
      edges: [{ from: ref, to, label: String(c.destinationPath ?? 'objects'), kind: 'backup' }],
    };
  },
};

const envValue = (spec: Json, name: string): string | undefined => (spec.env ?? []).find((e: Json) => e.name === name)?.value;

const zalando: TopologyRule = {
  group: 'acid.zalan.do',
  kind: 'postgresql',
  describe: (m) => {
    const ref = refOf(m);
    const ns = m.metadata?.namespace;
    const name = m.metadata.name;
    const spec: Json = m.spec ?? {};
    const edges: TopologyEdge[] = [];
    const endpoint = envValue(spec, 'AWS_ENDPOINT');
    const prefix = envValue(spec, 'WALG_S3_PREFIX');
    if (prefix) {
      edges.push({
        from: ref,
        to: endpoint ? { host: hostOf(endpoint) } : { external: `S3 ${prefix}` },
        label: `WAL archive, base backups ${prefix}`,
        kind: 'backup',
      });
    }
    if (spec.standby) {
      const from = spec.standby.standby_host
        ? { host: hostOf(spec.standby.standby_host) }
        : { external: `PostgreSQL primary (${spec.standby.s3_wal_path ?? 'WAL archive'})` };
      edges.push({ from, to: ref, label: 'standby of the primary', kind: 'replication' });
    }
    const pool: Json | undefined = spec.connectionPooler;
    return {
      nodes: [
        {
          ref,
          kind: 'PostgreSQL (Zalando)',
          name,
          details: [
            times(spec.numberOfInstances, 'instance', spec.volume?.size),
            ...(spec.enableConnectionPooler ? [`PgBouncer ${times(pool?.numberOfInstances ?? 2, 'instance')}`] : []),
            ...(spec.enableLogicalBackup ? [`logical backup: ${spec.logicalBackupSchedule ?? 'daily'}`] : []),
          ],
        },
      ],
      hosts: [{ ref, hosts: hostsIn(ns, name, `${name}-repl`, `${name}-pooler`, `${name}-pooler-repl`) }],
      edges,
    };
  },
};

export const POSTGRES_TOPOLOGY: readonly TopologyRule[] = [cnpgCluster, pooler, objectStore, zalando];
