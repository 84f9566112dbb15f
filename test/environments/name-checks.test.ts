/**
 * Names and images derived from environment input: each bad input found by fuzzing is
 * refused at load time with the file that set it and the field path (by the schema, one
 * line per field, or by environments/name-checks.ts), or renders with valid names (derived
 * names Strata shortens). Rendering cases synth into temp folders and check every object
 * name, label and image of the output against the kernel rules.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pinnedImageProblem } from '../../constructs/platform/image-reference';
import {
  annotationKeyProblem,
  dnsLabelProblem,
  dnsSubdomainProblem,
  labelKeyProblem,
  labelValueProblem,
  shortName,
} from '../../constructs/platform/names';
import { loadEnvironments } from '../../environments/load';
import { derivedNames } from '../../environments/name-checks';
import { PROJECT_ROOT } from '../../environments/project-root';
import { fromYaml } from '../../gitops/yaml';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { EnvironmentChange, ENVIRONMENTS_DIR, environmentsWith, filesUnder, readEnvironmentsFile, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const PLATFORM = 'platform.yaml';
const REGION_A = 'regions/region-a.yaml';
const PROD = 'overlays/region-a/prod.yaml';
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

const reject = (changes: Readonly<Record<string, EnvironmentChange>>) => environmentError(() => loadEnvironments(environmentsWith(changes)));

/** platform.yaml's databases with `extra` first (arrays replace as a whole), without `without`. */
function databasesWith(extra: Record<string, unknown>, without?: string): EnvironmentChange {
  const rest = readEnvironmentsFile(PLATFORM).postgres.databases.filter((d: { name: string }) => d.name !== without);
  return { merge: { postgres: { databases: [extra, ...rest] } } };
}

/** region-a/prod's pipelines with `pipeline` first. */
function pipelinesWith(pipeline: Record<string, unknown>): EnvironmentChange {
  return { merge: { streaming: { pipelines: [pipeline, ...readEnvironmentsFile(PROD).streaming.pipelines] } } };
}

/** Every rendered object of a synth output, parsed. */
function renderedObjects(outDir: string): { file: string; doc: any }[] {
  return filesUnder(outDir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) => {
      const parsed = fromYaml(fs.readFileSync(path.join(outDir, file), 'utf8'));
      return (Array.isArray(parsed) ? parsed : [parsed]).filter((doc: any) => doc?.kind).map((doc) => ({ file, doc }));
    });
}

/**
 * What the API server (and the runtimes) would refuse in a synth output: object names,
 * label keys and values (metadata, selectors, templates), annotation keys, container images.
 */
function invalidNames(outDir: string): string[] {
  const bad: string[] = [];
  const labels = (where: string, map: unknown) => {
    if (!map || typeof map !== 'object' || Array.isArray(map)) return;
    for (const [k, v] of Object.entries(map)) {
      const why = labelKeyProblem(k) ?? (typeof v === 'string' ? labelValueProblem(v) : 'is not a string');
      if (why) bad.push(`${where}: label ${k}=${String(v)} ${why}`);
    }
  };
  const walk = (where: string, node: unknown, key?: string) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(where, n, key));
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'labels' || k === 'matchLabels' || k === 'nodeSelector') {
        labels(where, v);
      } else if (k === 'annotations' && v && typeof v === 'object') {
        for (const a of Object.keys(v)) if (annotationKeyProblem(a)) bad.push(`${where}: annotation ${a} ${annotationKeyProblem(a)}`);
      } else if (k === 'image' && typeof v === 'string' && (key === 'containers' || key === 'initContainers' || key === 'spec')) {
        const why = pinnedImageProblem(v);
        if (why) bad.push(`${where}: image ${v} ${why}`);
      } else {
        walk(where, v, k);
      }
    }
  };
  for (const { file, doc } of renderedObjects(outDir)) {
    const where = `${file} ${doc.kind}`;
    // kustomization.yaml files (kustomize's own config) carry no name.
    const name = doc.metadata?.name as string | undefined;
    const why = name === undefined ? undefined : ['Service', 'Namespace'].includes(doc.kind) ? dnsLabelProblem(name) : dnsSubdomainProblem(name);
    if (why) bad.push(`${where}: name ${name} ${why}`);
    walk(where, doc);
  }
  return bad;
}

