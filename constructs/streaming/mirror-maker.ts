import { Construct } from 'constructs';
import type { KafkaCluster } from './kafka-cluster';
import { KAFKA_EXTERNAL_PORT } from './kafka-cluster';
import { CONNECT_REST_PORT } from './kafka-connect';
import type { KafkaUser } from './kafka-user';
import { CONNECT_METRICS_RULES, jmxMetricsConfig, METRICS_PORT, metricsConfigMap, strimziPodMonitor } from './metrics';
import { quantities, RESTRICTED_CONTAINER, restrictedPod } from './pod-security';
import * as kafka from '../../imports/kafka.strimzi.io';
import type { ComputeResources } from '../core/compute';
import type { SecretBackend } from '../core/secret-backend';
import { operatorDefinition } from '../operators/catalog';
import { componentLabels } from '../platform/labels';
import { allowEgressToAddresses, allowTraffic, PodGroup } from '../platform/network';
import { SecretReference } from '../secrets/secret-reference';

/** What MirrorMaker 2 excludes by default (internal, replica and `__` topics); setting a pattern replaces it. */
export const MIRROR_DEFAULT_EXCLUDES = ['.*[\\-\\.]internal', '.*\\.replica', '__.*'];

/** A Kafka cluster in another region, as MirrorMaker 2 reaches it. */
export interface MirrorSourceCluster {
  /** Its alias: mirrored topics are named `<alias>.<topic>` here. */
  readonly alias: string;
  /** Bootstrap address of its external listener (TLS, SCRAM-SHA-512), e.g. `kafka-prod.region-a.example:9094`. */
  readonly bootstrapServers: string;
  /** The SCRAM user the source cluster created for this mirror (`KafkaCluster.addExternalUser`). */
  readonly username: string;
  /** Secret-store key of that user's password (property `password`): `KafkaCluster.externalUserKey(...)`. */
  readonly passwordRemoteKey: string;
  /** Secret-store key of the source's cluster CA certificate (property `ca.crt`): `KafkaCluster.clusterCaKey(...)`. */
  readonly clusterCaRemoteKey: string;
}

export interface KafkaMirrorMakerProps {
  /** @default 'mirror-maker' */
  readonly name?: string;
  /** This region's cluster: mirrored topics, checkpoints and offset syncs are written here. */
  readonly target: KafkaCluster;
  /** This cluster's alias (the region name). */
  readonly targetAlias: string;
  readonly source: MirrorSourceCluster;
  /** Topics to mirror (a Java regular expression). */
  readonly topicsPattern: string;
  /** Topics never mirrored. @default `MIRROR_DEFAULT_EXCLUDES` */
  readonly topicsExcludePattern?: string;
  /** Consumer groups whose offsets are checkpointed and synced. @default '.*' */
  readonly groupsPattern?: string;
  /** @default 1 */
  readonly replicas?: number;
  /** @default requests 250m / 1Gi, limits 1 / 1Gi */
  readonly resources?: ComputeResources;
  readonly secretBackend: SecretBackend;
}

/**
 * A Strimzi `KafkaMirrorMaker2` (API v1: one `target`, each mirror with its `source`) in a DR
 * replica region: mirrors the primary's topics over its external listener, checkpoints
 * consumer group offsets and syncs them to this cluster, keeps the offset-sync topic here so
 * the source user stays read-only, and opens the egress it needs.
 *
 * Heartbeats: `KafkaMirrorMaker2` v1 has no heartbeat connector (Strimzi moved it out of the
 * resource, see strimzi/proposals 115); heartbeats emitted on the source are mirrored like
 * any topic.
 */
