/**
 * Loading the environments loads no construct code: a synth whose overlays all come from the
 * render cache starts in a fraction of a second only while the loader and its checks stay
 * clear of cdk8s, cdk8s-plus and the generated imports (tens of MB of JavaScript). A check
 * that needs a rule of a construct takes it from a module of plain functions (for example
 * constructs/ingress/middleware-spec.ts, constructs/platform/external-addresses.ts).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { PROJECT_ROOT } from '../../environments/project-root';
import { compiledProject } from '../support/compiled-project';

test('loading the shipped environments requires neither cdk8s, cdk8s-plus nor imports/', () => {
  const out = compiledProject();
  const script = `
    const { loadEnvironments } = require(${JSON.stringify(path.join(out, 'environments', 'load.js'))});
    loadEnvironments(${JSON.stringify(path.join(PROJECT_ROOT, 'environments'))});
    const heavy = Object.keys(require.cache).filter((f) => /node_modules\\/cdk8s(-plus-28)?\\/|\\/imports\\/[^/]+\\.js$/.test(f));
    process.stdout.write(JSON.stringify(heavy));
  `;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual([]);
});
