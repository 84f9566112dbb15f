/**
 * `npm run bench [-- --runs N] [--keep]`
 *
 * Measures the synth pipeline, each run in a fresh child process so peak RSS is per run:
 *
 *   default   node lib/main.js --out <tmp>                      (environments/ as committed)
 *   fleet     node lib/main.js --env-dir <tmp> --out <tmp>      (30 regions × prod/staging/dev/test)
 *   cdk8s     cdk8s synth with app `node lib/scripts/cdk8s-app.js` (cdk8s-cli, default environments/)
 *
 * Every case runs N times (default 3) into an empty output folder; the table shows the
 * median of each column. Peak RSS comes from `/usr/bin/time -v` when it exists, otherwise
 * from a `--require` hook that reports process.resourceUsage().maxRSS of every Node process.
 * Targets are reported as PASS or MISS; a miss never makes the exit code non-zero (a run
 * that fails does). Nothing under the project is written.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { PROJECT_ROOT } from '../environments/project-root';

const TIME_BIN = '/usr/bin/time';
const RSS_MARKER = 'STRATA_BENCH_MAXRSS_KB';
const FLEET_REGIONS = 30;
const FLEET_ENVIRONMENTS = ['prod', 'staging', 'dev', 'test'];

const TARGETS = {
  defaultWallSeconds: 1.0,
  fleetWallSeconds: 6.0,
  validationShare: 0.2,
  peakRssMb: 400,
};

interface RunResult {
  readonly wallSeconds: number;
  readonly peakRssMb: number;
  readonly overlays?: number;
  readonly objects?: number;
  /** In-process synth time as main.ts reports it. */
  readonly synthSeconds?: number;
  readonly validationSeconds?: number;
}

interface CaseResult {
  readonly name: string;
  readonly runs: readonly RunResult[];
  readonly median: RunResult;
}

interface Options { runs: number; keep: boolean }

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = { runs: 3, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--runs') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error('--runs needs a positive integer');
      opts.runs = n;
    } else if (arg === '--keep') {
      opts.keep = true;
    } else {
      throw new Error(`unknown argument "${arg}" (expected --runs N or --keep)`);
    }
  }
  return opts;
}

/** A `--require` hook printing the process's peak RSS on exit (used without /usr/bin/time). */
function writeRssHook(dir: string): string {
  const file = path.join(dir, 'maxrss-hook.js');
  fs.writeFileSync(file, `process.on('exit', () => { require('fs').writeSync(2, '\\n${RSS_MARKER} ' + process.resourceUsage().maxRSS + '\\n'); });\n`);
  return file;
}

/**
 * Runs a command once and measures it. With /usr/bin/time the reported maximum resident set
 * size is that of the largest process in the tree (Linux reports the children's maximum too).
 */
