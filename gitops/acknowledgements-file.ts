/**
 * `acknowledgements.yaml` at the root of the tree: every `acknowledge:` entry of the
 * environments, so a reviewer sees in the rendered change which data-loss refusals were
 * overridden, by which file and why. It is not a Kubernetes object and no entry point lists it.
 */
import { toYaml } from './yaml';
import { compareStrings } from '../constructs/platform/ordering';
import type { Acknowledgement } from '../environments/model';

export function acknowledgementsFile(acknowledgements: readonly Acknowledgement[]): string {
  const entries = [...acknowledgements]
    .sort((a, b) => compareStrings(a.file, b.file) || a.index - b.index)
    .map((a) => ({ file: a.file, object: a.object, change: a.change, reason: a.reason }));
  return [
    '# Changes the transition guard would refuse, acknowledged in the environment files named here.',
    '# Remove each entry from its file once the change has been applied (synth warns about entries',
    '# that match no change any more).',
    toYaml({ acknowledged: entries }),
  ].join('\n');
}