export class KafkaMirrorMaker extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The local user MirrorMaker writes to the target cluster as. */
  public readonly targetUser: KafkaUser;
  public readonly pods: PodGroup;

  constructor(scope: Construct, id: string, props: KafkaMirrorMakerProps) {
    super(scope, id);
    const name = props.name ?? 'mirror-maker';
    for (const [field, pattern] of [
      ['topicsPattern', props.topicsPattern],
      ['topicsExcludePattern', props.topicsExcludePattern],
      ['groupsPattern', props.groupsPattern],
    ] as const) {
      if (pattern === undefined) continue;
      try {
        new RegExp(pattern);
      } catch (err) {
        throw new Error(
          `MirrorMaker 2 ${name}: ${field} "${pattern}" is not a valid regular expression (${(err as Error).message}); fix streaming.mirrorTopics`,
        );
      }
    }
    if (props.source.alias === props.targetAlias) {
      throw new Error(`MirrorMaker 2 ${name}: source and target have the same alias "${props.targetAlias}"`);
    }
    const target = props.target;
    this.name = name;
    this.namespace = target.namespace;
    this.pods = {
      namespace: this.namespace,
      podLabels: { 'strimzi.io/cluster': name, 'strimzi.io/kind': 'KafkaMirrorMaker2', 'strimzi.io/name': `${name}-mirrormaker2` },
    };
    const internalTopics = { config: `${name}-configs`, offset: `${name}-offsets`, status: `${name}-status` };

    this.targetUser = target.addUser(name);
    grantMirrorTarget(this.targetUser, { name, sourceAlias: props.source.alias, internalTopicPrefix: `${name}-` });

    const sourcePassword = new SecretReference(this, 'SourceCredentials', {
      backend: props.secretBackend,
      namespace: this.namespace,
      name: `${name}-${props.source.alias}-credentials`,
      remoteKey: props.source.passwordRemoteKey,
      keys: { password: 'password' },
    });
    const sourceCa = new SecretReference(this, 'SourceClusterCa', {
      backend: props.secretBackend,
      namespace: this.namespace,
      name: `${name}-${props.source.alias}-cluster-ca`,
      remoteKey: props.source.clusterCaRemoteKey,
      keys: { 'ca.crt': 'ca.crt' },
    });

    const metrics = metricsConfigMap(this, 'MetricsConfig', { name: `${name}-metrics`, namespace: this.namespace, rules: CONNECT_METRICS_RULES });
    const auth = this.targetUser.clientAuthentication();
    const connectorCommon = { autoRestart: { enabled: true } };
    new kafka.KafkaMirrorMaker2(this, 'Resource', {
      metadata: { name, namespace: this.namespace, labels: componentLabels('kafka-mirror-maker-2', name, 'replication') },
      spec: {
        version: target.version,
        replicas: props.replicas ?? 1,
        target: {
          alias: props.targetAlias,
          bootstrapServers: target.bootstrapServers,
          groupId: name,
          configStorageTopic: internalTopics.config,
          offsetStorageTopic: internalTopics.offset,
          statusStorageTopic: internalTopics.status,
          tls: { trustedCertificates: [{ secretName: target.clusterCa.name, certificate: target.clusterCa.key }] },
          authentication:
            auth.type === 'tls'
              ? { type: kafka.KafkaMirrorMaker2SpecTargetAuthenticationType.TLS, certificateAndKey: { ...auth.certificateAndKey } }
              : {
                  type: kafka.KafkaMirrorMaker2SpecTargetAuthenticationType.SCRAM_HYPHEN_SHA_HYPHEN_512,
                  username: auth.username,
                  passwordSecret: { ...auth.passwordSecret },
                },
          config: {
            'config.storage.replication.factor': -1,
            'offset.storage.replication.factor': -1,
            'status.storage.replication.factor': -1,
          },
        },
        mirrors: [
          {
            source: {
              alias: props.source.alias,
              bootstrapServers: props.source.bootstrapServers,
              tls: { trustedCertificates: [{ secretName: sourceCa.name, certificate: 'ca.crt' }] },
              authentication: {
                type: kafka.KafkaMirrorMaker2SpecMirrorsSourceAuthenticationType.SCRAM_HYPHEN_SHA_HYPHEN_512,
                username: props.source.username,
                passwordSecret: { secretName: sourcePassword.name, password: 'password' },
              },
            },
            sourceConnector: {
              ...connectorCommon,
              tasksMax: 2,
              config: {
                'replication.factor': -1,
                'offset-syncs.topic.replication.factor': -1,
                // Offset syncs live on the target: the source user only reads.
                'offset-syncs.topic.location': 'target',
                // ACLs are managed per region by the User Operator.
                'sync.topic.acls.enabled': false,
                'refresh.topics.interval.seconds': 60,
                'replication.policy.class': 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy',
              },
            },
            checkpointConnector: {
              ...connectorCommon,
              tasksMax: 1,
              config: {
                'checkpoints.topic.replication.factor': -1,
                'offset-syncs.topic.location': 'target',
                'emit.checkpoints.interval.seconds': 60,
                'refresh.groups.interval.seconds': 60,
                // Consumers failing over start from the translated offsets.
                'sync.group.offsets.enabled': true,
                'sync.group.offsets.interval.seconds': 60,
                'replication.policy.class': 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy',
              },
            },
            topicsPattern: props.topicsPattern,
            topicsExcludePattern: props.topicsExcludePattern ?? MIRROR_DEFAULT_EXCLUDES.join('|'),
            groupsPattern: props.groupsPattern ?? '.*',
          },
        ],
        resources: quantities(
          kafka.KafkaMirrorMaker2SpecResourcesRequests,
          kafka.KafkaMirrorMaker2SpecResourcesLimits,
          props.resources ?? MIRROR_RESOURCES,
        ),
        metricsConfig: jmxMetricsConfig(kafka.KafkaMirrorMaker2SpecMetricsConfigType.JMX_PROMETHEUS_EXPORTER, metrics),
        template: {
          pod: { securityContext: restrictedPod() },
          connectContainer: { securityContext: RESTRICTED_CONTAINER },
          initContainer: { securityContext: RESTRICTED_CONTAINER },
          podDisruptionBudget: { maxUnavailable: 1 },
        },
      },
    });

    target.allowClients(this.pods, name);
    // The source's load balancer is outside this cluster: its address is not known here, its port is.
    allowEgressToAddresses(this, 'AllowSource', {
      name: `allow-${name}-to-${props.source.alias}-kafka`,
      from: this.pods,
      cidrs: ['0.0.0.0/0'],
      ports: [KAFKA_EXTERNAL_PORT],
    });
    const operator: PodGroup = { namespace: operatorDefinition('strimzi-kafka-operator').namespace, podLabels: {} };
    allowTraffic(this, 'AllowOperator', { name: `allow-strimzi-operator-to-${name}`, from: operator, to: this.pods, ports: [CONNECT_REST_PORT] });
    allowTraffic(this, 'AllowWorkers', { name: `allow-${name}-workers`, from: this.pods, to: this.pods, ports: [CONNECT_REST_PORT] });
    strimziPodMonitor(this, 'PodMonitor', {
      name,
      namespace: this.namespace,
      selector: { 'strimzi.io/cluster': name, 'strimzi.io/kind': 'KafkaMirrorMaker2' },
      endpoints: [{ port: 'tcp-prometheus', number: METRICS_PORT }],
    });
  }
}

