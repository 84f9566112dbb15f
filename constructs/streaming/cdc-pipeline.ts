import { Construct } from 'constructs';
import type { KafkaCluster } from './kafka-cluster';
import type { KafkaConnectCluster } from './kafka-connect';
import { Grantee } from '../core/grantee';
import type { IPostgresCluster } from '../data/postgres-cluster';
import { shortName } from '../platform/names';
import type { IOpenSearchCluster } from '../search/search-cluster';

/** Where one captured table lands. */
export interface CdcIndex {
  readonly index: string;
  /** The table's primary-key column: the document id. @default 'id' */
  readonly documentId?: string;
}

export interface CdcPipelineProps {
  readonly source: IPostgresCluster;
  readonly database: string;
  /** `schema.table` names. */
  readonly tables: readonly string[];
  readonly kafka: KafkaCluster;
  readonly connect: KafkaConnectCluster;
  readonly sink: IOpenSearchCluster;
  /** Per table: its index. @default `<table>` with `.` replaced by `_` */
  readonly indices?: Readonly<Record<string, CdcIndex>>;
  /**
   * Debezium snapshot mode: `initial` copies the tables before streaming changes.
   * @default 'initial'
   */
  readonly snapshotMode?: 'initial' | 'no_data' | 'when_needed';
}

const DEBEZIUM_POSTGRES = 'io.debezium.connector.postgresql.PostgresConnector';
const OPENSEARCH_SINK = 'io.aiven.kafka.connect.opensearch.OpensearchSinkConnector';
/** Records carry their Connect schema: ExtractNewRecordState needs structs on the sink side. */
const JSON_CONVERTERS = {
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'key.converter.schemas.enable': true,
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': true,
};

/**
 * Change data capture from PostgreSQL into OpenSearch, in one construct (the HR/compliance data platform's flow):
 *
 * - on the database: a capturing role, a publication for exactly these tables and logical
 *   decoding (`IPostgresCluster.captureChanges`), and the network path from Connect;
 * - a Debezium PostgreSQL `KafkaConnector` (pgoutput, named slot and publication, topic
 *   prefix = pipeline name, heartbeat) reading its credentials through the config provider;
 * - a `KafkaTopic` per table, named as Debezium names them (`<pipeline>.<schema>.<table>`),
 *   a heartbeat topic and a dead-letter topic, with the Connect user's ACLs;
 * - per table, an OpenSearch sink `KafkaConnector`: ExtractNewRecordState, the primary key
 *   as document id, deletes applied from tombstones, the topic routed to its index, bad
 *   records to the dead-letter topic; its OpenSearch user, role and network path come from
 *   `sink.grantIndexWrite`, and Connect trusts the platform CA.
 *
 * Index templates with the mappings are rendered by the search layer.
 */
export class CdcPipeline extends Construct {
  /** Kafka topic per captured table. */
  public readonly topics: Readonly<Record<string, string>>;
  public readonly deadLetterTopic: string;

  constructor(scope: Construct, id: string, props: CdcPipelineProps) {
    super(scope, id);
    const name = id;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
      throw new Error(`CDC pipeline id "${name}" must be a DNS label: it names connectors, topics, the slot and the publication`);
    }
    for (const t of props.tables) {
      if (!/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(t)) {
        throw new Error(`CDC pipeline ${name}: table "${t}" is not in schema.table form (e.g. public.employees)`);
      }
    }
    for (const t of Object.keys(props.indices ?? {})) {
      if (!props.tables.includes(t)) {
        throw new Error(`CDC pipeline ${name}: indices names table "${t}", which the pipeline does not capture (${props.tables.join(', ')})`);
      }
    }
    const { kafka, connect, source, sink } = props;

    // Database side.
    const capture = source.captureChanges({ name, database: props.database, tables: props.tables });
    source.allowReplicationFrom(Grantee.of(this, `${connect.name}-${name}`, connect.pods));
    const pgSecret = connect.useSecret(capture.credentials);
    const caFile = connect.trustPlatformCa();

    // Topics as Debezium names them, plus its heartbeat topic and the sink's dead letters.
    const topics: Record<string, string> = {};
    for (const t of props.tables) topics[t] = kafka.addTopic(`${name}.${t}`).topicName;
    this.topics = topics;
    const heartbeat = kafka.addTopic(`__debezium-heartbeat.${name}`, { partitions: 1, retentionHours: 24 });
    const deadLetters = kafka.addTopic(`${name}.dlq`, { partitions: 1 });
    this.deadLetterTopic = deadLetters.topicName;
    kafka.grantProduce(connect, { prefix: `${name}.` });
    kafka.grantProduce(connect, heartbeat);

    connect.addConnector(`${name}-source`, {
      class: DEBEZIUM_POSTGRES,
      tasksMax: 1,
      config: {
        'plugin.name': 'pgoutput',
        'database.hostname': capture.host,
        'database.port': capture.port,
        'database.user': pgSecret('username'),
        'database.password': pgSecret('password'),
        'database.dbname': capture.database,
        // The server certificate is verified against the platform CA where the engine uses it;
        // external VMs carry their own certificates (encrypted, not verified).
        ...(capture.verifiableWithPlatformCa
          ? { 'database.sslmode': 'verify-full', 'database.sslrootcert': caFile }
          : { 'database.sslmode': 'require' }),
        'topic.prefix': name,
        'table.include.list': props.tables.join(','),
        'slot.name': capture.slot,
        'publication.name': capture.publication,
        'publication.autocreate.mode': capture.publicationManaged ? 'disabled' : 'filtered',
        'snapshot.mode': props.snapshotMode ?? 'initial',
        'heartbeat.interval.ms': 10_000,
        'tombstones.on.delete': true,
        ...JSON_CONVERTERS,
      },
    });

    // Sink side: one connector per table (each has its own document-id column and index).
    const indices = props.tables.map((t) => ({
      table: t,
      index: props.indices?.[t]?.index ?? t.replace('.', '_'),
      documentId: props.indices?.[t]?.documentId ?? 'id',
    }));
    const access = sink.grantIndexWrite(
      Grantee.of(this, shortName(`${name}-sink`), connect.pods),
      indices.map((i) => i.index),
    );
    const osSecret = connect.useSecret(access.credentials);
    for (const { table, index, documentId } of indices) {
      const connector = `${name}-${table.replace(/[._]/g, '-')}-sink`;
      kafka.grantConsume(connect, topics[table], `connect-${connector}`);
      connect.addConnector(connector, {
        class: OPENSEARCH_SINK,
        tasksMax: 1,
        config: {
          topics: topics[table],
          'connection.url': access.endpoint,
          'connection.username': osSecret('username'),
          'connection.password': osSecret('password'),
          // The document id is the row's primary key; a tombstone deletes the document.
          'key.ignore': false,
          'schema.ignore': true,
          'behavior.on.null.values': 'delete',
          transforms: 'unwrap,key,route',
          'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
          'transforms.unwrap.delete.tombstone.handling.mode': 'tombstone',
          'transforms.key.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
          'transforms.key.field': documentId,
          'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
          'transforms.route.regex': escapeRegex(topics[table]),
          'transforms.route.replacement': index,
          'errors.tolerance': 'all',
          'errors.deadletterqueue.topic.name': deadLetters.topicName,
          'errors.deadletterqueue.topic.replication.factor': kafka.replicationFactor,
          'errors.deadletterqueue.context.headers.enable': true,
          ...JSON_CONVERTERS,
        },
      });
    }
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
