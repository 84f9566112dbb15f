import { Grantee } from '../../../constructs/core/grantee';
import { ZalandoPostgresCluster, ZalandoPostgresClusterProps, ZalandoReplicationPeer } from '../../../constructs/data/zalando-postgres-cluster';
import { LayerChart } from '../../../constructs/platform/layer-chart';
import { MinioTenant } from '../../../constructs/storage/minio-tenant';
import { merge } from '../../../environments/load';
import { alertNames, alertRules, expectScoped } from '../../support/alerts';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';
import { checkRules, testAlerts } from '../../support/promtool';

const PROPS: ZalandoPostgresClusterProps = {
  name: 'postgres',
  instances: 3,
  synchronous: true,
  podAntiAffinity: 'required',
  storageSize: '120Gi',
  storageClass: 'fast-ssd-retain',
  resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
  parameters: { max_connections: '200' },
  nodePool: { labels: { 'node.role': 'database' }, taints: [{ key: 'node.role', value: 'database', effect: 'NoSchedule' }] },
  zoneLabel: 'topology.kubernetes.io/zone',
  secretBackend: EXTERNAL_SECRETS,
  topologyName: 'postgres-region-b',
  backupSchedule: '0 1 * * *',
  backupRetention: '30d',
};

const PEER: ZalandoReplicationPeer = {
  topologyName: 'postgres-region-a',
  objectStorageEndpoint: 'https://s3.region-a.strata.example',
  bucket: 'pg-backups',
  credentialsRemoteKey: 'region-a/prod/minio/storage/users/postgres-region-b',
  sharedSecretKeyPrefix: 'region-a/prod',
};

type Built = TestLayer & { cluster: ZalandoPostgresCluster };

function build(props: Partial<ZalandoPostgresClusterProps> = {}): Built {
  const layer = testLayer('data');
  const cluster = new ZalandoPostgresCluster(layer.chart, 'Postgres', { ...PROPS, ...props });
  return { ...layer, cluster };
}

/** A cluster backed up into a MinIO tenant of the same layer. */
function withBackups(props: Partial<ZalandoPostgresClusterProps> = {}): Built {
  const built = build(props);
  const minio = new MinioTenant(built.chart, 'Minio', {
    name: 'storage',
    servers: 4,
    volumesPerServer: 1,
    volumeSize: '100Gi',
    storageClass: 'fast-ssd-retain',
    resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    secretBackend: EXTERNAL_SECRETS,
    secretKeyPrefix: 'region-b/prod',
  });
  built.cluster.backupTo(minio.bucket('pg-backups'));
  return built;
}

