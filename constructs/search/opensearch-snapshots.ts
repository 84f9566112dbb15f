import { Construct } from 'constructs';
import { OPENSEARCH_HOME, TRUSTSTORE_DIR } from './opensearch-node-pools';
import * as os from '../../imports/opensearch.org';
import type { BucketAccess } from '../storage/minio-tenant';

/** Where a cluster's snapshots go: a MinIO bucket it was granted, registered as `repository`. */
export interface SnapshotTarget {
  readonly access: BucketAccess;
  readonly repository: string;
}

/**
 * What the nodes need for an S3 snapshot repository on MinIO: the repository-s3 plugin, the
 * bucket credential in the keystore, the client settings (opensearch.yml; path-style, since
 * MinIO serves no per-bucket host names), the platform CA for the truststore and the
 * repository itself.
 */
export function snapshotNodeSettings(target: SnapshotTarget, clusterName: string) {
  const url = new URL(target.access.endpoint);
  const ca = target.access.ca;
  // OpenSearchCluster.backupTo takes only buckets with a CA of their own.
  if (!ca) throw new Error(`OpenSearch cluster ${clusterName}: the snapshot bucket ${target.access.bucket} gave no CA to trust`);
  return {
    pluginsList: ['repository-s3'],
    keystore: [
      {
        secret: { name: target.access.credentials.name },
        keyMappings: { AWS_ACCESS_KEY_ID: 's3.client.default.access_key', AWS_SECRET_ACCESS_KEY: 's3.client.default.secret_key' },
      },
    ],
    additionalConfig: {
      's3.client.default.endpoint': url.host,
      's3.client.default.protocol': url.protocol.replace(':', ''),
      's3.client.default.path_style_access': 'true',
      // MinIO ignores the region, but the AWS SDK signs with one.
      's3.client.default.region': 'us-east-1',
    },
    additionalVolumes: [
      {
        name: 'platform-ca',
        path: `${OPENSEARCH_HOME}/config/platform-ca`,
        secret: { secretName: ca.name, items: [{ key: ca.key, path: 'ca.crt' }] },
      },
      { name: 'platform-truststore', path: TRUSTSTORE_DIR, emptyDir: {} },
    ],
    snapshotRepositories: [{ name: target.repository, type: 's3', settings: { bucket: target.access.bucket, base_path: clusterName } }],
  };
}

export interface SnapshotPolicyProps {
  readonly clusterName: string;
  readonly namespace: string;
  readonly target: SnapshotTarget;
  /** Five-field cron, UTC. */
  readonly schedule: string;
  readonly retention: { readonly maxAge: string; readonly minCount: number };
}

/**
 * Snapshot management: a snapshot of every index but the security index on `schedule`, and
 * deletion an hour later of snapshots past `maxAge`, keeping at least `minCount`.
 */
export function addSnapshotPolicy(scope: Construct, id: string, props: SnapshotPolicyProps): void {
  assertCron(`OpenSearch cluster ${props.clusterName} snapshotSchedule`, props.schedule);
  if (!/^[1-9][0-9]*[dh]$/.test(props.retention.maxAge)) {
    throw new Error(`OpenSearch cluster ${props.clusterName}: snapshot retention maxAge "${props.retention.maxAge}" must be days or hours, e.g. 30d`);
  }
  const name = `${props.clusterName}-daily`;
  new os.OpensearchSnapshotPolicy(scope, id, {
    metadata: { name, namespace: props.namespace },
    spec: {
      opensearchCluster: { name: props.clusterName },
      policyName: name,
      description: `Snapshots of ${props.clusterName} into bucket ${props.target.access.bucket}`,
      enabled: true,
      creation: { schedule: { cron: { expression: props.schedule, timezone: 'UTC' } }, timeLimit: '1h' },
      deletion: {
        schedule: { cron: { expression: shiftHour(props.schedule), timezone: 'UTC' } },
        deleteCondition: { maxAge: props.retention.maxAge, minCount: props.retention.minCount },
      },
      snapshotConfig: {
        repository: props.target.repository,
        // The security index comes from the operator's configuration, never from a snapshot.
        indices: '*,-.opendistro_security',
        includeGlobalState: false,
        partial: false,
      },
    },
  });
}

function assertCron(what: string, cron: string): void {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => /^[0-9*/,-]+$/.test(f))) {
    throw new Error(`${what}: "${cron}" is not a five-field cron expression (minute hour day-of-month month day-of-week), e.g. "30 2 * * *"`);
  }
}

/** The same cron one hour later (numeric hours only; anything else runs at the same times). */
export function shiftHour(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (/^\d+$/.test(fields[1])) fields[1] = String((Number(fields[1]) + 1) % 24);
  return fields.join(' ');
}
