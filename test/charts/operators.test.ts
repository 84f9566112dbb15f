import { Testing } from 'cdk8s';
import { buildOverlay } from '../../charts/overlay';
import { loadEnvironments } from '../../environments/load';
import { ENVIRONMENTS_DIR, environmentsWith, removeTempDirs } from '../support/temp';

afterAll(removeTempDirs);

/** Every NetworkPolicy of an overlay in one namespace, by name. */
function policies(envDir: string, id: string, namespace: string): Map<string, any> {
  const [overlay] = loadEnvironments(envDir, { only: [id] });
  const manifests = buildOverlay(overlay).layers.flatMap((l) => Testing.synth(l));
  return new Map(manifests.filter((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === namespace).map((m) => [m.metadata.name, m]));
}

const ports = (rule: any) => (rule.ports ?? []).map((p: any) => p.port);

describe('monitoring namespace egress', () => {
  const monitoring = policies(ENVIRONMENTS_DIR, 'region-a/prod', 'monitoring');

  test('no rule reaches any address on any port', () => {
    for (const [name, policy] of monitoring) {
      for (const rule of policy.spec.egress ?? []) expect({ name, open: !rule.to && !rule.ports }).toEqual({ name, open: false });
    }
    expect(monitoring.has('allow-external-egress')).toBe(false);
  });

  test("rules without peers are Prometheus's node scraping and the API server, on their ports only", () => {
    const portOnly = [...monitoring.values()]
      .filter((p) => (p.spec.egress ?? []).some((r: any) => !r.to))
      .map((p) => p.metadata.name)
      .sort();
    expect(portOnly).toEqual(['allow-apiserver-egress', 'allow-prometheus-to-nodes-egress']);
    const nodes = monitoring.get('allow-prometheus-to-nodes-egress');
    expect(nodes.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'prometheus' } });
    // Kubelet and node exporter, plus the control-plane components the chart's monitors scrape.
    expect(ports(nodes.spec.egress[0])).toEqual(expect.arrayContaining([9100, 10250]));
    expect(ports(nodes.spec.egress[0])).not.toContain(443);
  });

  test('Prometheus still reaches every workload it scrapes, by selector', () => {
    // Egress policies only: Grafana, in Prometheus' own namespace, also has the ingress side of its scrape there.
    const scrapes = [...monitoring.keys()].filter(
      (n) => n.startsWith('allow-prometheus-to-') && n.endsWith('-egress') && n !== 'allow-prometheus-to-nodes-egress',
    );
    expect(scrapes.length).toBeGreaterThan(3);
    for (const name of scrapes) expect(monitoring.get(name).spec.egress.every((r: any) => r.to?.length)).toBe(true);
  });

  test("with the API server's addresses, no rule in monitoring is open on 443 or 6443", () => {
    const envDir = environmentsWith({ 'regions/region-a.yaml': { merge: { apiServer: { cidrs: ['10.96.0.1/32'] } } } });
    const narrowed = policies(envDir, 'region-a/prod', 'monitoring');
    for (const policy of narrowed.values()) {
      for (const rule of policy.spec.egress ?? []) {
        if (!rule.to) expect(ports(rule)).not.toEqual(expect.arrayContaining([443]));
      }
    }
    expect(narrowed.get('allow-apiserver-egress').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.96.0.1/32' } }]);
    expect(narrowed.get('allow-webhook-ingress').spec.ingress[0].from).toEqual([{ ipBlock: { cidr: '10.96.0.1/32' } }]);
  });
});
