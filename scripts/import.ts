/**
 * `npm run import [-- --crds DIR] [--k8s-schemas DIR] [--check]`
 *
 * Regenerates imports/ from pinned upstream CRDs and the Kubernetes core schemas:
 * - imports/<group>.ts: cdk8s L1 constructs (`cdk8s import`) for every kind in CRD_APIS;
 * - imports/schemas/<group>/<version>/<Kind>.json: a strict, self-contained JSON schema per
 *   kind, for CRD kinds and for the core kinds in CORE_APIS (group `core` for the legacy group);
 * - imports/validators/<group>/<version>/<Kind>.js: the same schema compiled ahead of time by
 *   ajv (standalone code), so synth loads a validator instead of compiling a schema (compiling
 *   all of them costs about a second; loading them about a tenth of that);
 * - imports/rules/<group>/<version>/<Kind>.json: the CRD's CEL validation rules and where each
 *   applies, which synth evaluates like the API server (gitops/validation-rules.ts).
 *
 * The CRD folder defaults to ../shared/crds and can be set with --crds or STRATA_CRDS_DIR;
 * the core schema folder with --k8s-schemas or STRATA_K8S_SCHEMAS_DIR. Nothing is copied
 * verbatim: only generated files are written. The output replaces imports/ in one rename, so
 * an interrupted import leaves the previous imports/ in place. `--check` compares instead of
 * writing and exits 1 when imports/ is stale.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import addFormats from 'ajv-formats';
import * as yaml from 'js-yaml';
import { extractValidationRules } from './extract-validation-rules';
import { referencedDefinitions, sortKeys, strictify } from './strict-schema';
import { compareStrings } from '../constructs/platform/ordering';
import { CORE_APIS, CRD_APIS, CrdApi, KUBERNETES_SCHEMA_VERSION } from '../constructs/versions';
import { PROJECT_ROOT } from '../environments/project-root';
import { importedKindPath, IMPORTS_MANIFEST, pinsFingerprint, sha256 } from '../gitops/imports-check';

const run = promisify(execFile);
// From its sources or from the launcher's build (.strata-build/scripts/), the project's root.
const ROOT = PROJECT_ROOT;
const IMPORTS = path.join(ROOT, 'imports');
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

interface Options {
  crdsDir: string;
  k8sDir: string;
  check: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    crdsDir: process.env.STRATA_CRDS_DIR ?? path.resolve(ROOT, '../shared/crds'),
    k8sDir: process.env.STRATA_K8S_SCHEMAS_DIR ?? path.resolve(ROOT, '../shared/schemas/kubernetes', KUBERNETES_SCHEMA_VERSION),
    check: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (!v) throw new Error(`${arg} needs a folder argument`);
      return path.resolve(v);
    };
    if (arg === '--crds') opts.crdsDir = value();
    else if (arg === '--k8s-schemas') opts.k8sDir = value();
    else if (arg === '--check') opts.check = true;
    else throw new Error(`unknown argument ${arg}: expected --crds DIR, --k8s-schemas DIR or --check`);
  }
  return opts;
}

function listYaml(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareStrings(a.name, b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listYaml(full));
    else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out;
}

function loadCrds(dir: string): Map<string, any> {
  if (!fs.existsSync(dir)) {
    throw new Error(
      `CRD folder ${dir} does not exist: pass --crds DIR or set STRATA_CRDS_DIR to the folder holding the upstream CRDs (see ../shared/crds/SOURCES.md)`,
    );
  }
  const byKey = new Map<string, any>();
  for (const file of listYaml(dir)) {
    for (const doc of yaml.loadAll(fs.readFileSync(file, 'utf8')) as any[]) {
      if (doc?.kind !== 'CustomResourceDefinition') continue;
      byKey.set(`${doc.spec.group}/${doc.spec.names.kind}`, doc);
    }
  }
  return byKey;
}

/** The CRD trimmed to the pinned version, so generated class names carry no version suffix. */
function pinnedCrd(api: CrdApi, kind: string, crds: Map<string, any>, crdsDir: string): any {
  const crd = crds.get(`${api.group}/${kind}`);
  if (!crd) throw new Error(`${crdsDir} has no CRD for ${api.group} ${kind} (pinned in constructs/versions.ts, ${api.release})`);
  const version = crd.spec.versions.find((v: any) => v.name === api.version);
  if (!version || version.served === false) {
    const served = crd.spec.versions
      .filter((v: any) => v.served !== false)
      .map((v: any) => v.name)
      .join(', ');
    throw new Error(
      `${api.group} ${kind}: version ${api.version} is not served by the CRD in ${crdsDir} (served: ${served}); fix the pin in constructs/versions.ts`,
    );
  }
  return { ...crd, spec: { ...crd.spec, versions: [version] } };
}

