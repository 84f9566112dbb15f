/**
 * environments/secret-checks.ts: a credential in any field of any environment file is
 * refused before anything is written, the problem names the file and the field, and the
 * credential's text appears nowhere in the report. Tokens are assembled at run time from
 * deterministic bytes, so this file holds none a scanner would flag.
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import * as yaml from 'js-yaml';
import { loadEnvironments } from '../../environments/load';
import { EnvironmentError } from '../../environments/problems';
import { PROJECT_ROOT } from '../../environments/project-root';
import { findCredentials, secretWord } from '../../environments/secret-checks';
import { synth } from '../../main';
import { environmentError } from '../support/problems';
import { deterministicBytes } from '../support/sealed';
import { EnvironmentChange, environmentsWith, readEnvironmentsFile, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** `n` characters of `alphabet`, the same for the same label. */
const chars = (label: string, n: number, alphabet = ALNUM) => [...deterministicBytes(label, n)].map((b) => alphabet[b % alphabet.length]).join('');
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0234567';

/** One token of each known shape, built from a body (prefixes split so this file matches none). */
const SHAPES: Record<string, (body: string) => string> = {
  'an AWS access key id': (b) =>
    `${'AK'}${'IA'}${b
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, 'Q')
      .padEnd(16, 'Q')
      .slice(0, 16)}`,
  'a GitHub token': (b) => `${'gh'}p_${b.padEnd(36, 'x').slice(0, 36)}`,
  'a GitHub fine-grained token': (b) => `${'github'}_pat_${b.padEnd(40, 'x').slice(0, 40)}`,
  'a GitLab token': (b) => `${'gl'}pat-${b.padEnd(20, 'x').slice(0, 20)}`,
  'a Slack token': (b) => `${'xo'}xb-1234567890-${b.padEnd(24, 'x').slice(0, 24)}`,
  'a Google API key': (b) => `${'AI'}za${b.padEnd(35, 'x').slice(0, 35)}`,
  'a Stripe live key': (b) => `${'sk'}_live_${b.padEnd(24, 'x').slice(0, 24)}`,
  'a private key (RSA)': (b) => `-----BEGIN RSA ${'PRIVATE'} KEY-----\nMIIEow${b}\n-----END RSA ${'PRIVATE'} KEY-----`,
  'a private key (OPENSSH)': (b) => `-----BEGIN OPENSSH ${'PRIVATE'} KEY-----\nb3Bl${b}\n-----END OPENSSH ${'PRIVATE'} KEY-----`,
  'a JSON Web Token': (b) => `${'ey'}JhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: b })).toString('base64url')}.${b.padEnd(16, 'x')}`,
  'an age secret key': (b) =>
    `${'AGE'}-SECRET-KEY-1${[...b.padEnd(58, 'Q').slice(0, 58)].map((c) => UPPER[c.charCodeAt(0) % UPPER.length]).join('')}`,
};
const token = (what: string, label: string) => SHAPES[what](chars(label, 40));

const REGION_A = 'regions/region-a.yaml';
const REGION_B = 'regions/region-b.yaml';
const PROD = 'overlays/region-a/prod.yaml';

/** A planted credential: the files changed, where the problem must point, and the text that must not be shown. */
interface Plant {
  readonly changes: Record<string, EnvironmentChange>;
  readonly file: string;
  readonly path: string;
  readonly secret: string;
}

const S = chars('password', 20);
const prodPipelines = () => readEnvironmentsFile(PROD).streaming.pipelines;
const withHrmMappings = (extra: Record<string, unknown>) => {
  const [hrm, ...rest] = prodPipelines();
  const index = hrm.indices['public.employees'];
  return [{ ...hrm, indices: { 'public.employees': { ...index, mappings: { ...index.mappings, ...extra } } } }, ...rest];
};
const AWS = token('an AWS access key id', 'aws');
const PEM = token('a private key (RSA)', 'pem');

