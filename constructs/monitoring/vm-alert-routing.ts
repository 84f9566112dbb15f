/**
 * Where the cluster's alerts go under the VictoriaMetrics stack: the same receivers, routes and
 * watchdog as alert-routing.ts (`monitoring.alerting`), as a `VMAlertmanagerConfig` in the
 * VMAlertmanager's namespace, with the same Secrets from the secret backend and the same egress.
 *
 * Why a VMAlertmanagerConfig and not the AlertmanagerConfig the operator would convert (its
 * AlertmanagerConfig converter is on by default, VM_ENABLEDPROMETHEUSCONVERTER_ALERTMANAGERCONFIG):
 * the converted object is nowhere in Git, so the routing that pages someone would be checked by
 * neither the strict schema nor review; and rendering both would notify every receiver twice.
 * The VMAlertmanager reads configurations from its own namespace only and routes every
 * namespace's alerts through them (`disableNamespaceMatcher`, victoria-metrics-stack.ts).
 */
import { Construct } from 'constructs';
import {
  ALERT_GROUP_BY,
  ALERT_ROUTING_NAME,
  AlertRoutingProps,
  DROP,
  platformRoutes,
  receiverPorts,
  receiverSecrets,
  ROUTING_TIMING,
} from './alert-routing';
import { AlertReceiver, alertRoutingProblem } from './alert-routing-settings';
import { VM_NAMESPACE, VMALERTMANAGER_PODS } from './victoria-metrics-stack';
import * as vm from '../../imports/operator.victoriametrics.com';
import { allowEgressToAddresses } from '../platform/network';

/** An Alertmanager matcher, in the configuration file's syntax. */
const matcher = (m: { name: string; value: string }) => `${m.name}=${JSON.stringify(m.value)}`;

export class VmAlertRouting extends Construct {
  public readonly config: vm.VmAlertmanagerConfig;

  constructor(scope: Construct, id: string, props: AlertRoutingProps) {
    super(scope, id);
    const problem = alertRoutingProblem(props);
    if (problem) throw new Error(`monitoring.alerting.${problem.path}: ${problem.message}; ${problem.fix}`);
    const names = Object.keys(props.receivers).sort();
    const selector = receiverSecrets(this, props);
    const routes = platformRoutes(props).map((r) => ({
      matchers: r.matchers.map(matcher),
      receiver: r.receiver,
      ...(r.timing ? { group_wait: r.timing.groupWait, group_interval: r.timing.groupInterval, repeat_interval: r.timing.repeatInterval } : {}),
      ...(r.continue ? { continue: true } : {}),
    }));
    this.config = new vm.VmAlertmanagerConfig(this, 'Resource', {
      metadata: { name: ALERT_ROUTING_NAME, namespace: VM_NAMESPACE },
      spec: {
        route: {
          receiver: props.defaultReceiver,
          groupBy: [...ALERT_GROUP_BY],
          ...ROUTING_TIMING,
          // Nested routes are free-form in the CRD: Alertmanager's own field names.
          routes,
        },
        receivers: [{ name: DROP }, ...names.map((name) => ({ name, ...notifier(props.receivers[name], () => selector(name)) }))],
      },
    });
    // The notifiers are outside the cluster, at addresses only their URLs (secret) know: open their ports.
    allowEgressToAddresses(this, 'Egress', {
      name: 'allow-vmalertmanager-to-receivers-egress',
      from: VMALERTMANAGER_PODS,
      cidrs: ['0.0.0.0/0'],
      ports: receiverPorts(props),
    });
  }
}

/** The receiver's notifier, in VMAlertmanagerConfig's terms; `secret` is its credential's selector. */
function notifier(r: AlertReceiver, secret: () => { name: string; key: string }): Omit<vm.VmAlertmanagerConfigSpecReceivers, 'name'> {
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
