import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadEnvironments } from '../../environments/load';
import type { OverlaySpec } from '../../environments/model';
import { PLATFORM_DEFAULTS, TIER_PROFILES } from '../../environments/platform-defaults';
import { EnvironmentError, Problem } from '../../environments/problems';
import { PROJECT_ROOT } from '../../environments/project-root';
import { fromYaml } from '../../gitops/yaml';
import { synth } from '../../main';
import { environmentError } from '../support/problems';
import {
  EnvironmentChange,
  environmentsWith,
  readEnvironmentsFile,
  removeTempDirs,
  snapshotDir,
  swapLeftovers,
  tempDir,
  writeFiles,
} from '../support/temp';

afterAll(removeTempDirs);

/** An output folder holding an older tree: any write, prune or swap by synth would change it. */
function populatedOutDir(): string {
  const outDir = path.join(tempDir('strata-out-'), 'dist');
  writeFiles(outDir, {
    'region-a/prod/data/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - postgres_cluster_postgres.yaml\n',
    'region-a/prod/data/postgres_cluster_postgres.yaml': 'apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: postgres\n',
    'region-a/prod/data/no-longer-rendered.yaml': 'kind: ConfigMap\n',
    'clusters/region-a-prod/flux-system/gotk-sync.yaml': 'kind: GitRepository\n',
    'clusters/region-a-prod/kustomization.yaml': 'resources: []\n',
  });
  return outDir;
}

/**
 * Synthesizes a copy of environments/ with `changes` into a populated output folder and
 * returns the EnvironmentError, after checking that the output folder is byte for byte
 * (and mtime for mtime) what it was, with no swap folders left beside it.
 */
