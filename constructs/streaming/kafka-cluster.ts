import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { kafkaClusterAlerts } from './kafka-alerts';
import { KAFKA_DEFAULTS } from './kafka-defaults';
import { KafkaNodePool, KafkaNodeRole } from './kafka-node-pool';
import { KafkaTopic, KafkaTopicOptions } from './kafka-topic';
import { AclOperation, KafkaAuthentication, KafkaUser, ResourceName } from './kafka-user';
import { jmxMetricsConfig, KAFKA_METRICS_RULES, METRICS_PORT, metricsConfigMap, strimziPodMonitor } from './metrics';
import { quantities, RESTRICTED_CONTAINER, restrictedPod } from './pod-security';
import * as kafka from '../../imports/kafka.strimzi.io';
import type { ComputeResources, NodePool } from '../core/compute';
import type { IGrantee } from '../core/grantee';
// Aliased: the static key helpers take a `secretKeyPrefix` parameter.
import { secretKeyPrefix as layerKeyPrefix } from '../core/naming';
import type { SecretBackend } from '../core/secret-backend';
import { operatorDefinition } from '../operators/catalog';
import { addAlertRules, RUNBOOKS } from '../platform/alert-rules';
import { Connections, IConnectable, singlePortConnections } from '../platform/connections';
import { componentLabels } from '../platform/labels';
import { LayerChart } from '../platform/layer-chart';
import { allowTraffic, PodGroup } from '../platform/network';
import { compareStrings } from '../platform/ordering';
import { OverlayContext } from '../platform/overlay-context';
import { protectFromPrune } from '../platform/protection';
import { SecretReference } from '../secrets/secret-reference';
import { STRIMZI_KAFKA } from '../versions';

/** KRaft controller listener. */
const CONTROLLER_PORT = 9090;
/** Inter-broker listener; Strimzi's own components (operator, entity operator, exporter) use it too. */
const REPLICATION_PORT = 9091;
/** Kafka Agent: the cluster operator reads broker and controller state from it while rolling. */
const AGENT_PORT = 8443;
/** The internal TLS listener clients use. */
export const KAFKA_CLIENT_PORT = 9093;
/** The external TLS listener (DR replicas in other regions). */
export const KAFKA_EXTERNAL_PORT = 9094;
/** Entity operator health and metrics ports (topic operator, user operator). */
const ENTITY_OPERATOR_PORTS = [8080, 8081];

export interface KafkaClusterProps {
  /** Cluster name (a public contract: object, Service and Secret names derive from it). @default 'events' */
  readonly name?: string;
  /** @default 'kafka' */
  readonly namespace?: string;
  /** `dedicated`: `controllers` and `brokers` node pools; `combined`: one `dual-role` pool. @default 'dedicated' */
  readonly topology?: 'dedicated' | 'combined';
  /** KRaft controllers, dedicated topology only (odd). @default 3 */
  readonly controllers?: number;
  /** Brokers, or dual-role nodes in the combined topology. @default 3 */
  readonly brokers?: number;
  /** Log volume per broker (JBOD volume 0, which also holds the KRaft metadata log). @default '100Gi' */
  readonly storageSize?: string;
  /** Storage class, best with reclaim policy Retain. @default the cluster's default storage class */
  readonly storageClass?: string;
  /** Per broker (or dual-role node). @default 2 CPUs and 6Gi, requests equal to limits (Guaranteed QoS) */
  readonly resources?: ComputeResources;
  /**
   * Per dedicated controller: controllers hold only the metadata log.
   * @default requests 250m / 1Gi, limits 500m / 1Gi
   */
  readonly controllerResources?: ComputeResources;
  /** Metadata volume per dedicated controller. @default '10Gi' */
  readonly controllerStorageSize?: string;
  /** Default replication factor (also of the offsets and transaction-state topics). @default 3 */
  readonly replicationFactor?: number;
  /** Replicas that must confirm a write with `acks=all` (also of the transaction-state log). @default 2 */
  readonly minInsyncReplicas?: number;
  /** Default topic retention. @default 168 (7 days) */
  readonly retentionHours?: number;
  /** Client authentication on the internal TLS listener. @default 'scram-sha-512' */
  readonly authentication?: KafkaAuthentication;
  /** Nodes reserved for stateful services. @default any node */
  readonly nodePool?: NodePool;
  /**
   * Node label carrying the zone: brokers get it as their rack (replicas spread across zones,
   * consumers may fetch from the closest replica), and pools spread across zones. Strimzi then
   * schedules Kafka only on nodes that carry the label.
   * @default no rack awareness
   */
  readonly rackTopologyKey?: string;
  /** Where the cluster's credentials come from (never rendered as values). */
  readonly secretBackend: SecretBackend;
  /** Prefix of every key this cluster reads from the secret store. @default `<region>/<environment>` of its layer */
  readonly secretKeyPrefix?: string;
  /** @default STRIMZI_KAFKA.kafka */
  readonly version?: string;
}

