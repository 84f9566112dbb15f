import { containerShape, NO_VOLUMES, podDemand, podSpecShape, sumShapes, volumes } from '../../../constructs/platform/pod-demand';
import { Gi, LIMIT_RANGE, Mi } from '../../support/pod-demand';

describe('containerShape', () => {
  test('a container without resources gets the LimitRange defaults', () => {
    expect(containerShape(undefined, LIMIT_RANGE)).toEqual({ requests: { cpu: 0.1, memory: 128 * Mi }, limits: { cpu: 0.5, memory: 512 * Mi } });
  });

  test('a container with a limit and no request is charged the limit as its request', () => {
    expect(containerShape({ limits: { cpu: '1', memory: '2Gi' } }, LIMIT_RANGE)).toEqual({
      requests: { cpu: 1, memory: 2 * Gi },
      limits: { cpu: 1, memory: 2 * Gi },
    });
  });

  test('a request without a limit keeps the request and gets the default limit', () => {
    expect(containerShape({ requests: { cpu: '250m', memory: '256Mi' } }, LIMIT_RANGE)).toEqual({
      requests: { cpu: 0.25, memory: 256 * Mi },
      limits: { cpu: 0.5, memory: 512 * Mi },
    });
  });
});

describe('podSpecShape', () => {
  test('containers summed, LimitRange defaults for a container without resources, a larger init container wins', () => {
    const shape = podSpecShape(
      {
        initContainers: [{ name: 'migrate', resources: { requests: { cpu: '2', memory: '64Mi' }, limits: { cpu: '2', memory: '64Mi' } } }],
        containers: [{ name: 'app', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } } }, { name: 'sidecar' }],
      },
      LIMIT_RANGE,
    );
    // CPU: the init container's 2 cores beat 250m + 100m; memory: 256Mi + 128Mi beat 64Mi.
    expect(shape.requests).toEqual({ cpu: 2, memory: 384 * Mi });
    expect(shape.limits).toEqual({ cpu: 2, memory: Gi + 512 * Mi });
  });

  test('a pod spec without containers asks for nothing', () => {
    expect(podSpecShape({}, LIMIT_RANGE)).toEqual({ requests: { cpu: 0, memory: 0 }, limits: { cpu: 0, memory: 0 } });
  });
});

describe('sumShapes, volumes and podDemand', () => {
  test('sumShapes adds requests and limits side by side', () => {
    const a = { requests: { cpu: 1, memory: Gi }, limits: { cpu: 2, memory: 2 * Gi } };
    const b = { requests: { cpu: 0.5, memory: Mi }, limits: { cpu: 0.5, memory: Mi } };
    expect(sumShapes([a, b])).toEqual({ requests: { cpu: 1.5, memory: Gi + Mi }, limits: { cpu: 2.5, memory: 2 * Gi + Mi } });
    expect(sumShapes([])).toEqual({ requests: { cpu: 0, memory: 0 }, limits: { cpu: 0, memory: 0 } });
  });

  test('volumes: one claim per size, a missing size claims no bytes', () => {
    expect(volumes(['100Gi', '50Gi'])).toEqual({ claims: 2, storage: 150 * Gi });
    expect(volumes([undefined])).toEqual({ claims: 1, storage: 0 });
    expect(volumes([])).toEqual(NO_VOLUMES);
  });

  test('podDemand: no volumes unless given', () => {
    const shape = containerShape(undefined, LIMIT_RANGE);
    expect(podDemand('Job setup', 1, shape)).toEqual({ source: 'Job setup', replicas: 1, ...shape, claims: 0, storage: 0 });
    expect(podDemand('x', 2, shape, volumes(['1Gi']))).toMatchObject({ replicas: 2, claims: 1, storage: Gi });
  });
});
