import { javascript, typescript } from 'projen';

// Strata keeps the design card's root layout (main.ts, constructs/, charts/, imports/,
// environments/, gitops/, test/), so the TypeScript sources live at the repository root
// and compile to lib/. projen's Cdk8sTypeScriptApp insists on src/, hence a plain
// TypeScript app with the synth, import and bench tasks declared here.
const project = new typescript.TypeScriptAppProject({
  name: 'strata',
  description: 'Typed cdk8s constructs that render a multi-region data platform into a validated GitOps tree for Flux or Argo CD.',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.0.0',
  srcdir: '.',
  libdir: 'lib',
  testdir: 'test',
  sampleCode: false,
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  eslint: true,
  eslintOptions: {
    dirs: ['constructs', 'charts', 'environments', 'gitops', 'scripts', 'main.ts'],
    devdirs: ['test', 'examples'],
    fileExtensions: ['.ts'],
    prettier: true,
  },
  prettier: true,
  prettierOptions: { settings: { printWidth: 150, singleQuote: true } },
  licensed: false,
  typescriptVersion: '5.9.3',
  deps: [
    'cdk8s@2.70.106',
    'cdk8s-plus-28@2.5.6',
    'constructs@10.8.1',
    'js-yaml@4.1.1',
    'ajv@8.20.0',
    'ajv-formats@3.0.1',
    '@marcbachmann/cel-js@8.0.0',
    // Environment files are parsed with an alias budget and duplicate-key detection.
    'yaml@2.9.1',
    // Grafana dashboards are built in TypeScript (constructs/monitoring/dashboards/), not pasted JSON.
    '@grafana/grafana-foundation-sdk@0.0.21',
    // The review diff (`npm run diff`) compares objects field by field: small, no dependencies,
    // structured paths for every change, and a CommonJS build.
    'microdiff@1.6.0',
  ],
  devDeps: [
    'cdk8s-cli@2.207.60',
    '@types/js-yaml@4.0.9',
    '@types/node@20.19.43',
    'fast-check@4.11.0',
    // Transpiles the sources for `npm run synth` (scripts/launch.js): milliseconds, no type-check.
    'esbuild@0.28.2',
  ],
  jestOptions: {
    jestVersion: '^29',
    // A snapshot test that rewrites itself can never fail: `npm test` runs jest --ci.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/lib/', '/dist/'],
      modulePathIgnorePatterns: ['<rootDir>/lib/', '<rootDir>/dist/'],
      watchPathIgnorePatterns: ['<rootDir>/dist/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/imports/', '/test/'],
      testTimeout: 120_000,
      // The CEL library is an ES module; tests compile it to CommonJS like their own sources
      // (Node itself loads it with require). The transform is set below.
      transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
      // Coverage on demand (`npx jest --coverage`): collecting it costs a third of the run.
      collectCoverage: false,
      // Two workers for two cores (jest's default leaves one idle). A worker's memory grows with
      // every suite it runs (each loads the project afresh); past this it is replaced between
      // suites (a fresh worker costs a fraction of a second).
      maxWorkers: 2,
      workerIdleMemoryLimit: '300MB',
    },
  },
  tsconfig: {
    compilerOptions: {
      rootDir: '.',
      outDir: 'lib',
      resolveJsonModule: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      isolatedModules: true,
    },
    include: ['main.ts', 'constructs/**/*.ts', 'charts/**/*.ts', 'imports/**/*.ts', 'environments/**/*.ts', 'gitops/**/*.ts', 'scripts/**/*.ts'],
    exclude: ['node_modules', 'lib', 'dist', 'test'],
  },
  // dist/ is the rendered GitOps tree and is committed; projen's packaging artifacts go under lib/.
  artifactsDirectory: 'lib/artifacts',
  gitignore: ['/lib/', '/.strata-*', '/.dist.strata*', '/coverage/', '/test-output/', '/dist.library/'],
});

// Tests transpile with esbuild, as synth does (test/support/esbuild-jest.js): the sources and the
// CEL library's ES modules. ts-jest (projen's default) is not used.
// (The first key is projen's own, replaced.)
project.package.file.addOverride('jest.transform', {
  '^.+\\.[t]sx?$': '<rootDir>/test/support/esbuild-jest.js',
  '^.+\\.js$': '<rootDir>/test/support/esbuild-jest.js',
});