/** KafkaClusterProps with every default applied. */
type ResolvedProps = Required<Omit<KafkaClusterProps, 'namespace' | 'storageClass' | 'nodePool' | 'rackTopologyKey'>> &
  Pick<KafkaClusterProps, 'namespace' | 'storageClass' | 'nodePool' | 'rackTopologyKey'>;

function withDefaults(scope: Construct, props: KafkaClusterProps): ResolvedProps {
  const layer = LayerChart.of(scope);
  return {
    ...props,
    name: props.name ?? KAFKA_DEFAULTS.name,
    topology: props.topology ?? KAFKA_DEFAULTS.topology,
    controllers: props.controllers ?? KAFKA_DEFAULTS.controllers,
    brokers: props.brokers ?? KAFKA_DEFAULTS.brokers,
    storageSize: props.storageSize ?? KAFKA_DEFAULTS.storageSize,
    resources: props.resources ?? KAFKA_DEFAULTS.resources,
    controllerResources: props.controllerResources ?? KAFKA_DEFAULTS.controllerResources,
    controllerStorageSize: props.controllerStorageSize ?? KAFKA_DEFAULTS.controllerStorageSize,
    replicationFactor: props.replicationFactor ?? KAFKA_DEFAULTS.replicationFactor,
    minInsyncReplicas: props.minInsyncReplicas ?? KAFKA_DEFAULTS.minInsyncReplicas,
    retentionHours: props.retentionHours ?? KAFKA_DEFAULTS.retentionHours,
    authentication: props.authentication ?? KAFKA_DEFAULTS.authentication,
    secretKeyPrefix: props.secretKeyPrefix ?? layerKeyPrefix(layer.region, layer.environment),
    version: props.version ?? STRIMZI_KAFKA.kafka,
  };
}

/** A topic by object, exact name, or name prefix (`{ prefix: 'hrm.' }`). */
export type TopicRef = KafkaTopic | ResourceName;

export interface GrantProduceOptions {
  /** Let the user create the topics (Kafka Connect source connectors creating their topics). @default false */
  readonly create?: boolean;
}

export interface ExternalListenerOptions {
  /**
   * DNS name other regions use for the bootstrap load balancer; it is added to the broker
   * certificates and requested from external-dns. It must resolve to the
   * `<name>-kafka-external-bootstrap` Service's load balancer.
   */
  readonly host: string;
  /** Client CIDRs allowed by the load balancer. @default any */
  readonly loadBalancerSourceRanges?: readonly string[];
}

/**
 * A Strimzi Kafka cluster in KRaft mode: node pools (3 controllers + 3 brokers in
 * production, one dual-role node in development), JBOD storage on the retain class with the
 * metadata log on the same volume, an internal TLS listener with SCRAM-SHA-512 or mutual
 * TLS, simple authorization, rack awareness, a disruption budget, JMX metrics with a
 * PodMonitor and alerts (`kafka-alerts.ts`), Kafka Exporter, the entity operator, default-deny
 * network paths opened edge by edge, and prune protection. Topics, users and their ACLs are
 * declared through it.
 */
export class KafkaCluster extends Construct implements IConnectable {
  /**
   * Secret-store key (property `ca.crt`) where the cluster CA certificate of `cluster` is
   * published for clients in other regions: copied from the `<cluster>-cluster-ca-cert` Secret
   * by whoever operates the overlay, and again after each CA renewal.
   */
  public static clusterCaKey(secretKeyPrefix: string, cluster: string): string {
    return `${secretKeyPrefix}/kafka/${cluster}/cluster-ca`;
  }

