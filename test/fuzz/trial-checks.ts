/**
 * The properties every synth run must have, whatever its input: it writes a tree whose
 * objects all validate and that holds no planted credential, or it refuses with a user
 * error whose problems each name a file of the environments folder, whose message is
 * bounded and shows no stack trace, and it leaves the output folder byte for byte as it
 * was. Never another exception, a hang or a dead process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Outcome } from './outcome';
import { Fingerprint, fingerprintDiff } from './output-folder';

/** A user error's message stays readable: at most this many characters, and per line. */
export const MESSAGE_LIMIT = 100_000;
export const LINE_LIMIT = 1_000;

export interface Violation {
  /** Stable across trials (no values, no numbers), for counting failures by kind. */
  readonly category: string;
  readonly detail: string;
}

export interface TrialContext {
  readonly outDir: string;
  readonly before: Fingerprint;
  readonly after: Fingerprint;
  /** Entries of the output folder's parent after the run. */
  readonly beside: readonly string[];
  readonly markers: readonly string[];
}

const STACK_LINE = /^\s*at\s.*(\(.*:\d+:\d+\)|:\d+:\d+)$/m;
// C0 and C1 controls other than the newline: a file name or value could rewrite the terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** A stable label for an unexpected exception: its type, message shape and where it came from. */
export function crashCategory(name: string, message: string, stack: string): string {
  const shape = message
    .split('\n')[0]
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 100);
  const frame = stack
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('at ') && !l.includes('node_modules') && !l.includes('node:') && !l.includes('/test/fuzz/'));
  const where = frame?.match(/([^/\\( ]+\.ts):\d+/)?.[1];
  return `crash: ${name}: ${shape}${where ? ` (in ${where})` : ''}`;
}

function isRelativeUnder(file: unknown): boolean {
  if (typeof file !== 'string' || file.length === 0 || path.isAbsolute(file)) return false;
  return !file.split('/').includes('..');
}

export function checkOutcome(outcome: Outcome, ctx: TrialContext): Violation[] {
  const v: Violation[] = [];
  const add = (category: string, detail: string) => v.push({ category, detail });
  switch (outcome.kind) {
    case 'hung':
      add('hang', `synth did not finish within ${outcome.budgetMs} ms`);
      return v;
    case 'died': {
      const oom = /heap out of memory|Allocation failed/.test(outcome.stderr);
      add(oom ? 'out of memory' : 'worker died', `code ${outcome.code}, signal ${outcome.signal}\n${outcome.stderr.slice(-1_500)}`);
      return v;
    }
    case 'crashed':
      add(
        crashCategory(outcome.name, outcome.message, outcome.stack),
        `${outcome.message.slice(0, 500)}\n${outcome.stack.split('\n').slice(0, 8).join('\n')}`,
      );
      return v;
    case 'refused': {
      const m = outcome.message;
      if (STACK_LINE.test(m)) add(`${outcome.error}: message shows a stack trace`, m.match(STACK_LINE)![0]);
      if (outcome.messageLength > MESSAGE_LIMIT) add(`${outcome.error}: message too long`, `${outcome.messageLength} characters`);
      const long = m.split('\n').find((l) => l.length > LINE_LIMIT);
      if (long) add(`${outcome.error}: message line too long`, `${long.length} characters: ${long.slice(0, 120)}…`);
      const control = m.match(CONTROL);
      if (control) {
        add(
          `${outcome.error}: control character in message`,
          `U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')} near ${JSON.stringify(m.slice(Math.max(0, control.index! - 60), control.index! + 20))}`,
        );
      }
      if (outcome.error === 'EnvironmentError') {
        if (outcome.problems.length === 0) add('EnvironmentError: no problem listed', m.slice(0, 300));
        for (const p of outcome.problems) {
          if (!isRelativeUnder(p.file)) add('EnvironmentError: problem names no file of the environments folder', JSON.stringify(p).slice(0, 300));
          if (typeof p.message !== 'string' || !p.message || typeof p.fix !== 'string' || !p.fix) {
            add('EnvironmentError: problem without message or fix', JSON.stringify(p).slice(0, 300));
          }
        }
      }
      if (outcome.error === 'SynthValidationError') {
        if (outcome.issues.length === 0) add('SynthValidationError: no issue listed', m.slice(0, 300));
        for (const i of outcome.issues) {
          if (typeof i.overlay !== 'string' || !/^[^/]+\/[^/]+$/.test(i.overlay)) {
            add('SynthValidationError: issue names no overlay', JSON.stringify(i).slice(0, 300));
          }
        }
      }
      const diff = fingerprintDiff(ctx.before, ctx.after);
      if (diff.length) add('partial write: the output folder changed although synth failed', diff.join('\n'));
      const expected = ctx.before ? ['dist'] : [];
      if (ctx.beside.join('\n') !== expected.join('\n')) add('leftovers beside the output folder', ctx.beside.join(', '));
      return v;
    }
    case 'written': {
      for (const issue of outcome.invalid.slice(0, 5)) add('written: an object fails its schema', issue);
      for (const rel of outcome.written) {
        if (path.posix.normalize(rel) !== rel || rel.startsWith('/') || rel.split('/').includes('..')) add('written: a path outside the tree', rel);
      }
      for (const rel of outcome.written) {
        const full = path.join(ctx.outDir, rel);
        let text: string;
        try {
          text = fs.readFileSync(full, 'utf8');
        } catch (err) {
          add('written: a reported file is missing', `${rel}: ${(err as Error).message}`);
          continue;
        }
        for (const marker of ctx.markers) if (text.includes(marker)) add('written: a planted credential reached the tree', `${rel} holds ${marker}`);
      }
      if (ctx.beside.join('\n') !== 'dist') add('leftovers beside the output folder', ctx.beside.join(', '));
      return v;
    }
  }
}