// Snapshots are updated deliberately with `npx jest --updateSnapshot <file>`, never by a
// task: no task of this project passes --updateSnapshot.
project.tasks.removeTask('test:update');

// projen merges its default testMatch globs into ours; tests live only under test/.
project.package.file.addOverride('jest.testMatch', ['<rootDir>/test/**/*.test.ts']);

// TypeScript projects ignore /dist/ by default; here it is the product's committed output.
project.gitignore.removePatterns('/dist/');

// Compiled output goes to lib/ and is never committed; dist/ (rendered tree) and
// imports/ (generated L1 constructs and validators) are committed on purpose.
project.npmignore?.exclude('dist/');

// The commands users type run node directly: no task runner and no type-check on the hot
// path. scripts/launch.js transpiles what changed since the last run with esbuild into
// .strata-build/ and runs the entry point; `npm test` type-checks (tsc --noEmit) instead.
//   synth   render environments/ into dist/ (--check, --only, --require-checksums, --env-dir, --out)
//   import  regenerate imports/ from the pinned CRDs (--crds DIR, --k8s-schemas DIR, --check)
//   bench   synth against the write floor, default tree and fleet
//   diff    render a base git ref and the working tree, compare objects, classify the risks
// The construct library's entry point (constructs/index.ts, compiled to lib/ by `npx projen
// compile`): `import { PlatformApp, CloudNativePgCluster } from 'strata'`.
project.package.addField('main', 'lib/constructs/index.js');
project.package.addField('types', 'lib/constructs/index.d.ts');
project.package.addField('exports', {
  '.': { types: './lib/constructs/index.d.ts', default: './lib/constructs/index.js' },
  './package.json': './package.json',
});
project.package.setScript('synth', 'node scripts/launch.js main.ts');
project.package.setScript('import', 'node scripts/launch.js scripts/import.ts');
project.package.setScript('bench', 'node scripts/launch.js scripts/bench.ts');
project.package.setScript('diff', 'node scripts/launch.js scripts/diff.ts');

// Type errors fail `npm test` before the suites run (the launcher and ts-jest only transpile):
// one program of the tests, everything they import, and the scripts.
project.tryFindObjectFile('test/tsconfig.json')?.addOverride('include', ['**/*.ts', '../scripts/**/*.ts', '../main.ts']);
// Jest's workers inherit node's flags: a 256 MB old space (a suite's live heap is 100-200 MB)
// makes them collect garbage instead of growing to 700 MB each on a machine with memory to
// spare, which keeps `npm test` near 1 GB in all.
project.testTask.reset('tsc --noEmit -p test/tsconfig.json --incremental --tsBuildInfoFile .strata-build/tsc.tsbuildinfo');
project.testTask.exec('node --max-old-space-size=256 node_modules/jest/bin/jest.js --ci', { receiveArgs: true });

// `npm test` runs the fuzz test with a bounded number of trials; this runs ten thousand (a task's
// env wins over the caller's: other counts run jest directly with STRATA_FUZZ_TRIALS).
const fuzz = project.addTask('fuzz', {
  description: 'Fuzz synth with 10000 hostile and careless changes to environments/ (STRATA_FUZZ_SEED picks the sequence)',
  env: { STRATA_FUZZ_TRIALS: '10000' },
});
fuzz.exec('jest --ci --coverage=false test/fuzz/synth.fuzz.test.ts', { receiveArgs: true });

// Install the repository's git hooks (pre-commit runs `synth --check`). Harmless outside a
// git work tree, so `npm ci` in a tarball or a container still succeeds.
project.package.setScript('prepare', 'git rev-parse --is-inside-work-tree >/dev/null 2>&1 && git config core.hooksPath .githooks || true');

// Lint and format: typescript-eslint with projen's rules, prettier (150 columns) through eslint.
// `npm run lint` checks without fixing (CI runs it: .ci/run); `npx projen eslint` fixes.
project.prettier?.addIgnorePattern('dist/');
project.prettier?.addIgnorePattern('imports/');
project.prettier?.addIgnorePattern('.strata-build/');
project.prettier?.addIgnorePattern('lib/');
project.package.setScript(
  'lint',
  'ESLINT_USE_FLAT_CONFIG=false NODE_NO_WARNINGS=1 eslint --ext .ts --max-warnings 0 --no-error-on-unmatched-pattern constructs charts environments gitops scripts main.ts test examples .projenrc.ts',
);

project.synth();
