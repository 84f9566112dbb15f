/**
 * The default Strata app as a plain cdk8s app entry, for `cdk8s synth` (cdk8s-cli): loads
 * environments/, builds every overlay with buildOverlay and lets cdk8s write each overlay's
 * layer charts to $CDK8S_OUTDIR/<region>/<env>/ (run it with `cdk8s synth --app "node
 * scripts/launch.js scripts/cdk8s-app.ts"`). It renders no entry points, validates no schemas
 * and writes no GitOps tree, so it is not a substitute for `npm run synth`.
 *
 * STRATA_ENV_DIR selects another environments folder (default: environments/).
 */
import * as path from 'path';
import { buildOverlay } from '../charts/overlay';
import { loadEnvironments } from '../environments/load';
import { PROJECT_ROOT } from '../environments/project-root';

const envDir = process.env.STRATA_ENV_DIR ?? path.join(PROJECT_ROOT, 'environments');
const outRoot = process.env.CDK8S_OUTDIR ?? 'dist';

for (const overlay of loadEnvironments(envDir)) {
  // Each overlay's App writes to its own folder under the directory cdk8s-cli gave us.
  const { app } = buildOverlay(overlay, { outdir: path.join(outRoot, overlay.id) });
  app.synth();
}
