import { CloudNativePgCluster, CloudNativePgClusterProps, ReplicationPeer } from '../../../constructs/data/cloudnative-pg-cluster';
import { MinioTenant } from '../../../constructs/storage/minio-tenant';
import { alertNames, alertRules, expectScoped } from '../../support/alerts';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';

const PROPS: CloudNativePgClusterProps = {
  name: 'postgres',
  instances: 3,
  synchronous: true,
  podAntiAffinity: 'required',
  storageSize: '100Gi',
  walStorageSize: '20Gi',
  storageClass: 'fast-ssd-retain',
  resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
  parameters: { max_connections: '200' },
  nodePool: { labels: { 'node.role': 'database' }, taints: [{ key: 'node.role', value: 'database', effect: 'NoSchedule' }] },
  zoneLabel: 'topology.kubernetes.io/zone',
  secretBackend: EXTERNAL_SECRETS,
  secretKeyPrefix: 'region-a/prod',
  topologyName: 'postgres-region-a',
  backupSchedule: '0 1 * * *',
  backupRetention: '30d',
};

const PEER: ReplicationPeer = {
  topologyName: 'postgres-region-b',
  objectStorageEndpoint: 'https://s3.region-b.strata.example',
  bucket: 'pg-backups',
  credentialsRemoteKey: 'region-b/prod/minio/storage/users/postgres-region-a',
};

function build(props: Partial<CloudNativePgClusterProps> = {}): TestLayer & { cluster: CloudNativePgCluster } {
  const layer = testLayer('data');
  const cluster = new CloudNativePgCluster(layer.chart, 'Postgres', { ...PROPS, ...props });
  return { ...layer, cluster };
}

/** A cluster with its WAL archive and backups in a MinIO tenant of the same layer. */
function withBackups(props: Partial<CloudNativePgClusterProps> = {}) {
  const built = build(props);
  const minio = new MinioTenant(built.chart, 'Minio', {
    name: 'storage',
    servers: 4,
    volumesPerServer: 1,
    volumeSize: '100Gi',
    storageClass: 'fast-ssd-retain',
    resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    secretBackend: EXTERNAL_SECRETS,
    secretKeyPrefix: 'region-a/prod',
  });
  built.cluster.backupTo(minio.bucket('pg-backups'));
  return built;
}

const clusterOf = (layer: TestLayer) => layer.find('Cluster', 'postgres', 'postgres');

