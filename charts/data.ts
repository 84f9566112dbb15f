import { App } from 'cdk8s';
import { backupBucket } from './backup-storage';
import { postgresTopologyName, secretKeyPrefix as overlayKeyPrefix } from '../constructs/core/naming';
import { multiplyQuantity, parseQuantity } from '../constructs/core/quantity';
import { CloudNativePgCluster, ReplicationPeer } from '../constructs/data/cloudnative-pg-cluster';
import type { DatabaseExport } from '../constructs/data/database-export';
import { ExternalPatroniCluster } from '../constructs/data/external-patroni-cluster';
import { ExternalRedis } from '../constructs/data/external-redis';
import type { IPostgresCluster } from '../constructs/data/postgres-cluster';
import { ZalandoPostgresCluster } from '../constructs/data/zalando-postgres-cluster';
import { LayerChart } from '../constructs/platform/layer-chart';
import { compareStrings } from '../constructs/platform/ordering';
import { OverlayContext } from '../constructs/platform/overlay-context';
import type { IBucket } from '../constructs/storage/bucket';
import { MinioTenant } from '../constructs/storage/minio-tenant';
import type { OverlayRef, OverlaySpec, PostgresSpec } from '../environments/model';

/** Bucket holding every overlay's PostgreSQL WAL archive and base backups. */
export const PG_BACKUP_BUCKET = 'pg-backups';

/** Secret-store keys of an overlay start with `<region>/<env>`. */
export function secretKeyPrefix(o: { region: { name: string }; environment: string }): string {
  return overlayKeyPrefix(o.region.name, o.environment);
}

/**
 * Data layer: the region's MinIO tenant and the PostgreSQL cluster of the overlay's engine
 * (CloudNativePG, Zalando postgres-operator, or Patroni on external VMs) with its
 * application databases, backups into MinIO and, for a DR pair, the cross-region topology.
 */
export class DataChart extends LayerChart {
  public readonly minio?: MinioTenant;
  public readonly postgres?: IPostgresCluster;
  /** Redis with Sentinel outside the cluster (`redis`), when enabled. */
  public readonly redis?: ExternalRedis;
  /** The overlay's further PostgreSQL clusters (`postgresClusters`), by name. */
  public readonly postgresClusters: Readonly<Record<string, IPostgresCluster>>;
  /** Databases offered to another cluster of the environment (`databases[].export`), for its imported side. */
  public readonly exports: { readonly to: string; readonly namespace: string; readonly export: DatabaseExport }[] = [];

  constructor(scope: App, overlay: OverlaySpec) {
    super(scope, 'data', { region: overlay.region.name, environment: overlay.environment });
    const s = overlay.settings;
    const region = overlay.region;
    const prefix = secretKeyPrefix(overlay);

    if (s.minio.enabled) {
      // The settings are MinioTenantProps' own fields (environments/model.ts picks them).
      const { enabled: _enabled, ...tenant } = s.minio;
      this.minio = new MinioTenant(this, 'Minio', {
        ...tenant,
        storageClass: region.storageClasses.retain,
        nodePool: region.databaseNodes,
        secretBackend: region.secrets,
        secretKeyPrefix: prefix,
      });
    }

    if (s.postgres.enabled) {
      this.postgres = this.cluster(overlay, s.postgres, 'Postgres', true);
      // Either member of a DR pair may lead its CDC: both keep logical decoding on.
      const peer = overlay.peers.primary ?? overlay.peers.replicas[0];
      if (peer?.settings.streaming.pipelines.length) this.postgres.enableLogicalDecoding();
    }
    // Further clusters: their own names, namespaces and databases; no DR pair, no CDC.
    const further: Record<string, IPostgresCluster> = {};
    for (const name of Object.keys(s.postgresClusters).sort()) {
      const pg = s.postgresClusters[name];
      if (pg.enabled) further[name] = this.cluster(overlay, pg, `Postgres-${name}`, false);
    }
    this.postgresClusters = further;

    if (s.redis.enabled) {
      // The settings are ExternalRedisProps' own fields (environments/model.ts picks them).
      const { enabled: _enabled, ...redis } = s.redis;
      this.redis = new ExternalRedis(this, 'Redis', { ...redis, secretBackend: region.secrets, secretKeyPrefix: prefix });
    }
  }

