/**
 * `npm run diff`: what a change does to the clusters, for review. Renders the base (a git
 * ref, in a temporary worktree) and the head (the working tree, or a ref), compares them
 * object by object, classifies each change (data loss, downtime, security) and prints a
 * report: markdown for a pull-request comment, text, or JSON. See README, "Reviewing a change".
 *
 * Exit codes: 0 nothing to fail on, 1 a side does not render (or another failure), 2 usage
 * error, 3 unacknowledged risks of a `--fail-on` class (the report is still written).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RISK_CLASSES, RiskClass } from '../constructs/platform/risk-rules';
import { PROJECT_ROOT } from '../environments/project-root';
import { GITHUB_COMMENT_LIMIT, markdownReport } from '../gitops/review/markdown-report';
import { scrub, secretValues } from '../gitops/review/masking';
import { defaultBase, renderRef, resolveRef, RenderedSide, RenderSideError, renderWorkingTree } from '../gitops/review/render-side';
import { readRenderedTree, RenderedTree } from '../gitops/review/rendered-tree';
import { jsonReport, ReportContext } from '../gitops/review/report';
import { textReport } from '../gitops/review/text-report';
import { diffTrees, failing, TreeDiff } from '../gitops/review/tree-diff';

export const DIFF_FORMATS = ['markdown', 'text', 'json'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];
export const FAIL_ON = [...RISK_CLASSES, 'any', 'none'] as const;

export interface DiffOptions {
  readonly base?: string;
  readonly head?: string;
  /** Compare rendered trees as they are (no rendering): for trees a pipeline already rendered. */
  readonly baseTree?: string;
  readonly headTree?: string;
  readonly format: DiffFormat;
  readonly only: readonly string[];
  readonly failOn: ReadonlySet<RiskClass>;
  readonly output?: string;
  readonly linkBase?: string;
}

export class UsageError extends Error {}

/** Every flag `npm run diff` accepts, with whether it takes a value (the CI workflows are checked against it). */
export const DIFF_FLAGS: Readonly<Record<string, boolean>> = {
  '--base': true,
  '--head': true,
  '--base-tree': true,
  '--head-tree': true,
  '--format': true,
  '--only': true,
  '--fail-on': true,
  '--output': true,
  '--link-base': true,
  '--help': false,
};

export function parseDiffArgs(argv: readonly string[]): DiffOptions {
  const values: Record<string, string> = {};
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new UsageError('');
    if (!(arg in DIFF_FLAGS)) throw new UsageError(`unknown argument "${arg}"`);
    const v = argv[++i];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
    if (arg === '--only') only.push(...v.split(',').filter(Boolean));
    else values[arg] = v;
  }
  const format = (values['--format'] ?? 'markdown') as DiffFormat;
  if (!DIFF_FORMATS.includes(format)) throw new UsageError(`--format is one of ${DIFF_FORMATS.join(', ')}, not "${format}"`);
  const failOn = new Set<RiskClass>();
  for (const c of (values['--fail-on'] ?? 'data-loss').split(',')) {
    if (!(FAIL_ON as readonly string[]).includes(c)) throw new UsageError(`--fail-on takes ${FAIL_ON.join(', ')} (comma-separated), not "${c}"`);
    if (c === 'any') RISK_CLASSES.forEach((x) => failOn.add(x));
    else if (c !== 'none') failOn.add(c as RiskClass);
  }
  if (values['--head'] && values['--head-tree']) throw new UsageError('--head and --head-tree exclude each other');
  if (values['--base'] && values['--base-tree']) throw new UsageError('--base and --base-tree exclude each other');
  return {
    base: values['--base'],
    head: values['--head'],
    baseTree: values['--base-tree'],
    headTree: values['--head-tree'],
    format,
    only,
    failOn,
    output: values['--output'],
    linkBase: values['--link-base'],
  };
}

/** `--only`: a cluster entry folder, an overlay `region/env` or a region, with `*` and `?`. */
export function selectChanges(diff: TreeDiff, patterns: readonly string[]): TreeDiff {
  if (!patterns.length) return diff;
  const regexes = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')}$`,
      ),
  );
  const matches = (cluster: string, overlay: string | undefined) =>
    regexes.some((r) => r.test(cluster) || (overlay !== undefined && (r.test(overlay) || r.test(overlay.split('/')[0]))));
  const changes = diff.changes.filter((c) => matches(c.cluster, (c.before ?? c.after)?.overlay));
  const kept = new Set(changes.flatMap((c) => c.risks));
  return { ...diff, changes, risks: diff.risks.filter((r) => kept.has(r)) };
}

