import { cronIntervalSeconds, goDurationSeconds } from '../../../constructs/platform/schedule-interval';

describe('schedule intervals', () => {
  test.each([
    ['0 2 * * *', 86400],
    ['@daily', 86400],
    ['15 * * * *', 3600],
    ['0 */6 * * *', 21600],
    ['0 3 * * 0', 604800],
    ['@every 12h', 43200],
    ['0 */5 * * *', undefined],
    ['0 2 1 * *', undefined],
    ['0 2,14 * * *', undefined],
  ])('%s', (cron, seconds) => {
    expect(cronIntervalSeconds(cron)).toBe(seconds);
  });

  test('Go durations', () => {
    expect(goDurationSeconds('720h')).toBe(720 * 3600);
    expect(goDurationSeconds('720h0m0s')).toBe(720 * 3600);
    expect(goDurationSeconds('1h30m')).toBe(5400);
    expect(goDurationSeconds('30d')).toBeUndefined();
    expect(goDurationSeconds('')).toBeUndefined();
  });
});
