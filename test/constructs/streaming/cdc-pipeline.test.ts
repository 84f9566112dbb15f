/**
 * CdcPipeline as the charts build it: region-a/prod's `hrm` pipeline (public.employees →
 * employees_index) across the data, streaming and search layers, the constructor's
 * validation, and the Zalando engine's variant (no Publication object; the owner captures).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import { streamingSchemaIssues } from './support';
import { buildOverlay, BuiltOverlay } from '../../../charts/overlay';
import { CdcPipeline, CdcPipelineProps } from '../../../constructs/streaming/cdc-pipeline';
import { loadEnvironments } from '../../../environments/load';
import type { OverlaySpec } from '../../../environments/model';
import { PROJECT_ROOT } from '../../../environments/project-root';
import { fromYaml } from '../../../gitops/yaml';
import { synth } from '../../../main';
import { ENVIRONMENTS_DIR, readEnvironmentsFile, removeTempDirs, tempDir, writeFiles } from '../../support/temp';

/** What Flux and Argo CD read to leave an object in place when it leaves git. */
const PRUNE_PROTECTION = { 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };

afterAll(removeTempDirs);

const PLACEHOLDER = /^\$\{secrets:([^/}]+)\/([^:}]+):([^}]+)\}$/;
const DEBEZIUM_POSTGRES = 'io.debezium.connector.postgresql.PostgresConnector';
const OPENSEARCH_SINK = 'io.aiven.kafka.connect.opensearch.OpensearchSinkConnector';
const CONNECT_POD_LABELS = { 'strimzi.io/cluster': 'connect', 'strimzi.io/kind': 'KafkaConnect', 'strimzi.io/name': 'connect-connect' };

interface Rendered {
  readonly built: BuiltOverlay;
  /** Manifests of one layer. */
  layer(layer: string): any[];
  /** The one manifest of `kind` named `name` in `layer` (and `namespace`, when given). */
  find(layer: string, kind: string, name: string, namespace?: string): any;
  /** Every manifest of the overlay, with its layer. */
  all(): { layer: string; manifest: any }[];
}

function render(overlay: OverlaySpec): Rendered {
  const built = buildOverlay(overlay);
  const byLayer = new Map(built.layers.map((l) => [l.layer, Testing.synth(l)]));
  const layer = (name: string) => {
    const manifests = byLayer.get(name);
    if (!manifests) throw new Error(`overlay ${overlay.id} has no ${name} layer (layers: ${[...byLayer.keys()].join(', ')})`);
    return manifests;
  };
  return {
    built,
    layer,
    find: (name, kind, objectName, namespace) => {
      const found = layer(name).filter(
        (m) => m.kind === kind && m.metadata.name === objectName && (namespace === undefined || m.metadata.namespace === namespace),
      );
      if (found.length !== 1) throw new Error(`expected one ${kind} ${namespace ?? '*'}/${objectName} in layer ${name}, found ${found.length}`);
      return found[0];
    },
    all: () => [...byLayer.entries()].flatMap(([l, manifests]) => manifests.map((manifest) => ({ layer: l, manifest }))),
  };
}

const overlayOf = (overlays: readonly OverlaySpec[], id: string) => {
  const found = overlays.find((o) => o.id === id);
  if (!found) throw new Error(`no overlay ${id}`);
  return found;
};

/** Kafka-side name of a KafkaTopic manifest. */
const topicName = (m: any): string => m.spec.topicName ?? m.metadata.name;

