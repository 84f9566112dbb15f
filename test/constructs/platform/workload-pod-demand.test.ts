import { WORKLOAD_POD_DEMANDS } from '../../../constructs/platform/workload-pod-demand';
import { demandOf, Gi, LIMIT_RANGE, Mi } from '../../support/pod-demand';

const demand = (manifest: any) => demandOf(WORKLOAD_POD_DEMANDS, manifest, LIMIT_RANGE);

describe('workload controllers', () => {
  test('a Deployment: containers summed, LimitRange defaults for a container without resources, a larger init container wins', () => {
    const [group] = demand({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        template: {
          spec: {
            initContainers: [{ name: 'migrate', resources: { requests: { cpu: '2', memory: '64Mi' }, limits: { cpu: '2', memory: '64Mi' } } }],
            containers: [{ name: 'app', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } } }, { name: 'sidecar' }],
          },
        },
      },
    });
    expect(group.source).toBe('Deployment web');
    expect(group.replicas).toBe(2);
    // CPU: the init container's 2 cores beat 250m + 100m; memory: 256Mi + 128Mi beat 64Mi.
    expect(group.requests).toEqual({ cpu: 2, memory: 384 * Mi });
    expect(group.limits).toEqual({ cpu: 2, memory: Gi + 512 * Mi });
  });

  test('a Deployment without replicas runs one pod', () => {
    expect(
      demand({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{}] } } } })[0]
        .replicas,
    ).toBe(1);
  });

  test('a container with a limit and no request is charged the limit as its request', () => {
    const [group] = demand({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'setup' },
      spec: { template: { spec: { containers: [{ resources: { limits: { cpu: '1', memory: '2Gi' } } }] } } },
    });
    expect(group.requests).toEqual({ cpu: 1, memory: 2 * Gi });
  });

  test('a Job runs its parallelism at once', () => {
    const [group] = demand({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'setup' },
      spec: { parallelism: 3, template: { spec: { containers: [{}] } } },
    });
    expect([group.source, group.replicas]).toEqual(['Job setup', 3]);
  });

  test('a StatefulSet claims each volume claim template per pod', () => {
    const [group] = demand({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        replicas: 3,
        template: { spec: { containers: [{ resources: { requests: { cpu: '1', memory: '1Gi' } } }] } },
        volumeClaimTemplates: [{ spec: { resources: { requests: { storage: '10Gi' } } } }, { spec: { resources: { requests: { storage: '5Gi' } } } }],
      },
    });
    expect(group).toEqual({
      source: 'StatefulSet db',
      replicas: 3,
      requests: { cpu: 1, memory: Gi },
      limits: { cpu: 0.5, memory: 512 * Mi },
      claims: 2,
      storage: 15 * Gi,
    });
  });

  test('a CronJob counts one pod of its job template', () => {
    const [group] = demand({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: {
        jobTemplate: { spec: { parallelism: 4, template: { spec: { containers: [{ resources: { requests: { cpu: '300m', memory: '1Gi' } } }] } } } },
      },
    });
    expect([group.source, group.replicas, group.requests]).toEqual(['CronJob nightly', 1, { cpu: 0.3, memory: Gi }]);
  });
});
