/**
 * Production-shaped defaults of a MinIO tenant, shared by the construct (MinioTenantProps'
 * `@default`s) and the environment model's platform defaults (environments/platform-defaults.ts),
 * so each is written once. Type imports only: the environment loader reads this without
 * loading the constructs.
 */
import type { ComputeResources } from '../core/compute';

export const MINIO_DEFAULTS = {
  name: 'storage',
  namespace: 'minio',
  // 16 drives in one erasure set: any 4 drives, or one whole server, can fail.
  servers: 4,
  volumesPerServer: 4,
  volumeSize: '100Gi',
  resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } } as ComputeResources,
} as const;