const MIRROR_RESOURCES: ComputeResources = { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };

/**
 * What MirrorMaker 2 needs on its target: create and write `<sourceAlias>.*` topics (data,
 * heartbeats, checkpoints) and keep their configuration in sync, the offset-sync topic, its
 * Connect group and internal topics, and consumer groups (offset sync).
 */
function grantMirrorTarget(user: KafkaUser, p: { name: string; sourceAlias: string; internalTopicPrefix: string }): void {
  user.addAcl({
    resource: { type: 'topic', name: { prefix: `${p.sourceAlias}.` } },
    operations: ['Alter', 'AlterConfigs', 'Create', 'Describe', 'DescribeConfigs', 'Write'],
  });
  user.addAcl({
    resource: { type: 'topic', name: { prefix: 'mm2-offset-syncs.' } },
    operations: ['Create', 'Describe', 'DescribeConfigs', 'Read', 'Write'],
  });
  user.addAcl({
    resource: { type: 'topic', name: { prefix: p.internalTopicPrefix } },
    operations: ['Create', 'Describe', 'DescribeConfigs', 'Read', 'Write'],
  });
  user.addAcl({ resource: { type: 'group', name: p.name }, operations: ['Describe', 'Read'] });
  user.addAcl({ resource: { type: 'group', name: '*' }, operations: ['Describe', 'Read'] });
  user.addAcl({ resource: { type: 'cluster' }, operations: ['Describe'] });
}
