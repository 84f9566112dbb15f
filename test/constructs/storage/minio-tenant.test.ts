import { Construct } from 'constructs';
import { Grantee } from '../../../constructs/core/grantee';
import { MinioAccessSetup } from '../../../constructs/storage/minio-access-setup';
import { MINIO_ACCESS_SETUP_SCRIPT } from '../../../constructs/storage/minio-access-setup-script';
import { MinioTenant, MinioTenantProps } from '../../../constructs/storage/minio-tenant';
import { IMAGES } from '../../../constructs/versions';
import { alertNames, alertRules, expectScoped } from '../../support/alerts';
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
const jobOf = (layer: TestLayer) => {
  const jobs = layer.all('Job');
  expect(jobs).toHaveLength(1);
  return jobs[0];
};
const envOf = (job: any): Record<string, string> => Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
type Policy = ReturnType<MinioTenant['policies']>[string];
const resourcesOf = (policy: Policy) => [...new Set(policy.Statement.flatMap((st) => st.Resource))].sort();
const actionsOf = (policy: Policy) => [...new Set(policy.Statement.flatMap((st) => st.Action))].sort();
/** Every S3 action a consumer may hold: object data and listing, never bucket or IAM administration. */
const READ_WRITE_ACTIONS = [
  's3:AbortMultipartUpload',
  's3:DeleteObject',
  's3:GetBucketLocation',
  's3:GetObject',
  's3:ListBucket',
  's3:ListBucketMultipartUploads',
  's3:ListMultipartUploadParts',
  's3:PutObject',
];
const CONSUMER = { namespace: 'velero', name: 'velero', podLabels: { 'app.kubernetes.io/name': 'velero' } };
/** The consumer's pods as a grantee owned by `scope`. */
const grantee = (scope: Construct, who: { namespace: string; name: string; podLabels: Record<string, string> } = CONSUMER) =>
  Grantee.of(scope, who.name, { namespace: who.namespace, podLabels: who.podLabels });

