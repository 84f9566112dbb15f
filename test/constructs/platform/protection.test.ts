/**
 * Prune protection (constructs/platform/protection.ts), pinned to the annotations Flux and
 * Argo CD actually read. Other tests write the same literals out rather than importing the
 * constant, so a changed key or value fails them instead of changing what they expect.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { isPruneProtected, PRUNE_PROTECTION_ANNOTATIONS, protectFromPrune } from '../../../constructs/platform/protection';

// Flux kustomize-controller skips objects carrying this when it prunes.
const FLUX = { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' };
// Argo CD sync options: not pruned when removed from git, not deleted with the Application.
const ARGO_CD = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };

const object = (annotations?: Record<string, string>) => {
  const chart = new Chart(Testing.app(), 'test');
  return new ApiObject(chart, 'Claim', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', annotations } });
};

describe('prune protection', () => {
  test('the annotations are exactly the ones Flux and Argo CD read', () => {
    expect(PRUNE_PROTECTION_ANNOTATIONS).toEqual({ ...FLUX, ...ARGO_CD });
  });

  test("protectFromPrune sets both engines' annotations and keeps the object's others", () => {
    const obj = object({ 'example.com/owner': 'team-data' });
    protectFromPrune(obj);
    expect(obj.toJson().metadata.annotations).toEqual({
      'example.com/owner': 'team-data',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
    });
  });

  test('isPruneProtected reads the Flux annotation', () => {
    expect(isPruneProtected({ metadata: { annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } } })).toBe(true);
    expect(isPruneProtected({ metadata: { annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'enabled' } } })).toBe(false);
    expect(isPruneProtected({ metadata: { annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' } } })).toBe(false);
    expect(isPruneProtected({ metadata: {} })).toBe(false);
    expect(isPruneProtected({})).toBe(false);
    const obj = object();
    protectFromPrune(obj);
    expect(isPruneProtected(obj.toJson())).toBe(true);
  });
});
