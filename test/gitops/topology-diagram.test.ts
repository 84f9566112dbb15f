/**
 * The cluster pictures (gitops/topology-diagram.ts): the flows Strata wires appear for the
 * default tree's region-a prod, every picture's layers are its entry points' layers in apply
 * order, Mermaid ids are valid and labels escaped, the output is the same whatever the order
 * of the objects, many components of one kind fold into one box, a shared cluster is drawn
 * with each environment's part, and `--only` leaves the other clusters' pictures as they are.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { LAYERS } from '../../constructs/core/layers';
import { PROJECT_ROOT } from '../../environments/project-root';
import { MAX_PER_KIND, mermaidText, sanitize, topologyDiagram, TopologyLayer } from '../../gitops/topology-diagram';
import { synth } from '../../main';
import { environmentsWith, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const DIST = path.join(PROJECT_ROOT, 'dist');
const picture = (folder: string, dist = DIST) => fs.readFileSync(path.join(dist, 'clusters', folder, 'TOPOLOGY.md'), 'utf8');

/** The rows of the Flows table: `from → to (kind): what`. */
function flows(text: string): string[] {
  const table = text.slice(text.indexOf('## Flows'));
  return table
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| from ') && !l.startsWith('|---'))
    .map((l) => {
      const [from, to, kind, what] = l.slice(2, -2).split(' | ');
      return `${from} → ${to} (${kind}): ${what}`;
    });
}

function mermaidLines(text: string): string[] {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(text);
  expect(m).not.toBeNull();
  return m![1].split('\n');
}

describe('region-a prod of the default tree', () => {
  const text = picture('region-a-prod');
  const rows = flows(text);

  test('apps → poolers → PostgreSQL, and the CDC chain PostgreSQL → Debezium → Kafka → sink → OpenSearch', () => {
    expect(rows).toEqual(
      expect.arrayContaining([
        'PgBouncer postgres/postgres-pooler-hrm → PostgreSQL (CloudNativePG) postgres/postgres (data): rw',
        'PostgreSQL (CloudNativePG) postgres/postgres → Debezium source kafka/hrm-source (data): CDC hrm',
        'Debezium source kafka/hrm-source → Kafka kafka/events (data): topics hrm.*',
        'Kafka kafka/events → Sink connector kafka/hrm-public-employees-sink (data): hrm.public.employees',
        'Sink connector kafka/hrm-public-employees-sink → OpenSearch opensearch/search (data): index employees_index',
      ]),
    );
  });

  test('backups into the MinIO tenant: PostgreSQL through its ObjectStore, Velero through its location, OpenSearch snapshots', () => {
    expect(rows).toEqual(
      expect.arrayContaining([
        'PostgreSQL (CloudNativePG) postgres/postgres → Backup store postgres/postgres-backup (backup): WAL archive, base backups',
        'Backup store postgres/postgres-backup → MinIO tenant minio/storage (backup): s3://pg-backups/',
        'Velero schedule velero/daily → Backup location velero/default (backup): backups',
        'Backup location velero/default → MinIO tenant minio/storage (backup): bucket velero',
        'OpenSearch opensearch/search → MinIO tenant minio/storage (backup): snapshots, bucket opensearch-snapshots',
      ]),
    );
  });

  test('the DR replica in region-b, and region-b’s backups read back for a restore', () => {
    expect(rows).toEqual(
      expect.arrayContaining([
        'PostgreSQL (CloudNativePG) postgres/postgres → PostgreSQL postgres-region-b (DR replica) (replication): DR replica reads the WAL archive',
        's3.region-b.strata.example → Backup location velero/region-b (replication): restore from bucket velero',
      ]),
    );
    // And region-b draws the other side: a replica of region-a, and MirrorMaker 2 pulling region-a's topics.
    const b = flows(picture('region-b-prod'));
    expect(b.filter((r) => r.includes('(replication)') && r.includes('region-a')).length).toBeGreaterThanOrEqual(2);
    expect(b).toEqual(expect.arrayContaining([expect.stringMatching(/^Kafka region-a .* → MirrorMaker 2 kafka\/mirror-maker \(replication\)/)]));
  });

  test('routes from Traefik to the applications, and the components with their sizes', () => {
    expect(rows).toContain('Route hello/hello → Deployment hello/hello (route): hello.region-a.strata.example');
    expect(text).toContain('| data | PostgreSQL (CloudNativePG) | postgres/postgres | 3 instances × 100Gi, WAL volume 20Gi;');
    expect(text).toContain('| streaming | Kafka | kafka/events | Kafka ');
    expect(text).toMatch(/\| data \| MinIO tenant \| minio\/storage \| pool-0: 4 servers × 4 volumes × 100Gi;/);
    expect(text).toContain('| apps | Deployment | hello/hello | 2 replicas |');
  });
});

