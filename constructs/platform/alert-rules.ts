import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ExternalPrometheus } from './external-prometheus';
import { LayerChart } from './layer-chart';
import { OverlayContext } from './overlay-context';
import { goDurationSeconds, promDuration } from './schedule-interval';
import * as monitoring from '../../imports/monitoring.coreos.com';

/**
 * Prometheus alerts as a `PrometheusRule` beside the component they watch, in its namespace
 * and layer. The kube-prometheus-stack Prometheus loads rules from every namespace without a
 * selector label (`ruleSelectorNilUsesHelmValues: false` in the operators catalog).
 */

export type AlertSeverity = 'critical' | 'warning';

export interface Alert {
  /** Alert name; several rules may share one (one per severity, or two ways to detect it). */
  readonly alert: string;
  /** PromQL, scoped by label matchers to the one component the rule belongs to. */
  readonly expr: string;
  /** How long the condition must hold, a Prometheus duration. @default fires at once */
  readonly for?: string;
  readonly severity: AlertSeverity;
  readonly summary: string;
  readonly description: string;
}

export interface AlertRulesProps {
  /** Name of the PrometheusRule and of its one group: a public contract. */
  readonly name: string;
  readonly namespace: string;
  /**
   * Labels every alert carries besides `severity`, naming what it is about (namespace,
   * cluster), so routing works even where the expression aggregates those labels away.
   */
  readonly labels: Readonly<Record<string, string>>;
  /** The alerts, resolved at synth: methods called after construction (`backupTo`) may add some. */
  readonly alerts: () => readonly Alert[];
  /**
   * The repository folder of the alerts' runbook pages, one `<alert>.md` each, beside the
   * construct that raises them (`RUNBOOKS.data`, ...): every alert carries its `runbook_url`.
   */
  readonly runbooks: RunbookFolder;
}

/** The runbook folders, one per construct area (test/constructs/runbooks.test.ts checks every alert has its page). */
export const RUNBOOKS = {
  backup: 'constructs/backup/runbooks',
  data: 'constructs/data/runbooks',
  logging: 'constructs/logging/runbooks',
  monitoring: 'constructs/monitoring/runbooks',
  search: 'constructs/search/runbooks',
  storage: 'constructs/storage/runbooks',
  streaming: 'constructs/streaming/runbooks',
} as const;
export type RunbookFolder = (typeof RUNBOOKS)[keyof typeof RUNBOOKS];

/** `runbook_url` of `alert`: its page, under the app's runbook base URL (or repository-relative). */
export function runbookUrl(scope: Construct, folder: RunbookFolder, alert: string): string {
  return `${OverlayContext.of(scope).runbookBaseUrl}${folder}/${alert}.md`;
}

/**
 * The component's PrometheusRule: one group named like the object. Where Prometheus runs
 * outside the cluster, the group goes into its rule file instead (none is returned then).
 */
export function addAlertRules(scope: Construct, id: string, props: AlertRulesProps): monitoring.PrometheusRule | undefined {
  const external = ExternalPrometheus.of(scope);
  const runbook = (alert: string) => runbookUrl(scope, props.runbooks, alert);
  // The layer is a label of every alert, for routing by layer (monitoring.alerting.routes).
  const labels = { ...props.labels, layer: LayerChart.of(scope).layer };
  if (external) {
    external.addRuleGroup({ name: `${props.namespace}/${props.name}`, labels, alerts: props.alerts, runbook });
    return undefined;
  }
  return new monitoring.PrometheusRule(scope, id, {
    metadata: { name: props.name, namespace: props.namespace },
    spec: {
      groups: Lazy.any({
        produce: () => [{ name: props.name, rules: props.alerts().map((a) => renderRule(a, labels, runbook(a.alert))) }],
      }) as unknown as monitoring.PrometheusRuleSpecGroups[],
    },
  });
}

function renderRule(a: Alert, labels: Readonly<Record<string, string>>, runbook: string): monitoring.PrometheusRuleSpecGroupsRules {
  return {
    alert: a.alert,
    expr: monitoring.PrometheusRuleSpecGroupsRulesExpr.fromString(a.expr),
    ...(a.for ? { for: a.for } : {}),
    labels: { ...labels, severity: a.severity },
    annotations: { summary: a.summary, description: a.description, runbook_url: runbook },
  };
}

/** PromQL label matchers, equality first: `{namespace="postgres", pod=~"postgres-[1-9][0-9]*"}`. */
export function matchers(equal: Readonly<Record<string, string>>, regex: Readonly<Record<string, string>> = {}): string {
  const parts = [
    ...Object.entries(equal).map(([label, value]) => `${label}="${promString(value)}"`),
    ...Object.entries(regex).map(([label, value]) => `${label}=~"${promString(value)}"`),
  ];
  return `{${parts.join(', ')}}`;
}

/** `value` as a literal inside a regular-expression matcher. */
export function regexLiteral(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function promString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** A Go duration option (`15m`, `36h`) in seconds, or an error naming the option and the fix. */
export function durationOption(what: string, option: string, value: string): number {
  const seconds = goDurationSeconds(value);
  if (!seconds || seconds < 60) throw new Error(`${what}: ${option} "${value}" is not a duration of at least a minute; use e.g. 15m or 36h`);
  return seconds;
}

/** A `for:` duration Prometheus accepts. */
export function forDuration(seconds: number): string {
  return promDuration(seconds);
}

/** Warning and critical percentages of a used share, checked: 0 < warning < critical < 100. */
export function percentOptions(what: string, option: string, warning: number, critical: number): { warning: number; critical: number } {
  const ok = (p: number) => Number.isFinite(p) && p > 0 && p < 100;
  if (!ok(warning) || !ok(critical) || warning >= critical) {
    throw new Error(
      `${what}: ${option} warning ${warning}% and critical ${critical}% must be percentages with 0 < warning < critical < 100, e.g. 80 and 90`,
    );
  }
  return { warning, critical };
}
