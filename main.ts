/**
 * `npm run synth [-- --check] [--only <region>/<env> ...] [--require-checksums] [--env-dir DIR] [--out DIR]`
 *
 * Loads and validates environments/, builds one cdk8s App per overlay (one Chart per
 * layer), validates every object against the pinned schemas, and writes the GitOps tree to
 * dist/ in one atomic swap. Bad input exits non-zero with every problem listed and leaves
 * dist/ untouched.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Download } from './constructs/platform/downloads';
import type { OverlaySpec } from './environments/model';
import { apiServerWarnings } from './environments/api-server';
import { checksumProblems, checksumWarnings, OverlayDownloads } from './environments/download-checks';
import { loadEnvironmentSet } from './environments/load';
import { EnvironmentError, Problem, SpecError } from './environments/problems';
import { checkImports } from './gitops/imports-check';
import { PROJECT_ROOT } from './environments/project-root';
import { acknowledgementsFile } from './gitops/acknowledgements-file';
import { RenderCache } from './gitops/render-cache';
import { guardTransitions, RenderedOverlayFiles } from './gitops/transition-guard';
import { quotaFitProblems } from './gitops/quota-fit';
import {
  ACKNOWLEDGEMENTS_FILE, checkOutputFolder, diffTree, lockTree, overlayScope, TreeLockedError, TREE_MARKER, TreeOwnershipError, TreeResult, WHOLE_TREE, writeLockedTree,
} from './gitops/tree';
import { clusterFolder } from './gitops/tree-paths';
import { OverlayIssue, SynthValidationError } from './gitops/validation-error';
import type { SchemaValidator } from './gitops/validator';
import { fromYaml } from './gitops/yaml';

export interface SynthOptions {
  /** Environments folder. @default <project>/environments */
  readonly envDir?: string;
  /** Output folder. @default <project>/dist */
  readonly outDir?: string;
  /** Render only these overlays (`<region>/<env>`), leaving the rest of the tree as it is. */
  readonly only?: readonly string[];
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
  /** Seconds per phase: load, build (constructs), render (toJson, YAML), validation, guard, write. */
  readonly phases: Readonly<Record<string, number>>;
}

/** One overlay's render: what the rest of synth needs, fresh or from the render cache. */
interface OverlayRender {
  readonly files: ReadonlyMap<string, string>;
  readonly objects: number;
  readonly layers: number;
  /** Layer objects; parsed from `files` on first use when the render came from the cache. */
  readonly manifests: () => readonly any[];
  readonly quotaProblems: readonly Problem[];
  readonly unverified: readonly Download[];
}

/**
 * The rendering half of the project (cdk8s, the constructs, the generated imports, the
 * validators) is loaded only when an overlay is not in the render cache: a synth with
 * nothing to render never loads it.
 */
function renderer(): { build: typeof import('./charts/overlay').buildOverlay; render: typeof import('./gitops/render').renderOverlay; unverified: typeof import('./constructs/platform/downloads').unverifiedDownloads; validator: SchemaValidator } {
  if (!rendererModules) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { buildOverlay } = require('./charts/overlay') as typeof import('./charts/overlay');
    const { renderOverlay } = require('./gitops/render') as typeof import('./gitops/render');
    const { unverifiedDownloads } = require('./constructs/platform/downloads') as typeof import('./constructs/platform/downloads');
    const { SchemaValidator: Validator } = require('./gitops/validator') as typeof import('./gitops/validator');
    /* eslint-enable @typescript-eslint/no-require-imports */
    rendererModules = { build: buildOverlay, render: renderOverlay, unverified: unverifiedDownloads, validator: new Validator() };
  }
  return rendererModules;
}
let rendererModules: ReturnType<typeof renderer> | undefined;

/** The layer objects of a cached render, read back from its files as the guard reads the tree. */
function layerManifests(overlay: OverlaySpec, files: ReadonlyMap<string, string>): () => readonly any[] {
  let parsed: any[] | undefined;
  const prefix = `${overlay.region.name}/${overlay.environment}/`;
  return () => (parsed ??= [...files].filter(([rel]) => rel.startsWith(prefix) && !rel.endsWith('/kustomization.yaml')).map(([, text]) => fromYaml(text)));
}