const entryFolders = fs.readdirSync(path.join(DIST, 'clusters')).sort();

test.each(entryFolders)('%s: the layers drawn are its entry points’ layers, in apply order', (folder) => {
  const dir = path.join(DIST, 'clusters', folder);
  const layers = new Set<string>();
  for (const f of fs.readdirSync(dir).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')) {
    const m = yaml.load(fs.readFileSync(path.join(dir, f), 'utf8')) as any;
    const layer = m.metadata?.name?.match(/-([a-z]+)$/)?.[1];
    if ((m.kind === 'Kustomization' || m.kind === 'Application') && (LAYERS as readonly string[]).includes(layer)) layers.add(layer);
  }
  const drawn = mermaidLines(picture(folder))
    .map((l) => /^ {2}subgraph n_layer_[a-z]+\["\d+\. ([a-z]+)"\]$/.exec(l)?.[1])
    .filter(Boolean);
  expect(drawn).toEqual(LAYERS.filter((l) => layers.has(l)));
  expect(drawn.length).toBeGreaterThan(0);
});

test('a cluster without a layer does not draw it (region-b dev has no apps or ingress)', () => {
  const text = picture('region-b-dev');
  expect(text).not.toContain('. apps"]');
  expect(text).not.toContain('. ingress"]');
  expect(picture('region-a-dev')).toContain('. apps"]');
});

test.each(entryFolders)('%s: node ids are [A-Za-z0-9_], declared once, and every arrow joins declared nodes', (folder) => {
  const lines = mermaidLines(picture(folder));
  const declared = lines
    .filter((l) => !l.includes('subgraph'))
    .map((l) => /^\s+(\S+?)\["/.exec(l)?.[1])
    .filter((id): id is string => !!id);
  expect(declared.filter((id) => !/^[A-Za-z0-9_]+$/.test(id))).toEqual([]);
  expect(new Set(declared).size).toBe(declared.length);
  const arrows = lines.filter((l) => /^ {2}\S+ (-->|-\.->|==>)\|/.test(l));
  expect(arrows.length).toBeGreaterThan(0);
  for (const a of arrows) {
    const m = /^ {2}(\S+) (?:-->|-\.->|==>)\|"[^"|]*"\| (\S+)$/.exec(a);
    expect({ a, parsed: !!m }).toEqual({ a, parsed: true });
    expect(declared).toEqual(expect.arrayContaining([m![1], m![2]]));
  }
});

const deployment = (name: string, env: Record<string, string> = {}, replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: {
    replicas,
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', env: Object.entries(env).map(([n, value]) => ({ name: n, value })) }] },
    },
  },
});
const pooler = {
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Pooler',
  metadata: { name: 'pg-pooler-shop', namespace: 'db' },
  spec: { cluster: { name: 'pg' }, instances: 2, type: 'rw', pgbouncer: { poolMode: 'transaction' } },
};
const cluster = {
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name: 'pg', namespace: 'db' },
  spec: { instances: 3, storage: { size: '10Gi' } },
};
const route = (host: string) => ({
  apiVersion: 'traefik.io/v1alpha1',
  kind: 'IngressRoute',
  metadata: { name: 'shop', namespace: 'shop' },
  spec: { routes: [{ match: host, services: [{ name: 'shop-0', port: 80 }] }] },
});
const service = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { selector: { app: name } } });

function small(order: (ms: any[]) => any[] = (ms) => ms): TopologyLayer[] {
  return [
    { layer: 'data', manifests: order([cluster, pooler]) },
    {
      layer: 'apps',
      manifests: order([deployment('shop-0', { DB: 'postgres://u@pg-pooler-shop.db.svc.cluster.local:5432/shop' }), service('shop-0')]),
    },
    { layer: 'ingress', manifests: order([route('Host(`shop.example.org`) && Header(`X-"q"`, `a|b`)')]) },
  ];
}

