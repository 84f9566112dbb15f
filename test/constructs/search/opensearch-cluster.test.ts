import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import { Grantee } from '../../../constructs/core/grantee';
import { downloadsIn, unverifiedDownloads } from '../../../constructs/platform/downloads';
import { OpenSearchCluster, OpenSearchClusterProps } from '../../../constructs/search/opensearch-cluster';
import { DEMO_USERS, RESERVED_USERS } from '../../../constructs/search/opensearch-security-config';
import { MinioTenant } from '../../../constructs/storage/minio-tenant';
import { OPENSEARCH, SEARCH_IMAGES } from '../../../constructs/versions';
import { alertNames, alertRules, expectScoped } from '../../support/alerts';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';

const DATABASE_NODES = { labels: { 'node.role': 'database' }, taints: [{ key: 'node.role', value: 'database', effect: 'NoSchedule' as const }] };

/** The prod tier's settings (platform defaults). */
const PROD: OpenSearchClusterProps = {
  name: 'search',
  topology: 'dedicated',
  managers: 3,
  dataNodes: 3,
  storageSize: '100Gi',
  storageClass: 'fast-ssd-retain',
  resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
  heap: '4g',
  nodePool: DATABASE_NODES,
  zoneLabel: 'topology.kubernetes.io/zone',
  secretBackend: EXTERNAL_SECRETS,
  secretKeyPrefix: 'region-a/prod',
};

/** The dev tier's settings. */
const DEV: Partial<OpenSearchClusterProps> = {
  topology: 'combined',
  dataNodes: 1,
  storageSize: '10Gi',
  resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '500m', memory: '2Gi' } },
  heap: '1g',
  secretKeyPrefix: 'region-a/dev',
};

function build(props: Partial<OpenSearchClusterProps> = {}): TestLayer & { cluster: OpenSearchCluster } {
  const layer = testLayer('search');
  const cluster = new OpenSearchCluster(layer.chart, 'OpenSearch', { ...PROD, ...props });
  return { ...layer, cluster };
}

const clusterOf = (layer: TestLayer) => layer.find('OpenSearchCluster', 'search', 'opensearch');
const poolsOf = (layer: TestLayer) => clusterOf(layer).spec.nodePools as any[];
const CONSUMER = { namespace: 'kafka', name: 'cdc-sink', podLabels: { 'strimzi.io/cluster': 'connect' } };
/** The consumer's pods as a grantee owned by `scope`. */
const grantee = (scope: Construct, who: { namespace: string; name: string; podLabels: Record<string, string> } = CONSUMER) =>
  Grantee.of(scope, who.name, { namespace: who.namespace, podLabels: who.podLabels });

