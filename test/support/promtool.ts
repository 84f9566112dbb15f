/**
 * Prometheus' own rule tooling in tests: `promtool check rules` for syntax and templates, and
 * `promtool test rules` to prove that an alert fires (and stays silent) on given series.
 * promtool comes with Debian's `prometheus` package; .ci/run installs it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { RenderedRule } from './alerts';
import { tempDir } from './temp';

function promtool(args: readonly string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('promtool is not installed: `apt-get install prometheus` (Debian) provides it; .ci/run installs it');
  }
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** `promtool check rules` over PrometheusRule specs; returns its report when it fails, '' when every file passes. */
export function checkRules(specs: readonly { readonly name: string; readonly spec: { groups: unknown[] } }[]): string {
  const dir = tempDir('strata-promtool-');
  const files = specs.map((s, i) => {
    const file = `${String(i).padStart(4, '0')}-${s.name}.yaml`;
    fs.writeFileSync(path.join(dir, file), yaml.dump({ groups: s.spec.groups }));
    return file;
  });
  const { status, output } = promtool(['check', 'rules', ...files], dir);
  return status === 0 ? '' : output;
}

export interface SeriesInput {
  /** `metric{label="value", ...}` */
  readonly series: string;
  /** promtool's expanding notation, e.g. `1x20` or `0+1x10`. */
  readonly values: string;
}

export interface AlertExpectation {
  readonly alertname: string;
  /** When to evaluate, e.g. `10m`. */
  readonly evalTime: string;
  /** The labels of every alert expected to fire then (none: the alert must be silent). */
  readonly firing: readonly Readonly<Record<string, string>>[];
}

/**
 * Runs `promtool test rules` on `rules` with one-minute samples of `series`; returns '' when
 * every expectation holds, else promtool's report. Annotations are left out of the rules
 * under test (their texts are tested on their own), so only expressions, `for` and labels count.
 */
export function testAlerts(rules: readonly RenderedRule[], series: readonly SeriesInput[], expectations: readonly AlertExpectation[]): string {
  const dir = tempDir('strata-promtool-');
  // Annotations are not compared, nor the `layer` label every rule of a layer carries (test/constructs/platform/alert-rules.test.ts).
  const stripped = rules.map(({ annotations: _annotations, labels, ...rule }) => {
    const { layer: _layer, ...rest } = (labels ?? {}) as Record<string, string>;
    return { ...rule, ...(labels ? { labels: rest } : {}) };
  });
  fs.writeFileSync(path.join(dir, 'rules.yaml'), yaml.dump({ groups: [{ name: 'under-test', rules: stripped }] }));
  fs.writeFileSync(
    path.join(dir, 'test.yaml'),
    yaml.dump({
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series.map((s) => ({ series: s.series, values: s.values })),
          alert_rule_test: expectations.map((e) => ({
            eval_time: e.evalTime,
            alertname: e.alertname,
            exp_alerts: e.firing.map((labels) => ({ exp_labels: labels })),
          })),
        },
      ],
    }),
  );
  const { status, output } = promtool(['test', 'rules', 'test.yaml'], dir);
  return status === 0 ? '' : output;
}

/**
 * A Grafana panel query as plain PromQL: Grafana's interval variables become a duration and
 * template variables (`$namespace`, `${cluster}`) a literal, as Grafana would interpolate them.
 */
export function interpolateGrafana(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m').replace(/\$\{[A-Za-z_]\w*(:[a-z]+)?\}|\$[A-Za-z_]\w*/g, 'x');
}

/** `promtool check rules` over PromQL expressions (each as a recording rule); '' when all parse. */
export function checkExpressions(exprs: readonly string[]): string {
  const rules = exprs.map((expr, i) => ({ record: `strata_query_${i}`, expr }));
  return checkRules([{ name: 'queries', spec: { groups: [{ name: 'queries', rules }] } }]);
}