function measure(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; rssHook: string }): { wallSeconds: number; peakRssMb: number; stdout: string; stderr: string } {
  const useTime = fs.existsSync(TIME_BIN);
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (!useTime) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require ${options.rssHook}`.trim();
  const [bin, argv] = useTime ? [TIME_BIN, ['-v', command, ...args]] : [command, [...args]];
  const started = performance.now();
  const r = spawnSync(bin, argv, { cwd: options.cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallSeconds = (performance.now() - started) / 1000;
  const stdout = r.stdout ?? '';
  const stderr = r.stderr ?? '';
  if (r.error) throw r.error;
  if (r.status !== 0) {
    // Leave out /usr/bin/time's report: the command's own output says what went wrong.
    const own = useTime ? stderr.replace(/^(Command exited with non-zero status \d+\n)?\tCommand being timed:[\s\S]*$/m, '') : stderr;
    throw new Error(`${command} ${args.join(' ')} exited with ${r.status ?? r.signal}\n${stdout.slice(-4000)}\n${own.slice(-4000)}`);
  }
  let peakKb = 0;
  if (useTime) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    if (!m) throw new Error(`${TIME_BIN} -v printed no "Maximum resident set size"`);
    peakKb = Number(m[1]);
  } else {
    for (const m of stderr.matchAll(new RegExp(`${RSS_MARKER} (\\d+)`, 'g'))) peakKb = Math.max(peakKb, Number(m[1]));
  }
  return { wallSeconds, peakRssMb: peakKb / 1024, stdout, stderr };
}

/** Reads main.ts's summary: "6 overlays, 566 objects: ... (0.73 s, validation 0.34 s)". */
function parseSummary(stdout: string): Pick<RunResult, 'overlays' | 'objects' | 'synthSeconds' | 'validationSeconds'> {
  const counts = /(\d+) overlays, (\d+) objects/.exec(stdout);
  const times = /\(([\d.]+) s, validation ([\d.]+) s\)/.exec(stdout);
  if (!counts || !times) throw new Error(`cannot find the synth summary line in:\n${stdout.slice(-2000)}`);
  return { overlays: Number(counts[1]), objects: Number(counts[2]), synthSeconds: Number(times[1]), validationSeconds: Number(times[2]) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function medianRun(runs: readonly RunResult[]): RunResult {
  const col = (key: keyof RunResult) => {
    const values = runs.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
    return values.length ? median(values) : undefined;
  };
  return {
    wallSeconds: col('wallSeconds')!,
    peakRssMb: col('peakRssMb')!,
    overlays: col('overlays'),
    objects: col('objects'),
    synthSeconds: col('synthSeconds'),
    validationSeconds: col('validationSeconds'),
  };
}

/** 30 regions modelled on regions/region-a.yaml, each with prod, staging, dev and test. */
function writeFleet(envDir: string): number {
  const source = path.join(PROJECT_ROOT, 'environments');
  const template = fs.readFileSync(path.join(source, 'regions', 'region-a.yaml'), 'utf8');
  fs.mkdirSync(path.join(envDir, 'regions'), { recursive: true });
  if (fs.existsSync(path.join(source, 'platform.yaml'))) fs.copyFileSync(path.join(source, 'platform.yaml'), path.join(envDir, 'platform.yaml'));
  let overlays = 0;
  for (let i = 1; i <= FLEET_REGIONS; i++) {
    const region = `region-${String(i).padStart(2, '0')}`;
    fs.writeFileSync(path.join(envDir, 'regions', `${region}.yaml`), template.replace(/\bregion-a\b/g, region).replace(/^# Region A.*$/m, `# ${region}: generated by npm run bench from regions/region-a.yaml`));
    fs.mkdirSync(path.join(envDir, 'overlays', region), { recursive: true });
    for (const env of FLEET_ENVIRONMENTS) {
      fs.writeFileSync(path.join(envDir, 'overlays', region, `${env}.yaml`), `# ${region} ${env}: the built-in ${env} tier profile.\n{}\n`);
      overlays++;
    }
  }
  return overlays;
}

/** Counts the documents and overlay folders cdk8s wrote. */
function countCdk8sOutput(outDir: string): { overlays: number; objects: number } {
  let objects = 0;
  const overlays = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) {
        overlays.add(path.relative(outDir, dir).split(path.sep).slice(0, 2).join('/'));
        objects += yaml.loadAll(fs.readFileSync(full, 'utf8')).filter((d) => d !== null && d !== undefined).length;
      }
    }
  };
  walk(outDir);
  return { overlays: overlays.size, objects };
}

function fmt(value: number | undefined, digits: number): string {
  return value === undefined ? '-' : value.toFixed(digits);
}

