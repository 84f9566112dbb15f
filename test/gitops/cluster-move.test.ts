/**
 * The transition guard with several clusters per environment: objects are keyed by the
 * cluster they run on, so a layer placed on another cluster leaves the one it ran on. Moving
 * the data layer of examples/talos-infra-apps from infra to apps is refused (the running
 * CloudNativePG cluster would leave infra, and an empty one start on apps) until it is
 * acknowledged as the refusal says.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { PROJECT_ROOT } from '../../environments/project-root';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { removeTempDirs, snapshotDir, swapLeftovers, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'talos-infra-apps');
const REGION = 'regions/homelab.yaml';
const PROD = 'overlays/homelab/prod.yaml';
const INFRA_CLUSTER = 'homelab/prod/infra/data/postgres_cluster_postgres.yaml';
const APPS_CLUSTER = 'homelab/prod/apps/data/postgres_cluster_postgres.yaml';

function edit(envDir: string, rel: string, change: (doc: any) => void): void {
  const file = path.join(envDir, rel);
  const doc: any = yaml.load(fs.readFileSync(file, 'utf8'));
  change(doc);
  fs.writeFileSync(file, yaml.dump(doc));
}

test('moving data from infra to apps is refused, naming the CloudNativePG cluster; acknowledged as suggested, it goes ahead', () => {
  const envDir = path.join(tempDir('strata-move-'), 'environments');
  fs.cpSync(EXAMPLE, envDir, { recursive: true });
  const outDir = path.join(tempDir('strata-move-'), 'dist');
  synth({ envDir, outDir });
  expect(fs.existsSync(path.join(outDir, INFRA_CLUSTER))).toBe(true);
  expect(fs.existsSync(path.join(outDir, APPS_CLUSTER))).toBe(false);

  // Everything to apps; the exports would then target the cluster the data runs on.
  edit(envDir, REGION, (r) => {
    r.defaults.placement.default = 'apps';
  });
  edit(envDir, PROD, (o) => {
    for (const db of o.postgres.databases) delete db.export;
  });

  const before = snapshotDir(outDir);
  const err = environmentError(() => synth({ envDir, outDir }));
  expect(snapshotDir(outDir)).toEqual(before);
  expect(swapLeftovers(outDir)).toEqual([]);
  // The running cluster leaves infra: it is named, with its databases, in its namespace's removal.
  const removal = expectProblem(err, {
    file: PROD,
    path: '',
    message:
      /^homelab\/prod: Namespace postgres with \d+ stateful object\(s\) in it \(Cluster\.postgresql\.cnpg\.io postgres\/postgres, Database\.postgresql\.cnpg\.io postgres\/postgres-gitlab, .*\) would be removed from cluster talos-prod-infra/,
    fix: /to go ahead, add to overlays\/homelab\/prod\.yaml: acknowledge: \[\{object: "Namespace postgres", change: removed, reason: "<why, e\.g\. a ticket>"\}\]$/,
  });
  expect(removal.message).toMatch(/its data would no longer be managed, and is lost if it is deleted/);
  // Velero's schedule and location leave infra with it.
  expectProblem(err, {
    file: PROD,
    path: '',
    message: /^homelab\/prod: Namespace velero with 2 stateful object\(s\) in it/,
    fix: /"Namespace velero"/,
  });
  expect(err.problems.every((p) => p.file === PROD && /would be removed from cluster talos-prod-(infra|apps)/.test(p.message))).toBe(true);

  // The acknowledgements the refusal suggests, each with a reason.
  const acknowledge = err.problems.map((p) => {
    const m = /add to overlays\/homelab\/prod\.yaml: acknowledge: \[\{object: "([^"]+)", change: ([^,]+), reason: /.exec(p.fix);
    expect(m).not.toBeNull();
    return { object: m![1], change: m![2], reason: 'data moves to the apps cluster, PLAT-2041' };
  });
  expect(acknowledge).toContainEqual({ object: 'Namespace postgres', change: 'removed', reason: expect.any(String) });
  edit(envDir, PROD, (o) => {
    o.acknowledge = acknowledge;
  });
  const result = synth({ envDir, outDir });
  expect(result.notes).toEqual(
    expect.arrayContaining([
      'acknowledged in overlays/homelab/prod.yaml: homelab/prod: Namespace postgres removed (data moves to the apps cluster, PLAT-2041)',
      'left on the cluster (prune-protected, no longer in the tree): homelab/prod: Cluster.postgresql.cnpg.io postgres/postgres; delete it by hand once its data is safe',
    ]),
  );
  // The tree now runs everything on apps, and nothing on infra.
  expect(fs.existsSync(path.join(outDir, APPS_CLUSTER))).toBe(true);
  expect(fs.existsSync(path.join(outDir, INFRA_CLUSTER))).toBe(false);
  expect(fs.readdirSync(path.join(outDir, 'clusters'))).toEqual(['homelab-prod-apps']);
  expect(fs.readdirSync(path.join(outDir, 'homelab', 'prod'))).toEqual(['apps']);
  // Synthesized again, the tree is as written: nothing left to refuse or write.
  expect(synth({ envDir, outDir }).written).toEqual([]);
});