  /** Secret-store key of the password of `user`, an external user of cluster `cluster` in the overlay with `secretKeyPrefix`. */
  public static externalUserKey(secretKeyPrefix: string, cluster: string, user: string): string {
    return `${secretKeyPrefix}/kafka/${cluster}/users/${user}`;
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly authentication: KafkaAuthentication;
  public readonly replicationFactor: number;
  public readonly minInsyncReplicas: number;
  public readonly retentionHours: number;
  /** Kafka version of the brokers; Connect and MirrorMaker 2 run the same. */
  public readonly version: string;
  /** Bootstrap address of the internal TLS listener. */
  public readonly bootstrapServers: string;
  /** `{ name, key }` of the cluster CA certificate that signs the listeners, in `namespace`. */
  public readonly clusterCa: { readonly name: string; readonly key: string };
  /** Pods serving clients (for network policies). */
  public readonly brokerPods: PodGroup;
  /** Every KRaft node (brokers and controllers). */
  public readonly nodePods: PodGroup;

  private readonly props: ResolvedProps;
  private readonly clientPeers = new Map<string, PodGroup>();
  private readonly topics = new Map<string, KafkaTopic>();
  private readonly users = new Map<string, KafkaUser>();
  private external?: ExternalListenerOptions;
  private connectionsOf?: Connections;

  constructor(scope: Construct, id: string, given: KafkaClusterProps) {
    super(scope, id);
    const props = withDefaults(this, given);
    validate(props);
    this.props = props;
    this.name = props.name;
    this.authentication = props.authentication;
    this.replicationFactor = props.replicationFactor;
    this.minInsyncReplicas = props.minInsyncReplicas;
    this.retentionHours = props.retentionHours;
    this.version = props.version;
    // The entity operator watches topics and users, and the rack init container reads node labels.
    this.namespace = OverlayContext.of(this).requireNamespace({
      name: props.namespace ?? KAFKA_DEFAULTS.namespace,
      workload: true,
      apiServerEgress: true,
    });
    this.bootstrapServers = `${props.name}-kafka-bootstrap.${this.namespace}.svc:${KAFKA_CLIENT_PORT}`;
    this.clusterCa = { name: `${props.name}-cluster-ca-cert`, key: 'ca.crt' };

    const clusterLabels = { 'strimzi.io/cluster': props.name, 'strimzi.io/kind': 'Kafka' };
    const nodeLabels = { ...clusterLabels, 'strimzi.io/name': `${props.name}-kafka` };
    this.nodePods = { namespace: this.namespace, podLabels: nodeLabels };
    this.brokerPods = { namespace: this.namespace, podLabels: { ...nodeLabels, 'strimzi.io/broker-role': 'true' } };
    const entityOperatorPods: PodGroup = {
      namespace: this.namespace,
      podLabels: { ...clusterLabels, 'strimzi.io/name': `${props.name}-entity-operator` },
    };
    const exporterPods: PodGroup = { namespace: this.namespace, podLabels: { ...clusterLabels, 'strimzi.io/name': `${props.name}-kafka-exporter` } };

    const metrics = metricsConfigMap(this, 'MetricsConfig', {
      name: `${props.name}-kafka-metrics`,
      namespace: this.namespace,
      rules: KAFKA_METRICS_RULES,
    });
    const rf = props.replicationFactor;
    const isr = props.minInsyncReplicas;

    const resource = new kafka.Kafka(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: this.namespace,
        labels: componentLabels('kafka', props.name, 'event-streaming'),
        // Ignored by Strimzi 1.x (KRaft and node pools are the only mode); kept for clarity.
        annotations: { 'strimzi.io/kraft': 'enabled', 'strimzi.io/node-pools': 'enabled' },
      },
      spec: {
        kafka: {
          version: this.version,
          listeners: Lazy.any({ produce: () => this.renderListeners() }),
          authorization: { type: kafka.KafkaSpecKafkaAuthorizationType.SIMPLE },
          config: {
            'default.replication.factor': rf,
            'min.insync.replicas': isr,
            'offsets.topic.replication.factor': rf,
            'transaction.state.log.replication.factor': rf,
            'transaction.state.log.min.isr': isr,
            'log.retention.hours': props.retentionHours,
            // Topics are declared (KafkaTopic) or created by clients granted Create.
            'auto.create.topics.enable': false,
            ...(props.rackTopologyKey ? { 'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector' } : {}),
          },
          ...(props.rackTopologyKey
            ? { rack: { type: kafka.KafkaSpecKafkaRackType.TOPOLOGY_HYPHEN_LABEL, topologyKey: props.rackTopologyKey } }
            : {}),
          metricsConfig: jmxMetricsConfig(kafka.KafkaSpecKafkaMetricsConfigType.JMX_PROMETHEUS_EXPORTER, metrics),
          template: {
            pod: { securityContext: restrictedPod({ persistentStorage: true }) },
            kafkaContainer: { securityContext: RESTRICTED_CONTAINER },
            initContainer: { securityContext: RESTRICTED_CONTAINER },
            // One budget over every node of the cluster: one voluntary eviction at a time.
            podDisruptionBudget: { maxUnavailable: 1 },
          },
        },
        entityOperator: {
          topicOperator: {
            resources: quantities(
              kafka.KafkaSpecEntityOperatorTopicOperatorResourcesRequests,
              kafka.KafkaSpecEntityOperatorTopicOperatorResourcesLimits,
              OPERATOR_RESOURCES,
            ),
          },
          userOperator: {
            resources: quantities(
              kafka.KafkaSpecEntityOperatorUserOperatorResourcesRequests,
              kafka.KafkaSpecEntityOperatorUserOperatorResourcesLimits,
              OPERATOR_RESOURCES,
            ),
          },
          template: {
            pod: { securityContext: restrictedPod() },
            topicOperatorContainer: { securityContext: RESTRICTED_CONTAINER },
            userOperatorContainer: { securityContext: RESTRICTED_CONTAINER },
          },
        },
        kafkaExporter: {
          topicRegex: '.*',
          groupRegex: '.*',
          resources: quantities(kafka.KafkaSpecKafkaExporterResourcesRequests, kafka.KafkaSpecKafkaExporterResourcesLimits, EXPORTER_RESOURCES),
          template: { pod: { securityContext: restrictedPod() }, container: { securityContext: RESTRICTED_CONTAINER } },
        },
      },
    });
    protectFromPrune(resource);

