/**
 * A cluster every environment of a region shares (regions/<r>.yaml `clusters.<key>.shared`),
 * on copies of examples/k3s-community-site (region dirtbike, environments dev, prod, stage and
 * test, shared cluster k3s with shared namespace infra): what two environments both own, or
 * render differently for the cluster, is refused; a shared namespace's Pod Security level must
 * admit what is placed in it; `--only` renders the whole region; the transition guard covers
 * an environment that leaves and the cluster's own part; and the region file's rules.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadEnvironments } from '../../environments/load';
import { PROJECT_ROOT } from '../../environments/project-root';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { readTree, removeTempDirs, snapshotDir, swapLeftovers, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'k3s-community-site');
const REGION = 'regions/dirtbike.yaml';
const PROD = 'overlays/dirtbike/prod.yaml';
const STAGE = 'overlays/dirtbike/stage.yaml';
const ENTRY = 'clusters/dirtbike-k3s';

/** A change to one file of the copy: values to merge in (objects key by key), an edit of the parsed document, or removal. */
type Change = { readonly merge: Record<string, unknown> } | { readonly edit: (doc: any) => void } | null;

function deepMerge(base: unknown, change: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(base) || !isObject(change)) return change;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(change)) out[k] = deepMerge(base[k], v);
  return out;
}

function applyChanges(dir: string, changes: Readonly<Record<string, Change>>): void {
  for (const [rel, change] of Object.entries(changes)) {
    const file = path.join(dir, rel);
    if (change === null) {
      fs.rmSync(file);
      continue;
    }
    const doc: any = yaml.load(fs.readFileSync(file, 'utf8')) ?? {};
    if ('merge' in change) {
      fs.writeFileSync(file, yaml.dump(deepMerge(doc, change.merge)));
    } else {
      change.edit(doc);
      fs.writeFileSync(file, yaml.dump(doc));
    }
  }
}

/**
 * A copy of the community-site example without its applications (their split, grants and
 * routes are test/charts/apps.test.ts' and test/examples/'), with some of its files changed.
 */
function exampleWith(changes: Readonly<Record<string, Change>> = {}): string {
  const dir = path.join(tempDir('strata-shared-'), 'environments');
  fs.cpSync(EXAMPLE, dir, { recursive: true });
  const withoutApps = (doc: any) => {
    delete doc.apps;
  };
  applyChanges(dir, { [PROD]: { edit: withoutApps }, [STAGE]: { edit: withoutApps } });
  for (const env of ['prod', 'stage']) {
    const sealed = path.join(dir, 'sealed-secrets', 'dirtbike', env);
    for (const file of fs.readdirSync(sealed).filter((f) => f.startsWith(`${env}_`))) fs.rmSync(path.join(sealed, file));
  }
  applyChanges(dir, changes);
  return dir;
}

/**
 * Moves an environment's committed SealedSecrets from one namespace to another (the checks
 * read their structure; the ciphertext stands in for one sealed for the new namespace).
 */
function moveSealedSecrets(envDir: string, env: string, from: string, to: string): void {
  const dir = path.join(envDir, 'sealed-secrets', 'dirtbike', env);
  for (const f of fs.readdirSync(dir).filter((n) => n.startsWith(`${from}_`))) {
    const doc: any = yaml.load(fs.readFileSync(path.join(dir, f), 'utf8'));
    doc.metadata.namespace = to;
    doc.spec.template.metadata.namespace = to;
    fs.writeFileSync(path.join(dir, `${to}_${f.slice(from.length + 1)}`), yaml.dump(doc));
    fs.rmSync(path.join(dir, f));
  }
}

const outDirOf = () => path.join(tempDir('strata-shared-out-'), 'dist');

