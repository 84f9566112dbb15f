/**
 * Loads an environments folder into validated, fully-defaulted OverlaySpecs.
 *
 *   <dir>/platform.yaml                 optional: organisation-wide settings
 *   <dir>/tiers/<tier>.yaml             optional: changes to a built-in tier profile
 *   <dir>/regions/<region>.yaml         one per region
 *   <dir>/overlays/<region>/<env>.yaml  one per region × environment (only what differs)
 *
 * Precedence, lowest first: platform defaults (code) < platform.yaml < tier profile <
 * tiers/<tier>.yaml < region `defaults:` < overlay file. Every problem in every file is
 * collected and thrown together as one EnvironmentError.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { apiServerProblems } from './api-server';
import { checkApps } from './apps-checks';
import { checkLogging } from './logging-checks';
import {
  Acknowledgement,
  AppSpec,
  OverlayRef,
  OverlaySettings,
  OverlaySpec,
  PostgresSpec,
  RegionSpec,
  SealedSecretEntry,
  SopsSecretEntry,
  Tier,
  TIERS,
} from './model';
import { checkMonitoring } from './monitoring-checks';
import { checkNames } from './name-checks';
import { OverlaySelection, selectOverlays } from './overlay-selection';
import { sharedClusterKey } from './placement';
import { checkPlacement, checkRegionClusters } from './placement-checks';
import { PartialSettings, PLATFORM_DEFAULTS, REGION_DEFAULTS, TIER_PROFILES } from './platform-defaults';
import { EnvironmentError, Problem, settingSource, valueAt } from './problems';
import { PROJECT_ROOT } from './project-root';
import { EmptyFile, entryNames, environmentEntry, readEnvironmentFile } from './read-environment-file';
import { OVERLAY_SCHEMA, REGION_SCHEMA, SETTINGS_SCHEMA } from './schema';
import { checkSealedSecret } from './sealed-secret-checks';
import { checkSecrets } from './secret-checks';
import { secretStoreProblems } from './secret-store-checks';
import { checkOverlays } from './semantic-checks';
import { checkSopsSecret, sopsRegionProblems } from './sops-secret-checks';
import { checkStreaming } from './streaming-checks';
import { checkUis } from './ui-checks';
import { APPLICATION_DEFAULTS } from '../constructs/apps/application-defaults';
import { merge } from '../constructs/core/merge';
import { compareStrings } from '../constructs/platform/ordering';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const AJV_VERSION: string = require('ajv/package.json').version;

interface SourceFile {
  readonly rel: string;
  readonly data: any;
}

let validators:
  { overlay: ValidateFunction; tier: ValidateFunction; region: ValidateFunction; platform: ValidateFunction; settings: ValidateFunction } | undefined;

function compileValidators() {
  if (validators) return validators;
  const compiled = compileCached({
    // Region files reference the overlay schema for their `defaults:`; both compile once.
    overlay: OVERLAY_SCHEMA,
    region: REGION_SCHEMA,
    settings: SETTINGS_SCHEMA,
  });
  validators = {
    overlay: compiled.overlay,
    // Tier profiles and platform.yaml hold the same settings; tier and DR role belong to overlays.
    tier: onlySizing(compiled.overlay, 'a tier profile'),
    platform: onlySizing(compiled.overlay, 'platform.yaml'),
    region: compiled.region,
    settings: compiled.settings,
  };
  return validators;
}

/**
 * Compiling these schemas costs more than loading every environment file, so the compiled
 * (standalone) code is cached by schema hash outside the repository, like the object
 * validators' code cache.
 */
function compileCached(schemas: { overlay: object; region: object; settings: object }): Record<keyof typeof schemas, ValidateFunction> {
  const options = { allErrors: true, verbose: true, strict: true, strictRequired: false } as const;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ schemas, options, ajv: AJV_VERSION }))
    .digest('hex')
    .slice(0, 32);
  const cacheFile = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'strata-environments', `${fingerprint}.js`);
  if (fs.existsSync(cacheFile)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(cacheFile);
  }
  // Ajv itself is loaded only to compile: the cached code needs just its small runtime.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ajv = new Ajv({ ...options, code: { source: true, optimize: false } });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'hint', schemaType: 'string' });
  ajv.addSchema(schemas.overlay, 'strata:overlay');
  ajv.addSchema(schemas.region, 'strata:region');
  ajv.addSchema(schemas.settings, 'strata:settings');
  const result = { overlay: ajv.getSchema('strata:overlay')!, region: ajv.getSchema('strata:region')!, settings: ajv.getSchema('strata:settings')! };
  try {
    const code = standaloneCode(ajv, { overlay: 'strata:overlay', region: 'strata:region', settings: 'strata:settings' });
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cacheFile);
  } catch {
    // Speed only.
  }
  return result;
}

