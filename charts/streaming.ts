import { App } from 'cdk8s';
import { DataChart, secretKeyPrefix } from './data';
import type { SearchChart } from './search';
import { LayerChart } from '../constructs/platform/layer-chart';
import { shortName } from '../constructs/platform/names';
import { OverlayContext } from '../constructs/platform/overlay-context';
import { CdcPipeline } from '../constructs/streaming/cdc-pipeline';
import { KAFKA_EXTERNAL_PORT, KafkaCluster } from '../constructs/streaming/kafka-cluster';
import { KafkaConnectCluster } from '../constructs/streaming/kafka-connect';
import { KafkaMirrorMaker, MIRROR_DEFAULT_EXCLUDES } from '../constructs/streaming/mirror-maker';
import type { OverlayRef, OverlaySpec } from '../environments/model';

/**
 * DNS name of an overlay's Kafka external bootstrap load balancer, as DR replicas in other
 * regions reach it: `kafka-<env>.<baseDomain>`. external-dns is asked to publish it.
 */
export function kafkaExternalHost(o: { region: { baseDomain: string }; environment: string }): string {
  return `kafka-${o.environment}.${o.region.baseDomain}`;
}

/**
 * The Kafka user a replica region's MirrorMaker 2 reads its primary with; both sides derive
 * it, so a long region name is shortened the same way on each.
 */
export function mirrorUserName(replica: { region: { name: string } }): string {
  return shortName(`mirror-maker-${replica.region.name}`);
}

/**
 * Streaming layer: Strimzi Kafka (KRaft node pools), Kafka Connect with the CDC plugins when
 * the overlay has pipelines, and for a DR pair the external listener and mirror user on the
 * primary and MirrorMaker 2 on the replica. The CDC pipelines themselves are built on
 * `kafka` and `connect`.
 */
export class StreamingChart extends LayerChart {
  public readonly kafka: KafkaCluster;
  /** Present when the overlay has CDC pipelines. */
  public readonly connect?: KafkaConnectCluster;
  /** Present in a DR replica whose primary runs Kafka. */
  public readonly mirrorMaker?: KafkaMirrorMaker;

  /** The CDC pipelines of the overlay, by name. */
  public readonly pipelines: Readonly<Record<string, CdcPipeline>> = {};

  constructor(scope: App, overlay: OverlaySpec, data: DataChart, search?: SearchChart) {
    super(scope, 'streaming', { region: overlay.region.name, environment: overlay.environment });
    const s = overlay.settings.streaming;
    const region = overlay.region;
    const prefix = secretKeyPrefix(overlay);
    // Rack awareness makes Strimzi require the zone label on every Kafka node; with one broker
    // it spreads nothing, so single-node clusters (dev, test) run without it.
    const rack = s.kafka.brokers > 1 ? region.zoneLabel : undefined;

    // The settings are KafkaClusterProps' own fields (environments/model.ts picks them).
    const { enabled: _enabled, ...cluster } = s.kafka;
    this.kafka = new KafkaCluster(this, 'Kafka', {
      ...cluster,
      storageClass: region.storageClasses.retain,
      nodePool: region.databaseNodes,
      rackTopologyKey: rack,
      secretBackend: region.secrets,
      secretKeyPrefix: prefix,
    });

    if (s.pipelines.length) {
      this.connect = new KafkaConnectCluster(this, 'Connect', {
        kafka: this.kafka,
        replicas: s.connect.replicas,
        resources: s.connect.resources,
        // Without an image the construct needs the region's registry (the loader checks it too).
        ...(s.connect.image ? { image: s.connect.image } : { registry: region.registry }),
        rackTopologyKey: rack,
        secretBackend: region.secrets,
        secretKeyPrefix: prefix,
      });
    }

    // The loader checks that pipelines have PostgreSQL, its database, and OpenSearch; a spec
    // built by a program of its own gets the same problem here.
    const pipelines: Record<string, CdcPipeline> = {};
    for (const [i, p] of s.pipelines.entries()) {
      const missing = [!data.postgres && 'postgres.enabled', !search && 'opensearch.enabled'].filter((m): m is string => Boolean(m));
      if (!data.postgres || !search || !this.connect) {
        OverlayContext.of(this).problems.push({
          file: overlay.sourceFile,
          path: `streaming.pipelines[${i}]`,
          value: p.name,
          message: `${overlay.id}: CDC pipeline ${p.name} reads PostgreSQL and writes OpenSearch, and ${missing.join(' and ')} is false`,
          fix: `set ${missing.map((m) => `${m}: true`).join(' and ')}, or remove the pipeline`,
        });
        continue;
      }
      pipelines[p.name] = new CdcPipeline(this, p.name, {
        source: data.postgres,
        database: p.database,
        tables: p.tables,
        kafka: this.kafka,
        connect: this.connect,
        sink: search.opensearch,
        indices: p.indices,
      });
    }
    this.pipelines = pipelines;

    // A primary opens an external listener and a read-only user for each replica that mirrors it.
    for (const replica of overlay.peers.replicas.filter(runsKafka)) {
      this.kafka.addExternalListener({ host: kafkaExternalHost(overlay) });
      this.kafka.grantMirrorSource(mirrorUserName(replica));
    }

    const primary = overlay.peers.primary;
    if (primary && runsKafka(primary)) {
      const primaryPrefix = secretKeyPrefix(primary);
      const primaryKafka = primary.settings.streaming.kafka.name;
      this.mirrorMaker = new KafkaMirrorMaker(this, 'MirrorMaker', {
        target: this.kafka,
        targetAlias: region.name,
        source: {
          alias: primary.region.name,
          bootstrapServers: `${kafkaExternalHost(primary)}:${KAFKA_EXTERNAL_PORT}`,
          username: mirrorUserName(overlay),
          passwordRemoteKey: KafkaCluster.externalUserKey(primaryPrefix, primaryKafka, mirrorUserName(overlay)),
          clusterCaRemoteKey: KafkaCluster.clusterCaKey(primaryPrefix, primaryKafka),
        },
        topicsPattern: s.mirrorTopics,
        // Connect's and MirrorMaker's own state on the primary is not data to mirror.
        topicsExcludePattern: [
          ...MIRROR_DEFAULT_EXCLUDES,
          ...KafkaConnectCluster.internalTopicNames(),
          ...KafkaConnectCluster.internalTopicNames('mirror-maker'),
        ]
          .map((p) => (/^[\w-]+$/.test(p) ? p.replace(/-/g, '\\-') : p))
          .join('|'),
        secretBackend: region.secrets,
      });
    }
  }
}

function runsKafka(o: OverlayRef): boolean {
  return o.settings.streaming.kafka.enabled;
}
