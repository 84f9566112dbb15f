/**
 * A database used from another cluster: CloudNativePgCluster.exportDatabase offers the pooler
 * on a LoadBalancer address admitting only the consuming cluster's blocks, and ImportedDatabase
 * is the consuming side (a selector-less Service at the exported address, the owner's
 * credentials from the same secret-store entry, egress to exactly that address).
 */
import { Grantee } from '../../../constructs/core/grantee';
import { CloudNativePgCluster, CloudNativePgClusterProps, ExportDatabaseOptions } from '../../../constructs/data/cloudnative-pg-cluster';
import { DatabaseExport, ImportedDatabase } from '../../../constructs/data/database-export';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';

const PROPS: CloudNativePgClusterProps = {
  name: 'postgres',
  instances: 3,
  synchronous: true,
  podAntiAffinity: 'required',
  storageSize: '100Gi',
  walStorageSize: '20Gi',
  storageClass: 'ceph-block-retain',
  resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
  parameters: {},
  nodePool: { labels: { 'node.role': 'database' }, taints: [] },
  zoneLabel: 'topology.kubernetes.io/zone',
  secretBackend: EXTERNAL_SECRETS,
  secretKeyPrefix: 'homelab/prod',
  topologyName: 'postgres-homelab',
  backupSchedule: '0 1 * * *',
  backupRetention: '30d',
};

const APPS_EGRESS = ['10.25.11.16/32', '10.25.11.14/32', '10.25.11.15/32', '10.25.11.14/32'];

/** The infra side: a cluster with a pooled database harbor and an unpooled one, direct. */
function infra(): TestLayer & { cluster: CloudNativePgCluster } {
  const layer = testLayer('data', { region: 'homelab', environment: 'prod' });
  const cluster = new CloudNativePgCluster(layer.chart, 'Postgres', PROPS);
  cluster.addDatabase('harbor', { poolerInstances: 2, poolMode: 'transaction' });
  cluster.addDatabase('direct', { poolerInstances: 0 });
  return { ...layer, cluster };
}

function exported(options: Partial<ExportDatabaseOptions> = {}) {
  const layer = infra();
  const ex = layer.cluster.exportDatabase('harbor', { address: '10.25.11.201', allowFrom: APPS_EGRESS, ...options });
  return { ...layer, ex };
}