const PLANTS: Record<string, Plant> = {
  'objectStorage.endpoint with user info': {
    changes: { [REGION_A]: { merge: { objectStorage: { endpoint: `https://minio:${S}@s3.region-a.strata.example` } } } },
    file: REGION_A,
    path: 'objectStorage.endpoint',
    secret: S,
  },
  'objectStorage.endpoint with a presigned query': {
    changes: {
      [REGION_A]: {
        merge: {
          objectStorage: {
            endpoint: `https://s3.region-a.strata.example/?X-Amz-Credential=${AWS}%2F20240101%2Fus-east-1%2Fs3&X-Amz-Signature=${chars('sig', 64, 'abcdef0123456789')}`,
          },
        },
      },
    },
    file: REGION_A,
    path: 'objectStorage.endpoint',
    secret: AWS,
  },
  'objectStorage.endpoint with access_key in the query': {
    changes: { [REGION_B]: { merge: { objectStorage: { endpoint: `https://s3.region-b.strata.example?access_key=${S}` } } } },
    file: REGION_B,
    path: 'objectStorage.endpoint',
    secret: S,
  },
  'gitops.repoURL with user info': {
    changes: { [REGION_B]: { merge: { gitops: { repoURL: `https://deploy:${S}@git.strata.example/platform/strata.git` } } } },
    file: REGION_B,
    path: 'gitops.repoURL',
    secret: S,
  },
  'gitops.repoURL with a token before the @': {
    changes: { [REGION_B]: { merge: { gitops: { repoURL: `https://${token('a GitHub token', 'repo')}@git.strata.example/platform/strata.git` } } } },
    file: REGION_B,
    path: 'gitops.repoURL',
    secret: token('a GitHub token', 'repo'),
  },
  'postgres.parameters (a conninfo password)': {
    changes: {
      [PROD]: { merge: { postgres: { parameters: { primary_conninfo: `host=db.internal user=replicator password=${S} sslmode=require` } } } },
    },
    file: PROD,
    path: 'postgres.parameters.primary_conninfo',
    secret: S,
  },
  'databaseNodes label under a secret-named key': {
    changes: { [REGION_A]: { merge: { databaseNodes: { labels: { 'node.role': 'database', 'api-token': S } } } } },
    file: REGION_A,
    path: 'databaseNodes.labels.api-token',
    secret: S,
  },
  'databaseNodes taint value': {
    changes: { [REGION_A]: { merge: { databaseNodes: { taints: [{ key: 'node.role', value: AWS, effect: 'NoSchedule' }] } } } },
    file: REGION_A,
    path: 'databaseNodes.taints.0.value',
    secret: AWS,
  },
  'index mappings (a PEM block)': {
    changes: { [PROD]: { merge: { streaming: { pipelines: withHrmMappings({ _meta: { signing: PEM } }) } } } },
    file: PROD,
    path: 'streaming.pipelines.0.indices.public.employees.mappings._meta.signing',
    secret: PEM.split('\n')[1],
  },
  'registry.repository with user info': {
    changes: { [REGION_A]: { merge: { registry: { repository: `robot:${S}@registry.region-a.strata.example/platform` } } } },
    file: REGION_A,
    path: 'registry.repository',
    secret: S,
  },
  'registry.pushSecret holding the password': {
    changes: { [REGION_A]: { merge: { registry: { pushSecret: `Tr0ub4dor&3${S}` } } } },
    file: REGION_A,
    path: 'registry.pushSecret',
    secret: S,
  },
  'streaming.connect.image with user info': {
    changes: { [PROD]: { merge: { streaming: { connect: { image: `builder:${S}@registry.region-a.strata.example/platform/connect:3.9.0` } } } } },
    file: PROD,
    path: 'streaming.connect.image',
    secret: S,
  },
  'storage class with a token parameter': {
    changes: { [REGION_A]: { merge: { storageClasses: { fast: `fast-ssd?token=${S}` } } } },
    file: REGION_A,
    path: 'storageClasses.fast',
    secret: S,
  },
  'topic names with a Slack token': {
    changes: { [PROD]: { merge: { streaming: { mirrorTopics: `hrm\\..*|${token('a Slack token', 'topics')}` } } } },
    file: PROD,
    path: 'streaming.mirrorTopics',
    secret: token('a Slack token', 'topics'),
  },
  'topic config with a JAAS password': {
    changes: {
      [PROD]: { merge: { streaming: { mirrorTopics: `hrm.* sasl.jaas.config=ScramLoginModule required username="mm2" password="${S}";` } } },
    },
    file: PROD,
    path: 'streaming.mirrorTopics',
    secret: S,
  },
  'a field no schema knows, in a file that fails its schema': {
    changes: { 'overlays/region-a/dev.yaml': { merge: { minio: { rootPassword: S } } } },
    file: 'overlays/region-a/dev.yaml',
    path: 'minio.rootPassword',
    secret: S,
  },
  'platform.yaml: a Google API key in a parameter': {
    changes: { 'platform.yaml': { merge: { postgres: { parameters: { application_name: `strata-${token('a Google API key', 'platform')}` } } } } },
    file: 'platform.yaml',
    path: 'postgres.parameters.application_name',
    secret: token('a Google API key', 'platform'),
  },
  'a tier file: a JWT in a parameter': {
    changes: { 'tiers/prod.yaml': yaml.dump({ postgres: { parameters: { application_name: token('a JSON Web Token', 'tier') } } }) },
    file: 'tiers/prod.yaml',
    path: 'postgres.parameters.application_name',
    secret: token('a JSON Web Token', 'tier'),
  },
};