describe('what two environments render for one cluster', () => {
  test('a namespace two environments place components in, not declared shared, is refused in the second overlay’s file', () => {
    const envDir = exampleWith({
      [PROD]: { merge: { postgres: { namespace: 'prod-db' } } },
      [STAGE]: { merge: { postgres: { namespace: 'prod-db' } } },
    });
    moveSealedSecrets(envDir, 'prod', 'infra', 'prod-db');
    moveSealedSecrets(envDir, 'stage', 'infra', 'prod-db');
    const outDir = outDirOf();
    const err = environmentError(() => synth({ envDir, outDir }));
    expect(fs.existsSync(outDir)).toBe(false);
    expectProblem(err, {
      file: STAGE,
      path: '',
      value: 'namespace prod-db',
      message:
        /^dirtbike\/stage: namespace prod-db is claimed by dirtbike\/prod and dirtbike\/stage, which share the cluster dirtbike-k3s: an environment's namespaces are its own$/,
      fix: /^place stage's components in namespaces of its own \(.*\), or share the namespace by declaring it under clusters\.k3s\.namespaces in regions\/dirtbike\.yaml$/,
    });
    // One problem for the namespace, not one per object in it; prod, the first, is not blamed.
    expect(err.problems).toHaveLength(1);

    // Declared shared as the fix says, it goes ahead: the namespace is the cluster's, without a quota.
    applyChanges(envDir, { [REGION]: { merge: { clusters: { k3s: { namespaces: { 'prod-db': {} } } } } } });
    synth({ envDir, outDir });
    const tree = readTree(outDir);
    expect(Object.keys(tree).filter((f) => f.includes('namespace_prod-db'))).toEqual(['dirtbike/k3s/foundation/namespace_prod-db.yaml']);
    expect(Object.keys(tree).filter((f) => /prod-db_resourcequota/.test(f))).toEqual([]);
    expect(Object.keys(tree)).toEqual(
      expect.arrayContaining(['dirtbike/prod/data/prod-db_cluster_postgres.yaml', 'dirtbike/stage/data/prod-db_cluster_postgres-stage.yaml']),
    );
  });

  test('a second Velero, in stage, renders the cluster’s schedule differently and is refused in the region file', () => {
    const envDir = exampleWith({ [STAGE]: { merge: { velero: { enabled: true } } } });
    // Stage's Velero credentials, as committed for prod: only the schedule differs.
    fs.copyFileSync(
      path.join(envDir, 'sealed-secrets/dirtbike/prod/velero_velero-s3-credentials.yaml'),
      path.join(envDir, 'sealed-secrets/dirtbike/stage/velero_velero-s3-credentials.yaml'),
    );
    const err = environmentError(() => synth({ envDir, outDir: outDirOf() }));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION,
      path: 'clusters.k3s',
      message:
        /^schedule velero\/daily is rendered differently by dirtbike\/prod and dirtbike\/stage, and the shared cluster dirtbike-k3s has one of it \(dirtbike\/k3s\/backup\/velero_schedule_daily\.yaml\)$/,
      fix: /^give the environments the same settings for it, or keep the component that renders it in one environment \(disable it in the others; one Velero backs up the whole cluster: list the other environments’ namespaces in its velero\.extraNamespaces\)$/,
    });
  });

  test('a shared namespace declared restricted, and a component of one environment in it that needs baseline', () => {
    // Zalando's Spilo pods need baseline; the CJK image and the extensions are CloudNativePG's.
    const stageOnZalando = {
      [STAGE]: {
        edit: (s: any) => {
          s.postgres.engine = 'zalando';
          s.postgres.image = 'ghcr.io/zalando/spilo-17:4.0-p2';
          s.postgres.databases = [{ name: 'discourse' }, { name: 'logto' }];
        },
      },
    };
    const envDir = exampleWith(stageOnZalando);
    const err = environmentError(() => synth({ envDir, outDir: outDirOf() }));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION,
      path: 'clusters.k3s.namespaces.infra.podSecurity',
      value: 'restricted',
      message:
        /^dirtbike\/stage: shared namespace infra is declared restricted, and a component of stage placed in it needs baseline: Spilo pods \(Zalando postgres-operator\) /,
      fix: /^set clusters\.k3s\.namespaces\.infra\.podSecurity: baseline with a podSecurityReason, or place the component in a namespace of its environment$/,
    });

    // Declared baseline, it goes ahead: one infra namespace, at the declared level, for both engines.
    applyChanges(envDir, {
      [REGION]: { merge: { clusters: { k3s: { namespaces: { infra: { podSecurity: 'baseline', podSecurityReason: "staging's Spilo pods" } } } } } },
    });
    const outDir = outDirOf();
    synth({ envDir, outDir });
    const infra: any = yaml.load(fs.readFileSync(path.join(outDir, 'dirtbike/k3s/foundation/namespace_infra.yaml'), 'utf8'));
    expect(infra.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'baseline', team: 'platform' });
    expect(fs.existsSync(path.join(outDir, 'dirtbike/stage/data/infra_postgresql_postgres-stage.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(outDir, 'dirtbike/prod/data/infra_cluster_postgres.yaml'))).toBe(true);
  });
});

