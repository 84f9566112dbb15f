/**
 * The rules of `ui` (environments/ui-checks.ts), one failing case each, on a copy of the
 * shipped environments (whose region-a defaults expose Grafana behind `platform-login`), and
 * what each exposed UI renders: the route to it, the login's users from the secret store.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadEnvironments } from '../../environments/load';
import { EnvironmentError } from '../../environments/problems';
import { PROJECT_ROOT } from '../../environments/project-root';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { EnvironmentChange, environmentsWith, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const REGION = 'regions/region-a.yaml';
const DEV = 'overlays/region-a/dev.yaml';
const STAGING = 'overlays/region-a/staging.yaml';

const reject = (changes: Readonly<Record<string, EnvironmentChange>>): EnvironmentError =>
  environmentError(() => loadEnvironments(environmentsWith(changes)));
const uiIn = (file: string, ui: Record<string, unknown>): Record<string, EnvironmentChange> =>
  file === REGION ? { [file]: { merge: { defaults: { ui } } } } : { [file]: { merge: { ui } } };

function rendered(changes: Readonly<Record<string, EnvironmentChange>>, overlay: string): Map<string, any> {
  const outDir = path.join(tempDir('strata-ui-'), 'dist');
  synth({ envDir: environmentsWith(changes), outDir, only: [overlay] });
  const root = path.join(outDir, overlay);
  const files = fs
    .readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.yaml'));
  return new Map(files.map((f) => [path.basename(f), yaml.load(fs.readFileSync(path.join(root, f), 'utf8'))]));
}

test('the shipped tree serves Grafana in region-a (here dev) behind the platform login, its users from the secret store', () => {
  const tree = rendered({}, 'region-a/dev');
  const route = tree.get('monitoring_ingressroute_grafana.yaml');
  expect(route.spec.routes[0].match).toBe('Host(`grafana.dev.region-a.strata.example`)');
  expect(route.spec.routes[0].middlewares).toEqual([{ name: 'secure-headers' }, { name: 'platform-login' }]);
  expect(tree.get('monitoring_externalsecret_platform-login-users.yaml').spec.data[0].remoteRef).toEqual({
    key: 'region-a/dev/ingress/platform-login',
    property: 'users',
  });
});

test("the MinIO console, OpenSearch Dashboards and Traefik's dashboard, one field each, at their default hosts", () => {
  const login = { middlewares: ['platform-login'] };
  const tree = rendered(uiIn(STAGING, { minioConsole: login, opensearchDashboards: login, traefikDashboard: login }), 'region-a/staging');
  const host = (file: string) => tree.get(file).spec.routes[0].match;
  expect(host('minio_ingressroute_storage-console.yaml')).toBe('Host(`minio-console.staging.region-a.strata.example`)');
  expect(host('opensearch_ingressroute_search-dashboards-ui.yaml')).toBe('Host(`dashboards.staging.region-a.strata.example`)');
  expect(host('traefik_ingressroute_traefik-dashboard.yaml')).toBe('Host(`traefik.staging.region-a.strata.example`)');
  expect(tree.get('minio_serverstransport_storage-console-backend.yaml').spec.rootCAs).toEqual([{ secret: 'strata-ca-trust' }]);
  expect(tree.get('traefik_helmrelease_traefik.yaml').spec.values.api).toEqual({ dashboard: true });
});

test('behind middlewares none of which authenticates, a UI is refused in the file that lists them', () => {
  expectProblem(reject(uiIn(REGION, { grafana: { middlewares: ['secure-headers'] } })), {
    file: REGION,
    path: 'ui.grafana.middlewares',
    value: ['secure-headers'],
    message: /none of the middlewares in front of grafana authenticates/,
    fix: /add a basicAuth middleware .* or a forwardAuth one/,
  });
});

test('an undeclared middleware is refused; so are a UI of a component the overlay does not run, and Grafana beside an outside Prometheus', () => {
  expectProblem(reject(uiIn(REGION, { grafana: { middlewares: ['platform-login', 'sso'] } })), {
    file: REGION,
    path: 'ui.grafana.middlewares.1',
    value: 'sso',
    message: /names middleware sso, which ingress.middlewares does not declare/,
    fix: /declare it under ingress\.middlewares/,
  });
  expectProblem(reject(uiIn(DEV, { opensearchDashboards: { middlewares: ['platform-login'] } })), {
    file: DEV,
    path: 'ui.opensearchDashboards',
    message: /the overlay runs no OpenSearch to show/,
    fix: /remove ui\.opensearchDashboards, or set opensearch\.enabled: true/,
  });
  const external = { monitoring: { external: { addresses: ['10.40.0.5'], apiServerUrl: 'https://10.40.0.10:6443' } } };
  expectProblem(reject({ [DEV]: { merge: external } }), {
    file: REGION,
    path: 'ui.grafana',
    message: /Grafana runs beside the Prometheus outside the cluster/,
    fix: /remove ui\.grafana/,
  });
});

test('a UI host that is no host name is a schema problem', () => {
  expectProblem(reject(uiIn(DEV, { traefikDashboard: { host: 'Traefik!', middlewares: ['platform-login'] } })), {
    file: DEV,
    path: 'ui.traefikDashboard.host',
    value: 'Traefik!',
    message: /./,
    fix: /DNS name/,
  });
});

test("a UI whose component runs on another cluster than the ingress layer is refused (the Talos example's infra and apps clusters)", () => {
  const dir = tempDir('strata-ui-talos-');
  fs.cpSync(path.join(PROJECT_ROOT, 'examples', 'talos-infra-apps'), dir, { recursive: true });
  const file = path.join(dir, 'overlays/homelab/prod.yaml');
  const prod = (yaml.load(fs.readFileSync(file, 'utf8')) as any) ?? {};
  Object.assign(prod, {
    minio: { enabled: true },
    placement: { ingress: 'apps', apps: 'apps' },
    ingress: { acme: { email: 'ops@homelab.example.org' }, middlewares: { login: { basicAuth: {} } } },
    ui: { minioConsole: { middlewares: ['login'] } },
  });
  fs.writeFileSync(file, yaml.dump(prod));
  expectProblem(
    environmentError(() => loadEnvironments(dir)),
    {
      file: 'overlays/homelab/prod.yaml',
      path: 'ui.minioConsole',
      message: /the data layer runs on cluster infra, and the route would be on the ingress layer's cluster apps/,
      fix: /place ingress and data on the same cluster, or remove ui\.minioConsole/,
    },
  );
});
