/**
 * The fuzz worker: a child process (forked by worker-pool.ts) that runs synth on the
 * folders it is sent and reports the outcome. A separate process, so that a trial that
 * hangs in a blocking read (a FIFO) or exhausts memory is killed without taking the test
 * runner with it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MESSAGE_CAP, Outcome, ReportedIssue, ReportedProblem, SynthRequest, UserError, WorkerMessage } from './outcome';
import { EnvironmentError } from '../../environments/problems';
import { TreeLockedError, TreeOwnershipError } from '../../gitops/tree';
import { SynthValidationError } from '../../gitops/validation-error';
import { SchemaValidator } from '../../gitops/validator';
import { fromYaml } from '../../gitops/yaml';
import { synth } from '../../main';

const validator = new SchemaValidator();

function userError(err: unknown): UserError | undefined {
  if (err instanceof EnvironmentError) return 'EnvironmentError';
  if (err instanceof SynthValidationError) return 'SynthValidationError';
  if (err instanceof TreeLockedError) return 'TreeLockedError';
  if (err instanceof TreeOwnershipError) return 'TreeOwnershipError';
  return undefined;
}

/** A field as sent back: strings cut short, anything else by its type only. */
function field(v: unknown): unknown {
  if (typeof v === 'string') return v.length > 2_000 ? `${v.slice(0, 2_000)}…` : v;
  return v === undefined || v === null || typeof v === 'number' || typeof v === 'boolean' ? v : `(${typeof v})`;
}

/** Every written object read back from disk and validated: what Flux or Argo CD would apply. */
function invalidObjects(outDir: string, files: readonly string[]): string[] {
  const out: string[] = [];
  for (const rel of files) {
    if (!rel.endsWith('.yaml')) continue;
    let doc: any;
    try {
      doc = fromYaml(fs.readFileSync(path.join(outDir, rel), 'utf8'));
    } catch (err) {
      out.push(`${rel}: does not parse: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    if (!doc || typeof doc !== 'object' || !doc.kind || String(doc.apiVersion).startsWith('kustomize.config.k8s.io/')) continue;
    for (const issue of validator.validate(doc)) out.push(`${rel}: ${issue.object} ${issue.path}: ${issue.message}`);
  }
  return out;
}

function run(request: SynthRequest): Outcome {
  try {
    const result = synth({ envDir: request.envDir, outDir: request.outDir });
    const files = request.validateAll ? listFiles(request.outDir) : result.written;
    return { kind: 'written', written: result.written, removed: result.removed, invalid: invalidObjects(request.outDir, files) };
  } catch (err) {
    const error = userError(err);
    const e = err as Error;
    const message = typeof e?.message === 'string' ? e.message : String(err);
    if (!error) {
      return {
        kind: 'crashed',
        name: e?.constructor?.name ?? typeof err,
        message: message.slice(0, MESSAGE_CAP),
        stack: String(e?.stack ?? '').slice(0, 20_000),
      };
    }
    const problems: ReportedProblem[] =
      err instanceof EnvironmentError
        ? err.problems.map((p) => ({ file: field(p.file), path: field(p.path), message: field(p.message), fix: field(p.fix) }))
        : [];
    const issues: ReportedIssue[] =
      err instanceof SynthValidationError
        ? err.issues.map((i) => ({
            overlay: field(i.overlay),
            layer: field(i.layer),
            object: field(i.object),
            path: field(i.path),
            message: field(i.message),
          }))
        : [];
    return { kind: 'refused', error, message: message.slice(0, MESSAGE_CAP), messageLength: message.length, problems, issues };
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out;
}

const send = (m: WorkerMessage) => process.send!(m);
process.on('message', (request: SynthRequest) => send({ type: 'result', id: request.id, outcome: run(request) }));
// The parent going away ends the worker too.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
