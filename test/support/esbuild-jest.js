/**
 * Jest's transform for this project: TypeScript, and the CEL library's ES modules, to CommonJS
 * with esbuild, the transpiler `npm run synth` runs (scripts/launch.js), so tests run the code
 * users run. Transpile only: `npm test` type-checks with `tsc --noEmit` before the suites start.
 * (ts-jest spent about 9 s of every cold test run transpiling imports/ alone.)
 *
 * Sources get a source map, so failures point at TypeScript lines; the generated imports/ do
 * not (megabytes of map for code no stack trace is read in).
 */
'use strict';
const crypto = require('crypto');
const esbuild = require('esbuild');
const ESBUILD_VERSION = require('esbuild/package.json').version;

/** Bumped when the options below change. */
const FORMAT = 2;

function mapsFor(file) {
  return !/[\\/](imports|node_modules)[\\/]/.test(file);
}

module.exports = {
  process(source, file) {
    const result = esbuild.transformSync(source, {
      loader: file.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcefile: file,
      sourcemap: mapsFor(file) ? 'external' : false,
      // `await import(...)` becomes a require: jest runs tests as CommonJS, without VM modules.
      supported: { 'dynamic-import': false },
      logLevel: 'silent',
    });
    return { code: result.code, map: result.map || null };
  },

  getCacheKey(source, file) {
    return crypto.createHash('sha256').update(`${FORMAT}\0${ESBUILD_VERSION}\0${file}\0`).update(source).digest('hex');
  },
};
