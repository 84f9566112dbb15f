/**
 * Rules that span fields or overlays, checked after merging: each returns problems that
 * name the file that set the value, the field path, the value and the fix.
 */
import type { ComputeResources, OverlaySettings, OverlaySpec, PostgresSpec } from './model';
import { postgresClustersOf } from './postgres-clusters';
import type { Problem } from './problems';
import { valueAt } from './problems';
import { RESERVED_NAMESPACE_LABEL_PREFIXES } from '../constructs/core/namespace-policy';
import { parseQuantity } from '../constructs/core/quantity';
import { checkCidr } from '../constructs/platform/cidr';
import { externalEndpointProblem } from '../constructs/storage/external-endpoint';

/** Finds the file that set a field of an overlay's merged settings. */
export type SourceOf = (overlay: OverlaySpec, fieldPath: string) => string;

const RESERVED_DATABASES = new Set(['postgres', 'template0', 'template1']);

/**
 * @param presentIds every overlay with a file, including ones whose file has problems of
 * its own (a reference to those is not reported as dangling)
 */
export function checkOverlays(overlays: readonly OverlaySpec[], sourceOf: SourceOf, presentIds: ReadonlySet<string> = new Set()): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map(overlays.map((o) => [o.id, o]));
  for (const o of overlays) {
    const s = o.settings;
    const problem = (fieldPath: string, message: string, fix: string) => {
      problems.push({ file: sourceOf(o, fieldPath), path: fieldPath, value: valueAt(s, fieldPath), message: `${o.id}: ${message}`, fix });
    };

    // Disaster recovery topology.
    const drAny = s.dr as { role: string; promoted?: boolean; promotionToken?: string };
    if (drAny.role === 'primary' && (drAny.promoted !== undefined || drAny.promotionToken !== undefined)) {
      problem(
        drAny.promoted !== undefined ? 'dr.promoted' : 'dr.promotionToken',
        'only a replica can be promoted',
        'remove the field, or set it on the replica overlay that should lead',
      );
    }
    if (drAny.role === 'replica' && drAny.promotionToken && !drAny.promoted) {
      problem('dr.promotionToken', 'a promotion token only applies with promoted: true', 'add dr.promoted: true, or remove dr.promotionToken');
    }
    if (s.dr.role === 'replica') {
      const of = (s.dr as { of?: string }).of;
      const primary = of ? byId.get(of) : undefined;
      if (!of) {
        problem('dr.of', 'a replica must name the overlay it follows', 'set dr.of to the primary overlay, e.g. region-a/prod');
      } else if (of === o.id) {
        problem(
          'dr.of',
          'an overlay cannot be a replica of itself',
          `name another overlay (${[...byId.keys()].filter((id) => id !== o.id).join(', ')})`,
        );
      } else if (!primary && presentIds.has(of)) {
        // Its own file has problems, reported there.
      } else if (!primary) {
        problem(
          'dr.of',
          `names an overlay that does not exist`,
          `use one of ${[...byId.keys()].filter((id) => id !== o.id).join(', ')}, or add overlays/${of}.yaml`,
        );
      } else if (primary!.settings.dr.role !== 'primary') {
        problem('dr.of', `${of} is itself a replica; replicas must follow a primary`, `point dr.of at ${(primary.settings.dr as { of: string }).of}`);
      } else if (primary.settings.postgres.engine !== s.postgres.engine) {
        problem(
          'postgres.engine',
          `the replica's engine differs from its primary ${of} (${primary.settings.postgres.engine})`,
          `use engine ${primary.settings.postgres.engine} here, or change both overlays together`,
        );
      } else if (s.postgres.enabled && s.postgres.engine === 'external-patroni') {
        problem(
          'dr.role',
          'Strata cannot run a DR replica of external Patroni VMs',
          'set dr.role to primary and configure the standby on the VMs (see the README section on external Patroni)',
        );
      } else if (s.postgres.enabled && !primary.settings.minio.enabled) {
        problem('dr.of', `the replica bootstraps from ${of}'s object store, but ${of} has minio.enabled: false`, `enable minio in ${of}`);
      } else if (s.backupStorage.kind === 's3' || primary.settings.backupStorage.kind === 's3') {
        // The pair reads each other's archives and backups through their MinIO tenants' external users.
        problem(
          'backupStorage.kind',
          `a DR pair replicates through the members' MinIO archives, and ${s.backupStorage.kind === 's3' ? 'this overlay' : of} keeps its backups in external S3`,
          'use backupStorage.kind: minio on both members of the pair, or run the pair without dr',
        );
      }
    }

    // Redis outside the cluster.
    if (s.redis.enabled && s.redis.addresses.length === 0) {
      problem(
        'redis.addresses',
        'Redis is enabled, and no machine is listed',
        'list the Redis machines by IPv4 address, e.g. [10.20.0.21, 10.20.0.22], or set redis.enabled: false',
      );
    }
    if (s.redis.enabled && s.redis.port === s.redis.sentinelPort) {
      problem(
        'redis.sentinelPort',
        `Redis and Sentinel cannot share port ${s.redis.port}`,
        'use 6379 for Redis and 26379 for Sentinel, or the ports the machines use',
      );
    }

    // Declared namespaces.
    for (const [name, ns] of Object.entries(s.namespaces)) {
      if ((ns.podSecurity ?? 'restricted') !== 'restricted' && !ns.podSecurityReason) {
        problem(
          `namespaces.${name}.podSecurity`,
          `namespace ${name} runs below restricted without saying why`,
          `add namespaces.${name}.podSecurityReason naming the workload that needs ${ns.podSecurity} (it is rendered as an annotation)`,
        );
      }
      for (const key of Object.keys(ns.labels ?? {})) {
        const reserved = RESERVED_NAMESPACE_LABEL_PREFIXES.find((p) => key.startsWith(p));
        if (reserved) {
          problem(
            `namespaces.${name}.labels`,
            `label ${key} is under ${reserved}, which Strata or Kubernetes sets`,
            'choose a key of your own, e.g. example.org/team',
          );
        }
      }
    }

    // Backup storage: the region's MinIO, or a provider's S3.
    const external = s.backupStorage.kind === 's3';
    const hasBackupStorage = external || s.minio.enabled;
    const storageFix = 'set minio.enabled: true or backupStorage.kind: s3';
    if (external && !s.backupStorage.endpoint) {
      problem(
        'backupStorage.endpoint',
        "backupStorage.kind s3 needs the provider's endpoint",
        'set backupStorage.endpoint, e.g. https://s3.eu-central-1.amazonaws.com',
      );
    }
    const endpointProblem = external && s.backupStorage.endpoint ? externalEndpointProblem(s.backupStorage.endpoint) : undefined;
    if (endpointProblem) {
      problem('backupStorage.endpoint', `the endpoint ${endpointProblem.message}`, endpointProblem.fix);
    }
    (external ? (s.backupStorage.endpointCidrs ?? []) : []).forEach((cidr, i) => {
      const check = checkCidr(cidr);
      if (!check.ok) problem(`backupStorage.endpointCidrs.${i}`, check.message, check.fix);
    });
    if (!external) {
      for (const field of ['endpoint', 'region', 'credentialsKey', 'caKey', 'endpointCidrs'] as const) {
        if (s.backupStorage[field] !== undefined) {
          problem(`backupStorage.${field}`, 'applies to backupStorage.kind s3 only', `remove backupStorage.${field}, or set backupStorage.kind: s3`);
        }
      }
    }
    if (external && s.opensearch.enabled && !s.backupStorage.caKey) {
      problem(
        'backupStorage.caKey',
        "OpenSearch snapshots build the nodes' truststore from the bucket's CA, and external S3 without backupStorage.caKey has none",
        "set backupStorage.caKey to the secret-store key of the provider's CA, or keep backups in MinIO",
      );
    }

    // PostgreSQL: the overlay's cluster, and each further one under its own field path.
    const all = postgresClustersOf(s);
    for (const { at, pg } of all) {
      const rewrite = (text: string) => text.replace(/\bpostgres\./g, `${at}.`);
      checkPostgresCluster(
        at === 'postgres' ? problem : (fieldPath, message, fix) => problem(rewrite(fieldPath), message, rewrite(fix)),
        s,
        pg,
        hasBackupStorage,
        storageFix,
      );
    }
    const clusters = all.filter((c) => c.pg.enabled);
    const placed = new Map<string, string>();
    for (const { at, pg } of clusters) {
      const key = `${pg.namespace}/${pg.name}`;
      const other = placed.get(key);
      if (other) {
        problem(
          `${at}.name`,
          `cluster ${key} is also ${other}: two clusters cannot share a name in one namespace`,
          `give ${at} another name or namespace`,
        );
      } else {
        placed.set(key, at);
      }
    }
    const zalando = clusters.filter((c) => c.pg.engine === 'zalando');
    if (zalando.length > 1) {
      problem(
        `${zalando[1].at}.engine`,
        `${zalando.map((c) => c.at).join(' and ')} both use the Zalando engine, whose logical backup settings are operator-wide`,
        'run one Zalando cluster per overlay; use cloudnative-pg for the others',
      );
    }

    // MinIO.
    const minio = s.minio;
    if (minio.enabled) {
      const drives = minio.servers * minio.volumesPerServer;
      if (drives > 1 && drives < 4) {
        problem(
          'minio.servers',
          `${minio.servers} server(s) × ${minio.volumesPerServer} volume(s) = ${drives} drives; erasure coding needs at least 4`,
          'use 1 server × 1 volume (standalone) or at least 4 drives in total, e.g. 4 servers × 1 volume or 2 × 2',
        );
      }
      checkResources(problem, 'minio.resources', minio.resources, s.limitRange.max);
      checkTotal(problem, 'minio.servers', minio.servers, minio.resources, s.quota);
      if (parseQuantity(minio.volumeSize) * drives > parseQuantity(s.quota.requestsStorage)) {
        problem(
          'minio.volumeSize',
          `${drives} drives × ${minio.volumeSize} exceeds quota.requestsStorage ${s.quota.requestsStorage}`,
          'lower minio.volumeSize or raise quota.requestsStorage',
        );
      }
    }

    if (s.velero.enabled && !hasBackupStorage) {
      problem(
        'velero.enabled',
        "Velero stores backups in the region's MinIO, which is disabled, and backupStorage is not s3",
        `${storageFix}, or velero.enabled: false`,
      );
    }

    // Namespace defaults.
    const lr = s.limitRange;
    for (const r of ['cpu', 'memory'] as const) {
      if (parseQuantity(lr.defaultRequest[r]) > parseQuantity(lr.default[r])) {
        problem(
          `limitRange.defaultRequest.${r}`,
          `defaultRequest ${lr.defaultRequest[r]} is above the default limit ${lr.default[r]}`,
          `lower limitRange.defaultRequest.${r} or raise limitRange.default.${r}`,
        );
      }
      if (parseQuantity(lr.default[r]) > parseQuantity(lr.max[r])) {
        problem(
          `limitRange.default.${r}`,
          `the default limit ${lr.default[r]} is above the maximum ${lr.max[r]}`,
          `lower limitRange.default.${r} or raise limitRange.max.${r}`,
        );
      }
    }
    const q = s.quota;
    if (parseQuantity(q.requestsCpu) > parseQuantity(q.limitsCpu)) {
      problem('quota.requestsCpu', `is above quota.limitsCpu ${q.limitsCpu}`, 'lower quota.requestsCpu or raise quota.limitsCpu');
    }
    if (parseQuantity(q.requestsMemory) > parseQuantity(q.limitsMemory)) {
      problem('quota.requestsMemory', `is above quota.limitsMemory ${q.limitsMemory}`, 'lower quota.requestsMemory or raise quota.limitsMemory');
    }
  }
  return problems;
}