describe('MinioTenant', () => {
  describe('monitoring', () => {
    test("the operator's Prometheus integration is off; the tenant's PodMonitor scrapes cluster metrics over verified TLS", () => {
      const layer = build();
      const tenant = tenantOf(layer);
      expect(tenant.spec.prometheusOperator).toBe(false);
      expect(tenant.spec.env).toEqual([{ name: 'MINIO_PROMETHEUS_AUTH_TYPE', value: 'public' }]);
      const monitor = layer.find('PodMonitor', 'storage', 'minio');
      expect(monitor.spec.selector).toEqual({ matchLabels: { 'v1.min.io/tenant': 'storage' } });
      expect(monitor.spec.podMetricsEndpoints).toEqual([
        {
          portNumber: 9000,
          scheme: 'https',
          path: '/minio/v2/metrics/cluster',
          tlsConfig: { ca: { secret: { name: 'storage-tls', key: 'ca.crt' } }, serverName: 'minio.minio.svc' },
        },
      ]);
      // The server certificate names the host the scrape verifies.
      expect(layer.find('Certificate', 'storage-tls', 'minio').spec.dnsNames).toContain('minio.minio.svc');
      expect(layer.find('NetworkPolicy', 'allow-prometheus-to-storage-ingress', 'minio').spec.ingress[0].ports).toEqual([
        { port: 9000, protocol: 'TCP' },
      ]);
    });

    test('alerts: down, offline servers and drives, capacity; every expression scoped to this tenant', () => {
      const rules = alertRules(build(), 'storage', 'minio');
      expect(alertNames(rules)).toEqual(['MinioTenantDown', 'MinioNodesOffline', 'MinioDrivesOffline', 'MinioCapacityLow']);
      for (const rule of rules) {
        expectScoped(
          rule,
          ['namespace="minio"', 'job="minio/storage"'],
          ['minio_', 'up'],
          { namespace: 'minio', minio_tenant: 'storage' },
          'minio/storage',
        );
      }
      expect(
        rules.filter((r) => r.alert === 'MinioCapacityLow').map((r) => [r.labels.severity, r.expr.endsWith('> 80') || r.expr.endsWith('> 90')]),
      ).toEqual([
        ['warning', true],
        ['critical', true],
      ]);
    });
  });

  describe('layout', () => {
    test.each([
      [1, 2],
      [2, 1],
      [3, 1],
      [1, 3],
    ])('%i server(s) × %i volume(s) is an erasure-coding error', (servers, volumesPerServer) => {
      const drives = servers * volumesPerServer;
      expect(() => build({ servers, volumesPerServer })).toThrow(
        `MinIO tenant storage: ${servers} × ${volumesPerServer} = ${drives} drives; erasure coding needs at least 4 (or 1×1 standalone)`,
      );
    });

    test.each([
      [1, 1],
      [2, 2],
      [4, 1],
      [4, 4],
    ])('%i server(s) × %i volume(s) is accepted', (servers, volumesPerServer) => {
      const pool = tenantOf(build({ servers, volumesPerServer })).spec.pools[0];
      expect(pool).toEqual(expect.objectContaining({ name: 'pool-0', servers, volumesPerServer }));
    });

    test('volumes on the given storage class, pods on the node pool, one server per node', () => {
      const pool = tenantOf(build()).spec.pools[0];
      expect(pool.volumeClaimTemplate.spec).toEqual({
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'fast-ssd-retain',
        resources: { requests: { storage: '100Gi' } },
      });
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
      expect(pool.containerSecurityContext).toEqual(
        expect.objectContaining({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        }),
      );
    });
  });

  test('exposes neither the console nor the S3 API outside the cluster', () => {
    const spec = tenantOf(build()).spec;
    expect(spec.exposeServices).toEqual({ minio: false, console: false });
    expect(spec.features).toEqual({ bucketDNS: false });
  });

  test('is protected from pruning', () => {
    expect(tenantOf(build()).metadata.annotations).toEqual(
      expect.objectContaining({
        'kustomize.toolkit.fluxcd.io/prune': 'disabled',
        'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
      }),
    );
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
      const access = layer.tenant.bucket('velero').grantReadWrite(grantee(consumer));
      return { ...layer, access };
    }

    test("creates the consumer's own credential in the consumer's namespace", () => {
      const layer = granted();
      const secret = layer.find('ExternalSecret', 'velero-s3-credentials', 'velero');
      expect(secret.spec.data).toEqual([
        { secretKey: 'AWS_ACCESS_KEY_ID', remoteRef: { key: 'region-a/prod/minio/storage/users/velero', property: 'accessKey' } },
        { secretKey: 'AWS_SECRET_ACCESS_KEY', remoteRef: { key: 'region-a/prod/minio/storage/users/velero', property: 'secretKey' } },
      ]);
      expect(layer.access.credentials.name).toBe('velero-s3-credentials');
      expect(layer.access.credentials.namespace).toBe('velero');
    });

    test('creates the matching tenant-side credential from the same secret-store key, but no spec.users entry (consoleAdmin)', () => {
      const layer = granted();
      expect(tenantOf(layer).spec.users).toBeUndefined();
      const user = layer.find('ExternalSecret', 'velero-minio-user', 'minio');
      expect(user.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key])).toEqual([
        ['CONSOLE_ACCESS_KEY', 'region-a/prod/minio/storage/users/velero'],
        ['CONSOLE_SECRET_KEY', 'region-a/prod/minio/storage/users/velero'],
      ]);
    });

    test("opens the network path from the consumer's pods to the tenant's S3 port", () => {
      const layer = granted();
      const egress = layer.find('NetworkPolicy', 'allow-velero-to-minio-storage-egress', 'velero');
      expect(egress.spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'velero' } },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'minio' } },
                podSelector: { matchLabels: { 'v1.min.io/tenant': 'storage' } },
              },
            ],
            ports: [{ protocol: 'TCP', port: 9000 }],
          },
        ],
      });
      const ingress = layer.find('NetworkPolicy', 'allow-velero-to-minio-storage-ingress', 'minio');
      expect(ingress.spec).toEqual({
        podSelector: { matchLabels: { 'v1.min.io/tenant': 'storage' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'velero' } },
                podSelector: { matchLabels: { 'app.kubernetes.io/name': 'velero' } },
              },
            ],
            ports: [{ protocol: 'TCP', port: 9000 }],
          },
        ],
      });
    });

    test("returns the endpoint and the CA to trust, in the consumer's namespace", () => {
      const layer = granted();
      expect(layer.access).toEqual(
        expect.objectContaining({
          bucket: 'velero',
          endpoint: 'https://minio.minio.svc.cluster.local',
          ca: { name: 'strata-ca-trust', key: 'ca.crt' },
        }),
      );
      expect(layer.find('Certificate', 'strata-ca-trust', 'velero').spec.issuerRef.name).toBe('strata-ca');
    });

    test('granting a second bucket to the same consumer renders one credential, one pair of network policies and one IAM policy with both buckets', () => {
      const layer = build();
      const consumer = new Construct(layer.chart, 'Velero');
      layer.tenant.bucket('velero').grantReadWrite(grantee(consumer));
      layer.tenant.bucket('velero-restic').grantReadWrite(grantee(consumer));
      expect(layer.all('ExternalSecret').filter((s) => s.metadata.name === 'velero-s3-credentials')).toHaveLength(1);
      expect(layer.all('ExternalSecret').filter((s) => s.metadata.name === 'velero-minio-user')).toHaveLength(1);
      expect(layer.all('NetworkPolicy').filter((p) => p.metadata.name.startsWith('allow-velero-to-minio'))).toHaveLength(2);
      expect(Object.keys(layer.tenant.policies())).toEqual(['strata-velero']);
      expect(resourcesOf(layer.tenant.policies()['strata-velero'])).toEqual([
        'arn:aws:s3:::velero',
        'arn:aws:s3:::velero-restic',
        'arn:aws:s3:::velero-restic/*',
        'arn:aws:s3:::velero/*',
      ]);
    });

    test('every object validates against the schemas', () => {
      expect(schemaIssues(granted().manifests())).toEqual([]);
    });
  });

  describe('grantExternalRead', () => {
    test('creates a user for a reader in another region under a known key, without spec.users', () => {
      const layer = build();
      const key = layer.tenant.bucket('pg-backups').grantExternalRead('postgres-region-b');
      expect(key).toBe(MinioTenant.externalUserKey('region-a/prod', 'storage', 'postgres-region-b'));
      expect(key).toBe('region-a/prod/minio/storage/users/postgres-region-b');
      expect(tenantOf(layer).spec.users).toBeUndefined();
      expect(layer.find('ExternalSecret', 'postgres-region-b-minio-user', 'minio').spec.data[0].remoteRef.key).toBe(key);
    });

    test('the reader may list and read the bucket, and nothing else: no writes, no deletes', () => {
      const layer = build();
      layer.tenant.bucket('pg-backups').grantExternalRead('postgres-region-b');
      expect(layer.tenant.policies()['strata-postgres-region-b']).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ReadBuckets', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: ['arn:aws:s3:::pg-backups'] },
          { Sid: 'ReadObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::pg-backups/*'] },
        ],
      });
    });

    test('writable prefixes allow uploads under them, never deletes', () => {
      const layer = build();
      layer.tenant.bucket('velero').grantExternalRead('velero-region-b', { writablePrefixes: ['restores/'] });
      const policy = layer.tenant.policies()['strata-velero-region-b'];
      expect(policy.Statement.find((st) => st.Sid === 'WritePrefixes')).toEqual({
        Sid: 'WritePrefixes',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:PutObject'],
        Resource: ['arn:aws:s3:::velero/restores/*'],
      });
      expect(actionsOf(policy)).not.toContain('s3:DeleteObject');
    });

    test('an invalid writable prefix is an error at construction', () => {
      expect(() =>
        build()
          .tenant.bucket('velero')
          .grantExternalRead('velero-region-b', { writablePrefixes: ['restores'] }),
      ).toThrow('bucket velero: writable prefix "restores" must be path segments ending in "/", e.g. "restores/"');
    });
  });

  describe('least privilege: every consumer has its own policy with exactly its buckets', () => {
    /** The platform's consumers of one region's tenant: CNPG, Velero, OpenSearch, and two DR readers. */
    function platform() {
      const layer = build();
      const t = layer.tenant;
      t.bucket('pg-backups').grantReadWrite(
        grantee(new Construct(layer.chart, 'Postgres'), { namespace: 'postgres', name: 'postgres', podLabels: { 'cnpg.io/cluster': 'postgres' } }),
      );
      t.bucket('velero').grantReadWrite(grantee(new Construct(layer.chart, 'Velero')), { credentialsFormat: 'aws-credentials-file' });
      t.bucket('opensearch-snapshots').grantReadWrite(
        grantee(new Construct(layer.chart, 'Search'), {
          namespace: 'opensearch',
          name: 'search',
          podLabels: { 'opensearch.org/opensearch-cluster': 'search' },
        }),
      );
      t.bucket('pg-backups').grantExternalRead('postgres-region-b');
      t.bucket('velero').grantExternalRead('velero-region-b', { writablePrefixes: ['restores/'] });
      return layer;
    }

    test('one policy per consumer, each naming only its own buckets', () => {
      const policies = platform().tenant.policies();
      expect(Object.keys(policies).sort()).toEqual([
        'strata-postgres',
        'strata-postgres-region-b',
        'strata-search',
        'strata-velero',
        'strata-velero-region-b',
      ]);
      expect(resourcesOf(policies['strata-postgres'])).toEqual(['arn:aws:s3:::pg-backups', 'arn:aws:s3:::pg-backups/*']);
      expect(resourcesOf(policies['strata-velero'])).toEqual(['arn:aws:s3:::velero', 'arn:aws:s3:::velero/*']);
      expect(resourcesOf(policies['strata-search'])).toEqual(['arn:aws:s3:::opensearch-snapshots', 'arn:aws:s3:::opensearch-snapshots/*']);
      expect(resourcesOf(policies['strata-postgres-region-b'])).toEqual(['arn:aws:s3:::pg-backups', 'arn:aws:s3:::pg-backups/*']);
      expect(resourcesOf(policies['strata-velero-region-b'])).toEqual([
        'arn:aws:s3:::velero',
        'arn:aws:s3:::velero/*',
        'arn:aws:s3:::velero/restores/*',
      ]);
    });

    test('S3 data actions only: no admin, no bucket deletion or configuration, no wildcard, Allow only', () => {
      for (const [name, policy] of Object.entries(platform().tenant.policies())) {
        for (const statement of policy.Statement) {
          expect({ name, effect: statement.Effect }).toEqual({ name, effect: 'Allow' });
          for (const action of statement.Action) {
            expect({ name, action, ok: READ_WRITE_ACTIONS.includes(action) }).toEqual({ name, action, ok: true });
          }
          for (const resource of statement.Resource) expect(resource).not.toMatch(/^arn:aws:s3:::\*|^\*$/);
        }
      }
    });

    test('Velero cannot delete PostgreSQL backups, and no consumer holds consoleAdmin', () => {
      const layer = platform();
      const velero = layer.tenant.policies()['strata-velero'];
      expect(velero.Statement.filter((st) => st.Resource.some((r) => r.includes('pg-backups')))).toEqual([]);
      expect(tenantOf(layer).spec.users).toBeUndefined();
      // The Job holds the same documents; it detaches every other policy (consoleAdmin) itself.
      const data = layer.find('ConfigMap', 'storage-access-policies', 'minio').data;
      expect(Object.keys(data).sort()).toEqual([
        'revoked.json',
        'strata-postgres-region-b.json',
        'strata-postgres.json',
        'strata-search.json',
        'strata-velero-region-b.json',
        'strata-velero.json',
      ]);
      expect(JSON.parse(data['strata-velero.json'])).toEqual(velero);
      expect(JSON.stringify(data)).not.toContain('consoleAdmin');
      expect(JSON.parse(data['revoked.json']).Statement).toEqual([
        { Sid: 'Revoked', Effect: 'Deny', Action: ['s3:*'], Resource: ['arn:aws:s3:::*'] },
      ]);
    });

    test('the Job knows every user: its policy name, and its credential mounted from the tenant-side secret', () => {
      const job = jobOf(platform());
      const env = envOf(job);
      expect(env.POLICIES).toBe('strata-postgres strata-postgres-region-b strata-search strata-velero strata-velero-region-b');
      const users = job.spec.template.spec.volumes.find((v: any) => v.name === 'users');
      expect(users.projected.sources).toContainEqual({
        secret: {
          name: 'postgres-region-b-minio-user',
          items: [
            { key: 'CONSOLE_ACCESS_KEY', path: 'strata-postgres-region-b/accessKey' },
            { key: 'CONSOLE_SECRET_KEY', path: 'strata-postgres-region-b/secretKey' },
          ],
        },
      });
      expect(users.projected.sources.map((s: any) => s.secret.name).sort()).toEqual([
        'postgres-minio-user',
        'postgres-region-b-minio-user',
        'search-minio-user',
        'velero-minio-user',
        'velero-region-b-minio-user',
      ]);
    });

    test('every object validates against the schemas', () => {
      expect(schemaIssues(platform().manifests())).toEqual([]);
    });
  });

  describe('access set-up Job', () => {
    const withConsumer = () => {
      const layer = build();
      layer.tenant.bucket('velero').grantReadWrite(grantee(new Construct(layer.chart, 'Velero')));
      return layer;
    };

    test('none while no consumer is granted a bucket', () => {
      const layer = build();
      layer.tenant.bucket('velero');
      expect(layer.all('Job')).toEqual([]);
      expect(layer.all('ConfigMap')).toEqual([]);
    });

    test('hardened: non-root, read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp, no service account token', () => {
      const pod = jobOf(withConsumer()).spec.template.spec;
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.restartPolicy).toBe('Never');
      const [container] = pod.containers;
      expect(container.securityContext).toEqual({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } });
      expect(container.image).toBe(IMAGES.minioClient);
      expect(container.image).toMatch(/^quay\.io\/minio\/mc:RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
    });

    test('bounded: retries, a deadline, and re-run hourly (GitOps re-creates it after its TTL)', () => {
      expect(jobOf(withConsumer()).spec).toMatchObject({ backoffLimit: 4, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 3600 });
    });

    test('replaced, not patched, by Argo CD and Flux; the name changes with the grants and only with them', () => {
      const job = jobOf(withConsumer());
      expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Replace=true', 'kustomize.toolkit.fluxcd.io/force': 'enabled' });
      expect(job.metadata.name).toMatch(/^storage-access-setup-[0-9a-f]{10}$/);
      expect(jobOf(withConsumer()).metadata.name).toBe(job.metadata.name);
      const more = withConsumer();
      more.tenant.bucket('pg-backups').grantExternalRead('postgres-region-b');
      expect(jobOf(more).metadata.name).not.toBe(job.metadata.name);
      // A grant made later (from another layer) still lands in the rendered Job.
      expect(envOf(jobOf(more)).POLICIES).toBe('strata-postgres-region-b strata-velero');
    });

    test('no secret value in the manifest: the script is the constant, env holds plain settings, credentials are mounted files', () => {
      const job = jobOf(withConsumer());
      const [container] = job.spec.template.spec.containers;
      expect(container.command).toEqual(['/bin/sh', '-c', MINIO_ACCESS_SETUP_SCRIPT]);
      expect(container.env.filter((e: any) => e.valueFrom !== undefined || typeof e.value !== 'string')).toEqual([]);
      expect(Object.keys(envOf(job)).sort()).toEqual([
        'ATTEMPTS',
        'INTERVAL',
        'MC_CONFIG_DIR',
        'MINIO_URL',
        'POLICIES',
        'POLICY_DIR',
        'POLICY_PREFIX',
        'REVOKED_POLICY',
        'ROOT_CONFIG',
        'USER_DIR',
        'WORK_DIR',
      ]);
      const volumes = Object.fromEntries(job.spec.template.spec.volumes.map((v: any) => [v.name, v]));
      expect(volumes.root).toEqual({
        name: 'root',
        secret: { secretName: 'storage-env-configuration', items: [{ key: 'config.env', path: 'config.env' }] },
      });
      expect(volumes.ca).toEqual({ name: 'ca', secret: { secretName: 'storage-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
      expect(volumes.policies).toEqual({ name: 'policies', configMap: { name: 'storage-access-policies' } });
      // mc trusts the CAs in <config dir>/certs/CAs.
      expect(container.volumeMounts).toContainEqual({ name: 'ca', mountPath: `${envOf(job).MC_CONFIG_DIR}/certs/CAs`, readOnly: true });
      // Secret values are piped to mc, never put on a command line or printed.
      for (const line of MINIO_ACCESS_SETUP_SCRIPT.split('\n').filter((l) => /\$(secret|root_password)\b/.test(l))) {
        expect(line).toMatch(/^\s*(printf '[^']*' .*\| run mc |\[ -n |secret=\$\(cat )/);
      }
    });

    test("network: the Job reaches the tenant's S3 port, and nothing else is opened for it", () => {
      const layer = withConsumer();
      const labels = { 'app.kubernetes.io/name': 'minio-access-setup', 'app.kubernetes.io/instance': 'storage' };
      expect(jobOf(layer).spec.template.metadata.labels).toEqual(labels);
      // The Job is a grantee under its policies' stem, with exactly these pods.
      const setup = layer.chart.node.findAll().find((c): c is MinioAccessSetup => c instanceof MinioAccessSetup)!;
      expect(setup.granteeName).toBe('storage-access-setup');
      expect(setup.granteePods).toEqual({ namespace: 'minio', podLabels: labels });
      const egress = layer.find('NetworkPolicy', 'allow-storage-access-setup-egress', 'minio');
      expect(egress.spec).toEqual({
        podSelector: { matchLabels: labels },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'minio' } },
                podSelector: { matchLabels: { 'v1.min.io/tenant': 'storage' } },
              },
            ],
            ports: [{ protocol: 'TCP', port: 9000 }],
          },
        ],
      });
      const ingress = layer.find('NetworkPolicy', 'allow-storage-access-setup-ingress', 'minio');
      expect(ingress.spec.podSelector).toEqual({ matchLabels: { 'v1.min.io/tenant': 'storage' } });
      expect(ingress.spec.ingress).toEqual([
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'minio' } }, podSelector: { matchLabels: labels } }],
          ports: [{ protocol: 'TCP', port: 9000 }],
        },
      ]);
      const selectingJob = layer
        .all('NetworkPolicy')
        .filter((p) => Object.entries(labels).every(([k, v]) => p.spec.podSelector.matchLabels?.[k] === v));
      expect(selectingJob.map((p) => p.metadata.name)).toEqual(['allow-storage-access-setup-egress']);
    });
  });
});

