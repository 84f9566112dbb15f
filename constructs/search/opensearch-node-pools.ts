import * as os from '../../imports/opensearch.org';
import type { ComputeResources, NodePool } from '../core/compute';
import { restrictedContainerSecurityContext } from '../platform/hardening';
import { nodePoolSelector, nodePoolTolerations } from '../platform/scheduling';
import { SEARCH_IMAGES } from '../versions';

/** The uid the OpenSearch images run as. */
export const OPENSEARCH_UID = 1000;
export const OPENSEARCH_HOME = '/usr/share/opensearch';
/** Where the nodes' truststore (public CAs plus the platform CA) is built. */
export const TRUSTSTORE_DIR = `${OPENSEARCH_HOME}/config/platform-truststore`;
/** The JDK's default truststore password: the store holds public certificates only. */
const TRUSTSTORE_PASSWORD = 'changeit';

/** Cluster-manager nodes hold the cluster state, not data: a fixed, small footprint. */
export const DEFAULT_MANAGER_RESOURCES: ComputeResources = { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } };
export const DEFAULT_MANAGER_HEAP = '1g';
export const DEFAULT_MANAGER_STORAGE = '10Gi';

/** One node pool (a StatefulSet): its component name is part of pod, service and certificate names. */
export interface NodePoolPlan {
  readonly component: string;
  readonly replicas: number;
  readonly roles: readonly string[];
  readonly resources: ComputeResources;
  readonly heap: string;
  readonly diskSize: string;
}

export interface NodePoolSizing {
  readonly topology: 'dedicated' | 'combined';
  readonly managers: number;
  readonly dataNodes: number;
  readonly storageSize: string;
  readonly resources: ComputeResources;
  readonly heap: string;
  readonly managerResources?: ComputeResources;
  readonly managerHeap?: string;
  readonly managerStorageSize?: string;
}

/**
 * `dedicated`: `managers` (cluster_manager) and `data` pools; `combined`: one `nodes` pool with
 * every role. Data-bearing nodes also carry `ingest`, and `remote_cluster_client` so that a
 * cross-cluster replication follower pulls from its leader through them.
 */
export function planNodePools(sizing: NodePoolSizing): NodePoolPlan[] {
  const data = { diskSize: sizing.storageSize, resources: sizing.resources, heap: sizing.heap };
  if (sizing.topology === 'combined') {
    return [{ component: 'nodes', replicas: sizing.dataNodes, roles: ['cluster_manager', 'data', 'ingest', 'remote_cluster_client'], ...data }];
  }
  return [
    {
      component: 'managers',
      replicas: sizing.managers,
      roles: ['cluster_manager'],
      diskSize: sizing.managerStorageSize ?? DEFAULT_MANAGER_STORAGE,
      resources: sizing.managerResources ?? DEFAULT_MANAGER_RESOURCES,
      heap: sizing.managerHeap ?? DEFAULT_MANAGER_HEAP,
    },
    { component: 'data', replicas: sizing.dataNodes, roles: ['data', 'ingest', 'remote_cluster_client'], ...data },
  ];
}

export interface NodePoolContext {
  readonly clusterLabels: Readonly<Record<string, string>>;
  readonly storageClass: string;
  readonly nodePool?: NodePool;
  readonly zoneLabel: string;
  /** Build and use the truststore with the platform CA (snapshots to MinIO need it). */
  readonly truststore: boolean;
}

