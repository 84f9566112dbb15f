/**
 * The review report's model, shared by its formats (markdown for a pull-request comment,
 * text for a terminal, JSON for tools): the summary per cluster and layer, the risks, and
 * each object's changed fields with secrets masked (masking.ts).
 */
import { MASK, showValue } from './masking';
import type { ObjectChange, Risk, TreeDiff } from './tree-diff';
import { compareStrings } from '../../constructs/platform/ordering';
import { RISK_CLASSES, RiskClass } from '../../constructs/platform/risk-rules';

export interface ReportContext {
  /** How the base side is named: `origin/main (1a2b3c4)`. */
  readonly base: string;
  /** How the head side is named: `working tree`, or a ref. */
  readonly head: string;
  /** Prefix of repository links (`https://github.com/o/r/blob/<sha>/`); none: repository-relative paths. */
  readonly linkBase?: string;
  /** Repository path of the head tree (`dist`), for links to its files. */
  readonly treePath: string;
  /** Entry folders whose TOPOLOGY.md exists in the head tree. */
  readonly topologies: ReadonlySet<string>;
  /** The classes that fail the run. */
  readonly failOn: ReadonlySet<RiskClass>;
}

export interface SummaryRow {
  readonly cluster: string;
  readonly layer: string;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly renamed: number;
}

export const RISK_LABEL: Record<RiskClass, string> = { 'data-loss': 'data loss', downtime: 'downtime', security: 'security' };

export const STATUS_LABEL: Record<Risk['status'], string> = {
  refused: 'refused by synth until acknowledged',
  impossible: 'refused: the cluster cannot apply it',
  acknowledged: 'acknowledged',
  review: 'review',
};

export function summary(changes: readonly ObjectChange[]): SummaryRow[] {
  const rows = new Map<string, { cluster: string; layer: string; added: number; changed: number; removed: number; renamed: number }>();
  for (const c of changes) {
    const key = `${c.cluster}|${c.layer}`;
    const row = rows.get(key) ?? { cluster: c.cluster, layer: c.layer, added: 0, changed: 0, removed: 0, renamed: 0 };
    if (c.type === 'renamed' || c.type === 'moved') row.renamed++;
    else row[c.type]++;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => compareStrings(a.cluster, b.cluster) || compareStrings(a.layer, b.layer));
}

/** Counts of risks per class, unacknowledged and acknowledged. */
export function riskCounts(risks: readonly Risk[]): Record<RiskClass, { open: number; acknowledged: number }> {
  const out = Object.fromEntries(RISK_CLASSES.map((c) => [c, { open: 0, acknowledged: 0 }])) as Record<
    RiskClass,
    { open: number; acknowledged: number }
  >;
  for (const r of risks) out[r.risk][r.status === 'acknowledged' ? 'acknowledged' : 'open']++;
  return out;
}

export function headline(diff: TreeDiff): string {
  if (!diff.changes.length) return 'No changes: both sides render the same tree.';
  const counts = riskCounts(diff.risks);
  const parts = RISK_CLASSES.filter((c) => counts[c].open || counts[c].acknowledged).map(
    (c) => `${counts[c].open + counts[c].acknowledged} ${RISK_LABEL[c]}${counts[c].acknowledged ? ` (${counts[c].acknowledged} acknowledged)` : ''}`,
  );
  const objects = `${diff.changes.length} object(s) changed`;
  return parts.length ? `${objects}; risks: ${parts.join(', ')}.` : `${objects}; no risky changes.`;
}

/** A value as one line of JSON, masked where secret, cut at `max` characters. */
export function valueText(kind: string | undefined, parts: readonly string[], value: unknown, max = 160): string {
  const shown = showValue(kind, parts, value);
  if (shown === MASK) return MASK;
  const text = JSON.stringify(shown) ?? 'null';
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** The changed fields of an object, one line each: `- path: before`, `+ path: after`. */
export function fieldLines(c: ObjectChange): string[] {
  const kind = (c.after ?? c.before)?.manifest?.kind;
  if (c.kind === 'file') return c.type === 'changed' ? ['  (file changed)'] : [];
  const out: string[] = [];
  for (const f of c.fields) {
    if (f.type !== 'added') out.push(`- ${f.path}: ${valueText(kind, f.parts, f.before)}`);
    if (f.type !== 'removed') out.push(`+ ${f.path}: ${valueText(kind, f.parts, f.after)}`);
  }
  return out;
}

export function changeTitle(c: ObjectChange): string {
  if (c.type === 'renamed') return `${c.id} renamed from ${c.from!.id}`;
  if (c.type === 'moved') {
    return c.from!.cluster !== c.cluster ? `${c.id} moved from cluster ${c.from!.cluster}` : `${c.id} moved from ${c.from!.file}`;
  }
  return `${c.id} ${c.type}`;
}

export function jsonReport(diff: TreeDiff, ctx: ReportContext): string {
  const kindOf = (c: ObjectChange) => (c.after ?? c.before)?.manifest?.kind;
  return `${JSON.stringify(
    {
      base: ctx.base,
      head: ctx.head,
      summary: summary(diff.changes),
      risks: diff.risks.map(({ acknowledgement, ...r }) => ({ ...r, ...(acknowledgement ? { acknowledgement } : {}) })),
      changes: diff.changes.map((c) => ({
        type: c.type,
        cluster: c.cluster,
        layer: c.layer,
        kind: c.kind,
        object: c.id,
        file: c.file,
        ...(c.from ? { from: c.from } : {}),
        fields: c.fields.map((f) => ({
          path: f.path,
          type: f.type,
          ...(f.type !== 'added' ? { before: showValue(kindOf(c), f.parts, f.before) } : {}),
          ...(f.type !== 'removed' ? { after: showValue(kindOf(c), f.parts, f.after) } : {}),
        })),
        risks: c.risks.map((r) => r.risk),
      })),
      acknowledgements: diff.acknowledgements.map(({ acknowledgement, used }) => ({ ...acknowledgement, used })),
    },
    null,
    2,
  )}\n`;
}
