/**
 * A region's `apiServer`: the addresses of its Kubernetes API server, which narrow the
 * egress to the API server and the ingress of webhook calls from it. Checked when the
 * region file is read; a region without them keeps the open rules and synth says so.
 */
import type { OverlaySpec } from './model';
import type { Problem } from './problems';
import { checkCidr } from '../constructs/platform/cidr';
import { compareStrings } from '../constructs/platform/ordering';

/** Problems of a region file's `apiServer.cidrs` the schema cannot see (`file` as in Problem). */
export function apiServerProblems(file: string, data: { apiServer?: { cidrs?: unknown } }): Problem[] {
  const cidrs = data.apiServer?.cidrs;
  if (!Array.isArray(cidrs)) return [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  cidrs.forEach((value, i) => {
    if (typeof value !== 'string') return; // the schema reports it
    const path = `apiServer.cidrs.${i}`;
    const check = checkCidr(value);
    if (!check.ok) problems.push({ file, path, value, message: check.message, fix: check.fix });
    else if (seen.has(value)) problems.push({ file, path, value, message: `${value} is listed twice`, fix: 'remove the duplicate' });
    seen.add(value);
  });
  return problems;
}

/**
 * One line naming every region of these overlays that has no `apiServer.cidrs`, so its
 * namespaces may still reach any address on the API server's ports; none when all have them.
 */
export function apiServerWarnings(overlays: readonly OverlaySpec[]): string[] {
  const open = [...new Set(overlays.filter((o) => !o.region.apiServer).map((o) => o.region.name))].sort(compareStrings);
  if (!open.length) return [];
  const files = open.map((r) => `regions/${r}.yaml`).join(', ');
  const which = open.length === 1 ? `region ${open[0]} has` : `regions ${open.join(', ')} have`;
  return [
    `${which} no apiServer.cidrs, so pods that call the Kubernetes API may reach any address on its ports` +
      ' and webhook ports accept calls from anywhere; ' +
      `add apiServer.cidrs to ${files} (the kubernetes Service's ClusterIP and the addresses of \`kubectl get endpoints kubernetes\`)`,
  ];
}
