/**
 * DR promotion is one field: `dr.promoted: true` on the replica overlay. The pair keeps how
 * it was built (`role`, `of`, each cluster's bootstrap); only which side leads changes, on
 * both sides, in one render.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadEnvironments } from '../../environments/load';
import type { OverlaySpec } from '../../environments/model';
import { fromYaml } from '../../gitops/yaml';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { environmentsWith, readEnvironmentsFile, readTree, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const REPLICA_FILE = 'overlays/region-b/prod.yaml';
const PRIMARY_FILE = 'overlays/region-a/prod.yaml';
const CLUSTER = (region: string) => `${region}/prod/data/postgres_cluster_postgres.yaml`;
const TOKEN = 'eyJzeXN0ZW1JRCI6IjczNjAwMDAwMDAwMDAwMDAwMDAifQ==';

const render = (envDir: string, only?: string[]) => {
  const outDir = path.join(tempDir('strata-promotion-'), 'dist');
  synth({ envDir, outDir, only });
  return outDir;
};
const read = (outDir: string, rel: string): any => fromYaml(fs.readFileSync(path.join(outDir, rel), 'utf8'));
const byId = (overlays: readonly OverlaySpec[], id: string) => overlays.find((o) => o.id === id)!;

/**
 * The promotion as the README describes it: `dr.promoted: true` on the replica and, as the
 * default tree has CDC pipelines, `streaming.pipelines` moved from region-a to region-b.
 */
function promotedEnvironments(dr: Record<string, unknown> = { promoted: true }): string {
  const primary = readEnvironmentsFile(PRIMARY_FILE);
  const { pipelines, ...streaming } = primary.streaming;
  return environmentsWith({
    [REPLICA_FILE]: { merge: { dr, streaming: { pipelines } } },
    [PRIMARY_FILE]: yaml.dump({ ...primary, streaming }),
  });
}

