/** Review rule for Namespaces: Pod Security enforcement lowered. */
import { NAMESPACE_RISKS } from '../../../constructs/foundation/namespace-risks';

const check = NAMESPACE_RISKS[0].check;
const ns = (level?: string) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'apps', labels: level ? { 'pod-security.kubernetes.io/enforce': level } : {} },
});

test('restricted to baseline, or the label removed, lowers enforcement', () => {
  expect(check(ns('restricted'), ns('baseline'))[0]).toMatchObject({ before: 'restricted', after: 'baseline' });
  expect(check(ns('baseline'), ns())[0].message).toMatch(/lowered from baseline to privileged/);
});

test('raising or keeping the level, and a new restricted namespace, are not flagged', () => {
  expect(check(ns('baseline'), ns('restricted'))).toEqual([]);
  expect(check(ns('restricted'), ns('restricted'))).toEqual([]);
  expect(check(undefined, ns('restricted'))).toEqual([]);
});

test('a new namespace without enforcement is flagged', () => {
  expect(check(undefined, ns())[0].message).toMatch(/enforces no Pod Security restrictions/);
});