describe('OpenSearchCluster', () => {
  describe('node pools', () => {
    test('prod (dedicated): 3 cluster-manager and 3 data nodes, sized by the tier, heap from the tier', () => {
      const pools = poolsOf(build());
      expect(pools.map((p) => [p.component, p.replicas, p.roles])).toEqual([
        ['managers', 3, ['cluster_manager']],
        ['data', 3, ['data', 'ingest', 'remote_cluster_client']],
      ]);
      const [managers, data] = pools;
      expect(data).toMatchObject({
        diskSize: '100Gi',
        jvm: '-Xms4g -Xmx4g',
        resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
        persistence: { pvc: { storageClass: 'fast-ssd-retain', accessModes: ['ReadWriteOnce'] } },
      });
      // Documented defaults of the cluster-manager pool.
      expect(managers).toMatchObject({
        diskSize: '10Gi',
        jvm: '-Xms1g -Xmx1g',
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } },
      });
    });

    test('dev (combined): one node with both roles, no disruption budget', () => {
      const pools = poolsOf(build(DEV));
      expect(pools).toHaveLength(1);
      expect(pools[0]).toMatchObject({
        component: 'nodes',
        replicas: 1,
        roles: ['cluster_manager', 'data', 'ingest', 'remote_cluster_client'],
        jvm: '-Xms1g -Xmx1g',
        diskSize: '10Gi',
      });
      expect(pools[0].pdb).toBeUndefined();
    });

    test('every pool on the database nodes, one node of a pool per machine, spread across zones, at most one down', () => {
      for (const pool of poolsOf(build())) {
        const labels = { 'opensearch.org/opensearch-cluster': 'search', 'opensearch.org/opensearch-nodepool': pool.component };
        expect(pool.nodeSelector).toEqual({ 'node.role': 'database' });
        expect(pool.tolerations).toEqual([{ key: 'node.role', operator: 'Equal', value: 'database', effect: 'NoSchedule' }]);
        expect(pool.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
          { labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' },
        ]);
        expect(pool.topologySpreadConstraints).toEqual([
          { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
        ]);
        expect(pool.pdb).toEqual({ enable: true, maxUnavailable: 1 });
      }
    });

    test.each([[2], [4], [0]])('%i cluster-manager nodes is an error', (managers) => {
      expect(() => build({ managers })).toThrow(
        `OpenSearch cluster search: managers ${managers} must be odd (1, 3 or 5) for a cluster-manager quorum`,
      );
    });

    test('a heap that is not a JVM size is an error', () => {
      expect(() => build({ heap: '4Gi' })).toThrow('OpenSearch cluster search: heap "4Gi" is not a JVM heap size; use e.g. 4g or 512m');
    });
  });

  test('pinned OpenSearch and Dashboards versions, pinned init helper image (never busybox:latest)', () => {
    const spec = clusterOf(build()).spec;
    expect(spec.general.version).toBe(OPENSEARCH.version);
    expect(spec.dashboards.version).toBe(OPENSEARCH.version);
    expect(spec.initHelper.image).toBe(SEARCH_IMAGES.initHelper);
    expect(SEARCH_IMAGES.initHelper).not.toMatch(/:latest$/);
  });

  describe('security', () => {
    test('TLS on transport (operator-generated, one certificate per node) and on HTTP (platform CA)', () => {
      const layer = build();
      const tls = clusterOf(layer).spec.security.tls;
      expect(tls.transport).toEqual({ generate: true, perNode: true });
      expect(tls.http).toEqual({
        enabled: true,
        generate: false,
        secret: { name: 'search-http-tls' },
        adminDn: ['CN=search-admin'],
        enableHotReload: true,
      });
      const http = layer.find('Certificate', 'search-http-tls', 'opensearch');
      expect(http.spec.issuerRef).toEqual({ name: 'strata-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
      // OpenSearch reads PKCS#8 keys only.
      expect(http.spec.privateKey).toMatchObject({ algorithm: 'RSA', encoding: 'PKCS8' });
      expect(http.spec.dnsNames).toEqual(
        expect.arrayContaining(['search.opensearch.svc.cluster.local', 'search-data.opensearch.svc.cluster.local', 'search-managers.opensearch.svc']),
      );
      const admin = layer.find('Certificate', 'search-admin-cert', 'opensearch');
      expect(admin.spec).toMatchObject({ commonName: 'search-admin', usages: ['client auth', 'digital signature', 'key encipherment'] });
      expect(clusterOf(layer).spec.security.config.adminSecret).toEqual({ name: 'search-admin-cert' });
    });

    test('admin and Dashboards credentials by secret reference, user names fixed by the construct', () => {
      const layer = build();
      const spec = clusterOf(layer).spec;
      expect(spec.security.config.adminCredentialsSecret).toEqual({ name: 'search-admin-credentials' });
      expect(spec.dashboards.opensearchCredentialsSecret).toEqual({ name: 'search-dashboards-credentials' });
      const admin = layer.find('ExternalSecret', 'search-admin-credentials', 'opensearch');
      expect(admin.spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'region-a/prod/opensearch/search/admin', property: 'password' } }]);
      expect(admin.spec.target.template).toMatchObject({
        type: 'kubernetes.io/basic-auth',
        data: { username: '{{ "admin" }}', password: '{{ .password }}' },
      });
      expect(layer.find('ExternalSecret', 'search-dashboards-credentials', 'opensearch').spec.target.template.data.username).toBe(
        '{{ "kibanaserver" }}',
      );
    });

    test('with a shared transport CA: one certificate per cluster, signed by the CA from the secret store', () => {
      const layer = build({ sharedTransportCaKey: 'region-a/prod/opensearch/search/transport-ca' });
      expect(clusterOf(layer).spec.security.tls.transport).toEqual({ generate: true, perNode: false, caSecret: { name: 'search-transport-ca' } });
      const ca = layer.find('ExternalSecret', 'search-transport-ca', 'opensearch');
      expect(ca.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key])).toEqual([
        ['ca.crt', 'region-a/prod/opensearch/search/transport-ca'],
        ['ca.key', 'region-a/prod/opensearch/search/transport-ca'],
      ]);
    });

    describe('security configuration (no demo user)', () => {
      const securityConfigOf = (layer: TestLayer) => layer.find('ExternalSecret', 'search-securityconfig', 'opensearch');
      /** The file the template renders: it must be one Go raw-string constant, so nothing fetched is printed. */
      const internalUsersOf = (layer: TestLayer): string => {
        const template: string = securityConfigOf(layer).spec.target.template.data['internal_users.yml'];
        const constant = /^\{\{ `([^`]*)` \}\}$/.exec(template);
        expect(constant).not.toBeNull();
        return constant![1];
      };

      test("the cluster uses its own securityConfigSecret, an ExternalSecret from the region's store", () => {
        const layer = build();
        expect(clusterOf(layer).spec.security.config.securityConfigSecret).toEqual({ name: 'search-securityconfig' });
        const es = securityConfigOf(layer);
        expect(es.spec.secretStoreRef).toEqual({ name: 'platform-secrets', kind: 'ClusterSecretStore' });
        expect(es.spec.target).toMatchObject({ name: 'search-securityconfig', creationPolicy: 'Owner', deletionPolicy: 'Retain' });
        // External Secrets needs one value of the store: the admin password the file's admin is hashed from.
        expect(es.spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'region-a/prod/opensearch/search/admin', property: 'password' } }]);
        expect(layer.all('Secret')).toEqual([]);
      });

      test('only internal_users.yml: every other file stays the image default, applied once, so CRD-managed roles and mappings are never overwritten', () => {
        const template = securityConfigOf(build()).spec.target.template;
        expect(template.engineVersion).toBe('v2');
        expect(template.mergePolicy).toBeUndefined();
        expect(Object.keys(template.data)).toEqual(['internal_users.yml']);
      });

      test('internal_users.yml declares exactly admin and kibanaserver, reserved, with no hash and no password', () => {
        const text = internalUsersOf(build());
        const users = yaml.load(text) as Record<string, any>;
        expect(Object.keys(users).sort()).toEqual(['_meta', ...RESERVED_USERS].sort());
        expect(users._meta).toEqual({ type: 'internalusers', config_version: 2 });
        expect(users.admin).toMatchObject({ reserved: true, backend_roles: ['admin'] });
        expect(users.kibanaserver).toMatchObject({ reserved: true });
        // The operator writes both bcrypt hashes from the credentials Secrets; none is rendered here.
        for (const user of RESERVED_USERS) {
          expect(Object.keys(users[user]).sort()).toEqual(
            user === 'admin' ? ['backend_roles', 'description', 'reserved'] : ['description', 'reserved'],
          );
        }
        expect(text).not.toMatch(/^\s*(hash|password)\s*:/m);
        expect(text).not.toMatch(/\$2[aby]\$/);
        expect(users.admin.description).toContain('search-admin-credentials');
        expect(users.kibanaserver.description).toContain('search-dashboards-credentials');
      });

      test('no demo user of the OpenSearch image appears anywhere, even with users and grants added', () => {
        const layer = build();
        layer.cluster.addUser('reader', { roles: ['readall'] });
        layer.cluster.grantIndexWrite(grantee(new Construct(layer.chart, 'Sink')), ['employees_index*']);
        expect(DEMO_USERS).toEqual(['anomalyadmin', 'kibanaro', 'logstash', 'readall', 'snapshotrestore']);
        const text = internalUsersOf(layer);
        for (const demo of DEMO_USERS) expect(text).not.toMatch(new RegExp(`^${demo}:`, 'm'));
        for (const demo of DEMO_USERS) expect(layer.all('OpensearchUser').map((u) => u.metadata.name)).not.toContain(demo);
      });

      test('with Sealed Secrets the team seals internal_users.yml; until then it is a problem naming the file', () => {
        const layer = build({
          secretBackend: {
            kind: 'sealed-secrets',
            controllerNamespace: 'kube-system',
            controllerName: 'sealed-secrets-controller',
            sealed: {},
            sealedDir: 'sealed-secrets/region-a/prod',
          },
        });
        expect(layer.context.problems.map((p) => p.message)).toContain(
          'secret opensearch/search-securityconfig (keys internal_users.yml) is not sealed yet for this cluster',
        );
      });
    });

    test("non-root OpenSearch and Dashboards containers; the namespace runs at baseline for the operator's root chown helper", () => {
      const layer = build();
      const spec = clusterOf(layer).spec;
      expect(spec.general.setVMMaxMapCount).toBe(false);
      expect(spec.general.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(spec.dashboards.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(layer.context.namespaces.find((n) => n.name === 'opensearch')).toMatchObject({ workload: true, podSecurity: 'baseline' });
      const privileged = build({ setVmMaxMapCount: true });
      expect(privileged.context.namespaces.find((n) => n.name === 'opensearch')?.podSecurity).toBe('privileged');
    });
  });

  test('Dashboards enabled with requests and limits and TLS from the platform CA', () => {
    const layer = build();
    expect(clusterOf(layer).spec.dashboards).toMatchObject({
      enable: true,
      replicas: 1,
      resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
      tls: { enable: true, generate: false, secret: { name: 'search-dashboards-tls' } },
    });
    expect(layer.find('Certificate', 'search-dashboards-tls', 'opensearch').spec.dnsNames).toContain('search-dashboards.opensearch.svc');
  });

  test("metrics: the operator's exporter plugin and ServiceMonitor, scraped by a least-privilege user", () => {
    const layer = build();
    expect(clusterOf(layer).spec.general.monitoring).toEqual({
      enable: true,
      pluginUrl: OPENSEARCH.prometheusExporterPlugin,
      monitoringUserSecret: 'search-user-prometheus-exporter',
      scrapeInterval: '30s',
      tlsConfig: { serverName: 'search.opensearch.svc', insecureSkipVerify: true },
    });
    expect(layer.find('OpensearchRole', 'prometheus-exporter', 'opensearch').spec).toMatchObject({
      clusterPermissions: ['cluster_monitor'],
      indexPermissions: [{ indexPatterns: ['*'], allowedActions: ['indices_monitor'] }],
    });
    expect(layer.find('OpensearchUserRoleBinding', 'prometheus-exporter', 'opensearch').spec).toMatchObject({
      users: ['prometheus-exporter'],
      roles: ['prometheus-exporter'],
    });
    expect(layer.context.operators).toContain('kube-prometheus-stack');
    expect(layer.find('NetworkPolicy', 'allow-prometheus-to-search-ingress', 'opensearch').spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 9200 },
    ]);
  });

  test('the exporter plugin is a download nothing verifies (the operator has no checksum field)', () => {
    expect(unverifiedDownloads(build().chart)).toEqual([
      expect.objectContaining({
        object: 'OpenSearchCluster opensearch/search',
        field: 'spec.general.monitoring.pluginUrl',
        url: OPENSEARCH.prometheusExporterPlugin,
      }),
    ]);
  });

  test('prometheusExporter: false downloads nothing and renders no monitoring user, scrape policy or alerts', () => {
    const layer = build({ prometheusExporter: false });
    expect(clusterOf(layer).spec.general.monitoring).toEqual({ enable: false });
    expect(downloadsIn(layer.chart)).toEqual([]);
    expect(layer.all('OpensearchRole').map((r) => r.metadata.name)).not.toContain('prometheus-exporter');
    expect(layer.all('OpensearchUser').map((r) => r.metadata.name)).not.toContain('prometheus-exporter');
    expect(layer.all('PrometheusRule')).toEqual([]);
    expect(layer.all('NetworkPolicy').map((p) => p.metadata.name)).not.toContain('allow-prometheus-to-search-ingress');
    expect(layer.context.operators).not.toContain('kube-prometheus-stack');
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  describe('alerts', () => {
    const rulesOf = (layer: TestLayer) => alertRules(layer, 'search', 'opensearch');
    const exprOf = (layer: TestLayer, alert: string, severity?: string) =>
      rulesOf(layer).find((r) => r.alert === alert && (!severity || r.labels.severity === severity))!.expr;

    test('a PrometheusRule named after the cluster: health, nodes and disks', () => {
      expect(alertNames(rulesOf(build()))).toEqual([
        'OpenSearchClusterRed',
        'OpenSearchClusterYellow',
        'OpenSearchClusterDown',
        'OpenSearchNodesMissing',
        'OpenSearchDiskWatermarkApproaching',
      ]);
    });

    test("every expression is scoped to the namespace and the exporter's cluster label; severity, cluster labels and annotations naming it", () => {
      const rules = rulesOf(build());
      for (const rule of rules) {
        expectScoped(
          rule,
          ['namespace="opensearch"', 'cluster="search"'],
          ['opensearch_'],
          { namespace: 'opensearch', opensearch_cluster: 'search' },
          'opensearch/search',
        );
      }
      expect(rules.filter((r) => r.alert === 'OpenSearchClusterRed').map((r) => r.labels.severity)).toEqual(['critical']);
      expect(rules.filter((r) => r.alert === 'OpenSearchClusterYellow').map((r) => [r.labels.severity, r.for])).toEqual([['warning', '15m']]);
    });

    test('status codes of the exporter plugin: 2 red, 1 yellow', () => {
      const layer = build();
      expect(exprOf(layer, 'OpenSearchClusterRed')).toBe(
        'max by (namespace, cluster) (opensearch_cluster_status{namespace="opensearch", cluster="search"}) == 2',
      );
      expect(exprOf(layer, 'OpenSearchClusterYellow')).toMatch(/ == 1$/);
    });

    test('the expected node count is every node of every pool', () => {
      expect(exprOf(build(), 'OpenSearchNodesMissing')).toMatch(/opensearch_cluster_nodes_number\{[^}]*\}\) < 6$/);
      expect(exprOf(build({ topology: 'combined', dataNodes: 3 }), 'OpenSearchNodesMissing')).toMatch(/ < 3$/);
    });

    test('a single data node: no yellow alert (its replicas can never be assigned)', () => {
      expect(alertNames(rulesOf(build(DEV)))).not.toContain('OpenSearchClusterYellow');
    });

    test('disk usage warns at 80% and is critical at 90% (below the low and at the high watermark); thresholds and the yellow delay are props', () => {
      const layer = build();
      expect(exprOf(layer, 'OpenSearchDiskWatermarkApproaching', 'warning')).toMatch(
        /opensearch_fs_total_available_bytes.*opensearch_fs_total_total_bytes.* > 80$/,
      );
      expect(exprOf(layer, 'OpenSearchDiskWatermarkApproaching', 'critical')).toMatch(/ > 90$/);
      const custom = build({ alerts: { yellowFor: '1h', diskUsageWarningPercent: 70, diskUsageCriticalPercent: 85 } });
      expect(exprOf(custom, 'OpenSearchDiskWatermarkApproaching', 'warning')).toMatch(/ > 70$/);
      expect(exprOf(custom, 'OpenSearchDiskWatermarkApproaching', 'critical')).toMatch(/ > 85$/);
      expect(rulesOf(custom).find((r) => r.alert === 'OpenSearchClusterYellow')!.for).toBe('1h');
    });

    test('invalid thresholds are constructor errors naming the cluster, the option and the value', () => {
      expect(() => build({ alerts: { diskUsageWarningPercent: 90, diskUsageCriticalPercent: 90 } })).toThrow(
        /OpenSearch cluster search: alerts.diskUsage\{Warning,Critical\}Percent warning 90% and critical 90%/,
      );
      expect(() => build({ alerts: { yellowFor: '15' } })).toThrow(/OpenSearch cluster search: alerts.yellowFor "15" is not a duration/);
    });
  });

  test('protected from pruning', () => {
    expect(clusterOf(build()).metadata.annotations).toEqual(
      expect.objectContaining({
        'kustomize.toolkit.fluxcd.io/prune': 'disabled',
        'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
      }),
    );
  });

  test('the operator, the nodes, Dashboards and the securityconfig Job reach the REST API; nodes reach each other', () => {
    const layer = build();
    expect(layer.find('NetworkPolicy', 'allow-opensearch-operator-to-search-egress', 'opensearch-operator-system')).toBeDefined();
    expect(layer.find('NetworkPolicy', 'allow-search-nodes-ingress', 'opensearch').spec.ingress[0].ports.map((p: any) => p.port)).toEqual([
      9200, 9300,
    ]);
    expect(layer.find('NetworkPolicy', 'allow-search-dashboards-ingress', 'opensearch').spec.ingress[0].from[0].podSelector.matchLabels).toEqual({
      'opensearch.cluster.dashboards': 'search',
    });
    expect(layer.find('NetworkPolicy', 'allow-search-securityconfig-update-egress', 'opensearch').spec.podSelector.matchLabels).toEqual({
      'job-name': 'search-securityconfig-update',
    });
  });

  describe('snapshots', () => {
    function withBackups(props: Partial<OpenSearchClusterProps> = {}) {
      const layer = build(props);
      const tenant = new MinioTenant(layer.chart, 'Minio', {
        name: 'storage',
        servers: 4,
        volumesPerServer: 1,
        volumeSize: '100Gi',
        storageClass: 'fast-ssd-retain',
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
        secretBackend: EXTERNAL_SECRETS,
        secretKeyPrefix: 'region-a/prod',
      });
      layer.cluster.backupTo(tenant.bucket('opensearch-snapshots'));
      return layer;
    }

    test('a daily snapshot policy (02:30 UTC by default) into the bucket, deleting after 30 days but keeping 7', () => {
      const policy = withBackups().find('OpensearchSnapshotPolicy', 'search-daily', 'opensearch');
      expect(policy.spec).toMatchObject({
        opensearchCluster: { name: 'search' },
        enabled: true,
        creation: { schedule: { cron: { expression: '30 2 * * *', timezone: 'UTC' } } },
        deletion: { schedule: { cron: { expression: '30 3 * * *', timezone: 'UTC' } }, deleteCondition: { maxAge: '30d', minCount: 7 } },
        snapshotConfig: { repository: 'opensearch-snapshots', indices: '*,-.opendistro_security', includeGlobalState: false },
      });
    });

    test("the repository-s3 plugin, the bucket credential in the keystore, MinIO's endpoint and CA", () => {
      const layer = withBackups();
      const general = clusterOf(layer).spec.general;
      expect(general.pluginsList).toEqual(['repository-s3']);
      expect(general.keystore).toEqual([
        {
          secret: { name: 'search-s3-credentials' },
          keyMappings: { AWS_ACCESS_KEY_ID: 's3.client.default.access_key', AWS_SECRET_ACCESS_KEY: 's3.client.default.secret_key' },
        },
      ]);
      expect(general.additionalConfig).toEqual({
        's3.client.default.endpoint': 'minio.minio.svc.cluster.local',
        's3.client.default.protocol': 'https',
        's3.client.default.path_style_access': 'true',
        's3.client.default.region': 'us-east-1',
      });
      expect(general.snapshotRepositories).toEqual([
        { name: 'opensearch-snapshots', type: 's3', settings: { bucket: 'opensearch-snapshots', base_path: 'search' } },
      ]);
      // The JVM trusts the platform CA (MinIO's issuer) besides the public CAs.
      expect(general.additionalVolumes[0]).toEqual({
        name: 'platform-ca',
        path: '/usr/share/opensearch/config/platform-ca',
        secret: { secretName: 'strata-ca-trust', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
      });
      for (const pool of poolsOf(layer)) {
        expect(pool.jvm).toContain('-Djavax.net.ssl.trustStore=/usr/share/opensearch/config/platform-truststore/cacerts');
        expect(pool.initContainers[0]).toMatchObject({
          name: 'platform-truststore',
          image: SEARCH_IMAGES.opensearch,
          securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true },
        });
      }
      expect(layer.find('Tenant', 'storage', 'minio').spec.buckets).toEqual([{ name: 'opensearch-snapshots' }]);
      expect(layer.find('NetworkPolicy', 'allow-search-to-minio-storage-egress', 'opensearch')).toBeDefined();
    });

    test('the schedule and retention are props; a schedule that is not a cron is an error', () => {
      const policy = withBackups({ snapshotSchedule: '0 23 * * *', snapshotRetention: { maxAge: '14d', minCount: 3 } }).find(
        'OpensearchSnapshotPolicy',
        'search-daily',
        'opensearch',
      );
      expect(policy.spec.deletion).toEqual({
        schedule: { cron: { expression: '0 0 * * *', timezone: 'UTC' } },
        deleteCondition: { maxAge: '14d', minCount: 3 },
      });
      expect(() => withBackups({ snapshotSchedule: 'daily' })).toThrow(
        'OpenSearch cluster search snapshotSchedule: "daily" is not a five-field cron expression',
      );
    });

    test('without backupTo no snapshot settings are rendered', () => {
      const general = clusterOf(build()).spec.general;
      expect(general.pluginsList).toBeUndefined();
      expect(general.keystore).toBeUndefined();
      expect(poolsOf(build())[0].initContainers).toBeUndefined();
    });
  });

  describe('index templates', () => {
    const MAPPINGS = { properties: { id: { type: 'keyword' }, full_name: { type: 'text' } } };

    test('an index template with the mappings, one replica where a second data node exists', () => {
      const layer = build();
      layer.cluster.addIndexTemplate('employees_index', { indexPatterns: ['employees_index'], mappings: MAPPINGS });
      const template = layer.find('OpensearchIndexTemplate', 'employees-index', 'opensearch');
      expect(template.spec).toEqual({
        opensearchCluster: { name: 'search' },
        name: 'employees_index',
        indexPatterns: ['employees_index'],
        priority: 100,
        template: { settings: { index: { number_of_replicas: 1 } }, mappings: MAPPINGS },
      });
    });

    test('no replica on a single-node cluster (it could never be assigned)', () => {
      const layer = build(DEV);
      layer.cluster.addIndexTemplate('employees_index', { indexPatterns: ['employees_index'], mappings: MAPPINGS });
      expect(layer.find('OpensearchIndexTemplate', 'employees-index', 'opensearch').spec.template.settings).toEqual({
        index: { number_of_replicas: 0 },
      });
    });

    test('invalid names and duplicates are errors', () => {
      const layer = build();
      expect(() => layer.cluster.addIndexTemplate('Employees', { indexPatterns: ['x'], mappings: {} })).toThrow(
        '"Employees" is not a valid OpenSearch index name',
      );
      layer.cluster.addIndexTemplate('a', { indexPatterns: ['a'], mappings: {} });
      expect(() => layer.cluster.addIndexTemplate('a', { indexPatterns: ['a'], mappings: {} })).toThrow('index template "a" is added twice');
    });
  });

  describe('retention', () => {
    test('an ISM policy deleting matching indices retentionDays after creation', () => {
      const layer = build();
      layer.cluster.addRetentionPolicy('retention', { indexPatterns: ['employees_index-*'], deleteAfterDays: 90 });
      expect(layer.find('OpenSearchISMPolicy', 'retention', 'opensearch').spec).toEqual({
        opensearchCluster: { name: 'search' },
        policyId: 'retention',
        description: 'Delete indices employees_index-* 90 days after creation',
        defaultState: 'hot',
        ismTemplate: { indexPatterns: ['employees_index-*'], priority: 100 },
        states: [
          { name: 'hot', actions: [], transitions: [{ stateName: 'delete', conditions: { minIndexAge: '90d' } }] },
          { name: 'delete', actions: [{ delete: {} }], transitions: [] },
        ],
      });
    });

    test('a retention pattern covering a live (templated) index is an error, whichever comes first', () => {
      const first = build();
      first.cluster.addIndexTemplate('employees_index', { indexPatterns: ['employees_index'], mappings: {} });
      expect(() => first.cluster.addRetentionPolicy('retention', { indexPatterns: ['employees_*'], deleteAfterDays: 90 })).toThrow(
        /would delete employees_index of index template employees_index, a live index/,
      );
      const second = build();
      second.cluster.addRetentionPolicy('retention', { indexPatterns: ['employees_*'], deleteAfterDays: 90 });
      expect(() => second.cluster.addIndexTemplate('employees_index', { indexPatterns: ['employees_index'], mappings: {} })).toThrow(
        /retention policy retention \(employees_\*\) would delete employees_index/,
      );
    });

    test('a retention of less than a day is an error', () => {
      expect(() => build().cluster.addRetentionPolicy('retention', { indexPatterns: ['x-*'], deleteAfterDays: 0 })).toThrow(
        'retention policy retention: deleteAfterDays 0 must be a whole number of days, at least 1',
      );
    });
  });

  describe('grantIndexWrite', () => {
    function granted() {
      const layer = build();
      const consumer = new Construct(layer.chart, 'Sink');
      const access = layer.cluster.grantIndexWrite(grantee(consumer), ['employees_index*', 'payroll_index*']);
      return { layer, access };
    }

    test('a role with write and create_index on the patterns, a user bound to it, its password by secret reference', () => {
      const { layer } = granted();
      expect(layer.find('OpensearchRole', 'cdc-sink-index-write', 'opensearch').spec).toEqual({
        opensearchCluster: { name: 'search' },
        clusterPermissions: ['cluster_monitor', 'indices:data/write/bulk'],
        indexPermissions: [
          {
            indexPatterns: ['employees_index*', 'payroll_index*'],
            allowedActions: ['write', 'create_index', 'indices:admin/get', 'indices_monitor'],
          },
        ],
      });
      expect(layer.find('OpensearchUser', 'cdc-sink', 'opensearch').spec).toEqual({
        opensearchCluster: { name: 'search' },
        passwordFrom: { name: 'search-user-cdc-sink', key: 'password' },
      });
      expect(layer.find('OpensearchUserRoleBinding', 'cdc-sink', 'opensearch').spec).toEqual({
        opensearchCluster: { name: 'search' },
        users: ['cdc-sink'],
        roles: ['cdc-sink-index-write'],
      });
    });

    test("the consumer's copy of the credential reads the same secret-store key as the user's password", () => {
      const { layer, access } = granted();
      const server = layer.find('ExternalSecret', 'search-user-cdc-sink', 'opensearch');
      const client = layer.find('ExternalSecret', 'cdc-sink-opensearch-credentials', 'kafka');
      expect(client.spec.data).toEqual(server.spec.data);
      expect(client.spec.data[0].remoteRef).toEqual({ key: 'region-a/prod/opensearch/search/users/cdc-sink', property: 'password' });
      expect(client.spec.target.template.data).toEqual({ username: '{{ "cdc-sink" }}', password: '{{ .password }}' });
      expect(access.credentials).toMatchObject({ name: 'cdc-sink-opensearch-credentials', namespace: 'kafka' });
      expect(access.credentials.selector('username')).toEqual({ name: 'cdc-sink-opensearch-credentials', key: 'username' });
    });

    test("the endpoint, the CA in the consumer's namespace and the network path", () => {
      const { layer, access } = granted();
      expect(access.endpoint).toBe('https://search.opensearch.svc.cluster.local:9200');
      expect(access.ca).toEqual({ name: 'strata-ca-trust', key: 'ca.crt' });
      expect(layer.find('Certificate', 'strata-ca-trust', 'kafka').spec.issuerRef.name).toBe('strata-ca');
      const egress = layer.find('NetworkPolicy', 'allow-cdc-sink-to-search-egress', 'kafka');
      expect(egress.spec).toMatchObject({ podSelector: { matchLabels: CONSUMER.podLabels }, egress: [{ ports: [{ protocol: 'TCP', port: 9200 }] }] });
      expect(layer.find('NetworkPolicy', 'allow-cdc-sink-to-search-ingress', 'opensearch').spec.podSelector.matchLabels).toEqual({
        'opensearch.org/opensearch-cluster': 'search',
      });
    });

    test('granting the same client twice, a reserved user name or no pattern is an error', () => {
      const { layer } = granted();
      const other = new Construct(layer.chart, 'Other');
      expect(() => layer.cluster.grantIndexWrite(grantee(other), ['x*'])).toThrow('grantIndexWrite(kafka/cdc-sink) is called twice');
      expect(() => layer.cluster.grantIndexWrite(grantee(other, { ...CONSUMER, name: 'admin' }), ['x*'])).toThrow('user name "admin" is reserved');
      expect(() => layer.cluster.grantIndexWrite(grantee(other, { ...CONSUMER, name: 'y' }), [])).toThrow('indexPatterns is empty');
    });
  });

  test('a user declared again with the same roles is the same user; with other roles it is an error', () => {
    const layer = build();
    const first = layer.cluster.addUser('reader', { roles: ['readall'] });
    expect(layer.cluster.addUser('reader', { roles: ['readall'] })).toBe(first);
    expect(() => layer.cluster.addUser('reader', { roles: ['all_access'] })).toThrow(
      'user "reader" is declared twice with different roles (readall and all_access)',
    );
  });

  test('every object validates against the pinned schemas', () => {
    const layer = build({ sharedTransportCaKey: 'region-a/prod/opensearch/search/transport-ca' });
    layer.cluster.addIndexTemplate('employees_index', { indexPatterns: ['employees_index'], mappings: { properties: { id: { type: 'keyword' } } } });
    layer.cluster.addRetentionPolicy('retention', { indexPatterns: ['employees_index-*'], deleteAfterDays: 90 });
    layer.cluster.grantIndexWrite(grantee(new Construct(layer.chart, 'Sink')), ['employees_index*']);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('snapshot of the prod cluster', () => {
    expect(clusterOf(build())).toMatchSnapshot();
  });
});

describe('OpenSearchCluster documented defaults', () => {
  /** Only what has no default: where the credentials come from. */
  const defaults = () => {
    const layer = testLayer('search');
    const cluster = new OpenSearchCluster(layer.chart, 'OpenSearch', { secretBackend: EXTERNAL_SECRETS });
    return { ...layer, cluster };
  };

  test("'search' in namespace opensearch, dedicated: 3 cluster managers and 3 data nodes of 2 CPUs / 6Gi Guaranteed, heap 3g, '100Gi'", () => {
    const layer = defaults();
    expect(layer.cluster.clusterName).toBe('search');
    expect(layer.cluster.namespace).toBe('opensearch');
    expect(layer.cluster.dataNodeCount).toBe(3);
    const [managers, data] = poolsOf(layer);
    expect([managers.component, managers.replicas, data.component, data.replicas]).toEqual(['managers', 3, 'data', 3]);
    expect(data.diskSize).toBe('100Gi');
    expect(data.jvm).toBe('-Xms3g -Xmx3g');
    expect(data.resources).toEqual({ requests: { cpu: '2', memory: '6Gi' }, limits: { cpu: '2', memory: '6Gi' } });
  });

  test('spread over the well-known zone label; no storage class (the cluster default StorageClass)', () => {
    for (const pool of poolsOf(defaults())) {
      expect(pool.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone']);
      expect(pool.persistence).toEqual({ pvc: { accessModes: ['ReadWriteOnce'] } });
    }
  });

  test('the Prometheus exporter is on, and snapshots run at 02:30', () => {
    const layer = defaults();
    expect(clusterOf(layer).spec.general.monitoring.enable).toBe(true);
    const tenant = new MinioTenant(layer.chart, 'Minio', {
      name: 'storage',
      servers: 4,
      volumesPerServer: 1,
      volumeSize: '100Gi',
      resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
      secretBackend: EXTERNAL_SECRETS,
    });
    layer.cluster.backupTo(tenant.bucket('opensearch-snapshots'));
    const policy = layer.find('OpensearchSnapshotPolicy', 'search-daily', 'opensearch');
    expect(policy.spec.creation.schedule.cron).toEqual({ expression: '30 2 * * *', timezone: 'UTC' });
  });

  test('secret keys under <region>/<environment> of the layer', () => {
    const keys = defaults()
      .all('ExternalSecret')
      .flatMap((s) => s.spec.data.map((d: any) => d.remoteRef.key));
    expect(keys).toEqual(expect.arrayContaining(['region-a/prod/opensearch/search/admin', 'region-a/prod/opensearch/search/dashboards']));
    for (const key of keys) expect(key).toMatch(/^region-a\/prod\/opensearch\/search\//);
  });

  test('every object validates against the schemas', () => {
    expect(schemaIssues(defaults().manifests())).toEqual([]);
  });

  test('the defaults are validated with what is given: two cluster managers cannot keep a quorum', () => {
    const layer = testLayer('search');
    expect(() => new OpenSearchCluster(layer.chart, 'OpenSearch', { secretBackend: EXTERNAL_SECRETS, managers: 2 })).toThrow(
      'OpenSearch cluster search: managers 2 must be odd (1, 3 or 5) for a cluster-manager quorum',
    );
  });
});
