/**
 * The review diff of two rendered trees: the committed dist/ (the default environments) and
 * the same environments after a change, rendered by synth. Data loss comes from the
 * transition rules the guard applies, so each case here is a change of the environments a
 * user would make, and one that must not be flagged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../../environments/project-root';
import { readRenderedTree, RenderedTree } from '../../../gitops/review/rendered-tree';
import { diffTrees, failing } from '../../../gitops/review/tree-diff';
import { synth } from '../../../main';
import { EnvironmentChange, environmentsWith, removeTempDirs, tempDir } from '../../support/temp';

afterAll(removeTempDirs);

const PROD = 'overlays/region-a/prod.yaml';
const DEV = 'overlays/region-a/dev.yaml';
const DIST = path.join(PROJECT_ROOT, 'dist');
let base: RenderedTree;
beforeAll(() => {
  base = readRenderedTree(DIST);
});

function rendered(changes: Readonly<Record<string, EnvironmentChange>>): RenderedTree {
  const outDir = path.join(tempDir('strata-review-'), 'dist');
  synth({ envDir: environmentsWith(changes), outDir });
  return readRenderedTree(outDir);
}

/** Production's databases without `dora`. */
const WITHOUT_DORA = [
  { name: 'hrm', poolerInstances: 2, poolMode: 'transaction' },
  { name: 'payroll', poolerInstances: 2, poolMode: 'transaction' },
];

test('the committed tree against itself: no changes', () => {
  const diff = diffTrees(base, readRenderedTree(DIST));
  expect(diff.changes).toEqual([]);
  expect(diff.risks).toEqual([]);
});

test('a shrunk volume, a removed database and a widened NetworkPolicy, each in its class', () => {
  const head = rendered({
    // The test application listens on another port: Traefik is newly allowed to reach it there.
    [PROD]: { merge: { postgres: { storageSize: '50Gi', databases: WITHOUT_DORA }, apps: { hello: { port: 9090, args: ['--port', '9090'] } } } },
  });
  const diff = diffTrees(base, head);
  const dataLoss = diff.risks.filter((r) => r.risk === 'data-loss');
  expect(dataLoss.map((r) => [r.cluster, r.object, r.field, r.status])).toEqual([
    ['region-a-prod', 'Cluster.postgresql.cnpg.io postgres/postgres', 'spec.storage.size', 'impossible'],
    ['region-a-prod', 'Database.postgresql.cnpg.io postgres/postgres-dora', 'removed', 'refused'],
  ]);
  expect(dataLoss[0].message).toMatch(/shrink from 100Gi to 50Gi/);
  const security = diff.risks.filter((r) => r.risk === 'security');
  expect(security.length).toBeGreaterThan(0);
  expect(
    security.find((r) => r.cluster === 'region-a-prod' && r.object === 'NetworkPolicy.networking.k8s.io hello/allow-traefik-to-hello-ingress')
      ?.message,
  ).toMatch(/newly allows ingress .*TCP\/9090/);
  // Region B is not touched.
  expect(diff.changes.filter((c) => c.cluster.startsWith('region-b'))).toEqual([]);
  expect(failing(diff, new Set(['data-loss']))).toHaveLength(2);
  // Traefik moves to the new port at once, whether or not the pods listen there yet.
  expect(failing(diff, new Set(['downtime'])).map((r) => r.message)).toEqual([
    expect.stringMatching(/live requests for Host\(`hello.region-a.strata.example`\) move from hello:8080 to hello:9090 at once$/),
  ]);
  // The pooler and its policies leave with the database, without being data loss themselves.
  expect(diff.changes.find((c) => c.id === 'Pooler.postgresql.cnpg.io postgres/postgres-pooler-dora')).toMatchObject({ type: 'removed', risks: [] });
});

test('an acknowledged removal is shown with its reason and does not fail the run', () => {
  const head = rendered({
    [PROD]: {
      merge: {
        postgres: { databases: WITHOUT_DORA },
        acknowledge: [
          { object: 'Database.postgresql.cnpg.io postgres/postgres-dora', change: 'removed', reason: 'PLAT-42 dora moved to its own cluster' },
        ],
      },
    },
  });
  const diff = diffTrees(base, head);
  const [risk] = diff.risks.filter((r) => r.risk === 'data-loss');
  expect(risk).toMatchObject({ status: 'acknowledged', acknowledgement: { file: PROD, reason: 'PLAT-42 dora moved to its own cluster' } });
  expect(diff.acknowledgements).toEqual([{ acknowledgement: expect.objectContaining({ file: PROD }), used: true }]);
  expect(failing(diff, new Set(['data-loss']))).toEqual([]);
});

