import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { BucketAccess, GrantOptions, granteeS3Credentials, IBucket, S3_BUCKET_NAME } from './bucket';
import { assertWritablePrefix, BucketAccessLevel, PolicyDocument } from './bucket-policy';
import { MinioAccessSetup, MinioAccessUser, POLICY_PREFIX } from './minio-access-setup';
import { minioAlerts } from './minio-alerts';
import { MINIO_DEFAULTS } from './minio-defaults';
import * as minio from '../../imports/minio.min.io';
import * as monitoring from '../../imports/monitoring.coreos.com';
import type { ComputeResources, NodePool } from '../core/compute';
import type { IGrantee } from '../core/grantee';
// Aliased: the static key helpers take a `secretKeyPrefix` parameter.
import { secretKeyPrefix as layerKeyPrefix } from '../core/naming';
import type { SecretBackend } from '../core/secret-backend';
import type { PlatformUi } from '../ingress/platform-ui-route';
import { addAlertRules, RUNBOOKS } from '../platform/alert-rules';
import { Connections, IConnectable, singlePortConnections } from '../platform/connections';
import { componentLabels } from '../platform/labels';
import { dependOnLayerOf, LayerChart } from '../platform/layer-chart';
import { allowTraffic } from '../platform/network';
import { compareStrings } from '../platform/ordering';
import { OverlayContext } from '../platform/overlay-context';
import { protectFromPrune } from '../platform/protection';
import { nodePoolSelector, nodePoolTolerations } from '../platform/scheduling';
import { scrapePods } from '../platform/scrape';
import { SecretReference } from '../secrets/secret-reference';
import { CA_KEY, PlatformCa } from '../tls/platform-ca';

export interface MinioTenantProps {
  /** Tenant name (a public contract: the tenant's Services, Secrets and pods derive from it). @default 'storage' */
  readonly name?: string;
  /** @default 'minio' */
  readonly namespace?: string;
  /** @default 4 */
  readonly servers?: number;
  /** @default 4 */
  readonly volumesPerServer?: number;
  /** @default '100Gi' */
  readonly volumeSize?: string;
  /** Storage class, best with reclaim policy Retain. @default the cluster's default storage class */
  readonly storageClass?: string;
  /** Per server. @default requests 500m / 2Gi, limits 2 CPUs / 4Gi */
  readonly resources?: ComputeResources;
  /** Nodes reserved for stateful services. @default any node */
  readonly nodePool?: NodePool;
  /** Where the tenant's credentials come from (never rendered as values). */
  readonly secretBackend: SecretBackend;
  /** Prefix of every key this tenant reads from the secret store. @default `<region>/<environment>` of its layer */
  readonly secretKeyPrefix?: string;
}

/** MinioTenantProps with every default applied. */
type ResolvedProps = Required<Omit<MinioTenantProps, 'namespace' | 'storageClass' | 'nodePool'>> &
  Pick<MinioTenantProps, 'namespace' | 'storageClass' | 'nodePool'>;

function withDefaults(scope: Construct, props: MinioTenantProps): ResolvedProps {
  const layer = LayerChart.of(scope);
  return {
    ...props,
    name: props.name ?? MINIO_DEFAULTS.name,
    servers: props.servers ?? MINIO_DEFAULTS.servers,
    volumesPerServer: props.volumesPerServer ?? MINIO_DEFAULTS.volumesPerServer,
    volumeSize: props.volumeSize ?? MINIO_DEFAULTS.volumeSize,
    resources: props.resources ?? MINIO_DEFAULTS.resources,
    secretKeyPrefix: props.secretKeyPrefix ?? layerKeyPrefix(layer.region, layer.environment),
  };
}

// The bucket vocabulary (IBucket, BucketAccess, GrantOptions) is storage/bucket.ts'.
export { AWS_CREDENTIALS_FILE } from './bucket';
export type { BucketAccess, GrantOptions, IBucket, S3CredentialsFormat } from './bucket';