  /** One cluster with the construct of its engine; only the overlay's own `postgres` joins a DR pair. */
  private cluster(overlay: OverlaySpec, pg: PostgresSpec, id: string, paired: boolean): IPostgresCluster {
    switch (pg.engine) {
      case 'cloudnative-pg':
        return this.cloudNativePg(overlay, pg, id, paired);
      case 'zalando':
        return this.zalando(overlay, pg, id, paired);
      case 'external-patroni':
        return this.externalPatroni(overlay, pg, id);
    }
  }

  private cloudNativePg(overlay: OverlaySpec, pg: PostgresSpec, id: string, paired: boolean): CloudNativePgCluster {
    const region = overlay.region;
    const cluster = new CloudNativePgCluster(this, id, {
      ...(pg.image !== undefined ? { image: pg.image } : {}),
      ...(pg.sharedPreloadLibraries !== undefined ? { sharedPreloadLibraries: pg.sharedPreloadLibraries } : {}),
      name: pg.name,
      namespace: pg.namespace,
      instances: pg.instances,
      synchronous: pg.synchronous,
      podAntiAffinity: pg.podAntiAffinity,
      storageSize: pg.storageSize,
      walStorageSize: pg.walStorageSize,
      storageClass: region.storageClasses.retain,
      resources: pg.resources,
      parameters: pg.parameters,
      nodePool: region.databaseNodes,
      zoneLabel: region.zoneLabel,
      secretBackend: region.secrets,
      secretKeyPrefix: secretKeyPrefix(overlay),
      topologyName: postgresTopologyName(pg.name, overlay.region.name),
      backupSchedule: pg.backup.schedule,
      backupRetention: pg.backup.retention,
    });
    for (const db of pg.databases) {
      cluster.addDatabase(db.name, { poolerInstances: db.poolerInstances, poolMode: db.poolMode, extensions: db.extensions });
      if (db.export) {
        this.exports.push({
          to: db.export.to,
          namespace: db.export.namespace ?? db.name.replace(/_/g, '-'),
          export: cluster.exportDatabase(db.name, {
            address: db.export.address,
            ...(db.export.hostname ? { hostname: db.export.hostname } : {}),
            allowFrom: region.clusters[db.export.to]?.egressCidrs ?? [],
          }),
        });
      }
    }
    const archive = this.archiveBucket(overlay, 'CloudNativePG');
    if (archive) cluster.backupTo(archive);
    // A DR pair is built on the WAL archives: without one (a problem reported above), none.
    const dr = paired && archive && this.drPeer(overlay);
    if (dr) {
      const spec = overlay.settings.dr;
      cluster.replicateWith(dr.peer, dr.role, {
        bootstrapFromPeer: spec.role === 'replica',
        promotionToken: spec.role === 'replica' && spec.promoted ? spec.promotionToken : undefined,
      });
    }
    return cluster;
  }

  private zalando(overlay: OverlaySpec, pg: PostgresSpec, id: string, paired: boolean): ZalandoPostgresCluster {
    const region = overlay.region;
    const cluster = new ZalandoPostgresCluster(this, id, {
      ...(pg.image !== undefined ? { image: pg.image } : {}),
      name: pg.name,
      namespace: pg.namespace,
      instances: pg.instances,
      synchronous: pg.synchronous,
      podAntiAffinity: pg.podAntiAffinity,
      // Spilo keeps pg_wal on the data volume: it gets both sizes.
      storageSize: multiplyQuantity(String(parseQuantity(pg.storageSize) + parseQuantity(pg.walStorageSize)), 1),
      storageClass: region.storageClasses.retain,
      resources: pg.resources,
      parameters: pg.parameters,
      nodePool: region.databaseNodes,
      zoneLabel: region.zoneLabel,
      secretBackend: region.secrets,
      topologyName: postgresTopologyName(pg.name, overlay.region.name),
      backupSchedule: pg.backup.schedule,
      backupRetention: pg.backup.retention,
    });
    for (const db of pg.databases) {
      cluster.addDatabase(db.name, { poolerInstances: db.poolerInstances, poolMode: db.poolMode, extensions: db.extensions });
    }
    const archive = this.archiveBucket(overlay, 'Zalando');
    if (archive) cluster.backupTo(archive);
    const dr = paired && archive && this.drPeer(overlay);
    if (dr) {
      // Stable across a promotion: the pair's first overlay by id holds the shared passwords.
      const [first] = [overlay, dr.ref].sort((a, b) => compareStrings(a.id, b.id));
      // The operator cannot demote a running primary: only the overlay built as the replica
      // is ever a standby, and promoting it removes the standby section.
      const spec = overlay.settings.dr;
      const standby = spec.role === 'replica' && !spec.promoted;
      cluster.replicateWith({ ...dr.peer, sharedSecretKeyPrefix: secretKeyPrefix(first) }, standby ? 'replica' : 'primary');
    }
    return cluster;
  }

