/** Review rules for workloads and Services: each rule with a change that triggers it and one that must not. */
import { WORKLOAD_RISKS } from '../../../constructs/platform/workload-risks';

const rule = (kind: string, risk: string) => WORKLOAD_RISKS.find((r) => r.kind === kind && r.risk === risk)!;

const service = (selector: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'apps' },
  spec: { selector },
});

function deployment(options: { replicas?: number; image?: string; strategy?: string; securityContext?: any; hostNetwork?: boolean } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps' },
    spec: {
      replicas: options.replicas ?? 1,
      ...(options.strategy ? { strategy: { type: options.strategy } } : {}),
      template: {
        spec: {
          ...(options.hostNetwork ? { hostNetwork: true } : {}),
          securityContext: { runAsNonRoot: true },
          containers: [
            {
              name: 'web',
              image: options.image ?? 'web:1',
              securityContext: options.securityContext ?? { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

describe('Service selector (downtime)', () => {
  const check = rule('Service', 'downtime').check;

  test('a blue-green switch is named as one', () => {
    const [f] = check(service({ app: 'web', version: 'blue' }), service({ app: 'web', version: 'green' }));
    expect(f.message).toMatch(/^blue-green switch: every request moves from blue to green at once/);
  });

  test('another selector change moves traffic', () => {
    expect(check(service({ app: 'web' }), service({ app: 'web2' }))[0].message).toMatch(/traffic moves to other pods at once/);
  });

  test('an unchanged selector, a new and a removed Service are not flagged', () => {
    expect(check(service({ app: 'web' }), service({ app: 'web' }))).toEqual([]);
    expect(check(undefined, service({ app: 'web' }))).toEqual([]);
    expect(check(service({ app: 'web' }), undefined)).toEqual([]);
  });
});

describe('workload restarts (downtime)', () => {
  const check = rule('Deployment', 'downtime').check;

  test('a template change with one replica replaces the only pod', () => {
    expect(check(deployment({ replicas: 1 }), deployment({ replicas: 1, image: 'web:2' }))[0]).toMatchObject({
      field: 'spec.template',
      message: expect.stringMatching(/only pod is replaced/),
    });
  });

  test('Recreate stops every replica first', () => {
    expect(
      check(deployment({ replicas: 3, strategy: 'Recreate' }), deployment({ replicas: 3, strategy: 'Recreate', image: 'web:2' }))[0].message,
    ).toMatch(/all 3 replica\(s\) stop before the new ones start/);
  });

  test('scaling to zero stops it serving', () => {
    expect(check(deployment({ replicas: 2 }), deployment({ replicas: 0 }))[0]).toMatchObject({ field: 'spec.replicas', before: 2, after: 0 });
  });

  test('a rolling update of several replicas, or an unchanged template, is not flagged', () => {
    expect(check(deployment({ replicas: 3 }), deployment({ replicas: 3, image: 'web:2' }))).toEqual([]);
    expect(check(deployment({ replicas: 1 }), deployment({ replicas: 1 }))).toEqual([]);
  });

  test('a StatefulSet updated OnDelete restarts nothing by itself', () => {
    const sts = (image: string) => ({
      ...deployment({ image }),
      kind: 'StatefulSet',
      spec: { ...deployment({ image }).spec, updateStrategy: { type: 'OnDelete' } },
    });
    expect(rule('StatefulSet', 'downtime').check(sts('a'), sts('b'))).toEqual([]);
  });
});

describe('pod privileges (security)', () => {
  const check = rule('Deployment', 'security').check;

  test('a container that becomes privileged or gains a capability is flagged', () => {
    const [f] = check(
      deployment(),
      deployment({ securityContext: { privileged: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } } }),
    );
    expect(f.after).toEqual(['container web: privileged', 'container web: capability NET_ADMIN']);
  });

  test('host networking and privilege escalation are flagged', () => {
    const [f] = check(deployment(), deployment({ hostNetwork: true, securityContext: { capabilities: { drop: ['ALL'] } } }));
    expect(f.after).toEqual(['pod: hostNetwork', 'container web: allowPrivilegeEscalation']);
  });

  test('a new workload is flagged only for strong privileges', () => {
    expect(check(undefined, deployment())).toEqual([]);
    expect(check(undefined, deployment({ securityContext: { capabilities: { drop: ['ALL'] } } }))).toEqual([]);
    expect(check(undefined, deployment({ hostNetwork: true }))[0].message).toMatch(/^a new workload whose pods have privileges.*pod: hostNetwork/);
  });

  test('a change that keeps the restricted profile is not flagged', () => {
    expect(check(deployment(), deployment({ image: 'web:2', replicas: 4 }))).toEqual([]);
  });
});