type Report = (fieldPath: string, message: string, fix: string) => void;

/** The checks of one PostgreSQL cluster; field paths are the overlay's `postgres` (rewritten by the caller for further clusters). */
function checkPostgresCluster(problem: Report, s: OverlaySettings, pg: PostgresSpec, hasBackupStorage: boolean, storageFix: string) {
  if (pg.enabled) {
    if (pg.synchronous && pg.instances < 2) {
      problem(
        'postgres.instances',
        'synchronous replication needs at least 2 instances',
        'set postgres.instances to 2 or more (3 for a quorum), or set postgres.synchronous: false',
      );
    }
    if (pg.engine === 'external-patroni' && pg.external.addresses.length === 0) {
      problem(
        'postgres.external.addresses',
        'the external-patroni engine needs the addresses of the PgBouncer VMs',
        'list the VM addresses, e.g. [10.0.10.11, 10.0.10.12]',
      );
    }
    if (pg.engine === 'cloudnative-pg' && !hasBackupStorage) {
      problem(
        'minio.enabled',
        "CloudNativePG archives WAL and backups to the region's MinIO, which is disabled, and backupStorage is not s3",
        `${storageFix}, or postgres.enabled: false`,
      );
    }
    if (pg.engine === 'zalando') checkZalando(problem, pg, hasBackupStorage);
    if (pg.engine === 'external-patroni') checkExternalPatroni(problem, pg);
    const names = new Set<string>();
    pg.databases.forEach((db, i) => {
      if (RESERVED_DATABASES.has(db.name)) {
        problem(`postgres.databases.${i}.name`, `"${db.name}" is reserved by PostgreSQL`, "choose the application's own name");
      }
      if (names.has(db.name)) problem(`postgres.databases.${i}.name`, `database "${db.name}" is listed twice`, 'remove the duplicate entry');
      if (db.extensions?.length && pg.engine !== 'cloudnative-pg') {
        problem(
          `postgres.databases.${i}.extensions`,
          `the ${pg.engine} engine cannot create extensions in database "${db.name}" (${db.extensions.join(', ')})`,
          pg.engine === 'zalando'
            ? "create them from the application's migrations (CREATE EXTENSION), or use postgres.engine: cloudnative-pg"
            : 'create them on the VMs where Patroni is managed, and remove extensions here',
        );
      }
      names.add(db.name);
    });
    if (pg.engine !== 'cloudnative-pg' && pg.sharedPreloadLibraries?.length) {
      problem(
        'postgres.sharedPreloadLibraries',
        pg.engine === 'zalando' ? 'Spilo sets its own shared_preload_libraries' : "the VMs' PostgreSQL is configured where Patroni is managed",
        'remove postgres.sharedPreloadLibraries, or use postgres.engine: cloudnative-pg',
      );
    }
    if (pg.engine !== 'external-patroni') {
      checkResources(problem, 'postgres.resources', pg.resources, s.limitRange.max);
      checkTotal(problem, 'postgres.instances', pg.instances, pg.resources, s.quota);
      checkPostgresMemory(problem, pg);
      if (pg.engine === 'cloudnative-pg') checkManagedParameters(problem, pg);
      if (parseQuantity(pg.storageSize) * pg.instances + parseQuantity(pg.walStorageSize) * pg.instances > parseQuantity(s.quota.requestsStorage)) {
        problem(
          'postgres.storageSize',
          `${pg.instances} × (${pg.storageSize} + ${pg.walStorageSize}) exceeds quota.requestsStorage ${s.quota.requestsStorage}`,
          'lower the volume sizes or raise quota.requestsStorage',
        );
      }
    }
  }
}