/** How a reader outside the cluster may use a bucket besides reading it. */
export interface ExternalReadOptions {
  /**
   * Key prefixes (ending in `/`) the reader may also write, never delete: where it records
   * what it did, such as Velero's restore logs and results.
   * @default none
   */
  readonly writablePrefixes?: readonly string[];
}

/** A MinIO port: S3 API inside the pod (the Service exposes it on 443). */
const S3_PORT = 9000;
/** The console's port with TLS (the operator's `<tenant>-console` Service). */
const CONSOLE_PORT = 9443;

/** A tenant user: one per consumer, whatever buckets of the tenant it is granted. */
interface TenantUser {
  readonly secretName: string;
  readonly policy: string;
  /** Bucket → what the user may do there. */
  readonly grants: Map<string, { access: BucketAccessLevel; writablePrefixes: Set<string> }>;
}

/**
 * A MinIO operator Tenant: one pool sized by the tier (at least 4 drives for erasure coding,
 * or a 1×1 standalone tenant), on the region's retain storage class and database nodes,
 * with TLS from the platform CA, root credentials from the secret store, prune protection
 * and no console exposed. Buckets are declared by their users
 * (`tenant.bucket('pg-backups')`) and each consumer gets its own credential and a policy
 * allowing S3 actions on exactly the buckets it was granted (`MinioAccessSetup`); the
 * operator's `spec.users` is not used, as it makes every user a `consoleAdmin`.
 */
export class MinioTenant extends Construct implements IConnectable {
  /** The secret-store key under which a tenant in `secretKeyPrefix` keeps `reader`'s credential. */
  public static externalUserKey(secretKeyPrefix: string, tenant: string, reader: string): string {
    return `${secretKeyPrefix}/minio/${tenant}/users/${reader}`;
  }

  public readonly name: string;
  public readonly namespace: string;
  /** In-cluster S3 endpoint. */
  public readonly endpoint: string;
  public readonly podLabels: Readonly<Record<string, string>>;
  private readonly buckets = new Set<string>();
  private readonly users = new Map<string, TenantUser>();
  private readonly props: ResolvedProps;
  private connectionsOf?: Connections;
  private readonly configSecret: string;
  private readonly tlsSecret: string;
  private access?: MinioAccessSetup;

