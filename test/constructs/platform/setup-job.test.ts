/**
 * The set-up Job shape of constructs/platform/setup-job.ts, built the way its users
 * (MinIO access set-up, OpenSearch cross-cluster replication) build it: a restricted pod
 * security context and hardened containers.
 */
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { hardenedContainer, restrictedPodSecurityContext } from '../../../constructs/platform/hardening';
import { addSetupJob, SetupJobProps } from '../../../constructs/platform/setup-job';
import { schemaIssues, testLayer, TestLayer } from '../../support/layer';

const LABELS = { 'app.kubernetes.io/name': 'example-setup', 'app.kubernetes.io/instance': 'example', 'app.kubernetes.io/component': 'setup' };
const POD_LABELS = { 'app.kubernetes.io/name': 'example-setup', 'app.kubernetes.io/instance': 'example' };

function props(overrides: Partial<SetupJobProps> = {}): SetupJobProps {
  return {
    name: 'example-setup-0123456789',
    namespace: 'storage',
    labels: LABELS,
    podLabels: POD_LABELS,
    securityContext: restrictedPodSecurityContext(),
    containers: [
      hardenedContainer({
        name: 'setup',
        image: 'registry.example/tools/setup:1.2.3',
        command: ['/bin/sh', '-c', 'echo set up'],
        env: [{ name: 'ATTEMPTS', value: '3' }],
        resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      }),
    ],
    volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } }],
    ttlSecondsAfterFinished: 7200,
    ...overrides,
  };
}

function build(overrides: Partial<SetupJobProps> = {}): TestLayer & { job: any } {
  const layer = testLayer('storage');
  addSetupJob(layer.chart, 'Job', props(overrides));
  const jobs = layer.all('Job');
  expect(jobs).toHaveLength(1);
  return { ...layer, job: jobs[0] };
}

describe('addSetupJob', () => {
  test('a batch/v1 Job with the given name, namespace and labels', () => {
    const { job } = build();
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    expect(job.metadata).toMatchObject({ name: 'example-setup-0123456789', namespace: 'storage', labels: LABELS });
    expect(job.spec.template.metadata.labels).toEqual(POD_LABELS);
  });

  test("replaced rather than patched by Argo CD and Flux (a Job's pod template is immutable)", () => {
    expect(build().job.metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-options': 'Replace=true',
      'kustomize.toolkit.fluxcd.io/force': 'enabled',
    });
  });

  test('bounded: 4 retries, a one-hour deadline by default, the given time to live', () => {
    expect(build().job.spec).toMatchObject({ backoffLimit: 4, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 7200 });
    const shorter = build({ activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 60 }).job.spec;
    expect(shorter).toMatchObject({ backoffLimit: 4, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 60 });
  });

  test('never restarted in place, and no service-account token in the pod', () => {
    const pod = build().job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBeUndefined();
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.hostPID).toBeUndefined();
  });

  test('hardened: non-root, read-only root filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp', () => {
    const pod = build().job.spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } });
  });

  test('containers and volumes are rendered as given', () => {
    const pod = build().job.spec.template.spec;
    expect(pod.containers[0]).toMatchObject({
      name: 'setup',
      image: 'registry.example/tools/setup:1.2.3',
      imagePullPolicy: 'IfNotPresent',
      command: ['/bin/sh', '-c', 'echo set up'],
      env: [{ name: 'ATTEMPTS', value: '3' }],
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    });
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }]);
  });

  test('a name known only at synthesis (a hash of content added later) names the Job and its pod template', () => {
    let name = 'not-yet';
    const layer = testLayer('storage');
    addSetupJob(layer.chart, 'Job', props({ name: Lazy.any({ produce: () => name }) as unknown as string }));
    name = 'example-setup-fedcba9876';
    const [job] = layer.all('Job');
    expect(job.metadata.name).toBe('example-setup-fedcba9876');
    expect(job.spec.template.metadata.name).toBe('example-setup-fedcba9876');
  });

  test("the labels are copied: changing the caller's object afterwards changes nothing", () => {
    const labels: Record<string, string> = { ...LABELS };
    const podLabels: Record<string, string> = { ...POD_LABELS };
    const layer = testLayer('storage');
    addSetupJob(layer.chart, 'Job', props({ labels, podLabels }));
    labels['app.kubernetes.io/name'] = 'changed';
    podLabels.extra = 'added';
    const [job] = layer.all('Job');
    // The chart adds its own labels to the Job; the given ones are there unchanged.
    expect(job.metadata.labels).toMatchObject(LABELS);
    expect(job.spec.template.metadata.labels).toEqual(POD_LABELS);
  });

  test('validates against the pinned Kubernetes schema', () => {
    expect(schemaIssues(build().manifests())).toEqual([]);
  });

  test('the schema check is real: a mistyped container field is reported', () => {
    const [container] = props().containers;
    const broken = { ...container, securityContext: { ...container.securityContext, runAsNonRoot: 'yes' } } as unknown as k8s.Container;
    const issues = schemaIssues(build({ containers: [broken] }).manifests());
    expect(issues.join('\n')).toMatch(/batch\/v1 Job storage\/example-setup-0123456789 .*containers\/0\/securityContext/);
  });
});