function rejection(changes: Readonly<Record<string, EnvironmentChange>>): EnvironmentError {
  const envDir = environmentsWith(changes);
  const outDir = populatedOutDir();
  const before = snapshotDir(outDir);
  let error: unknown;
  try {
    synth({ envDir, outDir });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(EnvironmentError);
  expect(snapshotDir(outDir)).toEqual(before);
  expect(swapLeftovers(outDir)).toEqual([]);
  return error as EnvironmentError;
}

interface ExpectedProblem {
  readonly file: string;
  readonly path: string;
  /** The bad value; omit for problems that have none (a missing field or file). */
  readonly value?: unknown;
  readonly message: RegExp;
  readonly fix: RegExp;
}

/** The problem is in `err.problems` and the printed message names file, path, value and fix. */
function expectProblem(err: EnvironmentError, expected: ExpectedProblem): Problem {
  const problem = err.problems.find((p) => p.file === expected.file && p.path === expected.path && expected.message.test(p.message));
  if (!problem) throw new Error(`no problem ${expected.file} ${expected.path} ${expected.message} in:\n${err.message}`);
  expect(problem.fix).toMatch(expected.fix);
  if ('value' in expected) expect(problem.value).toEqual(expected.value);

  // The printed report: the file as a heading, then "<path>: <message> (value: <v>)" and the fix.
  const lines = err.message.split('\n');
  const heading = lines.indexOf(`  ${expected.file}`);
  expect(heading).toBeGreaterThan(0);
  const where = expected.path ? `${expected.path}: ` : '';
  const value = 'value' in expected ? ` (value: ${JSON.stringify(expected.value)})` : '';
  const line = lines.findIndex((l, i) => i > heading && l === `    ${where}${problem.message}${value}`);
  expect(line).toBeGreaterThan(heading);
  expect(lines[line + 1]).toBe(`      fix: ${problem.fix}`);
  return problem;
}

describe('bad environment input is rejected before anything is written', () => {
  test('unknown key (a typo) names the field, its value and the allowed spellings', () => {
    const err = rejection({ 'overlays/region-a/prod.yaml': { merge: { postgres: { instnaces: 3 } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: 'postgres.instnaces',
      value: 3,
      message: /unknown field "instnaces"/,
      fix: /remove it or correct the spelling; allowed here: .*\binstances\b/,
    });
  });

  test('wrong type', () => {
    const err = rejection({ 'overlays/region-a/prod.yaml': { merge: { postgres: { instances: 'three' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: 'postgres.instances',
      value: 'three',
      message: /must be integer/,
      fix: /use 1 to 9 instances/,
    });
  });

  test('out-of-range integer', () => {
    const err = rejection({ 'overlays/region-a/prod.yaml': { merge: { postgres: { instances: 12 } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: 'postgres.instances',
      value: 12,
      message: /must be <= 9/,
      fix: /use 1 to 9 instances/,
    });
  });

  test('invalid quantity ("10 GB")', () => {
    const err = rejection({ 'overlays/region-a/prod.yaml': { merge: { postgres: { storageSize: '10 GB' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: 'postgres.storageSize',
      value: '10 GB',
      message: /must match pattern/,
      fix: /write storageSize as a Kubernetes quantity, such as .*20Gi/,
    });
  });

  test('invalid YAML syntax names the line and column', () => {
    const err = rejection({ 'overlays/region-a/prod.yaml': 'postgres:\n  instances: 3\n   storageSize: 10Gi\n' });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: '',
      message: /^is not valid YAML: Nested mappings are not allowed in compact mappings at line 2, column 14$/,
      fix: /fix the YAML syntax/,
    });
  });

  test('dangling dr.of (replica of an overlay that does not exist)', () => {
    const err = rejection({ 'overlays/region-b/prod.yaml': { merge: { dr: { role: 'replica', of: 'region-c/prod' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-b/prod.yaml',
      path: 'dr.of',
      value: 'region-c/prod',
      message: /^region-b\/prod: names an overlay that does not exist$/,
      fix: /use one of .*region-a\/prod.*, or add overlays\/region-c\/prod\.yaml/,
    });
  });

  test('replica of a replica points at the real primary', () => {
    const err = rejection({ 'overlays/region-b/staging.yaml': { merge: { dr: { role: 'replica', of: 'region-b/prod' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-b/staging.yaml',
      path: 'dr.of',
      value: 'region-b/prod',
      message: /region-b\/prod is itself a replica/,
      fix: /^point dr\.of at region-a\/prod$/,
    });
  });

  test('replica of itself', () => {
    const err = rejection({ 'overlays/region-b/prod.yaml': { merge: { dr: { role: 'replica', of: 'region-b/prod' } } } });
    expect(err.problems).toHaveLength(1);
    const problem = expectProblem(err, {
      file: 'overlays/region-b/prod.yaml',
      path: 'dr.of',
      value: 'region-b/prod',
      message: /an overlay cannot be a replica of itself/,
      fix: /^name another overlay \(.*region-a\/prod.*\)$/,
    });
    expect(problem.fix).not.toContain('region-b/prod');
  });

  test('an environment name that is not a tier needs tier:', () => {
    const err = rejection({ 'overlays/region-a/qa.yaml': '{}\n' });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/qa.yaml',
      path: 'tier',
      message: /environment "qa" is not a tier name/,
      fix: /^add "tier: <prod\|staging\|dev\|test>" to overlays\/region-a\/qa\.yaml$/,
    });
  });

  test('an overlay folder without a region file', () => {
    const err = rejection({ 'overlays/region-c/dev.yaml': '{}\n' });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-c/dev.yaml',
      path: '',
      message: /region "region-c" has no regions\/region-c\.yaml/,
      fix: /add regions\/region-c\.yaml or move the overlay under an existing region \(region-a, region-b\)/,
    });
  });

  test('synchronous replication with 1 instance', () => {
    // dev has 1 instance; this overlay turns synchronous replication on.
    const err = rejection({ 'overlays/region-a/dev.yaml': { merge: { postgres: { synchronous: true } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/dev.yaml',
      path: 'postgres.instances',
      value: 1,
      message: /^region-a\/dev: synchronous replication needs at least 2 instances$/,
      fix: /set postgres\.instances to 2 or more .* or set postgres\.synchronous: false/,
    });
  });

  test('MinIO with 2 drives (1 server × 2 volumes) cannot erasure-code', () => {
    const err = rejection({ 'overlays/region-a/dev.yaml': { merge: { minio: { servers: 1, volumesPerServer: 2 } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/dev.yaml',
      path: 'minio.servers',
      value: 1,
      message: /1 server\(s\) × 2 volume\(s\) = 2 drives; erasure coding needs at least 4/,
      fix: /1 server × 1 volume \(standalone\) or at least 4 drives/,
    });
  });

  test('limits above limitRange.max', () => {
    // dev's limitRange.max.memory is 8Gi.
    const err = rejection({ 'overlays/region-a/dev.yaml': { merge: { postgres: { resources: { limits: { memory: '16Gi' } } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/dev.yaml',
      path: 'postgres.resources.limits.memory',
      value: '16Gi',
      message: /limit 16Gi is above limitRange\.max\.memory 8Gi/,
      fix: /^lower postgres\.resources\.limits\.memory or raise limitRange\.max\.memory$/,
    });
  });

  test('a database name that is not a Postgres identifier', () => {
    const err = rejection({
      'platform.yaml': { merge: { postgres: { databases: [...readEnvironmentsFile('platform.yaml').postgres.databases, { name: 'Pay-Roll' }] } } },
    });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'platform.yaml',
      path: `postgres.databases.${readEnvironmentsFile('platform.yaml').postgres.databases.length}.name`,
      value: 'Pay-Roll',
      message: /must match pattern/,
      fix: /lower-case Postgres identifier/,
    });
  });

  test('several problems in several files are reported together', () => {
    const err = rejection({
      'overlays/region-a/prod.yaml': { merge: { postgres: { instnaces: 3, storageSize: '10 GB' } } },
      'overlays/region-b/dev.yaml': { merge: { minio: { servers: 'many' } } },
      'overlays/region-b/staging.yaml': 'velero: [unclosed\n',
    });
    expect(err.problems).toHaveLength(4);
    expect(err.message.split('\n')[0]).toMatch(/^4 problems in .*; nothing was written\.$/);
    expectProblem(err, { file: 'overlays/region-a/prod.yaml', path: 'postgres.instnaces', value: 3, message: /unknown field/, fix: /allowed here/ });
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: 'postgres.storageSize',
      value: '10 GB',
      message: /must match pattern/,
      fix: /Kubernetes quantity/,
    });
    expectProblem(err, {
      file: 'overlays/region-b/dev.yaml',
      path: 'minio.servers',
      value: 'many',
      message: /must be integer/,
      fix: /write an? integer/,
    });
    expectProblem(err, { file: 'overlays/region-b/staging.yaml', path: '', message: /is not valid YAML/, fix: /fix the YAML syntax/ });
  });

  test('cross-field problems of several overlays are reported together', () => {
    const err = rejection({
      'overlays/region-a/dev.yaml': { merge: { postgres: { synchronous: true } } },
      'overlays/region-b/dev.yaml': { merge: { minio: { servers: 1, volumesPerServer: 3 } } },
      'overlays/region-b/staging.yaml': { merge: { dr: { role: 'replica', of: 'region-b/staging' } } },
    });
    expect(err.problems).toHaveLength(3);
    expect(err.message.split('\n')[0]).toMatch(/^3 problems in /);
    expectProblem(err, {
      file: 'overlays/region-a/dev.yaml',
      path: 'postgres.instances',
      value: 1,
      message: /synchronous/,
      fix: /postgres\.instances/,
    });
    expectProblem(err, { file: 'overlays/region-b/dev.yaml', path: 'minio.servers', value: 1, message: /= 3 drives/, fix: /at least 4 drives/ });
    expectProblem(err, {
      file: 'overlays/region-b/staging.yaml',
      path: 'dr.of',
      value: 'region-b/staging',
      message: /replica of itself/,
      fix: /name another overlay/,
    });
  });

  test('a missing environments folder', () => {
    const missing = path.join(tempDir(), 'no-such-folder');
    expect(() => loadEnvironments(missing)).toThrow(EnvironmentError);
    expect(() => loadEnvironments(missing)).toThrow(/environments folder .*no-such-folder does not exist/);
  });
});

describe('layered defaults', () => {
  let base: Map<string, OverlaySpec>;
  let layered: Map<string, OverlaySpec>;
  const byId = (overlays: OverlaySpec[]) => new Map(overlays.map((o) => [o.id, o]));

  beforeAll(() => {
    base = byId(loadEnvironments(environmentsWith()));
    layered = byId(
      loadEnvironments(
        environmentsWith({
          // platform.yaml < tier profile: it sets values the tiers also set, and some they do not.
          'platform.yaml': { merge: { quota: { pods: 99 }, velero: { schedule: '0 3 * * *', ttl: '999h', extraNamespaces: ['audit', 'billing'] } } },
          // tiers/<tier>.yaml < region defaults.
          'tiers/dev.yaml': { merge: { minio: { volumeSize: '25Gi' } } },
          // region defaults < overlay file.
          'regions/region-a.yaml': { merge: { defaults: { minio: { volumeSize: '30Gi' }, velero: { extraNamespaces: ['region-a-tools'] } } } },
          'overlays/region-a/staging.yaml': { merge: { minio: { volumeSize: '40Gi' } } },
        }),
      ),
    );
  });

  test('platform defaults apply where nothing overrides them', () => {
    const prod = base.get('region-a/prod')!.settings;
    expect(prod.postgres.instances).toBe(PLATFORM_DEFAULTS.postgres.instances);
    expect(prod.postgres.synchronous).toBe(true);
    expect(prod.postgres.storageSize).toBe(PLATFORM_DEFAULTS.postgres.storageSize);
    expect(prod.postgres.resources).toEqual(PLATFORM_DEFAULTS.postgres.resources);
    expect(prod.minio.servers).toBe(PLATFORM_DEFAULTS.minio.servers);
    expect(prod.quota).toEqual(PLATFORM_DEFAULTS.quota);
    expect(prod.dr).toEqual({ role: 'primary' });
    // platform.yaml lists the application databases.
    expect(prod.postgres.databases.map((d) => d.name)).toEqual(readEnvironmentsFile('platform.yaml').postgres.databases.map((d: any) => d.name));
  });

  test('platform.yaml overrides the platform defaults', () => {
    for (const o of layered.values()) expect(o.settings.velero.schedule).toBe('0 3 * * *');
    const prod = layered.get('region-b/prod')!.settings;
    expect(prod.quota.pods).toBe(99);
    expect(prod.quota.requestsCpu).toBe(PLATFORM_DEFAULTS.quota.requestsCpu);
    expect(prod.velero.ttl).toBe('999h');
    expect(prod.velero.extraNamespaces).toEqual(['audit', 'billing']);
  });

  test('the tier profile overrides platform.yaml', () => {
    expect(layered.get('region-b/dev')!.settings.quota.pods).toBe(TIER_PROFILES.dev.quota!.pods);
    expect(layered.get('region-b/dev')!.settings.velero.ttl).toBe(TIER_PROFILES.dev.velero!.ttl);
    expect(layered.get('region-b/staging')!.settings.velero.ttl).toBe(TIER_PROFILES.staging.velero!.ttl);
  });

  test('tiers/<tier>.yaml overrides the built-in tier profile, for that tier only', () => {
    expect(layered.get('region-b/dev')!.settings.minio.volumeSize).toBe('25Gi');
    expect(layered.get('region-b/staging')!.settings.minio.volumeSize).toBe(TIER_PROFILES.staging.minio!.volumeSize);
  });

  test('region defaults override the tier, for that region only', () => {
    expect(layered.get('region-a/dev')!.settings.minio.volumeSize).toBe('30Gi');
    expect(layered.get('region-a/prod')!.settings.minio.volumeSize).toBe('30Gi');
    expect(layered.get('region-b/prod')!.settings.minio.volumeSize).toBe(PLATFORM_DEFAULTS.minio.volumeSize);
    // Arrays replace rather than concatenate.
    expect(layered.get('region-a/prod')!.settings.velero.extraNamespaces).toEqual(['region-a-tools']);
  });

  test('the overlay file overrides everything, merging field by field', () => {
    const staging = layered.get('region-a/staging')!.settings;
    expect(staging.minio.volumeSize).toBe('40Gi');
    // The rest of minio still comes from the tier.
    expect(staging.minio.servers).toBe(TIER_PROFILES.staging.minio!.servers);
    expect(staging.minio.resources).toEqual(TIER_PROFILES.staging.minio!.resources);
  });

  // Tier profiles set only what they size (retention), so platform.yaml's schedule reaches every tier.
  test('platform.yaml postgres.backup.schedule reaches every tier that does not change it', () => {
    const overlays = loadEnvironments(environmentsWith({ 'platform.yaml': { merge: { postgres: { backup: { schedule: '30 3 * * *' } } } } }));
    expect(Object.fromEntries(overlays.map((o) => [o.id, o.settings.postgres.backup.schedule]))).toEqual(
      Object.fromEntries(overlays.map((o) => [o.id, '30 3 * * *'])),
    );
  });

  test('an overlay file holding only a difference changes only that field', () => {
    const envDir = environmentsWith({ 'overlays/region-a/prod.yaml': { merge: { postgres: { storageSize: '200Gi' } } } });
    const prod = loadEnvironments(envDir, { only: ['region-a/prod'] })[0];
    const before = base.get('region-a/prod')!;
    expect(prod.settings).toEqual({ ...before.settings, postgres: { ...before.settings.postgres, storageSize: '200Gi' } });
  });

  test('an overlay file naming only its tier is exactly that tier', () => {
    const envDir = environmentsWith({ 'overlays/region-a/qa.yaml': 'tier: dev\n', 'overlays/region-b/qa.yaml': 'tier: dev\n' });
    const [a, b] = loadEnvironments(envDir, { only: ['region-a/qa', 'region-b/qa'] });
    // Region A's defaults add its test application and expose Grafana; nothing else differs.
    expect(Object.keys(a.settings.apps)).toEqual(['hello']);
    expect(a.settings.ui.grafana?.middlewares).toEqual(['secure-headers', 'platform-login']);
    expect({ ...a.settings, apps: {}, ui: {} }).toEqual(b.settings);
    expect(a.settings.quota).toEqual(TIER_PROFILES.dev.quota);
    expect(a.settings.limitRange).toEqual({ ...PLATFORM_DEFAULTS.limitRange, ...TIER_PROFILES.dev.limitRange });
    expect(a.settings.postgres.resources).toEqual(TIER_PROFILES.dev.postgres!.resources);
    expect(a.settings.minio).toEqual({ ...PLATFORM_DEFAULTS.minio, ...TIER_PROFILES.dev.minio });
  });
});

describe('region node pools', () => {
  test('databaseNodes with labels and no taints loads, with no tolerations (taints are optional, as the README says)', () => {
    const region = fs.readFileSync(path.join(PROJECT_ROOT, 'environments', 'regions', 'region-a.yaml'), 'utf8');
    const untainted = region.replace(
      /^databaseNodes:\n  labels:\n    node\.role: database\n  taints:\n(    .*\n|      .*\n)+/m,
      'databaseNodes:\n  labels:\n    node.role: database\n',
    );
    expect(untainted).not.toBe(region);
    const [prod] = loadEnvironments(environmentsWith({ 'regions/region-a.yaml': untainted }), { only: ['region-a/prod'] });
    expect(prod.region.databaseNodes).toEqual({ labels: { 'node.role': 'database' }, taints: [] });
  });
});

describe('PostgreSQL memory', () => {
  test('shared_buffers above half the memory limit is refused with the values that fit', () => {
    const err = rejection({
      'overlays/region-a/prod.yaml': { merge: { postgres: { resources: { requests: { memory: '2Gi' }, limits: { memory: '2Gi' } } } } },
    });
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: 'postgres.parameters.shared_buffers',
      value: '2GB',
      message: /^region-a\/prod: shared_buffers 2GB is more than half of the instances' memory limit 2Gi: PostgreSQL would be OOM-killed under load$/,
      fix: /^set postgres\.parameters\.shared_buffers: '512MB' and effective_cache_size: '1536MB' .*or raise postgres\.resources\.limits\.memory$/,
    });
  });

  test('a quarter of the limit, as every tier profile sets it, passes; a value PostgreSQL cannot read is refused', () => {
    expect(loadEnvironments(environmentsWith()).length).toBeGreaterThan(0);
    expectProblem(rejection({ 'overlays/region-a/prod.yaml': { merge: { postgres: { parameters: { shared_buffers: 'lots' } } } } }), {
      file: 'overlays/region-a/prod.yaml',
      path: 'postgres.parameters.shared_buffers',
      value: 'lots',
      message: /shared_buffers "lots" is not a PostgreSQL memory size/,
      fix: /e\.g\. '512MB'/,
    });
  });
});

describe('PostgreSQL image and extensions', () => {
  test('a pinned CloudNativePG image and a database with extensions load as given', () => {
    const databases = [
      ...loadEnvironments(environmentsWith(), { only: ['region-a/prod'] })[0].settings.postgres.databases,
      { name: 'wanderer', extensions: ['vector'] },
    ];
    const envDir = environmentsWith({
      'overlays/region-a/prod.yaml': { merge: { postgres: { image: 'dirtbikechina/postgres:15-cjk', databases } } },
    });
    const prod = loadEnvironments(envDir, { only: ['region-a/prod'] })[0];
    expect(prod.settings.postgres.image).toBe('dirtbikechina/postgres:15-cjk');
    expect(prod.settings.postgres.databases.find((d) => d.name === 'wanderer')?.extensions).toEqual(['vector']);
    expect(loadEnvironments(environmentsWith(), { only: ['region-a/prod'] })[0].settings.postgres.image).toBeUndefined();
  });

  test.each([
    ['dirtbikechina/postgres:latest', /the PostgreSQL image .*latest/],
    ['dirtbikechina/postgres:cjk', /the PostgreSQL image tag does not start with the major version/],
  ])('image %p is refused', (image, message) => {
    expectProblem(rejection({ 'overlays/region-a/prod.yaml': { merge: { postgres: { image } } } }), {
      file: 'overlays/region-a/prod.yaml',
      path: 'postgres.image',
      value: image,
      message,
      fix: /15-cjk/,
    });
  });

  test('shared_preload_libraries among the parameters is refused for CloudNativePG, which manages it; the list is its own field', () => {
    expectProblem(rejection({ 'overlays/region-a/prod.yaml': { merge: { postgres: { parameters: { shared_preload_libraries: 'pg_cron' } } } } }), {
      file: 'overlays/region-a/prod.yaml',
      path: 'postgres.parameters.shared_preload_libraries',
      value: 'pg_cron',
      message: /CloudNativePG manages shared_preload_libraries/,
      fix: /postgres\.sharedPreloadLibraries/,
    });
    const prod = loadEnvironments(
      environmentsWith({ 'overlays/region-a/prod.yaml': { merge: { postgres: { sharedPreloadLibraries: ['pg_cron'] } } } }),
      {
        only: ['region-a/prod'],
      },
    )[0];
    expect(prod.settings.postgres.sharedPreloadLibraries).toEqual(['pg_cron']);
    expectProblem(rejection({ 'overlays/region-a/dev.yaml': { merge: { postgres: { engine: 'zalando', sharedPreloadLibraries: ['pg_cron'] } } } }), {
      file: 'overlays/region-a/dev.yaml',
      path: 'postgres.sharedPreloadLibraries',
      value: ['pg_cron'],
      message: /Spilo sets its own shared_preload_libraries/,
      fix: /use postgres\.engine: cloudnative-pg/,
    });
  });

  test('a pinned Spilo image is taken for Zalando; an image for external Patroni is refused', () => {
    // Zalando runs one pooler per cluster: every pooled database with the same mode.
    const databases = loadEnvironments(environmentsWith(), { only: ['region-a/dev'] })[0].settings.postgres.databases.map((d) => ({
      ...d,
      poolMode: 'transaction',
    }));
    const zalando = { engine: 'zalando', databases, image: 'registry.example.org/db/spilo-17:4.0-p2' };
    const dev = loadEnvironments(environmentsWith({ 'overlays/region-a/dev.yaml': { merge: { postgres: zalando } } }), { only: ['region-a/dev'] })[0];
    expect(dev.settings.postgres.image).toBe('registry.example.org/db/spilo-17:4.0-p2');
    const external = { engine: 'external-patroni', external: { addresses: ['10.20.0.11'] }, image: 'postgres:17.5' };
    expectProblem(rejection({ 'overlays/region-a/dev.yaml': { merge: { postgres: external } } }), {
      file: 'overlays/region-a/dev.yaml',
      path: 'postgres.image',
      value: 'postgres:17.5',
      message: /a PostgreSQL image is set for the external-patroni engine, whose VMs run their own/,
      fix: /^remove postgres\.image$/,
    });
  });

  test('extensions with an engine that cannot create them are refused, naming the database', () => {
    const err = rejection({
      'overlays/region-a/dev.yaml': { merge: { postgres: { engine: 'zalando', databases: [{ name: 'wanderer', extensions: ['vector'] }] } } },
    });
    expectProblem(err, {
      file: 'overlays/region-a/dev.yaml',
      path: 'postgres.databases.0.extensions',
      value: ['vector'],
      message: /the zalando engine cannot create extensions in database "wanderer" \(vector\)/,
      fix: /CREATE EXTENSION/,
    });
  });
});

describe('a secret store Strata renders', () => {
  const STORE = { vault: { server: 'https://bao.example.org:8200', auth: { kubernetes: { role: 'strata' } } } };

  test('secrets.store in a region renders its ClusterSecretStore in the overlay, validated', () => {
    const envDir = environmentsWith({ 'regions/region-a.yaml': { merge: { secrets: { store: STORE } } } });
    const out = path.join(tempDir('strata-store-'), 'dist');
    synth({ envDir, outDir: out, only: ['region-a/prod'] });
    const stores = fs.readdirSync(path.join(out, 'region-a', 'prod', 'data')).filter((f) => f.startsWith('clustersecretstore_'));
    expect(stores).toEqual([expect.stringMatching(/^clustersecretstore_[a-z0-9.-]+\.yaml$/)]);
    expect(fs.readFileSync(path.join(out, 'region-a', 'prod', 'data', stores[0]), 'utf8')).toContain('server: https://bao.example.org:8200');
  });

  test('with a namespaced storeKind it is refused, naming the field', () => {
    expectProblem(rejection({ 'regions/region-a.yaml': { merge: { secrets: { storeKind: 'SecretStore', store: STORE } } } }), {
      file: 'regions/region-a.yaml',
      path: 'secrets.storeKind',
      value: 'SecretStore',
      message: /renders the store as a ClusterSecretStore/,
      fix: /set secrets\.storeKind: ClusterSecretStore/,
    });
  });

  test('a store of no provider Strata knows, or one without its auth, is a schema problem with the hint', () => {
    for (const store of [{ keeper: { url: 'https://keeper.example.org' } }, { aws: { region: 'eu-west-1' } }]) {
      const err = rejection({ 'regions/region-a.yaml': { merge: { secrets: { store } } } });
      expect(err.message).toMatch(/secrets\.store/);
    }
  });

  test("a cloud provider's store loads with its bootstrap Secret's key names, which are not credentials", () => {
    const aws = {
      aws: {
        region: 'eu-west-1',
        auth: { accessKey: { name: 'aws-keys', accessKeyIdKey: 'access-key-id', secretAccessKeyKey: 'secret-access-key' } },
      },
    };
    const azure = {
      azure: {
        vaultUrl: 'https://platform.vault.azure.net',
        tenantId: '00000000-0000-4000-8000-000000000000',
        auth: { servicePrincipal: { name: 'azure-sp', clientIdKey: 'client-id', clientSecretKey: 'client-secret' } },
      },
    };
    const gcp = { gcp: { projectId: 'platform-prod', serviceAccountKey: { name: 'gcp-sa', key: 'key.json' } } };
    for (const store of [aws, azure, gcp]) {
      const envDir = environmentsWith({ 'regions/region-a.yaml': { merge: { secrets: { store } } } });
      expect(loadEnvironments(envDir).find((o) => o.id === 'region-a/prod')!.region.secrets).toMatchObject({ store });
    }
  });
});

describe('backups in external S3', () => {
  const S3 = { kind: 's3', endpoint: 'https://s3.eu-central-1.amazonaws.com', region: 'eu-central-1' };

  test('an overlay without MinIO backs PostgreSQL and Velero up to the provider, every object valid', () => {
    const envDir = environmentsWith({ 'overlays/region-a/dev.yaml': { merge: { minio: { enabled: false }, backupStorage: S3 } } });
    const out = path.join(tempDir('strata-s3-'), 'dist');
    synth({ envDir, outDir: out, only: ['region-a/dev'] });
    const files = (layer: string) => fs.readdirSync(path.join(out, 'region-a', 'dev', layer));
    expect(files('data').filter((f) => f.includes('_tenant_'))).toEqual([]);
    const store = fs.readFileSync(
      path.join(
        out,
        'region-a',
        'dev',
        'data',
        files('data').find((f) => f.includes('_objectstore_'))!,
      ),
      'utf8',
    );
    expect(store).toContain('endpointURL: https://s3.eu-central-1.amazonaws.com');
    expect(store).not.toContain('endpointCA');
    const location = fs.readFileSync(
      path.join(
        out,
        'region-a',
        'dev',
        'backup',
        files('backup').find((f) => f.includes('_backupstoragelocation_'))!,
      ),
      'utf8',
    );
    expect(location).toContain('s3Url: https://s3.eu-central-1.amazonaws.com');
    expect(location).toContain('region: eu-central-1');
    const credentials = files('data').filter((f) => f.includes('_externalsecret_') && f.includes('s3-credentials'));
    expect(credentials.length).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(out, 'region-a', 'dev', 'data', credentials[0]), 'utf8')).toContain('key: region-a/dev/s3/backups');
  });

  test.each([
    [{ kind: 's3' }, 'backupStorage.endpoint', /needs the provider's endpoint/],
    [{ kind: 'minio', endpoint: 'https://s3.example.org' }, 'backupStorage.endpoint', /applies to backupStorage\.kind s3 only/],
    // Found by the fuzzer: the schema's pattern admits what is no URL, which crashed the construct.
    [{ kind: 's3', endpoint: 'https://11J(!Jz|e.=x' }, 'backupStorage.endpoint', /the endpoint is not a URL/],
    [{ kind: 's3', endpoint: 'https://s3.example.org/pg-backups' }, 'backupStorage.endpoint', /more than a scheme, host and port/],
    [{ kind: 's3', endpoint: 'https://s3.example.org', endpointCidrs: ['d.b./7'] }, 'backupStorage.endpointCidrs.0', /is not an IPv4 address/],
  ])('%p is refused', (backupStorage, fieldPath, message) => {
    const err = rejection({ 'overlays/region-a/dev.yaml': { merge: { backupStorage } } });
    expect(err.problems).toContainEqual(
      expect.objectContaining({ file: 'overlays/region-a/dev.yaml', path: fieldPath, message: expect.stringMatching(message) }),
    );
  });

  test("a DR pair, and OpenSearch without the provider's CA, are refused with external S3", () => {
    const dr = rejection({ 'overlays/region-a/prod.yaml': { merge: { backupStorage: S3 } } });
    expect(dr.problems.map((p) => `${p.file} ${p.path}`)).toEqual(expect.arrayContaining(['overlays/region-b/prod.yaml backupStorage.kind']));
    const search = rejection({ 'overlays/region-a/staging.yaml': { merge: { backupStorage: S3 } } });
    expect(search.problems).toContainEqual(
      expect.objectContaining({ path: 'backupStorage.caKey', message: expect.stringMatching(/OpenSearch snapshots build the nodes' truststore/) }),
    );
  });
});

describe('declared namespaces', () => {
  test('are rendered with their labels, quota and Pod Security level, and components are placed in them', () => {
    const envDir = environmentsWith({
      'overlays/region-a/dev.yaml': {
        merge: {
          namespaces: {
            rentguy: { labels: { 'example.org/team': 'rentguy' } },
            tools: { quota: false, podSecurity: 'baseline', podSecurityReason: 'vendor images run as root' },
          },
          postgres: { namespace: 'rentguy' },
        },
      },
    });
    const out = path.join(tempDir('strata-ns-'), 'dist');
    synth({ envDir, outDir: out, only: ['region-a/dev'] });
    const foundation = path.join(out, 'region-a', 'dev', 'foundation');
    const rentguy = fromYaml(fs.readFileSync(path.join(foundation, 'namespace_rentguy.yaml'), 'utf8')) as any;
    expect(rentguy.metadata.labels).toMatchObject({ 'example.org/team': 'rentguy', 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(fs.existsSync(path.join(foundation, 'rentguy_resourcequota_compute-and-storage.yaml'))).toBe(true);
    const tools = fromYaml(fs.readFileSync(path.join(foundation, 'namespace_tools.yaml'), 'utf8')) as any;
    expect(tools.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(tools.metadata.annotations['strata.io/pod-security-reason']).toBe('vendor images run as root');
    expect(fs.existsSync(path.join(foundation, 'tools_resourcequota_compute-and-storage.yaml'))).toBe(false);
    expect(fs.readdirSync(path.join(out, 'region-a', 'dev', 'data'))).toContain('rentguy_cluster_postgres.yaml');
  });

  test('below restricted without a reason, a reserved label, and a level stricter than a component needs are refused', () => {
    const err = rejection({
      'overlays/region-a/dev.yaml': { merge: { namespaces: { tools: { podSecurity: 'privileged', labels: { 'strata.io/layer': 'x' } } } } },
    });
    expect(err.problems.map((p) => p.path).sort()).toEqual(['namespaces.tools.labels', 'namespaces.tools.podSecurity']);
    // Zalando runs one pooler per cluster: every pooled database with the same mode.
    const databases = loadEnvironments(environmentsWith(), { only: ['region-a/dev'] })[0].settings.postgres.databases.map((d) => ({
      ...d,
      poolMode: 'transaction',
    }));
    const strict = environmentError(() =>
      synth({
        envDir: environmentsWith({
          'overlays/region-a/dev.yaml': {
            merge: { postgres: { engine: 'zalando', databases }, namespaces: { postgres: { podSecurity: 'restricted' } } },
          },
        }),
        outDir: path.join(tempDir('strata-ns-'), 'dist'),
        only: ['region-a/dev'],
      }),
    );
    expect(strict.problems).toContainEqual(
      expect.objectContaining({
        path: 'namespaces.postgres.podSecurity',
        message: expect.stringMatching(/declared restricted, and a component placed in it needs baseline/),
      }),
    );
  });
});

describe('further PostgreSQL clusters', () => {
  test('each takes the postgres settings it does not set, its own name, namespace and databases, and renders beside the first', () => {
    const envDir = environmentsWith({
      'overlays/region-a/dev.yaml': { merge: { postgresClusters: { orders: { databases: [{ name: 'orders' }], storageSize: '20Gi' } } } },
    });
    const dev = loadEnvironments(envDir, { only: ['region-a/dev'] })[0];
    const orders = dev.settings.postgresClusters.orders;
    expect(orders).toMatchObject({ enabled: true, engine: dev.settings.postgres.engine, name: 'orders', namespace: 'orders', storageSize: '20Gi' });
    expect(orders.instances).toBe(dev.settings.postgres.instances);
    expect(orders.databases.map((d) => d.name)).toEqual(['orders']);
    const out = path.join(tempDir('strata-pg-'), 'dist');
    synth({ envDir, outDir: out, only: ['region-a/dev'] });
    const data = fs.readdirSync(path.join(out, 'region-a', 'dev', 'data'));
    expect(data).toEqual(
      expect.arrayContaining(['postgres_cluster_postgres.yaml', 'orders_cluster_orders.yaml', 'orders_database_orders-orders.yaml']),
    );
    const store = fromYaml(fs.readFileSync(path.join(out, 'region-a', 'dev', 'data', 'orders_objectstore_orders-backup.yaml'), 'utf8')) as any;
    expect(store.spec.configuration.destinationPath).toBe('s3://pg-backups/');
    const cluster = fromYaml(fs.readFileSync(path.join(out, 'region-a', 'dev', 'data', 'orders_cluster_orders.yaml'), 'utf8')) as any;
    expect(cluster.spec.plugins[0].parameters.serverName).toBe('orders-region-a');
  });

  test('their problems name their own field paths; two clusters in one place, or two Zalando clusters, are refused', () => {
    const err = rejection({ 'overlays/region-a/dev.yaml': { merge: { postgresClusters: { orders: { synchronous: true, instances: 1 } } } } });
    expect(err.problems).toContainEqual(
      expect.objectContaining({
        path: 'postgresClusters.orders.instances',
        fix: expect.stringContaining('set postgresClusters.orders.instances to 2 or more'),
      }),
    );
    const image = rejection({ 'overlays/region-a/dev.yaml': { merge: { postgresClusters: { orders: { image: 'postgres:latest' } } } } });
    expect(image.problems).toContainEqual(expect.objectContaining({ path: 'postgresClusters.orders.image', value: 'postgres:latest' }));
    const clash = rejection({ 'overlays/region-a/dev.yaml': { merge: { postgresClusters: { postgres: {} } } } });
    expect(clash.problems).toContainEqual(
      expect.objectContaining({ path: 'postgresClusters.postgres.name', message: expect.stringMatching(/two clusters cannot share a name/) }),
    );
  });
});

describe('tiers', () => {
  test('the tier is inferred from the environment name', () => {
    const overlays = loadEnvironments(environmentsWith());
    expect(Object.fromEntries(overlays.map((o) => [o.id, o.settings.tier]))).toEqual({
      'region-a/dev': 'dev',
      'region-a/prod': 'prod',
      'region-a/staging': 'staging',
      'region-b/dev': 'dev',
      'region-b/prod': 'prod',
      'region-b/staging': 'staging',
    });
    expect(overlays.find((o) => o.id === 'region-a/dev')!.settings.postgres.instances).toBe(TIER_PROFILES.dev.postgres!.instances);
  });

  test('an environment with another name takes tier: and that tier profile', () => {
    const envDir = environmentsWith({ 'overlays/region-a/qa.yaml': 'tier: test\n' });
    const qa = loadEnvironments(envDir, { only: ['region-a/qa'] })[0];
    expect(qa.settings.tier).toBe('test');
    expect(qa.settings.velero.enabled).toBe(false);
    expect(qa.settings.postgres.backup.retention).toBe(TIER_PROFILES.test.postgres!.backup!.retention);
    expect(qa.clusterName).toBe('region-a-qa');
  });

  test('a region default tier applies to environments that are not tier names', () => {
    const region = readEnvironmentsFile('regions/region-a.yaml');
    const envDir = environmentsWith({
      'regions/region-c.yaml': { merge: { ...region, clusterPrefix: 'region-c', defaults: { tier: 'staging' } } },
      'overlays/region-c/qa.yaml': '{}\n',
    });
    expect(loadEnvironments(envDir, { only: ['region-c/qa'] })[0].settings.tier).toBe('staging');
  });
});

describe('--only', () => {
  let envDir: string;
  beforeAll(() => {
    envDir = environmentsWith();
  });

  test('returns only the selected overlays, with their peers linked', () => {
    const [replica] = loadEnvironments(envDir, { only: ['region-b/prod'] });
    expect(replica.id).toBe('region-b/prod');
    expect(replica.peers.primary?.id).toBe('region-a/prod');
    const overlays = loadEnvironments(envDir, { only: ['region-a/prod', 'region-a/dev'] });
    expect(overlays.map((o) => o.id).sort()).toEqual(['region-a/dev', 'region-a/prod']);
    expect(overlays.find((o) => o.id === 'region-a/prod')!.peers.replicas.map((r) => r.id)).toEqual(['region-b/prod']);
  });

  test('still validates the overlays it does not render', () => {
    const broken = environmentsWith({ 'overlays/region-b/dev.yaml': { merge: { postgres: { instances: 0 } } } });
    expect(() => loadEnvironments(broken, { only: ['region-a/dev'] })).toThrow(/overlays\/region-b\/dev\.yaml/);
  });

  test('rejects an overlay that does not exist', () => {
    let error: EnvironmentError | undefined;
    try {
      loadEnvironments(envDir, { only: ['region-a/qa'] });
    } catch (err) {
      error = err as EnvironmentError;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error!.problems).toEqual([expect.objectContaining({ value: 'region-a/qa', fix: expect.stringContaining('region-a/dev') })]);
  });
});

describe('overlay files that would make an overlay vanish', () => {
  test('an empty overlay file is an error; `{}` is not', () => {
    const err = loadError(environmentsWith({ 'overlays/region-a/prod.yaml': '# emptied by mistake\n' }));
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: '',
      message: /^is empty: an overlay file with no content would remove everything this overlay enabled$/,
      fix: /write `\{\}`/,
    });
    expect(() => loadEnvironments(environmentsWith({ 'overlays/region-a/prod.yaml': '{}\n' }))).not.toThrow();
  });

  test('an overlay moved into a subfolder is an error naming the folder', () => {
    const envDir = environmentsWith();
    fs.mkdirSync(path.join(envDir, 'overlays/region-a/old'));
    fs.renameSync(path.join(envDir, 'overlays/region-a/staging.yaml'), path.join(envDir, 'overlays/region-a/old/staging.yaml'));
    const err = loadError(envDir);
    expectProblem(err, {
      file: 'overlays/region-a/old/',
      path: '',
      message: /^is a folder: overlay files sit directly in overlays\/region-a\/, so files in it are not loaded$/,
      fix: /move overlay files to overlays\/region-a\/<env>\.yaml/,
    });
  });
});

function loadError(envDir: string): EnvironmentError {
  try {
    loadEnvironments(envDir);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvironmentError);
    return err as EnvironmentError;
  }
  throw new Error('expected loading to fail');
}

describe('folders that are not folders', () => {
  // Each of these used to crash the load (ENOTDIR, ELOOP, ENOENT from a directory listing).
  test.each([
    ['regions', 'a file', (full: string) => fs.writeFileSync(full, '{}\n'), /^is not a folder$/],
    ['tiers', 'a FIFO', (full: string) => execFileSync('mkfifo', [full]), /^is not a folder$/],
    ['overlays', 'a file', (full: string) => fs.writeFileSync(full, '{}\n'), /^is not a folder$/],
    [
      'overlays/region-c',
      'a link to itself',
      (full: string) => fs.symlinkSync('region-c', full),
      /^is a symbolic link that cannot be followed \(ELOOP\)$/,
    ],
    [
      'overlays/region-c',
      'a dangling link',
      (full: string) => fs.symlinkSync('/nonexistent/region-c', full),
      /^is a symbolic link that cannot be followed \(ENOENT\)$/,
    ],
    [
      'overlays/region-a',
      'a link out of the environments folder',
      (full: string) => fs.symlinkSync('/', full),
      /^is a symbolic link to \/, outside the environments folder$/,
    ],
  ])('%s as %s is a problem naming it', (rel, _what, make, message) => {
    const envDir = environmentsWith();
    fs.rmSync(path.join(envDir, rel), { recursive: true, force: true });
    make(path.join(envDir, rel));
    expectProblem(loadError(envDir), { file: rel, path: '', message, fix: /folder/ });
  });

  test('a file directly in overlays/ is a problem, not silently ignored', () => {
    const envDir = environmentsWith();
    fs.renameSync(path.join(envDir, 'overlays/region-a/dev.yaml'), path.join(envDir, 'overlays/dev.yaml'));
    expectProblem(loadError(envDir), { file: 'overlays/dev.yaml', path: '', message: /^is not a folder$/, fix: /overlays\/<region>\/<env>\.yaml/ });
  });

  test('a link to a folder inside the environments folder is read', () => {
    const envDir = environmentsWith();
    fs.renameSync(path.join(envDir, 'overlays/region-b'), path.join(envDir, 'region-b-overlays'));
    fs.symlinkSync(path.join(envDir, 'region-b-overlays'), path.join(envDir, 'overlays/region-b'));
    expect(loadEnvironments(envDir).map((o) => o.id)).toContain('region-b/prod');
  });
});

describe('environment files are read as untrusted input', () => {
  test('a FIFO named like an overlay is refused without hanging the load', () => {
    const envDir = environmentsWith();
    fs.rmSync(path.join(envDir, 'overlays/region-a/staging.yaml'));
    execFileSync('mkfifo', [path.join(envDir, 'overlays/region-a/staging.yaml')]);
    // In a child process with a deadline: opening a FIFO blocks the whole process, test included.
    const script = `
      const { loadEnvironments } = require('./environments/load');
      try { loadEnvironments(${JSON.stringify(envDir)}); console.log('[]'); }
      catch (err) { console.log(JSON.stringify(err.problems ?? String(err))); }`;
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register', '-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', TS_NODE_PROJECT: 'tsconfig.json' },
    });
    expect(JSON.parse(out)).toEqual([
      expect.objectContaining({ file: 'overlays/region-a/staging.yaml', path: '', message: 'is a named pipe (FIFO), not a regular file' }),
    ]);
  });

  test('an overlay linked to a file outside the environments folder is refused, nothing written', () => {
    const outside = path.join(tempDir(), 'prod.yaml');
    fs.writeFileSync(outside, '{}\n');
    const envDir = environmentsWith({ 'overlays/region-a/dev.yaml': null });
    fs.symlinkSync(outside, path.join(envDir, 'overlays/region-a/dev.yaml'));
    const err = loadError(envDir);
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/dev.yaml',
      path: '',
      message: /^is a symbolic link to .*prod\.yaml, outside the environments folder$/,
      fix: /copy the file into the environments folder/,
    });
  });

  test('an alias bomb, invalid UTF-8 and a byte-order mark are each a problem naming their file', () => {
    const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [i, name] of [...'bcdefghi'].entries()) bomb.push(`${name}: &${name} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`);
    const envDir = environmentsWith({ 'overlays/region-a/dev.yaml': `${bomb.join('\n')}\n` });
    fs.writeFileSync(path.join(envDir, 'overlays/region-b/dev.yaml'), Buffer.from([0x64, 0x72, 0x3a, 0x20, 0xff, 0x0a]));
    fs.writeFileSync(path.join(envDir, 'overlays/region-b/staging.yaml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}\n')]));
    const err = rejectionOf(envDir);
    expect(err.problems).toHaveLength(3);
    expectProblem(err, { file: 'overlays/region-a/dev.yaml', path: 'c.8.1', message: /^expands more than 100 aliases/, fix: /write the values out/ });
    expectProblem(err, {
      file: 'overlays/region-b/dev.yaml',
      path: '',
      message: /^is not valid UTF-8: byte 0xFF at byte offset 4 \(line 1\)$/,
      fix: /save the file as UTF-8/,
    });
    expectProblem(err, {
      file: 'overlays/region-b/staging.yaml',
      path: '',
      message: /^starts with a byte-order mark$/,
      fix: /^save the file as UTF-8 without a byte-order mark$/,
    });
  });

  test('a duplicate key names the key and both lines', () => {
    const err = rejection({ 'overlays/region-a/dev.yaml': 'postgres:\n  instances: 1\nminio: {}\npostgres:\n  instances: 2\n' });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/dev.yaml',
      path: 'postgres',
      message: /^duplicate key "postgres" at lines 1 and 4$/,
      fix: /keep one of the two/,
    });
  });

  test('empty platform, tier and region files are errors like empty overlays; `{}` is not', () => {
    const err = rejection({ 'platform.yaml': '# emptied\n', 'tiers/dev.yaml': '', 'regions/region-b.yaml': '\n' });
    expect(err.problems).toHaveLength(3);
    expectProblem(err, {
      file: 'platform.yaml',
      path: '',
      message: /^is empty: a file with no content would drop every setting it held$/,
      fix: /^write `\{\}` to use the platform defaults only/,
    });
    expectProblem(err, { file: 'tiers/dev.yaml', path: '', message: /^is empty/, fix: /^write `\{\}` to use the built-in tier profile unchanged/ });
    expectProblem(err, { file: 'regions/region-b.yaml', path: '', message: /^is empty/, fix: /restore its content/ });
    expect(() => loadEnvironments(environmentsWith({ 'tiers/dev.yaml': '{}\n' }))).not.toThrow();
  });

  test('unexpected entries in regions/, tiers/ and overlays/<region>/ are errors; hidden files and root docs are not', () => {
    const envDir = environmentsWith({
      'regions/old/region-c.yaml': '{}\n',
      'tiers/notes.txt': 'sizing notes\n',
      'overlays/region-a/staging.yaml.bak': '{}\n',
      'overlays/region-a/.staging.yaml.swp': 'swap\n',
      'regions/.DS_Store': '',
      'README.md': '# our environments\n',
    });
    const err = rejectionOf(envDir);
    expect(err.problems).toHaveLength(3);
    expectProblem(err, {
      file: 'regions/old/',
      path: '',
      message: /^is a folder: region files sit directly in regions\/, so files in it are not loaded$/,
      fix: /^move region files to regions\/<region>\.yaml, and anything else out of the environments folder$/,
    });
    expectProblem(err, {
      file: 'tiers/notes.txt',
      path: '',
      message: /^is not read: tiers\/ holds only tier files \(ending in \.yaml\)$/,
      fix: /^move it to tiers\/<tier>\.yaml, or out of the environments folder$/,
    });
    expectProblem(err, {
      file: 'overlays/region-a/staging.yaml.bak',
      path: '',
      message: /^is not read/,
      fix: /^move it to overlays\/region-a\/<env>\.yaml, or out of the environments folder$/,
    });
  });

  test('an oversize overlay file is refused before it is parsed', () => {
    const err = rejection({ 'overlays/region-a/dev.yaml': `# ${'x'.repeat(1024 * 1024)}\n{}\n` });
    expectProblem(err, {
      file: 'overlays/region-a/dev.yaml',
      path: '',
      message: /^is larger than 1048576 bytes \(1 MiB\)/,
      fix: /move bulk data elsewhere/,
    });
  });
});

/** Like `rejection`, for an environments folder prepared by hand. */
function rejectionOf(envDir: string): EnvironmentError {
  const outDir = path.join(tempDir('strata-out-'), 'dist');
  writeFiles(outDir, { 'region-a/prod/data/kustomization.yaml': 'resources: []\n' });
  const before = snapshotDir(outDir);
  let error: unknown;
  try {
    synth({ envDir, outDir });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(EnvironmentError);
  expect(snapshotDir(outDir)).toEqual(before);
  return error as EnvironmentError;
}

describe('Redis outside the cluster', () => {
  test('redis.enabled with the machines renders the Services, and without machines is refused', () => {
    const envDir = environmentsWith({
      'overlays/region-a/dev.yaml': { merge: { redis: { enabled: true, addresses: ['10.20.0.21', '10.20.0.22'] } } },
    });
    const out = path.join(tempDir('strata-redis-'), 'dist');
    synth({ envDir, outDir: out, only: ['region-a/dev'] });
    expect(fs.readdirSync(path.join(out, 'region-a', 'dev', 'data'))).toEqual(
      expect.arrayContaining(['redis_service_redis.yaml', 'redis_service_redis-sentinel.yaml', 'redis_endpointslice_redis-vms.yaml']),
    );
    expectProblem(rejection({ 'overlays/region-a/dev.yaml': { merge: { redis: { enabled: true } } } }), {
      file: 'overlays/region-a/dev.yaml',
      path: 'redis.addresses',
      value: [],
      message: /Redis is enabled, and no machine is listed/,
      fix: /list the Redis machines by IPv4 address/,
    });
  });
});
