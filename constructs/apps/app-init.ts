/**
 * Work an application needs done before it starts (a database's parser set up, a schema
 * seeded): a Job that runs once per content change, its name suffixed by a hash of what it
 * runs, in the init layer, which the apps layer waits for (Flux: the init Kustomization's
 * `wait` until the Job completes; Argo CD: the init Application's earlier sync wave, healthy
 * when the Job has completed). It is a grantee of its own, so a database grant gives it the
 * same variables as the app and a network path of its own.
 */
import { createHash } from 'crypto';
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { ComputeResources } from '../core/compute';
import type { IGrantee, PodGroup } from '../core/grantee';
import type { DatabaseAccess } from '../data/postgres-cluster';
import { DEFAULT_NON_ROOT_UID, hardenedContainer, restrictedPodSecurityContext } from '../platform/hardening';
import { componentLabels } from '../platform/labels';
import { addSetupJob } from '../platform/setup-job';

export interface AppInitProps {
  /** The application it prepares (names the Job `<app>-init-<hash>`). */
  readonly app: string;
  readonly namespace: string;
  /** @default the app's image */
  readonly image: string;
  readonly command: readonly string[];
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** @default 100m / 128Mi requested, 500m / 256Mi limit */
  readonly resources?: ComputeResources;
  /** @default DEFAULT_NON_ROOT_UID */
  readonly runAsUser?: number;
}

export class AppInit extends Construct implements IGrantee {
  public readonly jobName: string;
  public readonly pods: PodGroup;
  private readonly env: k8s.EnvVar[] = [];
  /** What grants give, first: literal values may refer to them as $(PGHOST), which Kubernetes expands. */
  private readonly grantEnv: k8s.EnvVar[] = [];

  constructor(scope: Construct, id: string, props: AppInitProps) {
    super(scope, id);
    if (props.command.length === 0) throw new Error(`init of ${props.app}: command is empty; give the command the Job runs`);
    const literal = Object.entries(props.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, value] of literal) this.env.push({ name, value });
    const hash = createHash('sha256')
      .update(JSON.stringify({ image: props.image, command: props.command, args: props.args ?? [], env: literal }))
      .digest('hex')
      .slice(0, 8);
    this.jobName = `${props.app}-init-${hash}`;
    if (this.jobName.length > 63) {
      throw new Error(`init of ${props.app}: the Job name ${this.jobName} is longer than 63 characters; shorten the app's name`);
    }
    const podLabels = { 'app.kubernetes.io/name': `${props.app}-init`, 'app.kubernetes.io/instance': props.app };
    this.pods = { namespace: props.namespace, podLabels };
    addSetupJob(this, 'Job', {
      name: this.jobName,
      namespace: props.namespace,
      labels: componentLabels(`${props.app}-init`, props.app, 'init'),
      podLabels,
      securityContext: restrictedPodSecurityContext({ runAsUser: props.runAsUser ?? DEFAULT_NON_ROOT_UID }),
      containers: [
        {
          ...hardenedContainer({
            name: 'init',
            image: props.image,
            resources: props.resources ?? { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
            command: [...props.command],
            ...(props.args ? { args: [...props.args] } : {}),
          }),
          env: Lazy.any({
            produce: () => (this.env.length + this.grantEnv.length ? [...this.grantEnv, ...this.env] : undefined),
          }) as unknown as k8s.EnvVar[],
        },
      ],
      volumes: [],
      // A day: a finished Job is kept for inspection, then GitOps re-creates it (the work is idempotent).
      ttlSecondsAfterFinished: 86_400,
    });
  }

  public get granteeName(): string {
    return `${this.pods.podLabels['app.kubernetes.io/name']}`;
  }

  public get granteePods(): PodGroup {
    return this.pods;
  }

  public get grantScope(): Construct {
    return this;
  }

  /** The same variables as Application.useDatabase. */
  public useDatabase(access: DatabaseAccess): void {
    const secret = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: access.credentials.name, key } } });
    this.grantEnv.push(
      { name: 'PGHOST', value: access.host },
      { name: 'PGPORT', value: String(access.port) },
      { name: 'PGDATABASE', value: access.database },
      { name: 'PGSSLMODE', value: 'require' },
      secret('PGUSER', 'username'),
      secret('PGPASSWORD', 'password'),
    );
  }
}