function printTable(cases: readonly CaseResult[], runs: number): void {
  const header = ['case', 'overlays', 'objects', 'wall s', 'synth s', 'validation s', 'validation %', 'objects/s', 'peak RSS MB'];
  const rows = cases.map((c) => {
    const m = c.median;
    const share = m.synthSeconds && m.validationSeconds !== undefined ? (100 * m.validationSeconds) / m.synthSeconds : undefined;
    return [
      c.name,
      fmt(m.overlays, 0),
      fmt(m.objects, 0),
      fmt(m.wallSeconds, 2),
      fmt(m.synthSeconds, 2),
      fmt(m.validationSeconds, 2),
      share === undefined ? '-' : `${share.toFixed(0)} %`,
      m.objects === undefined ? '-' : (m.objects / m.wallSeconds).toFixed(0),
      fmt(m.peakRssMb, 0),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\nmedian of ${runs} run${runs === 1 ? '' : 's'} per case (wall: whole process, node start-up included; synth and validation: as main.ts reports them; objects/s: objects ÷ wall)\n`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

function printTargets(byName: ReadonlyMap<string, CaseResult>): void {
  const results: { target: string; measured: string; pass: boolean }[] = [];
  const def = byName.get('default')?.median;
  const fleet = byName.get('fleet')?.median;
  if (def) results.push({ target: `default tree wall <= ${TARGETS.defaultWallSeconds.toFixed(1)} s`, measured: `${def.wallSeconds.toFixed(2)} s`, pass: def.wallSeconds <= TARGETS.defaultWallSeconds });
  if (fleet) results.push({ target: `fleet (${fleet.overlays} overlays) wall <= ${TARGETS.fleetWallSeconds.toFixed(1)} s`, measured: `${fleet.wallSeconds.toFixed(2)} s`, pass: fleet.wallSeconds <= TARGETS.fleetWallSeconds });
  for (const [label, m] of [['default tree', def], ['fleet', fleet]] as const) {
    if (!m?.synthSeconds || m.validationSeconds === undefined) continue;
    const share = m.validationSeconds / m.synthSeconds;
    results.push({ target: `${label} validation <= ${TARGETS.validationShare * 100} % of synth time`, measured: `${(share * 100).toFixed(0)} % (${m.validationSeconds.toFixed(2)} of ${m.synthSeconds.toFixed(2)} s)`, pass: share <= TARGETS.validationShare });
  }
  for (const [label, m] of [['default tree', def], ['fleet', fleet]] as const) {
    if (m) results.push({ target: `${label} peak RSS <= ${TARGETS.peakRssMb} MB`, measured: `${m.peakRssMb.toFixed(0)} MB`, pass: m.peakRssMb <= TARGETS.peakRssMb });
  }
  console.log('\ntargets');
  const width = Math.max(...results.map((r) => r.target.length));
  for (const r of results) console.log(`  ${r.pass ? 'PASS' : 'MISS'}  ${r.target.padEnd(width)}  ${r.measured}`);
  const misses = results.filter((r) => !r.pass).length;
  console.log(misses ? `\n${misses} target(s) missed (reported only; the exit code stays 0)` : '\nall targets met');
}

function main(): number {
  const opts = parseArgs(process.argv.slice(2));
  const mainJs = path.join(PROJECT_ROOT, 'lib', 'main.js');
  const appJs = path.join(PROJECT_ROOT, 'lib', 'scripts', 'cdk8s-app.js');
  const cdk8s = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk8s');
  for (const f of [mainJs, appJs]) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(PROJECT_ROOT, f)} is missing: run \`npx tsc --build\` (npm run bench compiles first)`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-'));
  const rssHook = writeRssHook(work);
  const cpus = os.cpus();
  console.log(`strata bench: node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length} CPU(s)${cpus[0] ? ` (${cpus[0].model.trim()})` : ''}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${os.loadavg()[0].toFixed(2)} (other work on the machine inflates wall times)`);
  console.log(`peak RSS from ${fs.existsSync(TIME_BIN) ? `${TIME_BIN} -v` : 'process.resourceUsage().maxRSS (--require hook)'}; scratch folder ${work}`);
  // gitops/validator.ts keeps a V8 code cache of the validators here; without it the first run is slower.
  const codeCache = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'strata-validators');
  console.log(`validator code cache ${path.relative(PROJECT_ROOT, codeCache)}: ${fs.existsSync(codeCache) ? 'present' : 'absent (run 1 creates it)'}`);

  try {
    const cases: CaseResult[] = [];
    const runCase = (name: string, label: string, once: (run: number) => RunResult) => {
      const runs: RunResult[] = [];
      for (let i = 1; i <= opts.runs; i++) {
        const r = once(i);
        runs.push(r);
        console.log(`  ${label} run ${i}/${opts.runs}: ${r.wallSeconds.toFixed(2)} s wall, ${r.peakRssMb.toFixed(0)} MB peak RSS${r.objects !== undefined ? `, ${r.objects} objects` : ''}`);
      }
      const result = { name, runs, median: medianRun(runs) };
      cases.push(result);
      return result;
    };

    const synthRun = (caseDir: string, run: number, extra: readonly string[]): RunResult => {
      const out = path.join(caseDir, `out-${run}`);
      const m = measure(process.execPath, [mainJs, ...extra, '--out', out], { cwd: PROJECT_ROOT, rssHook });
      const result = { wallSeconds: m.wallSeconds, peakRssMb: m.peakRssMb, ...parseSummary(m.stdout) };
      if (!opts.keep) fs.rmSync(out, { recursive: true, force: true });
      return result;
    };

    // (a) The default tree.
    console.log('\n(a) default tree: node lib/main.js --out <tmp>');
    const defaultDir = path.join(work, 'default');
    fs.mkdirSync(defaultDir);
    runCase('default', 'default', (run) => synthRun(defaultDir, run, []));

    // (b) A generated fleet.
    const fleetDir = path.join(work, 'fleet');
    const envDir = path.join(fleetDir, 'environments');
    const overlays = writeFleet(envDir);
    console.log(`\n(b) fleet: ${overlays} overlays (${FLEET_REGIONS} regions × ${FLEET_ENVIRONMENTS.join('/')}) in ${envDir}`);
    runCase('fleet', 'fleet', (run) => synthRun(fleetDir, run, ['--env-dir', envDir]));

    // (c) The default app through cdk8s-cli.
    console.log('\n(c) cdk8s synth (cdk8s-cli) with app `node lib/scripts/cdk8s-app.js`');
    if (!fs.existsSync(cdk8s)) {
      console.log(`  skipped: ${path.relative(PROJECT_ROOT, cdk8s)} is missing (run npm ci)`);
    } else {
      const cliDir = path.join(work, 'cdk8s');
      fs.mkdirSync(cliDir);
      fs.writeFileSync(path.join(cliDir, 'cdk8s.yaml'), `language: typescript\napp: ${JSON.stringify(`"${process.execPath}" "${appJs}"`)}\n`);
      runCase('cdk8s', 'cdk8s synth', (run) => {
        const out = path.join(cliDir, `out-${run}`);
        const m = measure(cdk8s, ['synth', '--check-upgrade=false', '--output', out], { cwd: cliDir, rssHook });
        const counted = countCdk8sOutput(out);
        if (!opts.keep) fs.rmSync(out, { recursive: true, force: true });
        return { wallSeconds: m.wallSeconds, peakRssMb: m.peakRssMb, ...counted };
      });
    }

    printTable(cases.map((c) => ({
      ...c,
      name: c.name === 'default' ? 'default tree (node lib/main.js)'
        : c.name === 'fleet' ? `fleet ${FLEET_REGIONS}×${FLEET_ENVIRONMENTS.length} (node lib/main.js --env-dir)`
          : 'cdk8s synth, default app (no validation, no entry points)',
    })), opts.runs);
    printTargets(new Map(cases.map((c) => [c.name, c])));
    return 0;
  } finally {
    if (opts.keep) console.log(`\nkept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(`\nstrata bench failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
}
