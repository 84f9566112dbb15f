/**
 * The platform defaults (the bottom of the environment's defaults stack) are the constructs'
 * own defaults: a library user who passes only `{ secretBackend }` gets what an environment
 * with no overrides renders. Each value is written once, in constructs/<area>/*-defaults.ts.
 */
import { POSTGRES_DEFAULTS } from '../../constructs/data/postgres-defaults';
import { OPENSEARCH_DEFAULTS } from '../../constructs/search/opensearch-defaults';
import { MINIO_DEFAULTS } from '../../constructs/storage/minio-defaults';
import { KAFKA_DEFAULTS } from '../../constructs/streaming/kafka-defaults';
import { PLATFORM_DEFAULTS, REGION_DEFAULTS } from '../../environments/platform-defaults';

const pick = (from: object, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, (from as Record<string, unknown>)[k]]));

describe('PLATFORM_DEFAULTS are the construct defaults', () => {
  test('Kafka: every setting but enabled', () => {
    const { enabled, ...kafka } = PLATFORM_DEFAULTS.streaming.kafka;
    expect(enabled).toBe(false);
    expect(Object.keys(kafka).sort()).toEqual([
      'authentication',
      'brokers',
      'controllers',
      'minInsyncReplicas',
      'name',
      'namespace',
      'replicationFactor',
      'resources',
      'retentionHours',
      'storageSize',
      'topology',
    ]);
    expect(kafka).toEqual(pick(KAFKA_DEFAULTS, Object.keys(kafka)));
  });

  test('MinIO: every setting but enabled', () => {
    const { enabled, ...minio } = PLATFORM_DEFAULTS.minio;
    expect(enabled).toBe(true);
    expect(Object.keys(minio).sort()).toEqual(['name', 'namespace', 'resources', 'servers', 'volumeSize', 'volumesPerServer']);
    expect(minio).toEqual(pick(MINIO_DEFAULTS, Object.keys(minio)));
  });

  test('OpenSearch: every setting but enabled and the index retention (a policy of the charts, not a construct prop)', () => {
    const { enabled, retentionDays, ...opensearch } = PLATFORM_DEFAULTS.opensearch;
    expect([enabled, retentionDays]).toEqual([false, 90]);
    expect(Object.keys(opensearch).sort()).toEqual([
      'dataNodes',
      'heap',
      'managers',
      'name',
      'namespace',
      'prometheusExporter',
      'resources',
      'snapshotSchedule',
      'storageSize',
      'topology',
    ]);
    expect(opensearch).toEqual(pick(OPENSEARCH_DEFAULTS, Object.keys(opensearch)));
  });

  test('PostgreSQL (every engine) and the zone label of a region', () => {
    const pg = PLATFORM_DEFAULTS.postgres;
    const fields = ['name', 'instances', 'synchronous', 'podAntiAffinity', 'storageSize', 'walStorageSize', 'resources', 'parameters'];
    expect(pick(pg, fields)).toEqual(pick(POSTGRES_DEFAULTS, fields));
    expect(pg.backup).toEqual({ schedule: POSTGRES_DEFAULTS.backupSchedule, retention: POSTGRES_DEFAULTS.backupRetention });
    expect(REGION_DEFAULTS.zoneLabel).toBe(POSTGRES_DEFAULTS.zoneLabel);
    expect(OPENSEARCH_DEFAULTS.zoneLabel).toBe(POSTGRES_DEFAULTS.zoneLabel);
  });
});
