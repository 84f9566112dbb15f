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
import { at, notLowered, sizeNotShrunk, TransitionChange, TransitionRule } from '../platform/transition-rules';

function claimChanges(previous: unknown, next: unknown, spec: string, what: string, setting: string): TransitionChange[] {
  const changes = sizeNotShrunk(
    at(previous, `${spec}.resources.requests.storage`),
    at(next, `${spec}.resources.requests.storage`),
    `${spec}.resources.requests.storage`,
    what,
    setting,
  );
  const before = at(previous, `${spec}.storageClassName`);
  const after = at(next, `${spec}.storageClassName`);
  if (before !== undefined && before !== after) {
    changes.push({
      field: `${spec}.storageClassName`,
      before,
      after,
      setting: 'region.storageClasses.fast',
      message: `the storage class of ${what} would change from ${String(before)} to ${String(after ?? '(none)')}: the operator cannot move the claim, and a new one starts empty`,
      fix: 'keep the storage class, or acknowledge the change: the old claim stays until deleted by hand',
    });
  }
  return changes;
}

export const VICTORIA_METRICS_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: 'operator.victoriametrics.com',
    kind: 'VMSingle',
    stateful: true,
    removalSetting: 'monitoring.stack',
    removalFix:
      'keep monitoring.stack: victoriametrics (with storage: single) and the monitoring layer where it is, or acknowledge the removal: the samples stay on the claim (prune-protected) until deleted by hand',
    check: (previous, next) => claimChanges(previous, next, 'spec.storage', 'the VMSingle volume', 'monitoring.prometheus.storageSize'),
  },
  {
    group: 'operator.victoriametrics.com',
    kind: 'VMCluster',
    stateful: true,
    removalSetting: 'monitoring.victoriametrics.storage',
    removalFix:
      'keep monitoring.stack: victoriametrics with storage: cluster and the monitoring layer where it is, or acknowledge the removal: the samples stay on the vmstorage claims until deleted by hand',
    check: (previous, next) => [
      ...claimChanges(
        previous,
        next,
        'spec.vmstorage.storage.volumeClaimTemplate.spec',
        'the vmstorage volumes',
        'monitoring.prometheus.storageSize',
      ),
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
      claimChanges(previous, next, 'spec.storage.volumeClaimTemplate.spec', 'the VMAlertmanager volumes', 'monitoring.alertmanager.storageSize'),
  },
];