describe('CloudNativePgCluster', () => {
  describe('synchronous replication', () => {
    test('quorum commit (any 1 of the standbys, durability required) for 3 instances', () => {
      expect(clusterOf(build()).spec.postgresql.synchronous).toEqual({ method: 'any', number: 1, dataDurability: 'required' });
    });

    test('more standbys confirm in a larger cluster', () => {
      expect(clusterOf(build({ instances: 5 })).spec.postgresql.synchronous.number).toBe(2);
    });

    test('absent when synchronous is false', () => {
      const spec = clusterOf(build({ synchronous: false, instances: 2 })).spec;
      expect(spec.postgresql.synchronous).toBeUndefined();
      expect(spec.postgresql.parameters).toEqual({ max_connections: '200' });
    });

    test('with 1 instance is a constructor error naming the cluster, the problem and the value', () => {
      expect(() => build({ instances: 1 })).toThrow('CloudNativePG cluster postgres: synchronous replication needs at least 2 instances (got 1)');
    });
  });

  test('puts data and WAL on the given storage class', () => {
    const spec = clusterOf(build()).spec;
    expect(spec.storage).toEqual({ size: '100Gi', storageClass: 'fast-ssd-retain' });
    expect(spec.walStorage).toEqual({ size: '20Gi', storageClass: 'fast-ssd-retain' });
  });

  test('spreads instances over nodes (required anti-affinity) and zones, on the database node pool', () => {
    const spec = clusterOf(build()).spec;
    expect(spec.affinity).toEqual({
      enablePodAntiAffinity: true,
      podAntiAffinityType: 'required',
      topologyKey: 'kubernetes.io/hostname',
      nodeSelector: { 'node.role': 'database' },
      tolerations: [{ key: 'node.role', operator: 'Equal', value: 'database', effect: 'NoSchedule' }],
    });
    expect(spec.topologySpreadConstraints).toEqual([
      expect.objectContaining({ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { 'cnpg.io/cluster': 'postgres' } } }),
    ]);
    expect(spec.enablePDB).toBe(true);
  });

  test('guaranteed resources as given, and the pinned image', () => {
    const spec = clusterOf(build()).spec;
    expect(spec.resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } });
    expect(spec.imageName).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:\d+\.\d+$/);
  });

  test('is protected from pruning', () => {
    expect(clusterOf(build()).metadata.annotations).toEqual(
      expect.objectContaining({
        'kustomize.toolkit.fluxcd.io/prune': 'disabled',
        'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
      }),
    );
  });

  test('requires its namespace as a workload namespace with API server egress', () => {
    const layer = build();
    // cert-manager comes with the platform CA that signs the server certificate.
    expect(layer.context.namespaces.find((n) => n.name === 'postgres')).toEqual(
      expect.objectContaining({ name: 'postgres', workload: true, apiServerEgress: true }),
    );
    expect(layer.cluster.readWriteHost).toBe('postgres-rw.postgres.svc.cluster.local');
  });

  test('serves TLS with a certificate from the platform CA, for the rw, ro and r services', () => {
    const layer = build();
    const cluster = clusterOf(layer);
    expect(cluster.spec.certificates).toEqual({ serverTLSSecret: 'postgres-server-tls', serverCASecret: 'postgres-server-tls' });
    const cert = layer.find('Certificate', 'postgres-server-tls', 'postgres');
    expect(cert.spec.issuerRef.name).toBe('strata-ca');
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining(['postgres-rw.postgres.svc.cluster.local', 'postgres-ro.postgres.svc', 'postgres-r']));
    expect(layer.cluster.ca).toEqual({ name: 'postgres-server-tls', key: 'ca.crt' });
  });

  describe('databases', () => {
    function withDatabases() {
      const layer = build();
      const hrm = layer.cluster.addDatabase('hrm');
      const payroll = layer.cluster.addDatabase('payroll', { poolerInstances: 3, poolMode: 'session' });
      const audit = layer.cluster.addDatabase('audit_log', { poolerInstances: 0 });
      return { ...layer, hrm, payroll, audit };
    }

    test('a managed role per database, with its password from a secret reference', () => {
      const layer = withDatabases();
      expect(clusterOf(layer).spec.managed.roles).toEqual(
        ['audit_log', 'hrm', 'payroll'].map((name) => ({
          name,
          ensure: 'present',
          login: true,
          replication: false,
          inRoles: [],
          passwordSecret: { name: `postgres-${name.replace(/_/g, '-')}-credentials` },
        })),
      );
      const secret = layer.find('ExternalSecret', 'postgres-hrm-credentials', 'postgres');
      expect(secret.spec.target.template.type).toBe('kubernetes.io/basic-auth');
      expect(secret.spec.data).toEqual([
        { secretKey: 'password', remoteRef: { key: 'region-a/prod/postgres/postgres/roles/hrm', property: 'password' } },
        { secretKey: 'username', remoteRef: { key: 'region-a/prod/postgres/postgres/roles/hrm', property: 'username' } },
      ]);
      expect(layer.all('Secret')).toEqual([]);
    });

    test('a Database object per database that is never dropped', () => {
      const db = withDatabases().find('Database', 'postgres-hrm', 'postgres');
      expect(db.spec).toEqual({ name: 'hrm', owner: 'hrm', cluster: { name: 'postgres' }, ensure: 'present', databaseReclaimPolicy: 'retain' });
    });

    test('a Pooler and a PodDisruptionBudget per database (2 transaction-mode instances by default)', () => {
      const layer = withDatabases();
      expect(
        layer
          .all('Pooler')
          .map((p) => p.metadata.name)
          .sort(),
      ).toEqual(['postgres-pooler-hrm', 'postgres-pooler-payroll']);
      const hrm = layer.find('Pooler', 'postgres-pooler-hrm', 'postgres');
      expect(hrm.spec).toEqual(expect.objectContaining({ cluster: { name: 'postgres' }, instances: 2, type: 'rw' }));
      expect(hrm.spec.pgbouncer.poolMode).toBe('transaction');
      const payroll = layer.find('Pooler', 'postgres-pooler-payroll', 'postgres');
      expect(payroll.spec.instances).toBe(3);
      expect(payroll.spec.pgbouncer.poolMode).toBe('session');
      expect(
        layer
          .all('PodDisruptionBudget')
          .map((p) => p.metadata.name)
          .sort(),
      ).toEqual(['postgres-pooler-hrm', 'postgres-pooler-payroll']);
      expect(layer.find('PodDisruptionBudget', 'postgres-pooler-hrm', 'postgres').spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { 'cnpg.io/poolerName': 'postgres-pooler-hrm' } },
      });
      // The pooler reaches the instances through the default-deny policies.
      expect(layer.find('NetworkPolicy', 'allow-postgres-pooler-hrm-to-postgres-ingress', 'postgres').spec.ingress[0].ports).toEqual([
        { protocol: 'TCP', port: 5432 },
      ]);
      // Prometheus scrapes PgBouncer's exporter on the pooler pods' metrics port.
      expect(layer.find('PodMonitor', 'postgres-pooler-hrm', 'postgres').spec).toEqual({
        selector: { matchLabels: { 'cnpg.io/poolerName': 'postgres-pooler-hrm' } },
        podMetricsEndpoints: [{ port: 'metrics' }],
      });
      expect(layer.find('NetworkPolicy', 'allow-prometheus-to-postgres-pooler-hrm-ingress', 'postgres').spec.ingress[0].ports).toEqual([
        { protocol: 'TCP', port: 9127 },
      ]);
    });

    test('applications connect to the pooler, or to the read-write service without one', () => {
      const layer = withDatabases();
      expect(layer.hrm.host).toBe('postgres-pooler-hrm.postgres.svc.cluster.local');
      expect(layer.audit.host).toBe('postgres-rw.postgres.svc.cluster.local');
      expect(layer.cluster.database('payroll')).toBe(layer.payroll);
      expect(layer.hrm.credentials.name).toBe('postgres-hrm-credentials');
    });

    test('the first database is created by initdb', () => {
      expect(clusterOf(withDatabases()).spec.bootstrap).toEqual({
        initdb: { dataChecksums: true, database: 'hrm', owner: 'hrm', secret: { name: 'postgres-hrm-credentials' } },
      });
    });

    test('names that are not Postgres identifiers, duplicates and unknown databases are errors', () => {
      const layer = build();
      expect(() => layer.cluster.addDatabase('Pay-Roll')).toThrow(/database name "Pay-Roll" is not a valid Postgres identifier/);
      layer.cluster.addDatabase('hrm');
      expect(() => layer.cluster.addDatabase('hrm')).toThrow(/database "hrm" is added twice to cluster postgres/);
      expect(() => layer.cluster.database('crm')).toThrow(/has no database "crm" \(databases: hrm\)/);
    });
  });

  test('a PodMonitor scrapes the instances, and Prometheus may reach them', () => {
    const layer = build();
    const monitor = layer.find('PodMonitor', 'postgres', 'postgres');
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'cnpg.io/cluster': 'postgres', 'cnpg.io/podRole': 'instance' } });
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics' }]);
    expect(layer.find('NetworkPolicy', 'allow-prometheus-to-postgres-ingress', 'postgres').spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 9187 },
    ]);
  });

  describe('backupTo', () => {
    test('nothing is archived before backupTo()', () => {
      const layer = build();
      const spec = clusterOf(layer).spec;
      expect(spec.plugins).toBeUndefined();
      expect(spec.externalClusters).toBeUndefined();
      expect(layer.all('ObjectStore')).toEqual([]);
      expect(layer.all('ScheduledBackup')).toEqual([]);
    });

    test("an ObjectStore in the bucket, with the bucket's credential and CA", () => {
      const store = withBackups().find('ObjectStore', 'postgres-backup', 'postgres');
      expect(store.spec.retentionPolicy).toBe('30d');
      expect(store.spec.configuration).toEqual(
        expect.objectContaining({
          destinationPath: 's3://pg-backups/',
          endpointURL: 'https://minio.minio.svc.cluster.local',
          endpointCA: { name: 'strata-ca-trust', key: 'ca.crt' },
          s3Credentials: {
            accessKeyId: { name: 'postgres-s3-credentials', key: 'AWS_ACCESS_KEY_ID' },
            secretAccessKey: { name: 'postgres-s3-credentials', key: 'AWS_SECRET_ACCESS_KEY' },
          },
        }),
      );
    });

    test('the Barman Cloud plugin archives WAL under the topology name, where a DR peer reads it', () => {
      const cluster = clusterOf(withBackups());
      expect(cluster.spec.plugins).toEqual([
        {
          name: 'barman-cloud.cloudnative-pg.io',
          enabled: true,
          isWALArchiver: true,
          parameters: { barmanObjectName: 'postgres-backup', serverName: 'postgres-region-a' },
        },
      ]);
      // The same server name a peer's externalClusters entry uses for this cluster.
      expect(cluster.spec.externalClusters[0].plugin.parameters.serverName).toBe('postgres-region-a');
    });

    test('a ScheduledBackup with a six-field schedule (seconds first)', () => {
      const backup = withBackups().find('ScheduledBackup', 'postgres-daily', 'postgres');
      expect(backup.spec).toEqual(
        expect.objectContaining({
          cluster: { name: 'postgres' },
          schedule: '0 0 1 * * *',
          method: 'plugin',
          pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
        }),
      );
      expect(backup.spec.schedule.split(' ')).toHaveLength(6);
    });

    // `0 @daily` is no schedule: the seconds field goes only in front of five fields.
    test('an @-descriptor schedule is passed as it is', () => {
      const backup = withBackups({ backupSchedule: '@daily' }).find('ScheduledBackup', 'postgres-daily', 'postgres');
      expect(backup.spec.schedule).toBe('@daily');
    });

    test('the instances may reach MinIO, and MinIO accepts them', () => {
      const layer = withBackups();
      const egress = layer.find('NetworkPolicy', 'allow-postgres-to-minio-storage-egress', 'postgres');
      expect(egress.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
      expect(egress.spec.podSelector).toEqual({ matchLabels: { 'cnpg.io/cluster': 'postgres' } });
      expect(layer.find('NetworkPolicy', 'allow-postgres-to-minio-storage-ingress', 'minio').spec.podSelector).toEqual({
        matchLabels: { 'v1.min.io/tenant': 'storage' },
      });
    });

    test('every object validates against the schemas', () => {
      const layer = withBackups();
      layer.cluster.addDatabase('hrm');
      layer.cluster.replicateWith(PEER, 'replica');
      expect(schemaIssues(layer.manifests())).toEqual([]);
    });
  });

  describe('replicateWith', () => {
    test('needs backupTo() first', () => {
      expect(() => build().cluster.replicateWith(PEER, 'replica')).toThrow(/call backupTo\(\) before replicateWith\(\)/);
    });

    test("as a replica: bootstraps from the peer's archive and follows it", () => {
      const layer = withBackups();
      layer.cluster.addDatabase('hrm');
      layer.cluster.replicateWith(PEER, 'replica');
      const spec = clusterOf(layer).spec;
      expect(spec.bootstrap).toEqual({ recovery: { source: 'postgres-region-b' } });
      expect(spec.replica).toEqual({ primary: 'postgres-region-b', source: 'postgres-region-b', self: 'postgres-region-a' });
      expect(spec.externalClusters.map((c: any) => c.name)).toEqual(['postgres-region-a', 'postgres-region-b']);
      expect(spec.externalClusters[1].plugin).toEqual({
        name: 'barman-cloud.cloudnative-pg.io',
        parameters: { barmanObjectName: 'postgres-postgres-region-b-archive', serverName: 'postgres-region-b' },
      });
    });

    test("reads the peer's archive with a credential from the secret store and egress on 443", () => {
      const layer = withBackups();
      layer.cluster.replicateWith(PEER, 'replica');
      const store = layer.find('ObjectStore', 'postgres-postgres-region-b-archive', 'postgres');
      expect(store.spec.configuration).toEqual(
        expect.objectContaining({ destinationPath: 's3://pg-backups/', endpointURL: 'https://s3.region-b.strata.example' }),
      );
      const creds = layer.find('ExternalSecret', 'postgres-postgres-region-b-archive-s3-credentials', 'postgres');
      expect(creds.spec.data.map((d: any) => d.remoteRef.key)).toEqual([PEER.credentialsRemoteKey, PEER.credentialsRemoteKey]);
      expect(layer.find('NetworkPolicy', 'allow-postgres-to-peer-archive', 'postgres').spec.egress[0].ports).toEqual([
        { protocol: 'TCP', port: 443 },
      ]);
    });

    test('as the primary: leads the topology and keeps initdb', () => {
      const layer = withBackups();
      layer.cluster.addDatabase('hrm');
      layer.cluster.replicateWith(PEER, 'primary');
      const spec = clusterOf(layer).spec;
      expect(spec.replica).toEqual({ primary: 'postgres-region-a', source: 'postgres-region-b', self: 'postgres-region-a' });
      expect(spec.bootstrap.initdb).toBeDefined();
      expect(spec.bootstrap.recovery).toBeUndefined();
    });
  });

  describe('alerts', () => {
    const rulesOf = (layer: TestLayer) => alertRules(layer, 'postgres', 'postgres');
    const exprOf = (layer: TestLayer, alert: string, severity?: string) =>
      rulesOf(layer)
        .filter((r) => r.alert === alert && (!severity || r.labels.severity === severity))
        .map((r) => r.expr);
    const PREFIXES = ['cnpg_', 'barman_cloud_', 'kubelet_'];
    const LABELS = { namespace: 'postgres', cnpg_cluster: 'postgres' };
    const PODS = 'pod=~"postgres-[1-9][0-9]*"';
    const VOLUMES = 'persistentvolumeclaim=~"postgres-[1-9][0-9]*(-wal)?"';

    test('a PrometheusRule named after the cluster, in its namespace: availability, replication and volumes', () => {
      expect(alertNames(rulesOf(build()))).toEqual([
        'PostgresClusterDown',
        'PostgresInstanceDown',
        'PostgresHighAvailabilityLost',
        'PostgresReplicationLagHigh',
        'PostgresVolumeNearlyFull',
      ]);
    });

    test("backupTo() adds WAL archiving and base backup alerts, from the Barman Cloud plugin's metrics", () => {
      const layer = withBackups();
      expect(alertNames(rulesOf(layer))).toEqual([
        'PostgresClusterDown',
        'PostgresInstanceDown',
        'PostgresHighAvailabilityLost',
        'PostgresReplicationLagHigh',
        'PostgresWalArchivingFailing',
        'PostgresBackupFailed',
        'PostgresBackupMissing',
        'PostgresNoBackupReported',
        'PostgresVolumeNearlyFull',
      ]);
      expect(exprOf(layer, 'PostgresWalArchivingFailing')[0]).toContain('cnpg_pg_stat_archiver_last_failed_time');
      for (const alert of ['PostgresBackupFailed', 'PostgresBackupMissing', 'PostgresNoBackupReported']) {
        expect(exprOf(layer, alert)[0]).toContain('barman_cloud_cloudnative_pg_io_last_available_backup_timestamp');
        expect(exprOf(layer, alert)[0]).not.toContain('cnpg_collector_last');
      }
    });

    test("every expression is scoped to the cluster's namespace and its instance pods or PVCs; severity, cluster labels and annotations naming it", () => {
      const rules = rulesOf(withBackups());
      for (const rule of rules) {
        const scope = rule.expr.includes('kubelet_volume_stats')
          ? ['namespace="postgres"', VOLUMES, 'job="kubelet"']
          : ['namespace="postgres"', PODS];
        expectScoped(rule, scope, PREFIXES, LABELS, 'postgres/postgres');
      }
      expect(new Set(rules.map((r) => r.labels.severity))).toEqual(new Set(['critical', 'warning']));
    });

    test("a second cluster in the same namespace gets its own rule, matching none of the first one's pods", () => {
      const layer = build();
      new CloudNativePgCluster(layer.chart, 'Orders', { ...PROPS, name: 'orders', topologyName: 'orders-region-a' });
      const orders = alertRules(layer, 'orders', 'postgres');
      for (const rule of orders) {
        expect(rule.labels.cnpg_cluster).toBe('orders');
        for (const s of rule.expr.matchAll(/(pod|persistentvolumeclaim)=~"([^"]+)"/g)) {
          expect(new RegExp(`^(?:${s[2]})$`).test('postgres-1')).toBe(false);
          expect(new RegExp(`^(?:${s[2]})$`).test('orders-1')).toBe(true);
        }
      }
    });

    test('HA lost counts standbys with a WAL receiver, not walsenders (CDC connectors are walsenders too)', () => {
      const [expr] = exprOf(build(), 'PostgresHighAvailabilityLost');
      expect(expr).toBe(`sum(cnpg_pg_replication_is_wal_receiver_up{namespace="postgres", ${PODS}}) < 1`);
    });

    test('a single instance: no instance, HA or lag alerts (the cluster-down alert covers it)', () => {
      expect(alertNames(rulesOf(build({ instances: 1, synchronous: false })))).toEqual(['PostgresClusterDown', 'PostgresVolumeNearlyFull']);
    });

    test('default thresholds: 300s lag, volumes 80% / 90%, no backup for 1.5 × the daily schedule (36h)', () => {
      const layer = withBackups();
      expect(exprOf(layer, 'PostgresReplicationLagHigh')[0]).toMatch(/ > 300$/);
      expect(exprOf(layer, 'PostgresVolumeNearlyFull', 'warning')[0]).toMatch(/ > 80$/);
      expect(exprOf(layer, 'PostgresVolumeNearlyFull', 'critical')[0]).toMatch(/ > 90$/);
      expect(exprOf(layer, 'PostgresBackupMissing')[0]).toMatch(/ > 129600$/);
      expect(rulesOf(layer).find((r) => r.alert === 'PostgresNoBackupReported')!.for).toBe('36h');
    });

    test('thresholds are props; a schedule with a varying interval falls back to 26h', () => {
      const layer = withBackups({
        alerts: { replicationLagSeconds: 60, volumeUsageWarningPercent: 70, volumeUsageCriticalPercent: 85, backupMissingAfter: '12h' },
      });
      expect(exprOf(layer, 'PostgresReplicationLagHigh')[0]).toMatch(/ > 60$/);
      expect(exprOf(layer, 'PostgresVolumeNearlyFull', 'warning')[0]).toMatch(/ > 70$/);
      expect(exprOf(layer, 'PostgresVolumeNearlyFull', 'critical')[0]).toMatch(/ > 85$/);
      expect(exprOf(layer, 'PostgresBackupMissing')[0]).toMatch(/ > 43200$/);
      expect(exprOf(withBackups({ backupSchedule: '0 1 1 * *' }), 'PostgresBackupMissing')[0]).toMatch(/ > 93600$/);
    });

    test('invalid thresholds are constructor errors naming the cluster, the option and the value', () => {
      expect(() => build({ alerts: { volumeUsageWarningPercent: 95 } })).toThrow(
        /CloudNativePG cluster postgres: alerts.volumeUsage\{Warning,Critical\}Percent warning 95% and critical 90%/,
      );
      expect(() => build({ alerts: { backupMissingAfter: '2 days' } })).toThrow(
        /CloudNativePG cluster postgres: alerts.backupMissingAfter "2 days" is not a duration/,
      );
      expect(() => build({ alerts: { replicationLagSeconds: 0 } })).toThrow(
        /CloudNativePG cluster postgres: alerts.replicationLagSeconds 0 must be a positive number/,
      );
    });
  });
});

