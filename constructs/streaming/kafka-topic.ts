import { createHash } from 'crypto';
import { Construct } from 'constructs';
import * as kafka from '../../imports/kafka.strimzi.io';
import { protectFromPrune } from '../platform/protection';

export interface KafkaTopicOptions {
  /** @default 3 */
  readonly partitions?: number;
  /** @default the cluster's replication factor */
  readonly replicas?: number;
  /** @default the cluster's retention (`retention.ms`) */
  readonly retentionHours?: number;
  /** Further topic configuration (`cleanup.policy`, `max.message.bytes`, ...). @default none */
  readonly config?: Readonly<Record<string, string | number | boolean>>;
}

export interface KafkaTopicProps extends KafkaTopicOptions {
  /** The topic's name in Kafka (case and `_` allowed). */
  readonly topicName: string;
  readonly namespace: string;
  readonly clusterName: string;
}

/**
 * A Strimzi `KafkaTopic`. Deleting the object deletes the topic and its data, so it is
 * protected from pruning like every other stateful object. Topic names that are not valid
 * object names (upper case, `_`) get a sanitised object name with a short hash.
 */
export class KafkaTopic extends Construct {
  /** The object name Strata gives a topic: the name itself where Kubernetes allows it. */
  public static objectNameFor(topicName: string): string {
    if (/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(topicName)) return topicName;
    const hash = createHash('sha256').update(topicName).digest('hex').slice(0, 8);
    const stem = topicName
      .toLowerCase()
      .replace(/[^a-z0-9.-]/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 54);
    return `${stem || 'topic'}-${hash}`;
  }

  /** Kafka-side name. */
  public readonly topicName: string;
  /** Kubernetes object name. */
  public readonly objectName: string;

  constructor(scope: Construct, id: string, props: KafkaTopicProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(props.topicName) || props.topicName === '.' || props.topicName === '..') {
      throw new Error(`Kafka topic name "${props.topicName}" is invalid: use up to 249 letters, digits, '.', '_' and '-'`);
    }
    const partitions = props.partitions ?? 3;
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new Error(`Kafka topic ${props.topicName}: partitions must be a positive integer (got ${partitions})`);
    }
    this.topicName = props.topicName;
    this.objectName = KafkaTopic.objectNameFor(props.topicName);
    const resource = new kafka.KafkaTopic(this, 'Resource', {
      metadata: { name: this.objectName, namespace: props.namespace, labels: { 'strimzi.io/cluster': props.clusterName } },
      spec: {
        ...(this.objectName !== props.topicName ? { topicName: props.topicName } : {}),
        partitions,
        ...(props.replicas !== undefined ? { replicas: props.replicas } : {}),
        config: {
          ...(props.retentionHours !== undefined ? { 'retention.ms': props.retentionHours * 3600_000 } : {}),
          ...(props.config ?? {}),
        },
      },
    });
    protectFromPrune(resource);
  }
}
