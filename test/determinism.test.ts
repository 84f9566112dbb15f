/**
 * The same environments render the same bytes on every machine: synth runs in child
 * processes under several locales and time zones (Node's ICU takes its default locale from
 * LANG/LC_ALL and its zone from TZ at start-up, so one process cannot try them all), and
 * every tree must equal the one rendered under C and UTC.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { compiledProject } from './support/compiled-project';
import { ENVIRONMENTS_DIR, readTree, removeTempDirs, tempDir } from './support/temp';
import { PROJECT_ROOT } from '../environments/project-root';

jest.setTimeout(120_000);

/**
 * Database names that collation orders differently: cs_CZ sorts "ch" after "h", da_DK sorts
 * "aa" after "z", lt_LT sorts "y" right after "i" (before "j"). Code-point order is
 * aabenraa, chata, checkout, hrm, ilab, jlab, ylab.
 */
const LOCALE_SENSITIVE_NAMES = ['ylab', 'jlab', 'checkout', 'chata', 'hrm', 'aabenraa', 'ilab'];

/** Each locale once, each time zone at least once; the first is the reference. */
const RUNS = [
  { locale: 'C', icuLocale: 'en-US', timeZone: 'UTC' },
  { locale: 'cs_CZ.UTF-8', icuLocale: 'cs-CZ', timeZone: 'Pacific/Kiritimati' },
  { locale: 'da_DK.UTF-8', icuLocale: 'da-DK', timeZone: 'America/St_Johns' },
  { locale: 'lt_LT.UTF-8', icuLocale: 'lt-LT', timeZone: 'Pacific/Kiritimati' },
  { locale: 'tr_TR.UTF-8', icuLocale: 'tr-TR', timeZone: 'America/St_Johns' },
] as const;

/** Runs synth for each environments folder into `<out>/<index>` and reports what ICU saw. */
const RENDER_SCRIPT = `
const [root, out, ...envDirs] = process.argv.slice(1);
const { synth } = require(root + '/main.js');
envDirs.forEach((envDir, i) => synth({ envDir, outDir: out + '/' + i }));
const { locale } = new Intl.Collator().resolvedOptions();
const { timeZone } = new Intl.DateTimeFormat().resolvedOptions();
console.log(JSON.stringify({ locale, timeZone }));
`;

interface Render {
  readonly icu: { locale: string; timeZone: string };
  readonly trees: ReadonlyArray<Record<string, string>>;
}

function render(root: string, envDirs: readonly string[], run: (typeof RUNS)[number]): Promise<Render> {
  const out = tempDir('strata-determinism-out-');
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: run.locale, LC_ALL: run.locale, TZ: run.timeZone };
  delete env.LANGUAGE;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', RENDER_SCRIPT, root, out, ...envDirs], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`synth under ${run.locale} / ${run.timeZone} exited ${code}:\n${stderr}`));
      resolve({ icu: JSON.parse(stdout.trim().split('\n').pop()!), trees: envDirs.map((_, i) => readTree(path.join(out, String(i)))) });
    });
  });
}

/** Two children at a time: the machine this runs on has two cores. */
async function renderAll(root: string, envDirs: readonly string[]): Promise<Render[]> {
  const results: Render[] = new Array(RUNS.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < RUNS.length; i = next++) results[i] = await render(root, envDirs, RUNS[i]);
  };
  await Promise.all([worker(), worker()]);
  return results;
}

/**
 * Node label keys that tr_TR orders differently: "I" is the capital of dotless "ı", which
 * Turkish sorts before "i" (so Izmir < ibis), while en-US sorts ibis < Izmir.
 */
const LOCALE_SENSITIVE_LABELS = { ibis: 'true', Izmir: 'true', 'node.role': 'database' };

/**
 * A copy of an environments folder whose application databases also include the
 * locale-sensitive names (without poolers, so the dev quotas still fit), and whose database
 * node pools carry the locale-sensitive label keys (Kafka's pods are placed by them).
 */
function withLocaleSensitiveNames(base: string): string {
  const copy = tempDir('strata-env-');
  fs.cpSync(base, copy, { recursive: true, filter: (src) => fs.statSync(src).isDirectory() || src.endsWith('.yaml') });
  edit(path.join(copy, 'platform.yaml'), (platform) => {
    const existing = new Set(platform.postgres.databases.map((d: { name: string }) => d.name));
    for (const name of LOCALE_SENSITIVE_NAMES.filter((n) => !existing.has(n))) {
      platform.postgres.databases.push({ name, poolerInstances: 0, poolMode: 'session' });
    }
  });
  for (const region of fs.readdirSync(path.join(copy, 'regions'))) {
    edit(path.join(copy, 'regions', region), (spec) => {
      if (spec.databaseNodes) spec.databaseNodes.labels = LOCALE_SENSITIVE_LABELS;
    });
  }
  return copy;
}

function edit(file: string, change: (doc: any) => void): void {
  const doc = yaml.load(fs.readFileSync(file, 'utf8'));
  change(doc);
  fs.writeFileSync(file, yaml.dump(doc));
}

describe('rendered bytes do not depend on the locale or the time zone', () => {
  let renders: Render[];
  let envDirs: string[];

  beforeAll(async () => {
    envDirs = [
      ENVIRONMENTS_DIR,
      withLocaleSensitiveNames(ENVIRONMENTS_DIR),
      withLocaleSensitiveNames(path.join(PROJECT_ROOT, 'test', 'fixtures', 'environments', 'zalando')),
    ];
    renders = await renderAll(compiledProject(), envDirs);
  });

  afterAll(() => removeTempDirs());

  test('each child ran under the locale and time zone it was given', () => {
    // Guards the test itself: a Node built without full ICU would fall back to en-US and
    // every tree would agree for the wrong reason.
    expect(renders.map((r) => r.icu)).toEqual(RUNS.map((run) => ({ locale: run.icuLocale, timeZone: run.timeZone })));
  });

  test('the copies render the locale-sensitive names', () => {
    const [, cnpg, zalando] = renders[0].trees;
    expect(Object.keys(cnpg).some((f) => f.endsWith('_database_postgres-aabenraa.yaml'))).toBe(true);
    expect(Object.values(cnpg).some((content) => content.includes('key: Izmir'))).toBe(true);
    expect(Object.values(zalando).some((content) => /\bchata: chata\b/.test(content))).toBe(true);
  });

  test.each(RUNS.slice(1).map((run, i) => [run.locale, run.timeZone, i + 1] as const))('%s, %s: byte-identical to C, UTC', (_locale, _tz, index) => {
    const [reference, other] = [renders[0], renders[index]];
    reference.trees.forEach((tree, i) => {
      const differing = Object.keys({ ...tree, ...other.trees[i] })
        .filter((f) => tree[f] !== other.trees[i][f])
        .sort();
      expect({ envDir: envDirs[i], differing }).toEqual({ envDir: envDirs[i], differing: [] });
    });
  });
});
