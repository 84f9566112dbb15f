/**
 * Validates rendered objects against the pinned schemas (Kubernetes core and every CRD
 * Strata uses), strictly: unknown fields are errors. The validators are compiled ahead of
 * time by `npm run import` (imports/validators/); each kind loads on first use. An object
 * that passes its schema is then checked against its CRD's CEL validation rules
 * (imports/rules/, gitops/validation-rules.ts), as the API server would.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import * as vm from 'vm';
import { threadId } from 'worker_threads';
import { importedKindPath } from './imports-check';
import { ValidationRules } from './validation-rules';
import { PROJECT_ROOT } from '../environments/project-root';

/**
 * V8 compiles a validator's (large) functions on first call, which costs far more than
 * validating. Like Node 22's module compile cache, the compiled code is cached per
 * validator source and Node version, outside the repository (node_modules/.cache).
 */
// STRATA_VALIDATOR_CACHE=<folder> keeps it elsewhere (npm run bench measures cold caches so).
const CODE_CACHE_DIR = process.env.STRATA_VALIDATOR_CACHE
  ? path.resolve(process.env.STRATA_VALIDATOR_CACHE)
  : path.join(PROJECT_ROOT, 'node_modules', '.cache', 'strata-validators');
/**
 * Objects that passed, by hash of (validator, object): like an incremental compiler, a
 * re-synth validates only what changed. A fresh checkout (CI) validates everything.
 */
const PASSED_FILE = path.join(CODE_CACHE_DIR, 'passed.json');

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export interface ValidationIssue {
  /** `apiVersion Kind namespace/name`. */
  readonly object: string;
  /** JSON pointer into the object (`/spec/instances`). */
  readonly path: string;
  readonly message: string;
}

type CompiledValidator = ((data: unknown) => boolean) & {
  errors?: Array<{ instancePath: string; message?: string; params: Record<string, unknown> }> | null;
};

export function describeObject(manifest: any): string {
  const ns = manifest?.metadata?.namespace;
  const name = manifest?.metadata?.name ?? '(unnamed)';
  return `${manifest?.apiVersion} ${manifest?.kind} ${ns ? `${ns}/` : ''}${name}`;
}

export class SchemaValidator {
  private readonly cache = new Map<string, CompiledValidator | undefined>();
  private readonly rules: ValidationRules;
  private readonly scripts: Array<{ script: vm.Script; cacheFile: string; hadCache: boolean }> = [];
  /** Milliseconds spent validating (loading validators included). */
  public elapsedMs = 0;

  private hashes?: Record<string, string>;
  private passed?: Set<string>;
  private readonly passedNow = new Set<string>();

  constructor(private readonly validatorsDir = path.join(PROJECT_ROOT, 'imports', 'validators')) {
    this.rules = new ValidationRules(path.join(path.dirname(validatorsDir), 'rules'));
  }

  /**
   * Issues of one object (none when it is valid). `text`, the object as it will be written,
   * keys the cache of objects that passed before; without it the object is serialised here.
   */
  public validate(manifest: any, text?: string): ValidationIssue[] {
    const started = performance.now();
    try {
      return this.check(manifest, text);
    } finally {
      this.elapsedMs += performance.now() - started;
    }
  }

  private check(manifest: any, text: string | undefined): ValidationIssue[] {
    const object = describeObject(manifest);
    const apiVersion = String(manifest?.apiVersion ?? '');
    const kind = String(manifest?.kind ?? '');
    // An object whose exact content passed this exact validator before passes again.
    const hashes = this.manifestHashes();
    const kindPath = importedKindPath(apiVersion, kind);
    const validatorHash = kindPath ? hashes[`validators/${kindPath}.js`] : undefined;
    const rulesHash = (kindPath && hashes[`rules/${kindPath}.json`]) ?? '';
    const key = validatorHash
      ? createHash('sha1')
          .update(validatorHash)
          .update('\0')
          .update(rulesHash)
          .update('\0')
          .update(text ?? JSON.stringify(manifest))
          .digest('base64')
      : undefined;
    if (key && this.passedBefore().has(key)) {
      this.passedNow.add(key);
      return [];
    }
    const issues = this.checkWithValidator(manifest, object, apiVersion, kind);
    if (key && issues.length === 0) this.passedNow.add(key);
    return issues;
  }

