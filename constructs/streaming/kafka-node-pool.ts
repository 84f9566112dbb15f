import { Construct } from 'constructs';
import { nodePoolPlacement, quantities, RESTRICTED_CONTAINER, restrictedPod } from './pod-security';
import * as kafka from '../../imports/kafka.strimzi.io';
import type { ComputeResources, NodePool } from '../core/compute';
import { componentLabels } from '../platform/labels';
import { protectFromPrune } from '../platform/protection';

export type KafkaNodeRole = 'controller' | 'broker';

export interface KafkaNodePoolProps {
  /** Pool name; pods are `<cluster>-<name>-<id>` (a public contract). */
  readonly name: string;
  readonly namespace: string;
  readonly clusterName: string;
  readonly roles: readonly KafkaNodeRole[];
  readonly replicas: number;
  /** JBOD volume 0, which also holds the KRaft metadata log. */
  readonly storageSize: string;
  /** Storage class with reclaim policy Retain. */
  readonly storageClass: string;
  readonly resources: ComputeResources;
  /** Nodes reserved for stateful services. @default any node */
  readonly nodePool?: NodePool;
  /** Node label carrying the zone, to spread the pool across zones. @default no spreading */
  readonly zoneTopologyKey?: string;
}

/**
 * A Strimzi `KafkaNodePool` of one Kafka cluster: KRaft roles, a JBOD persistent claim on the
 * retain class kept when the pool is deleted, the node pool placement, one node per machine,
 * restricted security contexts and prune protection. Created by `KafkaCluster`.
 */
export class KafkaNodePool extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: KafkaNodePoolProps) {
    super(scope, id);
    this.name = props.name;
    const placement = nodePoolPlacement(props.nodePool);
    const poolLabels = { 'strimzi.io/cluster': props.clusterName, 'strimzi.io/pool-name': props.name };
    const resource = new kafka.KafkaNodePool(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { 'strimzi.io/cluster': props.clusterName, ...componentLabels('kafka', props.clusterName, props.roles.join('-')) },
      },
      spec: {
        replicas: props.replicas,
        roles: props.roles.map((r) => (r === 'controller' ? kafka.KafkaNodePoolSpecRoles.CONTROLLER : kafka.KafkaNodePoolSpecRoles.BROKER)),
        storage: {
          type: kafka.KafkaNodePoolSpecStorageType.JBOD,
          volumes: [
            {
              id: 0,
              type: kafka.KafkaNodePoolSpecStorageVolumesType.PERSISTENT_HYPHEN_CLAIM,
              size: props.storageSize,
              class: props.storageClass,
              deleteClaim: false,
              kraftMetadata: kafka.KafkaNodePoolSpecStorageVolumesKraftMetadata.SHARED,
            },
          ],
        },
        resources: quantities(kafka.KafkaNodePoolSpecResourcesRequests, kafka.KafkaNodePoolSpecResourcesLimits, props.resources),
        template: {
          // A pool's pod template replaces the Kafka resource's, so it repeats the security contexts.
          pod: {
            securityContext: restrictedPod({ persistentStorage: true }),
            affinity: {
              ...(placement.nodeAffinity ? { nodeAffinity: placement.nodeAffinity } : {}),
              // Two nodes of one pool never share a machine.
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  { labelSelector: { matchLabels: poolLabels }, topologyKey: 'kubernetes.io/hostname' },
                ],
              },
            },
            tolerations: placement.tolerations,
            ...(props.zoneTopologyKey
              ? {
                  topologySpreadConstraints: [
                    {
                      maxSkew: 1,
                      topologyKey: props.zoneTopologyKey,
                      whenUnsatisfiable: 'ScheduleAnyway',
                      labelSelector: { matchLabels: poolLabels },
                    },
                  ],
                }
              : {}),
          },
          kafkaContainer: { securityContext: RESTRICTED_CONTAINER },
          initContainer: { securityContext: RESTRICTED_CONTAINER },
        },
      },
    });
    protectFromPrune(resource);
  }
}
