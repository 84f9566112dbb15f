import { createHash } from 'crypto';
import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { kafkaConnectAlerts } from './kafka-alerts';
import * as kafka from '../../imports/kafka.strimzi.io';
import type { ComputeResources } from '../core/compute';
import type { IGrantee } from '../core/grantee';
import type { SecretBackend } from '../core/secret-backend';
import type { CredentialsSecret } from '../data/postgres-cluster';
import { operatorDefinition } from '../operators/catalog';
import { addAlertRules, RUNBOOKS } from '../platform/alert-rules';
import { recordDownload } from '../platform/downloads';
import { componentLabels } from '../platform/labels';
import { dependOnLayerOf } from '../platform/layer-chart';
import { allowEgressToAddresses, allowTraffic, PodGroup } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { SecretReference } from '../secrets/secret-reference';
import { PlatformCa, TrustStore } from '../tls/platform-ca';
import { CONNECT_PLUGINS, ConnectPluginPin, STRIMZI_KAFKA } from '../versions';
import type { KafkaCluster } from './kafka-cluster';
import type { KafkaUser } from './kafka-user';
import { CONNECT_METRICS_RULES, jmxMetricsConfig, METRICS_PORT, metricsConfigMap, strimziPodMonitor } from './metrics';
import { quantities, RESTRICTED_CONTAINER, restrictedPod } from './pod-security';

/** Kafka Connect REST API (workers forward requests to the leader; the operator manages connectors). */
export const CONNECT_REST_PORT = 8083;
const TRUSTSTORE_MOUNT = '/opt/kafka/strata-truststore';
const CA_MOUNT = '/opt/kafka/strata-ca';
/** Name under which connectors reach Kubernetes Secrets: `${secrets:<namespace>/<secret>:<key>}`. */
const CONFIG_PROVIDER = 'secrets';

export interface KafkaConnectClusterProps {
  /** Connect cluster name (a public contract). @default 'connect' */
  readonly name?: string;
  /** The Kafka cluster Connect stores its state in; Connect runs in its namespace. */
  readonly kafka: KafkaCluster;
  readonly replicas: number;
  readonly resources: ComputeResources;
  /**
   * A prebuilt image holding the plugins.
   * @default none: Strimzi builds an image with `plugins` and pushes it to `registry`
   */
  readonly image?: string;
  /** Registry the built image is pushed to (required without `image`). */
  readonly registry?: { readonly repository: string; readonly pushSecret: string };
  /** @default Debezium PostgreSQL and the Aiven OpenSearch sink (`CONNECT_PLUGINS`) */
  readonly plugins?: readonly ConnectPluginPin[];
  /** Resources of the image build. @default requests 500m / 1Gi, limits 1 / 1Gi */
  readonly buildResources?: ComputeResources;
  /** Node label carrying the zone (`client.rack`, for fetching from the closest replica). @default none */
  readonly rackTopologyKey?: string;
  readonly secretBackend: SecretBackend;
  /** Prefix of every key this cluster reads from the secret store, e.g. `region-a/prod`. */
  readonly secretKeyPrefix: string;
}

export interface AddConnectorOptions {
  /** Connector class, e.g. `io.debezium.connector.postgresql.PostgresConnector`. */
  readonly class: string;
  /** @default 1 */
  readonly tasksMax?: number;
  /**
   * Connector configuration. Credentials only as placeholders from `useSecret()`: an inline
   * value under a key such as `*.password` is an error.
   */
  readonly config: Readonly<Record<string, string | number | boolean>>;
  /** @default 'running' */
  readonly state?: 'running' | 'paused' | 'stopped';
}

/** Builds `${secrets:<namespace>/<secret>:<key>}` for one key of a secret Connect may read. */
export type SecretPlaceholder = (key: string) => string;

/** Keys whose values are credentials and must come through the config provider. */
const CREDENTIAL_KEY = /(password|secret|credential|jaas|token|api[._-]?key|private[._-]?key|keystore\.key)/i;
const PLACEHOLDER = /\$\{secrets:([^/}]+)\/([^:}]+):([^}]+)\}/g;