    const pool = (name: string, roles: KafkaNodeRole[], replicas: number, storageSize: string, resources: ComputeResources) =>
      new KafkaNodePool(this, `Pool-${name}`, {
        name,
        namespace: this.namespace,
        clusterName: props.name,
        roles,
        replicas,
        storageSize,
        // KafkaNodePoolProps still types the class as required; without one the volume names
        // none and gets the cluster's default StorageClass.
        storageClass: props.storageClass as string,
        resources,
        nodePool: props.nodePool,
        zoneTopologyKey: props.rackTopologyKey,
      });
    if (props.topology === 'dedicated') {
      pool('controllers', ['controller'], props.controllers, props.controllerStorageSize, props.controllerResources);
      pool('brokers', ['broker'], props.brokers, props.storageSize, props.resources);
    } else {
      pool('dual-role', ['controller', 'broker'], props.brokers, props.storageSize, props.resources);
    }

    const operator: PodGroup = { namespace: operatorDefinition('strimzi-kafka-operator').namespace, podLabels: {} };
    // Controllers form the quorum, brokers fetch metadata from it and replicate among themselves.
    allowTraffic(this, 'AllowNodes', {
      name: `allow-${props.name}-kafka-nodes`,
      from: this.nodePods,
      to: this.nodePods,
      ports: [CONTROLLER_PORT, REPLICATION_PORT],
    });
    allowTraffic(this, 'AllowOperator', {
      name: `allow-strimzi-operator-to-${props.name}`,
      from: operator,
      to: this.nodePods,
      ports: [CONTROLLER_PORT, REPLICATION_PORT, AGENT_PORT],
    });
    allowTraffic(this, 'AllowEntityOperator', {
      name: `allow-${props.name}-entity-operator-to-kafka`,
      from: entityOperatorPods,
      to: this.nodePods,
      ports: [REPLICATION_PORT],
    });
    allowTraffic(this, 'AllowExporter', {
      name: `allow-${props.name}-kafka-exporter-to-kafka`,
      from: exporterPods,
      to: this.nodePods,
      ports: [REPLICATION_PORT],
    });
    // Brokers and controllers (JMX exporter), Kafka Exporter, and the entity operator's health ports.
    strimziPodMonitor(this, 'PodMonitor', {
      name: `${props.name}-kafka`,
      namespace: this.namespace,
      selector: clusterLabels,
      endpoints: [{ port: 'tcp-prometheus', number: METRICS_PORT }, ...ENTITY_OPERATOR_PORTS.map((number) => ({ port: 'healthcheck', number }))],
    });
    addAlertRules(this, 'Alerts', {
      runbooks: RUNBOOKS.streaming,
      name: `${props.name}-kafka`,
      namespace: this.namespace,
      labels: { namespace: this.namespace, strimzi_io_cluster: props.name, strimzi_io_kind: 'Kafka' },
      alerts: () => kafkaClusterAlerts({ name: props.name, namespace: this.namespace, brokers: props.brokers }),
    });
  }

  private renderListeners() {
    const clientPeers = [...this.clientPeers.values()];
    const listeners: kafka.KafkaSpecKafkaListeners[] = [
      {
        name: 'tls',
        port: KAFKA_CLIENT_PORT,
        type: kafka.KafkaSpecKafkaListenersType.INTERNAL,
        tls: true,
        authentication: {
          type:
            this.authentication === 'tls'
              ? kafka.KafkaSpecKafkaListenersAuthenticationType.TLS
              : kafka.KafkaSpecKafkaListenersAuthenticationType.SCRAM_HYPHEN_SHA_HYPHEN_512,
        },
        // Strimzi's own policy for the listener admits these peers only (an empty list would admit everyone).
        networkPolicyPeers: (clientPeers.length ? clientPeers : [this.brokerPods]).map((g) => ({
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': g.namespace } },
          podSelector: { matchLabels: { ...g.podLabels } },
        })),
      },
    ];
    if (this.external) {
      listeners.push({
        name: 'external',
        port: KAFKA_EXTERNAL_PORT,
        type: kafka.KafkaSpecKafkaListenersType.LOADBALANCER,
        tls: true,
        // Users from other regions carry a password both regions read from their secret stores.
        authentication: { type: kafka.KafkaSpecKafkaListenersAuthenticationType.SCRAM_HYPHEN_SHA_HYPHEN_512 },
        configuration: {
          bootstrap: {
            alternativeNames: [this.external.host],
            annotations: { 'external-dns.alpha.kubernetes.io/hostname': this.external.host },
          },
          ...(this.external.loadBalancerSourceRanges ? { loadBalancerSourceRanges: [...this.external.loadBalancerSourceRanges] } : {}),
        },
      });
    }
    return listeners;
  }

  /** The topic of this name, if declared. */
  public topic(topicName: string): KafkaTopic | undefined {
    return this.topics.get(topicName);
  }

  /** Declares a topic (defaults: 3 partitions, the cluster's replication factor and retention). */
  public addTopic(topicName: string, options: KafkaTopicOptions = {}): KafkaTopic {
    if (this.topics.has(topicName)) throw new Error(`Kafka cluster ${this.name}: topic "${topicName}" is added twice`);
    const replicas = options.replicas ?? this.replicationFactor;
    if (replicas > this.props.brokers) {
      throw new Error(
        `Kafka cluster ${this.name}: topic "${topicName}" asks for ${replicas} replicas, the cluster has ${this.props.brokers} broker(s); lower replicas`,
      );
    }
    const topic = new KafkaTopic(this, `Topic-${topicName}`, {
      ...options,
      topicName,
      namespace: this.namespace,
      clusterName: this.name,
      replicas,
      retentionHours: options.retentionHours ?? this.retentionHours,
    });
    this.topics.set(topicName, topic);
    return topic;
  }

  /**
   * A user authenticating the way the internal listener expects; the User Operator generates
   * its credential into the Secret of the same name. Returns the existing user when called again.
   */
  public addUser(name: string): KafkaUser {
    const existing = this.users.get(name);
    if (existing) return existing;
    const user = new KafkaUser(this, `User-${name}`, {
      name,
      namespace: this.namespace,
      clusterName: this.name,
      authentication: this.authentication,
    });
    this.users.set(name, user);
    return user;
  }

  /**
   * A SCRAM user for a client outside this cluster (another region's MirrorMaker 2): its
   * password comes from the secret store under `externalUserKey(...)`, where the client's
   * overlay reads it too.
   */
  public addExternalUser(name: string): KafkaUser {
    const existing = this.users.get(name);
    if (existing) return existing;
    const password = new SecretReference(this, `UserPassword-${name}`, {
      backend: this.props.secretBackend,
      namespace: this.namespace,
      // Not `<name>`: the User Operator writes the user's own Secret under that name.
      name: `${name}-password`,
      remoteKey: KafkaCluster.externalUserKey(this.props.secretKeyPrefix, this.name, name),
      keys: { password: 'password' },
    });
    const user = new KafkaUser(this, `User-${name}`, {
      name,
      namespace: this.namespace,
      clusterName: this.name,
      authentication: 'scram-sha-512',
      password: password.selector('password'),
    });
    this.users.set(name, user);
    return user;
  }

  /**
   * Lets `grantee` write to `topic` (Write, Describe; Create with `create: true`): its Kafka
   * user (named after it, created on first use) gets the ACLs, and the internal listener is
   * opened to its pods. Returns the user, whose credential Secret the User Operator writes.
   */
  public grantProduce(grantee: IGrantee, topic: TopicRef, options: GrantProduceOptions = {}): KafkaUser {
    const user = this.userFor(grantee, 'grantProduce');
    const ops: AclOperation[] = ['Describe', 'Write', ...(options.create ? ['Create' as const] : [])];
    user.addAcl({ resource: { type: 'topic', name: resourceNameOf(topic) }, operations: ops });
    return user;
  }

  /** Lets `grantee` read `topic` as a member of consumer group `group` (Read, Describe; group Read). See grantProduce. */
  public grantConsume(grantee: IGrantee, topic: TopicRef, group: ResourceName): KafkaUser {
    const user = this.userFor(grantee, 'grantConsume');
    user.addAcl({ resource: { type: 'topic', name: resourceNameOf(topic) }, operations: ['Describe', 'Read'] });
    user.addAcl({ resource: { type: 'group', name: group }, operations: ['Read'] });
    return user;
  }

  /**
   * Lets the MirrorMaker 2 of another region read this cluster, read-only: topics (Read,
   * Describe, DescribeConfigs) and consumer groups (Describe, for checkpoints), plus cluster
   * Describe. The mirror has no pods here, only an identity: its SCRAM user `mirror`
   * (`addExternalUser`), whose password both overlays read from the secret store.
   * MirrorMaker filters topics by regular expression, which ACLs cannot express, so `topics`
   * defaults to every topic. Offset syncs are kept on the target: the source is never written to.
   */
  public grantMirrorSource(mirror: string, topics: ResourceName = '*'): KafkaUser {
    const user = this.addExternalUser(mirror);
    user.addAcl({ resource: { type: 'topic', name: topics }, operations: ['Describe', 'DescribeConfigs', 'Read'] });
    user.addAcl({ resource: { type: 'group', name: '*' }, operations: ['Describe'] });
    user.addAcl({ resource: { type: 'cluster' }, operations: ['Describe'] });
    return user;
  }

  /** The internal TLS listener as others connect to it: `connections.allowFrom(grantee)` is `allowClients` for the grantee's pods. */
  public get connections(): Connections {
    this.connectionsOf ??= singlePortConnections({
      scope: this,
      name: this.name,
      what: 'Kafka cluster',
      pods: this.brokerPods,
      port: KAFKA_CLIENT_PORT,
      admit: (client) => this.allowClients(client.granteePods, client.granteeName),
    });
    return this.connectionsOf;
  }

  /**
   * Opens the internal TLS listener to `clients`: egress from them, ingress to the brokers,
   * and the listener's own peer list. `name` names the policies (`allow-<name>-to-<cluster>`).
   */
  public allowClients(clients: PodGroup, name: string): void {
    const key = `${clients.namespace}/${JSON.stringify(Object.entries(clients.podLabels).sort(([a], [b]) => compareStrings(a, b)))}`;
    if (this.clientPeers.has(key)) return;
    this.clientPeers.set(key, clients);
    allowTraffic(this, `AllowClients-${name}`, {
      name: `allow-${name}-to-${this.name}`,
      from: clients,
      to: this.brokerPods,
      ports: [KAFKA_CLIENT_PORT],
    });
  }

  /**
   * Adds a TLS listener on a LoadBalancer for clients in other regions (SCRAM-SHA-512 only)
   * and returns its bootstrap address, `<host>:9094`.
   */
  public addExternalListener(options: ExternalListenerOptions): string {
    if (this.external && this.external.host !== options.host) {
      throw new Error(`Kafka cluster ${this.name}: the external listener already uses host ${this.external.host} (asked for ${options.host})`);
    }
    if (!this.external) {
      this.external = options;
      // The load balancer keeps (or NATs) the remote address, which no selector can name.
      new k8s.KubeNetworkPolicy(this, 'AllowExternal', {
        metadata: { name: `allow-external-to-${this.name}`, namespace: this.namespace },
        spec: {
          podSelector: { matchLabels: { ...this.brokerPods.podLabels } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: (options.loadBalancerSourceRanges ?? ['0.0.0.0/0']).map((cidr) => ({ ipBlock: { cidr } })),
              ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(KAFKA_EXTERNAL_PORT) }],
            },
          ],
        },
      });
    }
    return `${options.host}:${KAFKA_EXTERNAL_PORT}`;
  }

  /** The external listener's bootstrap address, once added. */
  public get externalBootstrapServers(): string | undefined {
    return this.external ? `${this.external.host}:${KAFKA_EXTERNAL_PORT}` : undefined;
  }

  /**
   * The Kafka user of a grantee, with the internal listener opened to its pods. The User
   * Operator writes credentials only into the cluster's namespace, where the pods must run.
   */
  private userFor(grantee: IGrantee, grant: string): KafkaUser {
    const pods = grantee.granteePods;
    if (pods.namespace !== this.namespace) {
      throw new Error(
        `Kafka cluster ${this.name}: ${grant} to ${grantee.granteeName}, whose pods run in namespace ${pods.namespace}; Strimzi's User Operator writes Kafka credentials only into ${this.namespace}, so run the client there`,
      );
    }
    this.allowClients(pods, grantee.granteeName);
    return this.addUser(grantee.granteeName);
  }
}