describe('files that are not objects', () => {
  test("with Prometheus outside, each environment keeps its own scrape jobs and rules; the discovery identity is the cluster's", () => {
    const envDir = exampleWith({
      'platform.yaml': { merge: { monitoring: { external: { addresses: ['10.41.0.20'], apiServerUrl: 'https://10.41.0.5:6443' } } } },
    });
    const outDir = outDirOf();
    synth({ envDir, outDir });
    const files = Object.keys(readTree(outDir));
    expect(files.filter((f) => f.includes('/prometheus/')).sort()).toEqual(
      ['dev', 'prod', 'stage', 'test'].flatMap((env) => [`dirtbike/${env}/prometheus/rules.yaml`, `dirtbike/${env}/prometheus/scrape-configs.yaml`]),
    );
    expect(files.filter((f) => f.includes('external-prometheus'))).toEqual(
      expect.arrayContaining([
        'dirtbike/k3s/monitoring/monitoring_serviceaccount_external-prometheus.yaml',
        'dirtbike/k3s/monitoring/clusterrole_external-prometheus.yaml',
      ]),
    );
    const identity = /(serviceaccount|clusterrole|clusterrolebinding|secret)_external-prometheus/;
    expect(files.filter((f) => identity.test(f) && !f.startsWith('dirtbike/k3s/'))).toEqual([]);
    // Each environment admits the Prometheus to its own pods: the instances and the poolers' PgBouncer exporters.
    expect(files.filter((f) => f.includes('allow-external-prometheus-to-postgres'))).toEqual([
      'dirtbike/prod/data/infra_networkpolicy_allow-external-prometheus-to-postgres-pooler-discourse.yaml',
      'dirtbike/prod/data/infra_networkpolicy_allow-external-prometheus-to-postgres-pooler-logto.yaml',
      'dirtbike/prod/data/infra_networkpolicy_allow-external-prometheus-to-postgres.yaml',
      'dirtbike/stage/data/infra_networkpolicy_allow-external-prometheus-to-postgres-stage-pooler-discourse.yaml',
      'dirtbike/stage/data/infra_networkpolicy_allow-external-prometheus-to-postgres-stage-pooler-logto.yaml',
      'dirtbike/stage/data/infra_networkpolicy_allow-external-prometheus-to-postgres-stage.yaml',
    ]);
  });
});

describe('--only', () => {
  test('one environment of a region with a shared cluster renders every environment of the region, and the whole entry folder', () => {
    const envDir = exampleWith();
    const only = outDirOf();
    const result = synth({ envDir, outDir: only, only: ['dirtbike/dev'] });
    expect(result.overlays).toBe(4);
    const whole = outDirOf();
    synth({ envDir, outDir: whole });
    const tree = readTree(only);
    expect(tree).toEqual(readTree(whole));
    expect(fs.readFileSync(path.join(only, '.strata-tree'), 'utf8')).toBe(fs.readFileSync(path.join(whole, '.strata-tree'), 'utf8'));
    expect(fs.readdirSync(path.join(only, 'dirtbike')).sort()).toEqual(['dev', 'k3s', 'prod', 'stage', 'test']);
    // The entry points, their kustomization.yaml and the cluster's picture (TOPOLOGY.md).
    expect(Object.keys(tree).filter((f) => f.startsWith(`${ENTRY}/`)).length).toBe(13);
    expect(tree[`${ENTRY}/TOPOLOGY.md`]).toContain('environments `dev`, `prod`, `stage`, `test`');

    // A change to prod is written by a synth of dev alone.
    applyChanges(envDir, { [PROD]: { merge: { quota: { requestsMemory: '24Gi', limitsMemory: '24Gi' } } } });
    const again = synth({ envDir, outDir: only, only: ['dirtbike/dev'] });
    expect(again.written).toEqual(['dirtbike/prod/foundation/prod_resourcequota_compute-and-storage.yaml']);
    const quota: any = yaml.load(fs.readFileSync(path.join(only, again.written[0]), 'utf8'));
    expect(quota.spec.hard['limits.memory']).toBe('24Gi');
  });
});

