import { Grantee } from '../../../constructs/core/grantee';
import { ExternalPatroniCluster, ExternalPatroniClusterProps } from '../../../constructs/data/external-patroni-cluster';
import { LayerChart } from '../../../constructs/platform/layer-chart';
import { alertNames, alertRules, expectScoped } from '../../support/alerts';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';
import { checkRules, testAlerts } from '../../support/promtool';

const PROPS: ExternalPatroniClusterProps = {
  name: 'postgres',
  addresses: ['10.20.0.11', '10.20.0.12'],
  secretBackend: EXTERNAL_SECRETS,
  secretKeyPrefix: 'region-a/prod',
};

function build(props: Partial<ExternalPatroniClusterProps> = {}): TestLayer & { cluster: ExternalPatroniCluster } {
  const layer = testLayer('data');
  const cluster = new ExternalPatroniCluster(layer.chart, 'Postgres', { ...PROPS, ...props });
  return { ...layer, cluster };
}

const cidrsOf = (spec: any) => spec.egress[0].to.map((peer: any) => peer.ipBlock.cidr);
const portsOf = (spec: any) => spec.egress[0].ports.map((p: any) => p.port);

describe('ExternalPatroniCluster', () => {
  describe('documented defaults', () => {
    test('namespace postgres, PgBouncer on 6432, postgres_exporter on 9187', () => {
      const { cluster, ...layer } = build();
      expect(cluster.namespace).toBe('postgres');
      expect(cluster.port).toBe(6432);
      expect(cluster.exporterPort).toBe(9187);
      expect(layer.find('Service', 'postgres', 'postgres').spec.ports).toEqual([
        { name: 'pgbouncer', protocol: 'TCP', port: 6432, targetPort: 6432 },
      ]);
      expect(layer.find('Service', 'postgres-exporter', 'postgres').spec.ports).toEqual([
        { name: 'metrics', protocol: 'TCP', port: 9187, targetPort: 9187 },
      ]);
    });

    test('Prometheus is the kube-prometheus-stack one in monitoring', () => {
      const spec = build().find('NetworkPolicy', 'allow-prometheus-to-postgres-exporters', 'monitoring').spec;
      expect(spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'prometheus' });
    });

    test('ports and Prometheus can be set', () => {
      const layer = build({
        namespace: 'db',
        pgbouncerPort: 6543,
        exporterPort: 9100,
        prometheus: { namespace: 'observability', podLabels: { app: 'prom' } },
      });
      expect(layer.cluster.port).toBe(6543);
      expect(layer.find('EndpointSlice', 'postgres-vms', 'db').ports).toEqual([{ name: 'pgbouncer', protocol: 'TCP', port: 6543 }]);
      const scrape = layer.find('NetworkPolicy', 'allow-prometheus-to-postgres-exporters', 'observability').spec;
      expect(scrape.podSelector.matchLabels).toEqual({ app: 'prom' });
      expect(portsOf(scrape)).toEqual([9100]);
    });
  });

  test("a Service without selector whose EndpointSlice lists the VMs' PgBouncer port", () => {
    const layer = build();
    const service = layer.find('Service', 'postgres', 'postgres');
    expect(service.spec.selector).toBeUndefined();
    expect(service.spec.type).toBe('ClusterIP');
    const slice = layer.find('EndpointSlice', 'postgres-vms', 'postgres');
    expect(slice.metadata.labels).toEqual(
      expect.objectContaining({ 'kubernetes.io/service-name': 'postgres', 'endpointslice.kubernetes.io/managed-by': 'strata.io' }),
    );
    expect(slice.addressType).toBe('IPv4');
    expect(slice.endpoints).toEqual([
      { addresses: ['10.20.0.11'], conditions: { ready: true } },
      { addresses: ['10.20.0.12'], conditions: { ready: true } },
    ]);
    expect(slice.ports).toEqual([{ name: 'pgbouncer', protocol: 'TCP', port: 6432 }]);
  });

  test('applications connect to that Service; PgBouncer routes reads and writes alike', () => {
    const { cluster } = build();
    expect(cluster.readWriteHost).toBe('postgres.postgres.svc.cluster.local');
    expect(cluster.readOnlyHost).toBe(cluster.readWriteHost);
    expect(cluster.ca).toBeUndefined();
  });

  test('postgres_exporter is scraped through a selector-less Service, its EndpointSlice and a ServiceMonitor', () => {
    const layer = build();
    const service = layer.find('Service', 'postgres-exporter', 'postgres');
    expect(service.spec.selector).toBeUndefined();
    const slice = layer.find('EndpointSlice', 'postgres-exporter-vms', 'postgres');
    expect(slice.metadata.labels['kubernetes.io/service-name']).toBe('postgres-exporter');
    expect(slice.ports).toEqual([{ name: 'metrics', protocol: 'TCP', port: 9187 }]);
    const monitor = layer.find('ServiceMonitor', 'postgres-exporter', 'postgres').spec;
    expect(monitor.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'postgres-exporter',
      'app.kubernetes.io/instance': 'postgres',
      'app.kubernetes.io/component': 'metrics',
    });
    expect(service.metadata.labels).toEqual(expect.objectContaining(monitor.selector.matchLabels));
    expect(monitor.serviceDiscoveryRole).toBe('EndpointSlice');
    expect(monitor.endpoints).toEqual([{ port: 'metrics', interval: '30s' }]);
  });

  test('Prometheus may reach the exporters on exactly the VM addresses', () => {
    const spec = build().find('NetworkPolicy', 'allow-prometheus-to-postgres-exporters', 'monitoring').spec;
    expect(spec.policyTypes).toEqual(['Egress']);
    expect(cidrsOf(spec)).toEqual(['10.20.0.11/32', '10.20.0.12/32']);
    expect(portsOf(spec)).toEqual([9187]);
  });

  test('needs no operator and renders nothing for the VMs themselves', () => {
    const layer = build();
    layer.cluster.addDatabase('nextcloud_db');
    expect(layer.context.operators).toEqual([]);
    expect(
      layer
        .manifests()
        .map((m) => m.kind)
        .sort(),
    ).toEqual(['EndpointSlice', 'EndpointSlice', 'ExternalSecret', 'NetworkPolicy', 'PrometheusRule', 'Service', 'Service', 'ServiceMonitor']);
    expect(layer.context.namespaces.find((n) => n.name === 'postgres')).toEqual(expect.objectContaining({ workload: true }));
  });

  describe('databases', () => {
    test("each database's owner credential comes from the secret store", () => {
      const layer = build();
      const db = layer.cluster.addDatabase('nextcloud_db');
      expect(db).toEqual(
        expect.objectContaining({ name: 'nextcloud_db', owner: 'nextcloud_db', host: 'postgres.postgres.svc.cluster.local', port: 6432 }),
      );
      expect(db.credentials.name).toBe('postgres-nextcloud-db-credentials');
      const es = layer.find('ExternalSecret', 'postgres-nextcloud-db-credentials', 'postgres').spec;
      expect(es.data.map((d: any) => [d.secretKey, d.remoteRef.key, d.remoteRef.property])).toEqual([
        ['password', 'region-a/prod/postgres/postgres/roles/nextcloud_db', 'password'],
        ['username', 'region-a/prod/postgres/postgres/roles/nextcloud_db', 'username'],
      ]);
      expect(es.target.template.type).toBe('kubernetes.io/basic-auth');
      expect(LayerChart.of(db.credentials)).toBe(layer.chart);
      expect(layer.cluster.database('nextcloud_db')).toBe(db);
    });

    test('addRole returns the same credential twice', () => {
      const { cluster } = build();
      expect(cluster.addRole('reporting')).toBe(cluster.addRole('reporting', { login: true }));
    });

    test('names that are not Postgres identifiers, duplicates and unknown databases are errors', () => {
      const { cluster } = build();
      cluster.addDatabase('odoo_db');
      expect(() => cluster.addDatabase('odoo-db')).toThrow('database name "odoo-db" is not a valid Postgres identifier');
      expect(() => cluster.addDatabase('odoo_db')).toThrow('database "odoo_db" is added twice to cluster postgres');
      expect(() => cluster.database('nextcloud_db')).toThrow('cluster postgres has no database "nextcloud_db" (databases: odoo_db)');
    });
  });

  test("allowFrom opens egress from the clients to the VMs' PgBouncer port", () => {
    const layer = build();
    layer.cluster.allowFrom(Grantee.of(layer.chart, 'nextcloud', { namespace: 'nextcloud', podLabels: { app: 'nextcloud' } }));
    const spec = layer.find('NetworkPolicy', 'allow-nextcloud-to-postgres-vms', 'nextcloud').spec;
    expect(spec.podSelector.matchLabels).toEqual({ app: 'nextcloud' });
    expect(cidrsOf(spec)).toEqual(['10.20.0.11/32', '10.20.0.12/32']);
    expect(portsOf(spec)).toEqual([6432]);
  });

  test('every object validates against the schemas', () => {
    const layer = build();
    layer.cluster.addDatabase('nextcloud_db');
    layer.cluster.addDatabase('odoo_db');
    layer.cluster.allowFrom(Grantee.of(layer.chart, 'odoo', { namespace: 'odoo', podLabels: { app: 'odoo' } }));
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  describe('validation names the prop, the value and the fix', () => {
    test.each([
      [{ addresses: [] }, 'addresses is empty; list the IPv4 addresses of the PgBouncer VMs'],
      [{ addresses: ['10.20.0.300'] }, 'addresses contains "10.20.0.300", which is not an IPv4 address'],
      [{ addresses: ['db1.example.org'] }, 'addresses contains "db1.example.org", which is not an IPv4 address'],
      [{ addresses: ['127.0.0.1'] }, 'addresses contains 127.0.0.1, an unspecified, loopback, link-local or multicast address'],
      [{ addresses: ['169.254.1.1'] }, 'link-local'],
      [{ addresses: ['10.20.0.11', '10.20.0.11'] }, 'addresses lists 10.20.0.11 twice'],
      [{ pgbouncerPort: 0 }, 'pgbouncerPort 0 is not a TCP port; use an integer from 1 to 65535'],
      [{ exporterPort: 70000 }, 'exporterPort 70000 is not a TCP port'],
      [{ pgbouncerPort: 9187, exporterPort: 9187 }, 'pgbouncerPort and exporterPort are both 9187'],
      [{ name: 'Postgres' }, 'name "Postgres" is not a Service name'],
      [{ name: 'p'.repeat(55) }, 'at most 54 characters'],
    ] as [Partial<ExternalPatroniClusterProps>, string][])('%j', (props, message) => {
      expect(() => build(props)).toThrow(message);
    });
  });

  describe("logical decoding is the VMs' setting, declared, never silently assumed", () => {
    test('without logicalDecoding, enableLogicalDecoding and captureChanges refuse and say what to do', () => {
      const { cluster } = build();
      cluster.addDatabase('hrm');
      const refusal = /logical decoding is set on the VMs, not by Strata; set wal_level = logical there, then declare it with logicalDecoding: true/;
      expect(() => cluster.enableLogicalDecoding()).toThrow(refusal);
      expect(() => cluster.captureChanges({ name: 'hrm-cdc', database: 'hrm', tables: ['public.employees'] })).toThrow(refusal);
    });

    test('declared, a capture reads PostgreSQL itself through the replication Service', () => {
      const { cluster } = build({ logicalDecoding: true });
      cluster.addDatabase('hrm');
      cluster.enableLogicalDecoding();
      const capture = cluster.captureChanges({ name: 'hrm-cdc', database: 'hrm', tables: ['public.employees'] });
      expect(capture).toMatchObject({ host: 'postgres-postgres.postgres.svc.cluster.local', port: 5432, database: 'hrm', publicationManaged: false });
    });
  });
});

