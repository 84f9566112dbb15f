import { App } from 'cdk8s';
import { secretKeyPrefix } from './data';
import { VELERO_RESTORES_PREFIX, VeleroBackups } from '../constructs/backup/velero-backups';
import { LayerChart } from '../constructs/platform/layer-chart';
import type { IBucket } from '../constructs/storage/bucket';
import { Bucket, MinioTenant } from '../constructs/storage/minio-tenant';
import type { OverlaySpec } from '../environments/model';

/** Bucket holding every overlay's Velero backups. */
export const VELERO_BUCKET = 'velero';

/**
 * Backup layer: Velero's locations, schedules and alerts. Backups go to the overlay's backup
 * storage (the region's MinIO tenant, or a provider's S3); for a DR pair the peer region's bucket is a read-only location to restore from,
 * and the peer may read this region's bucket in turn.
 */
export class BackupChart extends LayerChart {
  public readonly velero: VeleroBackups;

  constructor(scope: App, overlay: OverlaySpec, bucket: IBucket) {
    super(scope, 'backup', { region: overlay.region.name, environment: overlay.environment });
    const s = overlay.settings.velero;

    this.velero = new VeleroBackups(this, 'Velero', { secretBackend: overlay.region.secrets });
    this.velero.storeIn(bucket);

    const peer = overlay.peers.primary ?? overlay.peers.replicas[0];
    // A DR pair keeps its backups in MinIO (the loader refuses external S3 for it).
    if (peer && bucket instanceof Bucket) {
      // The peer reads this region's bucket with a user of this tenant (read-only but for
      // its restore records), and this region the peer's.
      bucket.grantExternalRead(`velero-${peer.region.name}`, { writablePrefixes: [VELERO_RESTORES_PREFIX] });
      this.velero.restoreFrom({
        name: peer.region.name,
        endpoint: peer.region.objectStorage.endpoint,
        bucket: VELERO_BUCKET,
        credentialsRemoteKey: MinioTenant.externalUserKey(secretKeyPrefix(peer), peer.settings.minio.name, `velero-${overlay.region.name}`),
      });
    }

    this.velero.schedule({ name: 'daily', cron: s.schedule, ttl: s.ttl, extraNamespaces: s.extraNamespaces });
  }
}
