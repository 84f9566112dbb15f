import { Construct } from 'constructs';
import { PRUNE_PROTECTION_ANNOTATIONS } from '../../../constructs/platform/protection';
import { MinioTenant, MinioTenantProps } from '../../../constructs/storage/minio-tenant';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';

const PROPS: MinioTenantProps = {
  name: 'storage',
  servers: 4,
  volumesPerServer: 1,
  volumeSize: '100Gi',
  storageClass: 'fast-ssd-retain',
  resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
  nodePool: { labels: { 'node.role': 'database' }, taints: [{ key: 'node.role', value: 'database', effect: 'NoSchedule' }] },
  secretBackend: EXTERNAL_SECRETS,
  secretKeyPrefix: 'region-a/prod',
};

function build(props: Partial<MinioTenantProps> = {}): TestLayer & { tenant: MinioTenant } {
  const layer = testLayer('data');
  const tenant = new MinioTenant(layer.chart, 'Minio', { ...PROPS, ...props });
  return { ...layer, tenant };
}

const tenantOf = (layer: TestLayer) => layer.find('Tenant', 'storage', 'minio');
const CONSUMER = { namespace: 'velero', name: 'velero', podLabels: { 'app.kubernetes.io/name': 'velero' } };

describe('MinioTenant', () => {
  describe('layout', () => {
    test.each([[1, 2], [2, 1], [3, 1], [1, 3]])('%i server(s) × %i volume(s) is an erasure-coding error', (servers, volumesPerServer) => {
      const drives = servers * volumesPerServer;
      expect(() => build({ servers, volumesPerServer })).toThrow(
        `MinIO tenant storage: ${servers} × ${volumesPerServer} = ${drives} drives; erasure coding needs at least 4 (or 1×1 standalone)`,
      );
    });

    test.each([[1, 1], [2, 2], [4, 1], [4, 4]])('%i server(s) × %i volume(s) is accepted', (servers, volumesPerServer) => {
      const pool = tenantOf(build({ servers, volumesPerServer })).spec.pools[0];
      expect(pool).toEqual(expect.objectContaining({ name: 'pool-0', servers, volumesPerServer }));
    });

    test('volumes on the given storage class, pods on the node pool, one server per node', () => {
      const pool = tenantOf(build()).spec.pools[0];
      expect(pool.volumeClaimTemplate.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd-retain', resources: { requests: { storage: '100Gi' } } });
      expect(pool.nodeSelector).toEqual({ 'node.role': 'database' });
      expect(pool.tolerations).toEqual([{ key: 'node.role', operator: 'Equal', value: 'database', effect: 'NoSchedule' }]);
      expect(pool.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
        { labelSelector: { matchLabels: { 'v1.min.io/tenant': 'storage', 'v1.min.io/pool': 'pool-0' } }, topologyKey: 'kubernetes.io/hostname' },
      ]);
      expect(pool.resources).toEqual({ requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    });

    test('runs as non-root without privilege escalation', () => {
      const pool = tenantOf(build()).spec.pools[0];
      expect(pool.securityContext).toEqual(expect.objectContaining({ runAsNonRoot: true }));
      expect(pool.containerSecurityContext).toEqual(expect.objectContaining({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } }));
    });
  });

  test('exposes neither the console nor the S3 API outside the cluster', () => {
    const spec = tenantOf(build()).spec;
    expect(spec.exposeServices).toEqual({ minio: false, console: false });
    expect(spec.features).toEqual({ bucketDNS: false });
  });

  test('is protected from pruning', () => {
    expect(tenantOf(build()).metadata.annotations).toEqual(expect.objectContaining(PRUNE_PROTECTION_ANNOTATIONS));
  });

  test('TLS from the platform CA, root credentials from the secret store', () => {
    const layer = build();
    const spec = tenantOf(layer).spec;
    expect(spec.requestAutoCert).toBe(false);
    expect(spec.externalCertSecret).toEqual([{ name: 'storage-tls', type: 'cert-manager.io/v1' }]);
    const cert = layer.find('Certificate', 'storage-tls', 'minio');
    expect(cert.spec.issuerRef).toEqual({ name: 'strata-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    expect(cert.spec.dnsNames).toContain('minio.minio.svc.cluster.local');
    expect(spec.configuration).toEqual({ name: 'storage-env-configuration' });
    const root = layer.find('ExternalSecret', 'storage-env-configuration', 'minio');
    expect(root.spec.data.map((d: any) => d.remoteRef.key)).toEqual(['region-a/prod/minio/storage/root', 'region-a/prod/minio/storage/root']);
    expect(layer.all('Secret')).toEqual([]);
  });

  test('requires its namespace as a workload namespace', () => {
    expect(build().context.namespaces).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'minio', workload: true })]));
  });

  describe('buckets', () => {
    test('none until a user declares one', () => {
      expect(tenantOf(build()).spec.buckets).toEqual([]);
    });

    test('declared with bucket(), each once, sorted', () => {
      const layer = build();
      layer.tenant.bucket('velero');
      layer.tenant.bucket('pg-backups');
      layer.tenant.bucket('velero');
      expect(tenantOf(layer).spec.buckets).toEqual([{ name: 'pg-backups' }, { name: 'velero' }]);
    });

    test('an invalid bucket name is an error', () => {
      expect(() => build().tenant.bucket('PG_Backups')).toThrow('bucket name "PG_Backups" is not a valid S3 bucket name');
    });
  });

  describe('grantReadWrite', () => {
    function granted() {
      const layer = build();
      const consumer = new Construct(layer.chart, 'Velero');
      const access = layer.tenant.bucket('velero').grantReadWrite(consumer, CONSUMER);
      return { ...layer, access };
    }

    test('creates the consumer\'s own credential in the consumer\'s namespace', () => {
      const layer = granted();
      const secret = layer.find('ExternalSecret', 'velero-s3-credentials', 'velero');
      expect(secret.spec.data).toEqual([
        { secretKey: 'AWS_ACCESS_KEY_ID', remoteRef: { key: 'region-a/prod/minio/storage/users/velero', property: 'accessKey' } },
        { secretKey: 'AWS_SECRET_ACCESS_KEY', remoteRef: { key: 'region-a/prod/minio/storage/users/velero', property: 'secretKey' } },
      ]);
      expect(layer.access.credentials.name).toBe('velero-s3-credentials');
      expect(layer.access.credentials.namespace).toBe('velero');
    });

    test('creates the matching tenant user from the same secret-store key', () => {
      const layer = granted();
      expect(tenantOf(layer).spec.users).toEqual([{ name: 'velero-minio-user' }]);
      const user = layer.find('ExternalSecret', 'velero-minio-user', 'minio');
      expect(user.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key])).toEqual([
        ['CONSOLE_ACCESS_KEY', 'region-a/prod/minio/storage/users/velero'],
        ['CONSOLE_SECRET_KEY', 'region-a/prod/minio/storage/users/velero'],
      ]);
    });

    test('opens the network path from the consumer\'s pods to the tenant\'s S3 port', () => {
      const layer = granted();
      const egress = layer.find('NetworkPolicy', 'allow-velero-to-minio-storage-egress', 'velero');
      expect(egress.spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'velero' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'minio' } }, podSelector: { matchLabels: { 'v1.min.io/tenant': 'storage' } } }], ports: [{ protocol: 'TCP', port: 9000 }] }],
      });
      const ingress = layer.find('NetworkPolicy', 'allow-velero-to-minio-storage-ingress', 'minio');
      expect(ingress.spec).toEqual({
        podSelector: { matchLabels: { 'v1.min.io/tenant': 'storage' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'velero' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'velero' } } }], ports: [{ protocol: 'TCP', port: 9000 }] }],
      });
    });

    test('returns the endpoint and the CA to trust, in the consumer\'s namespace', () => {
      const layer = granted();
      expect(layer.access).toEqual(expect.objectContaining({ bucket: 'velero', endpoint: 'https://minio.minio.svc.cluster.local', ca: { name: 'strata-ca-trust', key: 'ca.crt' } }));
      expect(layer.find('Certificate', 'strata-ca-trust', 'velero').spec.issuerRef.name).toBe('strata-ca');
    });

    test('granting a second bucket to the same consumer renders one credential and one pair of policies', () => {
      const layer = build();
      const consumer = new Construct(layer.chart, 'Velero');
      layer.tenant.bucket('velero').grantReadWrite(consumer, CONSUMER);
      layer.tenant.bucket('velero-restic').grantReadWrite(consumer, CONSUMER);
      expect(layer.all('ExternalSecret').filter((s) => s.metadata.name === 'velero-s3-credentials')).toHaveLength(1);
      expect(layer.all('NetworkPolicy').filter((p) => p.metadata.name.startsWith('allow-velero-to-minio'))).toHaveLength(2);
      expect(tenantOf(layer).spec.users).toEqual([{ name: 'velero-minio-user' }]);
    });

    test('every object validates against the schemas', () => {
      expect(schemaIssues(granted().manifests())).toEqual([]);
    });
  });

  test('addExternalUser creates a user for a reader in another region under a known key', () => {
    const layer = build();
    const key = layer.tenant.addExternalUser('postgres-region-b');
    expect(key).toBe(MinioTenant.externalUserKey('region-a/prod', 'storage', 'postgres-region-b'));
    expect(key).toBe('region-a/prod/minio/storage/users/postgres-region-b');
    expect(tenantOf(layer).spec.users).toEqual([{ name: 'postgres-region-b-minio-user' }]);
    expect(layer.find('ExternalSecret', 'postgres-region-b-minio-user', 'minio').spec.data[0].remoteRef.key).toBe(key);
  });
});