/**
 * A Strimzi `KafkaConnect` cluster managed through `KafkaConnector` resources, with its own
 * Kafka user (ACLs for its internal topics and group), the cluster CA trusted, the
 * Debezium PostgreSQL and OpenSearch sink plugins (built by Strimzi into the region's
 * registry, or a prebuilt image), secrets reaching connectors only through the Kubernetes
 * Secret config provider with a Role limited to exactly the secrets used, JMX metrics with
 * alerts on failed connectors and tasks, a disruption budget and the network paths it needs.
 */
export class KafkaConnectCluster extends Construct implements IGrantee {
  /** The topics Connect keeps its own state in, for a cluster named `name`. */
  public static internalTopicNames(name = 'connect'): string[] {
    return [`${name}-configs`, `${name}-offsets`, `${name}-status`];
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly kafka: KafkaCluster;
  /** The Kafka user the workers (and so every connector) authenticate as. */
  public readonly user: KafkaUser;
  /** Service account of the workers (what `useSecret` grants). */
  public readonly serviceAccountName: string;
  /** The worker pods (for network policies toward databases and sinks). */
  public readonly pods: PodGroup;
  /** The image the workers run: the prebuilt one, or the one Strimzi builds. */
  public readonly image: string;
  /** Whether Strimzi builds the image in the cluster. */
  public readonly builds: boolean;
  /** Connect's internal topics and consumer group. */
  public readonly groupId: string;
  public readonly internalTopics: { readonly config: string; readonly offset: string; readonly status: string };

  /** Connectors authenticate as the workers: the grantee of Kafka grants is the Connect cluster. */
  public get granteeName(): string {
    return this.name;
  }

  public get granteePods(): PodGroup {
    return this.pods;
  }

  public get grantScope(): Construct {
    return this;
  }

  private readonly readableSecrets = new Map<string, Set<string>>();
  private truststore?: TrustStore;
  private caSecret?: { name: string; key: string };
  private readonly connectors = new Set<string>();

  constructor(scope: Construct, id: string, props: KafkaConnectClusterProps) {
    super(scope, id);
    const name = props.name ?? 'connect';
    if (!Number.isInteger(props.replicas) || props.replicas < 1) {
      throw new Error(`Kafka Connect ${name}: replicas must be a positive integer (got ${props.replicas})`);
    }
    if (!props.image && !props.registry) {
      throw new Error(
        `Kafka Connect ${name}: no prebuilt image and no registry to push a built one to; set the region's registry {repository, pushSecret} or streaming.connect.image`,
      );
    }
    this.name = name;
    this.kafka = props.kafka;
    this.builds = !props.image;
    this.namespace = props.kafka.namespace;
    if (this.builds) {
      // Buildah needs SETUID/SETGID to unpack layers, which `restricted` forbids.
      OverlayContext.of(this).requireNamespace({
        name: this.namespace,
        workload: true,
        podSecurity: 'baseline',
        podSecurityReason: `Strimzi builds the ${name} Kafka Connect image in this namespace with Buildah, which needs the SETUID and SETGID capabilities`,
      });
    }
    this.serviceAccountName = `${name}-connect`;
    this.groupId = name;
    this.internalTopics = { config: `${name}-configs`, offset: `${name}-offsets`, status: `${name}-status` };
    this.pods = {
      namespace: this.namespace,
      podLabels: { 'strimzi.io/cluster': name, 'strimzi.io/kind': 'KafkaConnect', 'strimzi.io/name': `${name}-connect` },
    };
    const plugins: readonly ConnectPluginPin[] = props.plugins ?? [CONNECT_PLUGINS.debeziumPostgres, CONNECT_PLUGINS.opensearchSink];
    this.image = props.image || `${props.registry!.repository}/kafka-connect:${STRIMZI_KAFKA.strimzi}-${pluginHash(props.kafka.version, plugins)}`;

    this.user = props.kafka.addUser(name);
    for (const topic of Object.values(this.internalTopics)) {
      this.user.addAcl({ resource: { type: 'topic', name: topic }, operations: ['Create', 'Describe', 'DescribeConfigs', 'Read', 'Write'] });
    }
    this.user.addAcl({ resource: { type: 'group', name: this.groupId }, operations: ['Describe', 'Read'] });
    // Sink connectors consume as group `connect-<connector>`.
    this.user.addAcl({ resource: { type: 'group', name: { prefix: 'connect-' } }, operations: ['Describe', 'Read'] });

    if (this.builds) {
      plugins.forEach((p, i) =>
        p.artifacts.forEach((a, j) =>
          recordDownload(this, {
            object: `KafkaConnect ${this.namespace}/${name}`,
            field: `spec.build.plugins[${i}].artifacts[${j}].url`,
            url: a.url,
            sha512: a.sha512,
            fix: `give the ${p.name} ${p.version} artifact its publisher's SHA-512 (\`sha512\` of its pin; the default plugins are pinned in CONNECT_PLUGINS, constructs/versions.ts), or give the Connect cluster a prebuilt \`image\` that holds the plugins`,
          }),
        ),
      );
    }

    const metrics = metricsConfigMap(this, 'MetricsConfig', {
      name: `${name}-connect-metrics`,
      namespace: this.namespace,
      rules: CONNECT_METRICS_RULES,
    });
    const auth = this.user.clientAuthentication();
    new kafka.KafkaConnect(this, 'Resource', {
      metadata: {
        name,
        namespace: this.namespace,
        labels: componentLabels('kafka-connect', name, 'connect'),
        annotations: { 'strimzi.io/use-connector-resources': 'true' },
      },
      spec: {
        version: props.kafka.version,
        replicas: props.replicas,
        bootstrapServers: props.kafka.bootstrapServers,
        groupId: this.groupId,
        configStorageTopic: this.internalTopics.config,
        offsetStorageTopic: this.internalTopics.offset,
        statusStorageTopic: this.internalTopics.status,
        tls: { trustedCertificates: [{ secretName: props.kafka.clusterCa.name, certificate: props.kafka.clusterCa.key }] },
        authentication:
          auth.type === 'tls'
            ? { type: kafka.KafkaConnectSpecAuthenticationType.TLS, certificateAndKey: { ...auth.certificateAndKey } }
            : {
                type: kafka.KafkaConnectSpecAuthenticationType.SCRAM_HYPHEN_SHA_HYPHEN_512,
                username: auth.username,
                passwordSecret: { ...auth.passwordSecret },
              },
        config: {
          // -1: the brokers' default replication factor.
          'config.storage.replication.factor': -1,
          'offset.storage.replication.factor': -1,
          'status.storage.replication.factor': -1,
          'config.providers': CONFIG_PROVIDER,
          [`config.providers.${CONFIG_PROVIDER}.class`]: 'io.strimzi.kafka.KubernetesSecretConfigProvider',
        },
        resources: quantities(kafka.KafkaConnectSpecResourcesRequests, kafka.KafkaConnectSpecResourcesLimits, props.resources),
        metricsConfig: jmxMetricsConfig(kafka.KafkaConnectSpecMetricsConfigType.JMX_PROMETHEUS_EXPORTER, metrics),
        ...(props.rackTopologyKey
          ? { rack: { type: kafka.KafkaConnectSpecRackType.TOPOLOGY_HYPHEN_LABEL, topologyKey: props.rackTopologyKey } }
          : {}),
        ...(props.image
          ? { image: props.image }
          : {
              // The generated L1 names the `build` field `build_`.
              build_: {
                output: { type: kafka.KafkaConnectSpecBuildOutputType.DOCKER, image: this.image, pushSecret: props.registry!.pushSecret },
                plugins: plugins.map((p) => ({
                  name: p.name,
                  artifacts: p.artifacts.map((a) => ({
                    type: a.type as unknown as kafka.KafkaConnectSpecBuildPluginsArtifactsType,
                    url: a.url,
                    ...(a.sha512 ? { sha512Sum: a.sha512 } : {}),
                  })),
                })),
                resources: quantities(
                  kafka.KafkaConnectSpecBuildResourcesRequests,
                  kafka.KafkaConnectSpecBuildResourcesLimits,
                  props.buildResources ?? BUILD_RESOURCES,
                ),
              },
            }),
        jvmOptions: Lazy.any({
          produce: () =>
            this.truststore
              ? {
                  javaSystemProperties: [
                    { name: 'javax.net.ssl.trustStore', value: `${TRUSTSTORE_MOUNT}/${this.truststore.key}` },
                    { name: 'javax.net.ssl.trustStoreType', value: 'PKCS12' },
                    { name: 'javax.net.ssl.trustStorePassword', value: this.truststore.password },
                  ],
                }
              : undefined,
        }),
        template: {
          pod: {
            securityContext: restrictedPod(),
            volumes: Lazy.any({
              produce: () =>
                this.truststore
                  ? [
                      { name: 'strata-truststore', secret: { secretName: this.truststore.secretName } },
                      { name: 'strata-ca', secret: { secretName: this.caSecret!.name } },
                    ]
                  : undefined,
            }),
            // The registry credential that pushes the built image also pulls it.
            ...(this.builds ? { imagePullSecrets: [{ name: props.registry!.pushSecret }] } : {}),
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: { labelSelector: { matchLabels: { ...this.pods.podLabels } }, topologyKey: 'kubernetes.io/hostname' },
                  },
                ],
              },
            },
          },
          connectContainer: {
            securityContext: RESTRICTED_CONTAINER,
            volumeMounts: Lazy.any({
              produce: () =>
                this.truststore
                  ? [
                      { name: 'strata-truststore', mountPath: TRUSTSTORE_MOUNT, readOnly: true },
                      { name: 'strata-ca', mountPath: CA_MOUNT, readOnly: true },
                    ]
                  : undefined,
            }),
          },
          initContainer: { securityContext: RESTRICTED_CONTAINER },
          podDisruptionBudget: { maxUnavailable: 1 },
        },
      },
    });

    if (this.builds) {
      new SecretReference(this, 'PushSecret', {
        backend: props.secretBackend,
        namespace: this.namespace,
        name: props.registry!.pushSecret,
        remoteKey: `${props.secretKeyPrefix}/registry/push`,
        keys: { '.dockerconfigjson': 'dockerconfigjson' },
        type: 'kubernetes.io/dockerconfigjson',
      });
      // Plugin archives (Maven Central, GitHub releases) and the registry are outside the cluster.
      allowEgressToAddresses(this, 'AllowBuild', {
        name: `allow-${name}-connect-build-egress`,
        from: {
          namespace: this.namespace,
          podLabels: { 'strimzi.io/cluster': name, 'strimzi.io/kind': 'KafkaConnect', 'strimzi.io/name': `${name}-connect-build` },
        },
        cidrs: ['0.0.0.0/0'],
        ports: [443],
      });
    }

    props.kafka.allowClients(this.pods, `${name}-connect`);
    const operator: PodGroup = { namespace: operatorDefinition('strimzi-kafka-operator').namespace, podLabels: {} };
    allowTraffic(this, 'AllowOperator', {
      name: `allow-strimzi-operator-to-${name}-connect`,
      from: operator,
      to: this.pods,
      ports: [CONNECT_REST_PORT],
    });
    allowTraffic(this, 'AllowWorkers', { name: `allow-${name}-connect-workers`, from: this.pods, to: this.pods, ports: [CONNECT_REST_PORT] });
    strimziPodMonitor(this, 'PodMonitor', {
      name: `${name}-connect`,
      namespace: this.namespace,
      selector: { 'strimzi.io/cluster': name, 'strimzi.io/kind': 'KafkaConnect' },
      endpoints: [{ port: 'tcp-prometheus', number: METRICS_PORT }],
    });
    addAlertRules(this, 'Alerts', {
      runbooks: RUNBOOKS.streaming,
      name: `${name}-connect`,
      namespace: this.namespace,
      labels: { namespace: this.namespace, strimzi_io_cluster: name, strimzi_io_kind: 'KafkaConnect' },
      alerts: () => kafkaConnectAlerts({ name, namespace: this.namespace }),
    });
  }

  /**
   * Lets connectors read `secret` through the config provider: a Role allowing `get` on
   * exactly the secrets used in that namespace, bound to the workers' service account.
   * Returns the placeholder builder: `connect.useSecret(db.credentials)('password')` is
   * `${secrets:<namespace>/<name>:password}`.
   */
  /**
   * Makes the workers trust the platform CA: the JVM truststore (for connectors whose HTTP
   * clients only use it, the OpenSearch sink) and the PEM file, whose path is returned (for
   * connectors that take a CA file, Debezium's `database.sslrootcert`).
   */
  public trustPlatformCa(): string {
    if (!this.truststore) {
      this.truststore = PlatformCa.of(this).trustStoreIn(this, this.namespace);
      this.caSecret = PlatformCa.of(this).trustIn(this, this.namespace);
    }
    return `${CA_MOUNT}/${this.caSecret!.key}`;
  }

  public useSecret(secret: CredentialsSecret): SecretPlaceholder {
    let names = this.readableSecrets.get(secret.namespace);
    if (!names) {
      names = new Set();
      this.readableSecrets.set(secret.namespace, names);
      const roleName = `${this.name}-connect-secrets`;
      new k8s.KubeRole(this, `SecretsRole-${secret.namespace}`, {
        metadata: { name: roleName, namespace: secret.namespace },
        rules: [
          {
            apiGroups: [''],
            resources: ['secrets'],
            verbs: ['get'],
            resourceNames: Lazy.any({ produce: () => [...this.readableSecrets.get(secret.namespace)!].sort() }),
          },
        ],
      });
      new k8s.KubeRoleBinding(this, `SecretsRoleBinding-${secret.namespace}`, {
        metadata: { name: roleName, namespace: secret.namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
        subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: this.namespace }],
      });
    }
    names.add(secret.name);
    dependOnLayerOf(this, secret);
    return (key: string) => {
      secret.selector(key);
      return `\${${CONFIG_PROVIDER}:${secret.namespace}/${secret.name}:${key}}`;
    };
  }

  /** Adds a connector run by this cluster (`KafkaConnector` labelled `strimzi.io/cluster`). */
  public addConnector(name: string, options: AddConnectorOptions): ApiObject {
    if (this.connectors.has(name)) throw new Error(`Kafka Connect ${this.name}: connector "${name}" is added twice`);
    const tasksMax = options.tasksMax ?? 1;
    if (!Number.isInteger(tasksMax) || tasksMax < 1) throw new Error(`connector ${name}: tasksMax must be a positive integer (got ${tasksMax})`);
    for (const [key, value] of Object.entries(options.config)) {
      const text = String(value);
      if (
        CREDENTIAL_KEY.test(key) &&
        !text.startsWith(`\${${CONFIG_PROVIDER}:`) &&
        !/^(true|false|none)$/i.test(text) &&
        !key.endsWith('.type') &&
        !key.endsWith('.class')
      ) {
        throw new Error(
          `connector ${name}: config "${key}" looks like a credential given inline; pass it as connect.useSecret(secret)('<key>') so it is read from the Secret at run time`,
        );
      }
      for (const [, ns, secretName] of text.matchAll(PLACEHOLDER)) {
        if (!this.readableSecrets.get(ns)?.has(secretName)) {
          throw new Error(
            `connector ${name}: config "${key}" reads secret ${ns}/${secretName}, which Connect may not read; obtain the placeholder from connect.useSecret(secret)`,
          );
        }
      }
    }
    this.connectors.add(name);
    return new kafka.KafkaConnector(this, `Connector-${name}`, {
      metadata: { name, namespace: this.namespace, labels: { 'strimzi.io/cluster': this.name } },
      spec: {
        class: options.class,
        tasksMax,
        autoRestart: { enabled: true },
        state: (options.state ?? 'running') as unknown as kafka.KafkaConnectorSpecState,
        config: { ...options.config },
      },
    });
  }
}

const BUILD_RESOURCES: ComputeResources = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };

/** Short hash of what goes into the built image: a new pin gives a new tag. */
function pluginHash(kafkaVersion: string, plugins: readonly ConnectPluginPin[]): string {
  const pins = plugins.map((p) => ({ name: p.name, version: p.version, artifacts: p.artifacts }));
  return createHash('sha256').update(JSON.stringify({ kafkaVersion, pins })).digest('hex').slice(0, 10);
}
