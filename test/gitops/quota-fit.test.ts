import * as fs from 'fs';
import * as path from 'path';
import { buildOverlay } from '../../charts/overlay';
import { loadEnvironments } from '../../environments/load';
import type { LimitRangeSpec, OverlaySpec } from '../../environments/model';
import { podDemands, quotaFitProblems } from '../../gitops/quota-fit';
import { renderOverlay } from '../../gitops/render';
import { SchemaValidator } from '../../gitops/validator';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { ENVIRONMENTS_DIR, environmentsWith, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const LIMIT_RANGE: LimitRangeSpec = {
  defaultRequest: { cpu: '100m', memory: '128Mi' },
  default: { cpu: '500m', memory: '512Mi' },
  max: { cpu: '8', memory: '32Gi' },
};

describe('podDemands', () => {
  test('objects that start no pods count nothing', () => {
    expect(
      podDemands({ apiVersion: 'kafka.strimzi.io/v1', kind: 'KafkaTopic', metadata: { name: 't' }, spec: { partitions: 3 } }, LIMIT_RANGE),
    ).toEqual([]);
    expect(podDemands({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} }, LIMIT_RANGE)).toEqual([]);
  });

  test('a kind is looked up with its API group: a Cluster of another group counts nothing', () => {
    const spec = { instances: 3, storage: { size: '10Gi' } };
    expect(
      podDemands({ apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'postgres' }, spec }, LIMIT_RANGE).map((g) => [
        g.source,
        g.replicas,
      ]),
    ).toEqual([['Cluster postgres', 3]]);
    expect(podDemands({ apiVersion: 'example.com/v1', kind: 'Cluster', metadata: { name: 'postgres' }, spec }, LIMIT_RANGE)).toEqual([]);
  });

  test("the namespace's LimitRange defaults reach the rule", () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'setup' }, spec: { template: { spec: { containers: [{}] } } } };
    const larger: LimitRangeSpec = { ...LIMIT_RANGE, defaultRequest: { cpu: '300m', memory: '1Gi' } };
    expect(podDemands(job, larger)[0].requests).toEqual({ cpu: 0.3, memory: 2 ** 30 });
  });
});

describe('quota fit of an overlay', () => {
  const manifestsOf = (overlay: OverlaySpec) =>
    renderOverlay(overlay, buildOverlay(overlay).clusters, { validator: new SchemaValidator() }).manifests;

  test('every overlay of the default tree fits its quotas, and the namespaces checked are those with a ResourceQuota', () => {
    for (const overlay of loadEnvironments(ENVIRONMENTS_DIR)) {
      const manifests = manifestsOf(overlay);
      expect(quotaFitProblems(overlay, manifests)).toEqual([]);
      // The same objects against a quota of one pod: every namespace with a quota is reported, no other.
      const tight = { ...overlay, settings: { ...overlay.settings, quota: { ...overlay.settings.quota, pods: 1 } } };
      const reported = quotaFitProblems(tight, manifests)
        .map((p) => /^namespace (\S+)/.exec(p.message)![1])
        .sort();
      const quotaNamespaces = manifests
        .filter((m) => m.kind === 'ResourceQuota')
        .map((m) => m.metadata.namespace)
        .sort();
      expect(reported).toEqual(quotaNamespaces);
    }
  });

  test('brokers that fit alone but not beside Connect and the controllers: synth names the quota, the namespace and every part, and writes nothing', () => {
    const envDir = environmentsWith({
      'overlays/region-a/prod.yaml': {
        merge: { streaming: { kafka: { resources: { requests: { cpu: '2', memory: '9Gi' }, limits: { cpu: '2', memory: '9Gi' } } } } },
      },
    });
    const outDir = path.join(tempDir('strata-quota-'), 'dist');
    const err = environmentError(() => synth({ envDir, outDir }));
    expect(fs.existsSync(outDir)).toBe(false);
    expect(err.problems.map((p) => [p.file, p.path, p.value])).toEqual([
      ['overlays/region-a/prod.yaml', 'quota.requestsMemory', '32Gi'],
      ['overlays/region-a/prod.yaml', 'quota.limitsMemory', '32Gi'],
    ]);
    const [requests] = err.problems;
    // 3 × 9Gi brokers + 3 × 1Gi controllers + 2 × 2Gi Connect + 1Gi image build + 768Mi entity operator + 64Mi exporter.
    expect(requests.message).toMatch(/^namespace kafka needs at least 35\.82Gi of memory requests \(/);
    expect(requests.message).toContain('KafkaNodePool brokers 3 × 9Gi');
    expect(requests.message).toContain('KafkaNodePool controllers 3 × 1Gi');
    expect(requests.message).toContain('KafkaConnect connect 2 × 2Gi');
    expect(requests.message).toContain('KafkaConnect connect image build 1 × 1Gi');
    expect(requests.fix).toBe('raise quota.requestsMemory to 35.82Gi or more, or lower the replicas or sizes of the components listed');
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: 'quota.requestsMemory',
      value: '32Gi',
      message: /namespace kafka/,
      fix: /raise quota\.requestsMemory/,
    });
  });
});