describe('DR promotion', () => {
  let before: string;
  let after: string;
  let afterOverlays: OverlaySpec[];

  beforeAll(() => {
    before = render(environmentsWith());
    const promoted = promotedEnvironments();
    afterOverlays = loadEnvironments(promoted);
    after = render(promoted);
  });

  test('by default region-b/prod replicates region-a/prod: both clusters name postgres-region-a as primary', () => {
    const overlays = loadEnvironments(environmentsWith());
    expect(byId(overlays, 'region-b/prod').settings.dr).toEqual({ role: 'replica', of: 'region-a/prod' });
    expect(byId(overlays, 'region-b/prod').peers.primary?.id).toBe('region-a/prod');
    expect(byId(overlays, 'region-a/prod').peers.replicas.map((r) => r.id)).toEqual(['region-b/prod']);
    const a = read(before, CLUSTER('region-a')).spec;
    const b = read(before, CLUSTER('region-b')).spec;
    expect(a.replica).toEqual({ primary: 'postgres-region-a', source: 'postgres-region-b', self: 'postgres-region-a' });
    expect(b.replica).toEqual({ primary: 'postgres-region-a', source: 'postgres-region-a', self: 'postgres-region-b' });
    expect(a.bootstrap).toEqual({ initdb: expect.objectContaining({ database: 'hrm', owner: 'hrm' }) });
    expect(b.bootstrap).toEqual({ recovery: { source: 'postgres-region-a' } });
  });

  test("promoted: the pair's leadership swaps; role and of stay as built", () => {
    const replica = byId(afterOverlays, 'region-b/prod');
    expect(replica.settings.dr).toEqual({ role: 'replica', of: 'region-a/prod', promoted: true });
    expect(replica.peers.primary).toBeUndefined();
    expect(replica.peers.replicas.map((r) => r.id)).toEqual(['region-a/prod']);
    expect(byId(afterOverlays, 'region-a/prod').peers.primary?.id).toBe('region-b/prod');
    expect(byId(afterOverlays, 'region-a/prod').peers.replicas).toEqual([]);
  });

  test('promoted: both clusters name postgres-region-b as primary, and neither bootstrap changes', () => {
    const a = read(after, CLUSTER('region-a')).spec;
    const b = read(after, CLUSTER('region-b')).spec;
    expect(b.replica).toEqual({ primary: 'postgres-region-b', source: 'postgres-region-a', self: 'postgres-region-b' });
    expect(a.replica).toEqual({ primary: 'postgres-region-b', source: 'postgres-region-b', self: 'postgres-region-a' });
    // The bootstrap is how a cluster was created: region-b stays recovered from region-a's archive.
    expect(b.bootstrap).toEqual({ recovery: { source: 'postgres-region-a' } });
    expect(a.bootstrap).toEqual(read(before, CLUSTER('region-a')).spec.bootstrap);
    expect(a.bootstrap.initdb).toBeDefined();
    // Nothing else in either Cluster changes but the CDC roles, which move with the pipelines.
    const withoutCdcRoles = (spec: any) => {
      const { replica: _replica, managed, ...rest } = spec;
      return { ...rest, roles: (managed?.roles ?? []).filter((r: any) => !r.name.endsWith('_cdc')) };
    };
    for (const region of ['region-a', 'region-b']) {
      expect(withoutCdcRoles(read(after, CLUSTER(region)).spec)).toEqual(withoutCdcRoles(read(before, CLUSTER(region)).spec));
    }
    // Both members keep logical decoding on, so the new leader needs no restart to capture.
    const cdcOf = (spec: any) => ({
      roles: (spec.managed?.roles ?? []).filter((r: any) => r.name.endsWith('_cdc')).map((r: any) => r.name),
      walLevel: spec.postgresql.parameters.wal_level,
    });
    expect(cdcOf(read(before, CLUSTER('region-a')).spec)).toEqual({ roles: ['hrm_cdc', 'payroll_cdc'], walLevel: 'logical' });
    expect(cdcOf(read(before, CLUSTER('region-b')).spec)).toEqual({ roles: [], walLevel: 'logical' });
    expect(cdcOf(read(after, CLUSTER('region-a')).spec)).toEqual({ roles: [], walLevel: 'logical' });
    expect(cdcOf(read(after, CLUSTER('region-b')).spec)).toEqual({ roles: ['hrm_cdc', 'payroll_cdc'], walLevel: 'logical' });
  });

  test("with promotionToken, the token is set on region-b's cluster only", () => {
    const outDir = render(promotedEnvironments({ promoted: true, promotionToken: TOKEN }), ['region-a/prod', 'region-b/prod']);
    const a = read(outDir, CLUSTER('region-a')).spec;
    const b = read(outDir, CLUSTER('region-b')).spec;
    expect(b.replica).toEqual({ primary: 'postgres-region-b', source: 'postgres-region-a', self: 'postgres-region-b', promotionToken: TOKEN });
    expect(a.replica).toEqual({ primary: 'postgres-region-b', source: 'postgres-region-b', self: 'postgres-region-a' });
    expect(b.bootstrap).toEqual({ recovery: { source: 'postgres-region-a' } });
    const tree = readTree(outDir);
    expect(Object.keys(tree).filter((rel) => tree[rel].includes(TOKEN))).toEqual([CLUSTER('region-b')]);
  });

  test("the rendered diff: the pipelines' objects move from region-a to region-b; besides them, only these files change", () => {
    const a = readTree(before);
    const b = readTree(after);
    const files = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    const removed = files.filter((f) => !(f in b));
    const added = files.filter((f) => !(f in a));
    // A moved object: gone from region-a/prod, the same file under region-b/prod.
    const moved = removed.filter((f) => f.startsWith('region-a/prod/') && added.includes(f.replace('region-a/prod/', 'region-b/prod/')));
    const isMoved = (f: string) => moved.includes(f) || moved.includes(f.replace('region-b/prod/', 'region-a/prod/'));
    expect(moved.map((f) => f.replace('region-a/prod/', ''))).toEqual(
      expect.arrayContaining([
        'data/postgres_publication_postgres-hrm.yaml',
        'search/opensearch_opensearchindextemplate_employees-index.yaml',
        'streaming/kafka_kafkaconnect_connect.yaml',
        'streaming/kafka_kafkaconnector_hrm-source.yaml',
        'streaming/kafka_kafkaconnector_hrm-public-employees-sink.yaml',
        'streaming/kafka_kafkatopic_hrm.public.employees.yaml',
      ]),
    );
    // Besides the pipelines' objects, what the leader exposes moves: the external Kafka listener and the OpenSearch transport endpoint.
    expect(moved.filter((f) => !/(connect|hrm|payroll|employees|strata-ca-trust)/.test(f))).toEqual([
      'region-a/prod/search/opensearch_networkpolicy_allow-followers-to-search-transport.yaml',
      'region-a/prod/search/opensearch_service_search-transport.yaml',
      'region-a/prod/streaming/kafka_networkpolicy_allow-external-to-events.yaml',
    ]);
    const diff = {
      modified: files.filter((f) => f in a && f in b && a[f] !== b[f]),
      added: added.filter((f) => !isMoved(f)),
      removed: removed.filter((f) => !isMoved(f)),
    };
    expect(diff).toEqual({
      modified: [
        // Both pictures redraw the CDC chain, which moves with the pipelines.
        'clusters/region-a-prod/TOPOLOGY.md',
        'clusters/region-a-prod/flux-system_kustomization_strata-streaming.yaml',
        'clusters/region-b-prod/TOPOLOGY.md',
        'region-a/prod/data/kustomization.yaml',
        'region-a/prod/data/postgres_cluster_postgres.yaml',
        'region-a/prod/foundation/namespace_kafka.yaml',
        // The overview's layer stats follow the streaming layer.
        'region-a/prod/monitoring/kustomization.yaml',
        'region-a/prod/monitoring/monitoring_configmap_grafana-dashboard-platform-overview.yaml',
        'region-a/prod/search/kustomization.yaml',
        'region-a/prod/search/opensearch_opensearchuserrolebinding_replicator.yaml',
        'region-a/prod/streaming/kafka_kafka_events.yaml',
        'region-a/prod/streaming/kustomization.yaml',
        'region-b/prod/data/kustomization.yaml',
        'region-b/prod/data/postgres_cluster_postgres.yaml',
        'region-b/prod/foundation/namespace_kafka.yaml',
        'region-b/prod/monitoring/kustomization.yaml',
        'region-b/prod/monitoring/monitoring_configmap_grafana-dashboard-platform-overview.yaml',
        'region-b/prod/search/kustomization.yaml',
        'region-b/prod/search/opensearch_opensearchuserrolebinding_replicator.yaml',
        'region-b/prod/streaming/kafka_kafka_events.yaml',
        'region-b/prod/streaming/kustomization.yaml',
      ],
      added: [
        'region-a/prod/search/opensearch_job_search-replication-setup-5a874afcb2.yaml',
        'region-a/prod/search/opensearch_networkpolicy_allow-search-replication-setup-egress.yaml',
        'region-a/prod/search/opensearch_networkpolicy_allow-search-replication-setup-ingress.yaml',
        'region-a/prod/search/opensearch_networkpolicy_allow-search-to-leader-region-b.yaml',
        'region-a/prod/search/opensearch_opensearchrole_replication-setup.yaml',
        'region-a/prod/streaming/kafka_configmap_mirror-maker-metrics.yaml',
        'region-a/prod/streaming/kafka_externalsecret_mirror-maker-region-b-cluster-ca.yaml',
        'region-a/prod/streaming/kafka_externalsecret_mirror-maker-region-b-credentials.yaml',
        'region-a/prod/streaming/kafka_kafkamirrormaker2_mirror-maker.yaml',
        'region-a/prod/streaming/kafka_kafkauser_mirror-maker.yaml',
        'region-a/prod/streaming/kafka_networkpolicy_allow-mirror-maker-to-events-egress.yaml',
        'region-a/prod/streaming/kafka_networkpolicy_allow-mirror-maker-to-events-ingress.yaml',
        'region-a/prod/streaming/kafka_networkpolicy_allow-mirror-maker-to-region-b-kafka.yaml',
        'region-a/prod/streaming/kafka_networkpolicy_allow-mirror-maker-workers-egress.yaml',
        'region-a/prod/streaming/kafka_networkpolicy_allow-mirror-maker-workers-ingress.yaml',
        'region-a/prod/streaming/kafka_networkpolicy_allow-prometheus-to-mirror-maker-ingress.yaml',
        'region-a/prod/streaming/kafka_networkpolicy_allow-strimzi-operator-to-mirror-maker-ingress.yaml',
        'region-a/prod/streaming/kafka_podmonitor_mirror-maker.yaml',
        'region-a/prod/streaming/monitoring_networkpolicy_allow-prometheus-to-mirror-maker-egress.yaml',
        'region-a/prod/streaming/strimzi-system_networkpolicy_allow-strimzi-operator-to-mirror-maker-egress.yaml',
        'region-b/prod/streaming/kafka_externalsecret_mirror-maker-region-a-password.yaml',
        'region-b/prod/streaming/kafka_kafkauser_mirror-maker-region-a.yaml',
      ],
      removed: [
        'region-a/prod/streaming/kafka_externalsecret_mirror-maker-region-b-password.yaml',
        'region-a/prod/streaming/kafka_kafkauser_mirror-maker-region-b.yaml',
        'region-b/prod/search/opensearch_job_search-replication-setup-73fcd729e1.yaml',
        'region-b/prod/search/opensearch_networkpolicy_allow-search-replication-setup-egress.yaml',
        'region-b/prod/search/opensearch_networkpolicy_allow-search-replication-setup-ingress.yaml',
        'region-b/prod/search/opensearch_networkpolicy_allow-search-to-leader-region-a.yaml',
        'region-b/prod/search/opensearch_opensearchrole_replication-setup.yaml',
        'region-b/prod/streaming/kafka_configmap_mirror-maker-metrics.yaml',
        'region-b/prod/streaming/kafka_externalsecret_mirror-maker-region-a-cluster-ca.yaml',
        'region-b/prod/streaming/kafka_externalsecret_mirror-maker-region-a-credentials.yaml',
        'region-b/prod/streaming/kafka_kafkamirrormaker2_mirror-maker.yaml',
        'region-b/prod/streaming/kafka_kafkauser_mirror-maker.yaml',
        'region-b/prod/streaming/kafka_networkpolicy_allow-mirror-maker-to-events-egress.yaml',
        'region-b/prod/streaming/kafka_networkpolicy_allow-mirror-maker-to-events-ingress.yaml',
        'region-b/prod/streaming/kafka_networkpolicy_allow-mirror-maker-to-region-a-kafka.yaml',
        'region-b/prod/streaming/kafka_networkpolicy_allow-mirror-maker-workers-egress.yaml',
        'region-b/prod/streaming/kafka_networkpolicy_allow-mirror-maker-workers-ingress.yaml',
        'region-b/prod/streaming/kafka_networkpolicy_allow-prometheus-to-mirror-maker-ingress.yaml',
        'region-b/prod/streaming/kafka_networkpolicy_allow-strimzi-operator-to-mirror-maker-ingress.yaml',
        'region-b/prod/streaming/kafka_podmonitor_mirror-maker.yaml',
        'region-b/prod/streaming/monitoring_networkpolicy_allow-prometheus-to-mirror-maker-egress.yaml',
        'region-b/prod/streaming/strimzi-system_networkpolicy_allow-strimzi-operator-to-mirror-maker-egress.yaml',
      ],
    });
  });

  test("promoted with the pipelines moved to region-b: CDC runs there and region-a's OpenSearch follows region-b", () => {
    const files = (overlay: string) => ['search', 'streaming', 'data'].flatMap((layer) => fs.readdirSync(path.join(after, overlay, layer)));
    expect(
      files('region-b/prod')
        .filter((f) => /_(kafkaconnector|publication)_/.test(f))
        .sort(),
    ).toEqual([
      'kafka_kafkaconnector_hrm-public-employees-sink.yaml',
      'kafka_kafkaconnector_hrm-source.yaml',
      'kafka_kafkaconnector_payroll-public-tx-sink.yaml',
      'kafka_kafkaconnector_payroll-source.yaml',
      'postgres_publication_postgres-hrm.yaml',
      'postgres_publication_postgres-payroll.yaml',
    ]);
    expect(files('region-a/prod').filter((f) => /_(kafkaconnector|publication)_/.test(f))).toEqual([]);
    expect(files('region-a/prod').filter((f) => f.startsWith('opensearch_job_search-replication-setup-'))).toHaveLength(1);
    expect(files('region-b/prod').filter((f) => f.startsWith('opensearch_job_search-replication-setup-'))).toEqual([]);
  });

  describe('errors', () => {
    test('promoted while the pipelines stay on region-a: its database is about to be a replica', () => {
      const err = environmentError(() => loadEnvironments(environmentsWith({ [REPLICA_FILE]: { merge: { dr: { promoted: true } } } })));
      expect(err.problems).toHaveLength(1);
      expectProblem(err, {
        file: PRIMARY_FILE,
        path: 'streaming.pipelines',
        message:
          /^region-a\/prod: CDC pipelines are declared here, but region-b\/prod was promoted and leads: its PostgreSQL is a replica, where logical decoding and publications cannot run$/,
        fix: /^move streaming\.pipelines to overlays\/region-b\/prod\.yaml, the overlay that leads \(in the same commit as the promotion\)$/,
      });
    });

    test('pipelines on a replica that follows', () => {
      const primary = readEnvironmentsFile(PRIMARY_FILE);
      const err = environmentError(() =>
        loadEnvironments(environmentsWith({ [REPLICA_FILE]: { merge: { streaming: { pipelines: primary.streaming.pipelines } } } })),
      );
      const problem = expectProblem(err, {
        file: REPLICA_FILE,
        path: 'streaming.pipelines',
        message: /^region-b\/prod: CDC pipelines are declared here, but it follows region-a\/prod: /,
        fix: /^move streaming\.pipelines to overlays\/region-a\/prod\.yaml, the overlay that leads$/,
      });
      expect(err.problems).toEqual([problem]);
    });

    test('promoted on a primary overlay', () => {
      const err = environmentError(() => loadEnvironments(environmentsWith({ [PRIMARY_FILE]: { merge: { dr: { promoted: true } } } })));
      expect(err.problems).toHaveLength(1);
      expectProblem(err, {
        file: PRIMARY_FILE,
        path: 'dr.promoted',
        value: true,
        message: /^region-a\/prod: only a replica can be promoted$/,
        fix: /^remove the field, or set it on the replica overlay that should lead$/,
      });
    });

    test('promotionToken on a primary overlay', () => {
      const err = environmentError(() => loadEnvironments(environmentsWith({ [PRIMARY_FILE]: { merge: { dr: { promotionToken: TOKEN } } } })));
      expect(err.problems).toHaveLength(1);
      expectProblem(err, {
        file: PRIMARY_FILE,
        path: 'dr.promotionToken',
        value: TOKEN,
        message: /only a replica can be promoted/,
        fix: /remove the field/,
      });
    });

    test('promotionToken without promoted', () => {
      const err = environmentError(() => loadEnvironments(environmentsWith({ [REPLICA_FILE]: { merge: { dr: { promotionToken: TOKEN } } } })));
      expect(err.problems).toHaveLength(1);
      expectProblem(err, {
        file: REPLICA_FILE,
        path: 'dr.promotionToken',
        value: TOKEN,
        message: /^region-b\/prod: a promotion token only applies with promoted: true$/,
        fix: /^add dr\.promoted: true, or remove dr\.promotionToken$/,
      });
    });

    test('promotionToken with promoted: false', () => {
      const err = environmentError(() =>
        loadEnvironments(environmentsWith({ [REPLICA_FILE]: { merge: { dr: { promoted: false, promotionToken: TOKEN } } } })),
      );
      expect(err.problems.map((p) => p.path)).toEqual(['dr.promotionToken']);
    });

    test('a promotionToken that is not base64', () => {
      const err = environmentError(() =>
        loadEnvironments(environmentsWith({ [REPLICA_FILE]: { merge: { dr: { promoted: true, promotionToken: 'not a token!' } } } })),
      );
      expect(err.problems).toHaveLength(1);
      expectProblem(err, {
        file: REPLICA_FILE,
        path: 'dr.promotionToken',
        value: 'not a token!',
        message: /must match pattern/,
        fix: /status\.demotionToken \(base64\)/,
      });
    });
  });
});
