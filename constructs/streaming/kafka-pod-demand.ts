/**
 * The pods Strimzi creates for a Kafka cluster, its node pools, Kafka Connect (with the image
 * build pod) and MirrorMaker 2, at the sizes the resources declare. See
 * constructs/platform/pod-demand.ts.
 */
import { containerShape, PodDemand, PodDemandRule, podDemand, sumShapes, volumes } from '../platform/pod-demand';

type Json = Record<string, any>;

const STRIMZI = 'kafka.strimzi.io';

export const KAFKA_POD_DEMANDS: readonly PodDemandRule[] = [
  {
    group: STRIMZI,
    kind: 'KafkaNodePool',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      return [
        podDemand(
          `KafkaNodePool ${m.metadata?.name}`,
          spec.replicas ?? 0,
          containerShape(spec.resources, limitRange),
          volumes(spec.storage?.type === 'jbod' ? (spec.storage.volumes ?? []).map((v: Json) => v.size) : [spec.storage?.size]),
        ),
      ];
    },
  },
  {
    group: STRIMZI,
    kind: 'Kafka',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      const name = m.metadata?.name;
      const groups: PodDemand[] = [];
      const eo = spec.entityOperator;
      if (eo) {
        const containers = [eo.topicOperator, eo.userOperator].filter(Boolean).map((c: Json) => containerShape(c.resources, limitRange));
        groups.push(podDemand(`Kafka ${name} entity operator`, 1, sumShapes(containers)));
      }
      if (spec.kafkaExporter) groups.push(podDemand(`Kafka ${name} exporter`, 1, containerShape(spec.kafkaExporter.resources, limitRange)));
      return groups;
    },
  },
  {
    group: STRIMZI,
    kind: 'KafkaConnect',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      const name = m.metadata?.name;
      return [
        podDemand(`KafkaConnect ${name}`, spec.replicas ?? 3, containerShape(spec.resources, limitRange)),
        // Strimzi runs one Kaniko pod at a time while it builds the image.
        ...(spec.build ? [podDemand(`KafkaConnect ${name} image build`, 1, containerShape(spec.build.resources, limitRange))] : []),
      ];
    },
  },
  {
    group: STRIMZI,
    kind: 'KafkaMirrorMaker2',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      return [podDemand(`KafkaMirrorMaker2 ${m.metadata?.name}`, spec.replicas ?? 3, containerShape(spec.resources, limitRange))];
    },
  },
];
