/**
 * Where alerts go: the receivers (each one notifier whose URL or key is read from the secret
 * backend, never written here), the routes by severity and layer, and the watchdog. No
 * construct code here, so the environments' checks use it without loading the constructs.
 */
import { LAYERS } from '../core/layers';

/** One notifier. What it authenticates with is the Secret `alertmanager-<receiver>`, key {@link receiverSecretKey}. */
export type AlertReceiver =
  | {
      readonly pagerduty: {
        /** The Events API v2 endpoint. @default Alertmanager's, https://events.pagerduty.com/v2/enqueue */
        readonly url?: string;
      };
    }
  | {
      readonly opsgenie: {
        /** The API of the account's region, e.g. https://api.eu.opsgenie.com/ for the EU. @default Alertmanager's, https://api.opsgenie.com/ */
        readonly apiUrl?: string;
      };
    }
  | {
      /** A Slack incoming webhook; the webhook URL is the secret. */
      readonly slack: { /** `#platform-alerts`. */ readonly channel: string };
    }
  | {
      /** An HTTPS endpoint (an on-call tool, a dead man's switch); the URL is the secret, as it usually carries a token. */
      readonly webhook: { /** The port the URL is served on, for the egress policy. @default 443 */ readonly port?: number };
    }
  | {
      readonly email: {
        readonly to: string;
        readonly from: string;
        /** `smtp.example.org:587`: STARTTLS is required. */
        readonly smarthost: string;
        /** The SMTP login; its password is the secret. @default no authentication */
        readonly authUsername?: string;
      };
    };

export type ReceiverKind = 'pagerduty' | 'opsgenie' | 'slack' | 'webhook' | 'email';

/** A route: alerts matching every given matcher go to `receiver`; the first route that matches wins. */
export interface AlertRoute {
  readonly receiver: string;
  readonly severity?: 'critical' | 'warning';
  /** The Strata layer of the rule that raised the alert (its `layer` label). */
  readonly layer?: string;
  /** Keep matching the routes after this one as well (one alert, several receivers). @default false */
  readonly continue?: boolean;
}

export interface AlertRoutingSettings {
  readonly receivers: Readonly<Record<string, AlertReceiver>>;
  /** Where an alert no route matches goes. */
  readonly defaultReceiver: string;
  /** @default none: everything goes to the default receiver */
  readonly routes?: readonly AlertRoute[];
  /**
   * The receiver of the always-firing Watchdog alert, repeated every minute: a dead man's
   * switch that pages when the heartbeat stops (the whole alerting path is down). @default none: dropped
   */
  readonly watchdog?: string;
}

export function receiverKind(receiver: AlertReceiver): ReceiverKind {
  return Object.keys(receiver)[0] as ReceiverKind;
}

/** The secret key a receiver authenticates with, or undefined (email without a login). */
export function receiverSecretKey(receiver: AlertReceiver): string | undefined {
  if ('pagerduty' in receiver) return 'routingKey';
  if ('opsgenie' in receiver) return 'apiKey';
  if ('slack' in receiver || 'webhook' in receiver) return 'url';
  return receiver.email.authUsername ? 'password' : undefined;
}

/** The Secret a receiver's credential is in (namespace `monitoring`). */
export function receiverSecretName(receiver: string): string {
  return `alertmanager-${receiver}`;
}

/** The TCP port Alertmanager sends to: the SMTP port for email, else HTTPS (or the webhook's). */
export function receiverPort(receiver: AlertReceiver): number {
  if ('email' in receiver) return Number(receiver.email.smarthost.split(':').pop());
  if ('webhook' in receiver) return receiver.webhook.port ?? 443;
  return 443;
}

const RECEIVER_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
const SMARTHOST = /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?:[1-9][0-9]{0,4}$/;
const ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/** One problem of the settings: the field path under `monitoring.alerting`, the message and the fix. */
export interface AlertRoutingProblem {
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

/** Why the settings cannot be rendered, or undefined. */
export function alertRoutingProblem(settings: AlertRoutingSettings): AlertRoutingProblem | undefined {
  const names = Object.keys(settings.receivers).sort();
  const known = names.join(', ');
  for (const name of names) {
    const r = settings.receivers[name];
    if (!RECEIVER_NAME.test(name)) {
      return {
        path: `receivers.${name}`,
        message: `receiver name "${name}" is not a DNS label of at most 40 characters (it names the Secret alertmanager-${name})`,
        fix: 'name it with lower-case letters, digits and -, e.g. on-call',
      };
    }
    if ('email' in r) {
      for (const field of ['to', 'from'] as const) {
        if (!ADDRESS.test(r.email[field])) {
          return {
            path: `receivers.${name}.email.${field}`,
            message: `"${r.email[field]}" is not an email address`,
            fix: 'give one address, e.g. oncall@example.org',
          };
        }
      }
      const port = Number(r.email.smarthost.split(':').pop());
      if (!SMARTHOST.test(r.email.smarthost) || port > 65535) {
        return {
          path: `receivers.${name}.email.smarthost`,
          message: `"${r.email.smarthost}" is not a host and port`,
          fix: 'give the SMTP relay as host:port, e.g. smtp.example.org:587',
        };
      }
    }
    if ('slack' in r && !/^[#@]?[a-z0-9][-_.a-z0-9]{0,79}$/.test(r.slack.channel)) {
      return {
        path: `receivers.${name}.slack.channel`,
        message: `"${r.slack.channel}" is not a Slack channel name`,
        fix: 'give the channel as #name (lower-case letters, digits, -, _ and .)',
      };
    }
  }
  const receiverProblem = (path: string, receiver: string): AlertRoutingProblem | undefined =>
    settings.receivers[receiver]
      ? undefined
      : { path, message: `receiver "${receiver}" is not declared`, fix: `use one of monitoring.alerting.receivers (${known}), or declare it there` };
  const def = receiverProblem('defaultReceiver', settings.defaultReceiver);
  if (def) return def;
  if (settings.watchdog !== undefined) {
    const w = receiverProblem('watchdog', settings.watchdog);
    if (w) return w;
  }
  const routes = settings.routes ?? [];
  for (const [i, route] of routes.entries()) {
    const p = receiverProblem(`routes.${i}.receiver`, route.receiver);
    if (p) return p;
    if (route.layer !== undefined && !(LAYERS as readonly string[]).includes(route.layer)) {
      return { path: `routes.${i}.layer`, message: `"${route.layer}" is not a layer`, fix: `use one of ${LAYERS.join(', ')}` };
    }
    if (route.severity === undefined && route.layer === undefined) {
      return {
        path: `routes.${i}`,
        message: 'matches every alert, so the routes after it and the default receiver would never be used',
        fix: 'give the route a severity or a layer, or make its receiver the defaultReceiver',
      };
    }
    const earlier = routes
      .slice(0, i)
      .find((r) => !r.continue && (r.severity ?? route.severity) === route.severity && (r.layer ?? route.layer) === route.layer);
    if (earlier) {
      return {
        path: `routes.${i}`,
        message: `is never used: route ${routes.indexOf(earlier)} before it matches every alert it would`,
        fix: 'move the narrower route first, or remove it',
      };
    }
  }
  return undefined;
}