describe('CdcPipeline in region-a/prod', () => {
  let prod: OverlaySpec;
  let r: Rendered;
  beforeAll(() => {
    prod = overlayOf(loadEnvironments(ENVIRONMENTS_DIR), 'region-a/prod');
    r = render(prod);
  });

  test('the overlay builds the hrm and payroll pipelines of its file', () => {
    const pipelines = r.built.platform.streaming!.pipelines;
    expect(Object.keys(pipelines).sort()).toEqual(['hrm', 'payroll']);
    expect(pipelines.hrm.topics).toEqual({ 'public.employees': 'hrm.public.employees' });
    expect(pipelines.hrm.deadLetterTopic).toBe('hrm.dlq');
  });

  describe('source: Debezium PostgreSQL connector', () => {
    test('captures exactly public.employees of hrm over pgoutput, with its own slot and the declared publication', () => {
      const source = r.find('streaming', 'KafkaConnector', 'hrm-source', 'kafka');
      expect(source.metadata.labels['strimzi.io/cluster']).toBe('connect');
      expect(source.spec.class).toBe(DEBEZIUM_POSTGRES);
      expect(source.spec.tasksMax).toBe(1);
      expect(source.spec.config).toMatchObject({
        'plugin.name': 'pgoutput',
        'slot.name': 'dbz_hrm',
        'publication.name': 'dbz_hrm',
        // CloudNativePG declares the publication (a Publication object): the connector must not create one.
        'publication.autocreate.mode': 'disabled',
        'topic.prefix': 'hrm',
        'table.include.list': 'public.employees',
        'database.dbname': 'hrm',
        // The primary, never a pooler: PgBouncer cannot carry the replication protocol.
        'database.hostname': 'postgres-rw.postgres.svc.cluster.local',
        'database.port': 5432,
        // The server certificate comes from the platform CA, mounted into the Connect pods.
        'database.sslmode': 'verify-full',
        'database.sslrootcert': '/opt/kafka/strata-ca/ca.crt',
        'snapshot.mode': 'initial',
        'heartbeat.interval.ms': 10000,
        'tombstones.on.delete': true,
      });
    });

    test("reads the capturing role's credentials only as ${secrets:...} placeholders", () => {
      const config = r.find('streaming', 'KafkaConnector', 'hrm-source', 'kafka').spec.config;
      expect(config['database.user']).toBe('${secrets:postgres/postgres-hrm-cdc-credentials:username}');
      expect(config['database.password']).toBe('${secrets:postgres/postgres-hrm-cdc-credentials:password}');
    });
  });

  test('every credential of every connector is a config-provider placeholder, and no plain Secret is rendered', () => {
    const connectors = r.layer('streaming').filter((m) => m.kind === 'KafkaConnector');
    expect(connectors.map((c) => c.metadata.name).sort()).toEqual([
      'hrm-public-employees-sink',
      'hrm-source',
      'payroll-public-tx-sink',
      'payroll-source',
    ]);
    const credentials = connectors.flatMap((c) =>
      Object.entries(c.spec.config as Record<string, unknown>)
        .filter(([key]) => /(user|password|secret|credential|token)/i.test(key))
        .map(([key, value]) => ({ connector: c.metadata.name, key, value })),
    );
    expect(credentials).toHaveLength(8);
    for (const c of credentials) expect(c).toEqual({ ...c, value: expect.stringMatching(PLACEHOLDER) });
    expect(r.all().filter(({ manifest }) => manifest.kind === 'Secret')).toEqual([]);
  });

  describe('topics', () => {
    test('a KafkaTopic per captured table, named as Debezium names it, plus the dead-letter and heartbeat topics', () => {
      const topics = r.layer('streaming').filter((m) => m.kind === 'KafkaTopic');
      expect(topics.map(topicName).sort()).toEqual([
        '__debezium-heartbeat.hrm',
        '__debezium-heartbeat.payroll',
        'hrm.dlq',
        'hrm.public.employees',
        'payroll.dlq',
        'payroll.public.tx',
      ]);
      for (const t of topics) {
        expect(t.metadata.namespace).toBe('kafka');
        expect(t.metadata.labels['strimzi.io/cluster']).toBe('events');
        // Deleting a KafkaTopic deletes its data.
        expect(t.metadata.annotations).toEqual(expect.objectContaining(PRUNE_PROTECTION));
      }
      const byName = (name: string) => topics.find((t) => topicName(t) === name);
      expect(byName('hrm.public.employees').spec).toEqual({
        partitions: 3,
        replicas: prod.settings.streaming.kafka.replicationFactor,
        config: { 'retention.ms': prod.settings.streaming.kafka.retentionHours * 3600_000 },
      });
      expect(byName('hrm.dlq').spec.partitions).toBe(1);
      expect(byName('__debezium-heartbeat.hrm').spec).toEqual({
        topicName: '__debezium-heartbeat.hrm',
        partitions: 1,
        replicas: 3,
        config: { 'retention.ms': 24 * 3600_000 },
      });
      // `_` is not allowed in object names: the heartbeat topic's object name is sanitised.
      expect(byName('__debezium-heartbeat.hrm').metadata.name).toMatch(/^debezium-heartbeat\.hrm-[0-9a-f]{8}$/);
    });

    test("the Connect user produces the pipeline's topics and consumes each table topic as its sink's group", () => {
      const acls = r.find('streaming', 'KafkaUser', 'connect', 'kafka').spec.authorization.acls;
      const has = (type: string, name: string, patternType: string, operations: string[]) =>
        expect(acls).toContainEqual({ type: 'allow', resource: { type, name, patternType }, operations });
      has('topic', 'hrm.', 'prefix', ['Describe', 'Write']);
      has('topic', '__debezium-heartbeat.hrm', 'literal', ['Describe', 'Write']);
      has('topic', 'hrm.public.employees', 'literal', ['Describe', 'Read']);
      has('group', 'connect-hrm-public-employees-sink', 'literal', ['Read']);
    });
  });

  test('sink: per table, an OpenSearch connector applying changes and deletes by primary key into employees_index', () => {
    const sink = r.find('streaming', 'KafkaConnector', 'hrm-public-employees-sink', 'kafka');
    expect(sink.spec.class).toBe(OPENSEARCH_SINK);
    expect(sink.spec.config).toMatchObject({
      topics: 'hrm.public.employees',
      'connection.url': expect.stringMatching(/^https:\/\/search\.opensearch\.svc/),
      'connection.username': '${secrets:kafka/hrm-sink-opensearch-credentials:username}',
      'connection.password': '${secrets:kafka/hrm-sink-opensearch-credentials:password}',
      'key.ignore': false,
      'behavior.on.null.values': 'delete',
      transforms: 'unwrap,key,route',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.key.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
      'transforms.key.field': 'id',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': 'hrm\\.public\\.employees',
      'transforms.route.replacement': 'employees_index',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'hrm.dlq',
      'errors.deadletterqueue.topic.replication.factor': 3,
    });
    // The route's regex matches exactly the table topic.
    const route = new RegExp(`^${sink.spec.config['transforms.route.regex']}$`);
    expect(route.test('hrm.public.employees')).toBe(true);
    expect(route.test('hrmXpublicXemployees')).toBe(false);
  });

  test("search: the index template with the overlay's mappings, a write role for exactly that index, and the path from Connect", () => {
    const mappings = readEnvironmentsFile('overlays/region-a/prod.yaml').streaming.pipelines[0].indices['public.employees'].mappings;
    const template = r.find('search', 'OpensearchIndexTemplate', 'employees-index', 'opensearch');
    expect(template.spec.indexPatterns).toEqual(['employees_index']);
    expect(template.spec.template.mappings).toEqual(mappings);
    const role = r.find('search', 'OpensearchRole', 'hrm-sink-index-write', 'opensearch');
    expect(role.spec.indexPermissions.map((p: any) => p.indexPatterns)).toEqual([['employees_index']]);
    const ingress = r.find('search', 'NetworkPolicy', 'allow-hrm-sink-to-search-ingress', 'opensearch');
    expect(ingress.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } }, podSelector: { matchLabels: CONNECT_POD_LABELS } }],
        ports: [{ protocol: 'TCP', port: 9200 }],
      },
    ]);
  });

  describe('database side', () => {
    test('a CloudNativePG Publication for exactly public.employees of hrm', () => {
      const publication = r.find('data', 'Publication', 'postgres-hrm', 'postgres');
      expect(publication.spec).toEqual({
        cluster: { name: 'postgres' },
        name: 'dbz_hrm',
        dbname: 'hrm',
        target: { objects: [{ table: { schema: 'public', name: 'employees' } }] },
      });
    });

    test('the cluster runs wal_level=logical and caps the WAL a slot may hold at half the WAL volume', () => {
      expect(prod.settings.postgres.walStorageSize).toBe('20Gi');
      const parameters = r.find('data', 'Cluster', 'postgres', 'postgres').spec.postgresql.parameters;
      expect(parameters).toEqual({ ...prod.settings.postgres.parameters, wal_level: 'logical', max_slot_wal_keep_size: '10GB' });
    });

    test('a managed role hrm_cdc with REPLICATION, member of hrm, its password from the secret store', () => {
      const roles = r.find('data', 'Cluster', 'postgres', 'postgres').spec.managed.roles;
      expect(roles.find((role: any) => role.name === 'hrm_cdc')).toEqual({
        name: 'hrm_cdc',
        ensure: 'present',
        login: true,
        replication: true,
        inRoles: ['hrm'],
        passwordSecret: { name: 'postgres-hrm-cdc-credentials' },
      });
      // The owner role itself does not replicate.
      expect(roles.find((role: any) => role.name === 'hrm')).toMatchObject({ replication: false, inRoles: [] });
      const secret = r.find('data', 'ExternalSecret', 'postgres-hrm-cdc-credentials', 'postgres');
      expect(secret.spec.data.map((d: any) => d.remoteRef)).toEqual([
        { key: 'region-a/prod/postgres/postgres/roles/hrm_cdc', property: 'password' },
        { key: 'region-a/prod/postgres/postgres/roles/hrm_cdc', property: 'username' },
      ]);
    });

    test('a NetworkPolicy pair from the Connect pods to the postgres pods on 5432', () => {
      const ingress = r.find('data', 'NetworkPolicy', 'allow-connect-hrm-replication-to-postgres-ingress', 'postgres');
      expect(ingress.spec).toEqual({
        podSelector: { matchLabels: { 'cnpg.io/cluster': 'postgres' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } }, podSelector: { matchLabels: CONNECT_POD_LABELS } },
            ],
            ports: [{ protocol: 'TCP', port: 5432 }],
          },
        ],
      });
      const egress = r.find('data', 'NetworkPolicy', 'allow-connect-hrm-replication-to-postgres-egress', 'kafka');
      expect(egress.spec).toEqual({
        podSelector: { matchLabels: CONNECT_POD_LABELS },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'postgres' } },
                podSelector: { matchLabels: { 'cnpg.io/cluster': 'postgres' } },
              },
            ],
            ports: [{ protocol: 'TCP', port: 5432 }],
          },
        ],
      });
    });
  });

  test('the Connect service account may read exactly the secrets the connectors use, in postgres and kafka', () => {
    const roles = r
      .all()
      .filter(({ manifest }) => manifest.kind === 'Role')
      .map(({ manifest }) => manifest);
    expect(roles.map((role) => `${role.metadata.namespace}/${role.metadata.name}`).sort()).toEqual([
      'kafka/connect-connect-secrets',
      'postgres/connect-connect-secrets',
    ]);
    const readable = Object.fromEntries(
      roles.map((role) => {
        expect(role.rules).toHaveLength(1);
        expect(role.rules[0]).toMatchObject({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] });
        return [role.metadata.namespace, role.rules[0].resourceNames];
      }),
    );
    expect(readable).toEqual({
      postgres: ['postgres-hrm-cdc-credentials', 'postgres-payroll-cdc-credentials'],
      kafka: ['hrm-sink-opensearch-credentials', 'payroll-sink-opensearch-credentials'],
    });
    // Exactly what the placeholders of the connectors name: nothing more, nothing less.
    const used: Record<string, Set<string>> = {};
    for (const c of r.layer('streaming').filter((m) => m.kind === 'KafkaConnector')) {
      for (const value of Object.values(c.spec.config)) {
        const m = PLACEHOLDER.exec(String(value));
        if (m) (used[m[1]] ??= new Set()).add(m[2]);
      }
    }
    expect(Object.fromEntries(Object.entries(used).map(([ns, names]) => [ns, [...names].sort()]))).toEqual(readable);
    for (const ns of ['postgres', 'kafka']) {
      const binding = r.find('streaming', 'RoleBinding', 'connect-connect-secrets', ns);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'connect-connect-secrets' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'connect-connect', namespace: 'kafka' }]);
    }
  });

  test('Connect trusts the platform CA through a truststore mounted from secret strata-ca-truststore', () => {
    const spec = r.find('streaming', 'KafkaConnect', 'connect', 'kafka').spec;
    const properties = Object.fromEntries(spec.jvmOptions.javaSystemProperties.map((p: any) => [p.name, p.value]));
    const volume = spec.template.pod.volumes.find((v: any) => v.secret?.secretName === 'strata-ca-truststore');
    expect(volume).toBeDefined();
    const mount = spec.template.connectContainer.volumeMounts.find((m: any) => m.name === volume.name);
    expect(mount).toMatchObject({ readOnly: true });
    expect(properties['javax.net.ssl.trustStore']).toBe(`${mount.mountPath}/truststore.p12`);
    expect(properties['javax.net.ssl.trustStoreType']).toBe('PKCS12');
    // cert-manager writes the truststore into that secret.
    const certificate = r.find('streaming', 'Certificate', 'strata-ca-truststore', 'kafka');
    expect(certificate.spec.secretName).toBe('strata-ca-truststore');
    expect(certificate.spec.keystores.pkcs12).toMatchObject({ create: true, password: properties['javax.net.ssl.trustStorePassword'] });
  });

  test('the streaming layer is applied after the data and search layers it uses', () => {
    const streaming = r.built.platform.streaming!;
    expect([...streaming.layerDependencies].map((c) => c.layer)).toEqual(expect.arrayContaining(['data', 'search']));
  });

  test('every object of the data, streaming and search layers validates against the schemas', () => {
    expect(streamingSchemaIssues(['data', 'streaming', 'search'].flatMap((l) => r.layer(l)))).toEqual([]);
  });
});