function synthInto(envDir: string): string {
  const outDir = path.join(tempDir('strata-names-'), 'dist');
  synth({ envDir, outDir });
  return outDir;
}

describe('schema rules, one line per field', () => {
  test('a pipeline named 2fa-events (its role 2fa_events_cdc would not be an identifier)', () => {
    const err = reject({ [PROD]: pipelinesWith({ name: '2fa-events', database: 'hrm', tables: ['public.employees'] }) });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.pipelines.0.name',
      value: '2fa-events',
      message: /^must match pattern "\^\[a-z\]/,
      fix: /starts with a letter and has at most 59 characters: .*role <name>_cdc/,
    });
  });

  test.each([['_'], ['ab_'], ['pg_stats']])('a database named %j (objects would be named postgres-- or postgres-ab-)', (name) => {
    const err = reject({ [PLATFORM]: databasesWith({ name }) });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PLATFORM,
      path: 'postgres.databases.0.name',
      value: name,
      message: /must match pattern/,
      fix: /starting with a letter, ending with a letter or digit.*not starting with pg_/,
    });
  });

  test('a node label value that is not a label value', () => {
    const err = reject({ [REGION_A]: { merge: { databaseNodes: { labels: { 'node.role': 'data base' } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION_A,
      path: 'databaseNodes.labels.node.role',
      value: 'data base',
      message: /must match pattern/,
      fix: /a node label value must be a label value/,
    });
  });

  test('a node label key that is not a label key names the key', () => {
    const err = reject({ [REGION_A]: { merge: { databaseNodes: { labels: { 'node role': 'database' } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION_A,
      path: 'databaseNodes.labels.node role',
      value: 'node role',
      message: /^the key "node role" must match pattern/,
      fix: /a node label key must be a label key/,
    });
  });

  test('a taint key and value that are not label syntax', () => {
    const err = reject({ [REGION_A]: { merge: { databaseNodes: { taints: [{ key: 'node role', value: '-x', effect: 'NoSchedule' }] } } } });
    expect(err.problems).toHaveLength(2);
    expectProblem(err, {
      file: REGION_A,
      path: 'databaseNodes.taints.0.key',
      value: 'node role',
      message: /must match pattern/,
      fix: /a taint key must be a label key/,
    });
    expectProblem(err, {
      file: REGION_A,
      path: 'databaseNodes.taints.0.value',
      value: '-x',
      message: /must match pattern/,
      fix: /a taint value must be a label value/,
    });
  });

  test.each([
    ['fast', '\t'],
    ['retain', '../x'],
  ])('storage class %s %j', (field, value) => {
    const err = reject({ [REGION_A]: { merge: { storageClasses: { [field]: value } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION_A,
      path: `storageClasses.${field}`,
      value,
      message: /must match pattern/,
      fix: /name a StorageClass of the cluster: a DNS subdomain/,
    });
  });

  test('a base domain of 315 characters', () => {
    const baseDomain = `${`${'a'.repeat(62)}.`.repeat(4)}${'b'.repeat(55)}.example`;
    expect(baseDomain.length).toBe(315);
    const err = reject({ [REGION_A]: { merge: { baseDomain } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION_A,
      path: 'baseDomain',
      value: baseDomain,
      message: /must match pattern/,
      fix: /at most 63 characters, at most 253 in all/,
    });
  });

  test('secrets.storeName "../x" is one line naming the region file (not a schema violation per rendered object)', () => {
    const err = reject({ [REGION_A]: { merge: { secrets: { storeName: '../x' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION_A,
      path: 'secrets.storeName',
      value: '../x',
      message: /must match pattern/,
      fix: /name the \(Cluster\)SecretStore: a DNS subdomain/,
    });
  });

  test('a zone label and a GitRepository name that are not names', () => {
    const err = reject({
      [REGION_A]: { merge: { zoneLabel: 'zone label', gitops: { sourceRef: { name: 'Flux_System', namespace: 'flux-system' } } } },
    });
    expect(err.problems).toHaveLength(2);
    expectProblem(err, {
      file: REGION_A,
      path: 'zoneLabel',
      value: 'zone label',
      message: /must match pattern/,
      fix: /zoneLabel must be a label key/,
    });
    expectProblem(err, {
      file: REGION_A,
      path: 'gitops.sourceRef.name',
      value: 'Flux_System',
      message: /must match pattern/,
      fix: /must be a DNS subdomain/,
    });
  });
});

describe('images', () => {
  test.each([
    ['a b/kafka-connect:1', /is not a valid image reference: it contains white space/],
    ['registry.example.org/kafka-connect', /has no tag or digest/],
    ['registry.example.org/kafka-connect:latest', /is tagged latest/],
    ['registry.example.org/Kafka-Connect:1.0', /repository path component "Kafka-Connect"/],
  ])('streaming.connect.image %j', (image, why) => {
    const err = reject({ [PROD]: { merge: { streaming: { connect: { image } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.connect.image',
      value: image,
      message: new RegExp(`^region-a/prod: the Kafka Connect image .*${why.source}`),
      fix: /with a version tag or digest.*@sha256:<64 hex>/,
    });
  });

  test('an image set in platform.yaml is reported there', () => {
    const err = reject({ [PLATFORM]: { merge: { streaming: { connect: { image: 'connect:latest' } } } } });
    expectProblem(err, {
      file: PLATFORM,
      path: 'streaming.connect.image',
      value: 'connect:latest',
      message: /tagged latest/,
      fix: /version tag or digest/,
    });
  });

  test('a registry repository that cannot prefix a pushed image', () => {
    const err = reject({ [REGION_A]: { merge: { registry: { repository: 'registry.region-a.strata.example/Platform:1' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION_A,
      path: 'registry.repository',
      value: 'registry.region-a.strata.example/Platform:1',
      message: /^the registry repository is not a registry and repository path: it has the repository path component "Platform:1"/,
      fix: /registry host and repository path/,
    });
  });

  test('a digest (with or without a tag) is rendered exactly as given', () => {
    const image = `registry.example.org/platform/kafka-connect:3.6.2@${DIGEST}`;
    const outDir = synthInto(environmentsWith({ [PROD]: { merge: { streaming: { connect: { image } } } } }));
    const connect = renderedObjects(outDir).filter(({ file, doc }) => file.startsWith('region-a/prod/') && doc.kind === 'KafkaConnect');
    expect(connect).toHaveLength(1);
    expect(connect[0].doc.spec.image).toBe(image);
    expect(connect[0].doc.spec.build).toBeUndefined();
  });
});

describe('derived names', () => {
  test('a Kafka cluster name that makes Strimzi pod labels too long: one line, the tightest limit', () => {
    const name = 'k'.repeat(50);
    const err = reject({ [PROD]: { merge: { streaming: { kafka: { name } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'streaming.kafka.name',
      value: name,
      message: new RegExp(
        `^region-a/prod: derives the Strimzi pod label value strimzi.io/name "${name}-entity-operator", which has 66 characters; a label value has at most 63$`,
      ),
      fix: /^shorten streaming\.kafka\.name to at most 47 characters/,
    });
  });

  test("an OpenSearch name set in platform.yaml too long for the operator's Job label is refused there by the schema", () => {
    // <name>-securityconfig-update labels the operator's Job: 45 + 22 = 67 characters. The schema's
    // 40-character bound keeps every name the operator derives within a label value's 63.
    const name = 's'.repeat(45);
    const err = reject({ [PLATFORM]: { merge: { opensearch: { name } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, { file: PLATFORM, path: 'opensearch.name', value: name, message: /must match pattern/, fix: /at most 40 characters/ });
  });

  test('a base domain that leaves no room for a DR host name is blamed, with the host name', () => {
    // 247 characters: valid, but search-transport.<domain> has 264.
    const baseDomain = `${`${'a'.repeat(60)}.`.repeat(4)}example`.slice(0, 239) + '.example';
    expect(baseDomain.length).toBeLessThanOrEqual(253);
    const err = reject({ [REGION_A]: { merge: { baseDomain } } });
    // The Kafka host (kafka-prod.<domain>, 258) is too long too, but the field gets one line.
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION_A,
      path: 'baseDomain',
      value: baseDomain,
      message:
        /^region-a\/prod: the OpenSearch cross-cluster transport host name "search-transport\.a+….*\.example" has 264 characters; a host name has at most 253$/,
      fix: /^shorten baseDomain to at most 236 characters$/,
    });
  });

  test('an environment name that makes the Kafka DR host label too long names the overlay file', () => {
    const env = `prod-${'e'.repeat(55)}`;
    const prodText = fs.readFileSync(path.join(ENVIRONMENTS_DIR, PROD), 'utf8');
    const err = reject({
      [PROD]: null,
      [`overlays/region-a/${env}.yaml`]: `tier: prod\n${prodText}`,
      'overlays/region-b/prod.yaml': { merge: { dr: { of: `region-a/${env}` } } },
    });
    expectProblem(err, {
      file: `overlays/region-a/${env}.yaml`,
      path: '',
      value: env,
      message: new RegExp(
        `^region-a/${env}: derives the Kafka external bootstrap host name "kafka-${env}\\.region-a\\.strata\\.example", which has the label "kafka-prod-e+…" of 66 characters`,
      ),
      fix: /^rename overlays\/region-a\/prod-e+\.yaml to an environment name of at most 57 characters$/,
    });
  });

  test('a node label key "constructor" (which cdk8s cannot serialise) is refused naming the region file', () => {
    const err = reject({ [REGION_A]: { merge: { databaseNodes: { labels: { constructor: 'x' } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION_A,
      path: 'databaseNodes.labels.constructor',
      value: 'constructor',
      message: /cannot be rendered \(cdk8s refuses objects with an own "constructor" property\)/,
      fix: /prefixed key/,
    });
  });

  test('a map key "constructor" in the settings is blamed on the file that set it', () => {
    const err = reject({ [PLATFORM]: { merge: { postgres: { parameters: { constructor: '1' } } } } });
    // Every overlay inherits it; each line names platform.yaml.
    expect(new Set(err.problems.map((p) => `${p.file}|${p.path}`))).toEqual(new Set(['platform.yaml|postgres.parameters.constructor']));
    expectProblem(err, {
      file: PLATFORM,
      path: 'postgres.parameters.constructor',
      value: 'constructor',
      message: /^region-a\/dev: a key named "constructor" cannot be rendered/,
      fix: /rename or remove the key/,
    });
  });

  test('every derived name the checks compute for the default environments is one dist/ holds', () => {
    const overlays = loadEnvironments(ENVIRONMENTS_DIR);
    const dist = filesUnder(path.join(PROJECT_ROOT, 'dist'))
      .map((f) => fs.readFileSync(path.join(PROJECT_ROOT, 'dist', f), 'utf8'))
      .join('\n');
    let checked = 0;
    for (const o of overlays) {
      // A following replica renders no DR host names of its own until it is promoted.
      const follows = o.settings.dr.role === 'replica' && !o.settings.dr.promoted;
      for (const d of derivedNames(o, overlays)) {
        expect(d.problem(d.name)).toBeUndefined();
        if (follows && d.name.includes('.')) continue;
        expect({
          overlay: o.id,
          name: d.name,
          found: new RegExp(`(^|[^-a-z0-9])${d.name.replace(/[.]/g, '\\.')}($|[^-a-z0-9])`, 'm').test(dist),
        }).toEqual({ overlay: o.id, name: d.name, found: true });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe('rendering with long or unusual names', () => {
  test('the output check finds what the API server would refuse', () => {
    const dir = tempDir('strata-names-check-');
    fs.writeFileSync(
      path.join(dir, 'bad.yaml'),
      [
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        `  name: postgres-pooler-${'d'.repeat(60)}`,
        '  labels:',
        '    constructor: a b',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: x',
        '          image: busybox:latest',
        '',
      ].join('\n'),
    );
    expect(invalidNames(dir)).toEqual([
      expect.stringMatching(/^bad\.yaml Service: name postgres-pooler-d+ has 76 characters; a DNS label has at most 63$/),
      expect.stringMatching(/^bad\.yaml Service: label constructor=a b is not a label value/),
      expect.stringMatching(/^bad\.yaml Service: image busybox:latest is tagged latest/),
    ]);
  });

  const longRegion = `region-b${'-abcdefghij'.repeat(5)}`;

  /** region-b renamed to `longRegion` (file and overlay folder). */
  function longRegionB(): Record<string, EnvironmentChange> {
    const changes: Record<string, EnvironmentChange> = {
      'regions/region-b.yaml': null,
      [`regions/${longRegion}.yaml`]: fs.readFileSync(path.join(ENVIRONMENTS_DIR, 'regions/region-b.yaml'), 'utf8'),
    };
    for (const f of fs.readdirSync(path.join(ENVIRONMENTS_DIR, 'overlays/region-b'))) {
      changes[`overlays/region-b/${f}`] = null;
      changes[`overlays/${longRegion}/${f}`] = fs.readFileSync(path.join(ENVIRONMENTS_DIR, 'overlays/region-b', f), 'utf8');
    }
    return changes;
  }

  test('a long region name: the mirror Kafka user is shortened deterministically, the same on both sides', () => {
    expect(longRegion.length).toBe(63);
    const outDir = synthInto(environmentsWith(longRegionB()));
    const objects = renderedObjects(outDir);
    const user = `mirror-maker-${longRegion}`;
    const users = objects.filter(
      ({ file, doc }) => file.startsWith('region-a/prod/') && doc.kind === 'KafkaUser' && doc.metadata.name.startsWith('mirror-maker-'),
    );
    expect(users.map(({ doc }) => doc.metadata.name)).toEqual([shortName(user)]);
    expect(users[0].doc.metadata.name).toMatch(/^mirror-maker-region-b-abcdefghij-abcdefghij-abcdefghij-[0-9a-f]{8}$/);
    const mirror = objects.find(({ file, doc }) => file.startsWith(`${longRegion}/prod/`) && doc.kind === 'KafkaMirrorMaker2');
    expect(JSON.stringify(mirror!.doc)).toContain(`"username":"${shortName(user)}"`);
    expect(invalidNames(outDir)).toEqual([]);
    // Deterministic: a second render names it the same.
    const again = renderedObjects(synthInto(environmentsWith(longRegionB())));
    expect(
      again
        .filter(({ doc }) => doc.kind === 'KafkaUser')
        .map(({ doc }) => doc.metadata.name)
        .sort(),
    ).toEqual(
      objects
        .filter(({ doc }) => doc.kind === 'KafkaUser')
        .map(({ doc }) => doc.metadata.name)
        .sort(),
    );
  });

  test('a 63-character database and a 59-character pipeline on a 63-character table render only valid names', () => {
    const database = `d${'b'.repeat(62)}`;
    const pipeline = `p${'i'.repeat(58)}`;
    const table = `public.${'t'.repeat(63)}`;
    const outDir = synthInto(
      environmentsWith({
        // In place of dora (used by no pipeline), so dev's quota still holds the poolers.
        [PLATFORM]: databasesWith({ name: database }, 'dora'),
        [PROD]: pipelinesWith({ name: pipeline, database, tables: [table] }),
      }),
    );
    expect(invalidNames(outDir)).toEqual([]);
    const objects = renderedObjects(outDir).filter(({ file }) => file.startsWith('region-a/prod/'));
    const pooler = objects.find(({ doc }) => doc.kind === 'Pooler' && doc.spec.pgbouncer && doc.metadata.name.startsWith(`postgres-pooler-d`));
    expect(pooler!.doc.metadata.name).toBe(shortName(`postgres-pooler-${database}`));
    // The typed names themselves are never shortened.
    const db = objects.find(({ doc }) => doc.kind === 'Database' && doc.spec.name === database);
    expect(db!.doc.spec.owner).toBe(database);
    const role = objects.find(({ doc }) => doc.kind === 'Cluster')!.doc.spec.managed.roles.map((r: any) => r.name);
    expect(role).toContain(`${pipeline.replace(/-/g, '_')}_cdc`);
  });
});
