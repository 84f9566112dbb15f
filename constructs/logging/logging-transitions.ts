/**
 * What may change in the VictoriaLogs store on a running cluster: its claim cannot shrink, and
 * another storage class starts an empty one (the operator does not move data). Removing the
 * store (another backend, logging switched off, the monitoring layer moved) leaves its claim
 * behind: refused unless acknowledged, like every store of data. A shorter retention deletes
 * the older logs.
 */
import { at, notShortened, sizeNotShrunk, TransitionRule } from '../platform/transition-rules';

export const LOGGING_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: 'operator.victoriametrics.com',
    kind: 'VLSingle',
    stateful: true,
    removalSetting: 'monitoring.logging.backend',
    removalFix:
      'keep monitoring.logging.backend: victorialogs and the monitoring layer where it is, or acknowledge the removal: the logs stay on the claim (prune-protected) until deleted by hand',
    check: (previous, next) => {
      const field = 'spec.storage.resources.requests.storage';
      const changes = [
        ...sizeNotShrunk(at(previous, field), at(next, field), field, 'the VictoriaLogs volume', 'monitoring.logging.storageSize'),
        ...notShortened(previous, next, 'spec.retentionPeriod', 'the VictoriaLogs retention', 'monitoring.logging.retentionDays'),
      ];
      const before = at(previous, 'spec.storage.storageClassName');
      const after = at(next, 'spec.storage.storageClassName');
      if (before !== undefined && before !== after) {
        changes.push({
          field: 'spec.storage.storageClassName',
          before,
          after,
          setting: 'region.storageClasses.fast',
          message: `the storage class of the VictoriaLogs volume would change from ${String(before)} to ${String(after ?? '(none)')}: the operator cannot move the claim, and a new one starts empty`,
          fix: 'keep the storage class, or acknowledge the change: the old claim stays until deleted by hand',
        });
      }
      return changes;
    },
  },
];
