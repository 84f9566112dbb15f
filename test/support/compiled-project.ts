/**
 * The project transpiled as `npm run synth` runs it (scripts/launch.js, esbuild into
 * .strata-build/), for tests that start many child processes: ts-node would transpile
 * imports/ (several MB) again in every child, which costs seconds each on a busy machine.
 * Transpile-only: type errors are tsc's job.
 */
import * as path from 'path';
import { PROJECT_ROOT } from '../../environments/project-root';

// Plain JavaScript, required as it is.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const launcher: { OUT: string; build(): number } = require(path.join(PROJECT_ROOT, 'scripts', 'launch.js'));

/** A folder whose `main.js` is the compiled main.ts (and so on for every source), up to date. */
export function compiledProject(): string {
  launcher.build();
  return launcher.OUT;
}
