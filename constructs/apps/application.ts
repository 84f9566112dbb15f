/**
 * A business application on the platform: a Deployment (or StatefulSet) of one pinned image
 * under a service account of its own, hardened to the `restricted` Pod Security profile
 * (non-root, read-only root filesystem with writable emptyDirs where declared, no privilege
 * escalation, all capabilities dropped, RuntimeDefault seccomp), its Service, a
 * PodDisruptionBudget when it runs more than one replica, spread across nodes, and an
 * optional HorizontalPodAutoscaler. It is a grantee: services grant it access
 * (`PostgresClusterBase.grantDatabase`, `OpenSearchCluster.grantIndexWrite`,
 * `KafkaCluster.grantProduce`, another app's `grantAccess`) and it takes what the grant gives
 * (`useDatabase`, `useOpenSearch`, `useKafka`, `useApp`), so no hostname, port or secret name
 * is typed by hand. `exposeAt` puts it behind Traefik with a Let's Encrypt certificate.
 */
import { createHash } from 'crypto';
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppAccess, appAccessVariables } from './app-access';
import { APPLICATION_DEFAULTS } from './application-defaults';
import * as traefik from '../../imports/traefik.io';
import type { ComputeResources } from '../core/compute';
import type { IGrantee, PodGroup } from '../core/grantee';
import type { SecretBackend } from '../core/secret-backend';
import type { RedisAccess } from '../data/external-redis';
import type { DatabaseAccess } from '../data/postgres-cluster';
import { LetsEncryptIssuer } from '../ingress/acme-issuer';
import { IRoutable, TraefikRoute, TraefikRouteProps } from '../ingress/traefik-route';
import { DEFAULT_NON_ROOT_UID, hardenedContainer, restrictedPodSecurityContext } from '../platform/hardening';
import { componentLabels } from '../platform/labels';
import { dependOnLayerOf } from '../platform/layer-chart';
import { dns1035LabelProblem, dnsLabelProblem } from '../platform/names';
import { allowTraffic } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { protectFromPrune } from '../platform/protection';
import type { IndexWriteAccess } from '../search/search-cluster';
import { SecretReference } from '../secrets/secret-reference';
import type { KafkaCluster } from '../streaming/kafka-cluster';
import type { KafkaUser } from '../streaming/kafka-user';

/** How the kubelet checks the container: an HTTP GET, a TCP connect, or a command. */
export type ProbeSpec =
  | { readonly http: { readonly path: string; /** @default the app's port */ readonly port?: number } }
  | { readonly tcp: { /** @default the app's port */ readonly port?: number } }
  | { readonly exec: { readonly command: readonly string[] } };

export interface ApplicationProbes {
  /** Gates traffic: the pod gets requests once it passes. */
  readonly readiness?: ProbeSpec;
  /** Restarts the container when it fails. */
  readonly liveness?: ProbeSpec;
  /** Holds the other probes off while a slow start runs. */
  readonly startup?: ProbeSpec;
}

export interface ApplicationAutoscaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU use, percent of the request, that adds replicas. @default 75 */
  readonly cpuUtilization?: number;
  /** Average memory use, percent of the request. @default none */
  readonly memoryUtilization?: number;
}

const COLOURS = ['blue', 'green'] as const;
export type Colour = (typeof COLOURS)[number];

/**
 * Two Deployments of the app, `blue` and `green`: the stable Service sends traffic to the
 * `active` one, so a release deploys to the idle colour (its own image), is tested through
 * `<name>-<colour>`, and goes live with one field. `weights` split the route's traffic between
 * the colours instead (a canary), through a weighted TraefikService.
 */
export interface BlueGreenRelease {
  readonly active: Colour;
  readonly blue?: { readonly image?: string };
  readonly green?: { readonly image?: string };
  /** Replicas of the idle colour; 0 scales it down. @default the app's replicas */
  readonly idleReplicas?: number;
  /** Integer shares of the route's traffic, e.g. {blue: 90, green: 10}. @default all to the active colour */
  readonly weights?: { readonly blue: number; readonly green: number };
  /** Requests carrying this header value, or this cookie, go to the idle colour (testers, a beta group). @default none */
  readonly candidate?: {
    readonly header?: { readonly name: string; readonly value: string };
    readonly cookie?: { readonly name: string; readonly value: string };
  };
  /** Percent of the active colour's requests copied to the idle colour (its answers dropped). @default none */
  readonly mirrorPercent?: number;
}

