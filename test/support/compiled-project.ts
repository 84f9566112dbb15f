/**
 * The project transpiled once into a temp folder, for tests that start many child processes:
 * ts-node would transpile imports/ (several MB) again in every child, which costs seconds each
 * on a busy machine. Transpile-only, like ts-node --transpile-only: type errors are tsc's job.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { PROJECT_ROOT } from '../../environments/project-root';
import { tempDir } from './temp';

/** Everything main.ts can load at run time; tests, lib/ and dist/ are left out. */
const SOURCES = ['main.ts', 'constructs', 'charts', 'environments', 'gitops', 'imports', 'scripts'];

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2020,
  esModuleInterop: true,
  resolveJsonModule: true,
};

/**
 * A folder that works as a project root (PROJECT_ROOT resolves to it): each .ts source as .js,
 * every other file (validators, schemas, YAML) and node_modules/package.json as symlinks into
 * the checkout. Removed with the other temp folders.
 */
export function compiledProject(): string {
  const root = tempDir('strata-compiled-');
  for (const link of ['package.json', 'node_modules']) fs.symlinkSync(path.join(PROJECT_ROOT, link), path.join(root, link));
  for (const source of SOURCES) mirror(path.join(PROJECT_ROOT, source), path.join(root, source));
  return root;
}

function mirror(from: string, to: string): void {
  const stat = fs.statSync(from);
  if (stat.isDirectory()) {
    if (!containsTypeScript(from)) {
      fs.symlinkSync(from, to);
      return;
    }
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from)) mirror(path.join(from, entry), path.join(to, entry));
  } else if (from.endsWith('.ts') && !from.endsWith('.d.ts')) {
    const { outputText } = ts.transpileModule(fs.readFileSync(from, 'utf8'), { compilerOptions: COMPILER_OPTIONS, fileName: from });
    fs.writeFileSync(to.replace(/\.ts$/, '.js'), outputText);
  } else if (!from.endsWith('.d.ts')) {
    fs.symlinkSync(from, to);
  }
}

function containsTypeScript(dir: string): boolean {
  return fs.readdirSync(dir, { withFileTypes: true }).some((e) =>
    e.isDirectory() ? containsTypeScript(path.join(dir, e.name)) : e.name.endsWith('.ts'));
}
