/**
 * What may change between the tree a cluster runs and the next one. A construct that renders
 * a stateful kind declares its rules here (next to the construct, in `<area>/*-transitions.ts`);
 * the tree writer (gitops/transition-guard.ts) applies them generically to every object that
 * exists in both trees, and to every object of a stateful kind that disappears.
 *
 * Two classes of change:
 * - `impossible`: the cluster cannot apply it (a volume cannot shrink, MinIO cannot reshape a
 *   pool). Refused, with the way forward.
 * - data loss (the default): it can be applied, and loses or endangers data (a database
 *   removed, replication lowered below quorum, backups cut, a DR role flipped). Refused unless
 *   the overlay file acknowledges that object and field, with a reason.
 */
import { isPruneProtected } from './protection';
import { goDurationSeconds } from './schedule-interval';
import { parseQuantity } from '../core/quantity';

/** A rendered manifest as read from YAML. */
export type Manifest = any;

/** The API group of a manifest (empty for the core group). */
export function apiGroup(m: Manifest): string {
  const v = String(m?.apiVersion ?? '');
  return v.includes('/') ? v.slice(0, v.lastIndexOf('/')) : '';
}

export interface TransitionChange {
  /** Field of the rendered object, dotted (`spec.instances`), or `removed`. */
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
  /** What happens if it is applied, without the object's name (the guard prefixes it). */
  readonly message: string;
  /** The safe way forward. */
  readonly fix: string;
  /** Environment setting that drives the field, to name the file that set it. */
  readonly setting?: string;
  /** The cluster cannot apply the change at all: no acknowledgement helps. */
  readonly impossible?: boolean;
}

export interface TransitionRule {
  /** API group (empty for the core group). */
  readonly group: string;
  readonly kind: string;
  /**
   * Removing the object loses data (or, for a namespace, everything in it): removal is
   * refused unless acknowledged. @default false
   */
  readonly stateful?: boolean;
  /** Environment setting to name when the object disappears. */
  readonly removalSetting?: string;
  /** What to do instead of removing it. */
  readonly removalFix?: string;
  /**
   * The objects of the kind this rule is for, where a kind renders more than one component
   * (the Helm releases): the rule of a manifest is the first whose `appliesTo` accepts it,
   * else the kind's rule without one. @default every object of the kind
   */
  appliesTo?(m: Manifest): boolean;
  /** Changes from `previous` to `next`, both the same object (kind, namespace, name). */
  check?(previous: Manifest, next: Manifest): TransitionChange[];
}

/**
 * A stateful object keeps its prune protection (platform/protection.ts): without it, a later
 * removal from the tree deletes it and its data. Applied to every stateful kind, by the guard
 * and by the review diff.
 */
export function keepsPruneProtection(previous: Manifest, next: Manifest): TransitionChange[] {
  if (!isPruneProtected(previous) || isPruneProtected(next)) return [];
  const key = 'kustomize.toolkit.fluxcd.io/prune';
  return [
    {
      field: `metadata.annotations.${key}`,
      before: previous.metadata.annotations[key],
      after: next?.metadata?.annotations?.[key],
      message: 'would lose its prune protection: a later removal from the tree deletes it, and its data with it',
      fix: 'keep protectFromPrune on the construct that renders it, or acknowledge the change',
    },
  ];
}

/** `a.b.c` read from a manifest; keys with dots (`min.insync.replicas`) are given as arrays. */
export function at(manifest: Manifest, path: string | readonly string[]): any {
  const parts = typeof path === 'string' ? path.split('.') : path;
  let node = manifest;
  for (const p of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[p];
  }
  return node;
}

/** Fewer members than a majority of the old count: the set loses quorum (or its only copy). */
export function belowQuorum(before: number, after: number): boolean {
  return after < before && after < Math.floor(before / 2) + 1;
}

/** A member count (instances, replicas) must keep a majority of what runs. */
export function keepsQuorum(previous: Manifest, next: Manifest, field: string, what: string, setting?: string): TransitionChange[] {
  const before = at(previous, field);
  const after = at(next, field);
  if (typeof before !== 'number' || typeof after !== 'number' || !belowQuorum(before, after)) return [];
  return [
    {
      field,
      before,
      after,
      setting,
      message: `${what} would go from ${before} to ${after}, below a majority of the ${before} that run (${Math.floor(before / 2) + 1}): the members that stay may not hold every committed write`,
      fix: `lower it one member at a time, letting the set settle in between (at least ${Math.floor(before / 2) + 1} now), or acknowledge the change`,
    },
  ];
}

/** A count or factor that must not go down (replication factor, min ISR, partitions). */
export function notLowered(
  previous: Manifest,
  next: Manifest,
  field: string | readonly string[],
  what: string,
  options: { setting?: string; impossible?: boolean; fix?: string } = {},
): TransitionChange[] {
  const before = toNumber(at(previous, field));
  const after = toNumber(at(next, field));
  if (before === undefined || after === undefined || after >= before) return [];
  const name = typeof field === 'string' ? field : field.join('.');
  return [
    {
      field: name,
      before,
      after,
      setting: options.setting,
      impossible: options.impossible,
      message: `${what} would be lowered from ${before} to ${after}`,
      fix: options.fix ?? `keep it at ${before}, or acknowledge the change`,
    },
  ];
}

