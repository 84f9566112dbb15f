/**
 * Alert routing under the VictoriaMetrics stack: the same settings as a VMAlertmanagerConfig
 * (Alertmanager's field names, credentials from the same Secrets), checked with amtool on the
 * configuration the VictoriaMetrics operator builds from it and the VMAlertmanager's root
 * configuration: receivers renamed `<namespace>-<name>-<receiver>`, the configuration's route
 * a child of the root route with `continue: true` (enforced by the operator), and no namespace
 * matcher (`disableNamespaceMatcher`). No AlertmanagerConfig is rendered beside it (the
 * operator would convert it and notify every receiver twice).
 */
import { AlertRoutingProps } from '../../../constructs/monitoring/alert-routing';
import { AlertRoutingSettings } from '../../../constructs/monitoring/alert-routing-settings';
import { VM_ALERTMANAGER_BASE_CONFIG } from '../../../constructs/monitoring/victoria-metrics-stack';
import { VmAlertRouting } from '../../../constructs/monitoring/vm-alert-routing';
import { AMTOOL_MISSING, checkConfig, routeOf } from '../../support/amtool';
import { EXTERNAL_SECRETS, schemaIssues, testLayer } from '../../support/layer';

const SETTINGS: AlertRoutingSettings = {
  receivers: {
    'on-call': { pagerduty: {} },
    'platform-chat': { slack: { channel: '#platform-alerts' } },
    'data-chat': { slack: { channel: '#data-platform' } },
    heartbeat: { webhook: {} },
    genie: { opsgenie: { apiUrl: 'https://api.eu.opsgenie.com/' } },
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
  const props: AlertRoutingProps = { ...settings, secretBackend: EXTERNAL_SECRETS, secretKeyPrefix: 'homelab/prod' };
  new VmAlertRouting(layer.chart, 'AlertRouting', props);
  return layer;
}

const PLACEHOLDER: Record<string, [string, string]> = {
  routing_key: ['routing_key', 'placeholder-routing-key'],
  api_key: ['api_key', 'placeholder-api-key'],
  api_url: ['api_url', 'https://hooks.example.invalid/services/placeholder'],
  url_secret: ['url', 'https://hooks.example.invalid/placeholder'],
  auth_password: ['auth_password', 'placeholder-password'],
};

/** The Alertmanager configuration the VictoriaMetrics operator builds from the root configuration and the VMAlertmanagerConfig. */
function operatorMerged(vmac: any): any {
  const prefix = `${vmac.metadata.namespace}-${vmac.metadata.name}-`;
  const route = (r: any): any => ({
    ...r,
    receiver: `${prefix}${r.receiver}`,
    ...(r.routes ? { routes: r.routes.map(route) } : {}),
  });
  const receivers = vmac.spec.receivers.map((r: any) => {
    const out: any = { name: `${prefix}${r.name}` };
    for (const [kind, configs] of Object.entries(r)) {
      if (kind === 'name') continue;
      out[kind] = (configs as any[]).map((c) =>
        Object.fromEntries(
          Object.entries(c).map(([k, v]) => (PLACEHOLDER[k] && typeof v === 'object' ? PLACEHOLDER[k] : [k === 'apiURL' ? 'api_url' : k, v])),
        ),
      );
    }
    return out;
  });
  const base = VM_ALERTMANAGER_BASE_CONFIG;
  return {
    ...base,
    route: { ...base.route, routes: [{ ...route(vmac.spec.route), continue: true }, ...base.route.routes] },
    receivers: [...base.receivers, ...receivers],
  };
}

const merged = (settings?: AlertRoutingSettings) => operatorMerged(build(settings).find('VMAlertmanagerConfig', 'platform-alerting', 'monitoring'));
const to = (name: string) => `monitoring-platform-alerting-${name}`;

test('each receiver reads its key or URL from the same Secrets; nothing secret is in the VMAlertmanagerConfig; the egress is the VMAlertmanager’s', () => {
  const layer = build();
  expect(layer.all('ExternalSecret').map((s) => s.metadata.name)).toEqual([
    'alertmanager-data-chat',
    'alertmanager-genie',
    'alertmanager-heartbeat',
    'alertmanager-on-call',
    'alertmanager-ops-mail',
    'alertmanager-platform-chat',
  ]);
  expect(layer.all('AlertmanagerConfig')).toEqual([]);
  const config = layer.find('VMAlertmanagerConfig', 'platform-alerting', 'monitoring');
  const receiver = (name: string) => config.spec.receivers.find((r: any) => r.name === name);
  expect(receiver('on-call').pagerduty_configs[0].routing_key).toEqual({ name: 'alertmanager-on-call', key: 'routingKey' });
  expect(receiver('platform-chat').slack_configs[0].api_url).toEqual({ name: 'alertmanager-platform-chat', key: 'url' });
  expect(receiver('heartbeat').webhook_configs[0]).toEqual({ url_secret: { name: 'alertmanager-heartbeat', key: 'url' }, send_resolved: true });
  expect(receiver('genie').opsgenie_configs[0]).toEqual({
    api_key: { name: 'alertmanager-genie', key: 'apiKey' },
    apiURL: 'https://api.eu.opsgenie.com/',
    send_resolved: true,
  });
  expect(receiver('ops-mail').email_configs[0]).toMatchObject({
    auth_username: 'alertmanager',
    auth_password: { name: 'alertmanager-ops-mail', key: 'password' },
    require_tls: true,
  });
  const egress = layer.find('NetworkPolicy', 'allow-vmalertmanager-to-receivers-egress', 'monitoring');
  expect(egress.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'vmalertmanager' });
  expect(egress.spec.egress[0].ports.map((p: any) => p.port)).toEqual([443, 587]);
  expect(schemaIssues(layer.manifests())).toEqual([]);
});

test('settings that cannot route are refused as under kube-prometheus-stack', () => {
  expect(() => build({ ...SETTINGS, defaultReceiver: 'pager' })).toThrow(/monitoring.alerting.defaultReceiver: receiver "pager" is not declared/);
});

(AMTOOL_MISSING ? describe.skip : describe)(`routing, as Alertmanager runs it${AMTOOL_MISSING ? ` (${AMTOOL_MISSING})` : ''}`, () => {
  test('the root configuration alone, and merged with the VMAlertmanagerConfig, pass amtool check-config', () => {
    expect(checkConfig(VM_ALERTMANAGER_BASE_CONFIG)).toBe('');
    expect(checkConfig(merged())).toBe('');
  });

  test('critical alerts page and, from the data layer, also reach the data channel; warnings go by layer, else to the default', () => {
    const config = merged();
    expect(routeOf(config, { alertname: 'PostgresInstanceDown', severity: 'critical', layer: 'data', namespace: 'postgres' })).toEqual([
      to('on-call'),
      to('data-chat'),
    ]);
    expect(routeOf(config, { alertname: 'VeleroBackupMissing', severity: 'warning', layer: 'backup', namespace: 'velero' })).toEqual([
      to('ops-mail'),
    ]);
    expect(routeOf(config, { alertname: 'CertificateNotReady', severity: 'warning', layer: 'monitoring', namespace: 'traefik' })).toEqual([
      to('platform-chat'),
    ]);
  });

  test('the Watchdog heartbeat goes to the dead man’s switch; without one it is dropped', () => {
    expect(routeOf(merged(), { alertname: 'Watchdog', severity: 'none' })).toEqual([to('heartbeat'), 'null']);
    const { watchdog: _w, ...without } = SETTINGS;
    expect(routeOf(merged(without), { alertname: 'Watchdog', severity: 'none' })).toEqual([to('drop'), 'null']);
  });
});
