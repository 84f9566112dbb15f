/**
 * JSON schemas for the files in environments/. Every node may carry a `hint`: the fix shown
 * when a value fails there. Overlay, tier and region-default files hold only what differs,
 * so their schemas are the settings schema with nothing required (`partial`).
 */
import { TIERS } from './model';
import { LOGGING_BACKENDS, LOKI_MODES } from '../constructs/logging/logging-settings';
import { VICTORIA_METRICS_STORAGE } from '../constructs/monitoring/victoria-metrics-settings';
import {
  dns1035LabelPattern,
  DNS_LABEL_PATTERN,
  DNS_SUBDOMAIN_PATTERN,
  HOSTNAME_PATTERN,
  LABEL_KEY_PATTERN,
  LABEL_VALUE_PATTERN,
  POSTGRES_IDENTIFIER_PATTERN,
  SECRET_STORE_NAME_PATTERN,
  STORAGE_CLASS_NAME_PATTERN,
} from '../constructs/platform/names';

type Schema = Record<string, any>;

/** A Kubernetes resource quantity (`500m`, `2`, `4Gi`, `1.5G`). */
export const QUANTITY_PATTERN = '^([0-9]+(\\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';
/** A pipeline name prefixes its Kafka topics and names the role `<name>_cdc` (at most 63 bytes), so it starts with a letter. */
const PIPELINE_NAME_PATTERN = '^[a-z]([-a-z0-9]{0,57}[a-z0-9])?$';
/** `schema.table`, each an unquoted lower-case PostgreSQL identifier. */
const TABLE_PATTERN = '^[a-z_][a-z0-9_]{0,62}\\.[a-z_][a-z0-9_]{0,62}$';
const GO_DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(h|m|s|ms))+$';
/**
 * Five fields of digits, `*`, `,`, `-` and `/`, one space apart: what the OpenSearch and Velero
 * constructs accept. OpenSearch reads five fields only; Velero and CloudNativePG also read
 * @-descriptors (Zalando does not: a load-time check says so).
 */
const FIVE_FIELD_CRON = '[0-9*,/-]+( [0-9*,/-]+){4}';
const CRON_PATTERN = `^${FIVE_FIELD_CRON}$`;
const CRON_OR_DESCRIPTOR_PATTERN = `^(@(hourly|daily|weekly|monthly|yearly)|${FIVE_FIELD_CRON})$`;

