#!/usr/bin/env node
/**
 * `node scripts/launch.js <entry.ts> [args...]`: runs one of the project's TypeScript entry
 * points (main.ts, scripts/bench.ts, scripts/import.ts) as the main module, from
 * `.strata-build/`, after transpiling with esbuild every source that changed since the last
 * run. Nothing is type-checked here: `npm test` runs `tsc --noEmit`. This file is plain
 * JavaScript so that nothing has to be compiled before it.
 *
 * A source counts as changed when its size or modification time differs from the stamp of
 * the last build; each output file is written to a temporary name and renamed, and the stamp
 * last, so two runs at once (a pre-commit hook and a synth) never load a half-written file.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');
const crypto = require('crypto');
const vm = require('vm');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, '.strata-build');
const STAMP = path.join(OUT, 'stamp.json');
/** Everything an entry point can load; test/, lib/ and dist/ are not. */
const SOURCES = ['main.ts', 'constructs', 'charts', 'environments', 'gitops', 'imports', 'scripts'];
/** Folders of generated data with no TypeScript in them, not walked. */
const SKIP = new Set(['imports/validators', 'imports/schemas', 'imports/rules']);
const ESBUILD_OPTIONS = { format: 'cjs', platform: 'node', target: 'node20', sourcemap: false, logLevel: 'silent' };

function listSources() {
  const files = [];
  const walk = (rel) => {
    const full = path.join(ROOT, rel);
    let stat;
    try { stat = fs.statSync(full); } catch { return; }
    if (stat.isDirectory()) {
      if (SKIP.has(rel)) return;
      for (const entry of fs.readdirSync(full)) walk(rel ? `${rel}/${entry}` : entry);
    } else if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) {
      files.push([rel, `${stat.size}:${stat.mtimeMs}`]);
    }
  };
  for (const source of SOURCES) walk(source);
  return files;
}

/** Bumped when the stamp's format changes (2: content hashes, for the render cache's key). */
const STAMP_FORMAT = 2;

function readStamp(esbuildVersion) {
  try {
    const stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
    if (stamp.format === STAMP_FORMAT && stamp.esbuild === esbuildVersion && JSON.stringify(stamp.options) === JSON.stringify(ESBUILD_OPTIONS)) return stamp;
  } catch { /* no stamp yet, or another esbuild: build everything */ }
  return { files: {}, hashes: {} };
}

function sourceHash(rel) {
  return crypto.createHash('sha256').update(fs.readFileSync(path.join(ROOT, rel))).digest('hex');
}

function writeAtomically(file, contents) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
}

/** Brings .strata-build/ up to date; returns the number of files transpiled. */
function build() {
  const sources = listSources();
  const esbuildVersion = require('esbuild/package.json').version;
  const stamp = readStamp(esbuildVersion);
  const previous = stamp.files;
  const changed = sources.filter(([rel, key]) => previous[rel] !== key).map(([rel]) => rel);
  const current = new Set(sources.map(([rel]) => rel));
  const removed = Object.keys(previous).filter((rel) => !current.has(rel));
  if (!changed.length && !removed.length) return 0;
  if (changed.length) {
    const esbuild = require('esbuild');
    const result = esbuild.buildSync({
      ...ESBUILD_OPTIONS,
      entryPoints: changed.map((rel) => path.join(ROOT, rel)),
      outbase: ROOT,
      outdir: OUT,
      bundle: false,
      write: false,
    });
    for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  }
  for (const rel of removed) fs.rmSync(path.join(OUT, rel.replace(/\.ts$/, '.js')), { force: true });
  // Sizes and times tell what to rebuild here; the content hashes name the code on every
  // machine (a render cache filled by one CI job serves another: gitops/render-cache.ts).
  const rebuilt = new Set(changed);
  const hashes = {};
  for (const [rel] of sources) hashes[rel] = !rebuilt.has(rel) && stamp.hashes[rel] ? stamp.hashes[rel] : sourceHash(rel);
  writeAtomically(STAMP, JSON.stringify({ format: STAMP_FORMAT, esbuild: esbuildVersion, options: ESBUILD_OPTIONS, files: Object.fromEntries(sources), hashes }));
  return changed.length;
}