describe('a planted credential is refused before anything is written', () => {
  test.each(Object.entries(PLANTS))('%s', (_name, plant) => {
    const envDir = environmentsWith(plant.changes);
    const outDir = path.join(tempDir('strata-secret-out-'), 'dist');
    const err = environmentError(() => synth({ envDir, outDir }));
    expect(fs.existsSync(outDir)).toBe(false);
    const problem = err.problems.find((p) => p.file === plant.file && p.path === plant.path && /^holds what looks like /.test(p.message));
    expect(problem).toBeDefined();
    expect(problem!.value).toMatch(/^[\x20-\x7e]{0,4}…\(redacted\)$/);
    expect(problem!.fix).toMatch(/rotate/);
    expect(problem!.fix).toMatch(/README, section Secrets/);
    expect(err.message).not.toContain(plant.secret);
    expect(JSON.stringify(err.problems)).not.toContain(plant.secret);
  });

  test("the fix names the region's store and remote key prefix", () => {
    const err = environmentError(() => loadEnvironments(environmentsWith(PLANTS['postgres.parameters (a conninfo password)'].changes)));
    expect(err.problems.find((p) => p.path === 'postgres.parameters.primary_conninfo')!.fix).toBe(
      'remove it and rotate it; keep it in the secret store "platform-secrets" under a remote key region-a/prod/<component>/..., which Strata references with an ExternalSecret (README, section Secrets)',
    );
  });

  test('the schema problem of the same field does not echo the credential either', () => {
    const err = environmentError(() =>
      loadEnvironments(environmentsWith(PLANTS['a field no schema knows, in a file that fails its schema'].changes)),
    );
    const schema = err.problems.find((p) => p.message.startsWith('unknown field'));
    expect(schema).toBeDefined();
    expect(JSON.stringify(schema)).not.toContain(S);
  });
});

