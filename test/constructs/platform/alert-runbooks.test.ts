/**
 * Every alert has its runbook (constructs/platform/alert-rules.ts, RUNBOOKS): one page per
 * alert name in the runbooks folder of the area that raises it, written for the person on
 * call in four sections, and every alert in dist/ points at its page.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { RUNBOOKS } from '../../../constructs/platform/alert-rules';
import { PROJECT_ROOT } from '../../../environments/project-root';
import { listTree } from '../../../gitops/tree';

const SECTIONS = ['## What it means', '## How to confirm', '## What to do', '## How to silence safely'];

/** Alert names raised by the sources of an area (`alert: 'Name'` in its .ts files). */
function alertsOf(area: string): string[] {
  const names = new Set<string>();
  for (const rel of listTree(path.join(PROJECT_ROOT, 'constructs', area)).filter((f) => f.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, 'constructs', area, rel), 'utf8');
    for (const m of text.matchAll(/\balert: '([A-Za-z0-9]+)'/g)) names.add(m[1]);
  }
  return [...names].sort();
}

describe.each(Object.entries(RUNBOOKS))('area %s', (area, folder) => {
  const alerts = alertsOf(area);
  const pages = fs.existsSync(path.join(PROJECT_ROOT, folder))
    ? fs
        .readdirSync(path.join(PROJECT_ROOT, folder))
        .filter((f) => f.endsWith('.md'))
        .map((f) => f.replace(/\.md$/, ''))
        .sort()
    : [];

  test('one page per alert, and no page without its alert', () => {
    expect(alerts.length).toBeGreaterThan(0);
    expect(pages).toEqual(alerts);
  });

  test.each(alerts)('%s: titled by the alert, with the four sections in order, each with content', (alert) => {
    const file = path.join(PROJECT_ROOT, folder, `${alert}.md`);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const lines = text.split('\n');
    expect(lines[0]).toBe(`# ${alert}`);
    expect(lines.filter((l) => l.startsWith('## '))).toEqual(SECTIONS);
    const sections = text.split(/^## .*$/m).slice(1);
    for (const body of sections) expect(body.trim().length).toBeGreaterThan(40);
  });
});

test("every alert in dist/ carries the runbook_url of its area's page", () => {
  const dist = path.join(PROJECT_ROOT, 'dist');
  const urls: [string, string][] = [];
  for (const rel of listTree(dist).filter((f) => f.includes('_prometheusrule_'))) {
    const rule = yaml.load(fs.readFileSync(path.join(dist, rel), 'utf8')) as any;
    for (const group of rule.spec.groups) for (const r of group.rules) urls.push([r.alert, r.annotations?.runbook_url]);
  }
  expect(urls.length).toBeGreaterThan(20);
  const folders = Object.values(RUNBOOKS) as string[];
  for (const [alert, url] of urls) {
    expect({ alert, url }).toEqual({ alert, url: expect.stringMatching(new RegExp(`/${alert}\\.md$`)) });
    expect(folders).toContain(path.posix.dirname(url));
    expect(fs.existsSync(path.join(PROJECT_ROOT, url))).toBe(true);
  }
});
