/**
 * A bucket, wherever it lives (a MinIO tenant of the region, or S3 outside the cluster): what
 * a backup consumer is given for it. Grants take the grantee and nothing else, and return
 * what the consumer needs, so no consumer types a hostname, a region or a secret name.
 */
import type { IGrantee } from '../core/grantee';
import type { SecretBackend } from '../core/secret-backend';
import { SecretReference } from '../secrets/secret-reference';

/** An S3 bucket name: 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit. */
export const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** What a consumer needs to use a bucket: no hostnames or secret names to type. */
export interface BucketAccess {
  readonly bucket: string;
  /** The S3 endpoint URL. */
  readonly endpoint: string;
  /** The region the S3 client signs for; absent for MinIO, which ignores it (consumers keep their own placeholder). */
  readonly region?: string;
  /**
   * Secret in the consumer's namespace: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, or
   * `cloud` (an AWS shared credentials file) when granted with `credentialsFormat: 'aws-credentials-file'`.
   */
  readonly credentials: SecretReference;
  /**
   * `{ name, key }` of the CA bundle that signs the endpoint's certificate, in the consumer's
   * namespace; absent where a public CA does (the system's roots are trusted).
   */
  readonly ca?: { readonly name: string; readonly key: string };
}

/** How a consumer's credential Secret is laid out. */
export type S3CredentialsFormat = 'env' | 'aws-credentials-file';

export interface GrantOptions {
  /**
   * `env`: keys `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`; `aws-credentials-file`: one
   * key `cloud` holding an AWS shared credentials file (`[default]` profile), as Velero's AWS
   * plugin reads it.
   * @default 'env'
   */
  readonly credentialsFormat?: S3CredentialsFormat;
  /** Non-secret values added to the consumer's credential Secret (e.g. `AWS_CA_BUNDLE`). @default none */
  readonly literals?: Readonly<Record<string, string>>;
}

/** An AWS shared credentials file (ExternalSecret template over `accessKey` and `secretKey`). */
export const AWS_CREDENTIALS_FILE = '[default]\naws_access_key_id={{ .accessKey }}\naws_secret_access_key={{ .secretKey }}\n';

export interface IBucket {
  readonly bucketName: string;
  /** Consumers must trust a CA of the bucket's own (grants then return it as `BucketAccess.ca`). */
  readonly privateCa: boolean;
  /**
   * Gives a grantee read, write and delete on the bucket's objects: a credential in its own
   * namespace, the CA to trust where one is needed, and the network path from its pods.
   */
  grantReadWrite(grantee: IGrantee, options?: GrantOptions): BucketAccess;
}

/**
 * A grantee's credential for a store of buckets (`store`: a MinIO tenant, an external bucket):
 * the Secret `<grantee>-s3-credentials` in its namespace, read from `remoteKey` (properties
 * `accessKey` and `secretKey`) in the layout the grant asks for; once per grantee, store and
 * layout.
 */
export function granteeS3Credentials(
  grantee: IGrantee,
  store: string,
  backend: SecretBackend,
  remoteKey: string,
  options: GrantOptions,
): SecretReference {
  const consumer = grantee.grantScope;
  const namespace = grantee.granteePods.namespace;
  const format = options.credentialsFormat ?? 'env';
  const id = `S3Credentials-${store}-${namespace}-${grantee.granteeName}-${format}`;
  return (
    (consumer.node.tryFindChild(id) as SecretReference | undefined) ??
    new SecretReference(consumer, id, {
      backend,
      namespace,
      name: `${grantee.granteeName}-s3-credentials`,
      remoteKey,
      ...(format === 'aws-credentials-file'
        ? { keys: { accessKey: 'accessKey', secretKey: 'secretKey' }, template: { cloud: AWS_CREDENTIALS_FILE } }
        : { keys: { AWS_ACCESS_KEY_ID: 'accessKey', AWS_SECRET_ACCESS_KEY: 'secretKey' } }),
      ...(options.literals ? { literals: options.literals } : {}),
    })
  );
}
