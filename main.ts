/**
 * `npm run synth [-- --check] [--only <region>/<env> ...] [--shard K/N] [--require-checksums] [--timings] [--threads N] [--env-dir DIR] [--out DIR]`
 *
 * Loads and validates environments/, builds one cdk8s App per overlay (one Chart per
 * layer), validates every object against the pinned schemas, and writes the GitOps tree to
 * dist/ in one atomic swap. Bad input exits non-zero with every problem listed and leaves
 * dist/ untouched.
 */
import * as fs from 'fs';
import * as path from 'path';
import { apiServerWarnings } from './environments/api-server';
import { checksumProblems, checksumWarnings, OverlayDownloads } from './environments/download-checks';
import { loadEnvironmentSet } from './environments/load';
import { Acknowledgement, LAYERS, OverlaySpec } from './environments/model';
import { parseShard, Shard } from './environments/overlay-selection';
import { overlayClusters } from './environments/placement';
import { EnvironmentError, Problem } from './environments/problems';
import { PROJECT_ROOT } from './environments/project-root';
import { acknowledgementsFile } from './gitops/acknowledgements-file';
import { checkImports } from './gitops/imports-check';
import { OverlayOutcome, OverlayRenderer } from './gitops/overlay-renderer';
import { CachedRender, RenderCache } from './gitops/render-cache';
import { RenderJob, renderInParallel, renderThreads, workerScript } from './gitops/render-pool';
import { mergeSharedClusters, sharedClusters, sharedClusterTopology } from './gitops/shared-cluster';
import { StatIndex } from './gitops/stat-index';
import { TOPOLOGY_FILE } from './gitops/topology-diagram';
import { guardTransitions, RenderedOverlayFiles } from './gitops/transition-guard';
import {
  ACKNOWLEDGEMENTS_FILE,
  checkOutputFolder,
  diffTree,
  lockTree,
  overlayScope,
  TreeLockedError,
  TREE_MARKER,
  TreeOwnershipError,
  TreeResult,
  WHOLE_TREE,
  writeLockedTree,
} from './gitops/tree';
import { entryFolders } from './gitops/tree-paths';
import { OverlayIssue, SynthValidationError } from './gitops/validation-error';
import { fromYaml } from './gitops/yaml';

export interface SynthOptions {
  /** Environments folder. @default <project>/environments */
  readonly envDir?: string;
  /** Output folder. @default <project>/dist */
  readonly outDir?: string;
  /**
   * Render only these overlays, leaving the rest of the tree as it is: `<region>/<env>`,
   * `<region>`, or either with `*` and `?` (environments/overlay-selection.ts).
   */
  readonly only?: readonly string[];
  /** Render only this shard of the (selected) overlays: `{ index: 2, count: 4 }` is `--shard 2/4`. */
  readonly shard?: Shard;
  /** Compare instead of writing. */
  readonly check?: boolean;
  /** Refuse downloads without a checksum in every region (as `requireChecksums: true` does in one). */
  readonly requireChecksums?: boolean;
  /** Progress lines go here. @default no output */
  readonly log?: (line: string) => void;
}

export interface SynthResult extends TreeResult {
  readonly overlays: number;
  readonly objects: number;
  readonly seconds: number;
  /** Time spent in schema validation. */
  readonly validationSeconds: number;
  /** `--check`: files that differ from what synth would write (imports/ included). */
  readonly stale: readonly string[];
  /** Changes that went ahead on an acknowledgement, and objects left on the cluster. */
  readonly notes: readonly string[];
  /** Things to tidy up (acknowledgements that match nothing any more). */
  readonly warnings: readonly string[];
  /** Overlays taken from the render cache (see gitops/render-cache.ts) and rendered. */
  readonly renderCache: { readonly hits: number; readonly misses: number };
  /** Threads that rendered the overlays not in the render cache (this one included). */
  readonly renderThreads: number;
  /** Seconds per phase: load, build (constructs), render (toJson, YAML), validation, guard, write; summed over render threads. */
  readonly phases: Readonly<Record<string, number>>;
}

