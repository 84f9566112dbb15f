/**
 * Where the cluster's alerts go: an `AlertmanagerConfig` in the Alertmanager's own namespace,
 * which the operator merges at the top of the Alertmanager's routing tree (the chart selects
 * it, and matches it against every namespace's alerts: `OnNamespaceExceptForAlertmanagerNamespace`
 * in prometheus-stack.ts). Each receiver's URL or key is a Secret from the secret backend.
 *
 * Why an AlertmanagerConfig and not the chart's `alertmanager.config`: the chart is installed
 * in the operators layer, before the layers whose Secrets the receivers read exist, and an
 * Alertmanager whose configuration names a missing Secret would hold the release (and with it
 * every later layer) back. The operator skips an AlertmanagerConfig whose Secret is not there
 * yet, and picks it up when it appears, so the monitoring layer, applied last, carries it.
 */
import { Construct } from 'constructs';
import {
  AlertReceiver,
  alertRoutingProblem,
  AlertRoutingSettings,
  receiverPort,
  receiverSecretKey,
  receiverSecretName,
} from './alert-routing-settings';
import * as monitoring from '../../imports/monitoring.coreos.com';
import type { SecretBackend } from '../core/secret-backend';
import { allowEgressToAddresses, PodGroup } from '../platform/network';
import { SecretReference } from '../secrets/secret-reference';

/** The namespace of the chart's Alertmanager, and of this configuration. */
export const ALERTMANAGER_NAMESPACE = 'monitoring';
/** The chart's Alertmanager pods. */
export const ALERTMANAGER_PODS: PodGroup = { namespace: ALERTMANAGER_NAMESPACE, podLabels: { 'app.kubernetes.io/name': 'alertmanager' } };
/** The AlertmanagerConfig's name: a public contract (the operator names its receivers `monitoring/platform-alerting/<receiver>`). */
export const ALERT_ROUTING_NAME = 'platform-alerting';
/** The labels notifications are grouped by: one notification per alert and place. */
export const ALERT_GROUP_BY = ['alertname', 'region', 'environment', 'cluster', 'namespace'] as const;

export interface AlertRoutingProps extends AlertRoutingSettings {
  readonly secretBackend: SecretBackend;
  /** The secret-store folder of the receivers' entries: `<prefix>/monitoring/alertmanager-<receiver>`. */
  readonly secretKeyPrefix: string;
}

type Matcher = { name: string; value: string; matchType: '=' };
const equal = (name: string, value: string): Matcher => ({ name, value, matchType: '=' });
/** A receiver with no notifier: what is routed there is dropped. */
export const DROP = 'drop';

/** One route of the platform's routing tree: every matcher must hold. */
export interface PlatformRoute {
  readonly matchers: readonly { readonly name: string; readonly value: string }[];
  readonly receiver: string;
  readonly continue?: boolean;
  /** The heartbeat's timing (every minute). @default the tree's */
  readonly timing?: { readonly groupWait: string; readonly groupInterval: string; readonly repeatInterval: string };
}

/** The routes below the default receiver, in order: the Watchdog, the chart's InfoInhibitor, then the settings' routes. */
export function platformRoutes(settings: AlertRoutingSettings): PlatformRoute[] {
  return [
    // The heartbeat: every minute to the dead man's switch, or nowhere.
    {
      matchers: [{ name: 'alertname', value: 'Watchdog' }],
      receiver: settings.watchdog ?? DROP,
      timing: { groupWait: '0s', groupInterval: '1m', repeatInterval: '1m' },
    },
    // The chart's helper alert that silences info alerts; it notifies no one.
    { matchers: [{ name: 'alertname', value: 'InfoInhibitor' }], receiver: DROP },
    ...(settings.routes ?? []).map((r) => ({
      matchers: [...(r.severity ? [{ name: 'severity', value: r.severity }] : []), ...(r.layer ? [{ name: 'layer', value: r.layer }] : [])],
      receiver: r.receiver,
      ...(r.continue ? { continue: true } : {}),
    })),
  ];
}