export function synth(options: SynthOptions = {}): SynthResult {
  const started = performance.now();
  const envDir = path.resolve(options.envDir ?? path.join(PROJECT_ROOT, 'environments'));
  const outDir = path.resolve(options.outDir ?? path.join(PROJECT_ROOT, 'dist'));
  checkOutputPlacement(outDir, envDir);
  // Every check that reads the previous tree runs under the lock that guards the write, so no
  // other synth can change the tree between the checks and the swap.
  const release = options.check ? () => undefined : lockTree(outDir);
  try {
    return synthLocked(options, envDir, outDir, started);
  } finally {
    release();
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
    while (!fs.existsSync(at) && path.dirname(at) !== at) { rest.unshift(path.basename(at)); at = path.dirname(at); }
    return path.join(fs.realpathSync(at), ...rest);
  };
  const out = real(outDir);
  const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);
  const refuse = (why: string) => {
    throw new TreeOwnershipError(`--out ${outDir} ${why}; synth replaces its output folder and removes what it no longer renders. Nothing was written. Use the default dist/ or a folder of its own.`);
  };
  const root = real(PROJECT_ROOT);
  if (within(root, out)) refuse(out === root ? 'is the project folder' : `contains the project folder ${root}`);
  const env = real(envDir);
  if (within(env, out)) refuse(env === out ? 'is the environments folder' : `contains the environments folder ${env}`);
  if (within(out, env)) refuse(`is inside the environments folder ${env}`);
}

function synthLocked(options: SynthOptions, envDir: string, outDir: string, started: number): SynthResult {
  const log = options.log ?? (() => undefined);
  const phases: Record<string, number> = { load: 0, build: 0, render: 0, validation: 0, guard: 0, write: 0 };
  const timed = <T>(phase: string, fn: () => T): T => {
    const t = performance.now();
    try {
      return fn();
    } finally {
      phases[phase] += (performance.now() - t) / 1000;
    }
  };
  if (!options.check) checkOutputFolder(outDir);
  const { overlays, acknowledgements } = timed('load', () => loadEnvironmentSet(envDir, { only: options.only }));
  const cache = RenderCache.open();
  const files = new Map<string, string>();
  let objects = 0;
  const issues: OverlayIssue[] = [];
  const specProblems: Problem[] = [];
  const rendered: RenderedOverlayFiles[] = [];
  const downloads: OverlayDownloads[] = [];

  /** Builds and renders one overlay; undefined when it has problems (collected above). */
  const renderFresh = (overlay: OverlaySpec, fluxBootstrapped: boolean): OverlayRender | undefined => {
    const r = renderer();
    let built;
    try {
      built = timed('build', () => r.build(overlay));
    } catch (err) {
      // Problems found while building (e.g. a secret not sealed yet) are reported together.
      if (!(err instanceof SpecError)) throw err;
      specProblems.push(...err.problems);
      return undefined;
    }
    const unverified = r.unverified(built.app);
    const validationBefore = r.validator.elapsedMs;
    let out;
    try {
      out = timed('render', () => r.render(overlay, built.layers, { validator: r.validator, fluxBootstrapped }));
    } catch (err) {
      // Report every overlay's violations at once.
      if (!(err instanceof SynthValidationError)) throw err;
      issues.push(...err.issues);
      return undefined;
    } finally {
      const validation = (r.validator.elapsedMs - validationBefore) / 1000;
      phases.render -= validation;
      phases.validation += validation;
    }
    const manifests = out.manifests;
    return { files: out.files, objects: out.objects, layers: built.layers.length, manifests: () => manifests, quotaProblems: quotaFitProblems(overlay, manifests), unverified };
  };

  for (const overlay of overlays) {
    const folder = clusterFolder(overlay);
    const fluxBootstrapped = fs.existsSync(path.join(outDir, 'clusters', folder, 'flux-system', 'kustomization.yaml'));
    const key = cache?.key(overlay, fluxBootstrapped);
    const cached = key ? cache!.get(key) : undefined;
    let out: OverlayRender | undefined;
    if (cached) {
      const cachedFiles = new Map(cached.files);
      out = { ...cached, files: cachedFiles, manifests: layerManifests(overlay, cachedFiles) };
    } else {
      out = renderFresh(overlay, fluxBootstrapped);
      if (!out) continue;
      if (key) cache!.set(key, { files: [...out.files], objects: out.objects, layers: out.layers, quotaProblems: out.quotaProblems, unverified: out.unverified });
    }
    downloads.push({ overlay, unverified: out.unverified });
    specProblems.push(...out.quotaProblems);
    const manifests = out.manifests;
    rendered.push({ overlay, files: out.files, get manifests() { return manifests(); } });
    for (const [rel, content] of out.files) files.set(rel, content);
    objects += out.objects;
    log(`  ${overlay.id.padEnd(24)} ${String(out.layers).padStart(2)} layers ${String(out.objects).padStart(5)} objects  -> clusters/${folder} (${overlay.region.gitops.engine})`);
  }

  rendererModules?.validator.saveCodeCache();
  if (issues.length) throw new SynthValidationError(issues);
  const wholeTree = !options.only?.length;
  const guard = timed('guard', () => guardTransitions({
    outDir,
    rendered,
    acknowledgements,
    wholeTree,
    regions: new Set(regionNames(envDir)),
    overlayIds: new Set(overlays.map((o) => o.id)),
  }));
  specProblems.push(...guard.problems, ...timed('guard', () => checksumProblems(downloads, { required: options.requireChecksums })));
  if (specProblems.length) throw new EnvironmentError(envDir, specProblems);
  if (cache && wholeTree) cache.prune();
  if (acknowledgements.length) files.set(ACKNOWLEDGEMENTS_FILE, acknowledgementsFile(acknowledgements));

  const scope = wholeTree
    ? WHOLE_TREE
    : overlayScope(overlays.map((o) => ({ region: o.region.name, environment: o.environment, clusterFolder: clusterFolder(o) })));
  const rel = (f: string) => path.relative(process.cwd(), path.join(outDir, f)) || f;
  const result: TreeResult = timed('write', () => (options.check ? diffTree(outDir, files, scope) : writeLockedTree(outDir, files, scope)));
  const stale = options.check
    ? [
      ...result.written.map(rel),
      ...result.removed.map((f) => `${rel(f)} (no longer rendered)`),
      ...(result.markerStale ? [`${rel(TREE_MARKER)} (the list of files synth owns)`] : []),
      ...timed('write', () => checkImports()),
    ]
    : [];
  const notes = [
    ...guard.acknowledged.map((a) => `acknowledged in ${a.acknowledgement.file}: ${a.description} (${a.acknowledgement.reason})`),
    ...guard.leftInPlace.map((o) => `left on the cluster (prune-protected, no longer in the tree): ${o}; delete it by hand once its data is safe`),
  ];
  const warnings = guard.unused.map((a) => `${a.file}: acknowledge[${a.index}] (${a.object}, ${a.change}) matches no change: the change is in the tree already, or the entry is mistyped; remove it once the change has been applied`);
  return {
    ...result,
    overlays: overlays.length,
    objects,
    seconds: (performance.now() - started) / 1000,
    validationSeconds: phases.validation,
    stale,
    notes,
    warnings: [...warnings, ...apiServerWarnings(overlays), ...checksumWarnings(downloads)],
    renderCache: { hits: cache?.hits ?? 0, misses: cache?.misses ?? overlays.length },
    phases,
  };
}