/** The layer objects of a cached render, read back from its files as the guard reads the tree. */
/** The overlay's layer objects by cluster key, parsed from its files on first use. */
function placedManifests(overlay: OverlaySpec, files: ReadonlyMap<string, string>): () => ReadonlyMap<string, readonly any[]> {
  let parsed: Map<string, any[]> | undefined;
  const prefix = `${overlay.region.name}/${overlay.environment}/`;
  return () => {
    if (parsed) return parsed;
    parsed = new Map();
    for (const [rel, text] of files) {
      if (!rel.startsWith(prefix) || rel.endsWith('/kustomization.yaml')) continue;
      // <layer>/<file>, or <cluster>/<layer>/<file> (environments/placement.ts); other files are not objects.
      const parts = rel.slice(prefix.length).split('/');
      if (!(LAYERS as readonly string[]).includes(parts[parts.length - 2])) continue;
      const key = parts.length === 3 ? parts[0] : '';
      parsed.set(key, [...(parsed.get(key) ?? []), fromYaml(text)]);
    }
    return parsed;
  };
}

/**
 * Renders and writes (or, with `check`, compares) the tree in this thread. The command line
 * runs `synthAsync`, which renders on every core.
 */
export function synth(options: SynthOptions = {}): SynthResult {
  return synthWith(options, (plan) => plan.renderHere());
}

/**
 * As `synth`, rendering the overlays the render cache does not hold on `threads` threads
 * (default: one per core, when there are enough of them; gitops/render-pool.ts).
 */
export async function synthAsync(options: SynthOptions & { readonly threads?: number } = {}): Promise<SynthResult> {
  return synthWith(options, async (plan) => {
    const script = workerScript();
    const threads = renderThreads(plan.jobs.length, options.threads);
    if (!script || threads < 2) return plan.renderHere();
    const { outcomes, workerPhases } = await renderInParallel(plan.jobs, threads, plan.renderer, script);
    plan.threads = threads;
    // Seconds per phase are summed over the threads.
    for (const [phase, seconds] of Object.entries(workerPhases)) plan.phases[phase] += seconds;
    return outcomes;
  });
}

function synthWith<R extends OverlayOutcome[] | Promise<OverlayOutcome[]>>(
  options: SynthOptions,
  renderJobs: (plan: SynthPlan) => R,
): R extends Promise<any> ? Promise<SynthResult> : SynthResult {
  const started = performance.now();
  const envDir = path.resolve(options.envDir ?? path.join(PROJECT_ROOT, 'environments'));
  const outDir = path.resolve(options.outDir ?? path.join(PROJECT_ROOT, 'dist'));
  checkOutputPlacement(outDir, envDir);
  // Every check that reads the previous tree runs under the lock that guards the write, so no
  // other synth can change the tree between the checks and the swap.
  const release = options.check ? () => undefined : lockTree(outDir);
  let pending = false;
  try {
    const plan = new SynthPlan(options, envDir, outDir);
    const outcomes = renderJobs(plan);
    if (outcomes instanceof Promise) {
      pending = true;
      return outcomes.then((o) => plan.finish(o, started)).finally(release) as any;
    }
    return plan.finish(outcomes, started) as any;
  } finally {
    if (!pending) release();
  }
}

/**
 * `--out` must not be (or contain) the project or the environments: the tree writer removes
 * what it no longer renders. Folders are compared after resolving symlinks.
 */
function checkOutputPlacement(outDir: string, envDir: string): void {
  const real = (p: string) => {
    // The nearest existing ancestor decides where a new folder would really be.
    let at = p;
    const rest: string[] = [];
    while (!fs.existsSync(at) && path.dirname(at) !== at) {
      rest.unshift(path.basename(at));
      at = path.dirname(at);
    }
    return path.join(fs.realpathSync(at), ...rest);
  };
  const out = real(outDir);
  const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);
  const refuse = (why: string) => {
    throw new TreeOwnershipError(
      `--out ${outDir} ${why}; synth replaces its output folder and removes what it no longer renders. Nothing was written. Use the default dist/ or a folder of its own.`,
    );
  };
  const root = real(PROJECT_ROOT);
  if (within(root, out)) refuse(out === root ? 'is the project folder' : `contains the project folder ${root}`);
  const env = real(envDir);
  if (within(env, out)) refuse(env === out ? 'is the environments folder' : `contains the environments folder ${env}`);
  if (within(out, env)) refuse(`is inside the environments folder ${env}`);
}

/**
 * One synth between loading the environments and writing the tree: the overlays, which of
 * them the render cache holds, and the jobs (overlays to render) for the rest.
 */
