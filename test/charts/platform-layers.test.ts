/**
 * The charts build from a spec, and a spec need not come from the loader (a program of its
 * own, a test): what the loader refuses, the charts report as problems with the file, the
 * field and the fix, instead of failing on a missing construct.
 */
import * as path from 'path';
import { buildOverlay } from '../../charts/overlay';
import { SpecError } from '../../constructs/core/problems';
import { loadEnvironments } from '../../environments/load';
import type { OverlaySpec } from '../../environments/model';
import { PROJECT_ROOT } from '../../environments/project-root';

const [prod] = loadEnvironments(path.join(PROJECT_ROOT, 'environments'), { only: ['region-a/prod'] });

function problemsOf(overlay: OverlaySpec): { path: string; message: string; fix: string }[] {
  try {
    buildOverlay(overlay);
  } catch (err) {
    if (err instanceof SpecError) return err.problems.map((p) => ({ path: p.path, message: p.message, fix: p.fix }));
    throw err;
  }
  throw new Error('expected the spec to be refused');
}

const without = (settings: Partial<OverlaySpec['settings']>): OverlaySpec => ({ ...prod, settings: { ...prod.settings, ...settings } });

test('the default overlay builds', () => {
  expect(prod.id).toBe('region-a/prod');
  expect(buildOverlay(prod).layers.map((l) => l.layer)).toEqual(expect.arrayContaining(['data', 'backup']));
});

test('PostgreSQL and Velero without MinIO are problems naming minio.enabled', () => {
  const problems = problemsOf(
    without({
      minio: { ...prod.settings.minio, enabled: false },
      opensearch: { ...prod.settings.opensearch, enabled: false },
      streaming: { ...prod.settings.streaming, pipelines: [] },
    }),
  );
  expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['minio.enabled']));
  expect(problems.map((p) => p.message)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/CloudNativePG archives WAL and base backups in the region's MinIO, which is disabled/),
      expect.stringMatching(/Velero stores its backups in the region's MinIO, which is disabled/),
    ]),
  );
  for (const p of problems) expect(p.fix).toMatch(/^set /);
});

test('a CDC pipeline without OpenSearch is a problem naming the pipeline and the switch', () => {
  expect(prod.settings.streaming.pipelines.length).toBeGreaterThan(0);
  const problems = problemsOf(without({ opensearch: { ...prod.settings.opensearch, enabled: false } }));
  expect(problems).toContainEqual({
    path: 'streaming.pipelines[0]',
    message: expect.stringContaining(
      `CDC pipeline ${prod.settings.streaming.pipelines[0].name} reads PostgreSQL and writes OpenSearch, and opensearch.enabled is false`,
    ),
    fix: 'set opensearch.enabled: true, or remove the pipeline',
  });
});

test('the image and database extensions of the settings reach the CloudNativePG objects', () => {
  const databases = [
    ...prod.settings.postgres.databases,
    { name: 'wanderer', poolerInstances: 0, poolMode: 'session' as const, extensions: ['vector'] },
  ];
  const built = buildOverlay(
    without({ postgres: { ...prod.settings.postgres, image: 'dirtbikechina/postgres:15-cjk', sharedPreloadLibraries: ['pg_cron'], databases } }),
  );
  const objects = built.layers.flatMap((l) => l.toJson());
  expect(objects.find((o: any) => o.kind === 'Cluster' && o.apiVersion === 'postgresql.cnpg.io/v1').spec.imageName).toBe(
    'dirtbikechina/postgres:15-cjk',
  );
  expect(objects.find((o: any) => o.kind === 'Cluster' && o.apiVersion === 'postgresql.cnpg.io/v1').spec.postgresql.shared_preload_libraries).toEqual(
    ['pg_cron'],
  );
  expect(objects.find((o: any) => o.kind === 'Database' && o.spec.name === 'wanderer').spec.extensions).toEqual([
    { name: 'vector', ensure: 'present' },
  ]);
});
