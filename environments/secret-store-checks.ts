/**
 * A region's `secrets.store`, beyond its schema: Strata renders it as a ClusterSecretStore,
 * so the references must name that kind, and its URL must carry a host a pod can reach.
 */
import type { Problem } from './problems';

export function secretStoreProblems(file: string, data: { secrets?: { kind?: unknown; storeKind?: unknown; store?: unknown } }): Problem[] {
  const secrets = data.secrets;
  if (!secrets || secrets.kind !== 'external-secrets' || secrets.store === undefined) return [];
  const problems: Problem[] = [];
  const storeKind = secrets.storeKind ?? 'ClusterSecretStore';
  if (storeKind !== 'ClusterSecretStore') {
    problems.push({
      file,
      path: 'secrets.storeKind',
      value: storeKind,
      message: 'secrets.store renders the store as a ClusterSecretStore, but the ExternalSecrets would reference a namespaced SecretStore',
      fix: 'set secrets.storeKind: ClusterSecretStore, or remove secrets.store and create the SecretStores yourself',
    });
  }
  const store = secrets.store as { vault?: { server?: unknown }; onepassword?: { connectHost?: unknown }; azure?: { vaultUrl?: unknown } };
  const [fieldPath, url] = store.vault
    ? ['secrets.store.vault.server', store.vault.server]
    : store.azure
      ? ['secrets.store.azure.vaultUrl', store.azure.vaultUrl]
      : ['secrets.store.onepassword.connectHost', store.onepassword?.connectHost];
  if (typeof url === 'string') {
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      host = '';
    }
    if (!host) {
      problems.push({ file, path: fieldPath, value: url, message: 'is not a URL with a host', fix: 'write it as https://vault.example.org:8200' });
    }
  }
  return problems;
}
