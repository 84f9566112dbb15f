/**
 * Which overlays a synth renders: `--only` patterns and `--shard K/N`.
 *
 *   --only eu-west/prod     one overlay
 *   --only eu-west          every environment of a region
 *   --only 'eu-*'/prod      `*` (any run of characters but `/`) and `?` (one character) in
 *   --only '*'/prod         the region, the environment, or both
 *   --shard 2/4             the second of four shards: every fourth overlay in code-point
 *                           order, so N CI jobs render disjoint shares of equal size
 *
 * Both may be combined (the shard is taken of what `--only` selects). A pattern that matches
 * nothing is an error, not an empty synth.
 */
import { Problem } from './problems';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export interface OverlaySelection {
  readonly only?: readonly string[];
  readonly shard?: Shard;
}

const PATTERN = /^[a-z0-9*?][a-z0-9*?-]*(\/[a-z0-9*?][a-z0-9*?-]*)?$/;

/** Parses `K/N` (1 ≤ K ≤ N ≤ 1000); undefined when it is not one. */
export function parseShard(text: string): Shard | undefined {
  const m = /^([1-9][0-9]{0,3})\/([1-9][0-9]{0,3})$/.exec(text);
  if (!m) return undefined;
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  return shard.index <= shard.count && shard.count <= 1000 ? shard : undefined;
}

function matcher(pattern: string): (id: string) => boolean {
  const [region, environment] = pattern.split('/');
  const part = (glob: string) => new RegExp(`^${glob.replace(/[*]/g, '[^/]*').replace(/[?]/g, '[^/]')}$`);
  const r = part(region);
  const e = environment === undefined ? /^[^/]+$/ : part(environment);
  return (id) => {
    const [idRegion, idEnvironment] = id.split('/');
    return r.test(idRegion) && e.test(idEnvironment);
  };
}

/**
 * The ids `selection` picks from `ids` (in their order), or the problems of patterns that
 * are malformed or match nothing.
 */
export function selectOverlays(
  ids: readonly string[],
  selection: OverlaySelection,
): { readonly ids: readonly string[]; readonly problems: readonly Problem[] } {
  const problems: Problem[] = [];
  let selected = [...ids];
  if (selection.only?.length) {
    const picked = new Set<string>();
    for (const pattern of selection.only) {
      if (!PATTERN.test(pattern)) {
        problems.push({
          file: 'overlays/',
          path: '',
          value: pattern,
          message: '--only takes <region>/<env>, <region>, or either with * and ? wildcards',
          fix: `use one of ${ids.join(', ')}`,
        });
        continue;
      }
      const matches = ids.filter(matcher(pattern));
      if (!matches.length) {
        problems.push({
          file: 'overlays/',
          path: '',
          value: pattern,
          message: '--only names no overlay that exists',
          fix: `use one of ${ids.join(', ')}`,
        });
      }
      for (const id of matches) picked.add(id);
    }
    selected = ids.filter((id) => picked.has(id));
  }
  if (selection.shard) {
    const { index, count } = selection.shard;
    const ordered = [...selected].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const share = new Set(ordered.filter((_, i) => i % count === index - 1));
    selected = selected.filter((id) => share.has(id));
  }
  return { ids: selected, problems };
}
