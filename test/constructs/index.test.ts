/**
 * The construct library from its public entry point, as a user's own cdk8s app uses it:
 * a PlatformApp with one PostgreSQL cluster gets the namespaces, the operators and the
 * layer order it needs, every object valid against the pinned schemas.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import { CloudNativePgCluster, GitOpsSpec, isLayerChart, LayerChart, PlatformApp, SecretBackend } from '../../constructs';
import { SchemaValidator } from '../../gitops/validator';
import { removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const gitops: GitOpsSpec = { engine: 'flux', path: './clusters', sourceRef: { name: 'flux-system', namespace: 'flux-system' }, interval: '10m' };
const secretBackend: SecretBackend = { kind: 'external-secrets', storeName: 'vault', storeKind: 'ClusterSecretStore', refreshInterval: '1h' };

function smallPlatform(outdir?: string): { app: PlatformApp; pg: CloudNativePgCluster } {
  const app = new PlatformApp({ region: 'eu-west', environment: 'prod', gitops, ...(outdir ? { outdir } : {}) });
  const pg = new CloudNativePgCluster(app.layer('data'), 'Postgres', { secretBackend });
  pg.addDatabase('orders');
  return { app, pg };
}

describe('the library entry point', () => {
  test('a PlatformApp derives the foundation and operators layers, and every object is valid', () => {
    const { app } = smallPlatform();
    const layers = app.completeLayers();
    expect(layers.map((l) => l.layer)).toEqual(['foundation', 'operators', 'data']);
    const data = layers.find((l) => l.layer === 'data')!;
    expect([...data.layerDependencies].map((l) => l.layer).sort()).toEqual(['foundation', 'operators']);

    const objects = layers.flatMap((l) => l.toJson());
    const validator = new SchemaValidator();
    expect(objects.flatMap((o) => validator.validate(o))).toEqual([]);
    const names = (kind: string) =>
      objects
        .filter((o) => o.kind === kind)
        .map((o) => o.metadata.name)
        .sort();
    // The cluster's own namespace, and the operators' (CloudNativePG; cert-manager for the platform CA; External Secrets).
    expect(names('Namespace')).toEqual(expect.arrayContaining(['postgres', 'cnpg-system', 'cert-manager', 'external-secrets']));
    expect(names('HelmRelease')).toEqual(expect.arrayContaining(['cloudnative-pg', 'cert-manager', 'external-secrets']));
    expect(names('ResourceQuota')).toEqual([]); // no quota given
    expect(names('LimitRange').length).toBe(names('Namespace').length);
    const cluster = objects.find((o) => o.kind === 'Cluster' && o.apiVersion === 'postgresql.cnpg.io/v1');
    expect(cluster.spec.instances).toBe(3);
    expect(cluster.spec.storage).toEqual({ size: '100Gi' }); // the cluster's default storage class
  });

  test('defaults follow the layer: secret keys under <region>/<environment>, the topology name <name>-<region>', () => {
    const { app, pg } = smallPlatform();
    expect(pg.topologyName).toBe('postgres-eu-west');
    const remoteKeys = app
      .completeLayers()
      .flatMap((l) => l.toJson())
      .filter((o) => o.kind === 'ExternalSecret')
      .flatMap((o) => (o.spec.data ?? []).map((d: any) => d.remoteRef.key));
    expect(remoteKeys.length).toBeGreaterThan(0);
    for (const key of remoteKeys) expect(key).toMatch(/^eu-west\/prod\//);
  });

  test('app.synth() writes the layers as a plain cdk8s app does', () => {
    const outdir = tempDir('strata-library-');
    smallPlatform(outdir).app.synth();
    const files = fs.readdirSync(outdir).sort();
    expect(files).toEqual(['data.k8s.yaml', 'foundation.k8s.yaml', 'operators.k8s.yaml']);
    const kinds = yaml.loadAll(fs.readFileSync(path.join(outdir, 'foundation.k8s.yaml'), 'utf8')).map((o: any) => o.kind);
    expect(kinds).toContain('Namespace');
  });
});

describe('misuse says what to do', () => {
  test('a construct outside a PlatformApp', () => {
    const app = new App();
    expect(() => new CloudNativePgCluster(new Chart(app, 'plain'), 'Postgres', { secretBackend })).toThrow(
      /inside a PlatformApp: create the app with `new PlatformApp\(\{ region, environment, gitops \}\)`/,
    );
  });

  test('a construct in a plain Chart of a PlatformApp', () => {
    const app = new PlatformApp({ region: 'eu-west', environment: 'prod', gitops });
    expect(() => new CloudNativePgCluster(new Chart(app, 'plain'), 'Postgres', { secretBackend })).toThrow(
      /is in chart plain, which is not a layer: add Strata constructs to a layer of a PlatformApp/,
    );
  });

  test('isLayerChart tells layer charts from charts (instanceof cannot)', () => {
    const app = new App();
    const plain = new Chart(app, 'plain');
    const layer = new LayerChart(app, 'data', { region: 'eu-west', environment: 'prod' });
    expect(plain instanceof LayerChart).toBe(true); // cdk8s' Chart[Symbol.hasInstance]: why the symbol exists
    expect(isLayerChart(plain)).toBe(false);
    expect(isLayerChart(layer)).toBe(true);
    expect(LayerChart.of(layer)).toBe(layer);
    expect(() => LayerChart.of(plain)).toThrow(/inside a PlatformApp/);
  });

  test('constructs added after the layers are complete are refused', () => {
    const { app } = smallPlatform();
    app.completeLayers();
    expect(() => app.layer('streaming')).toThrow(/add constructs before synthesising/);
  });
});

describe('package.json', () => {
  test('main, types and exports point at the compiled entry point', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(pkg.main).toBe('lib/constructs/index.js');
    expect(pkg.types).toBe('lib/constructs/index.d.ts');
    expect(pkg.exports['.']).toEqual({ types: './lib/constructs/index.d.ts', default: './lib/constructs/index.js' });
    expect(fs.existsSync(path.join(__dirname, '..', '..', 'constructs', 'index.ts'))).toBe(true);
  });
});

describe('the entry point exports the library', () => {
  /** Modules that are the library's own machinery, not its vocabulary. */
  const INTERNAL = new Set([
    'transitions',
    // The review rules of `npm run diff` (gitops/review/), with their registry.
    'risks',
    'platform/risk-rules',
    'platform/workload-risks',
    'foundation/namespace-risks',
    'foundation/network-policy-risks',
    'ingress/route-risks',
    'operators/release-risks',
    'secrets/secret-reference-risks',
    'pod-demands',
    'platform/transition-rules',
    'platform/pod-demand',
    'platform/workload-pod-demand',
    'platform/shell-snippets',
    'platform/ordering',
    'backup/velero-transitions',
    'data/postgres-transitions',
    'data/postgres-pod-demand',
    'data/postgres-alert-common',
    'data/postgres-defaults',
    'apps/app-transitions',
    'monitoring/prometheus-stack-transitions',
    'monitoring/victoria-metrics-transitions',
    'logging/logging-transitions',
    'apps/application-defaults',
    'data/redis-defaults',
    'search/opensearch-defaults',
    'storage/minio-defaults',
    'streaming/kafka-defaults',
    'foundation/namespace-transitions',
    'search/opensearch-transitions',
    'search/opensearch-pod-demand',
    'search/replication-setup-script',
    'storage/minio-transitions',
    'storage/minio-pod-demand',
    'storage/minio-access-setup-script',
    'streaming/kafka-transitions',
    'streaming/kafka-pod-demand',
    'topologies',
    'platform/topology',
    'platform/workload-topology',
    'backup/velero-topology',
    'data/postgres-topology',
    'ingress/traefik-topology',
    'search/opensearch-topology',
    'storage/minio-topology',
    'streaming/kafka-topology',
  ]);
  const root = path.join(__dirname, '..', '..', 'constructs');
  const modules = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      return e.isDirectory() ? modules(rel) : e.name.endsWith('.ts') && rel !== 'index.ts' ? [rel.slice(0, -3)] : [];
    });

  test('every module is re-exported from constructs/index.ts or listed as internal', () => {
    const exported = new Set(
      [...fs.readFileSync(path.join(root, 'index.ts'), 'utf8').matchAll(/^export \* from '\.\/([^']+)';$/gm)].map((m) => m[1]),
    );
    const all = modules('');
    expect(all.filter((m) => !exported.has(m) && !INTERNAL.has(m))).toEqual([]);
    expect([...exported].filter((m) => INTERNAL.has(m) || !all.includes(m))).toEqual([]);
    expect([...INTERNAL].filter((m) => !all.includes(m))).toEqual([]);
  });
});
