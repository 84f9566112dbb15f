/** What may change on a running Strimzi Kafka cluster, its node pools and topics. */
import { at, keepsQuorum, notLowered, notShortened, sizeNotShrunk, TransitionChange, TransitionRule, unchanged } from '../platform/transition-rules';

const STRIMZI = 'kafka.strimzi.io';

/** Replication settings of the brokers that must not go down on a running cluster. */
const REPLICATION_CONFIG = [
  'default.replication.factor',
  'min.insync.replicas',
  'offsets.topic.replication.factor',
  'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr',
];

function volumes(storage: any): any[] {
  if (!storage) return [];
  return Array.isArray(storage.volumes) ? storage.volumes : [storage];
}

export const KAFKA_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: STRIMZI,
    kind: 'Kafka',
    stateful: true,
    removalSetting: 'streaming.kafka.enabled',
    removalFix:
      'keep streaming.kafka.enabled (and the cluster name), or acknowledge the removal: the cluster stays (prune-protected) and is deleted by hand',
    check: (previous, next) =>
      REPLICATION_CONFIG.flatMap((key) =>
        notLowered(previous, next, ['spec', 'kafka', 'config', key], `the brokers' ${key}`, {
          setting: key.includes('replication') ? 'streaming.kafka.replicationFactor' : 'streaming.kafka.minInsyncReplicas',
        }),
      ),
  },
  {
    group: STRIMZI,
    kind: 'KafkaNodePool',
    stateful: true,
    removalSetting: 'streaming.kafka.enabled',
    removalFix: 'keep the node pool, or acknowledge its removal (its brokers and volumes go)',
    check: (previous, next) => {
      const before = volumes(at(previous, 'spec.storage'));
      const after = volumes(at(next, 'spec.storage'));
      const changes: TransitionChange[] = keepsQuorum(previous, next, 'spec.replicas', 'its replicas', 'streaming.kafka.brokers');
      for (let i = 0; i < Math.min(before.length, after.length); i++) {
        changes.push(
          ...sizeNotShrunk(before[i]?.size, after[i]?.size, `spec.storage.volumes[${i}].size`, 'its volumes', 'streaming.kafka.storageSize'),
        );
        changes.push(
          ...unchanged({ v: before[i]?.class }, { v: after[i]?.class }, 'v', 'the storage class of its volumes', {
            setting: 'region.storageClasses.retain',
          }).map((c) => ({ ...c, field: `spec.storage.volumes[${i}].class` })),
        );
      }
      return changes;
    },
  },
  {
    group: STRIMZI,
    kind: 'KafkaTopic',
    stateful: true,
    removalSetting: 'streaming.pipelines',
    removalFix: 'keep the pipeline or topic, or acknowledge the removal (the topic and its messages are deleted)',
    check: (previous, next) => [
      ...notLowered(previous, next, 'spec.partitions', 'its partitions', {
        impossible: true,
        fix: 'Kafka cannot remove partitions: keep the count, or create a new topic',
      }),
      ...notLowered(previous, next, 'spec.replicas', 'its replication factor', { setting: 'streaming.kafka.replicationFactor' }),
      ...notLowered(previous, next, ['spec', 'config', 'min.insync.replicas'], 'its min.insync.replicas', {
        setting: 'streaming.kafka.minInsyncReplicas',
      }),
      ...retention(previous, next),
    ],
  },
];

/** `retention.ms` has a dot in its key. */
function retention(previous: any, next: any): TransitionChange[] {
  const wrap = (m: any) => ({ r: at(m, ['spec', 'config', 'retention.ms']) });
  return notShortened(wrap(previous), wrap(next), 'r', 'its retention', 'streaming.kafka.retentionHours').map((c) => ({
    ...c,
    field: 'spec.config.retention.ms',
  }));
}