describe('the transition guard', () => {
  test('an environment whose overlay file vanished is refused; acknowledged in the region file, its part of the cluster goes too', () => {
    const envDir = exampleWith();
    const outDir = outDirOf();
    synth({ envDir, outDir });
    const sharedStageFiles = [
      'dirtbike/k3s/data/cnpg-system_networkpolicy_allow-cnpg-operator-to-postgres-stage-egress.yaml',
      'dirtbike/k3s/data/monitoring_networkpolicy_allow-prometheus-to-postgres-stage-egress.yaml',
    ];
    for (const f of sharedStageFiles) expect(fs.existsSync(path.join(outDir, f))).toBe(true);

    applyChanges(envDir, { [STAGE]: null });
    const before = snapshotDir(outDir);
    const err = environmentError(() => synth({ envDir, outDir }));
    expect(snapshotDir(outDir)).toEqual(before);
    expect(swapLeftovers(outDir)).toEqual([]);
    expect(err.problems).toHaveLength(1);
    const problem = expectProblem(err, {
      file: STAGE,
      path: '',
      message:
        /^overlay dirtbike\/stage was rendered \(5 stateful object\(s\)\) but overlays\/dirtbike\/stage\.yaml is gone, so everything it rendered would leave the tree$/,
      fix: /to remove the overlay, add to regions\/dirtbike\.yaml: acknowledge: \[\{object: "overlay dirtbike\/stage", change: removed, reason: "<why, e\.g\. a ticket>"\}\]$/,
    });

    // The acknowledgement the refusal suggests, where it says.
    const m = /add to regions\/dirtbike\.yaml: acknowledge: \[\{object: "([^"]+)", change: ([^,]+), reason: /.exec(problem.fix)!;
    applyChanges(envDir, { [REGION]: { merge: { acknowledge: [{ object: m[1], change: m[2], reason: 'staging retired, SITE-12' }] } } });
    const result = synth({ envDir, outDir });
    expect(result.notes).toContain(
      'acknowledged in regions/dirtbike.yaml: dirtbike/stage: overlay dirtbike/stage removed (staging retired, SITE-12)',
    );
    expect(result.removed).toEqual(expect.arrayContaining(sharedStageFiles));
    const tree = readTree(outDir);
    expect(Object.keys(tree).filter((f) => f.startsWith('dirtbike/stage/') || /postgres-stage/.test(f))).toEqual([]);
    expect(fs.readdirSync(path.join(outDir, 'dirtbike')).sort()).toEqual(['dev', 'k3s', 'prod', 'test']);
    const entries = fs.readdirSync(path.join(outDir, ENTRY));
    expect(entries.filter((f) => f.includes('strata-stage-'))).toEqual([]);
    expect(tree[`${ENTRY}/kustomization.yaml`]).not.toMatch(/strata-stage-/);
    expect(tree['dirtbike/k3s/data/kustomization.yaml']).not.toMatch(/postgres-stage/);
    // The rest of the cluster stays: prod's database, the cluster's operators and backups.
    expect(entries).toEqual(
      expect.arrayContaining(['flux-system_kustomization_strata-prod-data.yaml', 'flux-system_kustomization_strata-backup.yaml']),
    );
    // Synthesized again, nothing is left to refuse or write.
    expect(synth({ envDir, outDir }).written).toEqual([]);
  });

  test("the cluster's own part is guarded as the region file's: Velero leaving the cluster is acknowledged there", () => {
    const envDir = exampleWith();
    const outDir = outDirOf();
    synth({ envDir, outDir });
    applyChanges(envDir, { [PROD]: { merge: { velero: { enabled: false } } } });
    const before = snapshotDir(outDir);
    const err = environmentError(() => synth({ envDir, outDir }));
    expect(snapshotDir(outDir)).toEqual(before);
    expect(err.problems).toHaveLength(1);
    const problem = expectProblem(err, {
      file: REGION,
      path: '',
      message:
        /^dirtbike\/k3s: Namespace velero with 2 stateful object\(s\) in it \(BackupStorageLocation\.velero\.io velero\/default, Schedule\.velero\.io velero\/daily\) would be removed from cluster dirtbike-k3s/,
      fix: /add to regions\/dirtbike\.yaml: acknowledge: \[\{object: "Namespace velero", change: removed, reason: "<why, e\.g\. a ticket>"\}\]$/,
    });
    const m = /acknowledge: \[\{object: "([^"]+)", change: ([^,]+), reason: /.exec(problem.fix)!;
    applyChanges(envDir, { [REGION]: { merge: { acknowledge: [{ object: m[1], change: m[2], reason: 'provider snapshots, SITE-9' }] } } });
    const result = synth({ envDir, outDir });
    expect(result.notes).toEqual(
      expect.arrayContaining([
        'acknowledged in regions/dirtbike.yaml: dirtbike/k3s: Namespace velero removed (provider snapshots, SITE-9)',
        'left on the cluster (prune-protected, no longer in the tree): dirtbike/k3s: Schedule.velero.io velero/daily; delete it by hand once its data is safe',
      ]),
    );
    expect(fs.readdirSync(path.join(outDir, 'dirtbike', 'k3s')).sort()).toEqual(['data', 'foundation', 'monitoring', 'operators']);
    expect(fs.readdirSync(path.join(outDir, ENTRY)).filter((f) => f.includes('strata-backup'))).toEqual([]);
  });
});