class SynthPlan {
  public readonly phases: Record<string, number> = { load: 0, build: 0, render: 0, validation: 0, guard: 0, write: 0 };
  public readonly overlays: readonly OverlaySpec[];
  public readonly jobs: RenderJob[] = [];
  public readonly renderer = new OverlayRenderer();
  public threads = 1;
  private readonly acknowledgements: readonly Acknowledgement[];
  private readonly cache = RenderCache.open();
  /** Per overlay: its cached render, or the index of its job. */
  private readonly sources: Array<{ readonly key?: string; readonly cached?: CachedRender; readonly job?: number }> = [];

  constructor(
    private readonly options: SynthOptions,
    private readonly envDir: string,
    private readonly outDir: string,
  ) {
    if (!options.check) checkOutputFolder(outDir);
    const loaded = this.timed('load', () => loadEnvironmentSet(envDir, { only: options.only, shard: options.shard }));
    this.overlays = loaded.overlays;
    this.acknowledgements = loaded.acknowledgements;
    for (const overlay of this.overlays) {
      const bootstrapped = overlayClusters(overlay)
        .map((c) => c.folder)
        .filter((folder) => fs.existsSync(path.join(outDir, 'clusters', folder, 'flux-system', 'kustomization.yaml')));
      const key = this.cache?.key(overlay, bootstrapped);
      const cached = key ? this.cache!.get(key) : undefined;
      if (cached) {
        this.sources.push({ key, cached });
      } else {
        this.sources.push({ key, job: this.jobs.length });
        this.jobs.push({ overlay, bootstrapped });
      }
    }
  }

  /** Renders every job in this thread. */
  public renderHere(): OverlayOutcome[] {
    return this.jobs.map((job) => this.renderer.render(job.overlay, job.bootstrapped));
  }

