/**
 * JSON schemas for the files in environments/. Every node may carry a `hint`: the fix shown
 * when a value fails there. Overlay, tier and region-default files hold only what differs,
 * so their schemas are the settings schema with nothing required (`partial`).
 */
import { TIERS } from './model';

type Schema = Record<string, any>;

/** A Kubernetes resource quantity (`500m`, `2`, `4Gi`, `1.5G`). */
export const QUANTITY_PATTERN = '^([0-9]+(\\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';
const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
const GO_DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(h|m|s|ms))+$';
const CRON_PATTERN = '^(@(hourly|daily|weekly|monthly|yearly)|(\\S+\\s+){4}\\S+)$';

const str = (extra: Schema = {}): Schema => ({ type: 'string', minLength: 1, ...extra });
const int = (minimum: number, maximum: number, hint?: string): Schema => ({ type: 'integer', minimum, maximum, ...(hint ? { hint } : {}) });
const bool = (): Schema => ({ type: 'boolean' });
const quantity = (what: string): Schema => ({ type: 'string', pattern: QUANTITY_PATTERN, hint: `write ${what} as a Kubernetes quantity, such as 500m, 2, 512Mi or 20Gi` });
const dnsLabel = (what: string): Schema => ({ type: 'string', pattern: DNS_LABEL_PATTERN, hint: `${what} must be a DNS label: lower-case letters, digits and '-', at most 63 characters` });
const duration = (): Schema => ({ type: 'string', pattern: GO_DURATION_PATTERN, hint: 'write a Go duration such as 720h, 30m or 1h30m' });
const cron = (): Schema => ({ type: 'string', pattern: CRON_PATTERN, hint: "write a five-field cron expression such as '0 2 * * *'" });
const retention = (): Schema => ({ type: 'string', pattern: '^[1-9][0-9]*[dwm]$', hint: 'write a retention such as 30d, 4w or 3m (days, weeks, months)' });
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema => ({
  type: 'object', properties, required, additionalProperties: false,
});
const map = (values: Schema): Schema => ({ type: 'object', additionalProperties: values });

const cpuMemory = (what: string) => obj({ cpu: quantity(`${what} cpu`), memory: quantity(`${what} memory`) });
const resources = () => obj({ requests: cpuMemory('requests'), limits: cpuMemory('limits') });