/** Regions that have a region file (a region whose file is gone has vanished). */
function regionNames(envDir: string): string[] {
  const dir = path.join(envDir, 'regions');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)) : [];
}

interface CommandLine extends SynthOptions {
  /** Print where the time went (`--timings`). */
  readonly timings: boolean;
}

function parseArgs(argv: readonly string[]): CommandLine {
  const only: string[] = [];
  let envDir: string | undefined;
  let outDir: string | undefined;
  let check = false;
  let requireChecksums = false;
  let timings = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--check') check = true;
    else if (arg === '--require-checksums') requireChecksums = true;
    else if (arg === '--timings') timings = true;
    else if (arg === '--only') only.push(...value().split(',').filter(Boolean));
    else if (arg === '--env-dir') envDir = value();
    else if (arg === '--out') outDir = value();
    else if (arg === '--help' || arg === '-h') throw new UsageError('');
    else throw new UsageError(`unknown argument "${arg}"`);
  }
  return { only, envDir, outDir, check, requireChecksums, timings };
}

/** `--timings`: one line, seconds per phase and the render cache's hits and misses. */
function timingsLine(r: SynthResult): string {
  const phases = Object.entries(r.phases).map(([phase, s]) => `${phase} ${s.toFixed(3)}`).join(', ');
  return `timings (s): ${phases}; total ${r.seconds.toFixed(3)}; render cache ${r.renderCache.hits} hit(s), ${r.renderCache.misses} miss(es)`;
}

class UsageError extends Error {}

const USAGE = `usage: npm run synth -- [--check] [--only <region>/<env>[,...]] [--require-checksums] [--env-dir DIR] [--out DIR]

  --check          compare dist/ and imports/ with what synth would produce; exit 1 if stale
  --require-checksums
                   refuse plugin archives and plugin URLs that carry no checksum (every region)
  --only R/E       render only these overlays; the rest of the tree is left as it is
  --timings        print the seconds spent per phase and the render cache's hits
  --env-dir DIR    environments folder (default: environments/)
  --out DIR        output folder (default: dist/)`;

export function main(argv: readonly string[]): number {
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
    console.log(`strata synth${options.check ? ' --check' : ''}: ${options.only?.length ? options.only.join(', ') : 'all overlays'} -> ${out}/`);
    const r = synth({ ...options, log: (line) => console.log(line) });
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
    console.log(`\n${r.overlays} overlays, ${r.objects} objects: ${r.written.length} files written, ${r.unchanged.length} unchanged, ${r.removed.length} removed (${r.seconds.toFixed(2)} s, validation ${r.validationSeconds.toFixed(2)} s)`);
    return 0;
  } catch (err) {
    if (err instanceof EnvironmentError || err instanceof SynthValidationError || err instanceof TreeLockedError || err instanceof TreeOwnershipError) {
      console.error(`\nstrata synth: ${err.message}`);
      return 1;
    }
    console.error(`\nstrata synth failed; nothing was written.\n${(err as Error).stack ?? err}`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
