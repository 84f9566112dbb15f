import { Grantee } from '../../../constructs/core/grantee';
import { CloudNativePgCluster } from '../../../constructs/data/cloudnative-pg-cluster';
import { Connections } from '../../../constructs/platform/connections';
import { OpenSearchCluster } from '../../../constructs/search/opensearch-cluster';
import { MinioTenant } from '../../../constructs/storage/minio-tenant';
import { KafkaCluster } from '../../../constructs/streaming/kafka-cluster';
import { EXTERNAL_SECRETS, schemaIssues, testLayer } from '../../support/layer';

const APP_PODS = { namespace: 'apps', podLabels: { 'app.kubernetes.io/name': 'orders' } };

function service(layer: ReturnType<typeof testLayer>, extra: Partial<ConstructorParameters<typeof Connections>[0]> = {}) {
  return new Connections({
    scope: layer.chart,
    name: 'search',
    pods: { namespace: 'search', podLabels: { app: 'search' } },
    defaultPorts: [9200],
    ...extra,
  });
}

const policyNames = (layer: ReturnType<typeof testLayer>) =>
  layer
    .all('NetworkPolicy')
    .map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`)
    .sort();

describe('Connections', () => {
  test('allowFrom opens one path on the default ports: egress at the client, ingress at the service, named after both', () => {
    const layer = testLayer();
    const orders = Grantee.of(layer.chart, 'orders', APP_PODS);
    service(layer).allowFrom(orders);
    expect(policyNames(layer)).toEqual(['apps/allow-orders-to-search-egress', 'search/allow-orders-to-search-ingress']);
    const ingress = layer.find('NetworkPolicy', 'allow-orders-to-search-ingress', 'search');
    expect(ingress.spec).toEqual({
      podSelector: { matchLabels: { app: 'search' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } }, podSelector: { matchLabels: APP_PODS.podLabels } }],
          ports: [{ protocol: 'TCP', port: 9200 }],
        },
      ],
    });
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('is idempotent, takes other ports when given, and refuses what is not a port', () => {
    const layer = testLayer();
    const orders = Grantee.of(layer.chart, 'orders', APP_PODS);
    const s = service(layer);
    s.allowFrom(orders);
    s.allowFrom(orders);
    expect(layer.all('NetworkPolicy')).toHaveLength(2);
    expect(() => s.allowFrom(orders, [0])).toThrow('connections of search: port 0 is not a TCP port (1-65535)');
    expect(() => s.allowFrom(orders, [])).toThrow('allowFrom(orders) with no port; omit ports for the defaults (9200)');
    expect(() => service(layer, { defaultPorts: [] })).toThrow('give at least one default port');
  });

  test("allowTo is the target's allowFrom with the target's default ports, from the client's identity", () => {
    const layer = testLayer();
    const admitted: string[] = [];
    const target = { connections: service(layer, { admit: (client, ports) => admitted.push(`${client.granteeName}:${ports.join(',')}`) }) };
    const client = new Connections({
      scope: layer.chart,
      name: 'orders',
      pods: APP_PODS,
      defaultPorts: [8080],
      asClient: Grantee.of(layer.chart, 'orders', APP_PODS),
    });
    client.allowTo(target);
    client.allowTo(target, [9300]);
    expect(admitted).toEqual(['orders:9200', 'orders:9300']);
    expect(() => service(layer).allowTo(target)).toThrow('search connects to nothing');
  });

  test("a PostgreSQL cluster's connections are its engine's allowFrom, on its port", () => {
    const viaConnections = testLayer();
    const pg = new CloudNativePgCluster(viaConnections.chart, 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    pg.addDatabase('orders');
    pg.connections.allowFrom(Grantee.of(viaConnections.chart, 'orders', APP_PODS));

    const direct = testLayer();
    const pg2 = new CloudNativePgCluster(direct.chart, 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    pg2.addDatabase('orders');
    pg2.allowFrom(Grantee.of(direct.chart, 'orders', APP_PODS));

    expect(policyNames(viaConnections)).toEqual(policyNames(direct));
    expect(policyNames(viaConnections).some((n) => n.startsWith('apps/allow-orders-to-'))).toBe(true);
    expect(pg.connections.defaultPorts).toEqual([5432]);
    expect(() => pg.connections.allowFrom(Grantee.of(viaConnections.chart, 'other', APP_PODS), [6432])).toThrow(
      'PostgreSQL cluster postgres: clients connect on 5432; allowFrom(other) asked for 6432',
    );
  });

  test('Kafka, OpenSearch and MinIO connect the same way, each on its own port and with what it admits', () => {
    const layer = testLayer();
    const orders = Grantee.of(layer.chart, 'orders', APP_PODS);
    const kafka = new KafkaCluster(layer.chart, 'Kafka', { secretBackend: EXTERNAL_SECRETS });
    const search = new OpenSearchCluster(layer.chart, 'Search', { secretBackend: EXTERNAL_SECRETS });
    const minio = new MinioTenant(layer.chart, 'Minio', { secretBackend: EXTERNAL_SECRETS });
    for (const target of [kafka, search, minio]) target.connections.allowFrom(orders);
    const ingressPorts = (name: string) => layer.all('NetworkPolicy').find((p: any) => p.metadata.name === name)?.spec.ingress[0].ports;
    expect(ingressPorts('allow-orders-to-events-ingress')).toEqual([{ protocol: 'TCP', port: 9093 }]);
    expect(ingressPorts('allow-orders-to-search-ingress')).toEqual([{ protocol: 'TCP', port: 9200 }]);
    expect(ingressPorts('allow-orders-to-minio-storage-ingress')).toEqual([{ protocol: 'TCP', port: 9000 }]);
    // Kafka also lets the client past its listener's own peer list.
    const listener = layer.find('Kafka', 'events', 'kafka').spec.kafka.listeners[0];
    expect(listener.networkPolicyPeers).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } },
      podSelector: { matchLabels: APP_PODS.podLabels },
    });
    // A grant after the connection opens no second path.
    minio.bucket('orders').grantReadWrite(orders);
    expect(layer.all('NetworkPolicy').filter((p: any) => p.metadata.name.startsWith('allow-orders-to-minio-'))).toHaveLength(2);
    expect(() => kafka.connections.allowFrom(orders, [9092])).toThrow(
      'Kafka cluster events: clients connect on 9093; allowFrom(orders) asked for 9092',
    );
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a service that is a grantee connects to others from its own pods (allowTo)', () => {
    const layer = testLayer();
    const pg = new CloudNativePgCluster(layer.chart, 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    const search = new OpenSearchCluster(layer.chart, 'Search', { secretBackend: EXTERNAL_SECRETS });
    search.connections.allowTo(pg);
    const egress = layer.all('NetworkPolicy').find((p: any) => p.metadata.name === 'allow-search-to-postgres-egress');
    expect(egress.metadata.namespace).toBe(search.namespace);
    expect(egress.spec.podSelector).toEqual({ matchLabels: search.serverPods.podLabels });
    expect(() => new KafkaCluster(layer.chart, 'Kafka', { secretBackend: EXTERNAL_SECRETS }).connections.allowTo(pg)).toThrow(
      'events connects to nothing',
    );
  });
});