/** A volume size that must not shrink: Kubernetes cannot shrink a volume. */
export function notShrunk(previous: Manifest, next: Manifest, field: string, what: string, setting?: string): TransitionChange[] {
  const before = at(previous, field);
  const after = at(next, field);
  return sizeNotShrunk(before, after, field, what, setting);
}

export function sizeNotShrunk(before: unknown, after: unknown, field: string, what: string, setting?: string): TransitionChange[] {
  if (typeof before !== 'string' || typeof after !== 'string') return [];
  if (parseQuantity(after) >= parseQuantity(before)) return [];
  return [
    {
      field,
      before,
      after,
      setting,
      impossible: true,
      message: `${what} would shrink from ${before} to ${after}; volumes cannot shrink`,
      fix: `keep ${setting ?? field} at ${before} or more`,
    },
  ];
}

/**
 * A claim an operator creates from a spec (`<spec>.resources.requests.storage`,
 * `<spec>.storageClassName`): it cannot shrink, and another storage class starts an empty
 * claim, which the operator does not fill from the old one.
 */
export function claimKept(previous: unknown, next: unknown, spec: string, what: string, setting: string): TransitionChange[] {
  const changes = sizeNotShrunk(
    at(previous, `${spec}.resources.requests.storage`),
    at(next, `${spec}.resources.requests.storage`),
    `${spec}.resources.requests.storage`,
    what,
    setting,
  );
  const before = at(previous, `${spec}.storageClassName`);
  const after = at(next, `${spec}.storageClassName`);
  if (before !== undefined && before !== after) {
    changes.push({
      field: `${spec}.storageClassName`,
      before,
      after,
      setting: 'region.storageClasses.fast',
      message: `the storage class of ${what} would change from ${String(before)} to ${String(after ?? '(none)')}: the operator cannot move the claim, and a new one starts empty`,
      fix: 'keep the storage class, or acknowledge the change: the old claim stays until deleted by hand',
    });
  }
  return changes;
}

/** A value that must not change once set (storage class, DR source, bootstrap). */
export function unchanged(
  previous: Manifest,
  next: Manifest,
  field: string,
  what: string,
  options: { setting?: string; fix?: string; message?: string } = {},
): TransitionChange[] {
  const before = at(previous, field);
  const after = at(next, field);
  if (before === undefined && after === undefined) return [];
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [
    {
      field,
      before,
      after,
      setting: options.setting,
      message: options.message ?? `${what} would change from ${show(before)} to ${show(after)}`,
      fix: options.fix ?? `keep it at ${show(before)}, or acknowledge the change`,
    },
  ];
}

/** A retention (`30d`, `4w`, `720h`) that must not get shorter. */
export function notShortened(previous: Manifest, next: Manifest, field: string, what: string, setting?: string): TransitionChange[] {
  const before = at(previous, field);
  const after = at(next, field);
  const b = retentionSeconds(before);
  const a = retentionSeconds(after);
  if (before !== undefined && after === undefined) {
    return [
      {
        field,
        before,
        after,
        setting,
        message: `${what} would be removed (was ${show(before)})`,
        fix: `keep ${setting ?? field}, or acknowledge the change`,
      },
    ];
  }
  if (b === undefined || a === undefined || a >= b) return [];
  return [
    {
      field,
      before,
      after,
      setting,
      message: `${what} would be shortened from ${show(before)} to ${show(after)}: older backups or records are deleted`,
      fix: `keep it at ${show(before)} or longer, or acknowledge the change`,
    },
  ];
}

/** Seconds of a CloudNativePG retention (`30d`, `4w`, `3m`), a Go duration or milliseconds. */
export function retentionSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return value / 1000;
  if (typeof value !== 'string') return undefined;
  if (/^[0-9]+$/.test(value)) return Number(value) / 1000;
  const m = /^([0-9]+)([dwm])$/.exec(value);
  if (m) return Number(m[1]) * { d: 86400, w: 7 * 86400, m: 30 * 86400 }[m[2] as 'd' | 'w' | 'm'];
  return goDurationSeconds(value);
}

/** Names in a list of `{ name }` entries that are gone from the next object. */
export function entriesRemoved(previous: Manifest, next: Manifest, field: string, what: string, setting?: string): TransitionChange[] {
  const names = (m: Manifest) =>
    ((at(m, field) ?? []) as any[]).map((e) => (typeof e === 'string' ? e : e?.name)).filter((n): n is string => typeof n === 'string');
  const kept = new Set(names(next));
  return names(previous)
    .filter((n) => !kept.has(n))
    .map((n) => ({
      field: `${field}[${n}]`,
      before: n,
      after: undefined,
      setting,
      message: `${what} ${n} would be removed`,
      fix: `keep ${n}, or acknowledge its removal`,
    }));
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return Number(v);
  return undefined;
}

export function show(v: unknown): string {
  if (v === undefined) return '(not set)';
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
