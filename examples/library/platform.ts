/**
 * A platform built from Strata's construct library in a cdk8s app of its own, without
 * Strata's environments/: a PostgreSQL cluster with two databases, backed up into a MinIO
 * tenant in the same region. The PlatformApp adds the namespaces, the operators (CloudNativePG,
 * the MinIO operator, cert-manager for the platform CA, External Secrets) and the layer order.
 *
 *   npx ts-node examples/library/platform.ts   # writes foundation, operators and data manifests to dist.library/
 */
import { CloudNativePgCluster, GitOpsSpec, MinioTenant, PlatformApp, SecretBackend } from '../../constructs';

export function buildPlatform(outdir = 'dist.library'): PlatformApp {
  const gitops: GitOpsSpec = { engine: 'flux', path: './clusters', sourceRef: { name: 'flux-system', namespace: 'flux-system' }, interval: '10m' };
  const secretBackend: SecretBackend = { kind: 'external-secrets', storeName: 'vault', storeKind: 'ClusterSecretStore', refreshInterval: '1h' };
  const app = new PlatformApp({ region: 'eu-west', environment: 'prod', gitops, outdir });
  const data = app.layer('data');

  const minio = new MinioTenant(data, 'Minio', {
    name: 'storage',
    servers: 4,
    volumesPerServer: 2,
    volumeSize: '500Gi',
    storageClass: 'local-retain',
    resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    secretBackend,
    secretKeyPrefix: 'eu-west/prod',
  });
  const postgres = new CloudNativePgCluster(data, 'Postgres', { secretBackend });
  postgres.addDatabase('orders');
  postgres.addDatabase('billing');
  postgres.backupTo(minio.bucket('pg-backups'));
  return app;
}

if (require.main === module) buildPlatform().synth();
