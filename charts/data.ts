import { App } from 'cdk8s';
import type { OverlayRef, OverlaySpec } from '../environments/model';
import { CloudNativePgCluster, ReplicationPeer } from '../constructs/data/cloudnative-pg-cluster';
import type { IPostgresCluster } from '../constructs/data/postgres-cluster';
import { LayerChart } from '../constructs/platform/layer-chart';
import { MinioTenant } from '../constructs/storage/minio-tenant';

/** Bucket holding every overlay's PostgreSQL WAL archive and base backups. */
export const PG_BACKUP_BUCKET = 'pg-backups';

/** Secret-store keys of an overlay start with `<region>/<env>`. */
export function secretKeyPrefix(o: { region: { name: string }; environment: string }): string {
  return `${o.region.name}/${o.environment}`;
}

/**
 * Data layer: the region's MinIO tenant and the PostgreSQL cluster with its application
 * databases, backups into MinIO and, for a DR pair, the cross-region topology.
 */
export class DataChart extends LayerChart {
  public readonly minio?: MinioTenant;
  public readonly postgres?: IPostgresCluster;

  constructor(scope: App, overlay: OverlaySpec) {
    super(scope, 'data', { region: overlay.region.name, environment: overlay.environment });
    const s = overlay.settings;
    const region = overlay.region;
    const prefix = secretKeyPrefix(overlay);

    if (s.minio.enabled) {
      this.minio = new MinioTenant(this, 'Minio', {
        name: s.minio.name,
        servers: s.minio.servers,
        volumesPerServer: s.minio.volumesPerServer,
        volumeSize: s.minio.volumeSize,
        storageClass: region.storageClasses.retain,
        resources: s.minio.resources,
        nodePool: region.databaseNodes,
        secretBackend: region.secrets,
        secretKeyPrefix: prefix,
      });
    }

    if (s.postgres.enabled && s.postgres.engine === 'cloudnative-pg') {
      const pg = s.postgres;
      const topologyName = (o: { region: { name: string } }) => `${pg.name}-${o.region.name}`;
      const cluster = new CloudNativePgCluster(this, 'Postgres', {
        name: pg.name,
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
        secretKeyPrefix: prefix,
        topologyName: topologyName(overlay),
        backupSchedule: pg.backup.schedule,
        backupRetention: pg.backup.retention,
      });
      for (const db of pg.databases) cluster.addDatabase(db.name, { poolerInstances: db.poolerInstances, poolMode: db.poolMode });
      // Checked at load time: a CloudNativePG overlay always has MinIO.
      cluster.backupTo(this.minio!.bucket(PG_BACKUP_BUCKET));

      const peer = overlay.peers.primary ?? overlay.peers.replicas[0];
      if (peer) {
        const asPeer = (p: OverlayRef): ReplicationPeer => ({
          topologyName: topologyName(p),
          objectStorageEndpoint: p.region.objectStorage.endpoint,
          bucket: PG_BACKUP_BUCKET,
          credentialsRemoteKey: MinioTenant.externalUserKey(secretKeyPrefix(p), p.settings.minio.name, topologyName(overlay)),
        });
        // The peer reads this region's archive with a user of this tenant.
        this.minio!.addExternalUser(topologyName(peer));
        cluster.replicateWith(asPeer(peer), overlay.peers.primary ? 'replica' : 'primary');
      }
      this.postgres = cluster;
    }
  }
}