/** The overlay validator, refusing `tier` and `dr` (which only overlays set). */
function onlySizing(overlay: ValidateFunction, what: string): ValidateFunction {
  const fn = ((data: any) => {
    const ok = overlay(data);
    const extra = ['tier', 'dr'].filter((k) => data && typeof data === 'object' && k in data);
    const errors: ErrorObject[] = [
      ...(overlay.errors ?? []),
      ...extra.map(
        (k) =>
          ({
            keyword: 'additionalProperties',
            instancePath: '',
            schemaPath: '#/additionalProperties',
            params: { additionalProperty: k },
            message: `${what} cannot set ${k}`,
            parentSchema: {
              properties: Object.fromEntries(
                Object.keys(OVERLAY_SCHEMA.properties)
                  .filter((p) => p !== 'tier' && p !== 'dr')
                  .map((p) => [p, {}]),
              ),
            },
          }) as ErrorObject,
      ),
    ];
    (fn as any).errors = errors.length ? errors : null;
    return ok && extra.length === 0;
  }) as ValidateFunction;
  return fn;
}

function dotted(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** Turns ajv errors into problems with a concrete fix each. */
export function schemaProblems(file: string, data: unknown, errors: readonly ErrorObject[] | null | undefined): Problem[] {
  if (!errors) return [];
  // oneOf failures repeat every branch's complaint; when a branch matched its
  // discriminator, report that branch's errors only.
  const problems: Problem[] = [];
  const seen = new Set<string>();
  // Branches whose discriminator (`const`) failed: none of their other complaints apply.
  const otherBranches = errors
    .filter((e) => e.keyword === 'const')
    .map((e) => /^(.*\/oneOf\/\d+\/)/.exec(e.schemaPath)?.[1])
    .filter((p): p is string => !!p);
  // A oneOf of objects told apart by their keys ({securityHeaders: ...} | {rateLimit: ...}): the
  // branch whose keys the value has is the one meant; the others' complaints do not apply.
  for (const one of errors.filter((e) => e.keyword === 'oneOf')) {
    const branchOf = (e: ErrorObject) => new RegExp(`^${one.schemaPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(\\d+)/`).exec(e.schemaPath)?.[1];
    const branches = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      const b = branchOf(e);
      if (b !== undefined) branches.set(b, [...(branches.get(b) ?? []), e]);
    }
    const shapeFits = [...branches].filter(
      ([, errs]) => !errs.some((e) => e.instancePath === one.instancePath && (e.keyword === 'required' || e.keyword === 'additionalProperties')),
    );
    if (shapeFits.length === 1) {
      for (const [b] of branches) if (b !== shapeFits[0][0]) otherBranches.push(`${one.schemaPath}/${b}/`);
    } else if (shapeFits.length === 0 && branches.size > 1) {
      // No branch's keys: one line for the value (below), with the forms it may take, not one per form.
      for (const [b] of branches) otherBranches.push(`${one.schemaPath}/${b}/`);
    }
  }
  for (const err of errors) {
    // propertyNames only summarises the key's own error, which follows with `propertyName` set.
    if (err.keyword === 'oneOf' || err.keyword === 'if' || err.keyword === 'propertyNames') continue;
    if (err.keyword === 'const' && errors.some((e) => e.keyword === 'oneOf' && err.instancePath.startsWith(e.instancePath))) continue;
    if (otherBranches.some((b) => err.schemaPath.startsWith(b))) continue;
    let fieldPath = dotted(err.instancePath);
    let message: string;
    let fix: string;
    let value: unknown = valueAt(data, fieldPath);
    const hint = (err.parentSchema as any)?.hint as string | undefined;
    switch (err.keyword) {
      case 'additionalProperties': {
        const key = (err.params as any).additionalProperty as string;
        fieldPath = fieldPath ? `${fieldPath}.${key}` : key;
        value = valueAt(data, fieldPath);
        const allowed = Object.keys((err.parentSchema as any)?.properties ?? {});
        message = `unknown field "${key}"`;
        fix = allowed.length ? `remove it or correct the spelling; allowed here: ${allowed.join(', ')}` : 'remove it';
        break;
      }
      case 'required': {
        const missing = (err.params as any).missingProperty as string;
        fieldPath = fieldPath ? `${fieldPath}.${missing}` : missing;
        problems.push({ file, path: fieldPath, message: 'required field is missing', fix: `set ${fieldPath}` });
        continue;
      }
      case 'enum':
        message = `must be one of ${((err.params as any).allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        fix = hint ?? `use one of the listed values`;
        break;
      case 'type':
        message = `must be ${(err.params as any).type}`;
        fix = hint ?? `write ${/^[aeiou]/.test(String((err.params as any).type)) ? 'an' : 'a'} ${(err.params as any).type}`;
        break;
      case 'minimum':
      case 'maximum':
        message = `${err.message}`;
        fix = hint ?? `use a value ${err.keyword === 'minimum' ? '>=' : '<='} ${(err.params as any).limit}`;
        break;
      case 'pattern': {
        const pattern = (err.params as any).pattern as string;
        const mapKey = (err as { propertyName?: string }).propertyName;
        if (mapKey !== undefined) {
          // A map key (propertyNames): the field is the entry, the bad value the key itself.
          fieldPath = fieldPath ? `${fieldPath}.${mapKey}` : mapKey;
          value = mapKey;
          message = `the key ${JSON.stringify(mapKey)} must match pattern "${pattern}"`;
        } else {
          message = `must match pattern "${pattern}"`;
        }
        fix = hint ?? `write a value matching ${pattern}`;
        break;
      }
      default:
        message = err.message ?? 'is invalid';
        fix = hint ?? 'see the environment reference in the README';
    }
    const key = `${fieldPath}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file, path: fieldPath, value, message, fix });
  }
  // A oneOf with no branch-specific error (e.g. an unknown discriminator) still needs a line.
  for (const err of errors) {
    if (err.keyword !== 'oneOf') continue;
    const fieldPath = dotted(err.instancePath);
    if (problems.some((p) => p.path.startsWith(fieldPath) && p.path !== fieldPath)) continue;
    problems.push({
      file,
      path: fieldPath,
      value: valueAt(data, fieldPath),
      message: 'does not match any allowed form',
      fix: (err.parentSchema as any)?.hint ?? 'see the README',
    });
  }
  return problems;
}

function isObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function readYaml(dir: string, rel: string, problems: Problem[]): SourceFile | undefined {
  return readEnvironmentFile(dir, rel, problems, emptyFile(rel));
}

/**
 * An empty file (nothing but comments) is refused everywhere: a file emptied by mistake
 * would silently drop what it set, and for an overlay everything it enabled would be pruned.
 * `{}` says "nothing to change" on purpose.
 */
function emptyFile(rel: string): EmptyFile {
  const [folder] = rel.split('/');
  const message =
    folder === 'overlays'
      ? 'is empty: an overlay file with no content would remove everything this overlay enabled'
      : 'is empty: a file with no content would drop every setting it held';
  switch (folder) {
    case 'overlays':
      return { message, fix: "write `{}` to render the overlay with its region's and tier's defaults only, restore its content, or delete the file" };
    case 'tiers':
      return { message, fix: 'write `{}` to use the built-in tier profile unchanged, restore its content, or delete the file' };
    case 'regions':
      return { message, fix: 'restore its content (see regions/region-a.yaml of the shipped environments), or delete the file' };
    case 'sealed-secrets':
      return { message, fix: 'write the file with `kubeseal -o yaml`, or delete it' };
    default:
      return { message, fix: 'write `{}` to use the platform defaults only, restore its content, or delete the file' };
  }
}

/**
 * The `.yaml` entries of `rel` (sorted), reporting everything else in it: a subfolder, a
 * `.yml` or other file would be silently ignored, and an overlay (or region, tier) moved
 * there would stop rendering, its tree pruned on the next synth. Hidden names not ending in
 * .yaml (editor swap files) are ignored. `.yaml` entries are returned even when they are not
 * regular files: reading them reports why.
 */
function yamlFiles(root: string, rel: string, problems: Problem[], what: string, expected: string): string[] {
  if (environmentEntry(root, rel).kind !== 'folder') return [];
  const out: string[] = [];
  for (const name of entryNames(root, rel)) {
    const file = `${rel}/${name}`;
    const isYaml = name.endsWith('.yaml');
    if (name.startsWith('.') && !isYaml) continue;
    const entry = environmentEntry(root, file);
    if (entry.kind === 'missing') continue;
    if (entry.kind === 'folder') {
      problems.push({
        file: `${file}/`,
        path: '',
        message: `is a folder: ${what} sit directly in ${rel}/, so files in it are not loaded`,
        fix: `move ${what} to ${expected}, and anything else out of the environments folder`,
      });
    } else if (isYaml) {
      out.push(name);
    } else if (name.endsWith('.yml')) {
      problems.push({
        file,
        path: '',
        message: 'is ignored: environment files end in .yaml',
        fix: `rename it to ${name.replace(/\.yml$/, '.yaml')}`,
      });
    } else {
      problems.push({
        file,
        path: '',
        message: `is not read: ${rel}/ holds only ${what} (ending in .yaml)`,
        fix: `move it to ${expected}, or out of the environments folder`,
      });
    }
  }
  return out;
}

