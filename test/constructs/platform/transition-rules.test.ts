/** Shared transition helpers: the prune protection every stateful kind keeps. */
import { keepsPruneProtection } from '../../../constructs/platform/transition-rules';

const tenant = (annotations: Record<string, string>) => ({
  apiVersion: 'minio.min.io/v2',
  kind: 'Tenant',
  metadata: { name: 'storage', namespace: 'minio', annotations },
});
const PROTECTED = { 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };

test('losing prune protection is a change the guard refuses', () => {
  expect(keepsPruneProtection(tenant(PROTECTED), tenant({}))).toEqual([
    expect.objectContaining({ field: 'metadata.annotations.kustomize.toolkit.fluxcd.io/prune', before: 'disabled', after: undefined }),
  ]);
});

test('keeping it, or never having had it, is not', () => {
  expect(keepsPruneProtection(tenant(PROTECTED), tenant(PROTECTED))).toEqual([]);
  expect(keepsPruneProtection(tenant({}), tenant({}))).toEqual([]);
  expect(keepsPruneProtection(tenant({}), tenant(PROTECTED))).toEqual([]);
});
