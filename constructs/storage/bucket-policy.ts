/**
 * The IAM policy a MinIO user gets for the buckets it was granted: S3 actions on those
 * buckets (`arn:aws:s3:::bucket`) and their objects (`arn:aws:s3:::bucket/*`), nothing on
 * any other bucket and no admin actions. MinIO evaluates these like AWS IAM policies.
 */

/** What a grant allows on one bucket. */
export type BucketAccessLevel = 'read' | 'read-write';

/** One bucket of a user's policy. */
export interface BucketGrant {
  readonly bucket: string;
  readonly access: BucketAccessLevel;
  /**
   * Key prefixes (ending in `/`) a `read` grant may also write, never delete: where a
   * reader records what it did (Velero writes restore logs and results under `restores/`).
   * @default none
   */
  readonly writablePrefixes?: readonly string[];
}

/**
 * Listing and locating the bucket. HEAD bucket, which every client here calls to check the
 * bucket exists, is authorised by `s3:ListBucket` in MinIO.
 */
export const READ_BUCKET_ACTIONS = ['s3:GetBucketLocation', 's3:ListBucket'] as const;
export const READ_OBJECT_ACTIONS = ['s3:GetObject'] as const;
/** Multipart uploads: barman-cloud, WAL-G, Velero and OpenSearch split large files. */
export const WRITE_BUCKET_ACTIONS = ['s3:ListBucketMultipartUploads'] as const;
export const WRITE_OBJECT_ACTIONS = ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:PutObject'] as const;
/** Retention (barman-cloud, WAL-G, Velero's garbage collection, OpenSearch snapshot deletion). */
export const DELETE_OBJECT_ACTIONS = ['s3:DeleteObject'] as const;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

const PREFIX = /^[A-Za-z0-9._-]+\/([A-Za-z0-9._-]+\/)*$/;

/** Throws unless `prefix` is a key prefix a policy can name: path segments ending in `/`. */
export function assertWritablePrefix(bucket: string, prefix: string): void {
  if (!PREFIX.test(prefix)) {
    throw new Error(`bucket ${bucket}: writable prefix "${prefix}" must be path segments ending in "/", e.g. "restores/"`);
  }
}

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;

/**
 * The policy document of a set of grants. A bucket granted both ways is read-write; the
 * statements and their resources come out sorted, so equal grants give equal documents.
 */
export function bucketPolicy(grants: readonly BucketGrant[]): PolicyDocument {
  if (grants.length === 0) throw new Error('bucketPolicy: no grants; a policy without a bucket would allow nothing');
  const readWrite = new Set<string>();
  const read = new Set<string>();
  const writable = new Set<string>();
  for (const grant of grants) {
    for (const prefix of grant.writablePrefixes ?? []) {
      assertWritablePrefix(grant.bucket, prefix);
      writable.add(`${bucketArn(grant.bucket)}/${prefix}*`);
    }
    (grant.access === 'read-write' ? readWrite : read).add(grant.bucket);
  }
  for (const bucket of readWrite) read.delete(bucket);
  // Prefixes of a bucket granted read-write are covered already.
  for (const bucket of readWrite) for (const arn of [...writable]) if (arn.startsWith(`${bucketArn(bucket)}/`)) writable.delete(arn);

  const sorted = (set: Set<string>) => [...set].sort();
  const statements: PolicyStatement[] = [];
  const allow = (Sid: string, Action: readonly string[], Resource: readonly string[]) => {
    if (Resource.length) statements.push({ Sid, Effect: 'Allow', Action: [...Action].sort(), Resource });
  };
  allow('ReadWriteBuckets', [...READ_BUCKET_ACTIONS, ...WRITE_BUCKET_ACTIONS], sorted(readWrite).map(bucketArn));
  allow(
    'ReadWriteObjects',
    [...READ_OBJECT_ACTIONS, ...WRITE_OBJECT_ACTIONS, ...DELETE_OBJECT_ACTIONS],
    sorted(readWrite).map((b) => `${bucketArn(b)}/*`),
  );
  allow('ReadBuckets', READ_BUCKET_ACTIONS, sorted(read).map(bucketArn));
  allow(
    'ReadObjects',
    READ_OBJECT_ACTIONS,
    sorted(read).map((b) => `${bucketArn(b)}/*`),
  );
  allow('WritePrefixes', WRITE_OBJECT_ACTIONS, sorted(writable));
  return { Version: '2012-10-17', Statement: statements };
}

/** What a policy no longer granted is overwritten with: it denies every S3 action. */
export const DENY_ALL_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Revoked', Effect: 'Deny', Action: ['s3:*'], Resource: ['arn:aws:s3:::*'] }],
};