  constructor(scope: Construct, id: string, given: MinioTenantProps) {
    super(scope, id);
    const props = withDefaults(this, given);
    const drives = props.servers * props.volumesPerServer;
    if (drives > 1 && drives < 4) {
      throw new Error(
        `MinIO tenant ${props.name}: ${props.servers} × ${props.volumesPerServer} = ${drives} drives; erasure coding needs at least 4 (or 1×1 standalone)`,
      );
    }
    this.props = props;
    this.name = props.name;
    // MinIO's sidecar watches the Tenant through the API server.
    this.namespace = OverlayContext.of(this).requireNamespace({
      name: props.namespace ?? MINIO_DEFAULTS.namespace,
      workload: true,
      apiServerEgress: true,
    });
    this.endpoint = `https://minio.${this.namespace}.svc.cluster.local`;
    this.podLabels = { 'v1.min.io/tenant': props.name };

    const config = new SecretReference(this, 'RootCredentials', {
      backend: props.secretBackend,
      namespace: this.namespace,
      name: `${props.name}-env-configuration`,
      remoteKey: `${props.secretKeyPrefix}/minio/${props.name}/root`,
      keys: { rootUser: 'username', rootPassword: 'password' },
      template: { 'config.env': 'export MINIO_ROOT_USER="{{ .rootUser }}"\nexport MINIO_ROOT_PASSWORD="{{ .rootPassword }}"\n' },
    });

    this.configSecret = config.name;
    const tlsSecret = `${props.name}-tls`;
    this.tlsSecret = tlsSecret;
    PlatformCa.of(this).issueServerCertificate(this, 'Certificate', {
      namespace: this.namespace,
      secretName: tlsSecret,
      dnsNames: [
        'minio',
        `minio.${this.namespace}`,
        `minio.${this.namespace}.svc`,
        `minio.${this.namespace}.svc.cluster.local`,
        `*.${props.name}-hl.${this.namespace}.svc.cluster.local`,
      ],
    });

    const tenant = new minio.Tenant(this, 'Resource', {
      metadata: { name: props.name, namespace: this.namespace, labels: componentLabels('minio', props.name, 'object-storage') },
      spec: {
        configuration: { name: config.name },
        pools: [
          {
            name: 'pool-0',
            servers: props.servers,
            volumesPerServer: props.volumesPerServer,
            volumeClaimTemplate: {
              metadata: { name: 'data' },
              spec: {
                accessModes: ['ReadWriteOnce'],
                storageClassName: props.storageClass,
                resources: { requests: { storage: minio.TenantSpecPoolsVolumeClaimTemplateSpecResourcesRequests.fromString(props.volumeSize) } },
              },
            },
            resources: {
              requests: {
                cpu: minio.TenantSpecPoolsResourcesRequests.fromString(props.resources.requests.cpu),
                memory: minio.TenantSpecPoolsResourcesRequests.fromString(props.resources.requests.memory),
              },
              limits: {
                cpu: minio.TenantSpecPoolsResourcesLimits.fromString(props.resources.limits.cpu),
                memory: minio.TenantSpecPoolsResourcesLimits.fromString(props.resources.limits.memory),
              },
            },
            nodeSelector: nodePoolSelector(props.nodePool),
            tolerations: nodePoolTolerations(props.nodePool),
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  {
                    labelSelector: { matchLabels: { ...this.podLabels, 'v1.min.io/pool': 'pool-0' } },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                ],
              },
            },
            securityContext: { runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch' },
            containerSecurityContext: {
              runAsUser: 1000,
              runAsGroup: 1000,
              runAsNonRoot: true,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
          },
        ],
        requestAutoCert: false,
        externalCertSecret: [{ name: tlsSecret, type: 'cert-manager.io/v1' }],
        // Buckets are declared by consumers after construction. Users are not listed: the
        // operator would make each a consoleAdmin (MinioAccessSetup creates them instead).
        buckets: Lazy.any({ produce: () => this.renderBuckets() }),
        exposeServices: { minio: false, console: false },
        features: { bucketDns: false },
        // The operator's Prometheus integration looks for a Prometheus object in its own
        // PROMETHEUS_NAMESPACE (`default` unless set), patches its additional scrape configs
        // and, when it finds none, fails the reconcile before it creates users and buckets.
        // The tenant's own PodMonitor scrapes it instead.
        prometheusOperator: false,
        // Metrics without a bearer token: only the pods NetworkPolicies let reach the S3 port
        // (Prometheus, the operator, granted consumers) can read them.
        env: [{ name: 'MINIO_PROMETHEUS_AUTH_TYPE', value: 'public' }],
      },
    });
    protectFromPrune(tenant);

    const pods = { namespace: this.namespace, podLabels: this.podLabels };
    // Erasure-coded servers talk to each other; the operator creates buckets over the S3 API;
    // the servers fetch their configuration from the operator.
    allowTraffic(this, 'AllowPeers', { name: `allow-${props.name}-peers`, from: pods, to: pods, ports: [S3_PORT] });
    allowTraffic(this, 'AllowOperator', {
      name: `allow-minio-operator-to-${props.name}`,
      from: { namespace: 'minio-operator', podLabels: {} },
      to: pods,
      ports: [S3_PORT],
    });
    // Every server reports the whole cluster's metrics (capacity, offline nodes and drives).
    scrapePods(this, 'PodMonitor', {
      name: props.name,
      pods,
      endpoints: [
        {
          portNumber: S3_PORT,
          scheme: monitoring.PodMonitorSpecPodMetricsEndpointsScheme.HTTPS,
          path: '/minio/v2/metrics/cluster',
          tlsConfig: { ca: { secret: { name: tlsSecret, key: CA_KEY } }, serverName: `minio.${this.namespace}.svc` },
        },
      ],
      ports: [S3_PORT],
    });
    addAlertRules(this, 'Alerts', {
      runbooks: RUNBOOKS.storage,
      name: props.name,
      namespace: this.namespace,
      labels: { namespace: this.namespace, minio_tenant: props.name },
      alerts: () => minioAlerts({ name: props.name, namespace: this.namespace }),
    });
    allowTraffic(this, 'AllowConfig', {
      name: `allow-${props.name}-to-minio-operator`,
      from: pods,
      to: { namespace: 'minio-operator', podLabels: {} },
      ports: [4221, 4222],
    });
  }