function checkBlueGreen(where: string, bg: BlueGreenRelease): void {
  if (bg.idleReplicas !== undefined && (!Number.isInteger(bg.idleReplicas) || bg.idleReplicas < 0)) {
    throw new Error(`${where}: blueGreen.idleReplicas ${bg.idleReplicas} is not a count`);
  }
  if (bg.weights) {
    for (const c of COLOURS) {
      const w = bg.weights[c];
      if (!Number.isInteger(w) || w < 0) throw new Error(`${where}: blueGreen.weights.${c} ${w} is not a whole number of 0 or more`);
    }
    if (bg.weights.blue + bg.weights.green === 0) {
      throw new Error(`${where}: blueGreen.weights are all 0; give the colour that serves a weight above 0`);
    }
  }
  if (bg.mirrorPercent !== undefined && (!Number.isInteger(bg.mirrorPercent) || bg.mirrorPercent < 1 || bg.mirrorPercent > 100)) {
    throw new Error(`${where}: blueGreen.mirrorPercent ${bg.mirrorPercent} is not a whole percent from 1 to 100`);
  }
  if (bg.mirrorPercent !== undefined && bg.weights) {
    throw new Error(`${where}: blueGreen has both weights and mirrorPercent; split or mirror, not both`);
  }
  for (const [what, c] of [
    ['header', bg.candidate?.header],
    ['cookie', bg.candidate?.cookie],
  ] as const) {
    if (c && (!/^[A-Za-z0-9-]+$/.test(c.name) || !/^[A-Za-z0-9._~:@/+=-]+$/.test(c.value))) {
      throw new Error(
        `${where}: blueGreen.candidate.${what} ${c.name}=${c.value} is not a ${what} name of letters, digits and -, with a value of letters, digits and . _ ~ : @ / + = -`,
      );
    }
  }
}

export interface ApplicationProps {
  /** Names the Deployment, Service and everything made for the app: a public contract. */
  readonly name: string;
  /** @default the app's name */
  readonly namespace?: string;
  /** A pinned image: a tag other than `latest`, or a digest. */
  readonly image: string;
  /** The container port the app serves HTTP on; the Service has the same port. @default 8080 */
  readonly port?: number;
  /** @default 2 */
  readonly replicas?: number;
  /** @default 100m / 128Mi requested, 500m / 256Mi limit */
  readonly resources?: ComputeResources;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** Literal environment variables (never a credential: those come from grants). @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** @default an HTTP readiness check on `/` of the port */
  readonly probes?: ApplicationProbes;
  /** Paths the app writes to (the root filesystem is read-only): each gets an emptyDir. @default none */
  readonly writablePaths?: readonly string[];
  /** @default DEFAULT_NON_ROOT_UID */
  readonly runAsUser?: number;
  /** @default a fixed replica count */
  readonly autoscaling?: ApplicationAutoscaling;
  /** @default one Deployment */
  readonly blueGreen?: BlueGreenRelease;
  /**
   * Persistent volumes by name (a DNS label): a PersistentVolumeClaim `<app>-<name>` mounted at
   * `path`. `ReadWriteOnce` (the default) serves one replica, and the Deployment then replaces
   * its pod rather than rolling (the new pod cannot mount the volume the old one holds);
   * `ReadWriteMany` (a storage class that can share it) serves several. @default none
   */
  readonly volumes?: Readonly<Record<string, ApplicationVolume>>;
  /**
   * Configuration files by absolute path, with their content (no credential: the files are in
   * Git): a ConfigMap `<app>-files`, each file mounted read-only at its path. A change rolls
   * the pods (the ConfigMap's hash is a pod annotation). @default none
   */
  readonly files?: Readonly<Record<string, string>>;
  /**
   * Credential files by absolute path, from the secret backend: `remoteKey` and its `property`
   * as the file's content, mounted read-only (a Secret `<app>-secret-files`). @default none
   */
  readonly secretFiles?: Readonly<Record<string, { readonly remoteKey: string; readonly property: string }>>;
  /**
   * Credentials as environment variables, from the secret backend: `remoteKey` and its
   * `property` (a Secret `<app>-secret-env`), for images that read a password from the
   * environment only. @default none
   */
  readonly secretEnv?: Readonly<Record<string, { readonly remoteKey: string; readonly property: string }>>;
  /** The secret backend secretFiles and secretEnv are read through. @default none (both refused) */
  readonly secretBackend?: SecretBackend;
  /**
   * What the image needs below the restricted profile, each with the reason (rendered as a
   * `strata.io/relaxed-<field>` annotation): `runAsRoot` (the namespace becomes baseline),
   * `writableRootFilesystem`, `bindLowPorts` (NET_BIND_SERVICE, for a port below 1024).
   * @default none: the restricted profile
   */
  readonly relaxations?: ApplicationRelaxations;
  /**
   * `Deployment`, or `StatefulSet` for an app that keeps state per pod (a database, a search
   * index): each pod then gets its own claim of every volume (`<volume>-<app>-<ordinal>`,
   * kept when the pod or the StatefulSet goes), a stable name through the headless Service
   * `<app>-headless`, and ordered rollouts. No blue-green. @default 'Deployment'
   */
  readonly workload?: 'Deployment' | 'StatefulSet';
}

