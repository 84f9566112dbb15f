/** What may change in Velero's backups: schedules and locations are what restores depend on. */
import { notShortened, TransitionRule } from '../platform/transition-rules';

export const VELERO_TRANSITIONS: readonly TransitionRule[] = [
  {
    group: 'velero.io',
    kind: 'Schedule',
    stateful: true,
    removalSetting: 'velero.enabled',
    removalFix: 'keep velero enabled and its schedules, or acknowledge that these backups stop (existing backups stay until their TTL)',
    check: (previous, next) => notShortened(previous, next, 'spec.template.ttl', 'the time its backups are kept', 'velero.ttl'),
  },
  {
    group: 'velero.io',
    kind: 'BackupStorageLocation',
    stateful: true,
    removalSetting: 'velero.enabled',
    removalFix: 'keep velero enabled, or acknowledge the removal: the backups in this location can no longer be restored through it',
  },
];
