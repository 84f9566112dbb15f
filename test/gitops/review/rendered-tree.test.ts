/**
 * A rendered tree read back for review: each object grouped under the cluster whose entry
 * points apply its folder (Flux Kustomizations and Argo CD Applications), including the
 * talos example's infra and apps clusters.
 */
import * as path from 'path';
import { PROJECT_ROOT } from '../../../environments/project-root';
import { readRenderedTree } from '../../../gitops/review/rendered-tree';
import { synth } from '../../../main';
import { removeTempDirs, tempDir } from '../../support/temp';

afterAll(removeTempDirs);

test('the default tree: objects by the cluster that applies them, Flux and Argo CD alike', () => {
  const tree = readRenderedTree(path.join(PROJECT_ROOT, 'dist'));
  const objects = [...tree.objects.values()];
  const pg = objects.find((o) => o.file === 'region-a/prod/data/postgres_cluster_postgres.yaml')!;
  expect(pg).toMatchObject({
    cluster: 'region-a-prod',
    layer: 'data',
    kind: 'Cluster.postgresql.cnpg.io',
    id: 'Cluster.postgresql.cnpg.io postgres/postgres',
    overlay: 'region-a/prod',
  });
  expect(objects.find((o) => o.file === 'region-b/prod/data/postgres_cluster_postgres.yaml')).toMatchObject({
    cluster: 'region-b-prod',
    layer: 'data',
  });
  expect(objects.find((o) => o.file === 'clusters/region-b-prod/argocd_application_region-b-prod-data.yaml')).toMatchObject({
    cluster: 'region-b-prod',
    layer: 'entry points',
  });
  // Every object in a layer folder is applied by some cluster; kustomization.yaml files are not objects.
  const clusters = new Set(objects.filter((o) => o.layer === 'entry points').map((o) => o.cluster));
  for (const o of objects) {
    if (o.layer === 'files') continue;
    expect(clusters.has(o.cluster)).toBe(true);
  }
  expect(objects.some((o) => o.file.endsWith('kustomization.yaml'))).toBe(false);
});

test('several clusters per environment: each layer folder under the cluster that applies it', () => {
  const outDir = path.join(tempDir('strata-review-tree-'), 'dist');
  synth({ envDir: path.join(PROJECT_ROOT, 'examples', 'talos-infra-apps'), outDir });
  const objects = [...readRenderedTree(outDir).objects.values()];
  const byCluster = new Set(objects.filter((o) => o.layer !== 'files').map((o) => o.cluster));
  expect([...byCluster].length).toBeGreaterThan(1);
  for (const o of objects.filter((x) => x.layer !== 'files' && x.layer !== 'entry points')) {
    // The folder's entry point names it: `<region>/<env>/<cluster>/<layer>/` or `<region>/<cluster>/<layer>/`.
    expect(o.file.split('/').slice(0, -2).join('-')).toMatch(new RegExp(`${o.cluster.split('-').slice(-1)[0]}$`));
  }
});