/** What the Zalando operator's CRD and its one-pooler-per-cluster design accept. */
function checkZalando(problem: Report, pg: PostgresSpec, hasBackupStorage: boolean) {
  if (!hasBackupStorage) {
    problem(
      'minio.enabled',
      "the Zalando engine archives WAL and writes logical backups to the region's MinIO, which is disabled, and backupStorage is not s3",
      'set minio.enabled: true or backupStorage.kind: s3, or postgres.enabled: false',
    );
  }
  if (pg.name.length > 53 || !/^[a-z]/.test(pg.name)) {
    problem(
      'postgres.name',
      'the Zalando operator needs a cluster name that starts with a letter and has at most 53 characters',
      'choose such a name (never rename a live cluster)',
    );
  }
  if (!/^(\d+|\*)(\/\d+)?(\s+(\d+|\*)(\/\d+)?){4}$/.test(pg.backup.schedule)) {
    problem(
      'postgres.backup.schedule',
      'the Zalando operator accepts only five numeric cron fields (no macros or names)',
      "write e.g. '0 1 * * *' instead",
    );
  }
  for (const side of ['requests', 'limits'] as const) {
    if (!/^(\d+m|\d+(\.\d{1,3})?)$/.test(pg.resources[side].cpu)) {
      problem(
        `postgres.resources.${side}.cpu`,
        'the Zalando operator accepts CPU only as millicores or cores with at most three decimals',
        'write e.g. 500m or 1.5',
      );
    }
    if (!/^(\d+(e\d+)?|\d+(\.\d+)?(e\d+)?[EPTGMK]i?)$/.test(pg.resources[side].memory)) {
      problem(`postgres.resources.${side}.memory`, 'the Zalando operator does not accept this memory quantity', 'write e.g. 512Mi or 8Gi');
    }
  }
  // One PgBouncer Deployment per cluster serves every pooled database.
  const pooled = pg.databases.map((db, i) => ({ db, i })).filter(({ db }) => db.poolerInstances > 0);
  const first = pooled[0];
  for (const { db, i } of pooled.slice(1)) {
    if (db.poolMode !== first.db.poolMode) {
      problem(
        `postgres.databases.${i}.poolMode`,
        `database "${db.name}" asks for ${db.poolMode} pooling but "${first.db.name}" for ${first.db.poolMode}; Zalando runs one pooler per cluster`,
        `use poolMode ${first.db.poolMode} for every pooled database, or poolerInstances: 0 for "${db.name}"`,
      );
    }
  }
}

