/**
 * The pull-request comment: its marker, the risks first, collapsible sections per cluster with
 * links to TOPOLOGY.md, and a body under GitHub's limit even for a change touching every
 * overlay of a 120-overlay fleet.
 */
import { COMMENT_MARKER, GITHUB_COMMENT_LIMIT, markdownReport } from '../../../gitops/review/markdown-report';
import { objectKey, RenderedTree, TreeObject } from '../../../gitops/review/rendered-tree';
import { diffTrees } from '../../../gitops/review/tree-diff';

function object(cluster: string, layer: string, manifest: any): TreeObject {
  const ns = manifest.metadata.namespace;
  const id = `${manifest.kind}${manifest.apiVersion.includes('/') ? `.${manifest.apiVersion.split('/')[0]}` : ''} ${ns ? `${ns}/` : ''}${manifest.metadata.name}`;
  const [region, env] = cluster.split(/-(?=[^-]+$)/);
  return {
    file: `${region}/${env}/${layer}/${manifest.metadata.name}.yaml`,
    cluster,
    layer,
    kind: id.split(' ')[0],
    id,
    overlay: `${region}/${env}`,
    manifest,
    text: JSON.stringify(manifest),
  };
}

function tree(objects: TreeObject[]): RenderedTree {
  return { objects: new Map(objects.map((o) => [objectKey(o), o])), acknowledged: [] };
}

/** A fleet of `count` overlays, each with a PostgreSQL cluster and `apps` Deployments. */
function fleet(count: number, apps: number, version: number): RenderedTree {
  const objects: TreeObject[] = [];
  for (let i = 0; i < count; i++) {
    const cluster = `region-${String(i).padStart(3, '0')}-prod`;
    objects.push(
      object(cluster, 'data', {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Cluster',
        metadata: { name: 'postgres', namespace: 'postgres' },
        spec: { instances: version ? 1 : 3, storage: { size: '100Gi', storageClass: 'fast' } },
      }),
    );
    for (let a = 0; a < apps; a++) {
      objects.push(
        object(cluster, 'apps', {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: `app-${a}`, namespace: 'apps' },
          spec: { replicas: 2, template: { spec: { containers: [{ name: 'app', image: `registry.example.org/app-${a}:${version}.0.0` }] } } },
        }),
      );
    }
  }
  return tree(objects);
}

const ctx = (topologies: string[] = []) => ({
  base: 'origin/main (1a2b3c4)',
  head: 'working tree',
  treePath: 'dist',
  linkBase: 'https://github.com/acme/platform/blob/0123abc/',
  topologies: new Set(topologies),
  failOn: new Set(['data-loss'] as const),
});

test('a change to every overlay of a 120-overlay fleet stays under the comment limit, and says what it left out', () => {
  const diff = diffTrees(fleet(120, 8, 0), fleet(120, 8, 1));
  expect(diff.changes).toHaveLength(120 * 9);
  expect(diff.risks.filter((r) => r.risk === 'data-loss')).toHaveLength(120);
  const md = markdownReport(diff, ctx());
  expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
  expect(md.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
  const shown = (md.match(/^- <code>/gm) ?? []).length;
  const leftOut = Number(/… (\d+) more changed object\(s\) left out/.exec(md)?.[1]);
  expect(shown).toBeGreaterThan(0);
  expect(shown + leftOut).toBe(120 * 9);
  // The risks come first.
  expect(md.indexOf('#### Risks')).toBeLessThan(md.indexOf('#### Summary'));
  expect(md.indexOf('#### Summary')).toBeLessThan(md.indexOf('#### Changes'));
});

test('a small change is shown whole: risk rows, a collapsible section per cluster, the topology link, the diff of each field', () => {
  const diff = diffTrees(fleet(2, 1, 0), fleet(2, 1, 1));
  const md = markdownReport(diff, ctx(['region-000-prod']));
  expect(md).not.toMatch(/left out/);
  expect(md).toContain(
    '| 🔴 | data loss | region-000-prod | Cluster.postgresql.cnpg.io postgres/postgres: spec.instances: its instances would go from 3 to 1',
  );
  expect(md).toContain('<details><summary><b>region-000-prod</b>: 2 object(s)</summary>');
  expect(md).toContain('[topology](https://github.com/acme/platform/blob/0123abc/dist/clusters/region-000-prod/TOPOLOGY.md)');
  expect(md).not.toContain('region-001-prod/TOPOLOGY.md');
  expect(md).toContain('  - spec.instances: 3\n  + spec.instances: 1');
  expect(md).toContain('| region-001-prod | apps | 0 | 1 | 0 | 0 |');
});

test('a fence no field value can close, and table cells that cannot break the table', () => {
  const before = tree([object('a-prod', 'apps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data: { x: 'a' } })]);
  const after = tree([
    object('a-prod', 'apps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data: { x: '```\n| <b>' } }),
  ]);
  const md = markdownReport(diffTrees(before, after), ctx());
  expect(md).toContain('  ````diff');
});

test('no changes: one line under the marker', () => {
  expect(markdownReport(diffTrees(fleet(1, 1, 0), fleet(1, 1, 0)), ctx())).toBe(
    `${COMMENT_MARKER}\n### Strata diff: origin/main (1a2b3c4) → working tree\n\nNo changes: both sides render the same tree.\n`,
  );
});

test('a stateful object that loses its prune protection, or moves to another cluster, is data loss; a move between layers is not', () => {
  const tenant = (annotations: Record<string, string>) => ({
    apiVersion: 'minio.min.io/v2',
    kind: 'Tenant',
    metadata: { name: 'storage', namespace: 'minio', annotations },
  });
  const protectedTenant = tenant({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
  const lost = diffTrees(tree([object('a-prod', 'data', protectedTenant)]), tree([object('a-prod', 'data', tenant({}))]));
  expect(lost.risks.map((r) => [r.risk, r.field, r.status])).toEqual([
    ['data-loss', 'metadata.annotations.kustomize.toolkit.fluxcd.io/prune', 'refused'],
  ]);
  const moved = diffTrees(tree([object('a-prod', 'data', protectedTenant)]), tree([object('b-prod', 'data', protectedTenant)]));
  expect(moved.changes).toEqual([
    expect.objectContaining({ type: 'moved', cluster: 'b-prod', from: expect.objectContaining({ cluster: 'a-prod' }) }),
  ]);
  expect(moved.risks[0].message).toMatch(/moves to cluster b-prod \(the new one starts from no data\)/);
  const layer = diffTrees(tree([object('a-prod', 'data', protectedTenant)]), tree([object('a-prod', 'storage', protectedTenant)]));
  expect(layer.changes.map((c) => c.type)).toEqual(['moved']);
  expect(layer.risks).toEqual([]);
});