describe('topologyDiagram', () => {
  const text = topologyDiagram({ cluster: 'eu-prod', summary: 'A test.', layers: small() });

  test('an application through its pooler to PostgreSQL, and a route to it, from the objects alone', () => {
    expect(flows(text)).toEqual([
      'Deployment shop/shop-0 → PgBouncer db/pg-pooler-shop (data): DB',
      'PgBouncer db/pg-pooler-shop → PostgreSQL (CloudNativePG) db/pg (data): rw',
      'Route shop/shop → Deployment shop/shop-0 (route): shop.example.org',
    ]);
    expect(text).toContain('| data | PostgreSQL (CloudNativePG) | db/pg | 3 instances × 10Gi |');
    expect(text).not.toContain('. streaming"]');
  });

  test('the same for any order of the objects, and no clock in it', () => {
    expect(topologyDiagram({ cluster: 'eu-prod', summary: 'A test.', layers: small((ms) => [...ms].reverse()) })).toBe(text);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  test('labels are escaped for Mermaid and ids sanitised', () => {
    expect(mermaidText('a "b" <c> #d |e `f`')).toBe('a #quot;b#quot; #lt;c#gt; #35;d #124;e #96;f#96;');
    expect(sanitize('data/prod_PgBouncer db.pg-pooler')).toBe('n_data_prod_PgBouncer_db_pg_pooler');
    expect(sanitize('end')).toBe('n_end');
    for (const line of mermaidLines(text)) {
      // Inside a quoted label no raw double quote, pipe or angle bracket other than <br/>.
      for (const [, label] of line.matchAll(/"([^"]*)"/g)) expect(label.replace(/<br\/>/g, '')).not.toMatch(/[<>|`]/);
    }
  });

  test(`more than ${MAX_PER_KIND} components of one kind in a layer: the first ones and one box for the rest; the table lists them all`, () => {
    const many = Array.from({ length: 10 }, (_, i) => deployment(`app-${String(i).padStart(2, '0')}`, { DB: 'pg-pooler-shop.db.svc' }, 1));
    const big = topologyDiagram({
      cluster: 'big',
      summary: 'Big.',
      layers: [
        { layer: 'data', manifests: [cluster, pooler] },
        { layer: 'apps', manifests: many },
      ],
    });
    const boxes = mermaidLines(big).filter((l) => l.includes('["Deployment '));
    expect(boxes).toHaveLength(MAX_PER_KIND);
    expect(boxes.filter((l) => l.includes(`Deployment +${10 - MAX_PER_KIND + 1} more`))).toHaveLength(1);
    expect(big.split('\n').filter((l) => l.startsWith('| apps | Deployment |'))).toHaveLength(10);
    // Every application still reaches the pooler: the folded ones through their box, once.
    const toPooler = mermaidLines(big).filter((l) => / -->\|"DB"\| n_data_PgBouncer/.test(l));
    expect(toPooler).toHaveLength(MAX_PER_KIND);
  });
});

describe('rendered trees', () => {
  test('a shared cluster is drawn once, with the cluster’s part and each environment’s', () => {
    const out = path.join(tempDir('strata-topology-'), 'dist');
    synth({ envDir: path.join(PROJECT_ROOT, 'examples', 'k3s-community-site'), outDir: out });
    const text = picture('dirtbike-k3s', out);
    expect(text).toContain('environments `dev`, `prod`, `stage`, `test`');
    const lines = mermaidLines(text);
    expect(lines).toEqual(
      expect.arrayContaining([
        '    subgraph n_layer_data_cluster["cluster"]',
        '    subgraph n_layer_apps_prod["prod"]',
        '    subgraph n_layer_apps_stage["stage"]',
      ]),
    );
    expect(flows(text)).toEqual(expect.arrayContaining(['Deployment prod/logto → PgBouncer infra/postgres-pooler-logto (data): PGHOST']));
  });

  test('--only redraws the selected clusters and leaves the others’ pictures byte for byte', () => {
    const envDir = environmentsWith({});
    const out = path.join(tempDir('strata-topology-'), 'dist');
    synth({ envDir, outDir: out });
    expect(picture('region-a-prod', out)).toBe(picture('region-a-prod'));
    const other = path.join(out, 'clusters', 'region-b-prod', 'TOPOLOGY.md');
    fs.appendFileSync(other, '\nedited by hand\n');
    const before = fs.readFileSync(other, 'utf8');
    synth({ envDir, outDir: out, only: ['region-a/prod'] });
    expect(fs.readFileSync(other, 'utf8')).toBe(before);
    // The whole tree puts it back.
    synth({ envDir, outDir: out });
    expect(picture('region-b-prod', out)).toBe(picture('region-b-prod'));
  });
});
