/**
 * The rules of `monitoring.alerting` (environments/monitoring-checks.ts), one failing case
 * each on a copy of the shipped environments (whose prod overlays route alerts to PagerDuty,
 * Slack and a dead man's switch), and what the shipped routing renders.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadEnvironments } from '../../environments/load';
import { EnvironmentError } from '../../environments/problems';
import { PROJECT_ROOT } from '../../environments/project-root';
import { environmentError, expectProblem } from '../support/problems';
import { EnvironmentChange, environmentsWith, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const PROD = 'overlays/region-a/prod.yaml';
const DEV = 'overlays/region-a/dev.yaml';

const reject = (changes: Readonly<Record<string, EnvironmentChange>>): EnvironmentError =>
  environmentError(() => loadEnvironments(environmentsWith(changes)));
const alerting = (file: string, value: Record<string, unknown>): Record<string, EnvironmentChange> => ({
  [file]: { merge: { monitoring: { alerting: value } } },
});
const dist = (rel: string) => yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, 'dist', rel), 'utf8')) as any;

test('the shipped prod overlays route alerts through an AlertmanagerConfig in the monitoring layer; dev drops them', () => {
  const amc = dist('region-a/prod/monitoring/monitoring_alertmanagerconfig_platform-alerting.yaml');
  expect(amc.spec.route.receiver).toBe('platform-chat');
  expect(amc.spec.route.routes.map((r: any) => [r.matchers.map((m: any) => `${m.name}=${m.value}`).join(','), r.receiver])).toEqual([
    ['alertname=Watchdog', 'heartbeat'],
    ['alertname=InfoInhibitor', 'drop'],
    ['severity=critical', 'on-call'],
    ['layer=data', 'data-chat'],
  ]);
  expect(dist('region-b/prod/monitoring/monitoring_externalsecret_alertmanager-on-call.yaml').spec.data[0].remoteRef).toEqual({
    key: 'region-b/prod/monitoring/alertmanager-on-call',
    property: 'routingKey',
  });
  expect(fs.existsSync(path.join(PROJECT_ROOT, 'dist/region-a/dev/monitoring/monitoring_alertmanagerconfig_platform-alerting.yaml'))).toBe(false);
  // Every rule's alerts carry their layer, which routes match on.
  const rule = dist('region-a/prod/data/postgres_prometheusrule_postgres.yaml');
  expect(new Set(rule.spec.groups[0].rules.map((r: any) => r.labels.layer))).toEqual(new Set(['data']));
});

test('a receiver that is not declared is refused where the route names it', () => {
  expectProblem(reject(alerting(DEV, { receivers: { chat: { slack: { channel: '#dev' } } }, defaultReceiver: 'pager' })), {
    file: DEV,
    path: 'monitoring.alerting.defaultReceiver',
    value: 'pager',
    message: /receiver "pager" is not declared/,
    fix: /use one of monitoring\.alerting\.receivers \(chat\)/,
  });
  expectProblem(reject({ [PROD]: { merge: { monitoring: { alerting: { routes: [{ severity: 'warning', receiver: 'mail' }] } } } } }), {
    file: PROD,
    path: 'monitoring.alerting.routes.0.receiver',
    value: 'mail',
    message: /receiver "mail" is not declared/,
    fix: /declare it there/,
  });
});

test('a route that matches every alert, a layer that does not exist, and a receiver of no known kind are refused', () => {
  expectProblem(reject({ [PROD]: { merge: { monitoring: { alerting: { routes: [{ receiver: 'on-call' }] } } } } }), {
    file: PROD,
    path: 'monitoring.alerting.routes.0',
    message: /matches every alert/,
    fix: /give the route a severity or a layer/,
  });
  expectProblem(reject({ [PROD]: { merge: { monitoring: { alerting: { routes: [{ layer: 'db', receiver: 'on-call' }] } } } } }), {
    file: PROD,
    path: 'monitoring.alerting.routes.0.layer',
    value: 'db',
    message: /"db" is not a layer/,
    fix: /use one of foundation, operators, data/,
  });
  expectProblem(reject(alerting(DEV, { receivers: { chat: { teams: { url: 'https://example.org/hook' } } }, defaultReceiver: 'chat' })), {
    file: DEV,
    path: 'monitoring.alerting.receivers.chat',
    message: /./,
    fix: /pagerduty: \{\}\}.*slack: \{channel\}/,
  });
});

test('a webhook URL or key written into the file is refused: it belongs in the secret store', () => {
  expectProblem(reject(alerting(DEV, { receivers: { hook: { webhook: { url: 'https://hooks.example.org/T0/B0/x' } } }, defaultReceiver: 'hook' })), {
    file: DEV,
    path: 'monitoring.alerting.receivers.hook.webhook.url',
    message: /./,
    fix: /./,
  });
});

test('routing beside a Prometheus outside the cluster is refused', () => {
  const external = { external: { addresses: ['10.40.0.5'], apiServerUrl: 'https://10.40.0.10:6443' } };
  expectProblem(reject({ [PROD]: { merge: { monitoring: external } } }), {
    file: PROD,
    path: 'monitoring.alerting',
    message: /Prometheus runs outside the cluster/,
    fix: /configure the receivers on the Alertmanager beside the external Prometheus/,
  });
});

describe('monitoring.stack: victoriametrics', () => {
  const B_DEV = 'overlays/region-b/dev.yaml';

  test('defaults to kube-prometheus-stack, and region-b (no Grafana exposed) loads with victoriametrics', () => {
    const shipped = loadEnvironments(environmentsWith());
    expect(new Set(shipped.map((o) => o.settings.monitoring.stack))).toEqual(new Set(['kube-prometheus-stack']));
    const vm = loadEnvironments(environmentsWith({ [B_DEV]: { merge: { monitoring: { stack: 'victoriametrics' } } } }));
    expect(vm.find((o) => o.id === 'region-b/dev')!.settings.monitoring.stack).toBe('victoriametrics');
  });

  test('beside a Prometheus outside the cluster is refused', () => {
    const external = { external: { addresses: ['10.40.0.5'], apiServerUrl: 'https://10.40.0.10:6443' } };
    expectProblem(reject({ [B_DEV]: { merge: { monitoring: { stack: 'victoriametrics', ...external } } } }), {
      file: B_DEV,
      path: 'monitoring.stack',
      value: 'victoriametrics',
      message: /monitoring.external says Prometheus runs outside it/,
      fix: /remove monitoring.stack .* or remove monitoring.external/,
    });
  });

  test('with Grafana exposed: loads, Grafana reading VictoriaMetrics (region-a exposes it)', () => {
    const vm = loadEnvironments(environmentsWith({ [PROD]: { merge: { monitoring: { stack: 'victoriametrics' } } } }));
    const prod = vm.find((o) => o.id === 'region-a/prod')!;
    expect(prod.settings.monitoring.stack).toBe('victoriametrics');
    expect(prod.settings.ui.grafana).toBeDefined();
  });

  test('prod stores in a VMCluster, staging and dev in one VMSingle (the tiers)', () => {
    const vm = loadEnvironments(environmentsWith({ 'overlays/region-b/prod.yaml': { merge: { monitoring: { stack: 'victoriametrics' } } } }));
    const storage = (id: string) => vm.find((o) => o.id === id)!.settings.monitoring.victoriametrics;
    expect(storage('region-b/prod')).toEqual({ storage: 'cluster', storageNodes: 3, replicationFactor: 2 });
    expect(storage('region-b/dev').storage).toBe('single');
    expect(storage('region-b/staging').storage).toBe('single');
  });

  test('more copies of each sample than storage nodes is refused, naming both fields', () => {
    const B_PROD = 'overlays/region-b/prod.yaml';
    expectProblem(
      reject({ [B_PROD]: { merge: { monitoring: { stack: 'victoriametrics', victoriametrics: { storageNodes: 2, replicationFactor: 3 } } } } }),
      {
        file: B_PROD,
        path: 'monitoring.victoriametrics.replicationFactor',
        value: 3,
        message: /replicationFactor 3 asks for more copies of each sample than the 2 storage nodes can hold/,
        fix: /lower replicationFactor to 2 or less, or raise storageNodes to 3 or more/,
      },
    );
  });

  test('an unknown storage is refused by the schema', () => {
    expectProblem(reject({ [B_DEV]: { merge: { monitoring: { stack: 'victoriametrics', victoriametrics: { storage: 'sharded' } } } } }), {
      file: B_DEV,
      path: 'monitoring.victoriametrics.storage',
      message: /must be one of|is not one of|allowed/,
      fix: /set storage to single .* or cluster/,
    });
  });

  test('an unknown stack is refused by the schema', () => {
    expectProblem(reject({ [B_DEV]: { merge: { monitoring: { stack: 'thanos' } } } }), {
      file: B_DEV,
      path: 'monitoring.stack',
      message: /must be one of|is not one of|allowed/,
      fix: /kube-prometheus-stack .* or victoriametrics/,
    });
  });

  test('on a cluster every environment shares is refused (one stack would be rendered per environment)', () => {
    const dir = tempDir('strata-env-');
    fs.cpSync(path.join(PROJECT_ROOT, 'examples', 'k3s-community-site'), dir, { recursive: true });
    const region = path.join(dir, 'regions', 'dirtbike.yaml');
    const doc = yaml.load(fs.readFileSync(region, 'utf8')) as any;
    doc.defaults = { ...doc.defaults, monitoring: { ...doc.defaults?.monitoring, stack: 'victoriametrics' } };
    fs.writeFileSync(region, yaml.dump(doc));
    expectProblem(
      environmentError(() => loadEnvironments(dir)),
      {
        file: 'regions/dirtbike.yaml',
        path: 'monitoring.stack',
        message: /which every environment of the region shares/,
        fix: /keep monitoring.stack: kube-prometheus-stack on a shared cluster/,
      },
    );
  });
});

describe('monitoring.grafana.sso', () => {
  const sso = (file: string, value: Record<string, unknown>, more: Record<string, unknown> = {}): Record<string, EnvironmentChange> => ({
    [file]: { merge: { monitoring: { grafana: { sso: value }, ...more } } },
  });
  const REALM = 'https://id.example.org/realms/platform';

  test('a realm with an endpoint of its own is refused where the endpoint is', () => {
    expectProblem(reject(sso(PROD, { keycloakRealm: REALM, clientId: 'grafana', tokenUrl: 'https://id.example.org/token' })), {
      file: PROD,
      path: 'monitoring.grafana.sso.tokenUrl',
      value: 'https://id.example.org/token',
      message: /tokenUrl given beside keycloakRealm/,
      fix: /remove tokenUrl, or remove keycloakRealm and give all three endpoints/,
    });
  });

  test('a provider without its token endpoint, or over http, is refused', () => {
    expectProblem(reject(sso(PROD, { clientId: 'grafana', authUrl: 'https://login.example.org/a', apiUrl: 'https://login.example.org/u' })), {
      file: PROD,
      path: 'monitoring.grafana.sso.tokenUrl',
      message: /tokenUrl is missing/,
      fix: /give keycloakRealm, or all of authUrl, tokenUrl and apiUrl/,
    });
    expectProblem(reject(sso(PROD, { clientId: 'grafana', authUrl: 'http://login.example.org/a' })), {
      file: PROD,
      path: 'monitoring.grafana.sso.authUrl',
      value: 'http://login.example.org/a',
      message: /./,
      fix: /authorization endpoint as an https URL/,
    });
  });

  test('a group that would break out of the role expression is refused', () => {
    expectProblem(reject(sso(DEV, { keycloakRealm: REALM, clientId: 'grafana', editorGroups: ["ops' || 'Admin"] })), {
      file: DEV,
      path: 'monitoring.grafana.sso.editorGroups',
      message: /has a space, quote or backslash/,
      fix: /without quotes/,
    });
  });

  test('refused beside a Prometheus outside the cluster, which comes with its own Grafana', () => {
    const external = { external: { addresses: ['10.40.0.5'], apiServerUrl: 'https://10.40.0.10:6443' } };
    expectProblem(reject(sso(DEV, { keycloakRealm: REALM, clientId: 'grafana' }, external)), {
      file: DEV,
      path: 'monitoring.grafana',
      message: /Prometheus runs outside the cluster \(monitoring.external\), beside its own Grafana/,
      fix: /configure single sign-on on the Grafana beside the external Prometheus/,
    });
  });

  test('a valid realm renders the login through it, the client secret by reference', () => {
    const dir = environmentsWith(sso(PROD, { keycloakRealm: REALM, clientId: 'grafana', adminGroups: ['platform-admins'] }));
    const prod = loadEnvironments(dir).find((o) => o.id === 'region-a/prod')!;
    expect(prod.settings.monitoring.grafana?.sso).toEqual({ keycloakRealm: REALM, clientId: 'grafana', adminGroups: ['platform-admins'] });
  });
});