describe('MinioTenant documented defaults', () => {
  /** Only what has no default: where the credentials come from. */
  const defaults = () => {
    const layer = testLayer('data', { region: 'region-b', environment: 'staging' });
    const tenant = new MinioTenant(layer.chart, 'Minio', { secretBackend: EXTERNAL_SECRETS });
    return { ...layer, tenant };
  };

  test("'storage' in namespace minio: 4 servers × 4 volumes of 100Gi, 500m-2 CPUs and 2-4Gi per server", () => {
    const layer = defaults();
    expect(layer.tenant.name).toBe('storage');
    expect(layer.tenant.namespace).toBe('minio');
    const [pool] = tenantOf(layer).spec.pools;
    expect(pool.servers).toBe(4);
    expect(pool.volumesPerServer).toBe(4);
    expect(pool.volumeClaimTemplate.spec.resources.requests.storage).toBe('100Gi');
    expect(pool.resources).toEqual({ requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } });
  });

  test('no storage class: the claims get the cluster default StorageClass', () => {
    const [pool] = tenantOf(defaults()).spec.pools;
    expect(pool.volumeClaimTemplate.spec).not.toHaveProperty('storageClassName');
  });

  test('secret keys under <region>/<environment> of the layer', () => {
    const layer = defaults();
    const root = layer.find('ExternalSecret', 'storage-env-configuration', 'minio');
    expect([...new Set(root.spec.data.map((d: any) => d.remoteRef.key))]).toEqual(['region-b/staging/minio/storage/root']);
  });

  test('every object validates against the schemas', () => {
    const layer = defaults();
    layer.tenant.bucket('pg-backups');
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });
});