describe('ordinary values are not credentials', () => {
  const yamlFilesUnder = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? yamlFilesUnder(path.join(dir, e.name)) : e.name.endsWith('.yaml') ? [path.join(dir, e.name)] : []));
  // The examples' environment files too; their committed SOPS and sealed files are ciphertext, checked on their own.
  const shipped = [
    path.join(PROJECT_ROOT, 'environments'),
    path.join(PROJECT_ROOT, 'test', 'fixtures', 'environments'),
    path.join(PROJECT_ROOT, 'examples'),
  ]
    .flatMap(yamlFilesUnder)
    .filter((f) => !f.endsWith('.sops.yaml') && !f.includes(`${path.sep}sealed-secrets${path.sep}`));

  test.each(shipped.map((f) => path.relative(PROJECT_ROOT, f)))('%s', (rel) => {
    expect(findCredentials(yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, rel), 'utf8')))).toEqual([]);
  });

  test('fields that hold names and references, and look-alikes of credentials', () => {
    const data = {
      storageClasses: { fast: 'fast-ssd', retain: 'fast-ssd-retain' },
      zoneLabel: 'topology.kubernetes.io/zone',
      registry: { repository: 'registry.example.org:5000/platform', pushSecret: 'kafka-connect-registry' },
      secrets: {
        kind: 'external-secrets',
        storeName: 'platform-secrets',
        remoteKey: 'region-a/prod/minio/storage/root',
        sops: { decryptionSecret: 'sops-age' },
        store: {
          onepassword: { token: { name: 'onepassword-connect-token', key: 'token' } },
          vault: { auth: { token: { name: 'vault-token', key: 'token' } } },
        },
      },
      backupStorage: { credentialsKey: 'region-a/prod/s3/backups', caKey: 'region-a/prod/s3/ca' },
      databaseNodes: { taints: [{ key: 'node.role', value: 'database', effect: 'NoSchedule' }] },
      gitops: { repoURL: 'ssh://git@git.strata.example/platform/strata.git', scp: 'git@git.strata.example:platform/strata.git' },
      postgres: { parameters: { password_encryption: 'scram-sha-256', ssl_key_file: '/etc/ssl/key.pem', log_line_prefix: '%m [%p] user=%u,db=%d ' } },
      mappings: { properties: { api_key: { type: 'keyword' }, token: { type: 'keyword' } } },
      image: 'quay.io/strimzi/kafka:0.45.0-kafka-3.9.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      dr: { promotionToken: Buffer.from(JSON.stringify({ system_identifier: '7', timeline_id: 2 })).toString('base64') },
      ca: '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2E=\n-----END CERTIFICATE-----',
      owner: 'platform-team@strata.example',
      reason: 'tokens rotated after the key ceremony (see ticket PLAT-1234)',
      // Kubernetes expands the container's own variables: references, not credentials.
      env: { DB_URL: 'postgresql://$(PGUSER):$(PGPASSWORD)@$(PGHOST):$(PGPORT)/$(PGDATABASE)', DB_PASSWORD: '$(PGPASSWORD)' },
      url: 'postgresql://$(PGUSER):$(PGPASSWORD)@db.example.org/app',
    };
    expect(findCredentials(data)).toEqual([]);
    // A literal password beside a reference is still one.
    expect(findCredentials({ url: 'postgresql://$(PGUSER):hunter2hunter2@db.example.org/app' })).toHaveLength(1);
    expect(findCredentials({ env: { DB_PASSWORD: '$(PGPASSWORD)x' } })).toHaveLength(1);
  });

  test('keys name a secret by whole words, not by letters inside other words', () => {
    expect(
      [
        'storageClasses',
        'zoneLabel',
        'pushSecretName',
        'storeName',
        'remoteKey',
        'keyword',
        'monkey',
        'publicKey',
        'secretRef',
        'password_encryption',
        'tokenUrl',
      ].filter((k) => secretWord(k)),
    ).toEqual([]);
    expect(
      ['password', 'adminPassword', 'api_key', 'apiKey', 'X-Amz-Credential', 'access_token', 'clientSecret', 'key', 'sig', 'sslpassword'].map((k) =>
        Boolean(secretWord(k)),
      ),
    ).toEqual(new Array(10).fill(true));
  });
});

describe('property: a token of any known shape, anywhere in an overlay string field, is refused', () => {
  /** String fields of region-a/prod with their value, and where the value sits. */
  const FIELDS: { path: (string | number)[]; value: string }[] = [
    { path: ['postgres', 'parameters', 'application_name'], value: 'strata' },
    { path: ['streaming', 'connect', 'image'], value: 'registry.region-a.strata.example/platform/connect:3.9.0' },
    { path: ['streaming', 'mirrorTopics'], value: 'hrm\\..*' },
    { path: ['streaming', 'pipelines', 0, 'indices', 'public.employees', 'index'], value: 'employees_index' },
    { path: ['streaming', 'pipelines', 1, 'indices', 'public.tx', 'mappings', 'properties', 'amount', 'type'], value: 'scaled_float' },
    { path: ['opensearch', 'heap'], value: '3g' },
  ];
  const base = readEnvironmentsFile(PROD);

  test('refused, naming the file and field, never showing the token', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(SHAPES)),
        fc.stringMatching(/^[A-Za-z0-9]{40}$/),
        fc.constantFrom(...FIELDS),
        fc.nat(),
        (what, body, field, at) => {
          const secret = SHAPES[what](body);
          const position = at % (field.value.length + 1);
          const data = JSON.parse(JSON.stringify(base));
          let node = data;
          for (const seg of field.path.slice(0, -1)) node = node[seg] ??= {};
          node[field.path[field.path.length - 1]] = `${field.value.slice(0, position)}${secret}${field.value.slice(position)}`;
          let err: unknown;
          try {
            loadEnvironments(environmentsWith({ [PROD]: yaml.dump(data) }));
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(EnvironmentError);
          const e = err as EnvironmentError;
          expect(e.problems.some((p) => p.file === PROD && p.path === field.path.join('.') && p.message.startsWith('holds what looks like'))).toBe(
            true,
          );
          // Every part of the token past its public prefix is hidden, not only its whole text.
          for (const part of secret.split('\n').filter((l) => !l.startsWith('-----'))) expect(e.message).not.toContain(part.slice(4));
        },
      ),
      { numRuns: 60 },
    );
  });
});
