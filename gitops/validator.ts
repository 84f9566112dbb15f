/**
 * Validates rendered objects against the pinned schemas (Kubernetes core and every CRD
 * Strata uses), strictly: unknown fields are errors. The validators are compiled ahead of
 * time by `npm run import` (imports/validators/); each kind loads on first use.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import * as vm from 'vm';
import { PROJECT_ROOT } from './project-root';

/**
 * V8 compiles a validator's (large) functions on first call, which costs far more than
 * validating. Like Node 22's module compile cache, the compiled code is cached per
 * validator source and Node version, outside the repository (node_modules/.cache).
 */
const CODE_CACHE_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'strata-validators');

export interface ValidationIssue {
  /** `apiVersion Kind namespace/name`. */
  readonly object: string;
  /** JSON pointer into the object (`/spec/instances`). */
  readonly path: string;
  readonly message: string;
}

type CompiledValidator = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; params: Record<string, unknown> }> | null };

export function describeObject(manifest: any): string {
  const ns = manifest?.metadata?.namespace;
  const name = manifest?.metadata?.name ?? '(unnamed)';
  return `${manifest?.apiVersion} ${manifest?.kind} ${ns ? `${ns}/` : ''}${name}`;
}

export class SchemaValidator {
  private readonly cache = new Map<string, CompiledValidator | undefined>();
  private readonly scripts: Array<{ script: vm.Script; cacheFile: string; hadCache: boolean }> = [];
  /** Milliseconds spent validating (loading validators included). */
  public elapsedMs = 0;

  constructor(private readonly validatorsDir = path.join(PROJECT_ROOT, 'imports', 'validators')) {}

  public validate(manifest: any): ValidationIssue[] {
    const started = performance.now();
    try {
      return this.check(manifest);
    } finally {
      this.elapsedMs += performance.now() - started;
    }
  }

  private check(manifest: any): ValidationIssue[] {
    const object = describeObject(manifest);
    const apiVersion = String(manifest?.apiVersion ?? '');
    const kind = String(manifest?.kind ?? '');
    const key = `${apiVersion}/${kind}`;
    if (!this.cache.has(key)) this.cache.set(key, this.load(apiVersion, kind));
    const validate = this.cache.get(key);
    if (!validate) {
      return [{ object, path: '/', message: `no schema for ${apiVersion} ${kind}: add the kind to constructs/versions.ts (CORE_APIS or CRD_APIS) and run \`npm run import\`` }];
    }
    if (validate(manifest)) return [];
    return (validate.errors ?? []).map((e) => {
      const extra = e.params.additionalProperty !== undefined ? ` "${e.params.additionalProperty}"`
        : e.params.allowedValues !== undefined ? `: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
          : e.params.missingProperty !== undefined ? '' : '';
      return { object, path: e.instancePath || '/', message: `${e.message ?? 'is invalid'}${extra}` };
    });
  }

  private load(apiVersion: string, kind: string): CompiledValidator | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
    const file = path.join(this.validatorsDir, group, version, `${kind}.js`);
    if (!/^[A-Za-z0-9.-]+$/.test(group + version + kind) || !fs.existsSync(file)) return undefined;
    const source = fs.readFileSync(file, 'utf8');
    const cacheFile = path.join(CODE_CACHE_DIR, `${createHash('sha256').update(`${process.version}\0${process.arch}\0${source}`).digest('hex').slice(0, 32)}.bin`);
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

  /**
   * Stores the compiled code of validators used in this run for the next one. Best effort:
   * a read-only or missing cache folder only costs speed.
   */
  public saveCodeCache(): void {
    for (const entry of this.scripts) {
      if (entry.hadCache) continue;
      try {
        fs.mkdirSync(CODE_CACHE_DIR, { recursive: true });
        const tmp = `${entry.cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, entry.script.createCachedData());
        fs.renameSync(tmp, entry.cacheFile);
        entry.hadCache = true;
      } catch {
        // Speed only.
      }
    }
  }
}

function wrapCommonJs(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}
