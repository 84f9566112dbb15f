/**
 * Schema bounds that keep schema-valid input from crashing a construct or rendering an object
 * its operator rejects.
 */
import { loadEnvironments } from '../../environments/load';
import { environmentError, expectProblem } from '../support/problems';
import { environmentsWith, removeTempDirs } from '../support/temp';

afterAll(removeTempDirs);

describe('cron schedules', () => {
  const withSchedules = (schedules: { postgres?: string; velero?: string; opensearch?: string }) =>
    environmentsWith({
      'overlays/region-a/prod.yaml': {
        merge: {
          ...(schedules.postgres ? { postgres: { backup: { schedule: schedules.postgres } } } : {}),
          ...(schedules.velero ? { velero: { schedule: schedules.velero } } : {}),
          ...(schedules.opensearch ? { opensearch: { snapshotSchedule: schedules.opensearch } } : {}),
        },
      },
    });

  test('numbers, *, ranges, lists and steps are accepted in every schedule', () => {
    const overlays = loadEnvironments(withSchedules({ postgres: '0 */6 * * *', velero: '15 2 1,15 * *', opensearch: '5-10/2 3 * 1-12 0-6' }));
    const prod = overlays.find((o) => o.id === 'region-a/prod')!;
    expect(prod.settings.postgres.backup.schedule).toBe('0 */6 * * *');
    expect(prod.settings.velero.schedule).toBe('15 2 1,15 * *');
    expect(prod.settings.opensearch.snapshotSchedule).toBe('5-10/2 3 * 1-12 0-6');
  });

  test('Velero and PostgreSQL backups also take @-descriptors', () => {
    const prod = loadEnvironments(withSchedules({ velero: '@daily', postgres: '@weekly' })).find((o) => o.id === 'region-a/prod')!;
    expect(prod.settings.velero.schedule).toBe('@daily');
    expect(prod.settings.postgres.backup.schedule).toBe('@weekly');
  });

  // OpenSearch's snapshot policy reads five fields only: a descriptor used to crash the
  // OpenSearch construct.
  test('a descriptor in opensearch.snapshotSchedule is a problem', () => {
    const err = environmentError(() => loadEnvironments(withSchedules({ opensearch: '@daily' })));
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: 'opensearch.snapshotSchedule',
      value: '@daily',
      message: /must match pattern/,
      fix: /five-field cron expression/,
    });
  });

  // The old pattern took any five whitespace-separated words, which then crashed the
  // Velero and OpenSearch constructs with a stack trace.
  test.each([
    ['velero.schedule', { velero: 'a b c d e' }, 'a b c d e'],
    ['velero.schedule', { velero: '0\t2 * * *' }, '0\t2 * * *'],
    ['opensearch.snapshotSchedule', { opensearch: '0 2 * * MON' }, '0 2 * * MON'],
    ['postgres.backup.schedule', { postgres: '0  2 * * *' }, '0  2 * * *'],
    ['postgres.backup.schedule', { postgres: '0 2 * * * *' }, '0 2 * * * *'],
  ])('%s %j is a problem, not a crash', (fieldPath, schedules, value) => {
    const err = environmentError(() => loadEnvironments(withSchedules(schedules)));
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: fieldPath,
      value,
      message: /must match pattern/,
      fix: /five-field cron expression/,
    });
  });
});

// The operators name Services after these clusters, and a Service name starts with a letter:
// `opensearch.name: "9"` used to pass the schema and crash the OpenSearch construct.
describe('cluster names', () => {
  const PLATFORM = 'platform.yaml';
  test.each([
    ['opensearch', '9', /must start with a letter.*at most 40 characters/],
    ['opensearch', 'a'.repeat(41), /at most 40 characters/],
    ['opensearch', '545b--am', /must start with a letter/],
    ['postgres', '2db', /must start with a letter.*at most 53 characters/],
    ['postgres', `p${'g'.repeat(53)}`, /at most 53 characters/],
    ['minio', '0storage', /must start with a letter/],
  ])('%s.name %j is a problem naming the file and field', (component, name, fix) => {
    const err = environmentError(() => loadEnvironments(environmentsWith({ [PLATFORM]: { merge: { [component]: { name } } } })));
    expectProblem(err, { file: PLATFORM, path: `${component}.name`, value: name, message: /must match pattern/, fix });
  });

  test('streaming.kafka.name too', () => {
    const err = environmentError(() => loadEnvironments(environmentsWith({ [PLATFORM]: { merge: { streaming: { kafka: { name: '1events' } } } } })));
    expectProblem(err, {
      file: PLATFORM,
      path: 'streaming.kafka.name',
      value: '1events',
      message: /must match pattern/,
      fix: /Strimzi names Services/,
    });
  });

  test('a 40-character OpenSearch name that starts with a letter is accepted', () => {
    const name = `s${'e'.repeat(38)}h`;
    const overlays = loadEnvironments(environmentsWith({ [PLATFORM]: { merge: { opensearch: { name } } } }));
    expect(overlays.every((o) => o.settings.opensearch.name === name)).toBe(true);
  });
});
