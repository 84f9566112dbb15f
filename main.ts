/**
 * `npm run synth [-- --check] [--only <region>/<env> ...] [--env-dir DIR] [--out DIR]`
 *
 * Loads and validates environments/, builds one cdk8s App per overlay (one Chart per
 * layer), validates every object against the pinned schemas, and writes the GitOps tree to
 * dist/ in one atomic swap. Bad input exits non-zero with every problem listed and leaves
 * dist/ untouched.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildOverlay } from './charts/overlay';
import { loadEnvironments } from './environments/load';
import { EnvironmentError, Problem, SpecError } from './environments/problems';
import { checkImports } from './gitops/imports-check';
import { PROJECT_ROOT } from './environments/project-root';
import { clusterFolder, OverlayIssue, renderOverlay, SynthValidationError } from './gitops/render';
import { checkTransitions } from './gitops/transition-checks';
import { quotaFitProblems } from './gitops/quota-fit';
import { diffTree, overlayScope, TreeLockedError, TreeResult, WHOLE_TREE, writeTree } from './gitops/tree';
import { SchemaValidator } from './gitops/validator';

export interface SynthOptions {
  /** Environments folder. @default <project>/environments */
  readonly envDir?: string;
  /** Output folder. @default <project>/dist */
  readonly outDir?: string;
  /** Render only these overlays (`<region>/<env>`), leaving the rest of the tree as it is. */
  readonly only?: readonly string[];
  /** Compare instead of writing. */
  readonly check?: boolean;
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
}

export function synth(options: SynthOptions = {}): SynthResult {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const envDir = path.resolve(options.envDir ?? path.join(PROJECT_ROOT, 'environments'));
  const outDir = path.resolve(options.outDir ?? path.join(PROJECT_ROOT, 'dist'));

  const overlays = loadEnvironments(envDir, { only: options.only });
  const validator = new SchemaValidator();
  const files = new Map<string, string>();
  let objects = 0;
  const issues: OverlayIssue[] = [];
  const specProblems: Problem[] = [];
  for (const overlay of overlays) {
    let built;
    try {
      built = buildOverlay(overlay);
    } catch (err) {
      // Problems found while building (e.g. a secret not sealed yet) are reported together.
      if (!(err instanceof SpecError)) throw err;
      specProblems.push(...err.problems);
      continue;
    }
    const folder = clusterFolder(overlay);
    let rendered;
    try {
      rendered = renderOverlay(overlay, built.layers, {
        validator,
        fluxBootstrapped: fs.existsSync(path.join(outDir, 'clusters', folder, 'flux-system', 'kustomization.yaml')),
      });
    } catch (err) {
      // Report every overlay's violations at once.
      if (!(err instanceof SynthValidationError)) throw err;
      issues.push(...err.issues);
      continue;
    }
    specProblems.push(...quotaFitProblems(overlay, rendered.manifests), ...checkTransitions(overlay, rendered.files, outDir));
    for (const [rel, content] of rendered.files) files.set(rel, content);
    objects += rendered.objects;
    log(`  ${overlay.id.padEnd(24)} ${String(built.layers.length).padStart(2)} layers ${String(rendered.objects).padStart(5)} objects  -> clusters/${folder} (${overlay.region.gitops.engine})`);
  }

  validator.saveCodeCache();
  if (issues.length) throw new SynthValidationError(issues);
  if (specProblems.length) throw new EnvironmentError(envDir, specProblems);

  const scope = options.only?.length
    ? overlayScope(overlays.map((o) => ({ region: o.region.name, environment: o.environment, clusterFolder: clusterFolder(o) })))
    : WHOLE_TREE;
  const rel = (f: string) => path.relative(process.cwd(), path.join(outDir, f)) || f;
  let result: TreeResult;
  let stale: string[] = [];
  if (options.check) {
    result = diffTree(outDir, files, scope);
    stale = [...result.written.map(rel), ...result.removed.map((f) => `${rel(f)} (no longer rendered)`), ...checkImports()];
  } else {
    result = writeTree(outDir, files, scope);
  }
  return {
    ...result,
    overlays: overlays.length,
    objects,
    seconds: (performance.now() - started) / 1000,
    validationSeconds: validator.elapsedMs / 1000,
    stale,
  };
}

function parseArgs(argv: readonly string[]): SynthOptions {
  const only: string[] = [];
  let envDir: string | undefined;
  let outDir: string | undefined;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--check') check = true;
    else if (arg === '--only') only.push(...value().split(',').filter(Boolean));
    else if (arg === '--env-dir') envDir = value();
    else if (arg === '--out') outDir = value();
    else if (arg === '--help' || arg === '-h') throw new UsageError('');
    else throw new UsageError(`unknown argument "${arg}"`);
  }
  return { only, envDir, outDir, check };
}

class UsageError extends Error {}

const USAGE = `usage: npm run synth -- [--check] [--only <region>/<env>[,...]] [--env-dir DIR] [--out DIR]

  --check          compare dist/ and imports/ with what synth would produce; exit 1 if stale
  --only R/E       render only these overlays; the rest of the tree is left as it is
  --env-dir DIR    environments folder (default: environments/)
  --out DIR        output folder (default: dist/)`;

export function main(argv: readonly string[]): number {
  let options: SynthOptions;
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
    if (err instanceof EnvironmentError || err instanceof SynthValidationError || err instanceof TreeLockedError) {
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
