/**
 * The cross-field rules of environments/streaming-checks.ts (and the schema rules that
 * stand in front of them), one failing case per rule, through loadEnvironments on a copy
 * of environments/: each problem names the overlay file, the field path, the bad value
 * and the fix.
 */
import * as yaml from 'js-yaml';
import { loadEnvironments } from '../../environments/load';
import { environmentError, expectProblem } from '../support/problems';
import { EnvironmentChange, environmentsWith, readEnvironmentsFile, removeTempDirs } from '../support/temp';

afterAll(removeTempDirs);

const PROD = 'overlays/region-a/prod.yaml';
const STAGING = 'overlays/region-a/staging.yaml';

/** The EnvironmentError loading a copy of environments/ with `changes` throws. */
const reject = (changes: Readonly<Record<string, EnvironmentChange>>) => environmentError(() => loadEnvironments(environmentsWith(changes)));
const loads = (changes: Readonly<Record<string, EnvironmentChange>>) => loadEnvironments(environmentsWith(changes));

/** region-a/prod's pipelines ([hrm, payroll]) with the hrm pipeline changed; arrays replace as a whole. */
function prodPipelinesWithHrm(change: Record<string, unknown>): EnvironmentChange {
  const [hrm, ...rest] = readEnvironmentsFile(PROD).streaming.pipelines;
  return { merge: { streaming: { pipelines: [{ ...hrm, ...change }, ...rest] } } };
}

