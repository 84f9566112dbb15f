import { AppInit } from '../../../constructs/apps/app-init';
import { Application } from '../../../constructs/apps/application';
import { CloudNativePgCluster } from '../../../constructs/data/cloudnative-pg-cluster';
import { EXTERNAL_SECRETS, schemaIssues, testLayer } from '../../support/layer';

const IMAGE = 'docker.io/library/postgres:17.5';

function init(command = ['psql', '-f', '/seed.sql'], env: Record<string, string> = {}) {
  const layer = testLayer('init');
  const job = new AppInit(layer.chart, 'Init', { app: 'logto', namespace: 'logto', image: IMAGE, command, env });
  return { ...layer, job };
}

test('a Job named after the app and a hash of what it runs: the same content, the same name; other content, another name', () => {
  const a = init();
  const b = init();
  const c = init(['psql', '-f', '/seed-v2.sql']);
  const d = init(undefined, { LOGTO_SEED: 'true' });
  expect(a.job.jobName).toMatch(/^logto-init-[0-9a-f]{8}$/);
  expect(b.job.jobName).toBe(a.job.jobName);
  expect(new Set([a.job.jobName, c.job.jobName, d.job.jobName]).size).toBe(3);
  const job = a.find('Job', a.job.jobName, 'logto');
  expect(job.spec.template.spec.restartPolicy).toBe('Never');
  expect(job.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  expect(job.spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'logto-init', 'app.kubernetes.io/instance': 'logto' });
  expect(job.metadata.annotations).toMatchObject({
    'kustomize.toolkit.fluxcd.io/force': 'enabled',
    'argocd.argoproj.io/sync-options': 'Replace=true',
  });
  expect(schemaIssues(a.manifests())).toEqual([]);
});

test('an empty command is refused', () => {
  expect(() => init([])).toThrow(/command is empty/);
});

test("granted first, the init Job's copy of the credentials is the one the app reads; each has its own path to the pooler", () => {
  const layer = testLayer('apps');
  const pg = new CloudNativePgCluster(layer.chart, 'Postgres', { secretBackend: EXTERNAL_SECRETS });
  pg.addDatabase('logto');
  const job = new AppInit(layer.chart, 'Init', { app: 'logto', namespace: 'logto', image: IMAGE, command: ['/seed'] });
  const app = new Application(layer.chart, 'Logto', { name: 'logto', image: 'ghcr.io/logto-io/logto:1.27.0', port: 3001 });
  job.useDatabase(pg.grantDatabase(job, 'logto'));
  app.useDatabase(pg.grantDatabase(app, 'logto'));
  expect(
    layer
      .all('ExternalSecret')
      .filter((e) => e.metadata.namespace === 'logto')
      .map((e) => e.metadata.name),
  ).toEqual(['postgres-logto-credentials']);
  const policies = layer
    .all('NetworkPolicy')
    .filter((p) => p.metadata.namespace === 'logto')
    .map((p) => p.metadata.name)
    .sort();
  expect(policies).toEqual(['allow-logto-init-to-postgres-pooler-logto-egress', 'allow-logto-to-postgres-pooler-logto-egress']);
  const env = layer.find('Job', job.jobName, 'logto').spec.template.spec.containers[0].env;
  expect(env.find((e: any) => e.name === 'PGHOST').value).toBe('postgres-pooler-logto.postgres.svc.cluster.local');
});