describe('CloudNativePgCluster.exportDatabase', () => {
  test("a LoadBalancer Service on the address, admitting only the consuming cluster's blocks, to the pooler's pods", () => {
    const layer = exported();
    const service = layer.find('Service', 'postgres-pooler-harbor-export', 'postgres');
    expect(service.spec).toEqual({
      type: 'LoadBalancer',
      loadBalancerIP: '10.25.11.201',
      // Sorted, each once.
      loadBalancerSourceRanges: ['10.25.11.14/32', '10.25.11.15/32', '10.25.11.16/32'],
      // The client's address reaches the pooler and its ingress policy.
      externalTrafficPolicy: 'Local',
      selector: { 'cnpg.io/poolerName': 'postgres-pooler-harbor' },
      ports: [{ name: 'pgbouncer', protocol: 'TCP', port: 5432, targetPort: 5432 }],
    });
    // The selector is the pooler's pods (not the instances').
    const pooler = layer.find('Pooler', 'postgres-pooler-harbor', 'postgres');
    expect(pooler.spec.template.metadata.labels).toEqual(service.spec.selector);
    expect(service.metadata.annotations).toBeUndefined();
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('an ingress NetworkPolicy for the pooler admitting the same blocks on 5432', () => {
    const layer = exported();
    const policy = layer.find('NetworkPolicy', 'allow-export-to-postgres-pooler-harbor', 'postgres');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'cnpg.io/poolerName': 'postgres-pooler-harbor' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: ['10.25.11.14/32', '10.25.11.15/32', '10.25.11.16/32'].map((cidr) => ({ ipBlock: { cidr } })),
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
    });
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('the hostname is published by external-dns only when given', () => {
    const layer = exported({ hostname: 'harbor-db.infra.homelab.example.org' });
    expect(layer.find('Service', 'postgres-pooler-harbor-export', 'postgres').metadata.annotations).toEqual({
      'external-dns.alpha.kubernetes.io/hostname': 'harbor-db.infra.homelab.example.org',
    });
    expect(layer.ex.hostname).toBe('harbor-db.infra.homelab.example.org');
    expect('hostname' in exported().ex).toBe(false);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test("what it returns names the pooler's Service, the address and the owner's secret-store entry", () => {
    const layer = exported();
    const ownSecret = layer.find('ExternalSecret', 'postgres-harbor-credentials', 'postgres');
    expect(layer.ex).toEqual({
      database: 'harbor',
      clusterName: 'postgres',
      serviceName: 'postgres-pooler-harbor',
      address: '10.25.11.201',
      port: 5432,
      credentials: {
        name: 'postgres-harbor-credentials',
        remoteKey: 'homelab/prod/postgres/postgres/roles/harbor',
        keys: { username: 'username', password: 'password' },
        type: 'kubernetes.io/basic-auth',
      },
    });
    expect(new Set(ownSecret.spec.data.map((d: any) => d.remoteRef.key))).toEqual(new Set([layer.ex.credentials.remoteKey]));
  });

  test('a database without pooler, an empty allowFrom and a bad address are refused with what to do', () => {
    expect(() => infra().cluster.exportDatabase('direct', { address: '10.25.11.201', allowFrom: APPS_EGRESS })).toThrow(
      'CloudNativePG cluster postgres: database direct has no pooler to export; add it with poolerInstances of 1 or more',
    );
    expect(() => infra().cluster.exportDatabase('harbor', { address: '10.25.11.201', allowFrom: [] })).toThrow(
      "CloudNativePG cluster postgres: the export of harbor admits no address; list the consuming cluster's egress blocks",
    );
    expect(() => infra().cluster.exportDatabase('harbor', { address: 'harbor-db.example.org', allowFrom: APPS_EGRESS })).toThrow(
      /^CloudNativePG cluster postgres: the export of harbor: address is "harbor-db\.example\.org", which is not an IPv4 address; write it as four decimal octets/,
    );
    expect(() => infra().cluster.exportDatabase('harbor', { address: 'fd00::1', allowFrom: APPS_EGRESS })).toThrow('which is not an IPv4 address');
    expect(() => infra().cluster.exportDatabase('harbor', { address: '127.0.0.1', allowFrom: APPS_EGRESS })).toThrow(
      /^CloudNativePG cluster postgres: the export of harbor: address is 127\.0\.0\.1, an unspecified, loopback, link-local or multicast address; give the routable address of the load balancer$/,
    );
    expect(() => infra().cluster.exportDatabase('harbor', { address: '0.0.0.0', allowFrom: APPS_EGRESS })).toThrow('an unspecified, loopback');
    expect(() => infra().cluster.exportDatabase('nothing', { address: '10.25.11.201', allowFrom: APPS_EGRESS })).toThrow(
      'cluster postgres has no database "nothing"',
    );
    // Nothing was rendered by a refused export.
    const layer = infra();
    expect(() => layer.cluster.exportDatabase('harbor', { address: '127.0.0.1', allowFrom: APPS_EGRESS })).toThrow();
    expect(layer.all('Service').filter((s) => s.spec.type === 'LoadBalancer')).toEqual([]);
  });
});

describe('ImportedDatabase', () => {
  /** The apps side of harbor's export, with a client in namespace harbor. */
  function apps(ex: DatabaseExport, namespace = 'harbor') {
    const layer = testLayer('data', { region: 'homelab', environment: 'prod' });
    const db = new ImportedDatabase(layer.chart, 'Harbor', { export: ex, namespace, secretBackend: EXTERNAL_SECRETS });
    return { ...layer, db };
  }

  test("a Service of the pooler's name without selector, whose EndpointSlice is the exported address", () => {
    const { ex } = exported();
    const layer = apps(ex);
    const service = layer.find('Service', 'postgres-pooler-harbor', 'harbor');
    expect(service.spec).toEqual({ type: 'ClusterIP', ports: [{ name: 'pgbouncer', protocol: 'TCP', port: 5432, targetPort: 5432 }] });
    const slice = layer.find('EndpointSlice', 'postgres-pooler-harbor-export', 'harbor');
    expect(slice.metadata.labels).toEqual(
      expect.objectContaining({ 'kubernetes.io/service-name': 'postgres-pooler-harbor', 'endpointslice.kubernetes.io/managed-by': 'strata.io' }),
    );
    expect(slice.addressType).toBe('IPv4');
    expect(slice.endpoints).toEqual([{ addresses: ['10.25.11.201'], conditions: { ready: true } }]);
    expect(slice.ports).toEqual([{ name: 'pgbouncer', protocol: 'TCP', port: 5432 }]);
    expect(layer.db).toMatchObject({
      name: 'harbor',
      owner: 'harbor',
      host: 'postgres-pooler-harbor.harbor.svc.cluster.local',
      port: 5432,
      namespace: 'harbor',
    });
    expect(layer.all('Secret')).toEqual([]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test("the owner's credentials come from the same secret-store entry the exporting side reads", () => {
    const infraSide = exported();
    const layer = apps(infraSide.ex);
    const theirs = infraSide.find('ExternalSecret', 'postgres-harbor-credentials', 'postgres');
    const ours = layer.find('ExternalSecret', 'postgres-harbor-credentials', 'harbor');
    expect(ours.spec.data).toEqual(theirs.spec.data);
    expect(ours.spec.data.map((d: any) => d.remoteRef.key)).toEqual([
      'homelab/prod/postgres/postgres/roles/harbor',
      'homelab/prod/postgres/postgres/roles/harbor',
    ]);
    expect(ours.spec.target.template.type).toBe('kubernetes.io/basic-auth');
    expect(layer.db.credentials.name).toBe('postgres-harbor-credentials');
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test("connections.allowFrom opens egress from the client's pods to <address>/32 on 5432, once", () => {
    const layer = apps(exported().ex);
    const client = Grantee.of(layer.chart, 'harbor-core', { namespace: 'harbor', podLabels: { app: 'harbor-core' } });
    layer.db.connections.allowFrom(client);
    layer.db.connections.allowFrom(client);
    const policies = layer.all('NetworkPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0].metadata).toMatchObject({ name: 'allow-harbor-core-to-postgres-pooler-harbor', namespace: 'harbor' });
    expect(policies[0].spec).toEqual({
      podSelector: { matchLabels: { app: 'harbor-core' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.25.11.201/32' } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a namespace that is not a DNS label, or a bad exported address, is refused with what is wrong', () => {
    const { ex } = exported();
    expect(() => apps(ex, 'Harbor_DB')).toThrow(
      `database harbor imported from cluster postgres: namespace "Harbor_DB" is not a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
    expect(() => apps(ex, 'h'.repeat(64))).toThrow(
      /^database harbor imported from cluster postgres: namespace "h{64}" has 64 characters; a DNS label has at most 63$/,
    );
    expect(() => apps({ ...ex, address: '169.254.0.10' })).toThrow(
      /^database harbor imported from cluster postgres: address is 169\.254\.0\.10, an unspecified, loopback, link-local or multicast address/,
    );
  });
});
