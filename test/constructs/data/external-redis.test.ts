import { Grantee } from '../../../constructs/core/grantee';
import { ExternalRedis, ExternalRedisProps } from '../../../constructs/data/external-redis';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';

const PROPS: ExternalRedisProps = { addresses: ['10.20.0.21', '10.20.0.22', '10.20.0.23'], secretBackend: EXTERNAL_SECRETS };

function build(props: Partial<ExternalRedisProps> = {}): TestLayer & { redis: ExternalRedis } {
  const layer = testLayer('data');
  return { ...layer, redis: new ExternalRedis(layer.chart, 'Redis', { ...PROPS, ...props }) };
}

describe('ExternalRedis', () => {
  test('two selector-less Services whose EndpointSlices list the machines, Redis on 6379 and Sentinel on 26379', () => {
    const layer = build();
    expect(layer.find('Service', 'redis', 'redis').spec).toEqual({
      type: 'ClusterIP',
      ports: [{ name: 'redis', protocol: 'TCP', port: 6379, targetPort: 6379 }],
    });
    expect(layer.find('Service', 'redis-sentinel', 'redis').spec.ports).toEqual([
      { name: 'sentinel', protocol: 'TCP', port: 26379, targetPort: 26379 },
    ]);
    const slice = layer.find('EndpointSlice', 'redis-sentinel-vms', 'redis');
    expect(slice.metadata.labels).toEqual(
      expect.objectContaining({ 'kubernetes.io/service-name': 'redis-sentinel', 'endpointslice.kubernetes.io/managed-by': 'strata.io' }),
    );
    expect(slice.endpoints.map((e: any) => e.addresses[0])).toEqual(PROPS.addresses);
    expect(layer.all('Secret')).toEqual([]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a client is given names, the master name and its password by reference, and egress to exactly the machines and ports', () => {
    const layer = build({ masterName: 'cache' });
    const app = Grantee.of(layer.chart, 'nextcloud', { namespace: 'nextcloud', podLabels: { app: 'nextcloud' } });
    const access = layer.redis.grantAccess(app);
    expect(access).toMatchObject({
      host: 'redis.redis.svc.cluster.local',
      port: 6379,
      sentinelHost: 'redis-sentinel.redis.svc.cluster.local',
      sentinelPort: 26379,
      masterName: 'cache',
    });
    expect(access.credentials.selector('password')).toEqual({ name: 'redis-redis-password', key: 'password' });
    expect(layer.find('ExternalSecret', 'redis-redis-password', 'nextcloud').spec.data).toEqual([
      { secretKey: 'password', remoteRef: { key: 'region-a/prod/redis/redis', property: 'password' } },
    ]);
    const egress = layer.find('NetworkPolicy', 'allow-nextcloud-to-redis-redis', 'nextcloud');
    expect(egress.spec.egress).toEqual([
      {
        to: PROPS.addresses.map((a) => ({ ipBlock: { cidr: `${a}/32` } })),
        ports: [
          { protocol: 'TCP', port: 6379 },
          { protocol: 'TCP', port: 26379 },
        ],
      },
    ]);
    // Once per client.
    layer.redis.grantAccess(app);
    expect(layer.all('NetworkPolicy').filter((p: any) => p.metadata.name === 'allow-nextcloud-to-redis-redis')).toHaveLength(1);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('bad machines and ports are refused with the fix', () => {
    expect(() => build({ addresses: [] })).toThrow('external Redis redis: addresses is empty; list the IPv4 addresses of the Redis machines');
    expect(() => build({ addresses: ['127.0.0.1'] })).toThrow('an unspecified, loopback, link-local or multicast address');
    expect(() => build({ addresses: ['redis.example.org'] })).toThrow('is not an IPv4 address');
    expect(() => build({ port: 26379 })).toThrow('port and sentinelPort are both 26379');
    expect(() => build({ name: 'Redis' })).toThrow('is not a Service name');
  });
});