describe('CdcPipeline constructor', () => {
  /** A pipeline added to a freshly built region-a/prod, and the objects before the attempt. */
  function attempt(id: string, props: Partial<CdcPipelineProps>): { error: () => void; before: number; after: () => number } {
    const prod = overlayOf(loadEnvironments(ENVIRONMENTS_DIR), 'region-a/prod');
    const { app, platform } = buildOverlay(prod);
    const count = () => app.charts.reduce((n, c) => n + c.toJson().length, 0);
    const before = count();
    const error = () => {
      new CdcPipeline(platform.streaming!, id, {
        source: platform.data.postgres!,
        database: 'hrm',
        tables: ['public.employees'],
        kafka: platform.streaming!.kafka,
        connect: platform.streaming!.connect!,
        sink: platform.search!.opensearch,
        ...props,
      });
    };
    return { error, before, after: count };
  }

  test('a table not in schema.table form is an error naming the pipeline, the table and the form, before anything is added', () => {
    const a = attempt('crm', { tables: ['public.employees', 'employees'] });
    expect(a.error).toThrow('CDC pipeline crm: table "employees" is not in schema.table form (e.g. public.employees)');
    expect(a.after()).toBe(a.before);
  });

  test('an indices entry for a table the pipeline does not capture is an error listing the captured tables', () => {
    const a = attempt('crm', { tables: ['public.employees'], indices: { 'public.tx': { index: 'tx_index' } } });
    expect(a.error).toThrow('CDC pipeline crm: indices names table "public.tx", which the pipeline does not capture (public.employees)');
    expect(a.after()).toBe(a.before);
  });

  test('an id that is not a DNS label is an error', () => {
    const a = attempt('CRM_sync', {});
    expect(a.error).toThrow(/CDC pipeline id "CRM_sync" must be a DNS label/);
    expect(a.after()).toBe(a.before);
  });
});

