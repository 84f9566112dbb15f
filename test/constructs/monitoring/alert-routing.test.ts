/**
 * Alert routing, tested with Alertmanager's own tooling on the configuration the operator
 * builds from the chart's root configuration and the monitoring layer's AlertmanagerConfig:
 * it loads (`amtool check-config`), and each alert reaches the receivers its severity and
 * layer say (`amtool config routes test`).
 */
import { AlertRouting, AlertRoutingProps } from '../../../constructs/monitoring/alert-routing';
import { alertRoutingProblem, AlertRoutingSettings } from '../../../constructs/monitoring/alert-routing-settings';
import { ALERTMANAGER_BASE_CONFIG } from '../../../constructs/monitoring/prometheus-stack';
import { AMTOOL_MISSING, checkConfig, operatorMerged, routeOf } from '../../support/amtool';
import { EXTERNAL_SECRETS, testLayer } from '../../support/layer';

const SETTINGS: AlertRoutingSettings = {
  receivers: {
    'on-call': { pagerduty: {} },
    'platform-chat': { slack: { channel: '#platform-alerts' } },
    'data-chat': { slack: { channel: '#data-platform' } },
    heartbeat: { webhook: {} },
    'ops-mail': {
      email: { to: 'ops@example.org', from: 'alertmanager@example.org', smarthost: 'smtp.example.org:587', authUsername: 'alertmanager' },
    },
  },
  defaultReceiver: 'platform-chat',
  routes: [
    { severity: 'critical', receiver: 'on-call', continue: true },
    { layer: 'data', receiver: 'data-chat' },
    { layer: 'backup', severity: 'warning', receiver: 'ops-mail' },
  ],
  watchdog: 'heartbeat',
};

function build(settings: AlertRoutingSettings = SETTINGS) {
  const layer = testLayer('monitoring');
  const props: AlertRoutingProps = { ...settings, secretBackend: EXTERNAL_SECRETS, secretKeyPrefix: 'region-a/prod' };
  new AlertRouting(layer.chart, 'AlertRouting', props);
  return layer;
}

const merged = (settings?: AlertRoutingSettings) =>
  operatorMerged(ALERTMANAGER_BASE_CONFIG, build(settings).find('AlertmanagerConfig', 'platform-alerting', 'monitoring'));
const to = (name: string) => `monitoring/platform-alerting/${name}`;

test('each receiver reads its key or URL from the secret backend; nothing secret is in the AlertmanagerConfig', () => {
  const layer = build();
  const secrets = layer.all('ExternalSecret');
  expect(secrets.map((s) => [s.metadata.name, s.spec.data.map((d: any) => `${d.remoteRef.key}#${d.remoteRef.property}`)])).toEqual([
    ['alertmanager-data-chat', ['region-a/prod/monitoring/alertmanager-data-chat#url']],
    ['alertmanager-heartbeat', ['region-a/prod/monitoring/alertmanager-heartbeat#url']],
    ['alertmanager-on-call', ['region-a/prod/monitoring/alertmanager-on-call#routingKey']],
    ['alertmanager-ops-mail', ['region-a/prod/monitoring/alertmanager-ops-mail#password']],
    ['alertmanager-platform-chat', ['region-a/prod/monitoring/alertmanager-platform-chat#url']],
  ]);
  const amc = layer.find('AlertmanagerConfig', 'platform-alerting', 'monitoring');
  const receiver = (name: string) => amc.spec.receivers.find((r: any) => r.name === name);
  expect(receiver('on-call').pagerdutyConfigs[0].routingKey).toEqual({ name: 'alertmanager-on-call', key: 'routingKey' });
  expect(receiver('platform-chat').slackConfigs[0].apiURL).toEqual({ name: 'alertmanager-platform-chat', key: 'url' });
  expect(receiver('heartbeat').webhookConfigs[0]).toEqual({ urlSecret: { name: 'alertmanager-heartbeat', key: 'url' }, sendResolved: true });
  expect(receiver('ops-mail').emailConfigs[0]).toMatchObject({ authPassword: { name: 'alertmanager-ops-mail', key: 'password' }, requireTLS: true });
  // Alertmanager reaches the notifiers on HTTPS and the SMTP relay's port, nothing else.
  const egress = layer.find('NetworkPolicy', 'allow-alertmanager-to-receivers-egress', 'monitoring');
  expect(egress.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'alertmanager' });
  expect(egress.spec.egress[0].ports.map((p: any) => p.port)).toEqual([443, 587]);
});