export interface ApplicationVolume {
  readonly path: string;
  /** e.g. `10Gi`. */
  readonly size: string;
  readonly storageClass: string;
  /** @default 'ReadWriteOnce' */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
}

export interface ApplicationRelaxations {
  readonly runAsRoot?: string;
  readonly writableRootFilesystem?: string;
  readonly bindLowPorts?: string;
}

/** The container's security context with the relaxations the app declares, the rest as restricted. */
function relaxedSecurityContext(relaxed: ApplicationRelaxations) {
  return {
    runAsNonRoot: !relaxed.runAsRoot,
    ...(relaxed.runAsRoot ? { runAsUser: 0 } : {}),
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: !relaxed.writableRootFilesystem,
    capabilities: { drop: ['ALL'], ...(relaxed.bindLowPorts ? { add: ['NET_BIND_SERVICE'] } : {}) },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function probe(spec: ProbeSpec, port: number): k8s.Probe {
  const timing = { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 };
  if ('http' in spec) return { ...timing, httpGet: { path: spec.http.path, port: k8s.IntOrString.fromNumber(spec.http.port ?? port) } };
  if ('tcp' in spec) return { ...timing, tcpSocket: { port: k8s.IntOrString.fromNumber(spec.tcp.port ?? port) } };
  return { ...timing, exec: { command: [...spec.exec.command] } };
}

export class Application extends Construct implements IGrantee, IRoutable {
  public readonly name: string;
  public readonly namespace: string;
  public readonly port: number;
  public readonly pods: PodGroup;
  private readonly env: k8s.EnvVar[] = [];
  /** What grants give, first: literal values may refer to them as $(PGHOST), which Kubernetes expands. */
  private readonly grantEnv: k8s.EnvVar[] = [];
  /** Volumes grants add (a CA bundle), mounted read-only. */
  private readonly grantVolumes: {
    readonly name: string;
    readonly mountPath: string;
    readonly secretName: string;
    readonly key: string;
    /** Mount the one file at `mountPath` rather than a folder of it. */
    readonly subPath?: string;
  }[] = [];
  /** The weighted (or mirroring) TraefikService a route sends to, with blue-green weights (or a mirror). */
  private weighted?: traefik.TraefikService;
  private readonly blueGreen?: BlueGreenRelease;
  /** The app's Deployments or its StatefulSet, for an autoscaler. */
  public readonly workload: 'Deployment' | 'StatefulSet';

  constructor(scope: Construct, id: string, props: ApplicationProps) {
    super(scope, id);
    const where = `application ${props.name}`;
    const nameProblem = dns1035LabelProblem(props.name, 53);
    if (nameProblem) throw new Error(`${where}: name ${nameProblem}`);
    this.name = props.name;
    this.port = props.port ?? APPLICATION_DEFAULTS.port;
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) throw new Error(`${where}: port ${this.port} is not a TCP port`);
    if (this.port < 1024 && !props.relaxations?.bindLowPorts && !props.relaxations?.runAsRoot) {
      throw new Error(
        `${where}: port ${this.port} is below 1024, which a non-root process binds only with NET_BIND_SERVICE; serve a port of 1024 or more, or set relaxations.bindLowPorts with the reason`,
      );
    }
    this.workload = props.workload ?? 'Deployment';
    const stateful = this.workload === 'StatefulSet';
    if (stateful && props.blueGreen) {
      throw new Error(`${where}: a StatefulSet runs one set of pods on its claims; blue-green needs workload Deployment`);
    }
    const replicas = props.replicas ?? APPLICATION_DEFAULTS.replicas;
    if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`${where}: replicas ${replicas} is not a count`);
    const scaling = props.autoscaling;
    if (scaling && (scaling.minReplicas < 1 || scaling.minReplicas > scaling.maxReplicas)) {
      throw new Error(`${where}: autoscaling minReplicas ${scaling.minReplicas} must be from 1 to maxReplicas ${scaling.maxReplicas}`);
    }
    const probes = props.probes ?? { readiness: { http: { path: '/' } } };
    for (const [kind, spec] of Object.entries(probes) as [string, ProbeSpec | undefined][]) {
      const port = spec && ('http' in spec ? spec.http.port : 'tcp' in spec ? spec.tcp.port : undefined);
      if (port !== undefined && port !== this.port) {
        throw new Error(`${where}: the ${kind} probe checks port ${port}, which the app does not expose (it serves ${this.port})`);
      }
    }
    const relaxed = props.relaxations ?? {};
    for (const [field, reason] of Object.entries(relaxed)) {
      if (typeof reason !== 'string' || reason.trim().length < 10) {
        throw new Error(
          `${where}: relaxations.${field} needs the reason the image needs it (10 characters or more), e.g. "the image's entrypoint writes /etc/nginx as root"`,
        );
      }
    }
    // Root is below the restricted profile: the namespace is baseline then, saying why.
    this.namespace = OverlayContext.of(this).requireNamespace({
      name: props.namespace ?? props.name,
      workload: true,
      ...(relaxed.runAsRoot ? { podSecurity: 'baseline' as const, podSecurityReason: `app ${props.name} runs as root: ${relaxed.runAsRoot}` } : {}),
    });
    // Each relaxation is an annotation of the objects it changes, with its reason.
    const relaxationAnnotations = Object.fromEntries(
      Object.entries(relaxed)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([field, reason]) => [`strata.io/relaxed-${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, reason as string]),
    );
    const labels = componentLabels(props.name, props.name, 'application');
    const selector = { 'app.kubernetes.io/name': props.name, 'app.kubernetes.io/instance': props.name };
    this.pods = { namespace: this.namespace, podLabels: selector };
    for (const [key, value] of Object.entries(props.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) this.env.push({ name: key, value });

    const writable = [...new Set(props.writablePaths ?? [])].sort();
    const persistent = Object.keys(props.volumes ?? {})
      .sort()
      .map((key) => ({ key, ...props.volumes![key] }));
    // A StatefulSet's pods each have their own claims: ReadWriteOnce serves any count.
    const exclusive = !stateful && persistent.some((v) => (v.accessMode ?? 'ReadWriteOnce') === 'ReadWriteOnce');
    if (exclusive && (replicas > 1 || (scaling?.maxReplicas ?? 1) > 1 || props.blueGreen)) {
      throw new Error(
        `${where}: a ReadWriteOnce volume serves one pod, and the app runs ${props.blueGreen ? 'two colours' : 'more than one replica'}; run one replica, or give the volume accessMode ReadWriteMany (a storage class that shares it)`,
      );
    }
    for (const v of persistent) {
      const problem = dnsLabelProblem(`${props.name}-${v.key}`);
      if (problem) throw new Error(`${where}: volume ${v.key}: the claim name ${props.name}-${v.key} ${problem}`);
      if (!v.path.startsWith('/')) throw new Error(`${where}: volume ${v.key}: path "${v.path}" is not absolute; write it from /`);
      if (stateful) continue;
      // Removing the app never removes its data: the claim stays on the cluster.
      const claim = new k8s.KubePersistentVolumeClaim(this, `Volume-${v.key}`, {
        metadata: { name: `${props.name}-${v.key}`, namespace: this.namespace, labels },
        spec: {
          accessModes: [v.accessMode ?? 'ReadWriteOnce'],
          storageClassName: v.storageClass,
          resources: { requests: { storage: k8s.Quantity.fromString(v.size) } },
        },
      });
      protectFromPrune(claim);
    }
    // Configuration and credential files, each mounted on its own path from one ConfigMap or Secret.
    const fileKey = (p: string) => p.replace(/^\//, '').replace(/[^-._a-zA-Z0-9]/g, '_');
    const files = Object.keys(props.files ?? {}).sort();
    const secretFiles = Object.keys(props.secretFiles ?? {}).sort();
    for (const p of [...files, ...secretFiles]) {
      if (!p.startsWith('/') || p.endsWith('/')) throw new Error(`${where}: file "${p}" is not an absolute file path`);
    }
    const fileAnnotations: Record<string, string> = {};
    if (files.length) {
      const data = Object.fromEntries(files.map((p) => [fileKey(p), props.files![p]]));
      new k8s.KubeConfigMap(this, 'Files', { metadata: { name: `${props.name}-files`, namespace: this.namespace, labels }, data });
      fileAnnotations['strata.io/files-hash'] = createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16);
    }
    if (secretFiles.length) {
      if (!props.secretBackend) throw new Error(`${where}: secretFiles need the secret backend they are read through (secretBackend)`);
      const keys = Object.fromEntries(secretFiles.map((p) => [fileKey(p), props.secretFiles![p].property]));
      const remote = [...new Set(secretFiles.map((p) => props.secretFiles![p].remoteKey))];
      if (remote.length > 1) throw new Error(`${where}: secretFiles come from one secret-store entry; they name ${remote.join(', ')}`);
      new SecretReference(this, 'SecretFiles', {
        backend: props.secretBackend,
        namespace: this.namespace,
        name: `${props.name}-secret-files`,
        remoteKey: remote[0],
        keys,
      });
    }
    const secretEnv = Object.keys(props.secretEnv ?? {}).sort();
    if (secretEnv.length) {
      if (!props.secretBackend) throw new Error(`${where}: secretEnv needs the secret backend it is read through (secretBackend)`);
      const remote = [...new Set(secretEnv.map((k) => props.secretEnv![k].remoteKey))];
      if (remote.length > 1) throw new Error(`${where}: secretEnv comes from one secret-store entry; it names ${remote.join(', ')}`);
      for (const k of secretEnv) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`${where}: secretEnv ${k} is not an environment variable name`);
        if (props.env && k in props.env) throw new Error(`${where}: ${k} is in env and in secretEnv; keep one`);
      }
      const ref = new SecretReference(this, 'SecretEnv', {
        backend: props.secretBackend,
        namespace: this.namespace,
        name: `${props.name}-secret-env`,
        remoteKey: remote[0],
        keys: Object.fromEntries(secretEnv.map((k) => [k, props.secretEnv![k].property])),
      });
      // Ahead of the literals, which may refer to them as $(NAME).
      for (const k of secretEnv) this.grantEnv.push({ name: k, valueFrom: { secretKeyRef: { name: ref.name, key: k } } });
    }
    const volumes = [
      ...writable.map((p, i) => ({ name: `writable-${i}`, path: p, source: { emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } } })),
      ...files.map((p, i) => ({
        name: `file-${i}`,
        path: p,
        subPath: fileKey(p),
        readOnly: true,
        source: { configMap: { name: `${props.name}-files` } },
      })),
      ...secretFiles.map((p, i) => ({
        name: `secret-file-${i}`,
        path: p,
        subPath: fileKey(p),
        readOnly: true,
        source: { secret: { secretName: `${props.name}-secret-files`, defaultMode: 0o440 } },
      })),
      // A StatefulSet's claims come from its templates, mounted by the template's name.
      ...(stateful
        ? []
        : persistent.map((v) => ({
            name: `data-${v.key}`,
            path: v.path,
            source: { persistentVolumeClaim: { claimName: `${props.name}-${v.key}` } },
          }))),
    ];
    const claimMounts = stateful ? persistent.map((v) => ({ name: v.key, mountPath: v.path })) : [];
    // Velero copies opted-in pod volumes only (its schedules back up no volume by default): the app's persistent ones are.
    if (persistent.length) {
      fileAnnotations['backup.velero.io/backup-volumes'] = persistent.map((v) => (stateful ? v.key : `data-${v.key}`)).join(',');
    }
    // An identity of its own (not the namespace's default), with no API token mounted.
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: props.name, namespace: this.namespace, labels },
      automountServiceAccountToken: false,
    });
    const podSpec = (image: string) => ({
      serviceAccountName: props.name,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: relaxed.runAsRoot
        ? { runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } }
        : restrictedPodSecurityContext({
            runAsUser: props.runAsUser ?? DEFAULT_NON_ROOT_UID,
            // A fresh volume is writable by the app's user through its group.
            ...(persistent.length ? { fsGroup: props.runAsUser ?? DEFAULT_NON_ROOT_UID } : {}),
          }),
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
      ],
      containers: [
        {
          ...hardenedContainer({
            name: 'app',
            image,
            resources: props.resources ?? APPLICATION_DEFAULTS.resources,
            ports: [{ name: 'http', containerPort: this.port, protocol: 'TCP' }],
            ...(props.command ? { command: [...props.command] } : {}),
            ...(props.args ? { args: [...props.args] } : {}),
            volumeMounts: Lazy.any({
              produce: () => {
                const mounts = [
                  ...volumes.map((v) => ({
                    name: v.name,
                    mountPath: v.path,
                    ...('subPath' in v ? { subPath: v.subPath, readOnly: true } : {}),
                  })),
                  ...claimMounts,
                  ...this.grantVolumes.map((g) => ({
                    name: g.name,
                    mountPath: g.mountPath,
                    ...(g.subPath ? { subPath: g.subPath } : {}),
                    readOnly: true,
                  })),
                ];
                return mounts.length ? mounts : undefined;
              },
            }) as unknown as k8s.VolumeMount[],
            readOnlyRootFilesystem: !relaxed.writableRootFilesystem,
          }),
          ...(relaxed.runAsRoot || relaxed.bindLowPorts ? { securityContext: relaxedSecurityContext(relaxed) } : {}),
          env: Lazy.any({
            produce: () => (this.env.length + this.grantEnv.length ? [...this.grantEnv, ...this.env] : undefined),
          }) as unknown as k8s.EnvVar[],
          ...(probes.readiness ? { readinessProbe: probe(probes.readiness, this.port) } : {}),
          ...(probes.liveness ? { livenessProbe: probe(probes.liveness, this.port) } : {}),
          ...(probes.startup ? { startupProbe: probe(probes.startup, this.port) } : {}),
        },
      ],
      volumes: Lazy.any({
        produce: () => {
          const all = [
            ...volumes.map((v) => ({ name: v.name, ...v.source })),
            ...this.grantVolumes.map((g) => ({ name: g.name, secret: { secretName: g.secretName, items: [{ key: g.key, path: g.key }] } })),
          ];
          return all.length ? all : undefined;
        },
      }) as unknown as k8s.Volume[],
    });
    const bg = props.blueGreen;
    if (bg) checkBlueGreen(where, bg);
    this.blueGreen = bg;
    // One Deployment, or one per colour: `<name>-blue` and `<name>-green`, told apart by `version`.
    const tracks: { id: string; name: string; version?: Colour; image: string; replicas: number }[] = bg
      ? COLOURS.map((c) => ({
          id: `Deployment-${c}`,
          name: `${props.name}-${c}`,
          version: c,
          image: bg[c]?.image ?? props.image,
          replicas: c === bg.active ? replicas : (bg.idleReplicas ?? replicas),
        }))
      : [{ id: 'Deployment', name: props.name, image: props.image, replicas }];
    for (const t of tracks) {
      const own = t.version ? { ...selector, version: t.version } : selector;
      const metadata = {
        name: t.name,
        namespace: this.namespace,
        labels: t.version ? { ...labels, version: t.version } : labels,
        ...(Object.keys(relaxationAnnotations).length ? { annotations: relaxationAnnotations } : {}),
      };
      const common = {
        // With autoscaling, the active track's count is the autoscaler's.
        ...(scaling && (!t.version || t.version === bg?.active) ? {} : { replicas: t.replicas }),
        revisionHistoryLimit: 5,
        selector: { matchLabels: own },
        template: {
          metadata: {
            labels: { ...labels, ...own },
            ...(Object.keys({ ...relaxationAnnotations, ...fileAnnotations }).length
              ? { annotations: { ...relaxationAnnotations, ...fileAnnotations } }
              : {}),
          },
          spec: podSpec(t.image),
        },
      };
      if (stateful) {
        new k8s.KubeStatefulSet(this, 'StatefulSet', {
          metadata,
          spec: {
            ...common,
            serviceName: `${props.name}-headless`,
            updateStrategy: { type: 'RollingUpdate' },
            // Scaling down or removing the StatefulSet never deletes a pod's data.
            persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
            ...(persistent.length
              ? {
                  volumeClaimTemplates: persistent.map((v) => ({
                    metadata: { name: v.key, labels },
                    spec: {
                      accessModes: [v.accessMode ?? 'ReadWriteOnce'],
                      storageClassName: v.storageClass,
                      resources: { requests: { storage: k8s.Quantity.fromString(v.size) } },
                    },
                  })),
                }
              : {}),
          },
        });
      } else {
        new k8s.KubeDeployment(this, t.id, {
          metadata,
          spec: {
            ...common,
            // A ReadWriteOnce volume is held by the running pod: replace it rather than roll.
            strategy: exclusive
              ? { type: 'Recreate' }
              : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
          },
        });
      }
      const count = scaling && (!t.version || t.version === bg?.active) ? scaling.minReplicas : t.replicas;
      if (count > 1) {
        new k8s.KubePodDisruptionBudget(this, `Budget${t.version ? `-${t.version}` : ''}`, {
          metadata: { name: t.name, namespace: this.namespace, labels },
          spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: own } },
        });
      }
    }
    const service = (serviceId: string, name: string, version?: Colour) =>
      new k8s.KubeService(this, serviceId, {
        metadata: { name, namespace: this.namespace, labels },
        spec: {
          selector: version ? { ...selector, version } : selector,
          ports: [{ name: 'http', port: this.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
        },
      });
    // The stable Service follows `active`: switching colours is one selector change.
    service('Service', props.name, bg?.active);
    if (stateful) {
      // The StatefulSet's governing Service: one DNS name per pod (`<app>-0.<app>-headless`), ready or not.
      new k8s.KubeService(this, 'Headless', {
        metadata: { name: `${props.name}-headless`, namespace: this.namespace, labels },
        spec: {
          clusterIp: 'None',
          publishNotReadyAddresses: true,
          selector,
          ports: [{ name: 'http', port: this.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
        },
      });
    }
    if (bg) {
      // Each colour reachable on its own, to test the idle one before switching.
      for (const c of COLOURS) service(`Service-${c}`, `${props.name}-${c}`, c);
      if (bg.mirrorPercent !== undefined) {
        const idle: Colour = bg.active === 'blue' ? 'green' : 'blue';
        this.weighted = new traefik.TraefikService(this, 'Mirrored', {
          metadata: { name: props.name, namespace: this.namespace, labels },
          spec: {
            mirroring: {
              name: `${props.name}-${bg.active}`,
              port: traefik.TraefikServiceSpecMirroringPort.fromNumber(this.port),
              mirrors: [
                {
                  name: `${props.name}-${idle}`,
                  port: traefik.TraefikServiceSpecMirroringMirrorsPort.fromNumber(this.port),
                  percent: bg.mirrorPercent,
                },
              ],
            },
          },
        });
      }
      if (bg.weights) {
        this.weighted = new traefik.TraefikService(this, 'Weighted', {
          metadata: { name: props.name, namespace: this.namespace, labels },
          spec: {
            weighted: {
              services: COLOURS.filter((c) => bg.weights![c] > 0).map((c) => ({
                name: `${props.name}-${c}`,
                port: traefik.TraefikServiceSpecWeightedServicesPort.fromNumber(this.port),
                weight: bg.weights![c],
              })),
            },
          },
        });
      }
    }
    if (scaling) {
      const metric = (name: string, average: number) => ({
        type: 'Resource',
        resource: { name, target: { type: 'Utilization', averageUtilization: average } },
      });
      const target = bg ? `${props.name}-${bg.active}` : props.name;
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: { name: target, namespace: this.namespace, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: this.workload, name: target },
          minReplicas: scaling.minReplicas,
          maxReplicas: scaling.maxReplicas,
          metrics: [
            metric('cpu', scaling.cpuUtilization ?? 75),
            ...(scaling.memoryUtilization !== undefined ? [metric('memory', scaling.memoryUtilization)] : []),
          ],
        },
      });
    }
  }

  /** IGrantee: the app's pods, under its name. */
  public get granteeName(): string {
    return this.name;
  }

  public get granteePods(): PodGroup {
    return this.pods;
  }

  public get grantScope(): Construct {
    return this;
  }

  /** IRoutable: its Service. */
  public get routeName(): string {
    return this.name;
  }

  public get serviceName(): string {
    return this.name;
  }

  /** The routes that send matching requests to the idle colour, ahead of the app's own. */
  public get candidateRoutes(): { readonly match: string; readonly serviceName: string; readonly servicePort: number }[] {
    const bg = this.blueGreen;
    if (!bg?.candidate) return [];
    const idle: Colour = bg.active === 'blue' ? 'green' : 'blue';
    const to = { serviceName: `${this.name}-${idle}`, servicePort: this.port };
    return [
      ...(bg.candidate.header ? [{ match: `Header(\`${bg.candidate.header.name}\`, \`${bg.candidate.header.value}\`)`, ...to }] : []),
      ...(bg.candidate.cookie
        ? [
            {
              match: `HeaderRegexp(\`Cookie\`, \`(^|;\\s*)${bg.candidate.cookie.name}=${bg.candidate.cookie.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(;|$)\`)`,
              ...to,
            },
          ]
        : []),
    ];
  }

  /** Routes send to the weighted TraefikService where the colours share the traffic. */
  public get serviceKind(): 'Service' | 'TraefikService' {
    return this.weighted ? 'TraefikService' : 'Service';
  }

  public get servicePort(): number {
    return this.port;
  }

  public get routePods(): PodGroup {
    return this.pods;
  }

  public get targetPort(): number {
    return this.port;
  }

  /**
   * Takes a database grant: libpq's variables (PGHOST, PGPORT, PGDATABASE, PGSSLMODE), the
   * user and password from the granted Secret in the app's namespace.
   */
  public useDatabase(access: DatabaseAccess): void {
    if (access.credentials.namespace !== this.namespace) {
      throw new Error(
        `application ${this.name}: the grant's credentials are in namespace ${access.credentials.namespace}; grant the database to the app itself`,
      );
    }
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

  /**
   * Takes a Redis grant: REDIS_HOST and REDIS_PORT (every machine), REDIS_SENTINEL_HOST,
   * REDIS_SENTINEL_PORT and REDIS_MASTER_NAME (ask Sentinel for the master), REDIS_PASSWORD
   * from the granted Secret.
   */
  public useRedis(access: RedisAccess): void {
    this.grantEnv.push(
      { name: 'REDIS_HOST', value: access.host },
      { name: 'REDIS_PORT', value: String(access.port) },
      { name: 'REDIS_SENTINEL_HOST', value: access.sentinelHost },
      { name: 'REDIS_SENTINEL_PORT', value: String(access.sentinelPort) },
      { name: 'REDIS_MASTER_NAME', value: access.masterName },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: access.credentials.name, key: 'password' } } },
    );
  }

  /**
   * Lets `grantee` (another app, a Job) call this app: egress from its pods and ingress to
   * this app's, on the app's port. The access names the stable Service.
   */
  public grantAccess(grantee: IGrantee): AppAccess {
    if (grantee.grantScope === this) throw new Error(`application ${this.name}: an app does not need a grant to call itself`);
    allowTraffic(grantee.grantScope, `AllowTo-${this.name}`, {
      name: `allow-${grantee.granteeName}-to-${this.name}`,
      from: grantee.granteePods,
      to: this.pods,
      ports: [this.port],
    });
    return { app: this.name, host: `${this.name}.${this.namespace}.svc.cluster.local`, port: this.port };
  }

  /** Takes a grant of another app: `<APP>_HOST` and `<APP>_PORT` (the app's name in capitals, `-` as `_`). */
  public useApp(access: AppAccess): void {
    const names = appAccessVariables(access.app);
    this.grantEnv.push({ name: names.host, value: access.host }, { name: names.port, value: String(access.port) });
  }

  /**
   * Takes an OpenSearch grant: OPENSEARCH_URL (HTTPS), OPENSEARCH_USERNAME and
   * OPENSEARCH_PASSWORD from the granted Secret, and the CA that signs the endpoint mounted at
   * /etc/strata/opensearch-ca (OPENSEARCH_CA_FILE names the file).
   */
  public useOpenSearch(access: IndexWriteAccess): void {
    if (access.credentials.namespace !== this.namespace) {
      throw new Error(
        `application ${this.name}: the grant's credentials are in namespace ${access.credentials.namespace}; grant the indices to the app itself`,
      );
    }
    const mountPath = '/etc/strata/opensearch-ca';
    this.grantVolumes.push({ name: 'opensearch-ca', mountPath, secretName: access.ca.name, key: access.ca.key });
    this.grantEnv.push(
      { name: 'OPENSEARCH_URL', value: access.endpoint },
      { name: 'OPENSEARCH_USERNAME', valueFrom: { secretKeyRef: { name: access.credentials.name, key: 'username' } } },
      { name: 'OPENSEARCH_PASSWORD', valueFrom: { secretKeyRef: { name: access.credentials.name, key: 'password' } } },
      { name: 'OPENSEARCH_CA_FILE', value: `${mountPath}/${access.ca.key}` },
    );
  }

  /**
   * Takes a Kafka grant (`KafkaCluster.grantProduce` / `grantConsume` to the app, which runs in
   * Kafka's namespace, where the User Operator writes its credential): KAFKA_BOOTSTRAP_SERVERS,
   * KAFKA_SECURITY_PROTOCOL, the cluster CA mounted at /etc/strata/kafka-ca (KAFKA_CA_FILE),
   * and the user's credential: KAFKA_SASL_MECHANISM, KAFKA_USERNAME and KAFKA_PASSWORD for
   * SCRAM, or its certificate and key mounted at /etc/strata/kafka-user for TLS.
   */
  public useKafka(kafka: KafkaCluster, user: KafkaUser): void {
    if (kafka.namespace !== this.namespace) {
      throw new Error(
        `application ${this.name}: Kafka credentials are written into namespace ${kafka.namespace} only; run the app in namespace ${kafka.namespace}`,
      );
    }
    dependOnLayerOf(this, kafka);
    const ca = '/etc/strata/kafka-ca';
    this.grantVolumes.push({ name: 'kafka-ca', mountPath: ca, secretName: kafka.clusterCa.name, key: kafka.clusterCa.key });
    this.grantEnv.push(
      { name: 'KAFKA_BOOTSTRAP_SERVERS', value: kafka.bootstrapServers },
      { name: 'KAFKA_CA_FILE', value: `${ca}/${kafka.clusterCa.key}` },
    );
    if (kafka.authentication === 'tls') {
      const dir = '/etc/strata/kafka-user';
      this.grantVolumes.push(
        { name: 'kafka-user-crt', mountPath: `${dir}/user.crt`, subPath: 'user.crt', secretName: user.secretName, key: 'user.crt' },
        { name: 'kafka-user-key', mountPath: `${dir}/user.key`, subPath: 'user.key', secretName: user.secretName, key: 'user.key' },
      );
      this.grantEnv.push(
        { name: 'KAFKA_SECURITY_PROTOCOL', value: 'SSL' },
        { name: 'KAFKA_CERT_FILE', value: `${dir}/user.crt` },
        { name: 'KAFKA_KEY_FILE', value: `${dir}/user.key` },
      );
    } else {
      this.grantEnv.push(
        { name: 'KAFKA_SECURITY_PROTOCOL', value: 'SASL_SSL' },
        { name: 'KAFKA_SASL_MECHANISM', value: 'SCRAM-SHA-512' },
        { name: 'KAFKA_USERNAME', value: user.name },
        { name: 'KAFKA_PASSWORD', valueFrom: { secretKeyRef: { name: user.secretName, key: 'password' } } },
      );
    }
  }

  /** Serves the app at `host` (and `path`) through Traefik, with a certificate from `issuer`; in `scope` (the ingress layer). */
  public exposeAt(
    scope: Construct,
    options: {
      readonly host: string;
      readonly path?: string;
      readonly issuer: LetsEncryptIssuer;
      readonly middlewares?: TraefikRouteProps['middlewares'];
    },
  ): TraefikRoute {
    const candidates = this.candidateRoutes;
    return new TraefikRoute(scope, `Route-${this.name}`, { target: this, ...options, ...(candidates.length ? { candidates } : {}) });
  }
}
