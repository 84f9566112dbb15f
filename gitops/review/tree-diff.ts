/**
 * Compares two rendered trees object by object and classifies every change: data loss by the
 * transition rules the guard applies (constructs/transitions.ts), downtime and security by
 * the review rules (constructs/risks.ts). Removed and added objects that are the same object
 * under another name, or on another cluster, are paired as renames and moves.
 */
import { fieldChanges, FieldChange } from './object-diff';
import { RenderedTree, TreeObject, Acknowledged } from './rendered-tree';
import { compareStrings } from '../../constructs/platform/ordering';
import { RiskClass, RISK_CLASSES } from '../../constructs/platform/risk-rules';
import { apiGroup, keepsPruneProtection, Manifest } from '../../constructs/platform/transition-rules';
import { RISK_RULES } from '../../constructs/risks';
import { transitionRuleFor } from '../../constructs/transitions';

export type ChangeType = 'added' | 'removed' | 'changed' | 'renamed' | 'moved';

export interface Risk {
  readonly risk: RiskClass;
  readonly cluster: string;
  readonly object: string;
  readonly field: string;
  /** One sentence naming the object and the field. */
  readonly message: string;
  readonly fix?: string;
  /**
   * `refused`: synth refuses it until an acknowledgement names it; `impossible`: the cluster
   * cannot apply it; `acknowledged`: an `acknowledge:` entry lets it go ahead; `review`:
   * shown and scored, never refused (downtime, security).
   */
  readonly status: 'refused' | 'impossible' | 'acknowledged' | 'review';
  readonly acknowledgement?: Acknowledged;
}

export interface ObjectChange {
  readonly type: ChangeType;
  readonly cluster: string;
  readonly layer: string;
  readonly kind: string;
  readonly id: string;
  readonly file: string;
  /** The object it was, for renames and moves. */
  readonly from?: { readonly cluster: string; readonly id: string; readonly file: string };
  readonly fields: readonly FieldChange[];
  readonly risks: readonly Risk[];
  /** The object before (removed, changed, renamed, moved) and after (added, changed, renamed, moved). */
  readonly before?: TreeObject;
  readonly after?: TreeObject;
}

export interface TreeDiff {
  readonly changes: readonly ObjectChange[];
  readonly risks: readonly Risk[];
  /** Acknowledgements of the head tree, each with whether it matched a change. */
  readonly acknowledgements: readonly { readonly acknowledgement: Acknowledged; readonly used: boolean }[];
}

const riskRules = (m: Manifest) => RISK_RULES.filter((r) => r.group === apiGroup(m) && r.kind === m?.kind);

/** Leaves (values that are not objects or lists) of a manifest. */
function leaves(value: unknown): number {
  if (value && typeof value === 'object') return Object.values(value).reduce((n: number, v) => n + leaves(v), 0);
  return 1;
}

/**
 * The same object under another name: at most a quarter of its fields differ once the name
 * is set aside (names derived from it, such as Secrets and backup paths, change with it).
 */
function renameDistance(a: Manifest, b: Manifest): number | undefined {
  const unnamed = (m: Manifest) => ({ ...m, metadata: { ...m.metadata, name: undefined } });
  const before = unnamed(a);
  const changed = fieldChanges(before, unnamed(b)).length;
  return changed <= Math.max(2, leaves(before) / 4) ? changed : undefined;
}

