/**
 * Review rule for NetworkPolicies: traffic a change newly allows (see platform/risk-rules.ts).
 * Each rule is flattened into `direction peer port` grants; a change widens the policy when
 * it grants one no old grant covered (a peer selector that only gains labels admits fewer
 * pods), covers pods its old selector did not, or stops denying a direction it denied.
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

interface Grant {
  readonly direction: Direction;
  /** undefined: any peer (a rule without peers). */
  readonly peer: any;
  readonly port: string;
  readonly everyone: boolean;
}

function grantList(policy: Manifest | undefined): Map<string, Grant> {
  const out = new Map<string, Grant>();
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
        for (const port of ports) {
          const text = portText(port);
          out.set(`${direction} ${peer === undefined ? 'from/to anyone' : peerText(peer)} ${text}`, { direction, peer, port: text, everyone });
        }
      }
    }
  }
  return out;
}

/** Every grant of a policy; `everyone` marks grants to any peer (no peers, {} selectors, 0.0.0.0/0). */
export function grants(policy: Manifest | undefined): Map<string, boolean> {
  return new Map([...grantList(policy)].map(([text, g]) => [text, g.everyone]));
}

/**
 * Whether label selector `a` selects only what `b` selects: it requires every label and
 * expression `b` does (and maybe more). An absent selector is not a selector here.
 */
export function narrowerSelector(a: any, b: any): boolean {
  const labelsA = a?.matchLabels ?? {};
  const labelsB = b?.matchLabels ?? {};
  if (!Object.entries(labelsB).every(([k, v]) => labelsA[k] === v)) return false;
  const expressionsA = new Set(((a?.matchExpressions ?? []) as unknown[]).map(canonical));
  return ((b?.matchExpressions ?? []) as unknown[]).every((e) => expressionsA.has(canonical(e)));
}

/** Whether `old` already admits every pod or address `peer` does. */
function coversPeer(old: any, peer: any): boolean {
  if (old === undefined) return true;
  if (peer === undefined) return false;
  if (old.ipBlock || peer.ipBlock) return canonical(old) === canonical(peer);
  // No namespaceSelector: the policy's own namespace; no podSelector: every pod of the namespaces.
  if (Boolean(old.namespaceSelector) !== Boolean(peer.namespaceSelector)) return false;
  if (old.namespaceSelector && !narrowerSelector(peer.namespaceSelector, old.namespaceSelector)) return false;
  if (!old.podSelector) return true;
  return Boolean(peer.podSelector) && narrowerSelector(peer.podSelector, old.podSelector);
}

function covered(grant: Grant, before: readonly Grant[]): boolean {
  return before.some((b) => b.direction === grant.direction && (b.port === grant.port || b.port === 'any port') && coversPeer(b.peer, grant.peer));
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
  // A grant is new unless an old one admitted the same peers or more on its port: a selector
  // that gains a label admits fewer pods, not others.
  const before = [...grantList(previous).values()];
  const afterGrants = grantList(next);
  const added = [...after.keys()].filter((g) => !covered(afterGrants.get(g)!, before));
  const out: RiskFinding[] = [];
  if (added.length) {
    out.push({
      field: 'spec',
      after: added,
      message: `newly allows ${added.slice(0, 3).join('; ')}${added.length > 3 ? ` and ${added.length - 3} more` : ''}`,
    });
  }
  // Covering fewer pods (a selector with more labels) takes allowances away, never adds them.
  if (
    canonical(previous.spec?.podSelector) !== canonical(next.spec?.podSelector) &&
    !narrowerSelector(next.spec?.podSelector, previous.spec?.podSelector)
  ) {
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
