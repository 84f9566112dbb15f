/**
 * The apps layer across clusters: an app on the apps cluster of the Talos example uses the
 * infra cluster's database through its export (the imported Service, its credentials, egress
 * to the exported address), and a database that is not exported to the app's cluster is
 * refused, naming the export to add.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { PROJECT_ROOT } from '../../environments/project-root';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { readTree, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'talos-infra-apps');
const PROD = 'overlays/homelab/prod.yaml';

function exampleWith(edit: (prod: any) => void): string {
  const dir = tempDir('strata-apps-');
  fs.cpSync(EXAMPLE, dir, { recursive: true });
  const file = path.join(dir, PROD);
  const prod = yaml.load(fs.readFileSync(file, 'utf8')) as any;
  edit(prod);
  fs.writeFileSync(file, yaml.dump(prod));
  return dir;
}

const HARBOR = { image: 'docker.io/traefik/whoami:v1.11.0', args: ['--port', '8080'], database: 'harbor' };

test("an app on the apps cluster uses the infra cluster's database through its export", () => {
  const envDir = exampleWith((prod) => {
    prod.placement = { apps: 'apps', ingress: 'apps' };
    prod.apps = { harbor: HARBOR };
  });
  const out = path.join(tempDir('strata-apps-out-'), 'dist');
  synth({ envDir, outDir: out });
  const tree = readTree(out);
  const deployment = yaml.load(tree['homelab/prod/apps/apps/harbor_deployment_harbor.yaml']) as any;
  const env = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
  expect(env).toMatchObject({
    PGHOST: 'postgres-pooler-harbor.harbor.svc.cluster.local',
    PGPORT: '5432',
    PGDATABASE: 'harbor',
    PGUSER: { name: 'postgres-harbor-credentials', key: 'username' },
  });
  // The imported credentials are in the app's namespace already; the app may reach the exported address only.
  const egress = yaml.load(tree['homelab/prod/apps/data/harbor_networkpolicy_allow-harbor-to-postgres-pooler-harbor.yaml']) as any;
  expect(egress.spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.25.11.201/32' } }]);
  expect(Object.keys(tree).filter((f) => f.startsWith('homelab/prod/infra/apps/'))).toEqual([]);
});

test('an app on another cluster than its database, which is not exported there, is refused', () => {
  const envDir = exampleWith((prod) => {
    prod.placement = { apps: 'apps', ingress: 'apps' };
    prod.postgres.databases.push({ name: 'wiki' });
    prod.apps = { wiki: { ...HARBOR, database: 'wiki' } };
  });
  expectProblem(
    environmentError(() => synth({ envDir, outDir: path.join(tempDir('strata-apps-out-'), 'dist') })),
    {
      file: PROD,
      path: 'apps.wiki.database',
      value: 'wiki',
      message: /app wiki runs on cluster apps and its database wiki on infra, not exported to apps/,
      fix: /export it: postgres\.databases\.3\.export: \{to: apps, address: .*\}, or place apps on infra/,
    },
  );
});

test('an init Job runs in the init layer, which the apps layer waits for, after the data layer it uses', () => {
  const envDir = path.join(tempDir('strata-apps-env-'), 'environments');
  fs.cpSync(path.join(PROJECT_ROOT, 'environments'), envDir, { recursive: true });
  const file = path.join(envDir, 'overlays/region-a/dev.yaml');
  const dev = (yaml.load(fs.readFileSync(file, 'utf8')) as any) ?? {};
  dev.apps = { hello: { database: 'hrm', init: { command: ['/bin/sh', '-c', 'psql -c "select 1"'], image: 'docker.io/library/postgres:17.5' } } };
  fs.writeFileSync(file, yaml.dump(dev));
  const out = path.join(tempDir('strata-apps-out-'), 'dist');
  synth({ envDir, outDir: out, only: ['region-a/dev'] });
  const tree = readTree(out);
  const job = Object.keys(tree).filter((f) => f.startsWith('region-a/dev/init/') && f.includes('_job_'));
  expect(job).toEqual([expect.stringMatching(/^region-a\/dev\/init\/hello_job_hello-init-[0-9a-f]{8}\.yaml$/)]);
  // The credentials' copy is the init layer's; the app reads it there.
  expect(Object.keys(tree).filter((f) => f.includes('hello_externalsecret_'))).toEqual([
    'region-a/dev/init/hello_externalsecret_postgres-hrm-credentials.yaml',
  ]);
  const entry = (layer: string) => (yaml.load(tree[`clusters/region-a-dev/flux-system_kustomization_strata-${layer}.yaml`]) as any).spec;
  expect(entry('apps').dependsOn.map((d: any) => d.name)).toEqual(expect.arrayContaining(['strata-init', 'strata-data']));
  expect(entry('init').dependsOn.map((d: any) => d.name)).toEqual(expect.arrayContaining(['strata-data']));
  expect(entry('init').wait).toBe(true);
});

describe('a split across the environments of a shared cluster (the community-site example: prod 70, stage 30)', () => {
  const COMMUNITY = path.join(PROJECT_ROOT, 'examples', 'k3s-community-site');

  function community(edit: (files: Record<string, any>) => void): string {
    const dir = tempDir('strata-split-');
    fs.cpSync(COMMUNITY, dir, { recursive: true });
    const rels = ['regions/dirtbike.yaml', 'overlays/dirtbike/prod.yaml', 'overlays/dirtbike/stage.yaml'];
    const files = Object.fromEntries(rels.map((r) => [r, yaml.load(fs.readFileSync(path.join(dir, r), 'utf8')) as any]));
    edit(files);
    for (const r of rels) fs.writeFileSync(path.join(dir, r), yaml.dump(files[r]));
    return dir;
  }

  test("70% to prod's app and 30% to stage's, through a weighted TraefikService Traefik may send across namespaces", () => {
    const out = path.join(tempDir('strata-split-out-'), 'dist');
    synth({ envDir: COMMUNITY, outDir: out });
    const tree = readTree(out);
    const split = yaml.load(tree['dirtbike/prod/ingress/prod_traefikservice_wordpress-split.yaml']) as any;
    expect(split.spec.weighted.services).toEqual([
      { name: 'wordpress', port: 8080, weight: 70 },
      { name: 'wordpress', namespace: 'stage', port: 8080, weight: 30 },
    ]);
    const route = yaml.load(tree['dirtbike/prod/ingress/prod_ingressroute_wordpress.yaml']) as any;
    expect(route.spec.routes[0].services).toEqual([{ name: 'wordpress-split', kind: 'TraefikService' }]);
    // Traefik reaches stage's pods; the egress halves, in Traefik's namespace, carry each environment's namespace.
    expect(Object.keys(tree)).toContain('dirtbike/stage/ingress/stage_networkpolicy_allow-traefik-to-stage-wordpress-split-ingress.yaml');
    expect(Object.keys(tree).filter((f) => /traefik_networkpolicy_allow-traefik-to-.*logto/.test(f))).toEqual([
      'dirtbike/k3s/ingress/traefik_networkpolicy_allow-traefik-to-prod-logto-egress.yaml',
      'dirtbike/k3s/ingress/traefik_networkpolicy_allow-traefik-to-stage-logto-egress.yaml',
    ]);
    const release = yaml.load(tree['dirtbike/k3s/operators/traefik_helmrelease_traefik.yaml']) as any;
    expect(release.spec.values.providers.kubernetesCRD.allowCrossNamespace).toBe(true);
  });

  test('without ingress.allowCrossNamespace, or to an environment without the app, the split is refused', () => {
    const closed = community((f) => {
      f['regions/dirtbike.yaml'].defaults.ingress.allowCrossNamespace = false;
    });
    expectProblem(
      environmentError(() => synth({ envDir: closed, outDir: path.join(tempDir('strata-split-out-'), 'dist') })),
      {
        file: 'overlays/dirtbike/prod.yaml',
        path: 'apps.wordpress.expose.split',
        message: /sends traffic to stage, whose apps are in other namespaces/,
        fix: /ingress\.allowCrossNamespace: true in the region's defaults/,
      },
    );
    const without = community((f) => {
      f['overlays/dirtbike/stage.yaml'].apps.wordpress.enabled = false;
    });
    expectProblem(
      environmentError(() => synth({ envDir: without, outDir: path.join(tempDir('strata-split-out-'), 'dist') })),
      {
        file: 'overlays/dirtbike/prod.yaml',
        path: 'apps.wordpress.expose.split.stage',
        message: /environment stage runs no app wordpress/,
        fix: /add apps\.wordpress to stage/,
      },
    );
  });
});