describe('the region file: a shared cluster', () => {
  const reject = (changes: Readonly<Record<string, Change>>) => environmentError(() => loadEnvironments(exampleWith(changes)));

  test('beside another cluster', () => {
    // With a default placement, so that the shared cluster is the one thing wrong.
    const err = reject({ [REGION]: { merge: { clusters: { apps: {} }, defaults: { placement: { default: 'k3s' } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION,
      path: 'clusters.k3s.shared',
      value: true,
      message: /^a shared cluster runs every environment of the region, and the region declares other clusters too \(apps\)$/,
      fix: /^declare k3s alone, or drop shared: true to run k3s once per environment$/,
    });
  });

  test('namespaces on a cluster that is not shared', () => {
    const err = reject({ [REGION]: { merge: { clusters: { k3s: { shared: false } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION,
      path: 'clusters.k3s.namespaces',
      message: /^namespaces shared by environments exist only in a shared cluster; here each environment has a cluster of its own$/,
      fix: /^declare the namespaces in each environment \(namespaces:\), or set clusters\.k3s\.shared: true$/,
    });
  });

  test('an environment called like the shared cluster would share its folder', () => {
    const envDir = exampleWith();
    fs.writeFileSync(
      path.join(envDir, 'overlays/dirtbike/k3s.yaml'),
      yaml.dump({ tier: 'dev', namespaces: { k3s: {} }, postgres: { enabled: false } }),
    );
    const err = environmentError(() => loadEnvironments(envDir));
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/dirtbike/k3s.yaml',
      path: '',
      value: 'k3s',
      message: /^dirtbike\/k3s: the environment is called like the region's shared cluster k3s, whose own folder is dirtbike\/k3s\/$/,
      fix: /^rename the environment \(its file\), or call the cluster by another name in regions\/dirtbike\.yaml$/,
    });
  });
});
