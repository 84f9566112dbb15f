/**
 * What may change in the VictoriaMetrics stack's volumes on a running cluster: VMSingle keeps
 * every sample on one claim, a VMCluster on a claim per vmstorage node, VMAlertmanager its
 * silences on a claim per replica. None can shrink, and another storage class starts empty
 * claims (the operator does not move data). Removing VMSingle or the VMCluster (another
 * stack, single ↔ cluster, the monitoring layer moved) leaves its claims behind: it is refused
 * unless acknowledged, like every store of data. A VMCluster's storage nodes and replication
 * factor must not go down: the nodes removed take their share of the samples, and fewer
 * copies survive fewer lost nodes.
 */
import { claimKept, notLowered, TransitionRule } from '../platform/transition-rules';

export const VICTORIA_METRICS_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: 'operator.victoriametrics.com',
    kind: 'VMSingle',
    stateful: true,
    removalSetting: 'monitoring.stack',
    removalFix:
      'keep monitoring.stack: victoriametrics (with storage: single) and the monitoring layer where it is, or acknowledge the removal: the samples stay on the claim (prune-protected) until deleted by hand',
    check: (previous, next) => claimKept(previous, next, 'spec.storage', 'the VMSingle volume', 'monitoring.prometheus.storageSize'),
  },
  {
    group: 'operator.victoriametrics.com',
    kind: 'VMCluster',
    stateful: true,
    removalSetting: 'monitoring.victoriametrics.storage',
    removalFix:
      'keep monitoring.stack: victoriametrics with storage: cluster and the monitoring layer where it is, or acknowledge the removal: the samples stay on the vmstorage claims until deleted by hand',
    check: (previous, next) => [
      ...claimKept(previous, next, 'spec.vmstorage.storage.volumeClaimTemplate.spec', 'the vmstorage volumes', 'monitoring.prometheus.storageSize'),
      ...notLowered(previous, next, 'spec.vmstorage.replicaCount', 'the vmstorage nodes', {
        setting: 'monitoring.victoriametrics.storageNodes',
        fix: 'keep storageNodes, or acknowledge the change: the nodes removed take their share of the samples with them',
      }),
      ...notLowered(previous, next, 'spec.replicationFactor', 'the copies of each sample', {
        setting: 'monitoring.victoriametrics.replicationFactor',
      }),
    ],
  },
  {
    group: 'operator.victoriametrics.com',
    kind: 'VMAlertmanager',
    check: (previous, next) =>
      claimKept(previous, next, 'spec.storage.volumeClaimTemplate.spec', 'the VMAlertmanager volumes', 'monitoring.alertmanager.storageSize'),
  },
];