const str = (extra: Schema = {}): Schema => ({ type: 'string', minLength: 1, ...extra });
const int = (minimum: number, maximum: number, hint?: string): Schema => ({ type: 'integer', minimum, maximum, ...(hint ? { hint } : {}) });
const bool = (): Schema => ({ type: 'boolean' });
const quantity = (what: string): Schema => ({
  type: 'string',
  pattern: QUANTITY_PATTERN,
  hint: `write ${what} as a Kubernetes quantity, such as 500m, 2, 512Mi or 20Gi`,
});
const dnsLabel = (what: string): Schema => ({
  type: 'string',
  pattern: DNS_LABEL_PATTERN,
  hint: `${what} must be a DNS label: lower-case letters, digits and '-', at most 63 characters`,
});
/** A name the operator derives Services from: starts with a letter, at most `max` characters. */
const clusterName = (what: string, max: number, why: string): Schema => ({
  type: 'string',
  pattern: dns1035LabelPattern(max),
  hint: `${what} must start with a letter, then lower-case letters, digits and '-', at most ${max} characters (${why})`,
});
const duration = (): Schema => ({ type: 'string', pattern: GO_DURATION_PATTERN, hint: 'write a Go duration such as 720h, 30m or 1h30m' });
const cron = (options: { descriptors?: boolean } = {}): Schema => ({
  type: 'string',
  pattern: options.descriptors ? CRON_OR_DESCRIPTOR_PATTERN : CRON_PATTERN,
  hint:
    "write a five-field cron expression (minute hour day-of-month month day-of-week) of numbers, *, ranges, lists and /steps, such as '0 2 * * *'" +
    (options.descriptors ? ', or @hourly, @daily, @weekly, @monthly, @yearly' : ''),
});
const dnsSubdomain = (what: string): Schema => ({
  type: 'string',
  pattern: DNS_SUBDOMAIN_PATTERN,
  hint: `${what} must be a DNS subdomain: lower-case letters, digits, '-' and '.', at most 253 characters`,
});
const labelKey = (what: string): Schema => ({
  type: 'string',
  pattern: LABEL_KEY_PATTERN,
  hint: `${what} must be a label key: an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', e.g. node.role or topology.kubernetes.io/zone`,
});
const labelValue = (what: string): Schema => ({
  type: 'string',
  pattern: LABEL_VALUE_PATTERN,
  hint: `${what} must be a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
});
const postgresIdentifier = (hint: string): Schema => ({ type: 'string', pattern: POSTGRES_IDENTIFIER_PATTERN, hint });
const retention = (): Schema => ({
  type: 'string',
  pattern: '^[1-9][0-9]*[dwm]$',
  hint: 'write a retention such as 30d, 4w or 3m (days, weeks, months)',
});
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const map = (values: Schema): Schema => ({ type: 'object', additionalProperties: values });

const cpuMemory = (what: string) => obj({ cpu: quantity(`${what} cpu`), memory: quantity(`${what} memory`) });
const resources = () => obj({ requests: cpuMemory('requests'), limits: cpuMemory('limits') });

/** One PostgreSQL cluster's settings (`postgres`, and each of `postgresClusters`). */
const POSTGRES_SCHEMA: Schema = obj(
  {
    enabled: bool(),
    engine: {
      type: 'string',
      enum: ['cloudnative-pg', 'zalando', 'external-patroni'],
      hint: 'set engine to cloudnative-pg, zalando or external-patroni',
    },
    name: clusterName('postgres.name', 53, 'the operators name Services and pods after it; Zalando allows 53'),
    namespace: dnsLabel('postgres.namespace'),
    instances: int(1, 9, 'use 1 to 9 instances (3 gives quorum synchronous replication with one failure tolerated)'),
    synchronous: bool(),
    podAntiAffinity: {
      type: 'string',
      enum: ['required', 'preferred'],
      hint: 'set podAntiAffinity to required (never two instances on one node) or preferred',
    },
    storageSize: quantity('storageSize'),
    walStorageSize: quantity('walStorageSize'),
    resources: resources(),
    image: {
      type: 'string',
      minLength: 1,
      hint: 'name a CloudNativePG PostgreSQL image with a version tag or digest, e.g. dirtbikechina/postgres:15-cjk; leave it out for the pinned default',
    },
    sharedPreloadLibraries: {
      type: 'array',
      items: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$', hint: 'name the library as PostgreSQL loads it, e.g. pg_cron' },
    },
    parameters: map({ type: 'string', hint: "quote Postgres parameter values, e.g. max_connections: '200'" }),
    databases: {
      type: 'array',
      items: obj(
        {
          name: postgresIdentifier(
            'a database name must be a lower-case Postgres identifier: letters, digits and _, starting with a letter, ending with a letter or digit, ' +
              'at most 63 characters, not starting with pg_ (it also names the owner role and, with _ as -, its Kubernetes objects)',
          ),
          poolerInstances: int(0, 10),
          poolMode: { type: 'string', enum: ['session', 'transaction'], hint: 'set poolMode to session or transaction' },
          extensions: {
            type: 'array',
            items: {
              type: 'string',
              pattern: '^[a-z_][a-z0-9_-]{0,62}$',
              hint: 'name the extension as CREATE EXTENSION takes it, e.g. vector or pg_trgm',
            },
          },
          export: obj(
            {
              to: dnsLabel('export.to (a cluster of the region)'),
              address: {
                type: 'string',
                format: 'ipv4',
                hint: "give the LoadBalancer address as IPv4, from the exporting cluster's load-balancer pool",
              },
              hostname: { type: 'string', pattern: HOSTNAME_PATTERN, hint: 'write a DNS name such as harbor-db.infra.example.org' },
              namespace: dnsLabel('export.namespace'),
            },
            ['to', 'address'],
          ),
        },
        ['name'],
      ),
    },
    backup: obj({ schedule: cron({ descriptors: true }), retention: retention() }),
    external: obj({
      addresses: { type: 'array', items: { type: 'string', format: 'ipv4', hint: 'list the PgBouncer VMs by IPv4 address' } },
      pgbouncerPort: int(1, 65535),
      exporterPort: int(1, 65535),
      logicalDecoding: bool(),
      postgresPort: int(1, 65535),
    }),
  },
  // image and sharedPreloadLibraries are optional: without them the engine's pinned image and its own libraries.
  [
    'enabled',
    'engine',
    'name',
    'namespace',
    'instances',
    'synchronous',
    'podAntiAffinity',
    'storageSize',
    'walStorageSize',
    'resources',
    'parameters',
    'databases',
    'backup',
    'external',
  ],
);

const placedOn = (what: string) => dnsLabel(`${what} (a key of the region's clusters)`);

const port = (what: string) => int(1, 65535, `give ${what} as a TCP port from 1 to 65535`);
const probeSchema = (what: string): Schema => ({
  type: 'object',
  hint: `${what} is {http: {path, port?}}, {tcp: {port?}} or {exec: {command: [...]}}`,
  oneOf: [
    obj({
      http: obj({ path: { type: 'string', pattern: '^/', hint: 'write the path from /, e.g. /healthz' }, port: port('the probe port') }, ['path']),
    }),
    obj({ tcp: obj({ port: port('the probe port') }, []) }),
    obj({ exec: obj({ command: { type: 'array', minItems: 1, items: str() } }) }),
  ],
});

/** A Kafka topic name (Strimzi's KafkaTopic names it in `spec.topicName`): letters, digits, `.`, `_` and `-`. */
const kafkaTopicName = (): Schema => ({
  type: 'string',
  pattern: '^[a-zA-Z0-9._-]{1,249}$',
  hint: 'name the topic with letters, digits, ., _ and -, at most 249 characters',
});

/** One application (`apps.<name>`); overlay files hold only what differs. */
const APP_SCHEMA: Schema = obj(
  {
    enabled: bool(),
    image: {
      type: 'string',
      minLength: 1,
      hint: 'name the image with a version tag or a digest, e.g. docker.io/traefik/whoami:v1.11.0 (never latest)',
    },
    namespace: dnsLabel('the app namespace'),
    port: port('the app port'),
    replicas: int(0, 100),
    resources: resources(),
    command: { type: 'array', items: str() },
    args: { type: 'array', items: { type: 'string' } },
    env: {
      ...map({ type: 'string', hint: 'quote environment values, e.g. LOG_LEVEL: "info"' }),
      propertyNames: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', hint: 'name environment variables with letters, digits and _' },
    },
    probes: obj({ readiness: probeSchema('probes.readiness'), liveness: probeSchema('probes.liveness'), startup: probeSchema('probes.startup') }, []),
    writablePaths: { type: 'array', items: { type: 'string', pattern: '^/[^\\s]*$', hint: 'write each path from /, e.g. /tmp' } },
    runAsUser: int(1, 2_147_483_647, 'give a non-root user id (not 0)'),
    autoscaling: obj({ minReplicas: int(1, 100), maxReplicas: int(1, 100), cpuUtilization: int(1, 100), memoryUtilization: int(1, 100) }, [
      'minReplicas',
      'maxReplicas',
    ]),
    blueGreen: obj(
      {
        active: { type: 'string', enum: ['blue', 'green'], hint: 'set active to blue or green: the colour the stable Service sends traffic to' },
        blue: obj({ image: { type: 'string', minLength: 1, hint: 'name the image with a version tag or a digest' } }, []),
        green: obj({ image: { type: 'string', minLength: 1, hint: 'name the image with a version tag or a digest' } }, []),
        idleReplicas: int(0, 100, 'give the idle colour 0 or more replicas (0 scales it down)'),
        weights: obj({
          blue: int(0, 1000, 'give each colour a whole share of 0 or more'),
          green: int(0, 1000, 'give each colour a whole share of 0 or more'),
        }),
        candidate: obj(
          {
            header: obj({
              name: { type: 'string', pattern: '^[A-Za-z0-9-]+$', hint: 'name the header with letters, digits and -, e.g. X-Canary' },
              value: { type: 'string', pattern: '^[A-Za-z0-9._~:@/+=-]+$', hint: 'give a value without spaces or quotes' },
            }),
            cookie: obj({
              name: { type: 'string', pattern: '^[A-Za-z0-9-]+$', hint: 'name the cookie with letters, digits and -' },
              value: { type: 'string', pattern: '^[A-Za-z0-9._~:@/+=-]+$', hint: 'give a value without spaces or quotes' },
            }),
          },
          [],
        ),
        mirrorPercent: int(1, 100, 'give a whole percent from 1 to 100'),
      },
      ['active'],
    ),
    relaxations: obj(
      {
        runAsRoot: str({ minLength: 10, hint: 'say why the image must run as root (10 characters or more)' }),
        writableRootFilesystem: str({ minLength: 10, hint: 'say why the image writes outside its writablePaths (10 characters or more)' }),
        bindLowPorts: str({ minLength: 10, hint: 'say why the app binds a port below 1024 (10 characters or more)' }),
      },
      [],
    ),
    volumes: {
      type: 'object',
      propertyNames: dnsLabel('a volume name'),
      additionalProperties: obj(
        {
          path: { type: 'string', pattern: '^/', hint: 'write the mount path from /, e.g. /var/www/html' },
          size: quantity('size'),
          storageClass: {
            type: 'string',
            enum: ['fast', 'retain'],
            hint: 'set storageClass to retain (the default: the volume outlives its claim) or fast',
          },
          accessMode: {
            type: 'string',
            enum: ['ReadWriteOnce', 'ReadWriteMany'],
            hint: 'set accessMode to ReadWriteOnce (one pod) or ReadWriteMany (a class that shares the volume)',
          },
        },
        ['path', 'size'],
      ),
    },
    workload: {
      type: 'string',
      enum: ['Deployment', 'StatefulSet'],
      hint: 'set workload to Deployment (the default) or StatefulSet (a claim per pod for every volume)',
    },
    uses: { type: 'array', uniqueItems: true, items: dnsLabel('an app name'), hint: 'list the apps of this overlay the app calls, e.g. [mysql]' },
    kafka: obj(
      {
        produce: { type: 'array', uniqueItems: true, items: kafkaTopicName(), hint: 'list the topics the app writes, e.g. [orders]' },
        consume: { type: 'array', uniqueItems: true, items: kafkaTopicName(), hint: 'list the topics the app reads, e.g. [hrm.public.employees]' },
      },
      [],
    ),
    opensearch: obj({
      indices: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: {
          type: 'string',
          pattern: '^[a-z0-9*][a-z0-9_.+*-]{0,254}$',
          hint: 'name indices in lower-case letters, digits, _, -, +, . and * wildcards, e.g. audit-*',
        },
        hint: 'list the indices the app writes, e.g. [audit-*]',
      },
    }),
    init: obj(
      {
        image: { type: 'string', minLength: 1, hint: "name the image with a version tag or a digest (default: the app's)" },
        command: { type: 'array', minItems: 1, items: str(), hint: 'give the command the Job runs, e.g. [/app/bin/migrate]' },
        args: { type: 'array', items: { type: 'string' } },
        env: {
          ...map({ type: 'string' }),
          propertyNames: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', hint: 'name environment variables with letters, digits and _' },
        },
      },
      ['command'],
    ),
    files: {
      ...map({ type: 'string', hint: "give the file's content (no credential: it is kept in Git)" }),
      propertyNames: { type: 'string', pattern: '^/[^\\s]*[^/]$', hint: 'name each file by its absolute path, e.g. /etc/app/config.yaml' },
    },
    secretFiles: {
      type: 'object',
      propertyNames: { type: 'string', pattern: '^/[^\\s]*[^/]$', hint: 'name each file by its absolute path, e.g. /etc/app/tls.key' },
      additionalProperties: obj({
        property: { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', hint: "name the property of the app's secret-store entry" },
      }),
    },
    secretEnv: {
      type: 'object',
      propertyNames: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', hint: 'name environment variables with letters, digits and _' },
      additionalProperties: obj({
        property: { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', hint: "name the property of the app's secret-store entry" },
      }),
    },
    redis: bool(),
    database: postgresIdentifier('name a database of postgres.databases'),
    expose: obj(
      {
        host: { type: 'string', pattern: HOSTNAME_PATTERN, hint: 'write a DNS name such as hello.example.org' },
        path: { type: 'string', pattern: '^/[-a-zA-Z0-9._~/]*$', hint: 'write the path from /, with letters, digits, - . _ ~ and /' },
        middlewares: { type: 'array', items: dnsLabel('a middleware name (a key of ingress.middlewares)') },
        split: {
          type: 'object',
          minProperties: 1,
          propertyNames: dnsLabel('an environment of the region'),
          additionalProperties: int(0, 1000, 'give each environment a whole share of 0 or more'),
          hint: 'give each environment its share, e.g. {prod: 70, stage: 30}',
        },
      },
      [],
    ),
  },
  ['enabled', 'image', 'port', 'replicas', 'resources'],
);

export const SETTINGS_SCHEMA: Schema = obj({
  tier: { type: 'string', enum: [...TIERS], hint: `set tier to one of ${TIERS.join(', ')}` },
  ui: obj(
    Object.fromEntries(
      ['grafana', 'opensearchDashboards', 'minioConsole', 'traefikDashboard'].map((ui) => [
        ui,
        obj(
          {
            host: { type: 'string', pattern: HOSTNAME_PATTERN, hint: 'write a DNS name such as grafana.example.org' },
            middlewares: {
              type: 'array',
              minItems: 1,
              items: dnsLabel('a middleware name (a key of ingress.middlewares)'),
              hint: `list the middlewares in front of ${ui}, at least one basicAuth or forwardAuth`,
            },
          },
          ['middlewares'],
        ),
      ]),
    ),
    [],
  ),
  monitoring: obj(
    {
      stack: {
        type: 'string',
        enum: ['kube-prometheus-stack', 'victoriametrics'],
        hint: 'set stack to kube-prometheus-stack (Prometheus and Alertmanager) or victoriametrics (VMSingle, VMAgent, VMAlert and VMAlertmanager)',
      },
      prometheus: obj(
        {
          replicas: int(1, 10),
          retention: { type: 'string', pattern: '^[1-9][0-9]*(h|d|w|y)$', hint: 'give a whole number of hours, days, weeks or years, e.g. 15d' },
          storageSize: quantity('storageSize'),
          resources: resources(),
        },
        [],
      ),
      alertmanager: obj({ replicas: int(1, 9, 'give an odd count: 1, 3 or 5'), storageSize: quantity('storageSize') }, []),
      victoriametrics: obj(
        {
          storage: {
            type: 'string',
            enum: [...VICTORIA_METRICS_STORAGE],
            hint: 'set storage to single (one VMSingle) or cluster (a VMCluster of vmstorage nodes behind vminsert and vmselect)',
          },
          storageNodes: int(2, 30, 'give 2 to 30 vmstorage nodes (3 with replicationFactor 2 survive the loss of one)'),
          replicationFactor: int(1, 5, 'give 1 to 5 copies of each sample (2 survives the loss of a node)'),
        },
        [],
      ),
      logging: obj(
        {
          backend: {
            type: 'string',
            enum: [...LOGGING_BACKENDS],
            hint: `set backend to one of ${LOGGING_BACKENDS.join(', ')} (opensearch: Fluent Bit ships the logs to the overlay's OpenSearch; victorialogs: to a VictoriaLogs store beside monitoring.stack: victoriametrics; loki: to Loki, keeping them in the overlay's MinIO or external S3)`,
          },
          retentionDays: int(1, 3650, 'give whole days from 1 to 3650'),
          storageSize: quantity('storageSize'),
          loki: obj(
            {
              mode: {
                type: 'string',
                enum: [...LOKI_MODES],
                hint: 'set mode to single-binary (one pod, no high availability) or simple-scalable (read, write and backend pods)',
              },
              replicas: int(2, 30, 'give 2 to 30 pods of each of read, write and backend (3 survive the loss of one)'),
            },
            [],
          ),
        },
        [],
      ),
      thresholds: obj(
        {
          nodeFilesystemFreePercent: int(1, 99, 'give a whole percentage from 1 to 99'),
          volumeFreePercent: int(1, 99, 'give a whole percentage from 1 to 99'),
          certificateExpiryDays: int(4, 365, 'give whole days from 4 to 365 (the critical alert is at 3)'),
          podRestartsPerHour: int(1, 1000, 'give a whole number of restarts, 1 or more'),
          nodeCpuBusyPercent: int(1, 99, 'give a whole percentage from 1 to 99'),
          nodeMemoryAvailablePercent: int(1, 99, 'give a whole percentage from 1 to 99'),
        },
        [],
      ),
      alerting: obj(
        {
          receivers: {
            type: 'object',
            minProperties: 1,
            propertyNames: {
              type: 'string',
              pattern: '^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$',
              hint: 'a receiver is named by lower-case letters, digits and -, at most 40 characters (it names the Secret alertmanager-<receiver>)',
            },
            additionalProperties: {
              type: 'object',
              hint: 'a receiver is {pagerduty: {}}, {opsgenie: {}}, {slack: {channel}}, {webhook: {}} or {email: {to, from, smarthost}}; its key or URL comes from the secret backend',
              oneOf: [
                obj({ pagerduty: obj({ url: { type: 'string', pattern: '^https://[^\\s]+$', hint: 'give the Events API v2 URL' } }, []) }),
                obj({
                  opsgenie: obj(
                    {
                      apiUrl: {
                        type: 'string',
                        pattern: '^https://[^\\s]+$',
                        hint: "give the API URL of the account's region, e.g. https://api.eu.opsgenie.com/",
                      },
                    },
                    [],
                  ),
                }),
                obj({ slack: obj({ channel: str({ hint: 'name the channel, e.g. #platform-alerts' }) }) }),
                obj({ webhook: obj({ port: int(1, 65535) }, []) }),
                obj({
                  email: obj(
                    {
                      to: str({ hint: 'give the address alerts are sent to' }),
                      from: str({ hint: 'give the sender address' }),
                      smarthost: str({ hint: 'give the SMTP relay as host:port, e.g. smtp.example.org:587' }),
                      authUsername: str(),
                    },
                    ['to', 'from', 'smarthost'],
                  ),
                }),
              ],
            },
            hint: 'declare the receivers by name, e.g. {on-call: {pagerduty: {}}, platform-chat: {slack: {channel: "#platform"}}}',
          },
          defaultReceiver: dnsLabel('defaultReceiver (a key of monitoring.alerting.receivers)'),
          routes: {
            type: 'array',
            items: obj(
              {
                receiver: dnsLabel('a route receiver (a key of monitoring.alerting.receivers)'),
                severity: { type: 'string', enum: ['critical', 'warning'], hint: 'route by severity critical or warning' },
                layer: str({ hint: 'route by the layer of the rule, e.g. data' }),
                continue: bool(),
              },
              ['receiver'],
            ),
            hint: 'list the routes in order, e.g. [{severity: critical, receiver: on-call}]',
          },
          watchdog: dnsLabel('watchdog (a key of monitoring.alerting.receivers)'),
        },
        ['receivers', 'defaultReceiver'],
      ),
      grafana: obj(
        {
          sso: obj(
            {
              keycloakRealm: {
                type: 'string',
                pattern: '^https://[^\\s]+/realms/[^/\\s]+/?$',
                hint: 'give the Keycloak realm as https://<host>/realms/<realm>, e.g. https://id.example.org/realms/platform',
              },
              authUrl: { type: 'string', pattern: '^https://[^\\s]+$', hint: "give the provider's authorization endpoint as an https URL" },
              tokenUrl: { type: 'string', pattern: '^https://[^\\s]+$', hint: "give the provider's token endpoint as an https URL" },
              apiUrl: { type: 'string', pattern: '^https://[^\\s]+$', hint: "give the provider's userinfo endpoint as an https URL" },
              clientId: str({ hint: 'name the OAuth client Grafana is registered as, e.g. grafana' }),
              name: str({ hint: "give the login button's label, e.g. Keycloak" }),
              adminGroups: {
                type: 'array',
                items: str({ hint: 'name a group of the token' }),
                hint: 'list the groups whose members are Grafana admins',
              },
              editorGroups: { type: 'array', items: str({ hint: 'name a group of the token' }), hint: 'list the groups whose members are editors' },
              disableLoginForm: bool(),
            },
            ['clientId'],
          ),
        },
        [],
      ),
      runbookBaseUrl: {
        type: 'string',
        pattern: '^https://[^\\s?#]+[^/\\s?#]$',
        hint: "give the web address the repository's files are browsed at, without a trailing /, e.g. https://github.com/acme/platform/blob/main",
      },
      external: obj({
        addresses: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', format: 'ipv4', hint: 'list the Prometheus servers by IPv4 address' },
          hint: 'list the addresses the Prometheus servers reach the cluster from, e.g. [10.40.0.31]',
        },
        apiServerUrl: {
          type: 'string',
          pattern: '^https://[^\\s/]+',
          hint: 'give the API server URL Prometheus discovers pods through, e.g. https://10.40.0.10:6443',
        },
      }),
    },
    [],
  ),
  apps: {
    type: 'object',
    propertyNames: {
      type: 'string',
      pattern: dns1035LabelPattern(53),
      hint: 'an app is named by a letter, then lower-case letters, digits and -, at most 53 characters (it names its Deployment and Service)',
    },
    additionalProperties: APP_SCHEMA,
  },
  ingress: obj({
    allowCrossNamespace: bool(),
    wildcard: bool(),
    middlewares: {
      type: 'object',
      propertyNames: dnsLabel('a middleware name'),
      additionalProperties: {
        type: 'object',
        hint: 'a middleware is {securityHeaders: {}}, {rateLimit: {average, burst}}, {ipAllowList: {sourceRange: [...]}}, {forwardAuth: {address}} or {basicAuth: {}}',
        oneOf: [
          obj({ securityHeaders: obj({ stsSeconds: int(0, 315_360_000) }, []) }),
          obj({ rateLimit: obj({ average: int(1, 1_000_000), burst: int(1, 1_000_000) }) }),
          obj({ ipAllowList: obj({ sourceRange: { type: 'array', minItems: 1, items: str() } }) }),
          obj({ basicAuth: obj({ realm: str({ pattern: '^[^"\\\\]+$', hint: 'name the realm without quotes or backslashes' }) }, []) }),
          obj({
            forwardAuth: obj(
              {
                address: {
                  type: 'string',
                  pattern: '^https?://',
                  hint: 'give the identity proxy URL, e.g. http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth',
                },
                authResponseHeaders: { type: 'array', items: str() },
              },
              ['address'],
            ),
          }),
        ],
      },
    },
    acme: obj(
      {
        email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+\\.[a-zA-Z]{2,}$', hint: "give the ACME account's address, e.g. platform@example.org" },
        server: { type: 'string', enum: ['production', 'staging'], hint: "set server to production or staging (Let's Encrypt's test server)" },
        solver: {
          type: 'object',
          hint: 'solver is {http01: {}} (through Traefik) or {dns01: {cloudflare: {apiTokenKey}}}',
          oneOf: [obj({ http01: obj({}, []) }), obj({ dns01: obj({ cloudflare: obj({ apiTokenKey: str() }) }) })],
        },
      },
      ['server', 'solver'],
    ),
  }),
  placement: obj(
    {
      default: placedOn('placement.default'),
      data: placedOn('placement.data'),
      streaming: placedOn('placement.streaming'),
      search: placedOn('placement.search'),
      backup: placedOn('placement.backup'),
      apps: placedOn('placement.apps'),
      ingress: placedOn('placement.ingress'),
      monitoring: placedOn('placement.monitoring'),
    },
    [],
  ),
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
  postgres: POSTGRES_SCHEMA,
  postgresClusters: {
    type: 'object',
    propertyNames: {
      type: 'string',
      pattern: dns1035LabelPattern(53),
      hint: 'a further cluster is named like postgres.name: a letter, then lower-case letters, digits and -, at most 53 characters',
    },
    additionalProperties: POSTGRES_SCHEMA,
  },
  minio: obj({
    enabled: bool(),
    name: clusterName('minio.name', 63, 'the operator names Services after it'),
    namespace: dnsLabel('minio.namespace'),
    servers: int(1, 32),
    volumesPerServer: int(1, 32),
    volumeSize: quantity('volumeSize'),
    resources: resources(),
  }),
  namespaces: {
    type: 'object',
    propertyNames: dnsLabel('a namespace name'),
    additionalProperties: obj(
      {
        podSecurity: {
          type: 'string',
          enum: ['restricted', 'baseline', 'privileged'],
          hint: 'set podSecurity to restricted, baseline or privileged (the Pod Security Standards level enforced)',
        },
        podSecurityReason: str(),
        quota: bool(),
        labels: { ...map(labelValue('a namespace label value')), propertyNames: labelKey('a namespace label key') },
      },
      [],
    ),
  },
  backupStorage: obj(
    {
      kind: { type: 'string', enum: ['minio', 's3'], hint: "set backupStorage.kind to minio (the region's tenant) or s3 (a provider's S3)" },
      endpoint: {
        type: 'string',
        pattern: '^https://[^\\s/]+',
        hint: "give the provider's https endpoint, e.g. https://s3.eu-central-1.amazonaws.com",
      },
      region: str(),
      credentialsKey: str(),
      caKey: str(),
      endpointCidrs: {
        type: 'array',
        items: { type: 'string', pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$', hint: 'write each block as an address and prefix, e.g. 203.0.113.0/24' },
      },
    },
    ['kind'],
  ),
  redis: obj({
    enabled: bool(),
    name: clusterName('redis.name', 54, 'it names the Redis and Sentinel Services'),
    namespace: dnsLabel('redis.namespace'),
    addresses: { type: 'array', items: { type: 'string', format: 'ipv4', hint: 'list the Redis machines by IPv4 address' } },
    port: int(1, 65535),
    sentinelPort: int(1, 65535),
    masterName: { type: 'string', pattern: '^[A-Za-z0-9._-]+$', hint: 'give the master name Sentinel monitors, e.g. mymaster' },
  }),
  velero: obj({
    enabled: bool(),
    schedule: cron({ descriptors: true }),
    ttl: duration(),
    extraNamespaces: { type: 'array', items: dnsLabel('a namespace') },
  }),
  streaming: obj({
    kafka: obj({
      enabled: bool(),
      name: clusterName('streaming.kafka.name', 63, 'Strimzi names Services after it'),
      namespace: dnsLabel('streaming.kafka.namespace'),
      topology: {
        type: 'string',
        enum: ['dedicated', 'combined'],
        hint: 'set topology to dedicated (separate controllers and brokers) or combined (dual-role nodes)',
      },
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
      items: obj(
        {
          name: {
            type: 'string',
            pattern: PIPELINE_NAME_PATTERN,
            hint: "a pipeline name is a DNS label that starts with a letter and has at most 59 characters: it prefixes the pipeline's Kafka topics and names its PostgreSQL role <name>_cdc",
          },
          database: postgresIdentifier('name a database of postgres.databases'),
          tables: {
            type: 'array',
            minItems: 1,
            items: { type: 'string', pattern: TABLE_PATTERN, hint: 'write each table as schema.table, e.g. public.employees' },
          },
          indices: {
            type: 'object',
            additionalProperties: obj(
              {
                index: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$', hint: 'index names are lower case: letters, digits, _, . and -' },
                mappings: { type: 'object', hint: 'give the index mappings as an object, e.g. {properties: {name: {type: text}}}' },
                documentId: { type: 'string', pattern: '^[a-z_][a-z0-9_]*$', hint: "name the table's primary-key column, e.g. id" },
              },
              ['index'],
            ),
          },
        },
        ['name', 'database', 'tables'],
      ),
    },
    mirrorTopics: str(),
  }),
  opensearch: obj({
    enabled: bool(),
    name: clusterName('opensearch.name', 40, 'it prefixes pod, Service and certificate names'),
    namespace: dnsLabel('opensearch.namespace'),
    topology: { type: 'string', enum: ['dedicated', 'combined'], hint: 'set topology to dedicated (cluster-manager and data pools) or combined' },
    managers: int(1, 9),
    dataNodes: int(1, 50),
    storageSize: quantity('storageSize'),
    resources: resources(),
    heap: { type: 'string', pattern: '^[1-9][0-9]*[mg]$', hint: 'write the JVM heap as 512m or 2g' },
    snapshotSchedule: cron(),
    retentionDays: int(1, 3650),
    prometheusExporter: bool(),
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

// Both optional: a pool may be selected by labels alone, or tainted too (the loader defaults each to empty).
const nodePool = obj(
  {
    labels: { ...map(labelValue('a node label value')), propertyNames: labelKey('a node label key') },
    taints: {
      type: 'array',
      items: obj({
        key: labelKey('a taint key'),
        value: labelValue('a taint value'),
        effect: {
          type: 'string',
          enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'],
          hint: 'set effect to NoSchedule, PreferNoSchedule or NoExecute',
        },
      }),
    },
  },
  [],
);

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

/** One key of the bootstrap Secret in the External Secrets operator's namespace. */
const bootstrapKey = (what: string): Schema =>
  obj({
    name: dnsSubdomain(`${what} (the bootstrap Secret's name)`),
    key: { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', hint: "name the Secret's key, e.g. token" },
  });
const storeUrl = (example: string): Schema => ({ type: 'string', pattern: '^https?://[^\\s/]+', hint: `give the URL, e.g. ${example}` });

/** `secrets.store`: the ClusterSecretStore Strata renders (Vault/OpenBao, AWS, Google Cloud, Azure or 1Password Connect). */
const SECRET_STORE: Schema = {
  type: 'object',
  hint: 'secrets.store is {vault: {server, auth}}, {aws: {region, auth}}, {gcp: {projectId}}, {azure: {vaultUrl, tenantId, auth}} or {onepassword: {connectHost, vaults, token}}',
  oneOf: [
    obj({
      vault: obj(
        {
          server: storeUrl('https://vault.example.org:8200'),
          path: str(),
          version: { type: 'string', enum: ['v1', 'v2'], hint: 'set version to v1 or v2 (the KV engine)' },
          namespace: str(),
          caBundle: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----', hint: "paste the CA's PEM certificate" },
          auth: {
            type: 'object',
            hint: 'auth is {kubernetes: {role}} (the operator logs in with its service account) or {token: {name, key}} (a bootstrap Secret)',
            oneOf: [obj({ kubernetes: obj({ role: str(), mountPath: str() }, ['role']) }), obj({ token: bootstrapKey('auth.token') })],
          },
        },
        ['server', 'auth'],
      ),
    }),
    obj({
      aws: obj(
        {
          region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+$', hint: 'give the AWS region, e.g. eu-central-1' },
          role: {
            type: 'string',
            pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$',
            hint: 'give the IAM role ARN, e.g. arn:aws:iam::123456789012:role/strata-secrets',
          },
          auth: {
            type: 'object',
            hint: "auth is {serviceAccount: {}} (the operator's IRSA or Pod Identity) or {accessKey: {name, accessKeyIdKey, secretAccessKeyKey}} (a bootstrap Secret)",
            oneOf: [
              obj({ serviceAccount: obj({}, []) }),
              obj({
                accessKey: obj({
                  name: dnsSubdomain('auth.accessKey.name (the bootstrap Secret)'),
                  accessKeyIdKey: { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', hint: "name the Secret's key, e.g. access-key-id" },
                  secretAccessKeyKey: { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', hint: "name the Secret's key, e.g. secret-access-key" },
                }),
              }),
            ],
          },
        },
        ['region', 'auth'],
      ),
    }),
    obj({
      gcp: obj(
        {
          projectId: { type: 'string', pattern: '^[a-z][-a-z0-9]{4,28}[a-z0-9]$', hint: 'give the Google Cloud project id, e.g. platform-prod-1234' },
          serviceAccountKey: bootstrapKey('serviceAccountKey'),
        },
        ['projectId'],
      ),
    }),
    obj({
      azure: obj({
        vaultUrl: { type: 'string', pattern: '^https://[-a-z0-9]+\\.vault\\.', hint: 'give the vault URL, e.g. https://platform.vault.azure.net' },
        tenantId: { type: 'string', pattern: '^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$', hint: 'give the tenant id, a GUID' },
        auth: {
          type: 'object',
          hint: "auth is {workloadIdentity: {}} (the operator's service account) or {servicePrincipal: {name, clientIdKey, clientSecretKey}} (a bootstrap Secret)",
          oneOf: [
            obj({ workloadIdentity: obj({}, []) }),
            obj({
              servicePrincipal: obj({
                name: dnsSubdomain('auth.servicePrincipal.name (the bootstrap Secret)'),
                clientIdKey: { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', hint: "name the Secret's key, e.g. client-id" },
                clientSecretKey: { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', hint: "name the Secret's key, e.g. client-secret" },
              }),
            }),
          ],
        },
      }),
    }),
    obj({
      onepassword: obj({
        connectHost: storeUrl('http://onepassword-connect.onepassword:8080'),
        vaults: { type: 'object', minProperties: 1, additionalProperties: int(1, 100), hint: 'list the vaults in search order, e.g. {platform: 1}' },
        token: bootstrapKey('token'),
      }),
    }),
  ],
};

export const REGION_SCHEMA: Schema = obj(
  {
    clusterPrefix: dnsLabel('clusterPrefix'),
    clusters: {
      type: 'object',
      propertyNames: dnsLabel('a cluster key'),
      additionalProperties: obj(
        {
          shared: bool(),
          namespaces: {
            type: 'object',
            propertyNames: dnsLabel('a shared namespace name'),
            additionalProperties: obj(
              {
                podSecurity: {
                  type: 'string',
                  enum: ['restricted', 'baseline', 'privileged'],
                  hint: 'set podSecurity to restricted, baseline or privileged (the Pod Security Standards level enforced)',
                },
                podSecurityReason: str(),
                labels: { ...map(labelValue('a namespace label value')), propertyNames: labelKey('a namespace label key') },
              },
              [],
            ),
          },
          destinationServer: {
            type: 'string',
            pattern: '^https://',
            hint: 'give the API server URL the cluster is registered under in Argo CD, https://',
          },
          egressCidrs: {
            type: 'array',
            minItems: 1,
            items: { type: 'string', pattern: '^[0-9.]+/[0-9]{1,2}$', hint: 'write each block as an IPv4 address and prefix, e.g. 10.30.0.0/24' },
          },
        },
        [],
      ),
    },
    baseDomain: {
      type: 'string',
      pattern: HOSTNAME_PATTERN,
      hint: 'write a DNS domain such as region-a.example.org: lower-case labels of at most 63 characters, at most 253 in all (host names are built under it)',
    },
    storageClasses: obj({
      fast: {
        type: 'string',
        pattern: STORAGE_CLASS_NAME_PATTERN,
        hint: "name a StorageClass of the cluster: a DNS subdomain (lower-case letters, digits, '-' and '.')",
      },
      retain: {
        type: 'string',
        pattern: STORAGE_CLASS_NAME_PATTERN,
        hint: "name a StorageClass of the cluster: a DNS subdomain (lower-case letters, digits, '-' and '.')",
      },
    }),
    databaseNodes: nodePool,
    zoneLabel: labelKey('zoneLabel'),
    gitops: {
      type: 'object',
      hint: 'gitops.engine is flux or argocd; argocd also needs repoURL',
      oneOf: [
        obj(
          {
            engine: { const: 'flux' },
            path: str(),
            sourceRef: obj({ name: dnsSubdomain('the GitRepository name'), namespace: dnsLabel('the GitRepository namespace') }),
            interval: duration(),
          },
          ['engine'],
        ),
        obj(
          {
            engine: { const: 'argocd' },
            path: str(),
            repoURL: { type: 'string', pattern: '^(https://|ssh://|git@)', hint: 'give the repository URL Argo CD clones, https:// or ssh://' },
            targetRevision: str(),
            namespace: dnsLabel('the Argo CD namespace'),
            destinationServer: str(),
          },
          ['engine', 'repoURL'],
        ),
      ],
    },
    secrets: {
      type: 'object',
      hint: 'secrets.kind is external-secrets (with storeName), sealed-secrets or sops',
      oneOf: [
        obj(
          {
            kind: { const: 'external-secrets' },
            storeName: {
              type: 'string',
              pattern: SECRET_STORE_NAME_PATTERN,
              hint: "name the (Cluster)SecretStore: a DNS subdomain (lower-case letters, digits, '-' and '.'), e.g. platform-secrets",
            },
            storeKind: { type: 'string', enum: ['ClusterSecretStore', 'SecretStore'] },
            refreshInterval: duration(),
            store: SECRET_STORE,
            // The store's bootstrap Secret committed SOPS-encrypted (Flux only).
            sops: obj({ decryptionSecret: dnsSubdomain('sops.decryptionSecret (a Secret in the Flux namespace)') }, []),
          },
          ['kind', 'storeName'],
        ),
        obj({ kind: { const: 'sops' }, decryptionSecret: dnsSubdomain('decryptionSecret (a Secret in the Flux namespace)') }, ['kind']),
        obj({ kind: { const: 'sealed-secrets' }, controllerNamespace: dnsLabel('controllerNamespace'), controllerName: dnsLabel('controllerName') }, [
          'kind',
        ]),
      ],
    },
    objectStorage: obj({
      endpoint: { type: 'string', pattern: '^https?://', hint: 'give the S3 endpoint URL, e.g. https://s3.region-a.example.org' },
    }),
    registry: obj({ repository: str(), pushSecret: dnsSubdomain('pushSecret (a Secret name)') }),
    apiServer: obj(
      {
        // Each block is parsed by environments/api-server.ts, which says what is wrong with it.
        cidrs: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', hint: 'write each address as a CIDR block, e.g. 10.0.0.1/32 or fd00::1/128' },
          hint: "list the API server's addresses as CIDR blocks, e.g. [10.96.0.1/32, 192.168.10.0/24]",
        },
        ports: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: int(1, 65535, 'give each port as a number from 1 to 65535'),
          hint: 'list the ports pods reach the API server on, e.g. [443, 6443]',
        },
      },
      ['cidrs'],
    ),
    requireChecksums: bool(),
    distribution: {
      type: 'string',
      enum: ['kubernetes', 'k3s'],
      hint: 'set distribution to k3s (no etcd, scheduler, controller-manager or kube-proxy metrics) or kubernetes (the default)',
    },
    // Compiled once and shared with overlay files (see load.ts).
    defaults: { $ref: 'strata:overlay' },
    acknowledge: ACKNOWLEDGE_SCHEMA,
  },
  ['clusterPrefix', 'baseDomain', 'storageClasses', 'gitops', 'secrets', 'objectStorage'],
);

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
  // A further PostgreSQL cluster in a file holds only what differs from \`postgres\`.
  const clusters = { ...schema.properties.postgresClusters, additionalProperties: partial(POSTGRES_SCHEMA) };
  // So does an app (its image may come from platform.yaml or the region's defaults).
  const apps = { ...schema.properties.apps, additionalProperties: partial(APP_SCHEMA) };
  return { ...schema, properties: { ...schema.properties, postgresClusters: clusters, apps, acknowledge: ACKNOWLEDGE_SCHEMA } };
})();
