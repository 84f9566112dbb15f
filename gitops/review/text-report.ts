/** The review report for a terminal: the risks, the summary, then every changed field. */
import { changeTitle, fieldLines, headline, ReportContext, RISK_LABEL, STATUS_LABEL, summary } from './report';
import type { TreeDiff } from './tree-diff';

export function textReport(diff: TreeDiff, ctx: ReportContext): string {
  const out: string[] = [`strata diff: ${ctx.base} -> ${ctx.head}`, headline(diff), ''];
  if (diff.risks.length) {
    out.push('Risks:');
    for (const r of diff.risks) {
      const status =
        r.status === 'acknowledged' ? `acknowledged in ${r.acknowledgement!.file}: ${r.acknowledgement!.reason}` : STATUS_LABEL[r.status];
      out.push(
        `  [${RISK_LABEL[r.risk]}] ${r.cluster}: ${r.message}`,
        `      ${status}${r.fix && r.status !== 'acknowledged' ? `; fix: ${r.fix}` : ''}`,
      );
    }
    out.push('');
  }
  for (const a of diff.acknowledgements.filter((x) => !x.used)) {
    out.push(
      `note: ${a.acknowledgement.file}: the acknowledgement of ${a.acknowledgement.object} ${a.acknowledgement.change} matches no change in this diff`,
    );
  }
  if (diff.changes.length) {
    out.push('Summary (added / changed / removed / renamed or moved):');
    for (const r of summary(diff.changes)) out.push(`  ${r.cluster} ${r.layer}: ${r.added} / ${r.changed} / ${r.removed} / ${r.renamed}`);
    out.push('');
  }
  let cluster = '';
  let layer = '';
  for (const c of diff.changes) {
    if (c.cluster !== cluster) {
      out.push(
        `${c.cluster}${ctx.topologies.has(c.cluster) ? ` (see ${ctx.treePath ? `${ctx.treePath}/` : ''}clusters/${c.cluster}/TOPOLOGY.md)` : ''}`,
      );
      cluster = c.cluster;
      layer = '';
    }
    if (c.layer !== layer) {
      out.push(`  ${c.layer}`);
      layer = c.layer;
    }
    out.push(`    ${changeTitle(c)}${c.risks.length ? ` [${[...new Set(c.risks.map((r) => RISK_LABEL[r.risk]))].join(', ')}]` : ''}`);
    for (const l of fieldLines(c)) out.push(`      ${l}`);
  }
  return `${out.join('\n')}\n`;
}