test('an email receiver without a login has no secret', () => {
  const layer = build({
    receivers: { mail: { email: { to: 'ops@example.org', from: 'am@example.org', smarthost: 'relay.internal:25' } } },
    defaultReceiver: 'mail',
  });
  expect(layer.all('ExternalSecret')).toEqual([]);
  expect(layer.find('AlertmanagerConfig', 'platform-alerting', 'monitoring').spec.receivers[1].emailConfigs[0]).not.toHaveProperty('authPassword');
});

test("Opsgenie and PagerDuty at the account region's API", () => {
  const eu: AlertRoutingSettings = {
    receivers: {
      genie: { opsgenie: { apiUrl: 'https://api.eu.opsgenie.com/' } },
      pd: { pagerduty: { url: 'https://events.eu.pagerduty.com/v2/enqueue' } },
    },
    defaultReceiver: 'genie',
  };
  const amc = build(eu).find('AlertmanagerConfig', 'platform-alerting', 'monitoring');
  expect(amc.spec.receivers.find((r: any) => r.name === 'genie').opsgenieConfigs[0]).toEqual({
    apiKey: { name: 'alertmanager-genie', key: 'apiKey' },
    apiURL: 'https://api.eu.opsgenie.com/',
    sendResolved: true,
  });
  expect(amc.spec.receivers.find((r: any) => r.name === 'pd').pagerdutyConfigs[0].url).toBe('https://events.eu.pagerduty.com/v2/enqueue');
  if (!AMTOOL_MISSING) expect(checkConfig(merged(eu))).toBe('');
});

(AMTOOL_MISSING ? describe.skip : describe)(`routing, as Alertmanager runs it${AMTOOL_MISSING ? ` (${AMTOOL_MISSING})` : ''}`, () => {
  test('the chart root configuration alone, and merged with the AlertmanagerConfig, pass amtool check-config', () => {
    expect(checkConfig(ALERTMANAGER_BASE_CONFIG)).toBe('');
    expect(checkConfig(merged())).toBe('');
  });

  test('critical alerts page and, from the data layer, also reach the data channel; warnings go by layer, else to the default', () => {
    const config = merged();
    expect(routeOf(config, { alertname: 'PostgresInstanceDown', severity: 'critical', layer: 'data' })).toEqual([to('on-call'), to('data-chat')]);
    expect(routeOf(config, { alertname: 'KafkaBrokerDown', severity: 'critical', layer: 'streaming' })).toEqual([to('on-call')]);
    expect(routeOf(config, { alertname: 'PostgresReplicationLagHigh', severity: 'warning', layer: 'data' })).toEqual([to('data-chat')]);
    expect(routeOf(config, { alertname: 'VeleroBackupMissing', severity: 'warning', layer: 'backup' })).toEqual([to('ops-mail')]);
    expect(routeOf(config, { alertname: 'VeleroBackupFailed', severity: 'critical', layer: 'backup' })).toEqual([to('on-call')]);
    // The chart's own rules carry no layer.
    expect(routeOf(config, { alertname: 'KubeDeploymentReplicasMismatch', severity: 'warning' })).toEqual([to('platform-chat')]);
  });

  test('the Watchdog heartbeat goes to the dead man’s switch every minute; without one it is dropped, as is InfoInhibitor', () => {
    expect(routeOf(merged(), { alertname: 'Watchdog', severity: 'none' })).toEqual([to('heartbeat'), 'null']);
    const watchdog = build().find('AlertmanagerConfig', 'platform-alerting', 'monitoring').spec.route.routes[0];
    expect(watchdog).toMatchObject({ receiver: 'heartbeat', repeatInterval: '1m' });
    const { watchdog: _w, ...without } = SETTINGS;
    expect(routeOf(merged(without), { alertname: 'Watchdog', severity: 'none' })).toEqual([to('drop'), 'null']);
    expect(routeOf(merged(), { alertname: 'InfoInhibitor', severity: 'none' })).toEqual([to('drop')]);
  });

  test('without an AlertmanagerConfig every alert is dropped (the chart root routes to null)', () => {
    expect(routeOf(ALERTMANAGER_BASE_CONFIG, { alertname: 'NodeNotReady', severity: 'critical' })).toEqual(['null']);
  });
});