  public finish(outcomes: readonly OverlayOutcome[], started: number): SynthResult {
    const { options, envDir, outDir, overlays, cache } = this;
    const log = options.log ?? (() => undefined);
    for (const [phase, seconds] of Object.entries(this.renderer.phases)) this.phases[phase] += seconds;
    const files = new Map<string, string>();
    let objects = 0;
    const issues: OverlayIssue[] = [];
    const specProblems: Problem[] = [];
    const rendered: RenderedOverlayFiles[] = [];
    const downloads: OverlayDownloads[] = [];

    overlays.forEach((overlay, i) => {
      const source = this.sources[i];
      let render = source.cached;
      let placed: () => ReadonlyMap<string, readonly any[]>;
      if (source.job !== undefined) {
        const outcome = outcomes[source.job];
        // Problems and violations are reported for every overlay at once.
        specProblems.push(...outcome.problems);
        issues.push(...outcome.issues);
        if (!outcome.render) return;
        render = outcome.render;
        if (source.key) cache!.set(source.key, render);
      }
      const overlayFiles = new Map(render!.files);
      // Parsed from the files when the guard needs them (an overlay with a previous tree whose
      // files changed): holding every rendered object until the write would double a fleet's memory.
      placed = placedManifests(overlay, overlayFiles);
      downloads.push({ overlay, unverified: render!.unverified });
      specProblems.push(...render!.quotaProblems);
      rendered.push({
        overlay,
        files: overlayFiles,
        get placed() {
          return placed();
        },
      });
      for (const [rel, content] of overlayFiles) files.set(rel, content);
      objects += render!.objects;
      log(
        `  ${overlay.id.padEnd(24)} ${String(render!.layers).padStart(2)} layers ${String(render!.objects).padStart(5)} objects  -> ${entryFolders(overlayFiles).join(', ')} (${overlay.region.gitops.engine})`,
      );
    });

    this.renderer.save({ passed: true });
    if (issues.length) throw new SynthValidationError(issues);
    // A cluster every environment of a region shares: what they all render for it, once.
    const shared = this.timed('guard', () => mergeSharedClusters(rendered));
    specProblems.push(...shared.problems);
    for (const [rel, text] of shared.files) files.set(rel, text);
    const sharedFolders = sharedClusters(overlays);
    for (const c of sharedFolders) {
      files.set(
        `clusters/${c.folder}/${TOPOLOGY_FILE}`,
        this.timed('render', () => sharedClusterTopology(c, shared.files, rendered)),
      );
      const first = overlays.find((o) => o.region.name === c.region)!;
      const own = new Map([...shared.files].filter(([rel]) => rel.startsWith(`${c.root}/`)));
      // The cluster's part is guarded like an overlay of the region file's (its acknowledgements go there).
      rendered.push({
        overlay: {
          ...first,
          id: `${c.region}/${c.key}`,
          environment: c.key,
          sourceFile: `regions/${c.region}.yaml`,
          settingsSources: [],
          peers: { replicas: [] },
        },
        files: own,
        placed: new Map([['', [...own].filter(([rel]) => !rel.endsWith('/kustomization.yaml')).map(([, text]) => fromYaml(text))]]),
        sharedPart: true,
      });
    }
    const wholeTree = !options.only?.length && !options.shard;
    const guard = this.timed('guard', () =>
      guardTransitions({
        outDir,
        rendered,
        acknowledgements: this.acknowledgements,
        wholeTree,
        regions: new Set(regionNames(envDir)),
        overlayIds: new Set([...overlays.map((o) => o.id), ...sharedFolders.map((c) => c.root)]),
      }),
    );
    specProblems.push(...guard.problems, ...this.timed('guard', () => checksumProblems(downloads, { required: options.requireChecksums })));
    if (specProblems.length) throw new EnvironmentError(envDir, specProblems);
    if (cache && wholeTree) cache.prune();
    if (this.acknowledgements.length) files.set(ACKNOWLEDGEMENTS_FILE, acknowledgementsFile(this.acknowledgements));

    const scope = wholeTree
      ? WHOLE_TREE
      : overlayScope(
          overlays.flatMap((o) =>
            overlayClusters(o).map((c) => ({ region: o.region.name, environment: o.environment, clusterFolder: c.folder, sharedRoot: c.sharedRoot })),
          ),
        );
    const rel = (f: string) => path.relative(process.cwd(), path.join(outDir, f)) || f;
    // The files this machine last found as they are rendered, known by their stat (gitops/stat-index.ts).
    const index = StatIndex.open(`tree\0${path.resolve(outDir)}`);
    const result: TreeResult = this.timed('write', () =>
      options.check ? diffTree(outDir, files, scope, index) : writeLockedTree(outDir, files, scope, index),
    );
    const stale = options.check
      ? [
          ...result.written.map(rel),
          ...result.removed.map((f) => `${rel(f)} (no longer rendered)`),
          ...(result.markerStale ? [`${rel(TREE_MARKER)} (the list of files synth owns)`] : []),
          ...this.timed('write', () => checkImports(undefined, StatIndex.open('imports'))),
        ]
      : [];
    const notes = [
      ...guard.acknowledged.map((a) => `acknowledged in ${a.acknowledgement.file}: ${a.description} (${a.acknowledgement.reason})`),
      ...guard.leftInPlace.map((o) => `left on the cluster (prune-protected, no longer in the tree): ${o}; delete it by hand once its data is safe`),
    ];
    const warnings = guard.unused.map(
      (a) =>
        `${a.file}: acknowledge[${a.index}] (${a.object}, ${a.change}) matches no change: the change is in the tree already, or the entry is mistyped; remove it once the change has been applied`,
    );
    return {
      ...result,
      overlays: overlays.length,
      objects,
      seconds: (performance.now() - started) / 1000,
      validationSeconds: this.phases.validation,
      stale,
      notes,
      warnings: [...warnings, ...apiServerWarnings(overlays), ...checksumWarnings(downloads)],
      renderCache: { hits: cache?.hits ?? 0, misses: cache?.misses ?? overlays.length },
      renderThreads: this.threads,
      phases: this.phases,
    };
  }

  private timed<T>(phase: string, fn: () => T): T {
    const t = performance.now();
    try {
      return fn();
    } finally {
      this.phases[phase] += (performance.now() - t) / 1000;
    }
  }
}

/** Regions that have a region file (a region whose file is gone has vanished). */
function regionNames(envDir: string): string[] {
  const dir = path.join(envDir, 'regions');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.slice(0, -'.yaml'.length))
    : [];
}

export interface CommandLine extends SynthOptions {
  /** Print where the time went (`--timings`). */
  readonly timings: boolean;
  /** Render threads (`--threads N`); default: one per core when there are enough overlays to render. */
  readonly threads?: number;
}

