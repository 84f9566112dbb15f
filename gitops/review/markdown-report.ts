/**
 * The review report as a pull-request comment: a marker line (so a workflow updates its own
 * comment), the risks on top, the summary per cluster and layer, then each cluster's changes
 * in a collapsed section linking its TOPOLOGY.md. It stays under GitHub's comment limit
 * (65,536 characters): what does not fit is left out politely, with a count.
 */
import { changeTitle, fieldLines, headline, ReportContext, RISK_LABEL, STATUS_LABEL, summary } from './report';
import type { ObjectChange, TreeDiff } from './tree-diff';

export const COMMENT_MARKER = '<!-- strata-diff -->';
/** GitHub's limit on a comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65536;

const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const code = (s: string) => `<code>${cell(s).replace(/`/g, '&#96;')}</code>`;
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const ICON: Record<string, string> = { 'data-loss': '🔴', downtime: '🟠', security: '🟡' };

function link(ctx: ReportContext, rel: string, text: string): string {
  const target = `${ctx.linkBase ?? ''}${ctx.treePath ? `${ctx.treePath}/` : ''}${rel}`;
  return `[${text}](${encodeURI(target)})`;
}

/** A fence that no line of the body can close. */
function fence(lines: readonly string[]): string {
  let f = '```';
  while (lines.some((l) => l.includes(f))) f += '`';
  return f;
}

function objectBlock(c: ObjectChange): string {
  const lines = fieldLines(c);
  const risks = c.risks.map((r) => `${ICON[r.risk]} ${RISK_LABEL[r.risk]}`).join(', ');
  const title = `${code(changeTitle(c))}${risks ? ` ${risks}` : ''}`;
  if (!lines.length) return `- ${title}\n`;
  const f = fence(lines);
  return `- ${title}\n\n  ${f}diff\n${lines.map((l) => `  ${l}`).join('\n')}\n  ${f}\n`;
}

export function markdownReport(diff: TreeDiff, ctx: ReportContext, limit = GITHUB_COMMENT_LIMIT): string {
  // Leave room for the footer and for what a workflow wraps around the body.
  const budget = limit - 1500;
  const head: string[] = [COMMENT_MARKER, `### Strata diff: ${html(ctx.base)} → ${html(ctx.head)}`, '', headline(diff), ''];
  let leftOut = 0;

  if (diff.risks.length) {
    const failOn = [...ctx.failOn].map((c) => RISK_LABEL[c]).join(', ') || 'nothing';
    head.push(`#### Risks (the run fails on unacknowledged ${failOn})`, '', '| | class | cluster | change | status |', '|---|---|---|---|---|');
    const riskBudget = budget / 3;
    let size = head.join('\n').length;
    for (const [i, r] of diff.risks.entries()) {
      const status =
        r.status === 'acknowledged' ? `acknowledged in ${code(r.acknowledgement!.file)}: ${cell(r.acknowledgement!.reason)}` : STATUS_LABEL[r.status];
      const fix = r.fix && r.status !== 'acknowledged' ? `<br>fix: ${cell(r.fix)}` : '';
      const row = `| ${ICON[r.risk]} | ${RISK_LABEL[r.risk]} | ${cell(r.cluster)} | ${cell(r.message)}${fix} | ${status} |`;
      if (size + row.length > riskBudget) {
        head.push(`| | | | … ${diff.risks.length - i} more risk(s) left out; run \`npm run diff\` locally for all of them | |`);
        break;
      }
      head.push(row);
      size += row.length + 1;
    }
    head.push('');
  }

  const unused = diff.acknowledgements.filter((a) => !a.used);
  if (unused.length) {
    head.push(
      `${unused.length} acknowledgement(s) match no change in this diff (already applied, or mistyped): ${unused
        .map((a) => code(`${a.acknowledgement.file}: ${a.acknowledgement.object} ${a.acknowledgement.change}`))
        .slice(0, 10)
        .join(', ')}`,
      '',
    );
  }

  if (diff.changes.length) {
    const rows = summary(diff.changes);
    const table = ['#### Summary', '', '| cluster | layer | added | changed | removed | renamed or moved |', '|---|---|---:|---:|---:|---:|'];
    for (const r of rows) table.push(`| ${cell(r.cluster)} | ${cell(r.layer)} | ${r.added} | ${r.changed} | ${r.removed} | ${r.renamed} |`);
    const text = table.join('\n');
    if (head.join('\n').length + text.length < (budget * 2) / 3) {
      head.push(text, '');
    } else {
      // Too many clusters for a row per layer: one row per cluster.
      const byCluster = new Map<string, { layers: string[]; added: number; changed: number; removed: number; renamed: number }>();
      for (const r of rows) {
        const c = byCluster.get(r.cluster) ?? { layers: [], added: 0, changed: 0, removed: 0, renamed: 0 };
        c.layers.push(r.layer);
        c.added += r.added;
        c.changed += r.changed;
        c.removed += r.removed;
        c.renamed += r.renamed;
        byCluster.set(r.cluster, c);
      }
      head.push('#### Summary', '', '| cluster | layers | added | changed | removed | renamed or moved |', '|---|---|---:|---:|---:|---:|');
      for (const [cluster, c] of byCluster) {
        head.push(`| ${cell(cluster)} | ${cell(c.layers.join(', '))} | ${c.added} | ${c.changed} | ${c.removed} | ${c.renamed} |`);
      }
      head.push('');
    }
  }

  const out = [head.join('\n')];
  let size = out[0].length;
  const clusters = [...new Set(diff.changes.map((c) => c.cluster))];
  if (clusters.length) out.push('#### Changes\n');
  for (const [ci, cluster] of clusters.entries()) {
    const changes = diff.changes.filter((c) => c.cluster === cluster);
    const topology = ctx.topologies.has(cluster) ? ` · ${link(ctx, `clusters/${cluster}/TOPOLOGY.md`, 'topology')}` : '';
    const open = `<details><summary><b>${html(cluster)}</b>: ${changes.length} object(s)</summary>\n\n${topology ? `${topology.slice(3)}\n\n` : ''}`;
    const close = '\n</details>\n';
    if (size + open.length + close.length > budget) {
      leftOut += diff.changes.filter((c) => clusters.indexOf(c.cluster) >= ci).length;
      break;
    }
    const parts = [open];
    size += open.length + close.length;
    let layer = '';
    for (const [i, c] of changes.entries()) {
      const heading = c.layer !== layer ? `\n**${html(c.layer)}**\n\n` : '';
      const block = heading + objectBlock(c);
      if (size + block.length > budget) {
        leftOut += changes.length - i;
        break;
      }
      layer = c.layer;
      parts.push(block);
      size += block.length;
    }
    parts.push(close);
    out.push(parts.join(''));
    if (leftOut) {
      leftOut += diff.changes.filter((c) => clusters.indexOf(c.cluster) > ci).length;
      break;
    }
  }
  if (leftOut) {
    out.push(
      `\n… ${leftOut} more changed object(s) left out to stay under GitHub's comment size limit; run \`npm run diff\` locally (or read the job summary) for the full report.\n`,
    );
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}`;
}
