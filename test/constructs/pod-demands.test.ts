/**
 * The registry of pod demand rules (constructs/pod-demands.ts): one rule per kind, and every
 * rule reads the objects of its kind as they are really rendered.
 */
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { buildOverlay } from '../../charts/overlay';
import { POD_DEMAND_RULES } from '../../constructs/pod-demands';
import { loadEnvironments } from '../../environments/load';
import { PROJECT_ROOT } from '../../environments/project-root';
import { renderOverlay } from '../../gitops/render';
import { SchemaValidator } from '../../gitops/validator';
import { groupKind, LIMIT_RANGE } from '../support/pod-demand';
import { ENVIRONMENTS_DIR } from '../support/temp';

const ruleKey = (r: { group: string; kind: string }) => `${r.group}/${r.kind}`;

test('no two rules for one group and kind', () => {
  const keys = POD_DEMAND_RULES.map(ruleKey);
  expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  expect(keys.length).toBeGreaterThan(0);
});

describe('every rule reads its kind as rendered', () => {
  const validator = new SchemaValidator();
  const rendered = (envDir: string) =>
    loadEnvironments(envDir).flatMap((overlay) => renderOverlay(overlay, buildOverlay(overlay).clusters, { validator }).manifests);

  /** Workload kinds the platform's constructs do not render, as a user's own cdk8s chart in a layer renders them. */
  function userWorkloads(): any[] {
    const chart = new Chart(new App({ outdir: path.join(os.tmpdir(), 'strata-unused') }), 'user');
    const containers = [
      { image: 'registry.example/app:1.0', portNumber: 8080, resources: { cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(500) } } },
    ];
    new kplus.Deployment(chart, 'web', { replicas: 2, containers });
    new kplus.StatefulSet(chart, 'db', { replicas: 3, containers });
    new kplus.CronJob(chart, 'nightly', { schedule: Cron.daily(), containers });
    return chart.toJson();
  }

  let manifests: any[];
  beforeAll(() => {
    manifests = [
      ...rendered(ENVIRONMENTS_DIR),
      // The default tree runs CloudNativePG; the Zalando engine's objects come from its fixture.
      ...rendered(path.join(PROJECT_ROOT, 'test', 'fixtures', 'environments', 'zalando')),
      ...userWorkloads(),
    ];
  });

  test.each(POD_DEMAND_RULES.map((r) => [ruleKey(r), r] as const))('%s: every rendered object asks for pods', (key, rule) => {
    const objects = manifests.filter((m) => groupKind(m) === key);
    expect(objects.length).toBeGreaterThan(0);
    for (const m of objects) {
      const groups = rule.demand(m, { limitRange: LIMIT_RANGE });
      const pods = groups.reduce((n, g) => n + g.replicas, 0);
      expect([`${m.metadata.namespace}/${m.metadata.name}`, pods > 0]).toEqual([`${m.metadata.namespace}/${m.metadata.name}`, true]);
      for (const g of groups) expect(g.source).toContain(m.metadata.name);
    }
  });
});
