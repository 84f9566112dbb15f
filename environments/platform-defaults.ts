/**
 * The bottom of the defaults stack: platform defaults < tier profile < region < overlay.
 * Every value here is production-shaped; tiers only scale things down. An environments
 * folder can override any of it (platform.yaml, tiers/<tier>.yaml, regions/<r>.yaml
 * `defaults:`, overlays/<r>/<env>.yaml), so change behaviour there, not here.
 */
import type { ComputeResources, OverlaySettings, Tier } from './model';
import { DEFAULT_LIMIT_RANGE } from '../constructs/core/namespace-policy';
import { POSTGRES_DEFAULTS } from '../constructs/data/postgres-defaults';
import { REDIS_DEFAULTS } from '../constructs/data/redis-defaults';
import { OPENSEARCH_DEFAULTS } from '../constructs/search/opensearch-defaults';
import { MINIO_DEFAULTS } from '../constructs/storage/minio-defaults';
import { KAFKA_DEFAULTS } from '../constructs/streaming/kafka-defaults';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly any[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type PartialSettings = DeepPartial<OverlaySettings>;

const guaranteed = (cpu: string, memory: string): ComputeResources => ({ requests: { cpu, memory }, limits: { cpu, memory } });

/** Settings every overlay starts from (tier and DR role are set per overlay). */
export const PLATFORM_DEFAULTS: Omit<OverlaySettings, 'tier'> = {
  quota: {
    requestsCpu: '16',
    requestsMemory: '32Gi',
    limitsCpu: '16',
    limitsMemory: '32Gi',
    requestsStorage: '4Ti',
    persistentVolumeClaims: 64,
    pods: 100,
  },
  limitRange: DEFAULT_LIMIT_RANGE,
  placement: {},
  // Production: two Prometheus replicas keep alerts evaluated through a restart, three Alertmanagers keep silences.
  monitoring: {
    stack: 'kube-prometheus-stack',
    prometheus: {
      replicas: 2,
      retention: '15d',
      storageSize: '50Gi',
      resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    },
    alertmanager: { replicas: 3, storageSize: '1Gi' },
    // With monitoring.stack: victoriametrics, a VMCluster: three storage nodes, two copies of every sample.
    victoriametrics: { storage: 'cluster', storageNodes: 3, replicationFactor: 2 },
    // Days of container logs kept (where they are collected, monitoring.logging.backend); Loki
    // (backend: loki) as read, write and backend pods, three of each, so one can be lost.
    logging: { retentionDays: 30, storageSize: '50Gi', loki: { mode: 'simple-scalable', replicas: 3 } },
  },
  ui: {},
  apps: {},
  ingress: { acme: { server: 'production', solver: { http01: {} } }, allowCrossNamespace: false, wildcard: false, middlewares: {} },
  postgres: {
    enabled: true,
    engine: 'cloudnative-pg',
    name: POSTGRES_DEFAULTS.name,
    namespace: POSTGRES_DEFAULTS.namespace,
    instances: POSTGRES_DEFAULTS.instances,
    synchronous: POSTGRES_DEFAULTS.synchronous,
    podAntiAffinity: POSTGRES_DEFAULTS.podAntiAffinity,
    storageSize: POSTGRES_DEFAULTS.storageSize,
    walStorageSize: POSTGRES_DEFAULTS.walStorageSize,
    resources: POSTGRES_DEFAULTS.resources,
    parameters: POSTGRES_DEFAULTS.parameters,
    databases: [],
    backup: { schedule: POSTGRES_DEFAULTS.backupSchedule, retention: POSTGRES_DEFAULTS.backupRetention },
    external: { addresses: [], pgbouncerPort: 6432, exporterPort: 9187, logicalDecoding: false, postgresPort: 5432 },
  },
  minio: {
    enabled: true,
    name: MINIO_DEFAULTS.name,
    namespace: MINIO_DEFAULTS.namespace,
    servers: MINIO_DEFAULTS.servers,
    volumesPerServer: MINIO_DEFAULTS.volumesPerServer,
    volumeSize: MINIO_DEFAULTS.volumeSize,
    resources: MINIO_DEFAULTS.resources,
  },
  postgresClusters: {},
  backupStorage: { kind: 'minio' },
  redis: { enabled: false, ...REDIS_DEFAULTS, addresses: [] },
  namespaces: {},
  velero: {
    enabled: true,
    schedule: '0 2 * * *',
    ttl: '720h',
    extraNamespaces: [],
  },
  streaming: {
    kafka: {
      enabled: false,
      name: KAFKA_DEFAULTS.name,
      namespace: KAFKA_DEFAULTS.namespace,
      topology: KAFKA_DEFAULTS.topology,
      controllers: KAFKA_DEFAULTS.controllers,
      brokers: KAFKA_DEFAULTS.brokers,
      storageSize: KAFKA_DEFAULTS.storageSize,
      resources: KAFKA_DEFAULTS.resources,
      replicationFactor: KAFKA_DEFAULTS.replicationFactor,
      minInsyncReplicas: KAFKA_DEFAULTS.minInsyncReplicas,
      retentionHours: KAFKA_DEFAULTS.retentionHours,
      authentication: KAFKA_DEFAULTS.authentication,
    },
    connect: { replicas: 2, resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } }, image: '' },
    pipelines: [],
    mirrorTopics: '.*',
  },
  opensearch: {
    enabled: false,
    name: OPENSEARCH_DEFAULTS.name,
    namespace: OPENSEARCH_DEFAULTS.namespace,
    topology: OPENSEARCH_DEFAULTS.topology,
    managers: OPENSEARCH_DEFAULTS.managers,
    dataNodes: OPENSEARCH_DEFAULTS.dataNodes,
    storageSize: OPENSEARCH_DEFAULTS.storageSize,
    resources: OPENSEARCH_DEFAULTS.resources,
    heap: OPENSEARCH_DEFAULTS.heap,
    snapshotSchedule: OPENSEARCH_DEFAULTS.snapshotSchedule,
    // Index retention (a policy the charts add), not a construct prop.
    retentionDays: 90,
    prometheusExporter: OPENSEARCH_DEFAULTS.prometheusExporter,
  },
  dr: { role: 'primary' },
};