function dataLoss(before: TreeObject | undefined, after: TreeObject | undefined, change: ChangeType): Omit<Risk, 'status'>[] {
  const out: Omit<Risk, 'status'>[] = [];
  const prev = before?.manifest;
  const rule = prev ? transitionRuleFor(prev) : undefined;
  const object = before?.id ?? after!.id;
  const cluster = before?.cluster ?? after!.cluster;
  const leavesCluster = change === 'removed' || change === 'renamed' || (change === 'moved' && before!.cluster !== after!.cluster);
  if (before && rule?.stateful && leavesCluster) {
    const how =
      change === 'removed'
        ? 'is removed from the tree'
        : change === 'renamed'
          ? `is renamed to ${after!.id} (a delete and a create: the new object starts from no data)`
          : `moves to cluster ${after!.cluster} (the new one starts from no data)`;
    out.push({
      risk: 'data-loss',
      cluster,
      object,
      field: 'removed',
      message: `${object} ${how}; its data is no longer managed, and is lost if it is deleted`,
      fix: rule.removalFix,
    });
  }
  if (before && after && (change === 'changed' || change === 'moved')) {
    const changes = [...(rule?.check?.(prev, after.manifest) ?? []), ...(rule?.stateful ? keepsPruneProtection(prev, after.manifest) : [])];
    for (const c of changes) {
      out.push({
        risk: 'data-loss',
        cluster,
        object,
        field: c.field,
        message: `${object}: ${c.field}: ${c.message}`,
        fix: c.fix,
        ...(c.impossible ? { impossible: true } : {}),
      } as any);
    }
  }
  return out;
}

function reviewRisks(before: TreeObject | undefined, after: TreeObject | undefined): Omit<Risk, 'status'>[] {
  const m = (after ?? before)!.manifest;
  const object = (after ?? before)!.id;
  const cluster = (after ?? before)!.cluster;
  return riskRules(m).flatMap((rule) =>
    rule.check(before?.manifest, after?.manifest).map((f) => ({
      risk: rule.risk,
      cluster,
      object,
      field: f.field,
      message: `${object}: ${f.field === 'added' || f.field === 'removed' ? '' : `${f.field}: `}${f.message}`,
    })),
  );
}

/** Which overlay an acknowledgement's file speaks for: `overlays/R/E.yaml`, `regions/R.yaml`, `platform.yaml`. */
function ackCovers(a: Acknowledged, overlay: string | undefined): boolean {
  const o = /^overlays\/([^/]+)\/([^/]+)\.ya?ml$/.exec(a.file);
  if (o) return overlay === `${o[1]}/${o[2]}`;
  const r = /^regions\/([^/]+)\.ya?ml$/.exec(a.file);
  if (r) return overlay === undefined || overlay.startsWith(`${r[1]}/`);
  return true;
}

