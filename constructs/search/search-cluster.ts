import type { IConstruct } from 'constructs';
import type { IGrantee } from '../core/grantee';
import type { PodGroup } from '../platform/network';
import type { SecretReference } from '../secrets/secret-reference';

/** What a writer to OpenSearch gets from `grantIndexWrite`: no hostname or secret name to type. */
export interface IndexWriteAccess {
  /** The REST endpoint (HTTPS). */
  readonly endpoint: string;
  /** Secret in the consumer's namespace with `username` and `password` (type basic-auth). */
  readonly credentials: SecretReference;
  /** `{ name, key }` of the CA bundle that signs the endpoint's certificate, in the consumer's namespace. */
  readonly ca: { readonly name: string; readonly key: string };
}

export interface IndexTemplateOptions {
  /** Index names or wildcard patterns the template applies to. */
  readonly indexPatterns: readonly string[];
  /** Index mappings (`{ properties: {...} }`). */
  readonly mappings: Readonly<Record<string, unknown>>;
  /**
   * Index settings, merged over the cluster's defaults.
   * @default one replica where the cluster has a second data node, none otherwise
   */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Template priority; the highest matching template wins. @default 100 */
  readonly priority?: number;
}

/**
 * What applications and other constructs see of an OpenSearch cluster, whichever way it
 * runs: its endpoint, the CA to trust, the server pods (for network policies), index
 * templates and write grants.
 */
export interface IOpenSearchCluster extends IConstruct {
  readonly clusterName: string;
  readonly namespace: string;
  /** REST endpoint, `https://<name>.<namespace>.svc.cluster.local:9200`. */
  readonly endpoint: string;
  /** `{ name, key }` of the CA that signs the REST certificate, in the cluster's namespace. */
  readonly ca: { readonly name: string; readonly key: string };
  /** The pods serving the REST API. */
  readonly serverPods: PodGroup;
  addIndexTemplate(name: string, options: IndexTemplateOptions): void;
  /**
   * Lets the grantee write (index, update, delete documents; create the indices) to indices
   * matching `indexPatterns`: an OpenSearch role, a user named after the grantee with its own
   * password from the secret store, the credential and the CA in the grantee's namespace,
   * and the network path from its pods.
   */
  grantIndexWrite(grantee: IGrantee, indexPatterns: readonly string[]): IndexWriteAccess;
}
