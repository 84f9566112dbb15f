/**
 * Review rule for NetworkPolicies: traffic a change newly allows (see platform/risk-rules.ts).
 * Each rule is flattened into `direction peer port` grants; a change widens the policy when
 * it grants one it did not, or stops denying a direction it denied.
 */
import { canonical, RiskFinding, RiskRule } from '../platform/risk-rules';
import type { Manifest } from '../platform/transition-rules';

type Direction = 'ingress' | 'egress';

function peerText(peer: any): string {
  if (peer?.ipBlock) return `ipBlock ${peer.ipBlock.cidr}${peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(',')}` : ''}`;
  return canonical(peer);
}

function portText(port: any): string {
  if (!port || typeof port !== 'object') return 'any port';
  return `${port.protocol ?? 'TCP'}/${port.port ?? 'any'}${port.endPort ? `-${port.endPort}` : ''}`;
}

/** Every grant of a policy; `everyone` marks grants to any peer (no peers, {} selectors, 0.0.0.0/0). */
export function grants(policy: Manifest | undefined): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const direction of ['ingress', 'egress'] as Direction[]) {
    const peersKey = direction === 'ingress' ? 'from' : 'to';
    for (const rule of policy?.spec?.[direction] ?? []) {
      const peers: any[] = rule?.[peersKey]?.length ? rule[peersKey] : [undefined];
      const ports: any[] = rule?.ports?.length ? rule.ports : [undefined];
      for (const peer of peers) {
        const everyone =
          peer === undefined ||
          ['0.0.0.0/0', '::/0'].includes(peer?.ipBlock?.cidr) ||
          (peer?.namespaceSelector && Object.keys(peer.namespaceSelector).length === 0 && !peer.podSelector);
        for (const port of ports) out.set(`${direction} ${peer === undefined ? 'from/to anyone' : peerText(peer)} ${portText(port)}`, everyone);
      }
    }
  }
  return out;
}

function denied(policy: Manifest | undefined): Set<Direction> {
  const types: string[] = policy?.spec?.policyTypes ?? (policy?.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
  return new Set(types.map((t) => t.toLowerCase() as Direction));
}

function widened(previous: Manifest | undefined, next: Manifest | undefined): RiskFinding[] {
  if (!next) {
    // Removing a policy that denies a direction without allowing anything opens that direction.
    const open = [...denied(previous)].filter((d) => !(previous?.spec?.[d] ?? []).length);
    return open.length
      ? [
          {
            field: 'removed',
            message: `a policy that denies ${open.join(' and ')} traffic is removed: its pods accept what other policies do not deny`,
          },
        ]
      : [];
  }
  const after = grants(next);
  if (!previous) {
    const open = [...after].filter(([, everyone]) => everyone).map(([g]) => g);
    return open.length
      ? [{ field: 'spec', after: open, message: `a new policy allows traffic from or to anyone: ${open.slice(0, 3).join('; ')}` }]
      : [];
  }
  const before = grants(previous);
  const added = [...after.keys()].filter((g) => !before.has(g));
  const out: RiskFinding[] = [];
  if (added.length) {
    out.push({
      field: 'spec',
      after: added,
      message: `newly allows ${added.slice(0, 3).join('; ')}${added.length > 3 ? ` and ${added.length - 3} more` : ''}`,
    });
  }
  if (canonical(previous.spec?.podSelector) !== canonical(next.spec?.podSelector)) {
    out.push({
      field: 'spec.podSelector',
      before: previous.spec?.podSelector,
      after: next.spec?.podSelector,
      message: 'applies to other pods: what it allows reaches pods it did not cover',
    });
  }
  const lost = [...denied(previous)].filter((d) => !denied(next).has(d));
  if (lost.length) out.push({ field: 'spec.policyTypes', message: `no longer restricts ${lost.join(' and ')} traffic` });
  return out;
}

export const NETWORK_POLICY_RISKS: readonly RiskRule[] = [{ group: 'networking.k8s.io', kind: 'NetworkPolicy', risk: 'security', check: widened }];