/** The command line of `npm run synth`; throws a UsageError (exit 2) for a bad one. */
export function parseArgs(argv: readonly string[]): CommandLine {
  const only: string[] = [];
  let envDir: string | undefined;
  let outDir: string | undefined;
  let check = false;
  let requireChecksums = false;
  let timings = false;
  let threads: number | undefined;
  let shard: Shard | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--check') {
      check = true;
    } else if (arg === '--require-checksums') {
      requireChecksums = true;
    } else if (arg === '--timings') {
      timings = true;
    } else if (arg === '--threads') {
      const v = value();
      threads = Number(v);
      if (!/^[1-9][0-9]?$/.test(v)) throw new UsageError(`--threads needs a whole number from 1 to 99, not "${v}"`);
    } else if (arg === '--only') {
      only.push(...value().split(',').filter(Boolean));
    } else if (arg === '--shard') {
      const v = value();
      shard = parseShard(v);
      if (!shard) throw new UsageError(`--shard needs K/N with 1 <= K <= N <= 1000 (the K-th of N shards), not "${v}"`);
    } else if (arg === '--env-dir') {
      envDir = value();
    } else if (arg === '--out') {
      outDir = value();
    } else if (arg === '--help' || arg === '-h') {
      throw new UsageError('');
    } else {
      throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  return { only, shard, envDir, outDir, check, requireChecksums, timings, threads };
}

/** `--timings`: one line, seconds per phase and the render cache's hits and misses. */
function timingsLine(r: SynthResult): string {
  const phases = Object.entries(r.phases)
    .map(([phase, s]) => `${phase} ${s.toFixed(3)}`)
    .join(', ');
  return `timings (s): ${phases}; total ${r.seconds.toFixed(3)}; render cache ${r.renderCache.hits} hit(s), ${r.renderCache.misses} miss(es); ${r.renderThreads} render thread(s)`;
}

export class UsageError extends Error {}

const USAGE = `usage: npm run synth -- [--check] [--only <region>/<env>[,...]] [--shard K/N] [--require-checksums] [--timings] [--threads N] [--env-dir DIR] [--out DIR]

  --check          compare dist/ and imports/ with what synth would produce; exit 1 if stale
  --require-checksums
                   refuse plugin archives and plugin URLs that carry no checksum (every region)
  --only R/E       render only these overlays (R/E, a region R, or * and ? patterns:
                   'eu-*/prod'); the rest of the tree is left as it is
  --shard K/N      render only the K-th of N equal shares of the overlays (CI matrices)
  --timings        print the seconds spent per phase and the render cache's hits
  --threads N      render on N threads (default: one per core but one, when 8 or more overlays each need rendering)
  --env-dir DIR    environments folder (default: environments/)
  --out DIR        output folder (default: dist/)`;

export async function main(argv: readonly string[]): Promise<number> {
  let options: CommandLine;
  try {
    options = parseArgs(argv);
  } catch (err) {
    const message = (err as Error).message;
    if (message) console.error(`strata synth: ${message}`);
    console.error(USAGE);
    return message ? 2 : 0;
  }
  try {
    const out = path.relative(process.cwd(), path.resolve(options.outDir ?? path.join(PROJECT_ROOT, 'dist'))) || '.';
    const selected = [
      options.only?.length ? options.only.join(', ') : 'all overlays',
      ...(options.shard ? [`shard ${options.shard.index}/${options.shard.count}`] : []),
    ].join(', ');
    console.log(`strata synth${options.check ? ' --check' : ''}: ${selected} -> ${out}/`);
    const r = await synthAsync({ ...options, log: (line) => console.log(line) });
    for (const n of r.notes) console.log(`note: ${n}`);
    for (const w of r.warnings) console.log(`warning: ${w}`);
    if (options.timings) console.log(timingsLine(r));
    if (options.check) {
      if (r.stale.length) {
        console.error(`\n${r.stale.length} stale file(s): the committed output differs from what synth produces.`);
        for (const f of r.stale) console.error(`  ${f}`);
        console.error('\nRun `npm run synth` (and `npm run import` if imports/ is listed), review the diff and commit it.');
        return 1;
      }
      console.log(`\nup to date: ${r.overlays} overlays, ${r.objects} objects, ${r.unchanged.length} files (${r.seconds.toFixed(2)} s)`);
      return 0;
    }
    console.log(
      `\n${r.overlays} overlays, ${r.objects} objects: ${r.written.length} files written, ${r.unchanged.length} unchanged, ${r.removed.length} removed (${r.seconds.toFixed(2)} s, validation ${r.validationSeconds.toFixed(2)} s)`,
    );
    return 0;
  } catch (err) {
    if (
      err instanceof EnvironmentError ||
      err instanceof SynthValidationError ||
      err instanceof TreeLockedError ||
      err instanceof TreeOwnershipError
    ) {
      console.error(`\nstrata synth: ${err.message}`);
      return 1;
    }
    console.error(`\nstrata synth failed; nothing was written.\n${(err as Error).stack ?? err}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
