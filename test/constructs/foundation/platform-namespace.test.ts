import { PlatformNamespace, PlatformNamespaceProps } from '../../../constructs/foundation/platform-namespace';
import type { LimitRangeSpec, QuotaSpec } from '../../../environments/model';
import { schemaIssues, testLayer } from '../../support/layer';

const LIMIT_RANGE: LimitRangeSpec = {
  defaultRequest: { cpu: '100m', memory: '128Mi' },
  default: { cpu: '500m', memory: '512Mi' },
  max: { cpu: '8', memory: '32Gi' },
};
const QUOTA: QuotaSpec = {
  requestsCpu: '16',
  requestsMemory: '32Gi',
  limitsCpu: '16',
  limitsMemory: '32Gi',
  requestsStorage: '4Ti',
  persistentVolumeClaims: 64,
  pods: 100,
};

function build(props: Partial<PlatformNamespaceProps> = {}) {
  const layer = testLayer('foundation');
  new PlatformNamespace(layer.chart, 'postgres', { name: 'postgres', limitRange: LIMIT_RANGE, ...props });
  return layer;
}

describe('PlatformNamespace', () => {
  test('enforces the restricted Pod Security Standard by default', () => {
    const ns = build().find('Namespace', 'postgres');
    expect(ns.metadata.labels).toEqual(
      expect.objectContaining({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': expect.stringMatching(/^v1\.\d+$/),
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      }),
    );
    expect(ns.metadata.annotations?.['strata.io/pod-security-reason']).toBeUndefined();
  });

  test('a lower level needs a reason, which is recorded; audit and warn stay restricted', () => {
    const ns = build({ podSecurity: 'privileged', podSecurityReason: 'node-exporter needs the host network' }).find('Namespace', 'postgres');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.labels['pod-security.kubernetes.io/audit']).toBe('restricted');
    expect(ns.metadata.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
    expect(ns.metadata.annotations['strata.io/pod-security-reason']).toBe('node-exporter needs the host network');
  });

  test('a lower level without a reason is an error naming the namespace and the prop', () => {
    expect(() => build({ podSecurity: 'baseline' })).toThrow(/namespace postgres: podSecurity baseline needs a podSecurityReason/);
  });

  test('has no ResourceQuota unless a quota is given', () => {
    expect(build().all('ResourceQuota')).toEqual([]);
  });

  test('renders the given quota', () => {
    const quota = build({ quota: QUOTA }).find('ResourceQuota', 'compute-and-storage', 'postgres');
    expect(quota.spec.hard).toEqual({
      'requests.cpu': '16',
      'requests.memory': '32Gi',
      'limits.cpu': '16',
      'limits.memory': '32Gi',
      'requests.storage': '4Ti',
      persistentvolumeclaims: 64,
      pods: 100,
    });
  });

  test('gives every container default requests and limits and a maximum', () => {
    const lr = build().find('LimitRange', 'container-defaults', 'postgres');
    expect(lr.spec.limits).toEqual([
      {
        type: 'Container',
        defaultRequest: { cpu: '100m', memory: '128Mi' },
        default: { cpu: '500m', memory: '512Mi' },
        max: { cpu: '8', memory: '32Gi' },
      },
    ]);
  });

  test('denies all ingress and egress by default', () => {
    const deny = build().find('NetworkPolicy', 'default-deny', 'postgres');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('allows DNS egress to kube-dns only', () => {
    const dns = build().find('NetworkPolicy', 'allow-dns-egress', 'postgres');
    expect(dns.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
  });

  test('opens nothing else by default', () => {
    const policies = build()
      .all('NetworkPolicy')
      .map((p) => p.metadata.name)
      .sort();
    expect(policies).toEqual(['allow-dns-egress', 'default-deny']);
  });

  test('API server egress, when asked for, on the API server ports', () => {
    const api = build({ apiServerEgress: true }).find('NetworkPolicy', 'allow-apiserver-egress', 'postgres');
    expect(api.spec.policyTypes).toEqual(['Egress']);
    expect(api.spec.egress).toEqual([
      {
        ports: [
          { protocol: 'TCP', port: 443 },
          { protocol: 'TCP', port: 6443 },
        ],
      },
    ]);
  });

  test('webhook ingress, when asked for, on exactly those ports', () => {
    const hooks = build({ webhookPorts: [9443] }).find('NetworkPolicy', 'allow-webhook-ingress', 'postgres');
    expect(hooks.spec.policyTypes).toEqual(['Ingress']);
    expect(hooks.spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 9443 }] }]);
  });

  describe("with the API server's addresses", () => {
    const apiServer = { cidrs: ['10.96.0.1/32', '192.168.10.0/24', 'fd00:10::/64'] };
    const ipBlocks = [{ ipBlock: { cidr: '10.96.0.1/32' } }, { ipBlock: { cidr: '192.168.10.0/24' } }, { ipBlock: { cidr: 'fd00:10::/64' } }];

    test('API server egress goes only to them', () => {
      const api = build({ apiServerEgress: true, apiServer }).find('NetworkPolicy', 'allow-apiserver-egress', 'postgres');
      expect(api.spec.egress).toEqual([
        {
          to: ipBlocks,
          ports: [
            { protocol: 'TCP', port: 443 },
            { protocol: 'TCP', port: 6443 },
          ],
        },
      ]);
    });

    test("on the region's ports when it gives them", () => {
      const api = build({ apiServerEgress: true, apiServer: { ...apiServer, ports: [8443] } }).find(
        'NetworkPolicy',
        'allow-apiserver-egress',
        'postgres',
      );
      expect(api.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 8443 }]);
    });

    test('webhook calls are accepted only from them', () => {
      const hooks = build({ webhookPorts: [9443], apiServer }).find('NetworkPolicy', 'allow-webhook-ingress', 'postgres');
      expect(hooks.spec.ingress).toEqual([{ from: ipBlocks, ports: [{ protocol: 'TCP', port: 9443 }] }]);
    });

    test('open nothing by themselves', () => {
      expect(
        build({ apiServer })
          .all('NetworkPolicy')
          .map((p) => p.metadata.name)
          .sort(),
      ).toEqual(['allow-dns-egress', 'default-deny']);
    });

    test('validate against the schemas', () => {
      expect(schemaIssues(build({ apiServerEgress: true, webhookPorts: [9443], apiServer }).manifests())).toEqual([]);
    });
  });

  test('carries the Strata labels and validates against the schemas', () => {
    const layer = build({ quota: QUOTA, apiServerEgress: true, webhookPorts: [9443, 10250] });
    const manifests = layer.manifests();
    for (const m of manifests) {
      expect(m.metadata.labels).toEqual(
        expect.objectContaining({
          'app.kubernetes.io/managed-by': 'strata',
          'strata.io/layer': 'foundation',
          'strata.io/region': 'region-a',
          'strata.io/environment': 'prod',
        }),
      );
    }
    expect(schemaIssues(manifests)).toEqual([]);
  });
});
