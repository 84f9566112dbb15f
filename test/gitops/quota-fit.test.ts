import * as fs from 'fs';
import * as path from 'path';
import { buildOverlay } from '../../charts/overlay';
import { loadEnvironments } from '../../environments/load';
import type { LimitRangeSpec, OverlaySpec } from '../../environments/model';
import { podGroups, quotaFitProblems } from '../../gitops/quota-fit';
import { renderOverlay } from '../../gitops/render';
import { SchemaValidator } from '../../gitops/validator';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { ENVIRONMENTS_DIR, environmentsWith, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const Gi = 2 ** 30;
const Mi = 2 ** 20;
const LIMIT_RANGE: LimitRangeSpec = { defaultRequest: { cpu: '100m', memory: '128Mi' }, default: { cpu: '500m', memory: '512Mi' }, max: { cpu: '8', memory: '32Gi' } };

describe('podGroups', () => {
  test('a Deployment: containers summed, LimitRange defaults for a container without resources, a larger init container wins', () => {
    const [group] = podGroups('Deployment', 'apps/v1', 'web', {
      spec: {
        replicas: 2,
        template: {
          spec: {
            initContainers: [{ name: 'migrate', resources: { requests: { cpu: '2', memory: '64Mi' }, limits: { cpu: '2', memory: '64Mi' } } }],
            containers: [
              { name: 'app', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } } },
              { name: 'sidecar' },
            ],
          },
        },
      },
    }, LIMIT_RANGE);
    expect(group.source).toBe('Deployment web');
    expect(group.replicas).toBe(2);
    // CPU: the init container's 2 cores beat 250m + 100m; memory: 256Mi + 128Mi beat 64Mi.
    expect(group.requests).toEqual({ cpu: 2, memory: 384 * Mi });
    expect(group.limits).toEqual({ cpu: 2, memory: Gi + 512 * Mi });
  });

  test('a container with a limit and no request is charged the limit as its request', () => {
    const [group] = podGroups('Job', 'batch/v1', 'setup', { spec: { template: { spec: { containers: [{ resources: { limits: { cpu: '1', memory: '2Gi' } } }] } } } }, LIMIT_RANGE);
    expect(group.requests).toEqual({ cpu: 1, memory: 2 * Gi });
  });

  test('operator resources: Kafka node pools with JBOD volumes, the entity operator, OpenSearch pools and Dashboards, MinIO pools', () => {
    const pool = podGroups('KafkaNodePool', 'kafka.strimzi.io/v1', 'brokers', {
      spec: { replicas: 3, resources: { requests: { cpu: '2', memory: '6Gi' }, limits: { cpu: '2', memory: '6Gi' } }, storage: { type: 'jbod', volumes: [{ id: 0, size: '100Gi' }, { id: 1, size: '50Gi' }] } },
    }, LIMIT_RANGE);
    expect(pool).toEqual([{ source: 'KafkaNodePool brokers', replicas: 3, requests: { cpu: 2, memory: 6 * Gi }, limits: { cpu: 2, memory: 6 * Gi }, claims: 2, storage: 150 * Gi }]);

    const kafka = podGroups('Kafka', 'kafka.strimzi.io/v1', 'events', {
      spec: { entityOperator: { topicOperator: { resources: { requests: { cpu: '100m', memory: '384Mi' } } }, userOperator: {} }, kafkaExporter: {} },
    }, LIMIT_RANGE);
    expect(kafka.map((g) => [g.source, g.requests])).toEqual([
      ['Kafka events entity operator', { cpu: 0.2, memory: 512 * Mi }],
      ['Kafka events exporter', { cpu: 0.1, memory: 128 * Mi }],
    ]);

    const search = podGroups('OpenSearchCluster', 'opensearch.org/v1', 'search', {
      spec: {
        nodePools: [{ component: 'data', replicas: 3, diskSize: '100Gi', resources: { requests: { cpu: '2', memory: '6Gi' } } }],
        dashboards: { enable: true, replicas: 2, resources: { requests: { cpu: '250m', memory: '1Gi' } } },
      },
    }, LIMIT_RANGE);
    expect(search.map((g) => [g.source, g.replicas, g.storage])).toEqual([['OpenSearchCluster search node pool data', 3, 100 * Gi], ['OpenSearchCluster search Dashboards', 2, 0]]);

    const [tenant] = podGroups('Tenant', 'minio.min.io/v2', 'storage', {
      spec: { pools: [{ name: 'pool-0', servers: 4, volumesPerServer: 4, volumeClaimTemplate: { spec: { resources: { requests: { storage: '100Gi' } } } }, resources: { requests: { cpu: '500m', memory: '2Gi' } } }] },
    }, LIMIT_RANGE);
    expect([tenant.replicas, tenant.claims, tenant.storage]).toEqual([4, 4, 400 * Gi]);
  });

  test('objects that start no pods count nothing', () => {
    expect(podGroups('KafkaTopic', 'kafka.strimzi.io/v1', 't', { spec: { partitions: 3 } }, LIMIT_RANGE)).toEqual([]);
    expect(podGroups('Service', 'v1', 's', { spec: {} }, LIMIT_RANGE)).toEqual([]);
  });
});

describe('quota fit of an overlay', () => {
  const manifestsOf = (overlay: OverlaySpec) => renderOverlay(overlay, buildOverlay(overlay).layers, { validator: new SchemaValidator() }).manifests;

  test('every overlay of the default tree fits its quotas, and the namespaces checked are those with a ResourceQuota', () => {
    for (const overlay of loadEnvironments(ENVIRONMENTS_DIR)) {
      const manifests = manifestsOf(overlay);
      expect(quotaFitProblems(overlay, manifests)).toEqual([]);
      // The same objects against a quota of one pod: every namespace with a quota is reported, no other.
      const tight = { ...overlay, settings: { ...overlay.settings, quota: { ...overlay.settings.quota, pods: 1 } } };
      const reported = quotaFitProblems(tight, manifests).map((p) => /^namespace (\S+)/.exec(p.message)![1]).sort();
      const quotaNamespaces = manifests.filter((m) => m.kind === 'ResourceQuota').map((m) => m.metadata.namespace).sort();
      expect(reported).toEqual(quotaNamespaces);
    }
  });

  test('brokers that fit alone but not beside Connect and the controllers: synth names the quota, the namespace and every part, and writes nothing', () => {
    const envDir = environmentsWith({
      'overlays/region-a/prod.yaml': { merge: { streaming: { kafka: { resources: { requests: { cpu: '2', memory: '9Gi' }, limits: { cpu: '2', memory: '9Gi' } } } } } },
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
    expectProblem(err, { file: 'overlays/region-a/prod.yaml', path: 'quota.requestsMemory', value: '32Gi', message: /namespace kafka/, fix: /raise quota\.requestsMemory/ });
  });
});