describe('CdcPipeline on the Zalando engine', () => {
  const FIXTURE = path.join(PROJECT_ROOT, 'test', 'fixtures', 'environments', 'zalando');
  let envDir: string;
  let r: Rendered;

  beforeAll(() => {
    envDir = tempDir('strata-cdc-zalando-');
    fs.cpSync(FIXTURE, envDir, { recursive: true });
    const region = yaml.load(fs.readFileSync(path.join(envDir, 'regions/region-a.yaml'), 'utf8')) as Record<string, unknown>;
    writeFiles(envDir, {
      // Connect is built in the cluster and pushed to the region's registry.
      'regions/region-a.yaml': yaml.dump({
        ...region,
        registry: { repository: 'registry.region-a.strata.example/platform', pushSecret: 'kafka-connect-registry' },
      }),
      'overlays/region-a/prod.yaml': yaml.dump({
        dr: { role: 'primary' },
        streaming: {
          kafka: { enabled: true },
          pipelines: [
            {
              name: 'hrm',
              database: 'hrm',
              tables: ['public.employees'],
              indices: { 'public.employees': { index: 'employees_index', mappings: { properties: { id: { type: 'keyword' } } } } },
            },
          ],
        },
        opensearch: { enabled: true },
      }),
    });
    r = render(overlayOf(loadEnvironments(envDir), 'region-a/prod'));
  });

  test('the connector creates the publication for exactly the captured tables (filtered)', () => {
    expect(r.find('streaming', 'KafkaConnector', 'hrm-source', 'kafka').spec.config).toMatchObject({
      'publication.autocreate.mode': 'filtered',
      'publication.name': 'dbz_hrm',
      'slot.name': 'dbz_hrm',
      'table.include.list': 'public.employees',
      'database.hostname': 'postgres.postgres.svc.cluster.local',
      'database.user': '${secrets:postgres/hrm.postgres.credentials.postgresql.acid.zalan.do:username}',
      'database.password': '${secrets:postgres/hrm.postgres.credentials.postgresql.acid.zalan.do:password}',
    });
    expect(r.all().filter(({ manifest }) => manifest.kind === 'Publication')).toEqual([]);
  });

  test('the owner role gets the REPLICATION flag (Zalando users cannot inherit), and WAL is logical', () => {
    const spec = r.find('data', 'postgresql', 'postgres', 'postgres').spec;
    // The operator takes the flag in either case; the generated enum writes it in lower case.
    expect(spec.users).toEqual({ hrm: ['replication'], payroll: [], reporting: [] });
    expect(spec.postgresql.parameters.wal_level).toBe('logical');
  });

  test("Connect may read exactly the owner's operator-generated secret in postgres, and reach the Spilo pods on 5432", () => {
    expect(r.find('streaming', 'Role', 'connect-connect-secrets', 'postgres').rules[0].resourceNames).toEqual([
      'hrm.postgres.credentials.postgresql.acid.zalan.do',
    ]);
    const ingress = r.find('data', 'NetworkPolicy', 'allow-connect-hrm-replication-to-postgres-ingress', 'postgres');
    expect(ingress.spec.podSelector).toEqual({ matchLabels: { application: 'spilo', 'cluster-name': 'postgres' } });
    expect(ingress.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 5432 }]);
  });

  test('renders and validates through synth', () => {
    const outDir = path.join(tempDir('strata-cdc-zalando-out-'), 'dist');
    synth({ envDir, outDir, only: ['region-a/prod'] });
    const connector = fromYaml(fs.readFileSync(path.join(outDir, 'region-a/prod/streaming/kafka_kafkaconnector_hrm-source.yaml'), 'utf8')) as any;
    expect(connector.spec.config['publication.autocreate.mode']).toBe('filtered');
  });
});
