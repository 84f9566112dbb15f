import { Construct } from 'constructs';
import { secretKeyPrefix as overlayKeyPrefix } from '../constructs/core/naming';
import type { IBucket } from '../constructs/storage/bucket';
import { ExternalBucket } from '../constructs/storage/external-bucket';
import type { MinioTenant } from '../constructs/storage/minio-tenant';
import type { OverlaySpec } from '../environments/model';

/**
 * The bucket `name` of the overlay's backup storage (`backupStorage`): in the region's MinIO
 * tenant, or at the S3 provider, where it exists already and every consumer reads the one
 * credential under `backupStorage.credentialsKey`. Undefined when the overlay has neither
 * (the loader refuses that; the charts report it as a problem).
 */
export function backupBucket(scope: Construct, overlay: OverlaySpec, minio: MinioTenant | undefined, name: string): IBucket | undefined {
  const storage = overlay.settings.backupStorage;
  if (storage.kind === 'minio') return minio?.bucket(name);
  if (!storage.endpoint) return undefined;
  const id = `BackupStorage-${name}`;
  return (
    (scope.node.tryFindChild(id) as ExternalBucket | undefined) ??
    new ExternalBucket(scope, id, {
      endpoint: storage.endpoint,
      bucket: name,
      ...(storage.region ? { region: storage.region } : {}),
      secretBackend: overlay.region.secrets,
      credentialsRemoteKey: storage.credentialsKey ?? `${overlayKeyPrefix(overlay.region.name, overlay.environment)}/s3/backups`,
      ...(storage.caKey ? { caRemoteKey: storage.caKey } : {}),
      ...(storage.endpointCidrs ? { endpointCidrs: storage.endpointCidrs } : {}),
    })
  );
}
