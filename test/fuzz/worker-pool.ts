/**
 * One fuzz worker process with a watchdog: each synth run gets a time budget; past it the
 * worker is killed, the run reported as hung and a fresh worker started for the next one.
 * A worker that dies (out of memory, a native crash) is reported the same way.
 */
import { ChildProcess, fork } from 'child_process';
import * as path from 'path';
import { Outcome, SynthRequest, WorkerMessage } from './outcome';
import { PROJECT_ROOT } from '../../environments/project-root';

export interface WorkerOptions {
  /** Heap limit of the worker: an alias bomb fails fast instead of eating the machine. @default 2048 */
  readonly maxOldSpaceMb?: number;
  /** Time for a worker to load the project. @default 120000 */
  readonly startupMs?: number;
  /** The worker's entry point. @default synth-worker.ts beside this file */
  readonly script?: string;
}

export class SynthWorker {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private stderr = '';
  private nextId = 1;
  /** Workers started (the first, and one after each hang or death). */
  public starts = 0;

  constructor(private readonly options: WorkerOptions = {}) {}

  private start(): Promise<void> {
    this.starts++;
    this.stderr = '';
    const child = fork(this.options.script ?? path.join(__dirname, 'synth-worker.ts'), [], {
      cwd: PROJECT_ROOT,
      execArgv: ['--require', require.resolve('ts-node/register/transpile-only'), `--max-old-space-size=${this.options.maxOldSpaceMb ?? 2048}`],
      env: { ...process.env, TS_NODE_PROJECT: path.join(PROJECT_ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-8_000);
    });
    this.child = child;
    const startupMs = this.options.startupMs ?? 120_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the fuzz worker did not start within ${startupMs} ms:\n${this.stderr}`));
      }, startupMs);
      child.once('message', (m: WorkerMessage) => {
        clearTimeout(timer);
        if (m.type === 'ready') resolve();
        else reject(new Error(`unexpected first message from the fuzz worker: ${JSON.stringify(m)}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the fuzz worker exited while starting (code ${code}, signal ${signal}):\n${this.stderr}`));
      });
    });
  }

  /** Runs synth in the worker; resolves with a hung or died outcome rather than rejecting. */
  public async run(request: Omit<SynthRequest, 'id'>, budgetMs: number): Promise<Outcome> {
    if (!this.child) this.ready = this.start();
    await this.ready;
    const child = this.child!;
    const id = this.nextId++;
    return new Promise<Outcome>((resolve) => {
      const finish = (outcome: Outcome) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(outcome);
      };
      const onMessage = (m: WorkerMessage) => {
        if (m.type === 'result' && m.id === id) finish(m.outcome);
      };
      const onExit = (code: number | null, signal: string | null) => {
        this.child = undefined;
        finish({ kind: 'died', code, signal, stderr: this.stderr });
      };
      const timer = setTimeout(() => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        this.child = undefined;
        finish({ kind: 'hung', budgetMs });
      }, budgetMs);
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ ...request, id });
    });
  }

  public stop(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.child = undefined;
  }
}