  /** The S3 API as others connect to it: `connections.allowFrom(grantee)` opens the path a grant opens, without a credential. */
  /**
   * The tenant's console as a platform UI (`PlatformUiRoute`): the `<tenant>-console` Service the
   * operator makes, on 9443, HTTPS with the tenant's certificate (issued for `minio.<namespace>.svc`),
   * its own login behind the route's.
   */
  public get consoleUi(): PlatformUi {
    return {
      target: {
        routeName: `${this.name}-console`,
        serviceName: `${this.name}-console`,
        servicePort: CONSOLE_PORT,
        targetPort: CONSOLE_PORT,
        routePods: { namespace: this.namespace, podLabels: this.podLabels },
        backendTls: { serverName: `minio.${this.namespace}.svc` },
      },
    };
  }

  public get connections(): Connections {
    this.connectionsOf ??= singlePortConnections({
      scope: this,
      name: this.name,
      what: 'MinIO tenant',
      pods: { namespace: this.namespace, podLabels: this.podLabels },
      port: S3_PORT,
      admit: (client) => this.openS3To(client),
    });
    return this.connectionsOf;
  }

  /** The path from a grantee's pods to the S3 API, owned by the grantee (once per grantee). */
  private openS3To(grantee: IGrantee): void {
    const consumer = grantee.grantScope;
    const policyId = `AllowS3-${grantee.granteePods.namespace}-${grantee.granteeName}`;
    if (consumer.node.tryFindChild(`${policyId}Egress`)) return;
    allowTraffic(consumer, policyId, {
      name: `allow-${grantee.granteeName}-to-minio-${this.name}`,
      from: grantee.granteePods,
      to: { namespace: this.namespace, podLabels: this.podLabels },
      ports: [S3_PORT],
    });
  }

  private renderBuckets() {
    return [...this.buckets].sort().map((name) => ({ name }));
  }

  /** Declares a bucket (created by the operator) and returns a handle for granting access. */
  public bucket(name: string): Bucket {
    if (!S3_BUCKET_NAME.test(name)) throw new Error(`bucket name "${name}" is not a valid S3 bucket name`);
    this.buckets.add(name);
    return new Bucket(this, name);
  }

  /**
   * Policy document of each tenant user, by policy name (`strata-<consumer>`), as the
   * access set-up Job writes them. Final once every grant is made.
   */
  public policies(): Record<string, PolicyDocument> {
    return this.access?.policies() ?? {};
  }