describe('CloudNativePgCluster image and extensions', () => {
  test('a custom image, pinned, runs the instances (a CJK text-search build with pgvector)', () => {
    const layer = build({ image: 'dirtbikechina/postgres:15-cjk' });
    expect(clusterOf(layer).spec.imageName).toBe('dirtbikechina/postgres:15-cjk');
    expect(clusterOf(build()).spec.imageName).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:\d+/);
    expect(clusterOf(build({ image: 'registry.example.org:5000/db/postgres@sha256:' + 'a'.repeat(64) })).spec.imageName).toContain('@sha256:');
  });

  test('an image by latest, without a tag, or with a tag CloudNativePG cannot read a major version from is refused', () => {
    expect(() => build({ image: 'dirtbikechina/postgres:latest' })).toThrow(/image "dirtbikechina\/postgres:latest" .*latest/);
    expect(() => build({ image: 'dirtbikechina/postgres' })).toThrow(/image "dirtbikechina\/postgres" /);
    expect(() => build({ image: 'dirtbikechina/postgres:cjk-15' })).toThrow(
      'has a tag that does not start with the PostgreSQL major version; CloudNativePG reads the version from it: tag it like 15-cjk or 17.5, or pin it by digest',
    );
  });

  test('extensions are created per database by the operator, sorted and once each', () => {
    const layer = build();
    layer.cluster.addDatabase('wanderer', { extensions: ['vector', 'pg_trgm', 'vector'] });
    const db = layer.all('Database').find((d: any) => d.spec.name === 'wanderer');
    expect(db.spec.extensions).toEqual([
      { name: 'pg_trgm', ensure: 'present' },
      { name: 'vector', ensure: 'present' },
    ]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
    expect(() => layer.cluster.addDatabase('other', { extensions: ['vector; DROP'] })).toThrow(
      'database "other": extension "vector; DROP" is not an extension name',
    );
  });
});

test("shared preload libraries are added to the operator's own, sorted and once each", () => {
  const layer = build({ sharedPreloadLibraries: ['pg_cron', 'auto_explain', 'pg_cron'] });
  expect(layer.find('Cluster', 'postgres', 'postgres').spec.postgresql.shared_preload_libraries).toEqual(['auto_explain', 'pg_cron']);
  expect(layer.find('Cluster', 'postgres', 'postgres').spec.postgresql.parameters.shared_preload_libraries).toBeUndefined();
  expect(build().find('Cluster', 'postgres', 'postgres').spec.postgresql.shared_preload_libraries).toBeUndefined();
  expect(schemaIssues(layer.manifests())).toEqual([]);
});