test('a grown volume and a new database are changes, not risks', () => {
  const head = rendered({
    [PROD]: {
      merge: {
        postgres: {
          storageSize: '200Gi',
          databases: [...WITHOUT_DORA, { name: 'dora', poolerInstances: 2, poolMode: 'session' }, { name: 'audit' }],
        },
      },
    },
  });
  const diff = diffTrees(base, head);
  expect(diff.changes.some((c) => c.id === 'Database.postgresql.cnpg.io postgres/postgres-audit' && c.type === 'added')).toBe(true);
  expect(diff.changes.find((c) => c.id === 'Cluster.postgresql.cnpg.io postgres/postgres')?.fields.map((f) => f.path)).toContain('spec.storage.size');
  expect(diff.risks.filter((r) => r.risk === 'data-loss')).toEqual([]);
});

test('a renamed PostgreSQL cluster is a rename, and data loss', () => {
  const head = rendered({ [DEV]: { merge: { postgres: { name: 'pg' } } } });
  const diff = diffTrees(base, head);
  const cluster = diff.changes.find((c) => c.kind === 'Cluster.postgresql.cnpg.io');
  expect(cluster).toMatchObject({
    type: 'renamed',
    cluster: 'region-a-dev',
    id: 'Cluster.postgresql.cnpg.io postgres/pg',
    from: { id: 'Cluster.postgresql.cnpg.io postgres/postgres' },
  });
  expect(cluster!.risks.map((r) => [r.risk, r.field, r.status])).toContainEqual(['data-loss', 'removed', 'refused']);
  expect(cluster!.risks[0].message).toMatch(/is renamed to Cluster\.postgresql\.cnpg\.io postgres\/pg \(a delete and a create/);
});

describe('the k3s community site: blue-green and the 70/30 split, as its overlay file changes them', () => {
  const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'k3s-community-site');
  const PROD_FILE = 'overlays/dirtbike/prod.yaml';

  /** The example rendered, with its prod overlay file's text edited. */
  function example(edit: (text: string) => string = (t) => t): RenderedTree {
    const envDir = path.join(tempDir('strata-review-k3s-'), 'environments');
    fs.cpSync(EXAMPLE, envDir, { recursive: true });
    const file = path.join(envDir, PROD_FILE);
    fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
    const outDir = path.join(tempDir('strata-review-k3s-'), 'dist');
    synth({ envDir, outDir });
    return readRenderedTree(outDir);
  }

  let before: RenderedTree;
  beforeAll(() => {
    before = example();
  });

  test('going live with green and shifting the split are downtime risks, named as such; nothing else is flagged', () => {
    const after = example((t) =>
      t.replace(
        '    blueGreen: { active: blue, idleReplicas: 1 }\n    expose: { host: www.dirtbikechina.example, split: { prod: 70, stage: 30 }',
        '    blueGreen: { active: green, idleReplicas: 1 }\n    expose: { host: www.dirtbikechina.example, split: { prod: 50, stage: 50 }',
      ),
    );
    const diff = diffTrees(before, after);
    expect(diff.risks.map((r) => [r.risk, r.object, r.field])).toEqual([
      ['downtime', 'Service prod/wordpress', 'spec.selector'],
      ['downtime', 'TraefikService.traefik.io prod/wordpress-split', 'spec.weighted.services'],
    ]);
    expect(diff.risks[0].message).toMatch(/blue-green switch: every request moves from blue to green at once/);
    expect(diff.risks[1].message).toMatch(/live traffic shifts between services/);
  });

  test('a route that drops its middleware is a security risk', () => {
    const after = example((t) =>
      t.replace(
        'split: { prod: 70, stage: 30 }, middlewares: [secure-headers] }\n  discourse-redis',
        'split: { prod: 70, stage: 30 } }\n  discourse-redis',
      ),
    );
    const risks = diffTrees(before, after).risks;
    expect(risks.map((r) => [r.risk, r.object])).toContainEqual(['security', 'IngressRoute.traefik.io prod/wordpress']);
    expect(risks.find((r) => r.object === 'IngressRoute.traefik.io prod/wordpress')!.message).toMatch(/no longer passes through secure-headers/);
    expect(risks.every((r) => r.risk === 'security')).toBe(true);
  });

  test('an unchanged overlay file renders no change', () => {
    expect(diffTrees(before, example()).changes).toEqual([]);
  });
});

test("the API server's addresses given (apiServer.cidrs) narrow every egress to it: not a security finding", () => {
  const head = rendered({ 'regions/region-a.yaml': { merge: { apiServer: { cidrs: ['10.0.0.0/8'], ports: [443, 6443] } } } });
  const diff = diffTrees(base, head);
  expect(diff.changes.some((c) => c.id === 'NetworkPolicy.networking.k8s.io postgres/allow-apiserver-egress')).toBe(true);
  expect(diff.risks.filter((r) => r.risk === 'security')).toEqual([]);
});
