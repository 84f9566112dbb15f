/**
 * Loki as the cluster's log store (`monitoring.logging.backend: loki`): the pinned `loki`
 * chart, released by the monitoring layer the way Fluent Bit is (OperatorRelease: a Flux
 * HelmRelease or an Argo CD Application), keeping the logs in a bucket of the overlay's object
 * storage (its MinIO tenant or external S3) with the TSDB index, schema v13. Fluent Bit pushes
 * to it (fluent-bit.ts); Grafana queries `queryUrl`.
 */
import { Construct } from 'constructs';
import type { LokiMode } from './logging-settings';
import { lokiAlerts } from './loki-alerts';
import type { ComputeResources } from '../core/compute';
import type { GitOpsSpec } from '../core/gitops';
import type { IGrantee, PodGroup } from '../core/grantee';
import type { GrafanaDataSource } from '../monitoring/grafana';
import { releaseChart } from '../operators/chart-release';
import { addAlertRules, RUNBOOKS } from '../platform/alert-rules';
import { Connections, IConnectable } from '../platform/connections';
import { OverlayContext } from '../platform/overlay-context';
import { scrapePods } from '../platform/scrape';
import type { IBucket } from '../storage/bucket';

/** Loki's HTTP port: pushes, queries and its own metrics, on every component. */
export const LOKI_PORT = 3100;
/** The release name; the chart names its Services after it (`loki`, `loki-read`, `loki-write`). A public contract. */
export const LOKI_RELEASE = 'loki';
/**
 * The day the schema below starts. A public contract: Loki reads every chunk by the schema of
 * its day, so changing this entry makes the stored logs unreadable; a new schema is added as
 * a further entry, starting on a day after it is rolled out.
 */
export const LOKI_SCHEMA_FROM = '2025-01-01';
/** Where the bucket's CA is mounted. */
const CA_DIR = '/etc/loki/s3-ca';
/** The region placeholder for MinIO, which ignores it (as Velero's). */
const S3_REGION = 'us-east-1';

export interface LokiProps {
  /** The bucket the chunks and the index are kept in (the overlay's backup storage). */
  readonly bucket: IBucket;
  /** Days logs are kept; the compactor deletes older ones. */
  readonly retentionDays: number;
  /** @default 'single-binary' */
  readonly mode?: LokiMode;
  /** Pods of each of read, write and backend (`simple-scalable` only). @default 3 */
  readonly replicas?: number;
  /** Each pod's volume (write-ahead log, index cache, compactor working files). @default '10Gi' */
  readonly storageSize?: string;
  /** The volumes' storage class. @default the cluster's default class */
  readonly storageClass?: string;
  /** @default 'monitoring' */
  readonly namespace?: string;
  /** Requests and limits of each Loki pod. @default 100m CPU and 256Mi memory requested, 1 CPU and 1Gi memory limit */
  readonly resources?: ComputeResources;
  /** The engine that applies the release. @default the PlatformApp's */
  readonly gitops?: GitOpsSpec;
  /** The Argo CD project of the Application (Argo CD only). @default the PlatformApp's */
  readonly argoProject?: string;
}

/**
 * In `monitoring`, not in Fluent Bit's `logging`: that namespace is `privileged` for Fluent
 * Bit's hostPath, and a store has no business there; Loki runs as a non-root restricted pod
 * beside the Prometheus and Grafana that read it, as VictoriaLogs does.
 *
 * Without the chart's gateway (an nginx in front of the read and write paths): there is one
 * tenant (`auth_enabled: false`) and nothing for it to authenticate, and every client reaches
 * the component it needs through one network path per client. Without the chart's memcached
 * caches (8 GiB of chunk cache by default), its canary and its test pod.
 *
 * The release is protected from pruning: removing it from the tree leaves Loki running,
 * and the logs stay in the bucket whatever happens to the release (logging-transitions.ts).
 */
export class Loki extends Construct implements IGrantee, IConnectable {
  public readonly namespace: string;
  /** Every Loki pod (the chart's labels); the components talk to each other within the namespace. */
  public readonly pods: PodGroup;
  /** The in-cluster host Fluent Bit pushes to: the write path (`loki-write`), or the single binary (`loki`). */
  public readonly pushHost: string;
  /** The in-cluster URL Grafana queries: the read path (`http://loki-read.<namespace>.svc:3100`), or the single binary. */
  public readonly queryUrl: string;
  public readonly mode: LokiMode;
  public readonly connections: Connections;

  /** Loki as Grafana's data source of the logs (uid `loki`), read through `queryUrl`. */
  public get grafanaDataSource(): GrafanaDataSource {
    return { name: 'Loki', type: 'loki', uid: 'loki', url: this.queryUrl, jsonData: { maxLines: 1000 } };
  }