export const SETTINGS_SCHEMA: Schema = obj({
  tier: { type: 'string', enum: [...TIERS], hint: `set tier to one of ${TIERS.join(', ')}` },
  quota: obj({
    requestsCpu: quantity('requestsCpu'),
    requestsMemory: quantity('requestsMemory'),
    limitsCpu: quantity('limitsCpu'),
    limitsMemory: quantity('limitsMemory'),
    requestsStorage: quantity('requestsStorage'),
    persistentVolumeClaims: int(1, 10_000),
    pods: int(1, 10_000),
  }),
  limitRange: obj({ defaultRequest: cpuMemory('defaultRequest'), default: cpuMemory('default'), max: cpuMemory('max') }),
  postgres: obj({
    enabled: bool(),
    engine: { type: 'string', enum: ['cloudnative-pg', 'zalando', 'external-patroni'], hint: 'set engine to cloudnative-pg, zalando or external-patroni' },
    name: dnsLabel('postgres.name'),
    instances: int(1, 9, 'use 1 to 9 instances (3 gives quorum synchronous replication with one failure tolerated)'),
    synchronous: bool(),
    podAntiAffinity: { type: 'string', enum: ['required', 'preferred'], hint: 'set podAntiAffinity to required (never two instances on one node) or preferred' },
    storageSize: quantity('storageSize'),
    walStorageSize: quantity('walStorageSize'),
    resources: resources(),
    parameters: map({ type: 'string', hint: "quote Postgres parameter values, e.g. max_connections: '200'" }),
    databases: {
      type: 'array',
      items: obj({
        name: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$', hint: 'a database name must be a lower-case Postgres identifier: letters, digits and _, starting with a letter or _, at most 63 characters' },
        poolerInstances: int(0, 10),
        poolMode: { type: 'string', enum: ['session', 'transaction'], hint: 'set poolMode to session or transaction' },
      }, ['name']),
    },
    backup: obj({ schedule: cron(), retention: retention() }),
    external: obj({
      addresses: { type: 'array', items: { type: 'string', format: 'ipv4', hint: 'list the PgBouncer VMs by IPv4 address' } },
      pgbouncerPort: int(1, 65535),
      exporterPort: int(1, 65535),
      logicalDecoding: bool(),
      postgresPort: int(1, 65535),
    }),
  }),
  minio: obj({
    enabled: bool(),
    name: dnsLabel('minio.name'),
    servers: int(1, 32),
    volumesPerServer: int(1, 32),
    volumeSize: quantity('volumeSize'),
    resources: resources(),
  }),
  velero: obj({
    enabled: bool(),
    schedule: cron(),
    ttl: duration(),
    extraNamespaces: { type: 'array', items: dnsLabel('a namespace') },
  }),
  streaming: obj({
    kafka: obj({
      enabled: bool(),
      name: dnsLabel('streaming.kafka.name'),
      topology: { type: 'string', enum: ['dedicated', 'combined'], hint: 'set topology to dedicated (separate controllers and brokers) or combined (dual-role nodes)' },
      controllers: int(1, 9, 'use 1, 3 or 5 controllers'),
      brokers: int(1, 50),
      storageSize: quantity('storageSize'),
      resources: resources(),
      replicationFactor: int(1, 10),
      minInsyncReplicas: int(1, 10),
      retentionHours: int(1, 87_600),
      authentication: { type: 'string', enum: ['scram-sha-512', 'tls'], hint: 'set authentication to scram-sha-512 or tls' },
    }),
    connect: obj({
      replicas: int(1, 20),
      resources: resources(),
      image: { type: 'string', hint: 'name a prebuilt Connect image with a pinned tag, or leave it empty to let Strimzi build one' },
    }),
    pipelines: {
      type: 'array',
      items: obj({
        name: dnsLabel('a pipeline name'),
        database: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$', hint: 'name a database of postgres.databases' },
        tables: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: '^[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*$', hint: 'write each table as schema.table, e.g. public.employees' },
        },
        indices: {
          type: 'object',
          additionalProperties: obj({
            index: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$', hint: 'index names are lower case: letters, digits, _, . and -' },
            mappings: { type: 'object', hint: 'give the index mappings as an object, e.g. {properties: {name: {type: text}}}' },
            documentId: { type: 'string', pattern: '^[a-z_][a-z0-9_]*$', hint: "name the table's primary-key column, e.g. id" },
          }, ['index']),
        },
      }, ['name', 'database', 'tables']),
    },
    mirrorTopics: str(),
  }),
  opensearch: obj({
    enabled: bool(),
    name: dnsLabel('opensearch.name'),
    topology: { type: 'string', enum: ['dedicated', 'combined'], hint: 'set topology to dedicated (cluster-manager and data pools) or combined' },
    managers: int(1, 9),
    dataNodes: int(1, 50),
    storageSize: quantity('storageSize'),
    resources: resources(),
    heap: { type: 'string', pattern: '^[1-9][0-9]*[mg]$', hint: 'write the JVM heap as 512m or 2g' },
    snapshotSchedule: cron(),
    retentionDays: int(1, 3650),
  }),
  dr: {
    type: 'object',
    properties: {
      role: { type: 'string', enum: ['primary', 'replica'], hint: 'set dr.role to primary or replica' },
      of: { type: 'string', pattern: '^[a-z0-9-]+/[a-z0-9-]+$', hint: 'name the primary overlay as <region>/<environment>, e.g. region-a/prod' },
      promoted: { type: 'boolean', hint: 'set promoted: true on the replica to make it lead the pair' },
      promotionToken: { type: 'string', pattern: '^[A-Za-z0-9+/=]+$', hint: "paste the old leader's status.demotionToken (base64)" },
    },
    additionalProperties: false,
    required: ['role'],
  },
});

