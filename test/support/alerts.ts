/**
 * Reading a construct's PrometheusRule in tests: its rules, and the metric selectors of an
 * expression, to check that each one is scoped to the construct's own series.
 */
import type { TestLayer } from './layer';

export interface RenderedRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: { summary: string; description: string };
}

/** The rules of the one group of PrometheusRule `namespace/name` (the group is named like the object). */
export function alertRules(layer: Pick<TestLayer, 'find'>, name: string, namespace: string): RenderedRule[] {
  const rule = layer.find('PrometheusRule', name, namespace);
  expect(rule.spec.groups.map((g: any) => g.name)).toEqual([name]);
  return rule.spec.groups[0].rules;
}

/** Distinct alert names, in order. */
export const alertNames = (rules: readonly RenderedRule[]) => [...new Set(rules.map((r) => r.alert))];

/** Every `metric{matchers}` of a PromQL expression, with its matchers as written. */
export function metricSelectors(expr: string): { metric: string; matchers: string }[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)].map((m) => ({ metric: m[1], matchers: m[2] }));
}

/** Metric names of `prefixes` that appear without a selector (and so would match every cluster). */
export function unscopedMetrics(expr: string, prefixes: readonly string[]): string[] {
  const names = new RegExp(`\\b((?:${prefixes.join('|')})[a-zA-Z0-9_:]*)\\b(?!\\{)`, 'g');
  return [...expr.matchAll(names)].map((m) => m[1]);
}

/**
 * The rule is scoped: every metric selector carries each of `required` (written as PromQL
 * matchers, e.g. `namespace="postgres"`), no metric of `prefixes` is used bare, its labels name
 * `labels` and a severity, and its summary names `id` (`namespace/name`).
 */
export function expectScoped(
  rule: RenderedRule,
  required: readonly string[],
  prefixes: readonly string[],
  labels: Record<string, string>,
  id: string,
): void {
  const selectors = metricSelectors(rule.expr);
  expect(selectors.length).toBeGreaterThan(0);
  for (const s of selectors) {
    for (const matcher of required) {
      expect({ alert: rule.alert, metric: s.metric, matchers: s.matchers.split(', ') }).toEqual(
        expect.objectContaining({ matchers: expect.arrayContaining([matcher]) }),
      );
    }
  }
  expect({ alert: rule.alert, bare: unscopedMetrics(rule.expr, prefixes) }).toEqual({ alert: rule.alert, bare: [] });
  expect(rule.labels).toEqual(expect.objectContaining(labels));
  expect(['critical', 'warning']).toContain(rule.labels.severity);
  expect(rule.annotations.summary).toContain(id);
  expect(rule.annotations.description).toContain(id);
}
