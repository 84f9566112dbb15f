import { k8s } from 'cdk8s-plus-28';
import type { ComputeResources } from '../core/compute';

/**
 * The Pod Security Standards `restricted` profile for the pods and containers Strata renders
 * itself (Jobs, helpers): non-root, no privilege escalation, no capabilities, the runtime's
 * seccomp profile, a read-only root filesystem and requests and limits on every container.
 * Operators' pods are configured through their CRDs; these helpers are for `k8s` objects.
 */

/** The unprivileged user images like distroless run as. */
export const DEFAULT_NON_ROOT_UID = 65532;

export interface RestrictedPodSecurityOptions {
  /** @default DEFAULT_NON_ROOT_UID */
  readonly runAsUser?: number;
  /** @default the same as runAsUser */
  readonly runAsGroup?: number;
  /** Group owning mounted volumes. @default none (no volume ownership change) */
  readonly fsGroup?: number;
}

/** Pod-level security context of the `restricted` profile. */
export function restrictedPodSecurityContext(options: RestrictedPodSecurityOptions = {}): k8s.PodSecurityContext {
  const runAsUser = options.runAsUser ?? DEFAULT_NON_ROOT_UID;
  if (runAsUser === 0) throw new Error('restrictedPodSecurityContext: runAsUser 0 is root; restricted pods run as a non-root user');
  return {
    runAsNonRoot: true,
    runAsUser,
    runAsGroup: options.runAsGroup ?? runAsUser,
    ...(options.fsGroup !== undefined ? { fsGroup: options.fsGroup, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security context of the `restricted` profile, as plain values (also for CRDs). */
export function restrictedContainerSecurityContext(options: { readonly readOnlyRootFilesystem?: boolean } = {}) {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Requests and limits as the Kubernetes API takes them. */
export function resourceRequirements(resources: ComputeResources): k8s.ResourceRequirements {
  const q = (value: string) => k8s.Quantity.fromString(value);
  return {
    requests: { cpu: q(resources.requests.cpu), memory: q(resources.requests.memory) },
    limits: { cpu: q(resources.limits.cpu), memory: q(resources.limits.memory) },
  };
}

export interface HardenedContainerProps extends Omit<k8s.Container, 'securityContext' | 'resources' | 'image'> {
  /** A pinned image (`repository:tag` or `@sha256:`); `latest` and untagged images are refused. */
  readonly image: string;
  /** Requests and limits; required, a container without them escapes the namespace's budget. */
  readonly resources: ComputeResources;
  /**
   * Only for images that must write outside their mounted volumes.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
}

/**
 * A container that satisfies the `restricted` profile on its own (whatever the pod sets):
 * non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp,
 * read-only root filesystem, pinned image, requests and limits.
 */
export function hardenedContainer(props: HardenedContainerProps): k8s.Container {
  assertPinnedImage(props.name, props.image);
  const { resources, readOnlyRootFilesystem, ...container } = props;
  if (!resources.requests.cpu || !resources.requests.memory || !resources.limits.cpu || !resources.limits.memory) {
    throw new Error(`container ${props.name}: resources need cpu and memory requests and limits`);
  }
  return {
    ...container,
    imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
    resources: resourceRequirements(resources),
    securityContext: restrictedContainerSecurityContext({ readOnlyRootFilesystem }),
  };
}

/** Throws unless `image` names a tag other than `latest`, or a digest. */
export function assertPinnedImage(container: string, image: string): void {
  const digest = image.includes('@sha256:');
  const lastSegment = image.split('/').pop() ?? '';
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  if (!digest && (!tag || tag === 'latest')) {
    throw new Error(`container ${container}: image "${image}" is not pinned; use an exact tag or a digest (pin it in constructs/versions.ts)`);
  }
}
