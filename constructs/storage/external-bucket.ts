import { Construct } from 'constructs';
import { BucketAccess, GrantOptions, granteeS3Credentials, IBucket, S3_BUCKET_NAME } from './bucket';
import { externalEndpointProblem } from './external-endpoint';
import type { IGrantee } from '../core/grantee';
import type { SecretBackend } from '../core/secret-backend';
import { allowEgressToAddresses } from '../platform/network';
import { SecretReference } from '../secrets/secret-reference';

export interface ExternalBucketProps {
  /** The S3 endpoint, e.g. `https://s3.eu-central-1.amazonaws.com` or a provider's. */
  readonly endpoint: string;
  readonly bucket: string;
  /** The region the client signs for. @default 'us-east-1' */
  readonly region?: string;
  readonly secretBackend: SecretBackend;
  /**
   * Secret-store key of the credential for this bucket (properties `accessKey` and
   * `secretKey`); every grantee reads it into its own namespace.
   */
  readonly credentialsRemoteKey: string;
  /**
   * Secret-store key (property `ca.crt`) of the CA that signs the endpoint's certificate, for a
   * provider with a private CA. @default none: the system's roots are trusted
   */
  readonly caRemoteKey?: string;
  /**
   * Addresses the consumers may reach the endpoint at (CIDR blocks). A NetworkPolicy cannot
   * name a host, so without them the path is open to any address on the endpoint's port.
   * @default ['0.0.0.0/0']
   */
  readonly endpointCidrs?: readonly string[];
}

/**
 * A bucket in S3 outside the cluster (a cloud provider's, or a storage box's), for backups
 * where the region runs no MinIO: the same `grantReadWrite(grantee)` as a MinIO bucket,
 * giving each grantee the bucket's credential from the secret store in its own namespace, the
 * CA where the provider has a private one, and egress to the endpoint. Nothing is created in
 * the provider: the bucket and its credential exist already (README, section Backups).
 */
export class ExternalBucket extends Construct implements IBucket {
  public readonly bucketName: string;
  public readonly endpoint: string;
  public readonly region: string;
  public readonly privateCa: boolean;
  private readonly props: ExternalBucketProps;
  private readonly port: number;

  constructor(scope: Construct, id: string, props: ExternalBucketProps) {
    super(scope, id);
    const problem = externalEndpointProblem(props.endpoint);
    if (problem) throw new Error(`external bucket ${props.bucket}: endpoint "${props.endpoint}" ${problem.message}; ${problem.fix}`);
    const url = new URL(props.endpoint);
    if (!S3_BUCKET_NAME.test(props.bucket)) throw new Error(`external bucket "${props.bucket}" is not a valid S3 bucket name`);
    this.props = props;
    this.bucketName = props.bucket;
    this.endpoint = props.endpoint;
    this.region = props.region ?? 'us-east-1';
    this.privateCa = props.caRemoteKey !== undefined;
    this.port = url.port ? Number(url.port) : 443;
  }

  public grantReadWrite(grantee: IGrantee, options: GrantOptions = {}): BucketAccess {
    const consumer = grantee.grantScope;
    const namespace = grantee.granteePods.namespace;
    const credentials = granteeS3Credentials(grantee, this.bucketName, this.props.secretBackend, this.props.credentialsRemoteKey, options);
    const caId = `S3Ca-${this.bucketName}-${namespace}`;
    const ca =
      this.props.caRemoteKey === undefined
        ? undefined
        : ((consumer.node.tryFindChild(caId) as SecretReference | undefined) ??
          new SecretReference(consumer, caId, {
            backend: this.props.secretBackend,
            namespace,
            name: `${this.bucketName}-s3-ca`,
            remoteKey: this.props.caRemoteKey,
            keys: { 'ca.crt': 'ca.crt' },
          }));
    const policyId = `AllowS3-${this.bucketName}-${namespace}-${grantee.granteeName}`;
    if (!consumer.node.tryFindChild(policyId)) {
      allowEgressToAddresses(consumer, policyId, {
        name: `allow-${grantee.granteeName}-to-s3-${this.bucketName}`,
        from: grantee.granteePods,
        cidrs: this.props.endpointCidrs ?? ['0.0.0.0/0'],
        ports: [this.port],
      });
    }
    return {
      bucket: this.bucketName,
      endpoint: this.endpoint,
      region: this.region,
      credentials,
      ...(ca ? { ca: ca.selector('ca.crt') } : {}),
    };
  }
}