describe('ExternalPatroniCluster alerts', () => {
  const rulesOf = (layer: TestLayer) => alertRules(layer, 'postgres', 'postgres');
  const LABELS = { namespace: 'postgres', postgres_cluster: 'postgres' };
  const JOB = 'namespace="postgres", job="postgres-exporter"';
  /** The exporters' series: the first VM the primary, the second a standby. */
  const exporters = (over: Record<string, string> = {}) =>
    ['10.20.0.11:9187', '10.20.0.12:9187'].flatMap((instance, i) => {
      const base: Record<string, string> = {
        up: '1x30',
        pg_up: '1x30',
        pg_replication_is_replica: i === 0 ? '0x30' : '1x30',
        pg_replication_lag_seconds: '0x30',
      };
      return Object.entries(base).map(([metric, values]) => ({
        series: `${metric}{${JOB}, instance="${instance}"}`,
        values: over[`${metric}/${instance}`] ?? values,
      }));
    });
  const silent = (alertname: string, evalTime = '20m') => ({ alertname, evalTime, firing: [] });

  test("a PrometheusRule named after the cluster, from the exporters' series, each scoped to their scrape job", () => {
    const rules = rulesOf(build());
    expect(alertNames(rules)).toEqual([
      'PostgresExporterDown',
      'PostgresClusterDown',
      'PostgresNoPrimary',
      'PostgresInstanceDown',
      'PostgresReplicationLagHigh',
    ]);
    for (const rule of rules) expectScoped(rule, ['namespace="postgres"', 'job="postgres-exporter"'], ['pg_'], LABELS, 'postgres/postgres');
    expect(alertNames(rulesOf(build({ addresses: ['10.20.0.11'] })))).toEqual(['PostgresExporterDown', 'PostgresClusterDown', 'PostgresNoPrimary']);
    expect(checkRules([build().find('PrometheusRule', 'postgres', 'postgres')])).toBe('');
  });

  test('a healthy pair raises nothing', () => {
    const rules = rulesOf(build());
    expect(
      testAlerts(
        rules,
        exporters(),
        alertNames(rules).map((n) => silent(n)),
      ),
    ).toBe('');
  });

  test('a VM whose exporter stops answering is named; the cluster is down when no exporter reaches PostgreSQL', () => {
    const rules = rulesOf(build());
    expect(
      testAlerts(rules, exporters({ 'up/10.20.0.12:9187': '1x4 0x26', 'pg_up/10.20.0.12:9187': '1x4 0x26' }), [
        {
          alertname: 'PostgresExporterDown',
          evalTime: '15m',
          firing: [{ ...LABELS, severity: 'warning', job: 'postgres-exporter', instance: '10.20.0.12:9187' }],
        },
        { alertname: 'PostgresInstanceDown', evalTime: '20m', firing: [{ ...LABELS, severity: 'warning' }] },
        silent('PostgresClusterDown'),
      ]),
    ).toBe('');
    expect(
      testAlerts(rules, exporters({ 'pg_up/10.20.0.11:9187': '0x30', 'pg_up/10.20.0.12:9187': '0x30' }), [
        { alertname: 'PostgresClusterDown', evalTime: '10m', firing: [{ ...LABELS, severity: 'critical' }] },
        // No reachable server: no second page for the missing primary.
        silent('PostgresNoPrimary'),
      ]),
    ).toBe('');
  });

  test('no primary among reachable servers, and a standby lagging past the threshold, are reported', () => {
    const rules = rulesOf(build({ alerts: { replicationLagSeconds: 120 } }));
    expect(
      testAlerts(rules, exporters({ 'pg_replication_is_replica/10.20.0.11:9187': '0x4 1x26' }), [
        { alertname: 'PostgresNoPrimary', evalTime: '15m', firing: [{ ...LABELS, severity: 'critical' }] },
      ]),
    ).toBe('');
    expect(
      testAlerts(rules, exporters({ 'pg_replication_lag_seconds/10.20.0.12:9187': '0x4 600x26' }), [
        { alertname: 'PostgresReplicationLagHigh', evalTime: '15m', firing: [{ ...LABELS, severity: 'warning', instance: '10.20.0.12:9187' }] },
      ]),
    ).toBe('');
    // The primary's lag series means nothing (it replays nothing) and is ignored.
    expect(testAlerts(rules, exporters({ 'pg_replication_lag_seconds/10.20.0.11:9187': '600x30' }), [silent('PostgresReplicationLagHigh')])).toBe('');
    expect(() => build({ alerts: { replicationLagSeconds: 0 } })).toThrow(
      'external PostgreSQL postgres: alerts.replicationLagSeconds 0 must be a positive number of seconds',
    );
  });
});

test('extensions of a database on the VMs are refused: Strata does not manage their databases', () => {
  const layer = build();
  expect(() => layer.cluster.addDatabase('nextcloud', { extensions: ['vector'] })).toThrow(
    'external PostgreSQL postgres: database "nextcloud" asks for extensions vector, which Strata cannot create on the VMs; run CREATE EXTENSION where Patroni is managed',
  );
});