describe('Kafka', () => {
  test('min.insync.replicas above the broker count', () => {
    const err = reject({ [PROD]: { merge: { streaming: { kafka: { minInsyncReplicas: 4 } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.kafka.minInsyncReplicas',
      value: 4,
      message: /^region-a\/prod: min\.insync\.replicas 4 is above the 3 broker\(s\): no write could ever succeed$/,
      fix: /^set streaming\.kafka\.minInsyncReplicas to at most 2$/,
    });
  });

  test('min.insync.replicas above the replication factor (within the broker count)', () => {
    const err = reject({ [PROD]: { merge: { streaming: { kafka: { replicationFactor: 2, minInsyncReplicas: 3 } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.kafka.minInsyncReplicas',
      value: 3,
      message: /min\.insync\.replicas 3 is above the replication factor 2/,
      fix: /^set streaming\.kafka\.minInsyncReplicas to at most 2$/,
    });
  });

  test('replication factor above the broker count', () => {
    const err = reject({ [PROD]: { merge: { streaming: { kafka: { replicationFactor: 4 } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.kafka.replicationFactor',
      value: 4,
      message: /^region-a\/prod: replication factor 4 is above the 3 broker\(s\)$/,
      fix: /^lower streaming\.kafka\.replicationFactor to 3 or add brokers$/,
    });
  });

  test('an even number of KRaft controllers (dedicated topology)', () => {
    const err = reject({ [PROD]: { merge: { streaming: { kafka: { controllers: 4 } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.kafka.controllers',
      value: 4,
      message: /4 KRaft controllers cannot form a majority after one failure any better than 3/,
      fix: /^use an odd number of controllers: 1, 3 or 5$/,
    });
  });

  test('the controller count is not judged in the combined topology, which has no controller pool', () => {
    expect(readEnvironmentsFile(STAGING).streaming.kafka.enabled).toBe(true);
    const staging = loads({ [STAGING]: { merge: { streaming: { kafka: { controllers: 4 } } } } }).find((o) => o.id === 'region-a/staging')!;
    expect(staging.settings.streaming.kafka.topology).toBe('combined');
  });

  test('a limit above limitRange.max', () => {
    // staging's limitRange.max.memory is 16Gi.
    const err = reject({ [STAGING]: { merge: { streaming: { kafka: { resources: { limits: { memory: '20Gi' } } } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: STAGING,
      path: 'streaming.kafka.resources.limits.memory',
      value: '20Gi',
      message: /^region-a\/staging: limit 20Gi is above limitRange\.max\.memory 16Gi$/,
      fix: /^lower streaming\.kafka\.resources\.limits\.memory or raise limitRange\.max\.memory$/,
    });
  });

  test("a replica's mirrorTopics that is not a regular expression", () => {
    const err = reject({ 'overlays/region-b/prod.yaml': { merge: { streaming: { mirrorTopics: 'hrm.(' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-b/prod.yaml',
      path: 'streaming.mirrorTopics',
      value: 'hrm.(',
      message: /^region-b\/prod: "hrm\.\(" is not a valid regular expression/,
      fix: /use a regular expression such as/,
    });
  });
});

describe('OpenSearch', () => {
  test('an even number of cluster-manager nodes (dedicated topology)', () => {
    const err = reject({ [PROD]: { merge: { opensearch: { managers: 4 } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'opensearch.managers',
      value: 4,
      message: /^region-a\/prod: 4 cluster-manager nodes: an even count cannot keep a majority through a split$/,
      fix: /^use an odd number of cluster-manager nodes: 1, 3 or 5$/,
    });
  });

  test('heap above 75% of the memory limit', () => {
    // prod's OpenSearch memory limit is 6Gi: 75% is 4.5Gi.
    const err = reject({ [PROD]: { merge: { opensearch: { heap: '5g' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'opensearch.heap',
      value: '5g',
      message: /^region-a\/prod: heap 5g leaves too little of the 6Gi memory limit/,
      fix: /^set the heap to about half of opensearch\.resources\.limits\.memory$/,
    });
  });

  test('a heap of exactly 75% of the limit is accepted, one MiB more is not', () => {
    const prod = loads({ [PROD]: { merge: { opensearch: { heap: '4608m' } } } }).find((o) => o.id === 'region-a/prod')!;
    expect(prod.settings.opensearch.heap).toBe('4608m');
    expect(reject({ [PROD]: { merge: { opensearch: { heap: '4609m' } } } }).problems.map((p) => p.path)).toEqual(['opensearch.heap']);
  });
});

describe('CDC pipelines', () => {
  test('a table not in schema.table form is a schema problem', () => {
    const err = reject({ [PROD]: prodPipelinesWithHrm({ tables: ['employees'] }) });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.pipelines.0.tables.0',
      value: 'employees',
      message: /^must match pattern /,
      fix: /^write each table as schema\.table, e\.g\. public\.employees$/,
    });
  });

  const MAPPING_NOT_OBJECT = prodPipelinesWithHrm({ indices: { 'public.employees': { index: 'employees_index', mappings: 'text' } } });

  test('an index mapping that is not an object is a schema problem', () => {
    const err = reject({ [PROD]: MAPPING_NOT_OBJECT });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.pipelines.0.indices.public.employees.mappings',
      message: /^must be object$/,
      fix: /^give the index mappings as an object/,
    });
  });

  // Keys under `indices` are schema.table names: the dotted path still finds them.
  test('an index mapping that is not an object reports the bad value', () => {
    expectProblem(reject({ [PROD]: MAPPING_NOT_OBJECT }), {
      file: PROD,
      path: 'streaming.pipelines.0.indices.public.employees.mappings',
      value: 'text',
      message: /^must be object$/,
      fix: /^give the index mappings as an object/,
    });
  });

  const UNCAPTURED_INDEX = prodPipelinesWithHrm({
    indices: { ...readEnvironmentsFile(PROD).streaming.pipelines[0].indices, 'public.tx': { index: 'tx_index' } },
  });

  test('an indices key naming a table the pipeline does not capture', () => {
    const err = reject({ [PROD]: UNCAPTURED_INDEX });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.pipelines.0.indices.public.tx',
      message: /^region-a\/prod: indices names table "public\.tx", which the pipeline does not capture$/,
      fix: /^add "public\.tx" to streaming\.pipelines\.0\.tables or remove the entry; captured: public\.employees$/,
    });
  });

  test('an indices key naming an uncaptured table reports the entry as the bad value', () => {
    expectProblem(reject({ [PROD]: UNCAPTURED_INDEX }), {
      file: PROD,
      path: 'streaming.pipelines.0.indices.public.tx',
      value: { index: 'tx_index' },
      message: /does not capture/,
      fix: /remove the entry/,
    });
  });

  test("an uncaptured indices key set in a region's defaults names the region file", () => {
    const prod = readEnvironmentsFile(PROD);
    const { pipelines, ...streaming } = prod.streaming;
    const err = reject({
      'regions/region-a.yaml': {
        merge: {
          defaults: { streaming: { pipelines: [{ ...pipelines[0], indices: { ...pipelines[0].indices, 'public.tx': { index: 'tx_index' } } }] } },
        },
      },
      [PROD]: yaml.dump({ ...prod, streaming }),
      [STAGING]: yaml.dump({ streaming, opensearch: prod.opensearch }),
      'overlays/region-a/dev.yaml': yaml.dump({ streaming, opensearch: prod.opensearch }),
    });
    expect(err.problems).toHaveLength(3);
    expect(err.problems.map((p) => p.file)).toEqual(['regions/region-a.yaml', 'regions/region-a.yaml', 'regions/region-a.yaml']);
  });

  test('a table listed twice', () => {
    const err = reject({ [PROD]: prodPipelinesWithHrm({ tables: ['public.employees', 'public.employees'] }) });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.pipelines.0.tables.1',
      value: 'public.employees',
      message: /^region-a\/prod: table "public\.employees" is listed twice$/,
      fix: /^remove the duplicate$/,
    });
  });

  test('a pipeline name declared twice', () => {
    const [hrm, payroll] = readEnvironmentsFile(PROD).streaming.pipelines;
    const err = reject({ [PROD]: { merge: { streaming: { pipelines: [hrm, { ...payroll, name: 'hrm' }] } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.pipelines.1.name',
      value: 'hrm',
      message: /^region-a\/prod: pipeline "hrm" is declared twice$/,
      fix: /^give each pipeline its own name$/,
    });
  });

  test('a pipeline database missing from postgres.databases', () => {
    const err = reject({ [PROD]: prodPipelinesWithHrm({ database: 'crm' }) });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.pipelines.0.database',
      value: 'crm',
      message: /^region-a\/prod: database "crm" is not in postgres\.databases$/,
      fix: /^add it to postgres\.databases or use one of: hrm, payroll, dora$/,
    });
  });

  describe('what a pipeline needs (one problem per pipeline: staging has hrm and payroll)', () => {
    test('the external-patroni engine without postgres.external.logicalDecoding', () => {
      const patroni = { postgres: { engine: 'external-patroni', external: { addresses: ['10.20.0.11'] } } };
      const err = reject({ [STAGING]: { merge: patroni } });
      expect(err.problems).toHaveLength(2);
      for (const pipeline of ['hrm', 'payroll']) {
        expectProblem(err, {
          file: STAGING,
          path: 'postgres.external.logicalDecoding',
          value: false,
          message: new RegExp(`^region-a/staging: pipeline "${pipeline}" needs logical decoding on the external Patroni VMs, which is not declared$`),
          fix: /^set wal_level = logical on the VMs, then set postgres\.external\.logicalDecoding: true/,
        });
      }
      // Declaring it is the fix.
      expect(() =>
        loads({ [STAGING]: { merge: { postgres: { ...patroni.postgres, external: { ...patroni.postgres.external, logicalDecoding: true } } } } }),
      ).not.toThrow();
    });

    test('Kafka disabled', () => {
      const err = reject({ [STAGING]: { merge: { streaming: { kafka: { enabled: false } } } } });
      expect(err.problems).toHaveLength(2);
      for (const pipeline of ['hrm', 'payroll']) {
        expectProblem(err, {
          file: STAGING,
          path: 'streaming.kafka.enabled',
          value: false,
          message: new RegExp(`^region-a/staging: pipeline "${pipeline}" needs Kafka, which is disabled$`),
          fix: /^set streaming\.kafka\.enabled: true$/,
        });
      }
    });

    test('OpenSearch disabled', () => {
      const err = reject({ [STAGING]: { merge: { opensearch: { enabled: false } } } });
      expect(err.problems).toHaveLength(2);
      expectProblem(err, {
        file: STAGING,
        path: 'opensearch.enabled',
        value: false,
        message: /^region-a\/staging: pipeline "hrm" indexes into OpenSearch, which is disabled$/,
        fix: /^set opensearch\.enabled: true$/,
      });
    });

    test('PostgreSQL disabled', () => {
      const err = reject({ [STAGING]: { merge: { postgres: { enabled: false } } } });
      expect(err.problems).toHaveLength(2);
      expectProblem(err, {
        file: STAGING,
        path: 'postgres.enabled',
        value: false,
        message: /^region-a\/staging: pipeline "payroll" captures from PostgreSQL, which is disabled$/,
        fix: /^set postgres\.enabled: true$/,
      });
    });
  });

  test('Kafka Connect with neither a prebuilt image nor a region registry', () => {
    const { registry, ...region } = readEnvironmentsFile('regions/region-a.yaml');
    expect(registry).toBeDefined();
    const err = reject({
      'regions/region-a.yaml': yaml.dump(region),
      // staging names a prebuilt image, so only prod lacks one.
      [STAGING]: { merge: { streaming: { connect: { image: 'registry.example/connect-cdc:1.0.0' } } } },
    });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.connect.image',
      value: '',
      message: /^region-a\/prod: Kafka Connect needs its plugins: no prebuilt image is set and the region has no registry/,
      fix: /^set registry: \{repository, pushSecret\} in regions\/region-a\.yaml, or streaming\.connect\.image to a prebuilt image$/,
    });
  });
});
