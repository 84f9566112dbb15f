/**
 * Validates rendered objects against the pinned schemas (Kubernetes core and every CRD
 * Strata uses), strictly: unknown fields are errors. The validators are compiled ahead of
 * time by `npm run import` (imports/validators/); each kind loads on first use.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from './project-root';

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
      return [{ object, path: '', message: `no schema for ${apiVersion} ${kind}: add the kind to constructs/versions.ts (CORE_APIS or CRD_APIS) and run \`npm run import\`` }];
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
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as CompiledValidator;
  }
}