function crdSchema(api: CrdApi, kind: string, crd: any, coreDefs: Record<string, any>): any {
  const body = strictify(crd.spec.versions[0].schema.openAPIV3Schema);
  body.properties = body.properties ?? {};
  body.properties.apiVersion = { const: `${api.group}/${api.version}` };
  body.properties.kind = { const: kind };
  body.properties.metadata = { $ref: `#/definitions/${OBJECT_META}` };
  body.additionalProperties = false;
  body.required = [...new Set([...(body.required ?? []), 'apiVersion', 'kind', 'metadata'])];
  return withDefinitions(body, coreDefs);
}

function coreSchema(apiVersion: string, kind: string, rawDefs: Record<string, any>, coreDefs: Record<string, any>): any {
  const name = Object.keys(rawDefs).find((key) =>
    (rawDefs[key]['x-kubernetes-group-version-kind'] ?? []).some(
      (gvk: any) => gvk.kind === kind && (gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version) === apiVersion,
    ),
  );
  if (!name) throw new Error(`Kubernetes ${KUBERNETES_SCHEMA_VERSION} schemas have no ${apiVersion} ${kind}`);
  const body = { ...coreDefs[name] };
  body.properties = { ...body.properties, apiVersion: { const: apiVersion }, kind: { const: kind } };
  body.required = [...new Set([...(body.required ?? []), 'apiVersion', 'kind', 'metadata'])];
  return withDefinitions(body, coreDefs);
}

/** Bundles the referenced core definitions so each schema file stands alone. */
function withDefinitions(body: any, coreDefs: Record<string, any>): any {
  const names = referencedDefinitions(body, coreDefs);
  const definitions: Record<string, any> = {};
  for (const name of names) definitions[name] = coreDefs[name];
  // The object's own metadata.name is required: Strata never relies on generateName. Nested
  // ObjectMeta (a pod template's, a claim template's) needs none.
  const properties = body.properties?.metadata
    ? { ...body.properties, metadata: { allOf: [body.properties.metadata, { required: ['name'] }] } }
    : body.properties;
  return sortKeys({ $schema: 'http://json-schema.org/draft-07/schema#', ...body, properties, definitions });
}

/** Options shared with gitops/validator.ts's fallback; keep the two in step. */
export const AJV_OPTIONS = {
  allErrors: false,
  strict: true,
  strictRequired: false,
  strictTypes: false,
  strictTuples: false,
  validateSchema: false,
} as const;

function writeValidator(outDir: string, schemaRel: string, schema: any): void {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, lines: false, optimize: 1 } });
  addFormats(ajv);
  const code = standaloneCode(ajv, ajv.compile(schema));
  const rel = schemaRel.replace(/^schemas/, 'validators').replace(/\.json$/, '.js');
  const file = path.join(outDir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `// generated by npm run import from ${schemaRel.split(path.sep).join('/')}: do not edit\n${code}\n`);
}

function schemaPath(apiVersion: string, kind: string): string {
  const kindPath = importedKindPath(apiVersion, kind);
  if (!kindPath) throw new Error(`${apiVersion} ${kind} (constructs/versions.ts) is not a valid API version and kind`);
  return path.join('schemas', ...kindPath.split('/')) + '.json';
}