  private externalPatroni(overlay: OverlaySpec, pg: PostgresSpec, id: string): ExternalPatroniCluster {
    // The loader checks that external Patroni has addresses and is never a DR replica; the
    // construct refuses an empty address list itself.
    const cluster = new ExternalPatroniCluster(this, id, {
      name: pg.name,
      namespace: pg.namespace,
      addresses: pg.external.addresses,
      pgbouncerPort: pg.external.pgbouncerPort,
      exporterPort: pg.external.exporterPort,
      postgresPort: pg.external.postgresPort,
      logicalDecoding: pg.external.logicalDecoding,
      secretBackend: overlay.region.secrets,
      secretKeyPrefix: secretKeyPrefix(overlay),
    });
    for (const db of pg.databases) {
      cluster.addDatabase(db.name, { poolerInstances: db.poolerInstances, poolMode: db.poolMode, extensions: db.extensions });
    }
    return cluster;
  }

  /**
   * The bucket PostgreSQL archives into, in the region's MinIO. The loader refuses an overlay
   * whose engine backs up without MinIO; a program that builds the chart from a spec of its
   * own gets the same problem here, with the file and the fix, instead of a crash.
   */
  private archiveBucket(overlay: OverlaySpec, engine: string): IBucket | undefined {
    const bucket = backupBucket(this, overlay, this.minio, PG_BACKUP_BUCKET);
    if (bucket) return bucket;
    OverlayContext.of(this).problems.push({
      file: overlay.sourceFile,
      path: 'minio.enabled',
      value: false,
      message: `${overlay.id}: ${engine} archives WAL and base backups in the region's MinIO, which is disabled, and backupStorage is not s3`,
      fix: 'set minio.enabled: true or backupStorage.kind: s3, or use postgres.engine: external-patroni (backed up where the VMs run)',
    });
    return undefined;
  }

  /** The other member of this overlay's DR pair, as its engine's `replicateWith` wants it. */
  private drPeer(overlay: OverlaySpec): { peer: ReplicationPeer; role: 'primary' | 'replica'; ref: OverlayRef } | undefined {
    const peer = overlay.peers.primary ?? overlay.peers.replicas[0];
    if (!peer) return undefined;
    // The peer reads this region's archive, and only reads it, with a user of this tenant
    // (a DR pair keeps its backups in MinIO: the loader refuses external S3 for it).
    this.minio?.bucket(PG_BACKUP_BUCKET).grantExternalRead(topologyName(overlay, peer));
    return {
      peer: {
        topologyName: topologyName(overlay, peer),
        objectStorageEndpoint: peer.region.objectStorage.endpoint,
        bucket: PG_BACKUP_BUCKET,
        credentialsRemoteKey: MinioTenant.externalUserKey(secretKeyPrefix(peer), peer.settings.minio.name, topologyName(overlay, overlay)),
      },
      role: overlay.peers.primary ? 'replica' : 'primary',
      ref: peer,
    };
  }
}

/** The name of this overlay's cluster in `o`'s region of the cross-region topology: `<cluster>-<region>`. */
function topologyName(overlay: OverlaySpec, o: { region: { name: string } }): string {
  return postgresTopologyName(overlay.settings.postgres.name, o.region.name);
}