export function report(diff: TreeDiff, ctx: ReportContext, format: DiffFormat, trees: readonly RenderedTree[]): string {
  const text =
    format === 'markdown' ? markdownReport(diff, ctx, GITHUB_COMMENT_LIMIT) : format === 'json' ? jsonReport(diff, ctx) : textReport(diff, ctx);
  const secrets = new Set<string>();
  for (const t of trees) for (const o of t.objects.values()) secretValues(o.manifest, secrets);
  return scrub(text, secrets);
}

const USAGE = `usage: npm run diff -- [--base REF] [--head REF] [--format markdown|text|json] [--only PATTERN[,...]]
                      [--fail-on ${FAIL_ON.join('|')}[,...]] [--output FILE] [--link-base URL]
                      [--base-tree DIR] [--head-tree DIR]

  --base REF       render this git ref as the base (default: origin/main if it exists, else HEAD)
  --head REF       render this git ref as the head (default: the working tree)
  --base-tree DIR  compare with a tree already rendered in DIR instead (likewise --head-tree)
  --format F       markdown (a pull-request comment, the default), text or json
  --only P         report only these clusters (entry folder names), overlays (region/env) or regions
  --fail-on C      exit 3 when an unacknowledged risk of these classes is found (default: data-loss)
  --output FILE    write the report to FILE instead of standard output
  --link-base URL  prefix of links to repository files in markdown (e.g. https://github.com/o/r/blob/<sha>/)`;

export async function main(argv: readonly string[]): Promise<number> {
  let options: DiffOptions;
  try {
    options = parseDiffArgs(argv);
  } catch (err) {
    const message = (err as Error).message;
    if (message) console.error(`strata diff: ${message}`);
    console.error(USAGE);
    return message ? 2 : 0;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-diff-'));
  const cleanup = () => fs.rmSync(work, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const base = options.baseTree ?? options.base ?? defaultBase(PROJECT_ROOT);
    // A ref that does not resolve fails before anything renders.
    if (!options.baseTree) resolveRef(PROJECT_ROOT, base);
    if (options.head) resolveRef(PROJECT_ROOT, options.head);
    console.error(`strata diff: ${base} -> ${options.headTree ?? options.head ?? 'working tree'}`);
    // Both sides render at once; a side that fails is reported after the other has finished
    // (never left running while its folder is removed).
    const sides = await Promise.allSettled([
      options.baseTree
        ? Promise.resolve({ label: options.baseTree, treeDir: existing(options.baseTree) })
        : renderRef(PROJECT_ROOT, base, work, 'base'),
      options.headTree
        ? Promise.resolve({ label: options.headTree, treeDir: existing(options.headTree) })
        : options.head
          ? renderRef(PROJECT_ROOT, options.head, work, 'head')
          : renderWorkingTree(PROJECT_ROOT, work),
    ]);
    for (const side of sides) if (side.status === 'rejected') throw side.reason;
    const [baseSide, headSide] = sides.map((side) => (side as PromiseFulfilledResult<RenderedSide>).value);
    const baseTree = readRenderedTree(baseSide.treeDir);
    const headTree = readRenderedTree(headSide.treeDir);
    const diff = selectChanges(diffTrees(baseTree, headTree), options.only);
    const topologies = new Set(
      [...headTree.objects.values()].filter((o) => /^clusters\/[^/]+\/TOPOLOGY\.md$/.test(o.file)).map((o) => o.file.split('/')[1]),
    );
    const ctx: ReportContext = {
      base: baseSide.label,
      head: headSide.label,
      linkBase: options.linkBase,
      treePath: 'dist',
      topologies,
      failOn: options.failOn,
    };
    const text = report(diff, ctx, options.format, [baseTree, headTree]);
    if (options.output) fs.writeFileSync(options.output, text);
    else process.stdout.write(text);
    const failed = failing(diff, options.failOn);
    if (failed.length) {
      console.error(`strata diff: ${failed.length} unacknowledged risk(s) of the --fail-on classes (${[...options.failOn].join(', ')})`);
      return 3;
    }
    return 0;
  } catch (err) {
    if (err instanceof RenderSideError || err instanceof UsageError) {
      console.error(`strata diff: ${err.message}`);
      return 1;
    }
    console.error(`strata diff failed: ${(err as Error).stack ?? err}`);
    return 1;
  } finally {
    cleanup();
  }
}

function existing(dir: string): string {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder with a rendered tree`);
  return path.resolve(dir);
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