/** The routing tree's timing below the routes (grouping by alert and place; a reminder every 4 hours). */
export const ROUTING_TIMING = { groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' } as const;

/**
 * The receivers' credentials, each a Secret `alertmanager-<receiver>` in the Alertmanager's
 * namespace from the secret backend, created in `scope`; returns each receiver's key selector.
 */
export function receiverSecrets(scope: Construct, props: AlertRoutingProps): (receiver: string) => { name: string; key: string } {
  const secrets = new Map<string, SecretReference>();
  for (const name of Object.keys(props.receivers).sort()) {
    const key = receiverSecretKey(props.receivers[name]);
    if (!key) continue;
    secrets.set(
      name,
      new SecretReference(scope, `Secret-${name}`, {
        backend: props.secretBackend,
        namespace: ALERTMANAGER_NAMESPACE,
        name: receiverSecretName(name),
        remoteKey: `${props.secretKeyPrefix}/monitoring/${receiverSecretName(name)}`,
        keys: { [key]: key },
      }),
    );
  }
  return (name) => secrets.get(name)!.selector(receiverSecretKey(props.receivers[name])!);
}

/** The TCP ports the receivers are sent to, for the Alertmanager's egress. */
export function receiverPorts(settings: AlertRoutingSettings): number[] {
  return [...new Set(Object.keys(settings.receivers).map((n) => receiverPort(settings.receivers[n])))].sort((a, b) => a - b);
}

export class AlertRouting extends Construct {
  public readonly config: monitoring.AlertmanagerConfig;

  constructor(scope: Construct, id: string, props: AlertRoutingProps) {
    super(scope, id);
    const problem = alertRoutingProblem(props);
    if (problem) throw new Error(`monitoring.alerting.${problem.path}: ${problem.message}; ${problem.fix}`);
    const names = Object.keys(props.receivers).sort();
    const selector = receiverSecrets(this, props);
    const routes = platformRoutes(props).map((r) => ({
      matchers: r.matchers.map((m) => equal(m.name, m.value)),
      receiver: r.receiver,
      ...(r.timing ?? {}),
      ...(r.continue ? { continue: true } : {}),
    }));
    this.config = new monitoring.AlertmanagerConfig(this, 'Resource', {
      metadata: { name: ALERT_ROUTING_NAME, namespace: ALERTMANAGER_NAMESPACE },
      spec: {
        route: {
          receiver: props.defaultReceiver,
          groupBy: [...ALERT_GROUP_BY],
          ...ROUTING_TIMING,
          routes,
        },
        receivers: [{ name: DROP }, ...names.map((name) => ({ name, ...notifier(props.receivers[name], () => selector(name)) }))],
      },
    });
    // The notifiers are outside the cluster, at addresses only their URLs (secret) know: open their ports.
    allowEgressToAddresses(this, 'Egress', {
      name: 'allow-alertmanager-to-receivers-egress',
      from: ALERTMANAGER_PODS,
      cidrs: ['0.0.0.0/0'],
      ports: receiverPorts(props),
    });
  }
}

/** The receiver's notifier, in AlertmanagerConfig's terms; `secret` is its credential's selector. */
function notifier(r: AlertReceiver, secret: () => { name: string; key: string }): Omit<monitoring.AlertmanagerConfigSpecReceivers, 'name'> {
  if ('pagerduty' in r) {
    return { pagerdutyConfigs: [{ routingKey: secret(), sendResolved: true, ...(r.pagerduty.url ? { url: r.pagerduty.url } : {}) }] };
  }
  if ('opsgenie' in r) {
    return { opsgenieConfigs: [{ apiKey: secret(), sendResolved: true, ...(r.opsgenie.apiUrl ? { apiUrl: r.opsgenie.apiUrl } : {}) }] };
  }
  if ('slack' in r) {
    return {
      slackConfigs: [
        {
          apiUrl: secret(),
          channel: r.slack.channel,
          sendResolved: true,
          title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} in {{ .CommonLabels.cluster }}/{{ .CommonLabels.namespace }}',
          text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}',
        },
      ],
    };
  }
  if ('webhook' in r) return { webhookConfigs: [{ urlSecret: secret(), sendResolved: true }] };
  const { to, from, smarthost, authUsername } = r.email;
  return {
    emailConfigs: [{ to, from, smarthost, requireTls: true, sendResolved: true, ...(authUsername ? { authUsername, authPassword: secret() } : {}) }],
  };
}