describe('settings that cannot route are refused, with the path and the fix', () => {
  const problem = (patch: Partial<AlertRoutingSettings>) => alertRoutingProblem({ ...SETTINGS, ...patch });

  test('an undeclared receiver', () => {
    expect(problem({ defaultReceiver: 'pager' })).toEqual({
      path: 'defaultReceiver',
      message: 'receiver "pager" is not declared',
      fix: 'use one of monitoring.alerting.receivers (data-chat, heartbeat, on-call, ops-mail, platform-chat), or declare it there',
    });
    expect(problem({ watchdog: 'snitch' })?.path).toBe('watchdog');
    expect(problem({ routes: [{ severity: 'critical', receiver: 'pager' }] })?.path).toBe('routes.0.receiver');
  });

  test('a route that matches everything, and one an earlier route always takes', () => {
    expect(problem({ routes: [{ receiver: 'on-call' }] })).toMatchObject({ path: 'routes.0', fix: expect.stringContaining('defaultReceiver') });
    expect(
      problem({
        routes: [
          { layer: 'data', receiver: 'data-chat' },
          { layer: 'data', severity: 'critical', receiver: 'on-call' },
        ],
      }),
    ).toMatchObject({ path: 'routes.1', message: 'is never used: route 0 before it matches every alert it would' });
    // With continue, the later route still sees the alert.
    expect(
      problem({
        routes: [
          { layer: 'data', receiver: 'data-chat', continue: true },
          { layer: 'data', severity: 'critical', receiver: 'on-call' },
        ],
      }),
    ).toBeUndefined();
  });

  test('an unknown layer, a bad SMTP relay, address or channel', () => {
    expect(problem({ routes: [{ layer: 'database', receiver: 'data-chat' }] })).toMatchObject({
      path: 'routes.0.layer',
      fix: expect.stringContaining('data, streaming'),
    });
    const mail = (email: any) => problem({ receivers: { ...SETTINGS.receivers, 'ops-mail': { email } } });
    expect(mail({ to: 'ops@example.org', from: 'am@example.org', smarthost: 'smtp.example.org' })?.path).toBe('receivers.ops-mail.email.smarthost');
    expect(mail({ to: 'ops@example.org', from: 'am@example.org', smarthost: 'smtp.example.org:99999' })?.path).toBe(
      'receivers.ops-mail.email.smarthost',
    );
    expect(mail({ to: 'ops', from: 'am@example.org', smarthost: 'smtp.example.org:587' })?.path).toBe('receivers.ops-mail.email.to');
    expect(problem({ receivers: { ...SETTINGS.receivers, 'data-chat': { slack: { channel: 'Data Platform' } } } })?.path).toBe(
      'receivers.data-chat.slack.channel',
    );
  });

  test('the construct refuses them too, naming the setting', () => {
    expect(() => build({ ...SETTINGS, defaultReceiver: 'pager' })).toThrow(
      /^monitoring\.alerting\.defaultReceiver: receiver "pager" is not declared; use one of/,
    );
  });
});