/**
 * A V8 code cache for every CommonJS module this process loads (ours and node_modules'), in
 * one file: compiling the generated imports and cdk8s from source is a quarter of a synth.
 * Node 22 has module.enableCompileCache(); on Node 20 this does what v8-compile-cache does:
 * compile the same wrapper Node would, with the cached data when the source is unchanged.
 * Entries are keyed by file and checked against a hash of the source, and the file is
 * rewritten (atomically) only when this run compiled something new. Render workers
 * (gitops/render-worker.ts) read it with `save: false`: synth's own thread loads the same
 * modules and writes it.
 */
function installCompileCache(file, { save = true } = {}) {
  // The index is read at start; each entry's data is read from the file when its module is
  // compiled. Holding the whole file (tens of MB) in every thread for the process's life
  // would cost each render worker as much memory again.
  let fd;
  let cache = new Map();
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    const indexLength = head.readUInt32LE(0);
    const indexBytes = Buffer.alloc(indexLength);
    if (fs.readSync(fd, indexBytes, 0, indexLength, 4) !== indexLength) throw new Error('short index');
    let at = 4 + indexLength;
    for (const [name, hash, length] of JSON.parse(indexBytes.toString('utf8'))) {
      cache.set(name, { hash, offset: at, length });
      at += length;
    }
  } catch {
    cache = new Map();
  }
  /** An entry's cached data: read from the file (held open, so a rewrite by another run cannot change it underneath), or kept in memory once compiled here. */
  const dataOf = (entry) => {
    if (entry.data) return entry.data;
    const data = Buffer.allocUnsafe(entry.length);
    return fs.readSync(fd, data, 0, entry.length, entry.offset) === entry.length ? data : undefined;
  };
  const compiled = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename, format) {
    // ES modules (require(esm), or syntax only a module allows) are Node's to load.
    if (typeof content !== 'string' || !filename.endsWith('.js') || (format !== undefined && format !== 'commonjs')) {
      return compile.apply(this, arguments);
    }
    const hash = crypto.createHash('sha1').update(content).digest('base64');
    const entry = cache.get(filename);
    let script;
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData: entry && entry.hash === hash ? dataOf(entry) : undefined });
    } catch (err) {
      if (err instanceof SyntaxError) return compile.apply(this, arguments);
      throw err;
    }
    if (!entry || entry.hash !== hash || script.cachedDataRejected) compiled.push({ filename, hash, script });
    const fn = script.runInThisContext({ displayErrors: true });
    const mod = this;
    const require = (id) => mod.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    return fn.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
  };
  if (!save) return;
  process.once('exit', () => {
    if (!compiled.length) return;
    try {
      for (const { filename, hash, script } of compiled) cache.set(filename, { hash, data: script.createCachedData() });
      const entries = [...cache]
        .filter(([name]) => fs.existsSync(name))
        .map(([name, e]) => [name, e.hash, dataOf(e)])
        .filter(([, , data]) => data !== undefined);
      const index = Buffer.from(JSON.stringify(entries.map(([name, hash, data]) => [name, hash, data.length])));
      const head = Buffer.alloc(4);
      head.writeUInt32LE(index.length, 0);
      writeAtomically(file, Buffer.concat([head, index, ...entries.map(([, , data]) => data)]));
    } catch { /* a cache that cannot be written costs time, not correctness */ }
  });
}

function run() {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry || !entry.endsWith('.ts')) {
    console.error('usage: node scripts/launch.js <entry.ts> [args...]');
    process.exitCode = 2;
    return;
  }
  try {
    build();
  } catch (err) {
    // esbuild reports syntax errors with file and line; type errors are tsc's (npm test).
    const errors = err && Array.isArray(err.errors) ? err.errors : [];
    console.error(errors.length
      ? errors.map((e) => `${e.location ? `${path.relative(ROOT, e.location.file)}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`).join('\n')
      : `strata: cannot build .strata-build/: ${err && err.message ? err.message : err}`);
    process.exitCode = 1;
    return;
  }
  const compiled = path.join(OUT, entry.replace(/\.ts$/, '.js'));
  if (!fs.existsSync(compiled)) {
    console.error(`strata: ${entry} is not a source of this project`);
    process.exitCode = 2;
    return;
  }
  if (!process.env.STRATA_NO_COMPILE_CACHE) installCompileCache(path.join(OUT, 'code-cache.bin'));
  process.argv = [process.argv[0], compiled, ...args];
  Module.runMain();
}

if (require.main === module) run();

module.exports = { build, installCompileCache, OUT };