/** The dev profile (and, with shorter retention and no Velero, the test profile): one of everything. */
const SMALL_TIER: PartialSettings = {
  monitoring: {
    prometheus: {
      replicas: 1,
      retention: '3d',
      storageSize: '10Gi',
      resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
    },
    alertmanager: { replicas: 1, storageSize: '1Gi' },
    victoriametrics: { storage: 'single' },
    logging: { retentionDays: 7, storageSize: '10Gi', loki: { mode: 'single-binary' } },
  },
  quota: {
    requestsCpu: '4',
    requestsMemory: '8Gi',
    limitsCpu: '4',
    limitsMemory: '8Gi',
    requestsStorage: '256Gi',
    persistentVolumeClaims: 16,
    pods: 40,
  },
  limitRange: { max: { cpu: '2', memory: '8Gi' } },
  postgres: {
    instances: 1,
    synchronous: false,
    podAntiAffinity: 'preferred',
    storageSize: '5Gi',
    walStorageSize: '2Gi',
    resources: guaranteed('500m', '1Gi'),
    parameters: { max_connections: '50', shared_buffers: '256MB', effective_cache_size: '768MB', work_mem: '4MB', maintenance_work_mem: '64MB' },
    backup: { retention: '7d' },
  },
  minio: {
    servers: 1,
    volumesPerServer: 1,
    volumeSize: '20Gi',
    resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1Gi' } },
  },
  velero: { ttl: '168h' },
  streaming: {
    kafka: {
      topology: 'combined',
      brokers: 1,
      storageSize: '10Gi',
      resources: guaranteed('500m', '1Gi'),
      replicationFactor: 1,
      minInsyncReplicas: 1,
      retentionHours: 24,
    },
    connect: { replicas: 1, resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } },
  },
  opensearch: { topology: 'combined', dataNodes: 1, storageSize: '10Gi', resources: guaranteed('500m', '2Gi'), heap: '1g', retentionDays: 7 },
};

