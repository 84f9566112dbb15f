/**
 * The construct library stands on its own: nothing under constructs/ imports the YAML loader
 * (environments/), the tree writer (gitops/), the charts or main.ts. Configuration flows one
 * way, environments -> charts -> constructs, so a user's own cdk8s app can use the library.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../environments/project-root';

const CONSTRUCTS = path.join(PROJECT_ROOT, 'constructs');
const FORBIDDEN = ['environments', 'gitops', 'charts', 'main', 'scripts', 'test'];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every module specifier of a file: imports, re-exports, require() and import() calls. */
function specifiers(text: string): string[] {
  const found = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return found.map((m) => m[1]);
}

test('no file in constructs/ imports from environments/, gitops/, charts/ or main.ts', () => {
  const files = sources(CONSTRUCTS);
  expect(files.length).toBeGreaterThan(50);
  const offending: string[] = [];
  for (const file of files) {
    for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = path.relative(PROJECT_ROOT, path.resolve(path.dirname(file), spec)).split(path.sep)[0];
      if (FORBIDDEN.includes(target)) offending.push(`${path.relative(PROJECT_ROOT, file)} imports ${spec}`);
    }
  }
  expect(offending).toEqual([]);
});

test('the scan sees every form of import it checks', () => {
  const text = [
    "import { a } from '../environments/model';",
    "import type { B } from '../../gitops/tree';",
    "export * from '../charts/overlay';",
    "import '../main';",
    "const c = require('../environments/load');",
  ].join('\n');
  expect(specifiers(text)).toEqual(['../environments/model', '../../gitops/tree', '../charts/overlay', '../main', '../environments/load']);
});
