/**
 * Review rules for workloads and Services: changes that interrupt traffic (downtime) and pods
 * that gain privileges (security). See risk-rules.ts.
 */
import { RiskFinding, RiskRule, same } from './risk-rules';
import { at, Manifest, show } from './transition-rules';

const POD_SPEC: Record<string, string> = {
  Deployment: 'spec.template.spec',
  StatefulSet: 'spec.template.spec',
  DaemonSet: 'spec.template.spec',
  Job: 'spec.template.spec',
  CronJob: 'spec.jobTemplate.spec.template.spec',
};
const TEMPLATE: Record<string, string> = { Deployment: 'spec.template', StatefulSet: 'spec.template', DaemonSet: 'spec.template' };

/** A Service in use that selects other pods: traffic moves at once (a blue-green switch is one). */
function selectorChanged(previous: Manifest | undefined, next: Manifest | undefined): RiskFinding[] {
  const before = at(previous, 'spec.selector');
  const after = at(next, 'spec.selector');
  if (!previous || !next || before === undefined || same(before, after)) return [];
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter((k) => before?.[k] !== after?.[k]);
  const colours = new Set(['blue', 'green']);
  if (keys.length === 1 && colours.has(before?.[keys[0]]) && colours.has(after?.[keys[0]])) {
    return [
      {
        field: 'spec.selector',
        before,
        after,
        message: `blue-green switch: every request moves from ${before[keys[0]]} to ${after[keys[0]]} at once; the ${after[keys[0]]} pods must be running, warmed up and tested first`,
      },
    ];
  }
  return [
    {
      field: 'spec.selector',
      before,
      after,
      message: `selector ${show(before)} becomes ${show(after)}: traffic moves to other pods at once, and to none while no pod matches`,
    },
  ];
}

/** Every replica of a workload replaced at once: a template change with one replica, or Recreate. */
function restartsAll(kind: string) {
  return (previous: Manifest | undefined, next: Manifest | undefined): RiskFinding[] => {
    if (!previous || !next) return [];
    const out: RiskFinding[] = [];
    const replicas = at(next, 'spec.replicas');
    const before = at(previous, 'spec.replicas');
    if (typeof before === 'number' && before > 0 && replicas === 0) {
      out.push({ field: 'spec.replicas', before, after: 0, message: `scaled from ${before} to 0 replicas: it stops serving` });
    }
    const template = TEMPLATE[kind];
    if (!template || same(at(previous, template), at(next, template))) return out;
    if (kind === 'StatefulSet' && at(next, 'spec.updateStrategy.type') === 'OnDelete') return out;
    if (kind === 'DaemonSet') return out; // rolled node by node
    const recreate = kind === 'Deployment' && at(next, 'spec.strategy.type') === 'Recreate';
    const count = typeof replicas === 'number' ? replicas : 1;
    if (count === 1 || recreate) {
      out.push({
        field: template,
        message: recreate
          ? `the pod template changes and the strategy is Recreate: all ${count} replica(s) stop before the new ones start`
          : `the pod template changes and it runs one replica: the only pod is replaced, and it serves nothing until the new one is ready`,
      });
    }
    return out;
  };
}

/** What a pod may do beyond the restricted Pod Security profile, one token each. */
export function podPrivileges(podSpec: Manifest | undefined): Map<string, boolean> {
  /** token → strong (flagged even on a new workload) */
  const out = new Map<string, boolean>();
  if (!podSpec || typeof podSpec !== 'object') return out;
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (podSpec[host] === true) out.set(`pod: ${host}`, true);
  for (const v of podSpec.volumes ?? []) if (v?.hostPath) out.set(`pod: hostPath volume ${v.hostPath.path}`, true);
  const podNonRoot = podSpec.securityContext?.runAsNonRoot === true;
  for (const c of [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])]) {
    const name = `container ${c?.name}`;
    const sc = c?.securityContext ?? {};
    if (sc.privileged === true) out.set(`${name}: privileged`, true);
    if (sc.allowPrivilegeEscalation !== false) out.set(`${name}: allowPrivilegeEscalation`, false);
    for (const cap of sc.capabilities?.add ?? []) out.set(`${name}: capability ${cap}`, true);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.set(`${name}: capabilities not dropped`, false);
    if (!(sc.runAsNonRoot === true || (podNonRoot && sc.runAsNonRoot !== false))) out.set(`${name}: may run as root`, false);
    if (sc.runAsUser === 0) out.set(`${name}: runs as root (runAsUser 0)`, true);
  }
  return out;
}

function privilegesGained(kind: string) {
  return (previous: Manifest | undefined, next: Manifest | undefined): RiskFinding[] => {
    if (!next) return [];
    const field = POD_SPEC[kind];
    const before = podPrivileges(at(previous, field));
    const after = podPrivileges(at(next, field));
    const gained = [...after].filter(([token, strong]) => !before.has(token) && (previous !== undefined || strong)).map(([token]) => token);
    if (!gained.length) return [];
    return [
      {
        field,
        after: gained,
        message: `${previous ? 'its pods gain' : 'a new workload whose pods have'} privileges beyond the restricted profile: ${gained.join('; ')}`,
      },
    ];
  };
}

export const WORKLOAD_RISKS: readonly RiskRule[] = [
  { group: '', kind: 'Service', risk: 'downtime', check: selectorChanged },
  ...['Deployment', 'StatefulSet'].map((kind): RiskRule => ({ group: 'apps', kind, risk: 'downtime', check: restartsAll(kind) })),
  ...['Deployment', 'StatefulSet', 'DaemonSet'].map((kind): RiskRule => ({ group: 'apps', kind, risk: 'security', check: privilegesGained(kind) })),
  ...['Job', 'CronJob'].map((kind): RiskRule => ({ group: 'batch', kind, risk: 'security', check: privilegesGained(kind) })),
];
