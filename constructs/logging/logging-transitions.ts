/**
 * What may change in the VictoriaLogs store on a running cluster: its claim cannot shrink, and
 * another storage class starts an empty one (the operator does not move data). Removing the
 * store (another backend, logging switched off, the monitoring layer moved) leaves its claim
 * behind: refused unless acknowledged, like every store of data. A shorter retention deletes
 * the older logs.
 */
import { claimKept, notShortened, TransitionRule } from '../platform/transition-rules';

export const LOGGING_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: 'operator.victoriametrics.com',
    kind: 'VLSingle',
    stateful: true,
    removalSetting: 'monitoring.logging.backend',
    removalFix:
      'keep monitoring.logging.backend: victorialogs and the monitoring layer where it is, or acknowledge the removal: the logs stay on the claim (prune-protected) until deleted by hand',
    check: (previous, next) => [
      ...claimKept(previous, next, 'spec.storage', 'the VictoriaLogs volume', 'monitoring.logging.storageSize'),
      ...notShortened(previous, next, 'spec.retentionPeriod', 'the VictoriaLogs retention', 'monitoring.logging.retentionDays'),
    ],
  },
];
