/**
 * The default Strata app as a plain cdk8s app entry, for `cdk8s synth` (cdk8s-cli): loads
 * environments/, builds every overlay with buildOverlay and lets cdk8s write each overlay's
 * layer charts to $CDK8S_OUTDIR/<region>/<env>/. `npm run bench` runs it to compare with
 * `node lib/main.js`; it renders no entry points, validates no schemas and writes no
 * GitOps tree, so it is not a substitute for `npm run synth`.
 *
 * STRATA_ENV_DIR selects another environments folder (default: environments/).
 */
import * as path from 'path';
import { buildOverlay } from '../charts/overlay';
import { loadEnvironments } from '../environments/load';
import { PROJECT_ROOT } from '../gitops/project-root';

const envDir = process.env.STRATA_ENV_DIR ?? path.join(PROJECT_ROOT, 'environments');
const outRoot = process.env.CDK8S_OUTDIR ?? 'dist';

for (const overlay of loadEnvironments(envDir)) {
  const { app } = buildOverlay(overlay);
  // buildOverlay fixes the App's outdir (it never synthesizes the App itself); point it at
  // this overlay's folder under the directory cdk8s-cli gave us.
  (app as unknown as { outdir: string }).outdir = path.join(outRoot, overlay.id);
  app.synth();
}
