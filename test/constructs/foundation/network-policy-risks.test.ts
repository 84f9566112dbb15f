/** Review rule for NetworkPolicies: what a change newly allows, and what it must not flag. */
import { grants, NETWORK_POLICY_RISKS } from '../../../constructs/foundation/network-policy-risks';

const check = NETWORK_POLICY_RISKS[0].check;

function policy(spec: any) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-web', namespace: 'apps' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, ...spec },
  };
}
const fromTraefik = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } };
const ingress = (from: any[] | undefined, port = 8080) =>
  policy({ policyTypes: ['Ingress'], ingress: [{ ...(from ? { from } : {}), ports: [{ port, protocol: 'TCP' }] }] });

test('a new peer, a new port or a peer list removed (anyone) widens the policy', () => {
  expect(check(ingress([fromTraefik]), ingress([fromTraefik, { ipBlock: { cidr: '10.0.0.0/8' } }]))[0].message).toBe(
    'newly allows ingress ipBlock 10.0.0.0/8 TCP/8080',
  );
  expect(check(ingress([fromTraefik]), ingress([fromTraefik], 9090))[0].message).toMatch(/^newly allows ingress .*TCP\/9090/);
  expect(check(ingress([fromTraefik]), ingress(undefined))[0].message).toBe('newly allows ingress from/to anyone TCP/8080');
});

test('narrowing or keeping a policy is not flagged', () => {
  expect(check(ingress([fromTraefik, { ipBlock: { cidr: '10.0.0.0/8' } }]), ingress([fromTraefik]))).toEqual([]);
  expect(check(ingress([fromTraefik]), ingress([fromTraefik]))).toEqual([]);
});

test('dropping a policy type stops restricting that direction', () => {
  const both = policy({ policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
  const findings = check(both, policy({ policyTypes: ['Ingress'], ingress: [] }));
  expect(findings.map((f) => f.message)).toEqual(['no longer restricts egress traffic']);
});

test('removing a deny policy opens its directions; removing an allow policy does not widen anything', () => {
  expect(check(policy({ policyTypes: ['Ingress', 'Egress'] }), undefined)[0].message).toMatch(/denies ingress and egress traffic is removed/);
  expect(check(ingress([fromTraefik]), undefined)).toEqual([]);
});

test('a new policy is flagged only when it allows anyone', () => {
  expect(check(undefined, ingress([fromTraefik]))).toEqual([]);
  expect(check(undefined, ingress([{ ipBlock: { cidr: '0.0.0.0/0' } }]))[0].message).toMatch(/^a new policy allows traffic from or to anyone/);
  expect(check(undefined, ingress([{ namespaceSelector: {} }]))).toHaveLength(1);
});

test('a policy covering other pods is flagged', () => {
  const other = { ...ingress([fromTraefik]), spec: { ...ingress([fromTraefik]).spec, podSelector: {} } };
  expect(check(ingress([fromTraefik]), other).map((f) => f.field)).toEqual(['spec.podSelector']);
});

test('grants flatten every peer and port', () => {
  expect([...grants(ingress([fromTraefik, { ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.2.0/24'] } }])).keys()]).toEqual([
    'ingress {"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"traefik"}}} TCP/8080',
    'ingress ipBlock 10.1.0.0/16 except 10.1.2.0/24 TCP/8080',
  ]);
});

describe('selectors that gain a label admit fewer pods, not others', () => {
  const traefikPods = { ...fromTraefik, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } } };
  const traefikRelease = {
    ...fromTraefik,
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik', 'app.kubernetes.io/instance': 'traefik' } },
  };
  const withPods = (p: any, podSelector: any) => ({ ...p, spec: { ...p.spec, podSelector } });

  test('a peer or the policy narrowed by a label (Grafana moving to a release of its own) is not flagged', () => {
    expect(check(ingress([traefikPods]), ingress([traefikRelease]))).toEqual([]);
    // A peer limited to some pods of a namespace it admitted whole.
    expect(check(ingress([fromTraefik]), ingress([traefikPods]))).toEqual([]);
    const narrower = withPods(ingress([fromTraefik]), { matchLabels: { app: 'web', tier: 'front' } });
    expect(check(ingress([fromTraefik]), narrower)).toEqual([]);
  });

  test('the same selectors losing a label, or a peer moving to another namespace, are flagged', () => {
    expect(check(ingress([traefikRelease]), ingress([traefikPods]))[0].message).toMatch(/^newly allows ingress /);
    expect(check(ingress([traefikPods]), ingress([fromTraefik]))[0].message).toMatch(/^newly allows ingress /);
    const other = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tools' } } };
    expect(check(ingress([fromTraefik]), ingress([other]))[0].message).toMatch(/^newly allows ingress .*tools/);
    const wider = withPods(ingress([fromTraefik]), { matchLabels: { app: 'web', tier: 'front' } });
    expect(check(wider, ingress([fromTraefik])).map((f) => f.field)).toEqual(['spec.podSelector']);
  });
});
