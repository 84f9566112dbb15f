import { createHash } from 'crypto';
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IGrantee } from '../core/grantee';
import { hardenedContainer, restrictedPodSecurityContext } from '../platform/hardening';
import { componentLabels } from '../platform/labels';
import { shortName } from '../platform/names';
import { allowTraffic, PodGroup } from '../platform/network';
import { compareStrings } from '../platform/ordering';
import { IMAGES } from '../versions';
import { BucketGrant, bucketPolicy, DENY_ALL_POLICY, PolicyDocument } from './bucket-policy';
import { MINIO_ACCESS_SETUP_SCRIPT } from './minio-access-setup-script';
import type { ComputeResources } from '../core/compute';
import { addSetupJob } from '../platform/setup-job';

/** Policies the set-up Job owns (and revokes when no longer granted) start with this. */
export const POLICY_PREFIX = 'strata-';

/** One MinIO user of a tenant and the buckets it may use. */
export interface MinioAccessUser {
  /** The user's policy, `strata-<consumer>`; also its file and folder name in the Job. */
  readonly policy: string;
  /** Secret in the tenant's namespace with `CONSOLE_ACCESS_KEY` and `CONSOLE_SECRET_KEY`. */
  readonly secretName: string;
  readonly grants: readonly BucketGrant[];
}

export interface MinioAccessSetupProps {
  readonly tenantName: string;
  readonly namespace: string;
  /** The tenant's in-cluster S3 endpoint. */
  readonly endpoint: string;
  /** The tenant's server pods and S3 port, for the network policy. */
  readonly tenantPods: PodGroup;
  readonly s3Port: number;
  /** Secret holding the tenant's `config.env` (root credentials). */
  readonly rootConfigSecret: string;
  /** `{ name, key }` of the CA that signs the tenant's certificate, in its namespace. */
  readonly ca: { readonly name: string; readonly key: string };
  /** The users, read when the objects are rendered: grants arrive after construction. */
  readonly users: () => readonly MinioAccessUser[];
  /** @default IMAGES.minioClient */
  readonly image?: string;
  /** @default 50m CPU and 64Mi memory requested, 200m CPU and 128Mi memory limit */
  readonly resources?: ComputeResources;
  /**
   * How long a finished Job is kept. GitOps re-creates a deleted Job, so this is also how
   * often users and policies are re-asserted, and how soon a secret key rotated in the
   * secret store reaches MinIO.
   * @default 3600 (an hour)
   */
  readonly ttlSecondsAfterFinished?: number;
}

const POLICY_DIR = '/etc/strata/policies';
const USER_DIR = '/etc/strata/users';
const ROOT_DIR = '/etc/strata/root';
const WORK_DIR = '/tmp';
/** mc trusts the CAs in `<config dir>/certs/CAs/`. */
const MC_CONFIG_DIR = `${WORK_DIR}/mc`;
const REVOKED_FILE = 'revoked.json';

interface Plan {
  readonly users: readonly MinioAccessUser[];
  readonly data: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly hash: string;
}

/**
 * Per-consumer MinIO users with least-privilege policies, set by a hardened Job in the
 * tenant's namespace, instead of the operator's `spec.users` (which gives every user
 * `consoleAdmin`, once, at tenant creation). The Job logs in with the tenant's root
 * credentials, creates each user from its secret, writes its policy (S3 actions on exactly
 * the granted buckets) from a ConfigMap, attaches it and detaches everything else.
 *
 * The Job's name carries a hash of everything its run depends on that is in git (script,
 * policies, users, image, resources), so a change yields a new Job (Jobs are immutable)
 * that Flux and Argo CD run; both engines replace rather than patch it. Secret values are
 * not in git: a rotated key reaches MinIO when the Job runs again (`ttlSecondsAfterFinished`).
 */
export class MinioAccessSetup extends Construct implements IGrantee {
  /** The Job's pods, for network policies. */
  public readonly jobPods: PodGroup;
  /** IGrantee: the Job under `<tenant>-access-setup`, its pods, and itself as the owner of what it is given. */
  public readonly granteeName: string;
  /** The ConfigMap holding one policy document per user. */
  public readonly configMapName: string;
  private readonly props: MinioAccessSetupProps;
  private readonly image: string;
  private readonly resources: ComputeResources;
  private readonly ttlSecondsAfterFinished: number;

  public get granteePods(): PodGroup {
    return this.jobPods;
  }

  public get grantScope(): Construct {
    return this;
  }