function checkExternalPatroni(problem: Report, pg: PostgresSpec) {
  const ext = pg.external;
  const seen = new Set<string>();
  ext.addresses.forEach((address, i) => {
    if (seen.has(address)) problem(`postgres.external.addresses.${i}`, `${address} is listed twice`, 'remove the duplicate');
    seen.add(address);
    const [a, b] = address.split('.').map(Number);
    if (a === 0 || a === 127 || a >= 224 || (a === 169 && b === 254)) {
      problem(
        `postgres.external.addresses.${i}`,
        'is an unspecified, loopback, link-local or multicast address, which Kubernetes does not route to a VM',
        "give the VM's routable address",
      );
    }
  });
  if (ext.pgbouncerPort === ext.exporterPort) {
    problem(
      'postgres.external.exporterPort',
      `equals pgbouncerPort ${ext.pgbouncerPort}; PgBouncer and postgres_exporter cannot share a port`,
      'set exporterPort to the port postgres_exporter listens on (9187 by default)',
    );
  }
  if (pg.name.length > 54 || !/^[a-z]/.test(pg.name)) {
    problem(
      'postgres.name',
      'names the Services of the external cluster, so it must start with a letter and leave room for "-exporter" (at most 54 characters)',
      'choose such a name',
    );
  }
}