const manifestOf = (layer: TestLayer) => layer.find('postgresql', 'postgres', 'postgres');
const envOf = (layer: TestLayer) => Object.fromEntries((manifestOf(layer).spec.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
const operatorValues = (layer: TestLayer) => merge<any>({}, ...layer.context.operatorValues('postgres-operator'));
const policy = (layer: TestLayer, name: string, namespace: string) => layer.find('NetworkPolicy', name, namespace).spec;

describe('ZalandoPostgresCluster', () => {
  describe('documented defaults', () => {
    test('namespace postgres, team strata, PostgreSQL 17', () => {
      const { cluster, ...layer } = build();
      const m = manifestOf(layer);
      expect(cluster.namespace).toBe('postgres');
      expect(m.spec.teamId).toBe('strata');
      expect(m.spec.postgresql.version).toBe('17');
      expect(cluster.version).toBe('17');
    });

    test('namespace, team and version can be set', () => {
      const layer = build({ namespace: 'db', teamId: 'payments', version: '16' });
      const m = layer.find('postgresql', 'postgres', 'db');
      expect(m.spec.teamId).toBe('payments');
      expect(m.spec.postgresql.version).toBe('16');
    });

    /** Only what has no default: where the credentials come from. */
    const defaults = (): Built => {
      const layer = testLayer('data');
      const cluster = new ZalandoPostgresCluster(layer.chart, 'Postgres', { secretBackend: EXTERNAL_SECRETS });
      return { ...layer, cluster };
    };

    test("with only a secret backend: 'postgres', 3 instances, strict synchronous, required anti-affinity", () => {
      const layer = defaults();
      const spec = manifestOf(layer).spec;
      expect(layer.cluster.clusterName).toBe('postgres');
      expect(spec.numberOfInstances).toBe(3);
      expect(spec.patroni).toEqual({ synchronous_mode: true, synchronous_mode_strict: true, synchronous_node_count: 1 });
      expect(operatorValues(layer).configKubernetes).toMatchObject({
        enable_pod_antiaffinity: true,
        pod_antiaffinity_preferred_during_scheduling: false,
      });
    });

    test("one '100Gi' volume of the cluster default StorageClass, 2 CPUs / 8Gi Guaranteed, parameters sized for them", () => {
      const spec = manifestOf(defaults()).spec;
      expect(spec.volume).toEqual({ size: '100Gi' });
      expect(spec.resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } });
      expect(spec.postgresql.parameters).toEqual({
        max_connections: '200',
        shared_buffers: '2GB',
        effective_cache_size: '6GB',
        work_mem: '16MB',
        maintenance_work_mem: '512MB',
      });
    });

    test('spread over the well-known zone label; topology name <name>-<region> of the layer', () => {
      const layer = defaults();
      expect(manifestOf(layer).spec.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone']);
      expect(layer.cluster.topologyName).toBe('postgres-region-a');
    });

    test("backups daily at 01:00, kept '30d'", () => {
      const layer = defaults();
      const minio = new MinioTenant(layer.chart, 'Minio', {
        name: 'storage',
        servers: 4,
        volumesPerServer: 1,
        volumeSize: '100Gi',
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
        secretBackend: EXTERNAL_SECRETS,
      });
      layer.cluster.backupTo(minio.bucket('pg-backups'));
      const spec = manifestOf(layer).spec;
      expect([spec.logicalBackupSchedule, spec.logicalBackupRetention]).toEqual(['0 1 * * *', '30 days']);
      expect(envOf(layer)).toMatchObject({ BACKUP_SCHEDULE: '0 1 * * *', BACKUP_NUM_TO_RETAIN: '30' });
      expect(schemaIssues(layer.manifests())).toEqual([]);
    });

    test('every object validates against the schemas', () => {
      expect(schemaIssues(defaults().manifests())).toEqual([]);
    });

    test('the defaults are validated with what is given: synchronous replication with one instance', () => {
      const layer = testLayer('data');
      expect(() => new ZalandoPostgresCluster(layer.chart, 'Postgres', { secretBackend: EXTERNAL_SECRETS, instances: 1 })).toThrow(
        'Zalando cluster postgres: synchronous replication needs at least 2 instances (got 1)',
      );
    });
  });

  describe('Patroni synchronous mode', () => {
    test('strict, a majority of the standbys for 3 instances', () => {
      expect(manifestOf(build()).spec.patroni).toEqual({ synchronous_mode: true, synchronous_mode_strict: true, synchronous_node_count: 1 });
    });

    test('more standbys confirm in a larger cluster', () => {
      expect(manifestOf(build({ instances: 5 })).spec.patroni.synchronous_node_count).toBe(2);
    });

    test('absent when synchronous is false', () => {
      expect(manifestOf(build({ synchronous: false, instances: 1 })).spec.patroni).toBeUndefined();
    });

    test('with 1 instance is a constructor error naming the cluster, the value and the fix', () => {
      expect(() => build({ instances: 1 })).toThrow(
        'Zalando cluster postgres: synchronous replication needs at least 2 instances (got 1); raise instances or set synchronous: false',
      );
    });
  });

  test('instances, one volume on the retain class, guaranteed resources and parameters', () => {
    const spec = manifestOf(build()).spec;
    expect(spec.numberOfInstances).toBe(3);
    expect(spec.volume).toEqual({ size: '120Gi', storageClass: 'fast-ssd-retain' });
    expect(spec.resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } });
    expect(spec.postgresql.parameters).toEqual({ max_connections: '200' });
  });

  test('runs Spilo as its postgres user, with no load balancers', () => {
    const spec = manifestOf(build()).spec;
    expect([spec.spiloRunAsUser, spec.spiloRunAsGroup, spec.spiloFSGroup]).toEqual([101, 103, 103]);
    expect(spec.enableMasterLoadBalancer).toBe(false);
    expect(spec.enableReplicaLoadBalancer).toBe(false);
  });

  test('serves TLS with a certificate from the platform CA, which clients get as `ca`', () => {
    const layer = build();
    expect(manifestOf(layer).spec.tls).toEqual({ secretName: 'postgres-tls' });
    expect(layer.cluster.ca).toEqual({ name: 'postgres-tls', key: 'ca.crt' });
    const cert = layer.find('Certificate', 'postgres-tls', 'postgres').spec;
    expect(cert.issuerRef.name).toBe('strata-ca');
    expect(cert.dnsNames).toEqual(
      expect.arrayContaining(['postgres.postgres.svc', 'postgres-repl.postgres.svc', 'postgres-pooler.postgres.svc.cluster.local']),
    );
  });

  test('spreads instances over zones on the database node pool; anti-affinity is an operator setting', () => {
    const layer = build();
    const spec = manifestOf(layer).spec;
    expect(spec.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'node.role', operator: 'In', values: ['database'] }] },
    ]);
    expect(spec.tolerations).toEqual([{ key: 'node.role', operator: 'Equal', value: 'database', effect: 'NoSchedule' }]);
    expect(spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { application: 'spilo', 'cluster-name': 'postgres' } },
      },
    ]);
    expect(layer.context.operators).toEqual(['postgres-operator']);
    expect(operatorValues(layer).configKubernetes).toEqual({ enable_pod_antiaffinity: true, pod_antiaffinity_preferred_during_scheduling: false });
    expect(operatorValues(layer).configGeneral).toEqual({ enable_team_id_clustername_prefix: false });
    expect(operatorValues(build({ podAntiAffinity: 'preferred' })).configKubernetes.pod_antiaffinity_preferred_during_scheduling).toBe(true);
  });

  test('without a node pool, no node affinity or tolerations', () => {
    const spec = manifestOf(build({ nodePool: undefined })).spec;
    expect(spec.nodeAffinity).toBeUndefined();
    expect(spec.tolerations).toBeUndefined();
  });

  test('is protected from pruning', () => {
    expect(manifestOf(build()).metadata.annotations).toEqual(
      expect.objectContaining({
        'kustomize.toolkit.fluxcd.io/prune': 'disabled',
        'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
      }),
    );
  });

  test('requires a baseline workload namespace with API server egress, and says why', () => {
    const layer = build();
    const ns = layer.context.namespaces.find((n) => n.name === 'postgres')!;
    expect(ns).toEqual(expect.objectContaining({ workload: true, apiServerEgress: true, podSecurity: 'baseline' }));
    expect(ns.podSecurityReason).toMatch(/seccomp/);
  });

  test('the operator may reach SQL and Patroni, and the instances each other', () => {
    const layer = build();
    const ingress = policy(layer, 'allow-postgres-operator-to-postgres-ingress', 'postgres');
    expect(ingress.podSelector.matchLabels).toEqual({ application: 'spilo', 'cluster-name': 'postgres' });
    expect(ingress.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'postgres-operator' });
    expect(ingress.ingress[0].ports.map((p: any) => p.port)).toEqual([5432, 8008]);
    expect(policy(layer, 'allow-postgres-operator-to-postgres-egress', 'postgres-operator').podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'postgres-operator',
    });
    expect(policy(layer, 'allow-postgres-replication-ingress', 'postgres').ingress[0].ports.map((p: any) => p.port)).toEqual([5432, 8008]);
  });

  describe('roles and databases', () => {
    test('an owner role and a database per application, in the manifest', () => {
      const layer = build();
      layer.cluster.addDatabase('nextcloud_db');
      layer.cluster.addDatabase('hrm', { poolerInstances: 0 });
      const spec = manifestOf(layer).spec;
      expect(spec.users).toEqual({ hrm: [], nextcloud_db: [] });
      expect(spec.databases).toEqual({ hrm: 'hrm', nextcloud_db: 'nextcloud_db' });
    });

    test('credentials are the Secrets the operator generates; no ExternalSecret is rendered for them', () => {
      const layer = build();
      const db = layer.cluster.addDatabase('nextcloud_db');
      expect(db.credentials.name).toBe('nextcloud-db.postgres.credentials.postgresql.acid.zalan.do');
      expect(db.credentials.namespace).toBe('postgres');
      expect(db.credentials.selector('password')).toEqual({ name: 'nextcloud-db.postgres.credentials.postgresql.acid.zalan.do', key: 'password' });
      expect(() => db.credentials.selector('token')).toThrow('has no key "token" (keys: password, username)');
      expect(layer.all('ExternalSecret')).toEqual([]);
      // A construct of the data layer, so consumers can depend on that layer.
      expect(LayerChart.of(db.credentials)).toBe(layer.chart);
      expect(layer.cluster.database('nextcloud_db')).toBe(db);
    });

    test('role flags: nologin and replication; membership cannot be expressed', () => {
      const layer = build();
      layer.cluster.addRole('reader', { login: false });
      layer.cluster.addRole('cdc', { replication: true });
      expect(manifestOf(layer).spec.users).toEqual({ cdc: ['replication'], reader: ['nologin'] });
      expect(() => layer.cluster.addRole('app', { inRoles: ['reader'] })).toThrow(
        'role "app" asks for inRoles [reader], but Zalando users carry only flags',
      );
      expect(() => layer.cluster.addRole('cdc')).toThrow('role "cdc" is added twice with different options');
      expect(layer.cluster.addRole('cdc', { replication: true }).name).toBe('cdc.postgres.credentials.postgresql.acid.zalan.do');
    });

    test('names that are not Postgres identifiers, duplicates and unknown databases are errors', () => {
      const layer = build();
      layer.cluster.addDatabase('hrm');
      expect(() => layer.cluster.addDatabase('Bad-Name')).toThrow('database name "Bad-Name" is not a valid Postgres identifier');
      expect(() => layer.cluster.addDatabase('hrm')).toThrow('database "hrm" is added twice to cluster postgres');
      expect(() => layer.cluster.database('payroll')).toThrow('cluster postgres has no database "payroll" (databases: hrm)');
    });
  });

  describe('connection pooler', () => {
    test('one pooler for the cluster, as large as the largest request (2 transaction-mode instances by default)', () => {
      const layer = build();
      const hrm = layer.cluster.addDatabase('hrm');
      const payroll = layer.cluster.addDatabase('payroll', { poolerInstances: 3 });
      const spec = manifestOf(layer).spec;
      expect(spec.enableConnectionPooler).toBe(true);
      expect(spec.connectionPooler).toEqual({
        numberOfInstances: 3,
        mode: 'transaction',
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      });
      expect(hrm.host).toBe('postgres-pooler.postgres.svc.cluster.local');
      expect(payroll.host).toBe(hrm.host);
      expect(layer.find('PodDisruptionBudget', 'postgres-pooler', 'postgres').spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { 'connection-pooler': 'postgres-pooler' } },
      });
      expect(policy(layer, 'allow-postgres-pooler-to-postgres-ingress', 'postgres').ingress[0].ports[0].port).toBe(5432);
    });

    test('no pooler without pooled databases; those connect to the primary', () => {
      const layer = build();
      const db = layer.cluster.addDatabase('hrm', { poolerInstances: 0 });
      expect(db.host).toBe('postgres.postgres.svc.cluster.local');
      expect(db.port).toBe(5432);
      expect(manifestOf(layer).spec.enableConnectionPooler).toBeUndefined();
      expect(layer.all('PodDisruptionBudget')).toEqual([]);
    });

    test('pooled databases asking for different pool modes are an error with the fix', () => {
      const layer = build();
      layer.cluster.addDatabase('hrm');
      expect(() => layer.cluster.addDatabase('dora', { poolMode: 'session' })).toThrow(
        'database "dora" asks for poolMode session, but "hrm" asked for transaction and Zalando runs one pooler per cluster; use one poolMode for all pooled databases, or poolerInstances: 0 for "dora"',
      );
    });

    test('allowFrom opens the instances and the pooler to the clients', () => {
      const layer = build();
      layer.cluster.addDatabase('hrm');
      layer.cluster.allowFrom(Grantee.of(layer.chart, 'hrm', { namespace: 'hrm', podLabels: { app: 'hrm' } }));
      expect(policy(layer, 'allow-hrm-to-postgres-egress', 'hrm').egress[0].to[0].podSelector.matchLabels).toEqual({
        application: 'spilo',
        'cluster-name': 'postgres',
      });
      expect(policy(layer, 'allow-hrm-to-postgres-pooler-ingress', 'postgres').podSelector.matchLabels).toEqual({
        'connection-pooler': 'postgres-pooler',
      });
    });

    test('clients allowed before the first pooled database reach the pooler once it exists', () => {
      const layer = build();
      layer.cluster.allowFrom(Grantee.of(layer.chart, 'hrm', { namespace: 'hrm', podLabels: { app: 'hrm' } }));
      expect(layer.all('NetworkPolicy').map((p) => p.metadata.name)).not.toContain('allow-hrm-to-postgres-pooler-ingress');
      layer.cluster.addDatabase('hrm');
      expect(policy(layer, 'allow-hrm-to-postgres-pooler-egress', 'hrm').egress[0].to[0].podSelector.matchLabels).toEqual({
        'connection-pooler': 'postgres-pooler',
      });
    });
  });

  describe('backupTo', () => {
    test('no archive, logical backups or operator S3 settings before backupTo()', () => {
      const layer = build();
      const spec = manifestOf(layer).spec;
      expect(spec.env).toBeUndefined();
      expect(spec.enableLogicalBackup).toBeUndefined();
      expect(operatorValues(layer).configLogicalBackup).toBeUndefined();
    });

    test('WAL-G archives WAL and takes base backups into the bucket, under the topology name', () => {
      const env = envOf(withBackups());
      expect(env.WALG_S3_PREFIX).toBe('s3://pg-backups/spilo/postgres-region-b/wal/17');
      expect(env.WALE_S3_PREFIX).toBe(env.WALG_S3_PREFIX);
      expect(env.AWS_ENDPOINT).toBe('https://minio.minio.svc.cluster.local');
      expect(env.AWS_ACCESS_KEY_ID).toEqual({ secretKeyRef: { name: 'postgres-s3-credentials', key: 'AWS_ACCESS_KEY_ID' } });
      expect(env.WALG_S3_CA_CERT_FILE).toBe('/etc/strata/ca/ca.crt');
      expect(env.USE_WALG_BACKUP).toBe('true');
      expect(env.BACKUP_SCHEDULE).toBe('0 1 * * *');
      expect(env.BACKUP_NUM_TO_RETAIN).toBe('30');
    });

    test('logical backups on the same schedule and retention', () => {
      const spec = manifestOf(withBackups({ backupRetention: '4w' })).spec;
      expect(spec.enableLogicalBackup).toBe(true);
      expect(spec.logicalBackupSchedule).toBe('0 1 * * *');
      expect(spec.logicalBackupRetention).toBe('4 weeks');
    });

    test('contributes the operator-wide S3 settings of the logical backup job and mounts the CA', () => {
      const values = operatorValues(withBackups());
      expect(values.configLogicalBackup).toEqual({
        logical_backup_provider: 's3',
        logical_backup_s3_bucket: 'pg-backups',
        logical_backup_s3_bucket_prefix: 'logical',
        logical_backup_s3_endpoint: 'https://minio.minio.svc.cluster.local',
        logical_backup_s3_region: 'us-east-1',
        logical_backup_s3_sse: '',
        logical_backup_cronjob_environment_secret: 'postgres-s3-credentials',
      });
      expect(values.configAwsOrGcp).toEqual({ additional_secret_mount: 'strata-ca-trust', additional_secret_mount_path: '/etc/strata/ca' });
    });

    test('the bucket credential (from grantReadWrite) carries AWS_CA_BUNDLE for the job', () => {
      const layer = withBackups();
      const es = layer.find('ExternalSecret', 'postgres-s3-credentials', 'postgres').spec;
      expect(es.data.map((d: any) => d.secretKey)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
      expect(es.target.template).toEqual({ engineVersion: 'v2', mergePolicy: 'Merge', data: { AWS_CA_BUNDLE: '/etc/strata/ca/ca.crt' } });
    });

    test('database pods and backup jobs may reach MinIO; the jobs may reach the instances', () => {
      const layer = withBackups();
      expect(policy(layer, 'allow-postgres-to-minio-storage-egress', 'postgres').podSelector.matchLabels).toEqual({ 'cluster-name': 'postgres' });
      const job = policy(layer, 'allow-postgres-logical-backup-ingress', 'postgres');
      expect(job.ingress[0].from[0].podSelector.matchLabels).toEqual({ application: 'spilo-logical-backup', 'cluster-name': 'postgres' });
    });

    test('a schedule the operator rejects, or a second backupTo(), are errors', () => {
      expect(() => build({ backupSchedule: '@daily' })).toThrow(
        'backupSchedule "@daily" is not accepted by the operator, which takes five numeric cron fields only',
      );
      const layer = withBackups();
      const minio = layer.chart.node.findChild('Minio') as MinioTenant;
      expect(() => layer.cluster.backupTo(minio.bucket('pg-backups'))).toThrow('backupTo() is called twice');
    });

    test('every object validates against the schemas', () => {
      const layer = withBackups();
      layer.cluster.addDatabase('hrm');
      layer.cluster.addDatabase('reporting', { poolerInstances: 0, poolMode: 'session' });
      expect(schemaIssues(layer.manifests())).toEqual([]);
    });
  });

  describe('replicateWith', () => {
    test('needs backupTo() first', () => {
      expect(() => build().cluster.replicateWith(PEER, 'replica')).toThrow('call backupTo() before replicateWith()');
    });

    test("as a replica: a standby cluster replaying the peer's WAL archive", () => {
      const layer = withBackups();
      layer.cluster.replicateWith(PEER, 'replica');
      const spec = manifestOf(layer).spec;
      expect(spec.standby).toEqual({ s3_wal_path: 's3://pg-backups/spilo/postgres-region-a/wal/17' });
      const env = envOf(layer);
      expect(env.STANDBY_AWS_ENDPOINT).toBe('https://s3.region-a.strata.example');
      expect(env.STANDBY_AWS_ACCESS_KEY_ID).toEqual({
        secretKeyRef: { name: 'postgres-postgres-region-a-archive-s3-credentials', key: 'AWS_ACCESS_KEY_ID' },
      });
      expect(env.STANDBY_USE_WALG_RESTORE).toBe('true');
      const creds = layer.find('ExternalSecret', 'postgres-postgres-region-a-archive-s3-credentials', 'postgres').spec;
      expect(creds.data[0].remoteRef.key).toBe('region-a/prod/minio/storage/users/postgres-region-b');
      const egress = layer.find('NetworkPolicy', 'allow-postgres-to-peer-archive', 'postgres').spec.egress[0];
      expect(egress.ports[0].port).toBe(443);
      expect(schemaIssues(layer.manifests())).toEqual([]);
    });

    test('both sides read the postgres and standby passwords from the same secret-store keys', () => {
      for (const role of ['primary', 'replica'] as const) {
        const layer = withBackups();
        layer.cluster.replicateWith(PEER, role);
        const es = layer.find('ExternalSecret', 'standby.postgres.credentials.postgresql.acid.zalan.do', 'postgres').spec;
        expect(es.data).toEqual([
          { secretKey: 'password', remoteRef: { key: 'region-a/prod/postgres/postgres/system/standby', property: 'password' } },
        ]);
        expect(es.target.template.data).toEqual({ username: 'standby', password: '{{ .password }}' });
        expect(layer.find('ExternalSecret', 'postgres.postgres.credentials.postgresql.acid.zalan.do', 'postgres')).toBeDefined();
        expect(manifestOf(layer).spec.postgresql.parameters.archive_timeout).toBe('60s');
      }
    });

    test('as the primary: no standby section and no egress to the peer', () => {
      const layer = withBackups({ parameters: { archive_timeout: '5min' } });
      layer.cluster.replicateWith(PEER, 'primary');
      const spec = manifestOf(layer).spec;
      expect(spec.standby).toBeUndefined();
      expect(spec.postgresql.parameters.archive_timeout).toBe('5min');
      expect(layer.all('NetworkPolicy').map((p) => p.metadata.name)).not.toContain('allow-postgres-to-peer-archive');
    });
  });

  describe('validation', () => {
    test('names the operator rejects', () => {
      expect(() => build({ name: 'Postgres' })).toThrow('name "Postgres" is not accepted by the operator');
      expect(() => build({ name: 'p'.repeat(54) })).toThrow('at most 53 characters');
    });

    test('quantities the CRD rejects', () => {
      expect(() => build({ resources: { requests: { cpu: '1.2345', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } } })).toThrow(
        'resources.requests.cpu "1.2345" is not accepted by the operator; write millicores (500m) or cores with at most three decimals (1.5)',
      );
      expect(() => build({ backupRetention: '30 days' })).toThrow('backupRetention "30 days" is not a retention');
    });
  });
});

