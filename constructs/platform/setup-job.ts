import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export interface SetupJobProps {
  /** `<component>-<task>-<hash of the Job's inputs>`: a new name for new content. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
  /** The pod's security context (restricted: see platform/hardening). */
  readonly securityContext: k8s.PodSecurityContext;
  readonly containers: k8s.Container[];
  readonly volumes: k8s.Volume[];
  /** How long a finished Job stays; GitOps re-creates it afterwards, which runs it again. */
  readonly ttlSecondsAfterFinished: number;
  /** @default 3600: enough for the script's own waits and a few retries */
  readonly activeDeadlineSeconds?: number;
}

/**
 * A run-to-completion set-up Job, the shape every Strata Job shares: idempotent script,
 * retried a few times, no service-account token, never restarted in place. Jobs are
 * immutable, so the name carries a hash of the content and Argo CD and Flux replace rather
 * than patch it when it differs.
 */
export function addSetupJob(scope: Construct, id: string, props: SetupJobProps): k8s.KubeJob {
  return new k8s.KubeJob(scope, id, {
    metadata: {
      name: props.name,
      namespace: props.namespace,
      labels: { ...props.labels },
      annotations: {
        'argocd.argoproj.io/sync-options': 'Replace=true',
        'kustomize.toolkit.fluxcd.io/force': 'enabled',
      },
    },
    spec: {
      backoffLimit: 4,
      activeDeadlineSeconds: props.activeDeadlineSeconds ?? 3600,
      ttlSecondsAfterFinished: props.ttlSecondsAfterFinished,
      template: {
        metadata: { name: props.name, labels: { ...props.podLabels } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: props.securityContext,
          containers: props.containers,
          volumes: props.volumes,
        },
      },
    },
  });
}