async function generate(opts: Options, outDir: string): Promise<void> {
  const crds = loadCrds(opts.crdsDir);
  const defsFile = path.join(opts.k8sDir, '_definitions.json');
  if (!fs.existsSync(defsFile)) {
    throw new Error(
      `${defsFile} does not exist: pass --k8s-schemas DIR (a folder holding _definitions.json for Kubernetes ${KUBERNETES_SCHEMA_VERSION})`,
    );
  }
  const rawDefs = JSON.parse(fs.readFileSync(defsFile, 'utf8')).definitions as Record<string, any>;
  const coreDefs: Record<string, any> = {};
  for (const key of Object.keys(rawDefs)) coreDefs[key] = strictify(rawDefs[key]);

  const writeJson = (rel: string, value: any) => {
    const file = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(value) + '\n');
    writeValidator(outDir, rel, value);
  };

  for (const [apiVersion, kinds] of Object.entries(CORE_APIS)) {
    for (const kind of kinds) writeJson(schemaPath(apiVersion, kind), coreSchema(apiVersion, kind, rawDefs, coreDefs));
  }

  const specDir = path.join(outDir, '.crd-input');
  fs.mkdirSync(specDir, { recursive: true });
  // One spec file, and one `cdk8s import`, per API group: cdk8s writes imports/<group>.ts, and a
  // group pinned at two versions (monitoring.coreos.com v1, and v1alpha1 for AlertmanagerConfig)
  // would otherwise be written twice, the second file replacing the first.
  const specs = new Map<string, string[]>();
  for (const api of CRD_APIS) {
    const pinned = api.kinds.map((kind) => pinnedCrd(api, kind, crds, opts.crdsDir));
    api.kinds.forEach((kind, i) => {
      writeJson(schemaPath(`${api.group}/${api.version}`, kind), crdSchema(api, kind, pinned[i], coreDefs));
      const rules = extractValidationRules(pinned[i].spec.versions[0].schema.openAPIV3Schema);
      if (rules.length) {
        const file = path.join(outDir, schemaPath(`${api.group}/${api.version}`, kind).replace(/^schemas/, 'rules'));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(rules, null, 2) + '\n');
      }
    });
    specs.set(api.group, [...(specs.get(api.group) ?? []), ...pinned.map((crd) => yaml.dump(crd, { noRefs: true }))]);
  }
  const jobs: Array<() => Promise<void>> = [];
  for (const [group, docs] of specs) {
    const specFile = path.join(specDir, `${group}.yaml`);
    fs.writeFileSync(specFile, docs.join('---\n'));
    jobs.push(async () => {
      await run(
        path.join(ROOT, 'node_modules/.bin/cdk8s'),
        ['import', '--language', 'typescript', '--no-save', '--check-upgrade=false', '--output', outDir, specFile],
        { cwd: outDir, maxBuffer: 64 * 1024 * 1024 },
      );
    });
  }
  // Two at a time: cdk8s import is CPU-bound and these machines have two cores.
  const queue = [...jobs];
  await Promise.all(
    [0, 1].map(async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    }),
  );
  fs.rmSync(specDir, { recursive: true, force: true });

  // What synth --check verifies cheaply: the pins this was generated from, and every file's hash.
  const files: Record<string, string> = {};
  for (const rel of listFiles(outDir)) files[rel.split(path.sep).join('/')] = sha256(fs.readFileSync(path.join(outDir, rel)));
  fs.writeFileSync(path.join(outDir, IMPORTS_MANIFEST), JSON.stringify({ pins: pinsFingerprint(), files }, null, 2) + '\n');
}

function listFiles(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, base));
    else out.push(path.relative(base, full));
  }
  return out.sort();
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(ROOT, '.strata-import-'));
  try {
    await generate(opts, tmp);
    const fresh = listFiles(tmp);
    const current = listFiles(IMPORTS);
    const stale = [...new Set([...fresh, ...current])].sort().filter((rel) => {
      const a = path.join(tmp, rel);
      const b = path.join(IMPORTS, rel);
      return !fs.existsSync(a) || !fs.existsSync(b) || !fs.readFileSync(a).equals(fs.readFileSync(b));
    });
    if (opts.check) {
      if (stale.length === 0) {
        console.log(`imports/ is up to date (${fresh.length} files)`);
        return 0;
      }
      console.error(`imports/ is stale: ${stale.length} file(s) differ from what \`npm run import\` generates:`);
      for (const rel of stale) console.error(`  imports/${rel}`);
      console.error('Run `npm run import` and commit imports/.');
      return 1;
    }
    if (stale.length === 0) {
      console.log(`imports/ unchanged (${fresh.length} files, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return 0;
    }
    const old = `${tmp}-old`;
    if (fs.existsSync(IMPORTS)) fs.renameSync(IMPORTS, old);
    fs.renameSync(tmp, IMPORTS);
    fs.chmodSync(IMPORTS, 0o755);
    fs.rmSync(old, { recursive: true, force: true });
    console.log(`imports/ regenerated: ${fresh.length} files, ${stale.length} changed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`import failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