/** Built-in tier profiles (the k3s community site's quotas: prod 32 Gi / 16 CPU, staging 16 / 8, dev and test 8 / 4). */
export const TIER_PROFILES: Readonly<Record<Tier, PartialSettings>> = {
  prod: {},
  staging: {
    monitoring: {
      prometheus: {
        replicas: 1,
        retention: '7d',
        storageSize: '20Gi',
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '1', memory: '3Gi' } },
      },
      alertmanager: { replicas: 1, storageSize: '1Gi' },
      victoriametrics: { storage: 'single' },
      logging: { retentionDays: 14, storageSize: '20Gi', loki: { mode: 'single-binary' } },
    },
    quota: {
      requestsCpu: '8',
      requestsMemory: '16Gi',
      limitsCpu: '8',
      limitsMemory: '16Gi',
      requestsStorage: '1Ti',
      persistentVolumeClaims: 32,
      pods: 60,
    },
    limitRange: { max: { cpu: '4', memory: '16Gi' } },
    postgres: {
      instances: 2,
      synchronous: false,
      podAntiAffinity: 'preferred',
      storageSize: '20Gi',
      walStorageSize: '5Gi',
      resources: guaranteed('1', '2Gi'),
      parameters: { max_connections: '100', shared_buffers: '512MB', effective_cache_size: '1536MB', work_mem: '8MB', maintenance_work_mem: '128MB' },
      backup: { retention: '14d' },
    },
    minio: {
      servers: 2,
      volumesPerServer: 2,
      volumeSize: '50Gi',
      resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
    },
    velero: { ttl: '336h' },
    streaming: {
      kafka: {
        topology: 'combined',
        brokers: 3,
        storageSize: '20Gi',
        resources: guaranteed('1', '2Gi'),
        replicationFactor: 3,
        minInsyncReplicas: 2,
        retentionHours: 72,
      },
      connect: { replicas: 1, resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } },
    },
    opensearch: { topology: 'combined', dataNodes: 3, storageSize: '20Gi', resources: guaranteed('1', '4Gi'), heap: '2g', retentionDays: 30 },
  },
  dev: SMALL_TIER,
  // Like dev, kept shorter: test clusters are recreated often and need no Velero.
  test: {
    ...SMALL_TIER,
    monitoring: { ...SMALL_TIER.monitoring, logging: { retentionDays: 3, storageSize: '10Gi', loki: { mode: 'single-binary' } } },
    postgres: { ...SMALL_TIER.postgres, backup: { retention: '3d' } },
    velero: { enabled: false, ttl: '72h' },
  },
};

/** Region fields that have a sensible default. */
export const REGION_DEFAULTS = {
  databaseNodes: { labels: {}, taints: [] },
  zoneLabel: POSTGRES_DEFAULTS.zoneLabel,
  // The kubernetes Service listens on 443; the API server behind it usually on 6443.
  apiServerPorts: [443, 6443],
  // Unverified downloads are warned about; a region (or --require-checksums) refuses them.
  requireChecksums: false,
  distribution: 'kubernetes',
  gitops: {
    flux: { path: './dist', sourceRef: { name: 'flux-system', namespace: 'flux-system' }, interval: '10m' },
    argocd: { path: 'dist', targetRevision: 'main', namespace: 'argocd', destinationServer: 'https://kubernetes.default.svc' },
  },
  /** The Secret in flux-system holding the age identity SOPS files are decrypted with (`age.agekey`). */
  sopsDecryptionSecret: 'sops-age',
  secrets: {
    'external-secrets': { storeKind: 'ClusterSecretStore', refreshInterval: '1h' },
    'sealed-secrets': { controllerNamespace: 'kube-system', controllerName: 'sealed-secrets-controller', sealed: {}, sealedDir: '' },
  },
} as const;