  private checkWithValidator(manifest: any, object: string, apiVersion: string, kind: string): ValidationIssue[] {
    const cacheKey = `${apiVersion}/${kind}`;
    if (!this.cache.has(cacheKey)) this.cache.set(cacheKey, this.load(apiVersion, kind));
    const validate = this.cache.get(cacheKey);
    if (!validate) {
      return [
        {
          object,
          path: '/',
          message: `no schema for ${apiVersion} ${kind}: add the kind to constructs/versions.ts (CORE_APIS or CRD_APIS) and run \`npm run import\``,
        },
      ];
    }
    if (validate(manifest)) {
      return (this.rules.forKind(apiVersion, kind)?.violations(manifest) ?? []).map((v) => ({ object, ...v }));
    }
    return (validate.errors ?? []).map((e) => {
      const extra =
        e.params.additionalProperty !== undefined
          ? ` "${e.params.additionalProperty}"`
          : e.params.allowedValues !== undefined
            ? `: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
            : e.params.missingProperty !== undefined
              ? ''
              : '';
      return { object, path: e.instancePath || '/', message: `${e.message ?? 'is invalid'}${extra}` };
    });
  }

  private load(apiVersion: string, kind: string): CompiledValidator | undefined {
    const kindPath = importedKindPath(apiVersion, kind);
    const file = kindPath && path.join(this.validatorsDir, `${kindPath}.js`);
    if (!file || !fs.existsSync(file)) return undefined;
    const source = fs.readFileSync(file, 'utf8');
    // imports/manifest.json already holds each generated file's hash; hashing megabytes of
    // validator source on every run would cost more than validating.
    const rel = path.relative(path.dirname(this.validatorsDir), file).split(path.sep).join('/');
    const sourceHash = this.manifestHashes()[rel] ?? createHash('sha256').update(source).digest('hex');
    const cacheFile = path.join(
      CODE_CACHE_DIR,
      `${createHash('sha256').update(`${process.version}\0${process.arch}\0${sourceHash}`).digest('hex').slice(0, 32)}.bin`,
    );
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(wrapCommonJs(source), { filename: file, cachedData });
    const mod = { exports: {} as any };
    script.runInThisContext()(mod.exports, createRequire(file), mod, file, path.dirname(file));
    this.scripts.push({ script, cacheFile, hadCache: cachedData !== undefined && !script.cachedDataRejected });
    return mod.exports as CompiledValidator;
  }

  private passedBefore(): Set<string> {
    if (!this.passed) {
      try {
        this.passed = new Set(JSON.parse(fs.readFileSync(PASSED_FILE, 'utf8')) as string[]);
      } catch {
        this.passed = new Set();
      }
    }
    return this.passed;
  }

  private manifestHashes(): Record<string, string> {
    if (!this.hashes) {
      try {
        this.hashes = JSON.parse(fs.readFileSync(path.join(path.dirname(this.validatorsDir), 'manifest.json'), 'utf8')).files ?? {};
      } catch {
        this.hashes = {};
      }
    }
    return this.hashes!;
  }

  /** Cache keys of the objects that passed in this run. */
  public passedKeys(): string[] {
    return [...this.passedNow];
  }

  /** Objects that passed in another thread of the same run (render workers), saved with this run's. */
  public adoptPassed(keys: readonly string[]): void {
    for (const key of keys) this.passedNow.add(key);
  }

  /**
   * Stores the compiled code of validators used in this run for the next one, and (unless
   * `passed` is false: a render worker leaves that to synth's own thread) what passed. Best
   * effort: a read-only or missing cache folder only costs speed.
   */
  public saveCodeCache(options: { passed?: boolean } = {}): void {
    // What passed in this run (only: the file stays the size of one tree).
    try {
      if (options.passed !== false && this.passedNow.size && !sameSet(this.passedNow, this.passedBefore())) {
        fs.mkdirSync(CODE_CACHE_DIR, { recursive: true });
        const tmp = `${PASSED_FILE}.${tmpSuffix()}`;
        fs.writeFileSync(tmp, JSON.stringify([...this.passedNow].sort()));
        fs.renameSync(tmp, PASSED_FILE);
      }
    } catch {
      // Speed only.
    }
    for (const entry of this.scripts) {
      if (entry.hadCache) continue;
      try {
        fs.mkdirSync(CODE_CACHE_DIR, { recursive: true });
        const tmp = `${entry.cacheFile}.${tmpSuffix()}`;
        fs.writeFileSync(tmp, entry.script.createCachedData());
        fs.renameSync(tmp, entry.cacheFile);
        entry.hadCache = true;
      } catch {
        // Speed only.
      }
    }
  }
}

/** Unique per process and thread: render workers save validators' code next to synth's thread. */
function tmpSuffix(): string {
  return `${process.pid}.${threadId}.tmp`;
}

function wrapCommonJs(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}
