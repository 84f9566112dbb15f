/**
 * Production-shaped defaults of a Kafka cluster, shared by the construct (the `@default` of
 * every optional prop of KafkaClusterProps) and the environment model's platform defaults
 * (environments/platform-defaults.ts), so each is written once. Type imports only: the
 * environment loader reads this without loading the constructs.
 */
import type { KafkaAuthentication } from './kafka-user';
import type { ComputeResources } from '../core/compute';

export const KAFKA_DEFAULTS = {
  name: 'events',
  namespace: 'kafka',
  topology: 'dedicated' as 'dedicated' | 'combined',
  controllers: 3,
  brokers: 3,
  storageSize: '100Gi',
  // 3 brokers × 6 Gi, the controllers and Connect (with room for an image build) fit a 32 Gi
  // namespace quota; Kafka serves reads from the page cache, not its heap.
  resources: { requests: { cpu: '2', memory: '6Gi' }, limits: { cpu: '2', memory: '6Gi' } } as ComputeResources,
  /** Controllers hold only the metadata log. */
  controllerResources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '500m', memory: '1Gi' } } as ComputeResources,
  controllerStorageSize: '10Gi',
  replicationFactor: 3,
  minInsyncReplicas: 2,
  retentionHours: 168,
  authentication: 'scram-sha-512' as KafkaAuthentication,
} as const;
