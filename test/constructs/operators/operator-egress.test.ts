import { OperatorEgress, OperatorEgressRule } from '../../../constructs/operators/operator-egress';
import { schemaIssues, testLayer } from '../../support/layer';

const PROMETHEUS = { 'app.kubernetes.io/name': 'prometheus' };

function build(rule: OperatorEgressRule) {
  const layer = testLayer('operators');
  new OperatorEgress(layer.chart, 'Egress', { namespace: 'monitoring', rule });
  return layer;
}

describe('OperatorEgress', () => {
  test('to node addresses: only the selected pods, only these ports (sorted), any node', () => {
    const layer = build({ name: 'prometheus-to-nodes', podLabels: PROMETHEUS, to: 'nodes', ports: [10250, 9100] });
    const policy = layer.find('NetworkPolicy', 'allow-prometheus-to-nodes-egress', 'monitoring');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: PROMETHEUS },
      policyTypes: ['Egress'],
      egress: [
        {
          ports: [
            { protocol: 'TCP', port: 9100 },
            { protocol: 'TCP', port: 10250 },
          ],
        },
      ],
    });
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('to pods of another namespace: selected by namespace and labels, egress side only', () => {
    const layer = build({
      name: 'prometheus-to-coredns',
      podLabels: PROMETHEUS,
      to: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
      ports: [9153],
    });
    expect(layer.all('NetworkPolicy')).toHaveLength(1);
    expect(layer.find('NetworkPolicy', 'allow-prometheus-to-coredns-egress', 'monitoring').spec.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 9153 }],
      },
    ]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });
});
