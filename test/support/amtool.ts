/**
 * Alertmanager's own tooling for tests: `amtool check-config` and `amtool config routes test`
 * (Debian's `prometheus-alertmanager` package; .ci/run installs it when missing), on the
 * configuration the prometheus-operator builds from the chart's root configuration and an
 * AlertmanagerConfig. That merge is the operator's (pkg/alertmanager/amcfg.go): receivers are
 * renamed `<namespace>/<name>/<receiver>`, and the AlertmanagerConfig's route becomes the first
 * child of the root route, with `continue: true` so the root's own routes still see every
 * alert. Secret selectors become placeholder values of the right shape.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { tempDir } from './temp';

export const AMTOOL_MISSING = (() => {
  const probe = spawnSync('amtool', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'amtool is not installed (apt-get install prometheus-alertmanager); the routing tests are skipped';
})();

/** The operator's field name in Alertmanager's terms: `groupBy` is `group_by`, `apiURL` is `api_url`. */
function snake(key: string): string {
  return key.replace(/URL|TLS/g, (a) => a[0] + a.slice(1).toLowerCase()).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function matcherText(m: { name: string; value: string; matchType?: string }): string {
  return `${m.name}${m.matchType ?? '='}${JSON.stringify(m.value)}`;
}

function route(r: any, prefix: string): any {
  const out: any = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'receiver') out.receiver = `${prefix}${v}`;
    else if (k === 'matchers') out.matchers = (v as any[]).map(matcherText);
    else if (k === 'routes') out.routes = (v as any[]).map((c) => route(c, prefix));
    else out[snake(k)] = v;
  }
  return out;
}

const PLACEHOLDER: Record<string, string> = {
  routingKey: 'placeholder-routing-key',
  apiKey: 'placeholder-api-key',
  apiURL: 'https://hooks.example.invalid/services/placeholder',
  urlSecret: 'https://hooks.example.invalid/placeholder',
  authPassword: 'placeholder-password',
};

function receiverConfig(c: any): any {
  const out: any = {};
  for (const [k, v] of Object.entries(c)) {
    if (v && typeof v === 'object' && 'key' in (v as any) && 'name' in (v as any)) {
      // A secret selector: the operator reads the Secret and writes its value.
      const field = k === 'urlSecret' ? 'url' : snake(k);
      out[field] = PLACEHOLDER[k];
    } else {
      out[snake(k)] = v;
    }
  }
  return out;
}

/** The Alertmanager configuration the operator runs: `base` (the chart's `alertmanager.config`) merged with `amc`. */
export function operatorMerged(base: any, amc: any): any {
  const prefix = `${amc.metadata.namespace}/${amc.metadata.name}/`;
  const receivers = (amc.spec.receivers ?? []).map((r: any) => {
    const out: any = { name: `${prefix}${r.name}` };
    for (const [k, v] of Object.entries(r)) {
      if (k !== 'name') out[snake(k)] = (v as any[]).map(receiverConfig);
    }
    return out;
  });
  const top = { ...route(amc.spec.route, prefix), continue: true };
  return {
    ...base,
    route: { ...base.route, routes: [top, ...(base.route.routes ?? [])] },
    receivers: [...base.receivers, ...receivers],
  };
}

function amtool(args: string[], config: any): { status: number; output: string } {
  const dir = tempDir('strata-amtool-');
  fs.writeFileSync(path.join(dir, 'alertmanager.yaml'), yaml.dump(config, { noRefs: true }));
  const r = spawnSync('amtool', [...args, '--config.file=alertmanager.yaml'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}`.replace(/^Warning: --config.file flag overrides.*\n?/gm, '') };
}

/** `amtool check-config`: '' when the configuration loads, else amtool's complaint. */
export function checkConfig(config: any): string {
  const dir = tempDir('strata-amtool-');
  fs.writeFileSync(path.join(dir, 'alertmanager.yaml'), yaml.dump(config, { noRefs: true }));
  const r = spawnSync('amtool', ['check-config', 'alertmanager.yaml'], { cwd: dir, encoding: 'utf8' });
  return r.status === 0 ? '' : `${r.stdout}${r.stderr}`;
}

/** The receivers an alert with `labels` is sent to, in order. */
export function routeOf(config: any, labels: Record<string, string>): string[] {
  const r = amtool(['config', 'routes', 'test', ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)], config);
  if (r.status !== 0) throw new Error(r.output);
  return r.output.trim().split(',').filter(Boolean);
}
