/**
 * One snapshot per overlay of the default environments: every file of the overlay's layer
 * folders and cluster entry folder. A change to any rendered object shows up here for review;
 * accept it deliberately with `npm run test:update` (jest --ci never writes snapshots).
 */
import * as path from 'path';
import { synth } from '../main';
import { environmentsWith, readTree, removeTempDirs, tempDir } from './support/temp';

const OVERLAYS = [
  { id: 'region-a/dev', cluster: 'region-a-dev' },
  { id: 'region-a/prod', cluster: 'region-a-prod' },
  { id: 'region-a/staging', cluster: 'region-a-staging' },
  { id: 'region-b/dev', cluster: 'region-b-dev' },
  { id: 'region-b/prod', cluster: 'region-b-prod' },
  { id: 'region-b/staging', cluster: 'region-b-staging' },
];

let tree: Record<string, string>;

beforeAll(() => {
  const outDir = path.join(tempDir('strata-snapshots-'), 'dist');
  synth({ envDir: environmentsWith(), outDir });
  tree = readTree(outDir);
});
afterAll(removeTempDirs);

/** Relative path → content of an overlay's files. */
function filesOf(overlay: { id: string; cluster: string }): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([rel]) => rel.startsWith(`${overlay.id}/`) || rel.startsWith(`clusters/${overlay.cluster}/`)));
}

test('every rendered file belongs to one of the six overlays', () => {
  const covered = new Set(OVERLAYS.flatMap((o) => Object.keys(filesOf(o))));
  expect(Object.keys(tree).filter((rel) => !covered.has(rel))).toEqual([]);
});

test.each(OVERLAYS)('$id', (overlay) => {
  const files = filesOf(overlay);
  expect(Object.keys(files).length).toBeGreaterThan(0);
  expect(files).toMatchSnapshot();
});