describe('ZalandoPostgresCluster metrics and alerts', () => {
  const rulesOf = (layer: TestLayer) => alertRules(layer, 'postgres', 'postgres');
  const LABELS = { namespace: 'postgres', postgres_cluster: 'postgres' };
  const PODS = 'pod=~"postgres-[0-9]+"';
  const at = (pod: string) => `namespace="postgres", pod="${pod}"`;
  /** Patroni's series of a healthy three-member cluster, overridable per metric and pod. */
  const members = (over: Record<string, string> = {}) =>
    ['postgres-0', 'postgres-1', 'postgres-2'].flatMap((pod, i) => {
      const base: Record<string, string> = {
        patroni_postgres_running: '1x30',
        patroni_cluster_unlocked: '0x30',
        patroni_primary: i === 0 ? '1x30' : '0x30',
        patroni_replica: i === 0 ? '0x30' : '1x30',
        patroni_postgres_streaming: i === 0 ? '0x30' : '1x30',
        patroni_xlog_location: i === 0 ? '100000000x30' : '0x30',
        patroni_xlog_received_location: i === 0 ? '0x30' : '99000000x30',
      };
      return Object.entries(base).map(([metric, values]) => ({
        series: `${metric}{${at(pod)}, scope="postgres"}`,
        values: over[`${metric}/${pod}`] ?? values,
      }));
    });
  const firing = (alertname: string, evalTime: string, extra: Record<string, string>[] = []) => ({ alertname, evalTime, firing: extra });

  test("Prometheus scrapes Patroni's /metrics on 8008 over a PodMonitor, through a network path from Prometheus only", () => {
    const layer = build();
    const monitor = layer.find('PodMonitor', 'postgres', 'postgres');
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { application: 'spilo', 'cluster-name': 'postgres' } },
      podMetricsEndpoints: [{ portNumber: 8008, path: '/metrics', scheme: 'http' }],
    });
    const ingress = policy(layer, 'allow-prometheus-to-postgres-ingress', 'postgres');
    expect(ingress.ingress).toEqual([expect.objectContaining({ ports: [{ protocol: 'TCP', port: 8008 }] })]);
    expect(ingress.ingress[0].from).toEqual([
      expect.objectContaining({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }),
    ]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a PrometheusRule named after the cluster: availability, leader, replication and volumes; logical backups with backupTo()', () => {
    expect(alertNames(rulesOf(build()))).toEqual([
      'PostgresClusterDown',
      'PostgresNoLeader',
      'PostgresInstanceDown',
      'PostgresReplicaNotStreaming',
      'PostgresReplicationLagHigh',
      'PostgresVolumeNearlyFull',
    ]);
    expect(alertNames(rulesOf(withBackups()))).toContain('PostgresLogicalBackupMissing');
    expect(alertNames(rulesOf(build({ instances: 1, synchronous: false })))).toEqual([
      'PostgresClusterDown',
      'PostgresNoLeader',
      'PostgresVolumeNearlyFull',
    ]);
  });

  test("every expression is scoped to the cluster's namespace and its pods, volumes or CronJob", () => {
    for (const rule of rulesOf(withBackups())) {
      const scope = rule.expr.includes('kubelet_volume_stats')
        ? ['namespace="postgres"', 'persistentvolumeclaim=~"pgdata-postgres-[0-9]+"', 'job="kubelet"']
        : rule.expr.includes('kube_cronjob')
          ? ['namespace="postgres"', 'cronjob="logical-backup-postgres"']
          : ['namespace="postgres"', PODS];
      expectScoped(rule, scope, ['patroni_', 'kubelet_', 'kube_cronjob_'], LABELS, 'postgres/postgres');
    }
  });

  test('rules pass promtool check rules', () => {
    expect(checkRules([withBackups().find('PrometheusRule', 'postgres', 'postgres')])).toBe('');
  });

  test('a healthy cluster raises nothing', () => {
    const names = alertNames(rulesOf(build()));
    expect(
      testAlerts(
        rulesOf(build()),
        members(),
        names.map((n) => firing(n, '20m')),
      ),
    ).toBe('');
  });

  test('the cluster is down when no member runs PostgreSQL for 5 minutes, and leaderless when the leader key is free for 2', () => {
    const down = members(Object.fromEntries(['postgres-0', 'postgres-1', 'postgres-2'].map((p) => [`patroni_postgres_running/${p}`, '1x4 0x26'])));
    expect(
      testAlerts(rulesOf(build()), down, [
        firing('PostgresClusterDown', '7m'),
        firing('PostgresClusterDown', '10m', [{ ...LABELS, severity: 'critical' }]),
      ]),
    ).toBe('');
    const unlocked = members({ 'patroni_cluster_unlocked/postgres-1': '0x4 1x26' });
    expect(
      testAlerts(rulesOf(build()), unlocked, [
        firing('PostgresNoLeader', '5m'),
        firing('PostgresNoLeader', '8m', [{ ...LABELS, severity: 'critical' }]),
      ]),
    ).toBe('');
  });

  test("a standby that stops streaming, or trails by more than Spilo's failover limit (32 MiB), is reported by pod", () => {
    const stalled = members({ 'patroni_postgres_streaming/postgres-2': '1x4 0x26' });
    expect(
      testAlerts(rulesOf(build()), stalled, [
        firing('PostgresReplicaNotStreaming', '20m', [{ ...LABELS, severity: 'warning', pod: 'postgres-2', scope: 'postgres' }]),
      ]),
    ).toBe('');
    const behind = members({ 'patroni_xlog_received_location/postgres-1': '99000000x4 60000000x26' });
    expect(
      testAlerts(rulesOf(build()), behind, [
        firing('PostgresReplicationLagHigh', '20m', [
          { ...LABELS, severity: 'warning', namespace: 'postgres', pod: 'postgres-1', scope: 'postgres' },
        ]),
      ]),
    ).toBe('');
    // 1 MB behind is within the limit.
    expect(testAlerts(rulesOf(build()), members(), [firing('PostgresReplicationLagHigh', '20m')])).toBe('');
  });

  test('a DR standby cluster (its leader a standby leader replaying the archive) is not leaderless and raises no lag alert', () => {
    const standby = members({
      'patroni_primary/postgres-0': '0x30',
      'patroni_xlog_location/postgres-0': '0x30',
      'patroni_postgres_streaming/postgres-0': '0x30',
    });
    expect(
      testAlerts(
        rulesOf(build()),
        standby,
        ['PostgresNoLeader', 'PostgresReplicationLagHigh', 'PostgresReplicaNotStreaming'].map((n) => firing(n, '20m')),
      ),
    ).toBe('');
  });

  test('with backupTo(), a logical backup CronJob that has not succeeded for 1.5 × its daily schedule is critical', () => {
    const rules = rulesOf(withBackups());
    const series = [
      { series: 'kube_cronjob_status_last_successful_time{namespace="postgres", cronjob="logical-backup-postgres"}', values: '0x2200' },
    ];
    // Last success at t=0: 36 h later the backup is missing, and the alert fires 15 minutes on.
    const rule = rules.find((r) => r.alert === 'PostgresLogicalBackupMissing')!;
    expect(rule.expr).toBe(
      'time() - max(kube_cronjob_status_last_successful_time{namespace="postgres", cronjob="logical-backup-postgres"}) > 129600',
    );
    expect(
      testAlerts([rule], series, [
        firing('PostgresLogicalBackupMissing', '36h10m'),
        firing('PostgresLogicalBackupMissing', '36h20m', [{ ...LABELS, severity: 'critical' }]),
      ]),
    ).toBe('');
  });

  test('thresholds are options, checked', () => {
    const rules = rulesOf(build({ alerts: { replicationLagBytes: 1048576, volumeUsageWarningPercent: 70, volumeUsageCriticalPercent: 85 } }));
    expect(rules.find((r) => r.alert === 'PostgresReplicationLagHigh')!.expr).toMatch(/ > 1048576$/);
    expect(rules.filter((r) => r.alert === 'PostgresVolumeNearlyFull').map((r) => r.expr.split(' > ').pop())).toEqual(['70', '85']);
    expect(() => build({ alerts: { replicationLagBytes: -1 } })).toThrow(
      'Zalando cluster postgres: alerts.replicationLagBytes -1 must be a positive whole number of bytes',
    );
  });
});

test('extensions are refused, saying where to create them (the operator creates them only for prepared databases)', () => {
  const layer = build();
  expect(() => layer.cluster.addDatabase('wanderer', { extensions: ['vector'] })).toThrow(
    'Zalando cluster postgres: database "wanderer" asks for extensions vector, which the operator does not create for it',
  );
});

test("a Spilo image of one's own, pinned, runs the instances; latest is refused", () => {
  expect(build({ image: 'registry.example.org/db/spilo-17:4.0-p2' }).find('postgresql', 'postgres', 'postgres').spec.dockerImage).toBe(
    'registry.example.org/db/spilo-17:4.0-p2',
  );
  expect(build().find('postgresql', 'postgres', 'postgres').spec.dockerImage).toBeUndefined();
  expect(() => build({ image: 'spilo:latest' })).toThrow(/Zalando cluster postgres: image "spilo:latest" .*latest/);
});
