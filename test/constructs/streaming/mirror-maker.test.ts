import { buildKafka, streamingSchemaIssues } from './support';
import { KafkaCluster } from '../../../constructs/streaming/kafka-cluster';
import { KafkaMirrorMaker, KafkaMirrorMakerProps, MIRROR_DEFAULT_EXCLUDES } from '../../../constructs/streaming/mirror-maker';
import { EXTERNAL_SECRETS } from '../../support/layer';

const SOURCE = {
  alias: 'region-a',
  bootstrapServers: 'kafka-prod.region-a.strata.example:9094',
  username: 'mirror-maker-region-b',
  passwordRemoteKey: KafkaCluster.externalUserKey('region-a/prod', 'events', 'mirror-maker-region-b'),
  clusterCaRemoteKey: KafkaCluster.clusterCaKey('region-a/prod', 'events'),
};

function build(props: Partial<Omit<KafkaMirrorMakerProps, 'target'>> = {}) {
  const layer = buildKafka({ secretKeyPrefix: 'region-b/prod' }, { region: 'region-b', environment: 'prod' });
  const mirror = new KafkaMirrorMaker(layer.chart, 'MirrorMaker', {
    target: layer.kafka,
    targetAlias: 'region-b',
    source: SOURCE,
    topicsPattern: 'hrm\\..*|payroll\\..*',
    secretBackend: EXTERNAL_SECRETS,
    ...props,
  });
  return { ...layer, mirror };
}

const mm2Of = (layer: ReturnType<typeof build>) => layer.find('KafkaMirrorMaker2', 'mirror-maker', 'kafka');

describe('KafkaMirrorMaker', () => {
  test('v1 layout: this cluster is the target (and Connect cluster), the primary the source of the one mirror', () => {
    const spec = mm2Of(build()).spec;
    expect(spec.connectCluster).toBeUndefined();
    expect(spec.clusters).toBeUndefined();
    expect(spec.target).toMatchObject({
      alias: 'region-b',
      bootstrapServers: 'events-kafka-bootstrap.kafka.svc:9093',
      groupId: 'mirror-maker',
      configStorageTopic: 'mirror-maker-configs',
      offsetStorageTopic: 'mirror-maker-offsets',
      statusStorageTopic: 'mirror-maker-status',
      tls: { trustedCertificates: [{ secretName: 'events-cluster-ca-cert', certificate: 'ca.crt' }] },
      authentication: { type: 'scram-sha-512', username: 'mirror-maker', passwordSecret: { secretName: 'mirror-maker', password: 'password' } },
    });
    expect(spec.mirrors).toHaveLength(1);
    expect(spec.mirrors[0].source).toEqual({
      alias: 'region-a',
      bootstrapServers: 'kafka-prod.region-a.strata.example:9094',
      tls: { trustedCertificates: [{ secretName: 'mirror-maker-region-a-cluster-ca', certificate: 'ca.crt' }] },
      authentication: {
        type: 'scram-sha-512',
        username: 'mirror-maker-region-b',
        passwordSecret: { secretName: 'mirror-maker-region-a-credentials', password: 'password' },
      },
    });
    expect(spec.version).toBe(layerVersion());
  });

  test("topics from the pattern given, MirrorMaker's own exclusions, every consumer group", () => {
    const mirror = mm2Of(build()).spec.mirrors[0];
    expect(mirror.topicsPattern).toBe('hrm\\..*|payroll\\..*');
    expect(mirror.topicsExcludePattern).toBe(MIRROR_DEFAULT_EXCLUDES.join('|'));
    expect(mirror.groupsPattern).toBe('.*');
    expect(mm2Of(build({ topicsExcludePattern: 'secret\\..*' })).spec.mirrors[0].topicsExcludePattern).toBe('secret\\..*');
  });

  test('checkpoints with consumer offset sync; offset syncs kept on the target so the source user only reads', () => {
    const mirror = mm2Of(build()).spec.mirrors[0];
    expect(mirror.checkpointConnector.config).toMatchObject({
      'sync.group.offsets.enabled': true,
      'emit.checkpoints.interval.seconds': 60,
      'offset-syncs.topic.location': 'target',
    });
    expect(mirror.sourceConnector.config).toMatchObject({ 'offset-syncs.topic.location': 'target', 'sync.topic.acls.enabled': false });
    expect(mirror.sourceConnector.autoRestart).toEqual({ enabled: true });
    expect(mirror.heartbeatConnector).toBeUndefined();
  });

  test('the source credential and CA come from the secret store under the keys the primary publishes', () => {
    const layer = build();
    expect(layer.find('ExternalSecret', 'mirror-maker-region-a-credentials', 'kafka').spec.data).toEqual([
      { secretKey: 'password', remoteRef: { key: 'region-a/prod/kafka/events/users/mirror-maker-region-b', property: 'password' } },
    ]);
    expect(layer.find('ExternalSecret', 'mirror-maker-region-a-cluster-ca', 'kafka').spec.data).toEqual([
      { secretKey: 'ca.crt', remoteRef: { key: 'region-a/prod/kafka/events/cluster-ca', property: 'ca.crt' } },
    ]);
  });

  test('its local user writes only the mirrored, checkpoint, offset-sync and its own topics', () => {
    const acls = build().find('KafkaUser', 'mirror-maker', 'kafka').spec.authorization.acls;
    const topicAcls = acls.filter((a: any) => a.resource.type === 'topic').map((a: any) => `${a.resource.patternType}:${a.resource.name}`);
    expect(topicAcls.sort()).toEqual(['prefix:mirror-maker-', 'prefix:mm2-offset-syncs.', 'prefix:region-a.']);
    expect(acls).toContainEqual({
      type: 'allow',
      resource: { type: 'topic', name: 'region-a.', patternType: 'prefix' },
      operations: ['Alter', 'AlterConfigs', 'Create', 'Describe', 'DescribeConfigs', 'Write'],
    });
  });

  test("network: the local listener, egress to the source's external listener, the operator and Prometheus", () => {
    const layer = build();
    const egress = layer.all('NetworkPolicy').find((p) => p.metadata.name === 'allow-mirror-maker-to-region-a-kafka');
    expect(egress.spec).toEqual({
      podSelector: {
        matchLabels: { 'strimzi.io/cluster': 'mirror-maker', 'strimzi.io/kind': 'KafkaMirrorMaker2', 'strimzi.io/name': 'mirror-maker-mirrormaker2' },
      },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 9094 }] }],
    });
    const names = layer.all('NetworkPolicy').map((p) => p.metadata.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'allow-mirror-maker-to-events-ingress',
        'allow-strimzi-operator-to-mirror-maker-ingress',
        'allow-prometheus-to-mirror-maker-ingress',
      ]),
    );
  });

  test('a pattern that is no regular expression is an error naming the setting', () => {
    expect(() => build({ topicsPattern: 'hrm.(' })).toThrow(
      /MirrorMaker 2 mirror-maker: topicsPattern "hrm\.\(" is not a valid regular expression .*; fix streaming.mirrorTopics/,
    );
  });

  test('every object validates against the pinned schemas', () => {
    expect(streamingSchemaIssues(build().manifests())).toEqual([]);
  });
});

function layerVersion(): string {
  return buildKafka().kafka.version;
}
