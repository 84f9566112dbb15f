/** Schema and CEL violations of rendered objects, reported for every overlay at once. */
import type { ValidationIssue } from './validator';

export interface OverlayIssue extends ValidationIssue {
  readonly overlay: string;
  readonly layer: string;
}

export class SynthValidationError extends Error {
  constructor(public readonly issues: readonly OverlayIssue[]) {
    super(formatIssues(issues));
    this.name = 'SynthValidationError';
  }
}

function formatIssues(issues: readonly OverlayIssue[]): string {
  const lines = [`${issues.length} schema violation${issues.length === 1 ? '' : 's'}; nothing was written.`];
  for (const i of issues) lines.push(`  ${i.overlay}, layer ${i.layer}: ${i.object}`, `    ${i.path}: ${i.message}`);
  return lines.join('\n');
}
