/**
 * What may change in the cluster's log stores on a running cluster.
 *
 * VictoriaLogs: its claim cannot shrink, and another storage class starts an empty one (the
 * operator does not move data). Removing the store (another backend, logging switched off,
 * the monitoring layer moved) leaves its claim behind: refused unless acknowledged, like every
 * store of data. A shorter retention deletes the older logs.
 *
 * Loki (its release, a Flux HelmRelease or an Argo CD Application named `loki`): the logs
 * are in the bucket, which nothing here deletes; a shorter retention makes the compactor
 * delete the older ones, another bucket or schema start leaves the stored logs unread, and
 * removing the release (another backend, logging switched off) leaves Loki running
 * (prune-protected) and the bucket as it is: each refused unless acknowledged.
 */
import { LOKI_RELEASE } from './loki';
import { at, claimKept, notShortened, show, TransitionChange, TransitionRule, unchanged } from '../platform/transition-rules';

const LOKI_REMOVAL_FIX =
  'keep monitoring.logging.backend: loki and the monitoring layer where it is, or acknowledge the removal: Loki keeps running (prune-protected) and its logs stay in the bucket until deleted by hand';

/** The changes of Loki's values (at `prefix` of the release) that delete logs or stop serving them. */
function lokiChanges(previous: unknown, next: unknown, prefix: string): TransitionChange[] {
  const values = at(previous, prefix);
  const nextValues = at(next, prefix);
  const bucket = 'loki.storage.bucketNames.chunks';
  return [
    ...notShortened(values, nextValues, 'loki.limits_config.retention_period', 'the Loki retention', 'monitoring.logging.retentionDays'),
    ...unchanged(values, nextValues, bucket, 'the Loki bucket', {
      setting: 'backupStorage',
      message: `the Loki bucket would change from ${show(at(values, bucket))} to ${show(at(nextValues, bucket))}: Loki starts empty there, and the logs in the old bucket are no longer served`,
      fix: 'keep the backup storage, or acknowledge the change: the old bucket keeps its logs until deleted by hand',
    }),
    ...unchanged(values, nextValues, 'loki.schemaConfig', 'the Loki schema', {
      message:
        'the Loki schema entries would change: chunks are read by the schema of their day, so logs stored under the old entries are no longer read',
      fix: 'keep the entries as they are (a new schema is added as a further entry starting on a later day), or acknowledge the change',
    }),
  ].map((c) => ({ ...c, field: `${prefix}.${c.field}` }));
}

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
  {
    group: 'helm.toolkit.fluxcd.io',
    kind: 'HelmRelease',
    appliesTo: (m) => at(m, 'metadata.name') === LOKI_RELEASE && at(m, 'spec.chart.spec.chart') === LOKI_RELEASE,
    stateful: true,
    removalSetting: 'monitoring.logging.backend',
    removalFix: LOKI_REMOVAL_FIX,
    check: (previous, next) => lokiChanges(previous, next, 'spec.values'),
  },
  {
    group: 'argoproj.io',
    kind: 'Application',
    appliesTo: (m) => at(m, 'metadata.name') === LOKI_RELEASE && at(m, 'spec.source.chart') === LOKI_RELEASE,
    stateful: true,
    removalSetting: 'monitoring.logging.backend',
    removalFix: LOKI_REMOVAL_FIX,
    check: (previous, next) => lokiChanges(previous, next, 'spec.source.helm.valuesObject'),
  },
];