  constructor(scope: Construct, id: string, props: LokiProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new Error(`Loki: retentionDays ${props.retentionDays} is not a whole number of days of 1 or more`);
    }
    const mode = props.mode ?? 'single-binary';
    const replicas = props.replicas ?? 3;
    if (mode === 'simple-scalable' && (!Number.isInteger(replicas) || replicas < 2 || replicas > 30)) {
      throw new Error(
        `Loki: replicas ${replicas} must be 2 to 30 pods of each of read, write and backend in simple-scalable mode (3 survives the loss of one)`,
      );
    }
    this.mode = mode;
    const context = OverlayContext.of(this);
    this.namespace = context.requireNamespace({
      name: props.namespace ?? 'monitoring',
      workload: false,
      // read, write and backend find each other through memberlist (TCP and UDP) and gRPC.
      allowSameNamespace: true,
    });
    this.pods = { namespace: this.namespace, podLabels: { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/instance': LOKI_RELEASE } };
    const single = mode === 'single-binary';
    const service = (suffix: string) => `${LOKI_RELEASE}${single ? '' : `-${suffix}`}.${this.namespace}.svc`;
    this.pushHost = service('write');
    this.queryUrl = `http://${service('read')}:${LOKI_PORT}`;
    this.connections = new Connections({ scope: this, name: LOKI_RELEASE, pods: this.pods, defaultPorts: [LOKI_PORT] });

    // The bucket's own credential (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) in this namespace,
    // the CA where the bucket has one, and the network path to it.
    const access = props.bucket.grantReadWrite(this);
    const endpoint = new URL(access.endpoint);
    const caVolume = access.ca
      ? { name: 's3-ca', secret: { secretName: access.ca.name, items: [{ key: access.ca.key, path: access.ca.key }] } }
      : undefined;
    const resources = props.resources ?? { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
    const persistence = {
      size: props.storageSize ?? '10Gi',
      ...(props.storageClass ? { storageClass: props.storageClass } : {}),
      // The write-ahead log holds what is not in the bucket yet: the claim outlives the StatefulSet.
      enableStatefulSetAutoDeletePVC: false,
    };
    const component = (count: number) => ({
      replicas: count,
      resources,
      // The config reads the credential from the environment; no key is in the values or in dist/.
      extraArgs: ['-config.expand-env=true'],
      extraEnvFrom: [{ secretRef: { name: access.credentials.name } }],
      extraVolumes: caVolume ? [caVolume] : [],
      extraVolumeMounts: caVolume ? [{ name: caVolume.name, mountPath: CA_DIR, readOnly: true }] : [],
      persistence,
    });

    scrapePods(this, 'PodMonitor', {
      name: LOKI_RELEASE,
      pods: this.pods,
      ports: [LOKI_PORT],
      endpoints: [{ portNumber: LOKI_PORT, path: '/metrics' }],
    });
    addAlertRules(this, 'Alerts', {
      name: LOKI_RELEASE,
      namespace: this.namespace,
      labels: { namespace: this.namespace },
      alerts: () => lokiAlerts({ name: LOKI_RELEASE, namespace: this.namespace }),
      runbooks: RUNBOOKS.logging,
    });

    releaseChart(this, 'Release', {
      name: LOKI_RELEASE,
      chart: 'loki',
      namespace: this.namespace,
      ...(props.gitops ? { gitops: props.gitops } : {}),
      ...(props.argoProject ? { argoProject: props.argoProject } : {}),
      // The release runs the store: removing it from the tree must not uninstall Loki.
      protectFromPrune: true,
      values: {
        deploymentMode: single ? 'SingleBinary' : 'SimpleScalable',
        loki: {
          auth_enabled: false,
          // The chart's pod context plus the seccomp profile the restricted Pod Security level asks for.
          podSecurityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          commonConfig: { replication_factor: single ? 1 : Math.min(3, replicas) },
          schemaConfig: {
            configs: [{ from: LOKI_SCHEMA_FROM, store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'loki_index_', period: '24h' } }],
          },
          storage: {
            type: 's3',
            bucketNames: { chunks: access.bucket, ruler: access.bucket },
            s3: {
              endpoint: endpoint.host,
              region: access.region ?? S3_REGION,
              accessKeyId: '${AWS_ACCESS_KEY_ID}',
              secretAccessKey: '${AWS_SECRET_ACCESS_KEY}',
              s3ForcePathStyle: true,
              insecure: endpoint.protocol === 'http:',
              ...(access.ca ? { http_config: { ca_file: `${CA_DIR}/${access.ca.key}` } } : {}),
            },
          },
          // The compactor deletes what is older than the retention, and serves delete requests from the bucket.
          compactor: { working_directory: '/var/loki/compactor', retention_enabled: true, delete_request_store: 's3' },
          limits_config: { retention_period: `${props.retentionDays * 24}h` },
        },
        ruler: { enabled: false },
        gateway: { enabled: false },
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        // Its rules sidecar watches the API server for ConfigMaps; there is no ruler to feed.
        sidecar: { rules: { enabled: false } },
        singleBinary: component(single ? 1 : 0),
        write: component(single ? 0 : replicas),
        read: component(single ? 0 : replicas),
        backend: component(single ? 0 : replicas),
      },
    });
  }

  /** Opens the push path to a writer's pods (Fluent Bit): Loki's port, no credential. */
  public allowWrites(writer: IGrantee): void {
    this.connections.allowFrom(writer);
  }

  public get granteeName(): string {
    return LOKI_RELEASE;
  }

  public get granteePods(): PodGroup {
    return this.pods;
  }

  public get grantScope(): Construct {
    return this;
  }
}