/** The node pool as the OpenSearchCluster CRD takes it. */
export function renderNodePool(pool: NodePoolPlan, ctx: NodePoolContext) {
  const poolLabels = { ...ctx.clusterLabels, 'opensearch.org/opensearch-nodepool': pool.component };
  const trust = ctx.truststore
    ? ` -Djavax.net.ssl.trustStore=${TRUSTSTORE_DIR}/cacerts -Djavax.net.ssl.trustStorePassword=${TRUSTSTORE_PASSWORD}`
    : '';
  return {
    component: pool.component,
    replicas: pool.replicas,
    roles: [...pool.roles],
    diskSize: os.OpenSearchClusterSpecNodePoolsDiskSize.fromString(pool.diskSize),
    persistence: { pvc: { storageClass: ctx.storageClass, accessModes: ['ReadWriteOnce'] } },
    jvm: `-Xms${pool.heap} -Xmx${pool.heap}${trust}`,
    resources: {
      requests: {
        cpu: os.OpenSearchClusterSpecNodePoolsResourcesRequests.fromString(pool.resources.requests.cpu),
        memory: os.OpenSearchClusterSpecNodePoolsResourcesRequests.fromString(pool.resources.requests.memory),
      },
      limits: {
        cpu: os.OpenSearchClusterSpecNodePoolsResourcesLimits.fromString(pool.resources.limits.cpu),
        memory: os.OpenSearchClusterSpecNodePoolsResourcesLimits.fromString(pool.resources.limits.memory),
      },
    },
    ...scheduling(ctx.nodePool),
    affinity: {
      podAntiAffinity: {
        // Two nodes of one pool on one machine would lose two copies (or two votes) at once.
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: poolLabels }, topologyKey: 'kubernetes.io/hostname' }],
      },
    },
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: ctx.zoneLabel, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: poolLabels } },
    ],
    ...(pool.replicas > 1 ? { pdb: { enable: true, maxUnavailable: os.OpenSearchClusterSpecNodePoolsPdbMaxUnavailable.fromNumber(1) } } : {}),
    ...(ctx.truststore ? { initContainers: [truststoreInitContainer()] } : {}),
  };
}

/**
 * The operator's temporary bootstrap pod (operator versions that still form a new cluster
 * through one): small, on the database nodes like the others.
 */
export function renderBootstrap(nodePool: NodePool | undefined) {
  return {
    jvm: '-Xms512m -Xmx512m',
    resources: {
      requests: {
        cpu: os.OpenSearchClusterSpecBootstrapResourcesRequests.fromString('500m'),
        memory: os.OpenSearchClusterSpecBootstrapResourcesRequests.fromString('1Gi'),
      },
      limits: {
        cpu: os.OpenSearchClusterSpecBootstrapResourcesLimits.fromString('1'),
        memory: os.OpenSearchClusterSpecBootstrapResourcesLimits.fromString('1Gi'),
      },
    },
    ...scheduling(nodePool),
  };
}

function scheduling(nodePool: NodePool | undefined) {
  return {
    nodeSelector: nodePoolSelector(nodePool),
    tolerations: nodePoolTolerations(nodePool),
  };
}

/**
 * Builds the nodes' truststore: the JDK's public CAs plus the platform CA (which signs
 * MinIO's certificate), in an emptyDir the node's JVM reads. Plugin downloads keep working
 * because the public CAs stay in.
 */
function truststoreInitContainer() {
  const jdk = `${OPENSEARCH_HOME}/jdk`;
  return {
    name: 'platform-truststore',
    image: SEARCH_IMAGES.opensearch,
    imagePullPolicy: 'IfNotPresent',
    command: [
      '/bin/sh',
      '-ec',
      [
        `cp ${jdk}/lib/security/cacerts /truststore/cacerts`,
        `${jdk}/bin/keytool -importcert -noprompt -alias strata-platform-ca -file /platform-ca/ca.crt -keystore /truststore/cacerts -storepass ${TRUSTSTORE_PASSWORD}`,
      ].join('\n'),
    ],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    securityContext: { ...restrictedContainerSecurityContext(), runAsUser: OPENSEARCH_UID, runAsGroup: OPENSEARCH_UID },
    volumeMounts: [
      { name: 'platform-ca', mountPath: '/platform-ca', readOnly: true },
      { name: 'platform-truststore', mountPath: '/truststore' },
    ],
  };
}