  /**
   * The tenant user named after `name` (`<name>-minio-user`, from the secret-store key
   * `users/<name>`), with `access` to `bucket` added to its policy; returns the key.
   */
  private grantUser(name: string, bucket: string, access: BucketAccessLevel, writablePrefixes: readonly string[] = []): string {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name)) {
      throw new Error(`MinIO tenant ${this.name}: user "${name}" must be lower-case letters, digits and -, as a Kubernetes name`);
    }
    writablePrefixes.forEach((prefix) => assertWritablePrefix(bucket, prefix));
    const remoteKey = MinioTenant.externalUserKey(this.props.secretKeyPrefix, this.name, name);
    const secretName = `${name}-minio-user`;
    let user = this.users.get(secretName);
    if (!user) {
      // The tenant side of the credential; the set-up Job creates the MinIO user from it.
      // (The key names are the ones spec.users used to read.)
      new SecretReference(this, `User-${name}`, {
        backend: this.props.secretBackend,
        namespace: this.namespace,
        name: secretName,
        remoteKey,
        keys: { CONSOLE_ACCESS_KEY: 'accessKey', CONSOLE_SECRET_KEY: 'secretKey' },
      });
      user = { secretName, policy: `${POLICY_PREFIX}${name}`, grants: new Map() };
      this.users.set(secretName, user);
    }
    const previous = user.grants.get(bucket);
    user.grants.set(bucket, {
      access: previous?.access === 'read-write' || access === 'read-write' ? 'read-write' : 'read',
      writablePrefixes: new Set([...(previous?.writablePrefixes ?? []), ...writablePrefixes]),
    });
    this.access ??= new MinioAccessSetup(this, 'AccessSetup', {
      tenantName: this.name,
      namespace: this.namespace,
      endpoint: this.endpoint,
      tenantPods: { namespace: this.namespace, podLabels: this.podLabels },
      s3Port: S3_PORT,
      rootConfigSecret: this.configSecret,
      ca: { name: this.tlsSecret, key: CA_KEY },
      users: () => this.accessUsers(),
    });
    return remoteKey;
  }

  private accessUsers(): MinioAccessUser[] {
    return [...this.users.values()].map((user) => ({
      policy: user.policy,
      secretName: user.secretName,
      grants: [...user.grants]
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([bucket, g]) => ({
          bucket,
          access: g.access,
          ...(g.writablePrefixes.size ? { writablePrefixes: [...g.writablePrefixes].sort() } : {}),
        })),
    }));
  }

  /** @internal */
  public _grantExternalRead(reader: string, bucket: string, options: ExternalReadOptions = {}): string {
    return this.grantUser(reader, bucket, 'read', options.writablePrefixes);
  }

  /** @internal */
  public _grant(grantee: IGrantee, bucket: string, options: GrantOptions = {}): BucketAccess {
    const consumer = grantee.grantScope;
    const who = { name: grantee.granteeName, namespace: grantee.granteePods.namespace, podLabels: grantee.granteePods.podLabels };
    const remoteKey = this.grantUser(who.name, bucket, 'read-write');
    dependOnLayerOf(consumer, this);
    // One credential per consumer, whichever buckets of this tenant it is granted.
    const credentials = granteeS3Credentials(grantee, this.name, this.props.secretBackend, remoteKey, options);
    this.openS3To(grantee);
    return { bucket, endpoint: this.endpoint, credentials, ca: PlatformCa.of(this).trustIn(consumer, who.namespace) };
  }
}

/** A bucket of a tenant; `grantReadWrite` and `grantExternalRead` wire a consumer to it. */
export class Bucket implements IBucket {
  /** MinIO serves TLS with a certificate from the platform CA. */
  public readonly privateCa = true;

  constructor(
    public readonly tenant: MinioTenant,
    public readonly name: string,
  ) {}

  public get bucketName(): string {
    return this.name;
  }

  /**
   * Gives a grantee its own tenant user and credential in its own namespace, read, write
   * and delete on this bucket's objects (and on those of other buckets it is granted,
   * nothing else), the CA to trust, and the network path from its pods.
   */
  public grantReadWrite(grantee: IGrantee, options: GrantOptions = {}): BucketAccess {
    return this.tenant._grant(grantee, this.name, options);
  }

  /**
   * Gives a reader outside this cluster (a DR peer in another region) its own tenant user,
   * allowed to list and read this bucket (plus `writablePrefixes`), and returns the
   * secret-store key its credential lives under; the reader's overlay reads the same key
   * (`MinioTenant.externalUserKey`).
   */
  public grantExternalRead(reader: string, options: ExternalReadOptions = {}): string {
    return this.tenant._grantExternalRead(reader, this.name, options);
  }
}