const OPERATOR_RESOURCES: ComputeResources = { requests: { cpu: '100m', memory: '384Mi' }, limits: { cpu: '500m', memory: '384Mi' } };
const EXPORTER_RESOURCES: ComputeResources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } };

function resourceNameOf(topic: TopicRef): ResourceName {
  return topic instanceof KafkaTopic ? topic.topicName : topic;
}

function validate(p: ResolvedProps): void {
  const where = `Kafka cluster ${p.name}`;
  if (!Number.isInteger(p.brokers) || p.brokers < 1) throw new Error(`${where}: brokers must be a positive integer (got ${p.brokers})`);
  const controllers = p.controllers;
  if (p.topology === 'dedicated' && (!Number.isInteger(controllers) || controllers < 1 || controllers % 2 === 0)) {
    throw new Error(`${where}: controllers ${controllers} cannot keep a KRaft majority; use an odd number (1, 3 or 5)`);
  }
  if (p.replicationFactor < 1 || p.replicationFactor > p.brokers) {
    throw new Error(`${where}: replicationFactor ${p.replicationFactor} must be between 1 and the ${p.brokers} broker(s)`);
  }
  if (p.minInsyncReplicas < 1 || p.minInsyncReplicas > p.replicationFactor) {
    throw new Error(`${where}: minInsyncReplicas ${p.minInsyncReplicas} must be between 1 and the replication factor ${p.replicationFactor}`);
  }
  if (p.retentionHours <= 0) throw new Error(`${where}: retentionHours must be positive (got ${p.retentionHours})`);
}
