/**
 * Production-shaped defaults of a PostgreSQL cluster, shared by the constructs (the
 * `@default` of every optional prop) and the environment model's platform defaults
 * (environments/platform-defaults.ts), so each is written once. No imports: the
 * environment loader reads this without loading the constructs.
 */
import type { ComputeResources } from '../core/compute';

export const POSTGRES_DEFAULTS = {
  name: 'postgres',
  namespace: 'postgres',
  instances: 3,
  synchronous: true,
  podAntiAffinity: 'required' as 'required' | 'preferred',
  storageSize: '100Gi',
  walStorageSize: '20Gi',
  // Memory request = limit: the OOM killer must not pick a database under pressure.
  resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } } as ComputeResources,
  parameters: {
    max_connections: '200',
    shared_buffers: '2GB',
    effective_cache_size: '6GB',
    work_mem: '16MB',
    maintenance_work_mem: '512MB',
  } as Readonly<Record<string, string>>,
  backupSchedule: '0 1 * * *',
  backupRetention: '30d',
  /** The well-known zone label every cloud provider and k3s set. */
  zoneLabel: 'topology.kubernetes.io/zone',
} as const;