/** PostgreSQL's memory sizes: a number with kB, MB, GB or TB (powers of 1024), or a count of 8 kB blocks. */
function postgresBytes(value: string): number | undefined {
  const m = /^\s*([0-9]+)\s*(kB|MB|GB|TB)?\s*$/.exec(value);
  if (!m) return undefined;
  const unit = { kB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 }[m[2] as 'kB' | 'MB' | 'GB' | 'TB'] ?? 8192;
  return Number(m[1]) * unit;
}

const mb = (bytes: number) => `${Math.max(1, Math.floor(bytes / 2 ** 20))}MB`;

/**
 * shared_buffers is allocated in the container's memory: above half of the memory limit the
 * instance is OOM-killed under load (a tier's parameters kept while the overlay shrank the
 * memory). Refused with the values that fit: a quarter of the limit for shared_buffers, three
 * quarters for effective_cache_size (PostgreSQL's own guidance).
 */
/** What CloudNativePG manages itself and refuses in `postgresql.parameters`. */
function checkManagedParameters(problem: Report, pg: PostgresSpec) {
  if (pg.parameters.shared_preload_libraries !== undefined) {
    problem(
      'postgres.parameters.shared_preload_libraries',
      'CloudNativePG manages shared_preload_libraries and refuses it among the parameters',
      "list the libraries in postgres.sharedPreloadLibraries instead (they are added to the operator's own)",
    );
  }
}