  constructor(scope: Construct, id: string, props: MinioAccessSetupProps) {
    super(scope, id);
    this.props = props;
    this.image = props.image ?? IMAGES.minioClient;
    this.resources = props.resources ?? { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
    this.ttlSecondsAfterFinished = props.ttlSecondsAfterFinished ?? 3600;
    this.configMapName = `${props.tenantName}-access-policies`;
    const podLabels = { 'app.kubernetes.io/name': 'minio-access-setup', 'app.kubernetes.io/instance': props.tenantName };
    this.jobPods = { namespace: props.namespace, podLabels };
    this.granteeName = `${props.tenantName}-access-setup`;
    const labels = componentLabels('minio-access-setup', props.tenantName, 'access-setup');

    new k8s.KubeConfigMap(this, 'Policies', {
      metadata: { name: this.configMapName, namespace: props.namespace, labels },
      data: Lazy.any({ produce: () => this.plan().data }) as unknown as Record<string, string>,
    });

    // Known only when every grant is in: the name follows the content.
    const jobName = Lazy.any({ produce: () => this.jobName }) as unknown as string;
    addSetupJob(this, 'Job', {
      name: jobName,
      namespace: props.namespace,
      labels,
      podLabels,
      ttlSecondsAfterFinished: this.ttlSecondsAfterFinished,
      securityContext: restrictedPodSecurityContext(),
      containers: [
        hardenedContainer({
          name: 'setup',
          image: this.image,
          command: ['/bin/sh', '-c', MINIO_ACCESS_SETUP_SCRIPT],
          env: Lazy.any({ produce: () => Object.entries(this.plan().env).map(([name, value]) => ({ name, value })) }) as unknown as k8s.EnvVar[],
          resources: this.resources,
          volumeMounts: [
            { name: 'work', mountPath: WORK_DIR },
            { name: 'ca', mountPath: `${MC_CONFIG_DIR}/certs/CAs`, readOnly: true },
            { name: 'root', mountPath: ROOT_DIR, readOnly: true },
            { name: 'policies', mountPath: POLICY_DIR, readOnly: true },
            { name: 'users', mountPath: USER_DIR, readOnly: true },
          ],
        }),
      ],
      volumes: [
        { name: 'work', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } },
        { name: 'ca', secret: { secretName: props.ca.name, items: [{ key: props.ca.key, path: 'ca.crt' }] } },
        { name: 'root', secret: { secretName: props.rootConfigSecret, items: [{ key: 'config.env', path: 'config.env' }] } },
        { name: 'policies', configMap: { name: this.configMapName } },
        {
          name: 'users',
          projected: {
            sources: Lazy.any({
              produce: () =>
                this.plan().users.map((u) => ({
                  secret: {
                    name: u.secretName,
                    items: [
                      { key: 'CONSOLE_ACCESS_KEY', path: `${u.policy}/accessKey` },
                      { key: 'CONSOLE_SECRET_KEY', path: `${u.policy}/secretKey` },
                    ],
                  },
                })),
            }) as unknown as k8s.VolumeProjection[],
          },
        },
      ],
    });

    allowTraffic(this, 'AllowJob', {
      name: `allow-${props.tenantName}-access-setup`,
      from: this.jobPods,
      to: props.tenantPods,
      ports: [props.s3Port],
    });
  }

  /** The Job's name: `<tenant>-access-setup-<hash of its inputs>`. Final once every grant is made. */
  public get jobName(): string {
    // The job-name label of its pods holds at most 63 characters.
    return shortName(`${this.props.tenantName}-access-setup-${this.plan().hash}`);
  }

  /** Policy document of each user, by policy name. Final once every grant is made. */
  public policies(): Record<string, PolicyDocument> {
    return Object.fromEntries(this.plan().users.map((u) => [u.policy, bucketPolicy(u.grants)]));
  }

  private plan(): Plan {
    const users = [...this.props.users()].sort((a, b) => compareStrings(a.policy, b.policy));
    const json = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;
    const data: Record<string, string> = { [REVOKED_FILE]: json(DENY_ALL_POLICY) };
    for (const user of users) data[`${user.policy}.json`] = json(bucketPolicy(user.grants));
    const env: Record<string, string> = {
      MINIO_URL: this.props.endpoint,
      MC_CONFIG_DIR,
      ROOT_CONFIG: `${ROOT_DIR}/config.env`,
      POLICY_DIR,
      USER_DIR,
      POLICIES: users.map((u) => u.policy).join(' '),
      POLICY_PREFIX,
      REVOKED_POLICY: `${POLICY_DIR}/${REVOKED_FILE}`,
      WORK_DIR,
      ATTEMPTS: '90',
      INTERVAL: '10',
    };
    // Everything the Job's run depends on that git holds: a change of any of it is a new Job.
    const hash = createHash('sha256')
      .update(
        JSON.stringify({
          script: MINIO_ACCESS_SETUP_SCRIPT,
          data,
          env,
          secrets: users.map((u) => u.secretName),
          image: this.image,
          resources: this.resources,
          ttl: this.ttlSecondsAfterFinished,
          ca: this.props.ca,
          root: this.props.rootConfigSecret,
        }),
      )
      .digest('hex')
      .slice(0, 10);
    return { users, data, env, hash };
  }
}
