import { Testing } from 'cdk8s';
import { buildOverlay } from '../../charts/overlay';
import { OPENSEARCH_SNAPSHOT_BUCKET } from '../../charts/search';
import { loadEnvironments } from '../../environments/load';
import type { OverlaySpec } from '../../environments/model';
import { SpecError } from '../../environments/problems';
import { ENVIRONMENTS_DIR, environmentsWith, removeTempDirs } from '../support/temp';

afterAll(removeTempDirs);

const overlays = loadEnvironments(ENVIRONMENTS_DIR);
const overlay = (id: string): OverlaySpec => {
  const found = overlays.find((o) => o.id === id);
  if (!found) throw new Error(`no overlay ${id}`);
  return found;
};
const layer = (id: string, name: string) => {
  const built = buildOverlay(overlay(id));
  const chart = built.layers.find((l) => l.layer === name);
  return { built, chart, manifests: chart ? Testing.synth(chart) : [] };
};
const find = (manifests: any[], kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);
const all = (manifests: any[], kind: string) => manifests.filter((m) => m.kind === kind);

describe('SearchChart', () => {
  test("region-a/prod: the prod tier's cluster, exposed to the CDC pipeline author", () => {
    const { built, chart, manifests } = layer('region-a/prod', 'search');
    expect(chart).toBeDefined();
    expect(built.platform.search).toBe(chart);
    expect(built.platform.search!.opensearch.endpoint).toBe('https://search.opensearch.svc.cluster.local:9200');
    const cluster = find(manifests, 'OpenSearchCluster', 'search');
    expect(cluster.spec.nodePools.map((p: any) => [p.component, p.replicas, p.jvm.split(' ').slice(0, 2).join(' ')])).toEqual([
      ['managers', 3, '-Xms1g -Xmx1g'],
      ['data', 3, '-Xms3g -Xmx3g'],
    ]);
    expect(cluster.spec.nodePools[1]).toMatchObject({
      diskSize: '100Gi',
      persistence: { pvc: { storageClass: 'fast-ssd-retain' } },
      nodeSelector: { 'node.role': 'database' },
    });
  });

  test("region-a/prod: one index template per CDC index, with the pipeline's mappings", () => {
    const { manifests } = layer('region-a/prod', 'search');
    // Beside the CDC indices' templates, Fluent Bit's for the container logs (monitoring.logging).
    expect(all(manifests, 'OpensearchIndexTemplate').map((t) => t.spec.name)).toEqual(['employees_index', 'payroll_index', 'logs']);
    const payroll = find(manifests, 'OpensearchIndexTemplate', 'payroll-index');
    expect(payroll.spec.indexPatterns).toEqual(['payroll_index']);
    expect(payroll.spec.template.mappings.properties.amount).toEqual({ type: 'scaled_float', scaling_factor: 100 });
  });

  test("region-a/prod: snapshots into the data layer's MinIO on the tier's schedule, retention from the tier", () => {
    const { built, manifests } = layer('region-a/prod', 'search');
    expect(find(manifests, 'OpensearchSnapshotPolicy', 'search-daily').spec.creation.schedule.cron).toEqual({
      expression: '30 2 * * *',
      timezone: 'UTC',
    });
    const tenant = find(Testing.synth(built.platform.data), 'Tenant', 'storage');
    expect(tenant.spec.buckets).toEqual(expect.arrayContaining([{ name: OPENSEARCH_SNAPSHOT_BUCKET }]));
    const ism = find(manifests, 'OpenSearchISMPolicy', 'retention');
    expect(ism.spec.ismTemplate.indexPatterns).toEqual(['employees_index-*', 'payroll_index-*']);
    expect(ism.spec.states[0].transitions[0].conditions.minIndexAge).toBe('90d');
  });

  test('region-a/prod is the leader of region-b/prod: transport exposed under its base domain, the shared CA under its own key', () => {
    const { manifests } = layer('region-a/prod', 'search');
    expect(find(manifests, 'Service', 'search-transport').metadata.annotations['external-dns.alpha.kubernetes.io/hostname']).toBe(
      'search-transport.region-a.strata.example',
    );
    expect(find(manifests, 'OpensearchUserRoleBinding', 'replicator').spec.roles).toEqual(['cross_cluster_replication_leader_full_access']);
    expect(find(manifests, 'ExternalSecret', 'search-transport-ca').spec.data[0].remoteRef.key).toBe('region-a/prod/opensearch/search/transport-ca');
    expect(find(manifests, 'OpenSearchCluster', 'search').spec.security.tls.transport.perNode).toBe(false);
    expect(all(manifests, 'Job')).toEqual([]);
  });

  test("region-b/prod follows region-a/prod: the set-up Job auto-follows the primary's CDC indices through its transport endpoint", () => {
    const { manifests } = layer('region-b/prod', 'search');
    const [job] = all(manifests, 'Job');
    const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      LEADER_ALIAS: 'region-a',
      LEADER_ADDRESS: 'search-transport.region-a.strata.example:9300',
      AUTOFOLLOW_RULES: 'strata-employees_index=employees_index* strata-payroll_index=payroll_index*',
    });
    // The pair's secrets are the leader's: same transport CA, same replication user.
    expect(find(manifests, 'ExternalSecret', 'search-transport-ca').spec.data[0].remoteRef.key).toBe('region-a/prod/opensearch/search/transport-ca');
    expect(find(manifests, 'ExternalSecret', 'search-user-replicator').spec.data[0].remoteRef.key).toBe(
      'region-a/prod/opensearch/search/users/replicator',
    );
    // No pipeline writes here: no CDC templates (only the container logs'), but retention covers the followed indices.
    expect(all(manifests, 'OpensearchIndexTemplate').map((t) => t.spec.indexPatterns)).toEqual([['logs-*']]);
    expect(find(manifests, 'OpenSearchISMPolicy', 'retention').spec.ismTemplate.indexPatterns).toEqual(['employees_index-*', 'payroll_index-*']);
    expect(find(manifests, 'Service', 'search-transport')).toBeUndefined();
  });

  test('after promotion of region-b/prod the roles swap, and the pair keeps its transport CA and replication user', () => {
    // The CDC pipelines move with the lead: the new leader writes, the old one follows.
    const pipelines = JSON.parse(JSON.stringify(overlay('region-a/prod').settings.streaming.pipelines));
    const promoted = loadEnvironments(
      environmentsWith({
        'overlays/region-b/prod.yaml': { merge: { dr: { promoted: true }, streaming: { pipelines } } },
        'overlays/region-a/prod.yaml': { merge: { streaming: { pipelines: [] } } },
      }),
      { only: ['region-a/prod', 'region-b/prod'] },
    );
    const manifestsOf = (id: string) => Testing.synth(buildOverlay(promoted.find((o) => o.id === id)!).layers.find((l) => l.layer === 'search')!);
    const b = manifestsOf('region-b/prod');
    const a = manifestsOf('region-a/prod');
    expect(find(b, 'Service', 'search-transport').metadata.annotations['external-dns.alpha.kubernetes.io/hostname']).toBe(
      'search-transport.region-b.strata.example',
    );
    const [job] = all(a, 'Job');
    expect(job.spec.template.spec.containers[0].env).toEqual(
      expect.arrayContaining([{ name: 'LEADER_ADDRESS', value: 'search-transport.region-b.strata.example:9300' }]),
    );
    for (const manifests of [a, b]) {
      expect(find(manifests, 'ExternalSecret', 'search-transport-ca').spec.data[0].remoteRef.key).toBe(
        'region-a/prod/opensearch/search/transport-ca',
      );
      expect(find(manifests, 'ExternalSecret', 'search-user-replicator').spec.data[0].remoteRef.key).toBe(
        'region-a/prod/opensearch/search/users/replicator',
      );
    }
  });

  test('region-a/staging: the staging tier (3 combined nodes, 2g heap, 30 days), no replication', () => {
    const { manifests } = layer('region-a/staging', 'search');
    const pools = find(manifests, 'OpenSearchCluster', 'search').spec.nodePools;
    expect(pools.map((p: any) => [p.component, p.replicas, p.roles.slice(0, 2)])).toEqual([['nodes', 3, ['cluster_manager', 'data']]]);
    expect(pools[0].jvm).toMatch(/^-Xms2g -Xmx2g /);
    expect(find(manifests, 'OpenSearchISMPolicy', 'retention').spec.states[0].transitions[0].conditions.minIndexAge).toBe('30d');
    expect(find(manifests, 'OpenSearchCluster', 'search').spec.security.tls.transport).toEqual({ generate: true, perNode: true });
    expect(all(manifests, 'Job').concat(all(manifests, 'Service'))).toEqual([]);
  });

  test('the search layer is applied after foundation, operators and data, and the operators layer installs the OpenSearch operator', () => {
    const { built, chart } = layer('region-b/prod', 'search');
    expect([...chart!.layerDependencies].map((c) => c.layer).sort()).toEqual(['data', 'foundation', 'operators']);
    const operators = Testing.synth(built.layers.find((l) => l.layer === 'operators')!);
    expect(find(operators, 'Application', 'opensearch-operator') ?? find(operators, 'HelmRelease', 'opensearch-operator')).toBeDefined();
    const foundation = Testing.synth(built.layers.find((l) => l.layer === 'foundation')!);
    expect(find(foundation, 'Namespace', 'opensearch').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
  });

  test('no search layer where OpenSearch is disabled', () => {
    const built = buildOverlay(overlay('region-a/dev'));
    expect(built.platform.search).toBeUndefined();
    expect(built.layers.map((l) => l.layer)).not.toContain('search');
  });

  test("a replica whose cluster name differs from its primary's is an environment error naming the fix", () => {
    const [replica] = loadEnvironments(environmentsWith({ 'overlays/region-b/prod.yaml': { merge: { opensearch: { name: 'search-dr' } } } }), {
      only: ['region-b/prod'],
    });
    let error: unknown;
    try {
      buildOverlay(replica);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'opensearch.name',
          message: expect.stringContaining('cross-cluster replication needs the same name on both sides'),
          fix: 'set opensearch.name: search (names are a public contract: never rename a running cluster)',
        }),
      ]),
    );
  });
});