const nodePool = obj({
  labels: map({ type: 'string' }),
  taints: {
    type: 'array',
    items: obj({
      key: str(),
      value: str(),
      effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'], hint: 'set effect to NoSchedule, PreferNoSchedule or NoExecute' },
    }),
  },
});

/**
 * `acknowledge:` entries (see gitops/transition-guard.ts): overlay files, region files and
 * platform.yaml may hold them; they are not settings and are never merged.
 */
export const ACKNOWLEDGE_SCHEMA: Schema = {
  type: 'array',
  maxItems: 200,
  hint: 'each entry is {object, change, reason}, copied from the message synth printed',
  items: obj({
    object: str({ maxLength: 300, hint: 'the object exactly as synth named it, e.g. "Cluster.postgresql.cnpg.io postgres/postgres"' }),
    change: str({ maxLength: 300, hint: 'removed, or the field synth named, e.g. spec.instances' }),
    reason: str({ minLength: 10, maxLength: 500, hint: 'say why the change is intended (at least 10 characters), e.g. a ticket and a sentence' }),
  }),
};

export const REGION_SCHEMA: Schema = obj({
  clusterPrefix: dnsLabel('clusterPrefix'),
  baseDomain: { type: 'string', pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]{2,}$', hint: 'write a DNS domain such as region-a.example.org' },
  storageClasses: obj({ fast: str(), retain: str() }),
  databaseNodes: nodePool,
  zoneLabel: str(),
  gitops: {
    type: 'object',
    hint: 'gitops.engine is flux or argocd; argocd also needs repoURL',
    oneOf: [
      obj({
        engine: { const: 'flux' },
        path: str(),
        sourceRef: obj({ name: str(), namespace: str() }),
        interval: duration(),
      }, ['engine']),
      obj({
        engine: { const: 'argocd' },
        path: str(),
        repoURL: { type: 'string', pattern: '^(https://|ssh://|git@)', hint: 'give the repository URL Argo CD clones, https:// or ssh://' },
        targetRevision: str(),
        namespace: str(),
        destinationServer: str(),
      }, ['engine', 'repoURL']),
    ],
  },
  secrets: {
    type: 'object',
    hint: 'secrets.kind is external-secrets (with storeName) or sealed-secrets',
    oneOf: [
      obj({
        kind: { const: 'external-secrets' },
        storeName: str(),
        storeKind: { type: 'string', enum: ['ClusterSecretStore', 'SecretStore'] },
        refreshInterval: duration(),
      }, ['kind', 'storeName']),
      obj({ kind: { const: 'sealed-secrets' }, controllerNamespace: str(), controllerName: str() }, ['kind']),
    ],
  },
  objectStorage: obj({ endpoint: { type: 'string', pattern: '^https?://', hint: 'give the S3 endpoint URL, e.g. https://s3.region-a.example.org' } }),
  registry: obj({ repository: str(), pushSecret: str() }),
  // Compiled once and shared with overlay files (see load.ts).
  defaults: { $ref: 'strata:overlay' },
  acknowledge: ACKNOWLEDGE_SCHEMA,
}, ['clusterPrefix', 'baseDomain', 'storageClasses', 'gitops', 'secrets', 'objectStorage']);

/** The same schema with nothing required, for files that hold only differences. */
export function partial(schema: Schema): Schema {
  if (Array.isArray(schema)) return schema.map(partial) as any;
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'required') continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, partial(v)]));
    } else if (key === 'items' || key === 'additionalProperties') {
      // Array items and map values are whole values, not differences: keep them strict.
      out[key] = value;
    } else {
      out[key] = value;
    }
  }
  return out;
}

export const OVERLAY_SCHEMA: Schema = (() => {
  const schema = partial(SETTINGS_SCHEMA);
  return { ...schema, properties: { ...schema.properties, acknowledge: ACKNOWLEDGE_SCHEMA } };
})();