/**
 * Whether `rel` is a folder to read. Missing: no (nothing to report). A file, FIFO, broken or
 * looping link, or a link out of the environments folder: no, with a problem (listing it
 * would crash the load or read files from elsewhere).
 */
function checkFolder(root: string, rel: string, problems: Problem[], what = 'a folder of .yaml files'): boolean {
  const full = path.join(root, rel);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(full);
  } catch {
    return false;
  }
  const refuse = (message: string, fix: string) => {
    problems.push({ file: rel, path: '', message, fix });
    return false;
  };
  if (stat.isSymbolicLink()) {
    let target: string;
    try {
      target = fs.realpathSync(full);
    } catch (err) {
      return refuse(
        `is a symbolic link that cannot be followed (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
        `replace it with ${what}, or remove it`,
      );
    }
    const realRoot = fs.realpathSync(root);
    if (!target.startsWith(realRoot + path.sep)) {
      return refuse(`is a symbolic link to ${target}, outside the environments folder`, `replace it with ${what} inside the environments folder`);
    }
    stat = fs.statSync(full);
  }
  if (!stat.isDirectory()) return refuse(`is not a folder`, `make it ${what}, or remove it`);
  return true;
}

/**
 * Render only the overlays `only` and `shard` select (environments/overlay-selection.ts);
 * the others are still loaded and validated.
 */
export type LoadOptions = OverlaySelection;

export function loadEnvironments(envDir: string, options: LoadOptions = {}): OverlaySpec[] {
  return loadEnvironmentSet(envDir, options).overlays;
}

export interface EnvironmentSet {
  /** The overlays to render (all of them, or those named by `only`). */
  readonly overlays: OverlaySpec[];
  /** Every `acknowledge:` entry of every file, whatever `only` selects. */
  readonly acknowledgements: readonly Acknowledgement[];
}

/** Where an acknowledgement may sit, and what it then may acknowledge. */
function collectAcknowledgements(src: SourceFile, scope: Acknowledgement['scope'], out: Acknowledgement[]): void {
  for (const [index, a] of ((src.data.acknowledge ?? []) as any[]).entries()) {
    out.push({ file: src.rel, index, scope, object: a.object, change: a.change, reason: a.reason });
  }
}

/** The file's data without `acknowledge:`, which is not a setting. */
function settingsOf(data: Record<string, unknown>): Record<string, unknown> {
  if (!('acknowledge' in data)) return data;
  const { acknowledge: _ignored, ...rest } = data;
  return rest;
}

function misplacedAcknowledgements(rel: string, data: any, fieldPath: string, problems: Problem[]): void {
  if (valueAt(data, fieldPath) === undefined) return;
  problems.push({
    file: rel,
    path: fieldPath,
    message: 'acknowledgements are not settings and cannot be layered',
    fix: 'move them to the overlay file they concern, to the top level of a region file (for an overlay that goes away) or to platform.yaml (for a region that goes away)',
  });
}

export function loadEnvironmentSet(envDir: string, options: LoadOptions = {}): EnvironmentSet {
  const acknowledgements: Acknowledgement[] = [];
  const v = compileValidators();
  const problems: Problem[] = [];
  const dir = path.resolve(envDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new EnvironmentError(envDir, [
      {
        file: '.',
        path: '',
        message: `environments folder ${envDir} does not exist`,
        fix: 'pass --env-dir DIR pointing at a folder with regions/ and overlays/',
      },
    ]);
  }

  /** Every file that parsed, valid or not: credentials are looked for in all of them. */
  const parsedFiles: SourceFile[] = [];
  const validate = (src: SourceFile | undefined, fn: ValidateFunction) => {
    if (!src) return undefined;
    parsedFiles.push(src);
    if (!fn(src.data)) {
      problems.push(...schemaProblems(src.rel, src.data, fn.errors));
      return undefined;
    }
    return src;
  };

  const hasPlatformFile = environmentEntry(dir, 'platform.yaml').kind !== 'missing';
  const platform = hasPlatformFile ? validate(readYaml(dir, 'platform.yaml', problems), v.platform) : undefined;
  if (platform) collectAcknowledgements(platform, { platform: true }, acknowledgements);
  /** Layers that exist but failed: overlays built on them are not judged further. */
  const brokenTiers = new Set<string>();

  const tierFiles = new Map<Tier, SourceFile>();
  checkFolder(dir, 'tiers', problems);
  for (const f of yamlFiles(dir, 'tiers', problems, 'tier files', 'tiers/<tier>.yaml')) {
    const name = f.replace(/\.yaml$/, '');
    const rel = `tiers/${f}`;
    if (!(TIERS as readonly string[]).includes(name)) {
      problems.push({
        file: rel,
        path: '',
        message: `"${name}" is not a tier`,
        fix: `rename the file to one of ${TIERS.map((t) => `${t}.yaml`).join(', ')}`,
      });
      continue;
    }
    const src = validate(readYaml(dir, rel, problems), v.tier);
    if (src) misplacedAcknowledgements(rel, src.data, 'acknowledge', problems);
    if (src) tierFiles.set(name as Tier, src);
    else brokenTiers.add(name);
  }

  const regions = new Map<string, { src: SourceFile; spec: RegionSpec }>();
  checkFolder(dir, 'regions', problems);
  for (const f of yamlFiles(dir, 'regions', problems, 'region files', 'regions/<region>.yaml')) {
    const name = f.replace(/\.yaml$/, '');
    const rel = `regions/${f}`;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
      problems.push({
        file: rel,
        path: '',
        value: name,
        message: 'the region name (file name) is not a DNS label',
        fix: 'rename the file using lower-case letters, digits and -',
      });
      continue;
    }
    const src = validate(readYaml(dir, rel, problems), v.region);
    if (!src) continue;
    problems.push(
      ...apiServerProblems(rel, src.data),
      ...secretStoreProblems(rel, src.data),
      ...sopsRegionProblems(rel, src.data),
      ...checkRegionClusters(name, src.data.clusters ?? {}, src.data.gitops.engine),
    );
    misplacedAcknowledgements(rel, src.data, 'defaults.acknowledge', problems);
    collectAcknowledgements(src, { region: name }, acknowledgements);
    regions.set(name, { src, spec: regionSpec(name, src.data) });
  }
  if (regions.size === 0 && problems.length === 0) {
    problems.push({
      file: 'regions/',
      path: '',
      message: 'no region files found',
      fix: 'add regions/<region>.yaml (see environments/regions/region-a.yaml)',
    });
  }

  interface Draft {
    id: string;
    region: string;
    env: string;
    src: SourceFile;
    layers: { rel: string; data: unknown }[];
    settings: OverlaySettings;
    incomplete: boolean;
  }
  const drafts: Draft[] = [];
  /** Every overlay file present, valid or not. */
  const foundIds = new Set<string>();
  const overlaysDir = path.join(dir, 'overlays');
  const regionDirs = checkFolder(dir, 'overlays', problems, 'a folder of region folders') ? fs.readdirSync(overlaysDir).sort() : [];
  for (const regionName of regionDirs) {
    // Anything else directly in overlays/ would be silently ignored (dot files are).
    const regionProblems = regionName.startsWith('.') ? [] : problems;
    if (!checkFolder(dir, `overlays/${regionName}`, regionProblems, 'a region folder (overlays/<region>/<env>.yaml)')) continue;
    const region = regions.get(regionName);
    for (const f of yamlFiles(dir, `overlays/${regionName}`, problems, 'overlay files', `overlays/${regionName}/<env>.yaml`)) {
      const env = f.replace(/\.yaml$/, '');
      const rel = `overlays/${regionName}/${f}`;
      foundIds.add(`${regionName}/${env}`);
      if (!region) {
        if (!problems.some((p) => p.file === `regions/${regionName}.yaml`)) {
          problems.push({
            file: rel,
            path: '',
            message: `region "${regionName}" has no regions/${regionName}.yaml`,
            fix: `add regions/${regionName}.yaml or move the overlay under an existing region (${[...regions.keys()].join(', ') || 'none yet'})`,
          });
        }
        continue;
      }
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(env)) {
        problems.push({
          file: rel,
          path: '',
          value: env,
          message: 'the environment name (file name) is not a DNS label',
          fix: 'rename the file using lower-case letters, digits and -',
        });
        continue;
      }
      const src = validate(readYaml(dir, rel, problems), v.overlay);
      if (!src) continue;
      collectAcknowledgements(src, { overlay: `${regionName}/${env}` }, acknowledgements);
      const regionDefaults = region.src.data.defaults ?? {};
      const tier = (src.data.tier ?? regionDefaults.tier ?? ((TIERS as readonly string[]).includes(env) ? env : undefined)) as Tier | undefined;
      if (!tier) {
        problems.push({
          file: rel,
          path: 'tier',
          message: `environment "${env}" is not a tier name, so its tier must be given`,
          fix: `add "tier: <${TIERS.join('|')}>" to ${rel}`,
        });
        continue;
      }
      const layers = [
        { rel: '(platform defaults)', data: PLATFORM_DEFAULTS },
        ...(platform ? [{ rel: platform.rel, data: settingsOf(platform.data) }] : []),
        { rel: `(built-in ${tier} tier)`, data: TIER_PROFILES[tier] as PartialSettings },
        ...(tierFiles.has(tier) ? [{ rel: tierFiles.get(tier)!.rel, data: tierFiles.get(tier)!.data }] : []),
        { rel: region.src.rel, data: regionDefaults },
        { rel, data: settingsOf(src.data) },
      ];
      const settings = withAppDefaults(withFurtherClusters(merge<OverlaySettings>(...layers.map((l) => l.data), { tier })));
      const incomplete = (hasPlatformFile && !platform) || brokenTiers.has(tier);
      drafts.push({ id: `${regionName}/${env}`, region: regionName, env, src, layers, settings, incomplete });
    }
  }
  if (drafts.length === 0 && problems.length === 0) {
    problems.push({
      file: 'overlays/',
      path: '',
      message: 'no overlay files found',
      fix: 'add overlays/<region>/<env>.yaml for each environment of each region',
    });
  }

  /** The file that set a field last (for problems found after merging). */
  const sourceOf = (draft: Draft, fieldPath: string): string =>
    settingSource({ sourceFile: draft.src.rel, settingsSources: draft.layers.map((l) => ({ file: l.rel, data: l.data })) }, fieldPath);

  const validDrafts = drafts.filter((d) => {
    // Built without a broken platform.yaml or tier file: its problems are reported there.
    if (d.incomplete) return false;
    if (v.settings(d.settings)) return true;
    for (const p of schemaProblems(d.src.rel, d.settings, v.settings.errors)) problems.push({ ...p, file: sourceOf(d, p.path) });
    return false;
  });

  const byId = new Map(validDrafts.map((d) => [d.id, d]));
  const overlays: OverlaySpec[] = validDrafts.map((d) => {
    const region = regions.get(d.region)!.spec;
    return {
      id: d.id,
      region,
      environment: d.env,
      clusterName: `${region.clusterPrefix}-${d.env}`,
      sourceFile: d.src.rel,
      settingsSources: d.layers.map((l) => ({ file: l.rel, data: l.data })),
      settings: d.settings,
      peers: { replicas: [] },
    };
  });

  // Cross-field rules run on every overlay that passed its schema, so one round of fixes
  // sees every problem; references to overlays whose own files are broken are not judged.
  const source = (o: OverlaySpec, fieldPath: string) => sourceOf(byId.get(o.id)!, fieldPath);
  problems.push(
    ...checkOverlays(overlays, source, foundIds),
    ...checkStreaming(overlays, source),
    ...checkNames(overlays, source),
    ...checkPlacement(overlays, source),
    ...checkMonitoring(overlays, source),
    ...checkLogging(overlays, source),
    ...checkUis(overlays, source),
    ...checkApps(overlays, source),
  );
  checkSecrets(parsedFiles, problems);
  if (problems.length) throw new EnvironmentError(envDir, problems);

  for (const [i, o] of overlays.entries()) {
    const backend = o.region.secrets;
    if (backend.kind === 'sealed-secrets') {
      const sealedDir = `sealed-secrets/${o.region.name}/${o.environment}`;
      const sealed = loadSealedSecrets(dir, sealedDir, problems);
      overlays[i] = { ...o, region: { ...o.region, secrets: { ...backend, sealed, sealedDir } } };
    } else if (backend.sops) {
      const sopsDir = `sops/${o.region.name}/${o.environment}`;
      const sops = { ...backend.sops, secrets: loadSopsSecrets(dir, sopsDir, problems), dir: sopsDir };
      overlays[i] = { ...o, region: { ...o.region, secrets: { ...backend, sops } } };
    }
  }
  if (problems.length) throw new EnvironmentError(envDir, problems);

  const linked = withClusterMates(linkPeers(overlays));
  if (options.only?.length || options.shard) {
    const selected = selectOverlays(
      linked.map((o) => o.id),
      options,
    );
    if (selected.problems.length) throw new EnvironmentError(envDir, selected.problems);
    // A cluster the region's environments share is rendered whole: its own folders merge them all.
    const sharedRegions = new Set(linked.filter((o) => selected.ids.includes(o.id) && sharedClusterKey(o.region)).map((o) => o.region.name));
    const ids = new Set([...selected.ids, ...linked.filter((o) => sharedRegions.has(o.region.name)).map((o) => o.id)]);
    return { overlays: linked.filter((o) => ids.has(o.id)), acknowledgements };
  }
  return { overlays: linked, acknowledgements };
}

/** Reads SOPS-encrypted Secrets: one per `<namespace>_<name>.sops.yaml` file, keyed by `<namespace>/<name>`. */
function loadSopsSecrets(dir: string, sopsDir: string, problems: Problem[]): Record<string, SopsSecretEntry> {
  const out: Record<string, SopsSecretEntry> = {};
  if (!fs.existsSync(path.join(dir, sopsDir))) return out;
  if (!checkFolder(dir, sopsDir, problems)) return out;
  for (const f of yamlFiles(dir, sopsDir, problems, 'SOPS-encrypted Secrets', `${sopsDir}/<namespace>_<name>.sops.yaml`)) {
    const rel = `${sopsDir}/${f}`;
    if (!f.endsWith('.sops.yaml')) {
      problems.push({
        file: rel,
        path: '',
        message: 'is not named <namespace>_<name>.sops.yaml',
        fix: 'rename it after the Secret it holds, ending in .sops.yaml',
      });
      continue;
    }
    const src = readYaml(dir, rel, problems);
    if (!src) continue;
    const found = checkSopsSecret(rel, src.data);
    if (found.length) {
      problems.push(...found);
      continue;
    }
    const doc = src.data as Record<string, any>;
    out[`${doc.metadata.namespace}/${doc.metadata.name}`] = {
      text: fs.readFileSync(path.join(dir, rel), 'utf8'),
      manifest: doc,
      keys: [...new Set([...Object.keys(doc.data ?? {}), ...Object.keys(doc.stringData ?? {})])].sort(),
    };
  }
  return out;
}

/** Reads kubeseal output files: one SealedSecret per file, keyed by `<namespace>/<name>`. */
function loadSealedSecrets(dir: string, sealedDir: string, problems: Problem[]): Record<string, SealedSecretEntry> {
  const out: Record<string, SealedSecretEntry> = {};
  if (!checkFolder(dir, sealedDir, problems)) return out;
  for (const f of yamlFiles(dir, sealedDir, problems, 'sealed secrets', `${sealedDir}/<namespace>_<name>.yaml`)) {
    const rel = `${sealedDir}/${f}`;
    const src = readYaml(dir, rel, problems);
    if (!src) continue;
    const doc = src.data;
    const name = doc.metadata?.name;
    const namespace = doc.metadata?.namespace;
    if (doc.apiVersion !== 'bitnami.com/v1alpha1' || doc.kind !== 'SealedSecret' || !name || !namespace || !isObject(doc.spec?.encryptedData)) {
      problems.push({
        file: rel,
        path: '',
        message: 'is not a SealedSecret with metadata.name, metadata.namespace and spec.encryptedData',
        fix: 'write the file with `kubeseal -o yaml` (see the README section on Sealed Secrets)',
      });
      continue;
    }
    const sealedProblems = checkSealedSecret(rel, doc);
    if (sealedProblems.length) {
      problems.push(...sealedProblems);
    } else {
      out[`${namespace}/${name}`] = {
        encryptedData: doc.spec.encryptedData,
        type: doc.spec.template?.type,
        annotations: doc.metadata.annotations ?? {},
      };
    }
  }
  return out;
}

function regionSpec(name: string, data: any): RegionSpec {
  const engine = data.gitops.engine as 'flux' | 'argocd';
  const backend = data.secrets.kind as 'external-secrets' | 'sealed-secrets' | 'sops';
  return {
    name,
    clusterPrefix: data.clusterPrefix,
    clusters: data.clusters ?? {},
    baseDomain: data.baseDomain,
    storageClasses: data.storageClasses,
    databaseNodes: merge(REGION_DEFAULTS.databaseNodes, data.databaseNodes),
    zoneLabel: data.zoneLabel ?? REGION_DEFAULTS.zoneLabel,
    gitops: merge(REGION_DEFAULTS.gitops[engine], data.gitops),
    secrets: secretBackend(backend, data.secrets),
    objectStorage: data.objectStorage,
    ...(data.registry ? { registry: data.registry } : {}),
    ...(data.apiServer ? { apiServer: { ports: REGION_DEFAULTS.apiServerPorts, ...data.apiServer } } : {}),
    requireChecksums: data.requireChecksums ?? REGION_DEFAULTS.requireChecksums,
    distribution: data.distribution ?? REGION_DEFAULTS.distribution,
  };
}

/** The region's backend with its defaults; SOPS files are read per overlay later. */
function secretBackend(kind: 'external-secrets' | 'sealed-secrets' | 'sops', data: any): RegionSpec['secrets'] {
  const noFiles = { secrets: {}, dir: '' };
  if (kind === 'sops') return { kind, sops: { decryptionSecret: data.decryptionSecret ?? REGION_DEFAULTS.sopsDecryptionSecret, ...noFiles } };
  const backend = merge(REGION_DEFAULTS.secrets[kind], data) as any;
  if (kind === 'external-secrets' && data.sops) {
    backend.sops = { decryptionSecret: data.sops.decryptionSecret ?? REGION_DEFAULTS.sopsDecryptionSecret, ...noFiles };
  }
  return backend;
}

function ref(o: OverlaySpec): OverlayRef {
  return { id: o.id, region: o.region, environment: o.environment, settings: o.settings };
}

function linkPeers(overlays: OverlaySpec[]): OverlaySpec[] {
  const byId = new Map(overlays.map((o) => [o.id, o]));
  // Each pair: the overlay built as a replica, and its origin. Promotion swaps who leads.
  const leaderOf = new Map<string, string>();
  for (const o of overlays) {
    const dr = o.settings.dr;
    if (dr.role !== 'replica') continue;
    if (dr.promoted) leaderOf.set(dr.of, o.id);
    else leaderOf.set(o.id, dr.of);
  }
  return overlays.map((o) => {
    const leader = leaderOf.get(o.id);
    const followers = [...leaderOf.entries()]
      .filter(([, l]) => l === o.id)
      .map(([f]) => byId.get(f)!)
      .sort((a, b) => compareStrings(a.id, b.id));
    return { ...o, peers: { ...(leader ? { primary: ref(byId.get(leader)!) } : {}), replicas: followers.map(ref) } };
  });
}

export { merge };

/** In a region whose environments share a cluster, what each overlay may route to in the others: their apps. */
function withClusterMates(overlays: OverlaySpec[]): OverlaySpec[] {
  return overlays.map((o) => {
    if (!sharedClusterKey(o.region)) return o;
    const mates = overlays.filter((m) => m.region.name === o.region.name && m.id !== o.id);
    const splits = Object.values(o.settings.apps).some((a) => a.expose?.split);
    const splitFrom: Record<string, string[]> = {};
    for (const m of mates) {
      for (const [name, a] of Object.entries(m.settings.apps)) {
        if (a.enabled && (a.expose?.split?.[o.environment] ?? 0) > 0) splitFrom[name] = [...(splitFrom[name] ?? []), m.environment].sort();
      }
    }
    const clusterMates = splits
      ? Object.fromEntries(
          mates.map((m) => [
            m.environment,
            Object.fromEntries(
              Object.entries(m.settings.apps)
                .filter(([, a]) => a.enabled)
                .map(([name, a]) => [name, { namespace: a.namespace ?? name, port: a.port }]),
            ),
          ]),
        )
      : undefined;
    return { ...o, ...(clusterMates ? { clusterMates } : {}), ...(Object.keys(splitFrom).length ? { splitFrom } : {}) };
  });
}

/** Each app takes what no layer sets from APPLICATION_DEFAULTS (the construct's own), enabled. */
function withAppDefaults(settings: OverlaySettings): OverlaySettings {
  const entries = Object.entries((settings.apps ?? {}) as Record<string, unknown>);
  if (entries.length === 0) return settings;
  const apps = Object.fromEntries(
    entries.map(([name, own]) => [name, merge<AppSpec>({ enabled: true, ...APPLICATION_DEFAULTS }, (own ?? {}) as Record<string, unknown>)]),
  );
  return { ...settings, apps };
}

/**
 * Each further PostgreSQL cluster takes what it does not set from \`postgres\`, except its
 * databases (none) and its namespace (its name): one domain, one cluster, one namespace.
 */
function withFurtherClusters(settings: OverlaySettings): OverlaySettings {
  const entries = Object.entries((settings.postgresClusters ?? {}) as Record<string, unknown>);
  if (entries.length === 0 || settings.postgres === undefined) return settings;
  const clusters = Object.fromEntries(
    entries.map(([name, own]) => [
      name,
      merge<PostgresSpec>({ ...settings.postgres, enabled: true, databases: [] }, { name, namespace: name }, (own ?? {}) as Record<string, unknown>),
    ]),
  );
  return { ...settings, postgresClusters: clusters };
}
