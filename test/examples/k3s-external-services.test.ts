/**
 * The example of K3s applications on external PostgreSQL, Redis and S3 renders, every object
 * validated strictly (synth does), nothing stateful in the cluster, and every folder builds
 * with kubectl kustomize.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { PROJECT_ROOT } from '../../environments/project-root';
import { listTree } from '../../gitops/tree';
import { synth } from '../../main';
import { removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'k3s-external-services');
let out: string;
let objects: { file: string; manifest: any }[];

beforeAll(() => {
  out = path.join(tempDir('strata-example-'), 'dist');
  synth({ envDir: EXAMPLE, outDir: out });
  objects = listTree(out)
    .filter((f) => f.endsWith('.yaml') && path.posix.basename(f) !== 'kustomization.yaml')
    .flatMap((file) =>
      (yaml.loadAll(fs.readFileSync(path.join(out, file), 'utf8')) as any[]).filter(Boolean).map((manifest) => ({ file, manifest })),
    );
});

const kinds = (overlay: string) => objects.filter((o) => o.file.startsWith(`${overlay}/`)).map((o) => o.manifest.kind);

test('each environment is one cluster with its entry point, and nothing stateful runs in it', () => {
  expect(fs.readdirSync(path.join(out, 'clusters')).sort()).toEqual(['hetzner-prod', 'hetzner-staging']);
  for (const overlay of ['hetzner/prod', 'hetzner/staging']) {
    for (const kind of ['Tenant', 'Cluster', 'postgresql', 'StatefulSet', 'PersistentVolumeClaim']) expect(kinds(overlay)).not.toContain(kind);
    expect(kinds(overlay)).toEqual(expect.arrayContaining(['ClusterSecretStore', 'BackupStorageLocation', 'EndpointSlice', 'ExternalSecret']));
  }
});

test('PostgreSQL and Redis are the VMs behind selector-less Services; backups go to the provider', () => {
  const slices = objects.filter((o) => o.file.startsWith('hetzner/staging/') && o.manifest.kind === 'EndpointSlice');
  expect(slices.map((s) => s.manifest.metadata.name).sort()).toEqual(['patroni-exporter-vms', 'patroni-vms', 'redis-sentinel-vms', 'redis-vms']);
  for (const s of slices) expect(s.manifest.endpoints.map((e: any) => e.addresses[0])).toEqual(['10.41.0.11', '10.41.0.12']);
  const pgbouncer = objects.find(
    (o) => o.file.startsWith('hetzner/prod/') && o.manifest.kind === 'Service' && o.manifest.metadata.name === 'patroni',
  );
  expect(pgbouncer!.manifest.spec.ports[0].port).toBe(6432);
  const location = objects.find((o) => o.file.startsWith('hetzner/prod/') && o.manifest.kind === 'BackupStorageLocation');
  expect(location!.manifest.spec.config).toMatchObject({ s3Url: 'https://fsn1.your-objectstorage.example', region: 'fsn1' });
  const store = objects.find((o) => o.manifest.kind === 'ClusterSecretStore');
  expect(store!.manifest.spec.provider.vault.auth.kubernetes.role).toBe('strata');
  expect(objects.filter((o) => o.manifest.kind === 'Secret')).toEqual([]);
});

const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
(kubectl ? test : test.skip)('kubectl kustomize builds every folder', () => {
  const folders = listTree(out)
    .filter((f) => path.posix.basename(f) === 'kustomization.yaml')
    .map((f) => path.posix.dirname(f));
  expect(folders.length).toBeGreaterThan(4);
  const failures = folders.flatMap((folder) => {
    try {
      execFileSync('kubectl', ['kustomize', path.join(out, folder)], { stdio: ['ignore', 'pipe', 'pipe'] });
      return [];
    } catch (err) {
      return [`${folder}: ${(err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message}`];
    }
  });
  expect(failures).toEqual([]);
});
