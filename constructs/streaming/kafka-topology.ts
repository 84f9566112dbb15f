/**
 * Kafka in the topology picture (constructs/platform/topology.ts): the Kafka cluster sized by
 * its node pools, Kafka Connect, each connector with what it reads and writes (a Debezium
 * source from its PostgreSQL into the topics, a sink from the topics into its search
 * cluster), and MirrorMaker 2 replicating the peer region's topics.
 */
import { hostOf, hostsIn, Json, refOf, times, topologyRef, TopologyContext, TopologyEdge, TopologyEnd, TopologyRule } from '../platform/topology';

const STRIMZI = 'kafka.strimzi.io';
const CLUSTER_LABEL = 'strimzi.io/cluster';

const volumeSizes = (storage: Json | undefined): string | undefined => {
  if (!storage) return undefined;
  if (storage.type === 'jbod') return (storage.volumes ?? []).map((v: Json) => v.size ?? v.type).join(' + ') || undefined;
  return storage.size ?? (storage.type === 'ephemeral' ? 'ephemeral' : undefined);
};

const kafka: TopologyRule = {
  group: STRIMZI,
  kind: 'Kafka',
  describe: (m, ctx) => {
    const ref = refOf(m);
    const ns = m.metadata?.namespace;
    const pooled = ctx
      .all(STRIMZI, 'KafkaNodePool')
      .some((p) => p.metadata?.namespace === ns && p.metadata?.labels?.[CLUSTER_LABEL] === m.metadata.name);
    const k: Json = m.spec?.kafka ?? {};
    return {
      nodes: [
        {
          ref,
          kind: 'Kafka',
          name: m.metadata.name,
          details: [...(k.version ? [`Kafka ${k.version}`] : []), ...(pooled ? [] : [times(k.replicas, 'broker', volumeSizes(k.storage))])],
        },
      ],
      hosts: [{ ref, hosts: hostsIn(ns, `${m.metadata.name}-kafka-bootstrap`, `${m.metadata.name}-kafka-brokers`) }],
    };
  },
};

const nodePool: TopologyRule = {
  group: STRIMZI,
  kind: 'KafkaNodePool',
  describe: (m) => {
    const cluster = m.metadata?.labels?.[CLUSTER_LABEL];
    if (!cluster) return undefined;
    const roles = (m.spec?.roles ?? []).join('+');
    return {
      details: [
        {
          ref: topologyRef(STRIMZI, 'Kafka', m.metadata?.namespace, cluster),
          lines: [`${m.metadata.name}${roles ? ` (${roles})` : ''}: ${times(m.spec?.replicas, 'node', volumeSizes(m.spec?.storage))}`],
        },
      ],
    };
  },
};

const connect: TopologyRule = {
  group: STRIMZI,
  kind: 'KafkaConnect',
  describe: (m, ctx) => {
    const ref = refOf(m);
    const ns = m.metadata?.namespace;
    const connectors = ctx
      .all(STRIMZI, 'KafkaConnector')
      .filter((c) => c.metadata?.namespace === ns && c.metadata?.labels?.[CLUSTER_LABEL] === m.metadata.name);
    return {
      nodes: [
        { ref, kind: 'Kafka Connect', name: m.metadata.name, details: [times(m.spec?.replicas, 'worker'), times(connectors.length, 'connector')] },
      ],
    };
  },
};

/** Where a connector's Connect cluster writes: its Kafka, by bootstrap address. */
function kafkaOf(m: Json, ctx: TopologyContext): TopologyEnd | undefined {
  const name = m.metadata?.labels?.[CLUSTER_LABEL];
  const connectCluster = name ? ctx.find(STRIMZI, 'KafkaConnect', m.metadata?.namespace, name) : undefined;
  const bootstrap: string | undefined = connectCluster?.spec?.bootstrapServers;
  return bootstrap ? { host: hostOf(bootstrap.split(',')[0]) } : undefined;
}

const connector: TopologyRule = {
  group: STRIMZI,
  kind: 'KafkaConnector',
  describe: (m, ctx) => {
    const ref = refOf(m);
    const config: Json = m.spec?.config ?? {};
    const cls = String(m.spec?.class ?? '');
    const broker = kafkaOf(m, ctx);
    const edges: TopologyEdge[] = [];
    let kind = 'Connector';
    if (config['database.hostname']) {
      kind = /debezium/i.test(cls) ? 'Debezium source' : 'Source connector';
      edges.push({
        from: { host: hostOf(config['database.hostname']) },
        to: ref,
        label: `CDC ${config['database.dbname'] ?? ''}`.trim(),
        kind: 'data',
      });
      if (broker) {
        edges.push({ from: ref, to: broker, label: config['topic.prefix'] ? `topics ${config['topic.prefix']}.*` : 'topics', kind: 'data' });
      }
    } else if (config['connection.url'] && (config.topics || config['topics.regex'])) {
      kind = 'Sink connector';
      if (broker) edges.push({ from: broker, to: ref, label: String(config.topics ?? config['topics.regex']), kind: 'data' });
      const index = config['transforms.route.replacement'];
      edges.push({ from: ref, to: { host: hostOf(config['connection.url']) }, label: index ? `index ${index}` : 'documents', kind: 'data' });
    }
    return { nodes: [{ ref, kind, name: m.metadata.name, details: [`${cls.split('.').pop()}, ${times(m.spec?.tasksMax, 'task')}`] }], edges };
  },
};

const mirrorMaker: TopologyRule = {
  group: STRIMZI,
  kind: 'KafkaMirrorMaker2',
  describe: (m) => {
    const ref = refOf(m);
    const spec: Json = m.spec ?? {};
    // Strimzi 0.46+: target and mirrors[].source; before: clusters[] named by alias.
    const byAlias = new Map<string, Json>((spec.clusters ?? []).map((c: Json) => [c.alias, c]));
    const end = (c: Json | undefined, alias: string | undefined): TopologyEnd => {
      const bootstrap: string | undefined = c?.bootstrapServers;
      return bootstrap
        ? { host: hostOf(bootstrap.split(',')[0]), label: `Kafka ${alias ?? ''} ${bootstrap}`.replace(/ +/g, ' ') }
        : { external: `Kafka ${alias}` };
    };
    const target = spec.target ?? byAlias.get(spec.connectCluster);
    const edges: TopologyEdge[] = [];
    for (const mirror of spec.mirrors ?? []) {
      const source = mirror.source ?? byAlias.get(mirror.sourceCluster);
      const alias = source?.alias ?? mirror.sourceCluster;
      edges.push({ from: end(source, alias), to: ref, label: `mirror ${mirror.topicsPattern ?? '.*'} from ${alias}`, kind: 'replication' });
    }
    if (target) edges.push({ from: ref, to: end(target, target.alias), label: `into ${target.alias ?? 'target'}`, kind: 'replication' });
    return { nodes: [{ ref, kind: 'MirrorMaker 2', name: m.metadata.name, details: [times(spec.replicas, 'replica')] }], edges };
  },
};

export const KAFKA_TOPOLOGY: readonly TopologyRule[] = [kafka, nodePool, connect, connector, mirrorMaker];
