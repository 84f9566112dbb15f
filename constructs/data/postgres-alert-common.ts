/**
 * What the PostgreSQL engines' alerts share: the volume alerts from the kubelet's statistics
 * of a cluster's claims, and the age after which a missing backup pages.
 */
import { Alert, durationOption } from '../platform/alert-rules';
import { cronIntervalSeconds } from '../platform/schedule-interval';

/** Alert threshold when the backup schedule's interval is not fixed. */
const DEFAULT_BACKUP_MISSING_AFTER_SECONDS = 26 * 3600;

/** `backupMissingAfter` in seconds: the option, else 1.5 × the schedule's fixed interval, else 26h. */
export function backupMissingAfterSeconds(what: string, backupSchedule: string, option: string | undefined): number {
  if (option !== undefined) return durationOption(what, 'alerts.backupMissingAfter', option);
  const interval = cronIntervalSeconds(backupSchedule);
  return interval !== undefined ? 1.5 * interval : DEFAULT_BACKUP_MISSING_AFTER_SECONDS;
}

/**
 * The warning and critical `PostgresVolumeNearlyFull` alerts over `usedPercent` (an expression
 * by namespace and claim); `critical` ends the critical description (what stops, what to grow).
 */
export function volumeAlerts(
  id: string,
  usedPercent: string,
  usage: { readonly warning: number; readonly critical: number },
  critical: string,
): Alert[] {
  return [
    {
      alert: 'PostgresVolumeNearlyFull',
      expr: `${usedPercent} > ${usage.warning}`,
      for: '15m',
      severity: 'warning',
      summary: `A volume of PostgreSQL cluster ${id} is more than ${usage.warning}% full`,
      description: `Volume {{ $labels.persistentvolumeclaim }} of PostgreSQL cluster ${id} is {{ $value | printf "%.0f" }}% full.`,
    },
    {
      alert: 'PostgresVolumeNearlyFull',
      expr: `${usedPercent} > ${usage.critical}`,
      for: '5m',
      severity: 'critical',
      summary: `A volume of PostgreSQL cluster ${id} is more than ${usage.critical}% full`,
      description: `Volume {{ $labels.persistentvolumeclaim }} of PostgreSQL cluster ${id} is {{ $value | printf "%.0f" }}% full: ${critical}`,
    },
  ];
}
