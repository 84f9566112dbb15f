/**
 * Every alert rule the committed tree ships passes Prometheus' own checker: PromQL that
 * parses, durations Prometheus accepts, annotation templates that compile.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../environments/project-root';
import { listTree } from '../gitops/tree';
import { fromYaml } from '../gitops/yaml';
import { checkRules } from './support/promtool';

test('every PrometheusRule in dist/ passes promtool check rules', () => {
  const dist = path.join(PROJECT_ROOT, 'dist');
  const rules = listTree(dist)
    .filter((rel) => /_prometheusrule_[^/]+\.yaml$/.test(rel))
    .map((rel) => ({ rel, manifest: fromYaml(fs.readFileSync(path.join(dist, rel), 'utf8')) as any }));
  expect(rules.length).toBeGreaterThan(10);
  for (const { rel, manifest } of rules) expect({ rel, kind: manifest.kind }).toEqual({ rel, kind: 'PrometheusRule' });
  expect(checkRules(rules.map(({ manifest }) => ({ name: manifest.metadata.name, spec: manifest.spec })))).toBe('');
});

test('the check reports what promtool rejects', () => {
  const broken = {
    name: 'broken',
    spec: { groups: [{ name: 'broken', rules: [{ alert: 'Broken', expr: 'rate(up[5m]', for: '5 minutes', labels: { severity: 'warning' } }] }] },
  };
  expect(checkRules([broken])).toMatch(/parse error|unclosed|not a valid duration/);
});
