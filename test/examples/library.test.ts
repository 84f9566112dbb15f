/**
 * The README's library example is this file, and it renders a valid platform: every object
 * passes the pinned schemas, and the layers are what the README says.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { PROJECT_ROOT } from '../../environments/project-root';
import { buildPlatform } from '../../examples/library/platform';
import { SchemaValidator } from '../../gitops/validator';
import { removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

test('the README shows examples/library/platform.ts as it is', () => {
  const source = fs.readFileSync(path.join(PROJECT_ROOT, 'examples', 'library', 'platform.ts'), 'utf8');
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  expect(readme).toContain('```ts\n' + source + '```\n');
});

test('it synthesises the foundation, operators and data layers, every object valid, no credential in them', () => {
  const outdir = tempDir('strata-library-example-');
  buildPlatform(outdir).synth();
  expect(fs.readdirSync(outdir).sort()).toEqual(['data.k8s.yaml', 'foundation.k8s.yaml', 'operators.k8s.yaml']);
  const objects = fs.readdirSync(outdir).flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(outdir, f), 'utf8')) as any[]);
  const validator = new SchemaValidator();
  expect(objects.flatMap((o) => validator.validate(o))).toEqual([]);
  const names = (kind: string) =>
    objects
      .filter((o) => o.kind === kind)
      .map((o) => o.metadata.name)
      .sort();
  expect(names('HelmRelease')).toEqual(expect.arrayContaining(['cloudnative-pg', 'minio-operator', 'cert-manager', 'external-secrets']));
  expect(names('Namespace')).toEqual(expect.arrayContaining(['postgres', 'minio']));
  expect(
    objects
      .filter((o) => o.kind === 'Database')
      .map((o) => o.spec.name)
      .sort(),
  ).toEqual(['billing', 'orders']);
  expect(objects.filter((o) => o.kind === 'Secret' && (o.data || o.stringData))).toEqual([]);
  const cluster = objects.find((o) => o.kind === 'Cluster' && o.apiVersion === 'postgresql.cnpg.io/v1');
  expect(cluster.spec.plugins).toEqual([expect.objectContaining({ name: 'barman-cloud.cloudnative-pg.io' })]);
});
