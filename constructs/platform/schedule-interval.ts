/**
 * How often a cron schedule fires, for the schedules whose interval is fixed (hourly, every
 * N hours, daily, weekly, `@every`). Used to size "no recent backup" alerts (Velero, CloudNativePG).
 */

const DESCRIPTORS: Readonly<Record<string, number>> = {
  '@hourly': 3600,
  '@daily': 86400,
  '@midnight': 86400,
  '@weekly': 7 * 86400,
};

const NUMBER = /^\d+$/;

/** Seconds between two runs of `cron`, or undefined when the gap varies or cannot be read. */
export function cronIntervalSeconds(cron: string): number | undefined {
  const expr = cron.trim();
  if (DESCRIPTORS[expr] !== undefined) return DESCRIPTORS[expr];
  const every = /^@every\s+(.+)$/.exec(expr);
  if (every) return goDurationSeconds(every[1]);

  const fields = expr.split(/\s+/);
  if (fields.length !== 5) return undefined;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  if (!NUMBER.test(minute) || dayOfMonth !== '*' || month !== '*') return undefined;
  if (dayOfWeek === '*') {
    if (hour === '*') return 3600;
    if (NUMBER.test(hour)) return 86400;
    const step = /^\*\/(\d+)$/.exec(hour);
    // Only steps that divide the day evenly repeat at a fixed interval.
    if (step && 24 % Number(step[1]) === 0) return Number(step[1]) * 3600;
    return undefined;
  }
  if (NUMBER.test(hour) && NUMBER.test(dayOfWeek)) return 7 * 86400;
  return undefined;
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Seconds in a Go duration such as `720h` or `1h30m`; undefined when it is not one. */
export function goDurationSeconds(duration: string): number | undefined {
  if (!GO_DURATION.test(duration)) return undefined;
  let total = 0;
  for (const [, value, , unit] of duration.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(value) * UNIT_SECONDS[unit];
  return total;
}

/** A duration in the form Prometheus accepts (`36h`, `90m`, `45s`). */
export function promDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}
