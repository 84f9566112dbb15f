import { OPENSEARCH_POD_DEMANDS } from '../../../constructs/search/opensearch-pod-demand';
import { demandOf, Gi } from '../../support/pod-demand';

const demand = (manifest: any) => demandOf(OPENSEARCH_POD_DEMANDS, manifest);

describe('OpenSearch pod demand', () => {
  test('node pools with their disks, and the Dashboards', () => {
    const search = demand({
      apiVersion: 'opensearch.org/v1',
      kind: 'OpenSearchCluster',
      metadata: { name: 'search' },
      spec: {
        nodePools: [{ component: 'data', replicas: 3, diskSize: '100Gi', resources: { requests: { cpu: '2', memory: '6Gi' } } }],
        dashboards: { enable: true, replicas: 2, resources: { requests: { cpu: '250m', memory: '1Gi' } } },
      },
    });
    expect(search.map((g) => [g.source, g.replicas, g.storage])).toEqual([
      ['OpenSearchCluster search node pool data', 3, 100 * Gi],
      ['OpenSearchCluster search Dashboards', 2, 0],
    ]);
  });

  test('a pool without a disk claims no volume; disabled Dashboards count nothing', () => {
    const search = demand({
      apiVersion: 'opensearch.org/v1',
      kind: 'OpenSearchCluster',
      metadata: { name: 'search' },
      spec: { nodePools: [{ component: 'coordinating' }], dashboards: { enable: false, replicas: 2 } },
    });
    expect(search.map((g) => [g.source, g.replicas, g.claims])).toEqual([['OpenSearchCluster search node pool coordinating', 1, 0]]);
  });
});
