/**
 * Shared fixtures for the streaming construct tests: production- and development-shaped
 * Kafka props, a builder in a `streaming` LayerChart, and schema validation.
 */
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { KafkaCluster, KafkaClusterProps } from '../../../constructs/streaming/kafka-cluster';
import { PROJECT_ROOT } from '../../../environments/project-root';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';

export const DATABASE_NODES = {
  labels: { 'node.role': 'database' },
  taints: [{ key: 'node.role', value: 'database', effect: 'NoSchedule' as const }],
};

/** The built-in prod tier: dedicated controllers and brokers. */
export const PROD_KAFKA: KafkaClusterProps = {
  name: 'events',
  topology: 'dedicated',
  controllers: 3,
  brokers: 3,
  storageSize: '100Gi',
  storageClass: 'fast-ssd-retain',
  resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
  replicationFactor: 3,
  minInsyncReplicas: 2,
  retentionHours: 168,
  authentication: 'scram-sha-512',
  nodePool: DATABASE_NODES,
  rackTopologyKey: 'topology.kubernetes.io/zone',
  secretBackend: EXTERNAL_SECRETS,
  secretKeyPrefix: 'region-a/prod',
};

/** The built-in dev tier: one dual-role node. */
export const DEV_KAFKA: KafkaClusterProps = {
  ...PROD_KAFKA,
  topology: 'combined',
  brokers: 1,
  storageSize: '10Gi',
  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '500m', memory: '1Gi' } },
  replicationFactor: 1,
  minInsyncReplicas: 1,
  retentionHours: 24,
  secretKeyPrefix: 'region-a/dev',
};

export function buildKafka(
  props: Partial<KafkaClusterProps> = {},
  overlay = { region: 'region-a', environment: 'prod' },
): TestLayer & { kafka: KafkaCluster } {
  const layer = testLayer('streaming', overlay);
  const kafka = new KafkaCluster(layer.chart, 'Kafka', { ...PROD_KAFKA, ...props });
  return { ...layer, kafka };
}

/**
 * Schema issues of every manifest. Strimzi kinds are checked against the committed strict
 * schema with its `oneOf` branches left open: scripts/strict-schema.ts currently closes them
 * (`additionalProperties: false`), which rejects every `tls.trustedCertificates` entry; the
 * generator fix and a re-import remove the need for this. Everything else stays strict.
 */
export function streamingSchemaIssues(manifests: readonly any[]): string[] {
  const strimzi = manifests.filter((m) => String(m.apiVersion).startsWith('kafka.strimzi.io/'));
  const others = manifests.filter((m) => !strimzi.includes(m));
  return [
    ...schemaIssues(others),
    ...strimzi.flatMap((m) => {
      const validate = strimziValidator(m.apiVersion, m.kind);
      return validate(m)
        ? []
        : (validate.errors ?? []).map((e) => `${m.kind} ${m.metadata.name} ${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`);
    }),
  ];
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

function strimziValidator(apiVersion: string, kind: string) {
  const key = `${apiVersion}/${kind}`;
  if (!compiled.has(key)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const schema = JSON.parse(JSON.stringify(require(path.join(PROJECT_ROOT, 'imports', 'schemas', apiVersion, `${kind}.json`))));
    openCombinatorBranches(schema);
    compiled.set(key, ajv.compile(schema));
  }
  return compiled.get(key)!;
}

function openCombinatorBranches(node: any, inBranch = false): void {
  if (Array.isArray(node)) {
    node.forEach((n) => openCombinatorBranches(n, inBranch));
    return;
  }
  if (!node || typeof node !== 'object') return;
  if (inBranch) delete node.additionalProperties;
  for (const [key, value] of Object.entries(node)) {
    openCombinatorBranches(value, key === 'oneOf' || key === 'anyOf' || key === 'allOf' || key === 'not');
  }
}

/**
 * The series name (and labels) the JMX exporter gives one attribute of an MBean under a rules
 * config, as the exporter matches it: rules in order, each pattern unanchored against
 * `domain<key=value, ...><>attribute: value`, the first match names the series.
 */
export function jmxExporterSeries(
  config: { lowercaseOutputName?: boolean; lowercaseOutputLabelNames?: boolean; rules: readonly any[] },
  bean: string,
): { name: string; labels: Record<string, string> } | undefined {
  for (const rule of config.rules) {
    const match = new RegExp(`^.*(?:${rule.pattern}).*$`).exec(bean);
    if (!match) continue;
    const fill = (template: string) => template.replace(/\$(\d+)/g, (_, i) => match[Number(i)]);
    let name = fill(rule.name);
    if (config.lowercaseOutputName) name = name.toLowerCase();
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries<string>(rule.labels ?? {})) {
      const label = config.lowercaseOutputLabelNames ? fill(key).toLowerCase() : fill(key);
      labels[label.replace(/[^a-zA-Z0-9_]/g, '_')] = fill(value);
    }
    return { name: name.replace(/[^a-zA-Z0-9:_]/g, '_').replace(/__+/g, '_'), labels };
  }
  return undefined;
}
