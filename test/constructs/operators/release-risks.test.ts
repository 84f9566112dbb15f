/** Review rule for operator releases: chart upgrades across a breaking version. */
import { breakingPart, RELEASE_RISKS } from '../../../constructs/operators/release-risks';

const helmRelease = (version: string) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'op', namespace: 'op' },
  spec: { chart: { spec: { version } } },
});
const application = (targetRevision: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'op', namespace: 'argocd' },
  spec: { source: { targetRevision } },
});
const check = (kind: string) => RELEASE_RISKS.find((r) => r.kind === kind)!.check;

test('breaking part: the major version, or the minor one of a 0.x chart', () => {
  expect(breakingPart('1.4.2')).toBe('1');
  expect(breakingPart('v2.0.0')).toBe('2');
  expect(breakingPart('0.29.0')).toBe('0.29');
  expect(breakingPart('main')).toBeUndefined();
});

test('a major upgrade (Flux or Argo CD) is flagged; a patch or minor one is not', () => {
  expect(check('HelmRelease')(helmRelease('0.29.0'), helmRelease('0.30.0'))[0].message).toMatch(
    /from 0\.29\.0 to 0\.30\.0, across a breaking version/,
  );
  expect(check('Application')(application('1.18.2'), application('2.0.0'))).toHaveLength(1);
  expect(check('HelmRelease')(helmRelease('0.29.0'), helmRelease('0.29.1'))).toEqual([]);
  expect(check('Application')(application('1.18.2'), application('1.19.0'))).toEqual([]);
  expect(check('HelmRelease')(undefined, helmRelease('1.0.0'))).toEqual([]);
});