export function diffTrees(base: RenderedTree, head: RenderedTree): TreeDiff {
  const removed: TreeObject[] = [];
  const added: TreeObject[] = [];
  const pairs: [TreeObject, TreeObject, ChangeType][] = [];
  for (const [key, b] of base.objects) {
    const h = head.objects.get(key);
    if (!h) removed.push(b);
    else if (h.text !== b.text || h.file !== b.file) pairs.push([b, h, h.file === b.file ? 'changed' : 'moved']);
  }
  for (const [key, h] of head.objects) if (!base.objects.has(key)) added.push(h);

  // The same object on another cluster (a moved overlay or placement), then under another name.
  const taken = new Set<TreeObject>();
  const byId = new Map<string, TreeObject[]>();
  for (const a of added) byId.set(a.id, [...(byId.get(a.id) ?? []), a]);
  for (const r of removed) {
    const a = (byId.get(r.id) ?? []).find((x) => !taken.has(x) && x.kind !== 'file');
    if (a) {
      taken.add(a);
      taken.add(r);
      pairs.push([r, a, 'moved']);
    }
  }
  const candidates = new Map<string, TreeObject[]>();
  for (const a of added) {
    if (taken.has(a) || a.kind === 'file') continue;
    const k = `${a.cluster}|${a.kind}|${a.manifest.metadata?.namespace ?? ''}`;
    candidates.set(k, [...(candidates.get(k) ?? []), a]);
  }
  for (const r of removed) {
    if (taken.has(r) || r.kind === 'file') continue;
    const list = candidates.get(`${r.cluster}|${r.kind}|${r.manifest.metadata?.namespace ?? ''}`) ?? [];
    // The closest candidate (fewest fields apart), among the first 50 of its kind.
    let a: TreeObject | undefined;
    let best = Infinity;
    for (const x of list.slice(0, 50)) {
      if (taken.has(x)) continue;
      const d = renameDistance(r.manifest, x.manifest);
      if (d !== undefined && d < best) {
        best = d;
        a = x;
      }
    }
    if (a) {
      taken.add(a);
      taken.add(r);
      pairs.push([r, a, 'renamed']);
    }
  }

  const changes: ObjectChange[] = [];
  const pending: { change: Omit<ObjectChange, 'risks'>; risks: Omit<Risk, 'status'>[]; overlay?: string }[] = [];
  for (const [b, h, type] of pairs) {
    const fields = b.kind === 'file' ? [] : fieldChanges(b.manifest, h.manifest);
    pending.push({
      change: {
        type,
        cluster: h.cluster,
        layer: h.layer,
        kind: h.kind,
        id: h.id,
        file: h.file,
        fields,
        before: b,
        after: h,
        ...(type !== 'changed' ? { from: { cluster: b.cluster, id: b.id, file: b.file } } : {}),
      },
      risks: b.kind === 'file' ? [] : [...dataLoss(b, h, type), ...(type === 'renamed' ? reviewRisks(undefined, h) : reviewRisks(b, h))],
      overlay: b.overlay,
    });
  }
  for (const r of removed) {
    if (taken.has(r)) continue;
    pending.push({
      change: { type: 'removed', cluster: r.cluster, layer: r.layer, kind: r.kind, id: r.id, file: r.file, fields: [], before: r },
      risks: r.kind === 'file' ? [] : [...dataLoss(r, undefined, 'removed'), ...reviewRisks(r, undefined)],
      overlay: r.overlay,
    });
  }
  for (const a of added) {
    if (taken.has(a)) continue;
    pending.push({
      change: { type: 'added', cluster: a.cluster, layer: a.layer, kind: a.kind, id: a.id, file: a.file, fields: [], after: a },
      risks: a.kind === 'file' ? [] : reviewRisks(undefined, a),
      overlay: a.overlay,
    });
  }

  // Acknowledgements: a removal or field change named exactly, or an object in a namespace whose removal is.
  const used = new Set<Acknowledged>();
  const find = (object: string, change: string, overlay: string | undefined) =>
    head.acknowledged.find((a) => a.object === object && a.change === change && ackCovers(a, overlay));
  const namespaceAcks = new Map<string, Acknowledged>();
  for (const p of pending) {
    if (p.change.type === 'removed' && p.change.kind === 'Namespace') {
      const a = find(p.change.id, 'removed', p.overlay);
      if (a) namespaceAcks.set(`${p.change.cluster}|${p.change.before!.manifest.metadata?.name}`, a);
    }
  }
  for (const p of pending) {
    const risks = p.risks.map((r): Risk => {
      if (r.risk !== 'data-loss') return { ...r, status: 'review' };
      if ((r as any).impossible) {
        const { impossible: _drop, ...rest } = r as any;
        return { ...rest, status: 'impossible' };
      }
      const ns = p.change.before?.manifest.metadata?.namespace;
      const a = find(r.object, r.field, p.overlay) ?? (r.field === 'removed' && ns ? namespaceAcks.get(`${r.cluster}|${ns}`) : undefined);
      if (a) {
        used.add(a);
        return { ...r, status: 'acknowledged', acknowledgement: a };
      }
      return { ...r, status: 'refused' };
    });
    changes.push({ ...p.change, risks });
  }

  const order = (c: ObjectChange) => [c.cluster, c.layer, c.kind, c.id] as const;
  changes.sort((x, y) => {
    const a = order(x);
    const b = order(y);
    for (let i = 0; i < a.length; i++) {
      const d = compareStrings(a[i], b[i]);
      if (d) return d;
    }
    return 0;
  });
  const rank = (r: Risk) => RISK_CLASSES.indexOf(r.risk);
  const risks = changes
    .flatMap((c) => c.risks)
    .sort(
      (a, b) => rank(a) - rank(b) || compareStrings(a.cluster, b.cluster) || compareStrings(a.object, b.object) || compareStrings(a.field, b.field),
    );
  return { changes, risks, acknowledgements: head.acknowledged.map((a) => ({ acknowledgement: a, used: used.has(a) })) };
}

/** Unacknowledged risks of the classes that fail the run. */
export function failing(diff: TreeDiff, classes: ReadonlySet<RiskClass>): Risk[] {
  return diff.risks.filter((r) => classes.has(r.risk) && r.status !== 'acknowledged');
}