function checkPostgresMemory(problem: Report, pg: PostgresSpec) {
  const limit = parseQuantity(pg.resources.limits.memory);
  const sharedBuffers = pg.parameters.shared_buffers;
  if (sharedBuffers === undefined) return;
  const bytes = postgresBytes(sharedBuffers);
  if (bytes === undefined) {
    problem(
      'postgres.parameters.shared_buffers',
      `shared_buffers "${sharedBuffers}" is not a PostgreSQL memory size`,
      "write it as PostgreSQL does, e.g. '512MB' or '2GB'",
    );
    return;
  }
  if (bytes > limit / 2) {
    problem(
      'postgres.parameters.shared_buffers',
      `shared_buffers ${sharedBuffers} is more than half of the instances' memory limit ${pg.resources.limits.memory}: PostgreSQL would be OOM-killed under load`,
      `set postgres.parameters.shared_buffers: '${mb(limit / 4)}' and effective_cache_size: '${mb((limit * 3) / 4)}' (a quarter and three quarters of the limit), or raise postgres.resources.limits.memory`,
    );
  }
}

function checkResources(problem: Report, fieldPath: string, r: ComputeResources, max: { cpu: string; memory: string }) {
  for (const k of ['cpu', 'memory'] as const) {
    if (parseQuantity(r.requests[k]) > parseQuantity(r.limits[k])) {
      problem(
        `${fieldPath}.requests.${k}`,
        `request ${r.requests[k]} is above the limit ${r.limits[k]}`,
        `lower ${fieldPath}.requests.${k} or raise ${fieldPath}.limits.${k}`,
      );
    }
    if (parseQuantity(r.limits[k]) > parseQuantity(max[k])) {
      problem(
        `${fieldPath}.limits.${k}`,
        `limit ${r.limits[k]} is above limitRange.max.${k} ${max[k]}; the API server would reject the pods`,
        `lower ${fieldPath}.limits.${k} or raise limitRange.max.${k}`,
      );
    }
  }
}

function checkTotal(problem: Report, fieldPath: string, count: number, r: ComputeResources, quota: { requestsCpu: string; requestsMemory: string }) {
  const cpu = parseQuantity(r.requests.cpu) * count;
  const memory = parseQuantity(r.requests.memory) * count;
  if (cpu > parseQuantity(quota.requestsCpu) || memory > parseQuantity(quota.requestsMemory)) {
    problem(
      fieldPath,
      `${count} pods × (${r.requests.cpu} CPU, ${r.requests.memory}) do not fit the namespace quota (${quota.requestsCpu} CPU, ${quota.requestsMemory})`,
      'lower the count or the requests, or raise quota.requestsCpu / quota.requestsMemory',
    );
  }
}
