/**
 * Random changes to a copy of the shipped environments/: a fuzz trial is a short list of
 * them. Data changes (a value set at a schema path or an existing one, a key removed, a
 * credential planted) go through the parsed YAML; raw recipes (raw-yaml.ts) replace a file's
 * bytes; file-system changes delete, move and rename files and folders, or put FIFOs,
 * symlinks and folders where a YAML file is expected.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import * as yaml from 'js-yaml';
import { hostileKey, hostileValue, plainKey, PlantedSecret, plantedSecret, setOwn } from './hostile-values';
import { RawRecipe, rawContent, rawRecipe } from './raw-yaml';
import { concretePath, schemaOfFile, schemaPaths, valueFor } from './schema-values';

export type Segment = string | number;

export type Mutation =
  | { readonly kind: 'set'; readonly file: string; readonly path: readonly Segment[]; readonly value: unknown }
  | { readonly kind: 'delete'; readonly file: string; readonly path: readonly Segment[] }
  | { readonly kind: 'plant'; readonly file: string; readonly path: readonly Segment[]; readonly secret: PlantedSecret }
  | { readonly kind: 'raw'; readonly file: string; readonly recipe: RawRecipe }
  | { readonly kind: 'remove'; readonly file: string }
  | { readonly kind: 'move'; readonly file: string; readonly to: string }
  | { readonly kind: 'rename-region'; readonly from: string; readonly to: string }
  | { readonly kind: 'rename-environment'; readonly from: string; readonly to: string }
  | { readonly kind: 'fifo'; readonly file: string }
  | { readonly kind: 'symlink'; readonly file: string; readonly target: string }
  | { readonly kind: 'folder'; readonly file: string };

export interface Trial {
  readonly mutations: readonly Mutation[];
  /** Synth into a folder that does not exist yet (otherwise: over the default render). */
  readonly freshOut: boolean;
}

/** The shipped environment files, parsed: what mutations start from. */
export interface BaseEnvironments {
  /** Paths relative to the environments folder, sorted. */
  readonly files: readonly string[];
  readonly data: Readonly<Record<string, unknown>>;
}

export function readBase(dir: string): BaseEnvironments {
  const files: string[] = [];
  const walk = (sub: string) => {
    for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else if (rel.endsWith('.yaml')) files.push(rel);
    }
  };
  walk('');
  files.sort();
  const data = Object.fromEntries(files.map((f) => [f, yaml.load(fs.readFileSync(path.join(dir, f), 'utf8'), { schema: yaml.CORE_SCHEMA }) ?? {}]));
  return { files, data };
}

/** Every node of a parsed file: objects (for unknown keys), leaves (for type changes). */
function existingPaths(data: unknown): { path: Segment[]; isObject: boolean }[] {
  const out: { path: Segment[]; isObject: boolean }[] = [];
  const walk = (v: unknown, at: Segment[]) => {
    const objectNode = v !== null && typeof v === 'object' && !Array.isArray(v);
    out.push({ path: at, isObject: objectNode });
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (objectNode) for (const [k, x] of Object.entries(v as object)) walk(x, [...at, k]);
  };
  walk(data, []);
  return out;
}

const TIER_FILES = ['tiers/prod.yaml', 'tiers/dev.yaml', 'tiers/staging.yaml'];
const NEW_FILES = [
  'regions/region-c.yaml',
  'overlays/region-a/qa.yaml',
  'overlays/region-c/prod.yaml',
  'tiers/prod.yaml',
  'tiers/bogus.yaml',
  'platform.yaml',
];
/** Where the loader expects a folder. */
const FOLDERS = ['regions', 'overlays', 'tiers', 'overlays/region-a', 'overlays/region-c'];

/** File names (without .yaml) a person might type, or a tool might produce. */
const ODD_NAMES = [
  'a'.repeat(63),
  'a'.repeat(64),
  'a'.repeat(250),
  'Region-A',
  'région',
  'a b',
  '-a',
  'a-',
  '',
  '.',
  'a\\b',
  'a\nb',
  'a:b',
  '👍',
  'a..b',
  'prod.yaml',
  'CON',
  '0',
  'a_b',
  'xn--bcher-kva',
  'region-a\u200b',
  '\u202eelif',
];
const REGION_NAMES = [
  'a'.repeat(63),
  'a'.repeat(64),
  'r'.repeat(200),
  'r',
  '0',
  'region-a-2',
  'a--b',
  'xn--bcher-kva',
  `region-${'x'.repeat(50)}`,
  'region-a\u200b',
  'Region-C',
  'a_b',
];
const ENVIRONMENT_NAMES = ['qa', 'e'.repeat(63), 'e'.repeat(64), 'e'.repeat(200), 'p', 'prod-eu-west-1-blue', '0', 'Prod', 'pr_od', 'prod2'];
/** `@x`: the file x inside the environments folder; `SELF`: a link to itself. */
const LINK_TARGETS = [
  '/etc/passwd',
  '/dev/zero',
  '/dev/null',
  '/nonexistent/x.yaml',
  '.',
  'SELF',
  '@regions/region-a.yaml',
  '@overlays/region-a/prod.yaml',
  '@overlays/region-a',
  '/',
];

/** Free-form string fields, where a credential could be pasted. */
const PLANT_TARGETS: Record<'overlay' | 'region', Segment[][]> = {
  overlay: [
    ['postgres', 'parameters', 'application_name'],
    ['postgres', 'parameters', 'primary_conninfo'],
    ['streaming', 'pipelines', 0, 'indices', 'public.employees', 'mappings', '_meta', 'token'],
    ['streaming', 'connect', 'image'],
    ['streaming', 'mirrorTopics'],
  ],
  region: [
    ['databaseNodes', 'labels', 'token'],
    ['databaseNodes', 'taints', 0, 'value'],
    ['registry', 'repository'],
    ['registry', 'pushSecret'],
    ['objectStorage', 'endpoint'],
    ['secrets', 'storeName'],
    ['gitops', 'repoURL'],
    ['gitops', 'path'],
    ['zoneLabel'],
    ['storageClasses', 'fast'],
    ['defaults', 'postgres', 'parameters', 'application_name'],
  ],
};

export function trialArbitrary(base: BaseEnvironments): fc.Arbitrary<Trial> {
  const existing = fc.constantFrom(...base.files);
  const overlays = base.files.filter((f) => f.startsWith('overlays/'));
  const regions = [...new Set(base.files.filter((f) => f.startsWith('regions/')).map((f) => path.basename(f, '.yaml')))];
  const environments = [...new Set(overlays.map((f) => path.basename(f, '.yaml')))];
  const pathsOf = new Map<string, ReturnType<typeof schemaPaths>>();
  const schemaPathsOf = (file: string) => {
    const key = file.startsWith('regions/') ? 'region' : 'settings';
    if (!pathsOf.has(key)) pathsOf.set(key, schemaPaths(schemaOfFile(file)));
    return pathsOf.get(key)!;
  };

  const setAtSchemaPath: fc.Arbitrary<Mutation> = fc
    .constantFrom(...base.files, ...TIER_FILES)
    .chain((file) =>
      fc
        .constantFrom(...schemaPathsOf(file))
        .chain((p) =>
          fc.record({ kind: fc.constant('set' as const), file: fc.constant(file), path: concretePath(p.path), value: valueFor(p.schema) }),
        ),
    );

  const changeExisting: fc.Arbitrary<Mutation> = existing.chain((file) => {
    const nodes = existingPaths(base.data[file]).filter((n) => n.path.length > 0);
    const objects = existingPaths(base.data[file]).filter((n) => n.isObject);
    const typeChange = nodes.length
      ? fc.record({
          kind: fc.constant('set' as const),
          file: fc.constant(file),
          path: fc.constantFrom(...nodes.map((n) => n.path)),
          value: hostileValue,
        })
      : undefined;
    const unknownKey = fc.record({
      kind: fc.constant('set' as const),
      file: fc.constant(file),
      path: fc.tuple(fc.constantFrom(...objects.map((n) => n.path)), fc.oneof(hostileKey, plainKey)).map(([at, k]) => [...at, k]),
      value: hostileValue,
    });
    const remove = nodes.length
      ? fc.record({ kind: fc.constant('delete' as const), file: fc.constant(file), path: fc.constantFrom(...nodes.map((n) => n.path)) })
      : undefined;
    return fc.oneof(...[typeChange, unknownKey, remove].filter((a): a is NonNullable<typeof a> => a !== undefined));
  });

  const plant: fc.Arbitrary<Mutation> = existing.chain((file) =>
    fc.record({
      kind: fc.constant('plant' as const),
      file: fc.constant(file),
      path: fc.constantFrom(...PLANT_TARGETS[file.startsWith('regions/') ? 'region' : 'overlay']),
      secret: plantedSecret,
    }),
  );

  const raw: fc.Arbitrary<Mutation> = fc.record({
    kind: fc.constant('raw' as const),
    file: fc.constantFrom(...base.files, ...NEW_FILES),
    recipe: rawRecipe,
  });

  const remove: fc.Arbitrary<Mutation> = fc.record({
    kind: fc.constant('remove' as const),
    file: fc.constantFrom(...base.files, 'overlays/region-b', 'overlays', 'regions', ...regions.map((r) => `overlays/${r}`)),
  });

  const move: fc.Arbitrary<Mutation> = existing.chain((file) => {
    const dir = path.posix.dirname(file);
    const name = path.posix.basename(file);
    const to = [
      `${dir}/sub/${name}`,
      `${dir}/${name.replace(/\.yaml$/, '.yml')}`,
      `${dir}/${name}.bak`,
      `${dir}/.${name}`,
      `${dir}/${name.toUpperCase()}`,
      ...(file.startsWith('overlays/') ? [`overlays/${name}`, ...regions.map((r) => `overlays/${r}/moved-${name}`)] : []),
      ...ODD_NAMES.map((n) => `${dir}/${n}.yaml`),
    ];
    return fc.record({ kind: fc.constant('move' as const), file: fc.constant(file), to: fc.constantFrom(...to) });
  });

  const renameRegion: fc.Arbitrary<Mutation> = fc.record({
    kind: fc.constant('rename-region' as const),
    from: fc.constantFrom(...regions),
    to: fc.constantFrom(...REGION_NAMES),
  });
  const renameEnvironment: fc.Arbitrary<Mutation> = fc.record({
    kind: fc.constant('rename-environment' as const),
    from: fc.constantFrom(...environments),
    to: fc.constantFrom(...ENVIRONMENT_NAMES),
  });
  const places = fc.constantFrom(...base.files, ...NEW_FILES, ...FOLDERS);
  const fifo: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constant('fifo' as const), file: places });
  const symlink: fc.Arbitrary<Mutation> = fc.record({
    kind: fc.constant('symlink' as const),
    file: places,
    target: fc.constantFrom(...LINK_TARGETS),
  });
  /** A file where a folder belongs. */
  const fileForFolder: fc.Arbitrary<Mutation> = fc.record({
    kind: fc.constant('raw' as const),
    file: fc.constantFrom(...FOLDERS),
    recipe: fc.constant({ name: 'document' as const, text: '{}\n' }),
  });
  const folder: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constant('folder' as const), file: places });

  const mutation = fc.oneof(
    { weight: 30, arbitrary: setAtSchemaPath },
    { weight: 14, arbitrary: changeExisting },
    { weight: 8, arbitrary: plant },
    { weight: 12, arbitrary: raw },
    { weight: 4, arbitrary: remove },
    { weight: 5, arbitrary: move },
    { weight: 3, arbitrary: renameRegion },
    { weight: 3, arbitrary: renameEnvironment },
    { weight: 2, arbitrary: fifo },
    { weight: 4, arbitrary: symlink },
    { weight: 1, arbitrary: folder },
    { weight: 1, arbitrary: fileForFolder },
  );
  return fc.record({
    // Mostly one change, so that many trials get past loading into charts/ and constructs/.
    mutations: fc.oneof(
      { weight: 6, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 1 }) },
      { weight: 3, arbitrary: fc.array(mutation, { minLength: 2, maxLength: 2 }) },
      { weight: 1, arbitrary: fc.array(mutation, { minLength: 3, maxLength: 4 }) },
    ),
    freshOut: fc.nat({ max: 7 }).map((n) => n === 0),
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Sets a value, creating (or replacing) the objects and arrays on the way. */
function setAt(root: Record<string, unknown>, at: readonly Segment[], value: unknown): void {
  let node: any = root;
  for (let i = 0; i < at.length; i++) {
    const seg = at[i];
    const last = i === at.length - 1;
    if (Array.isArray(node) && typeof seg === 'number') {
      const index = Math.min(seg, node.length);
      if (last) {
        node[index] = value;
      } else {
        const next = node[index];
        if (next === null || typeof next !== 'object') node[index] = typeof at[i + 1] === 'number' ? [] : {};
        node = node[index];
      }
      continue;
    }
    const key = String(seg);
    if (last) {
      setOwn(node, key, value);
    } else {
      const next = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
      if (next === null || typeof next !== 'object' || (Array.isArray(next) && typeof at[i + 1] !== 'number')) {
        setOwn(node, key, typeof at[i + 1] === 'number' ? [] : {});
      }
      node = node[key];
    }
  }
}

function deleteAt(root: Record<string, unknown>, at: readonly Segment[]): void {
  let node: any = root;
  for (const seg of at.slice(0, -1)) {
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, seg)) return;
    node = node[seg];
  }
  const last = at[at.length - 1];
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else if (node && typeof node === 'object') delete node[last];
}

/** A value for printing: cycle-safe, strings and the whole cut to a readable length. */
export function preview(value: unknown, limit = 160): string {
  const seen = new WeakSet<object>();
  let text: string;
  try {
    text =
      JSON.stringify(value, (_k, v) => {
        if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
        if (typeof v === 'number' && Object.is(v, -0)) return '-0';
        if (typeof v === 'string' && v.length > 60) return `${v.slice(0, 40)}…(${v.length} chars)`;
        if (v && typeof v === 'object') {
          if (seen.has(v)) return '(cycle)';
          seen.add(v);
        }
        return v;
      }) ?? String(value);
  } catch (err) {
    text = `(unprintable: ${(err as Error).message})`;
  }
  return text.length > limit ? `${text.slice(0, limit)}…(${text.length} chars)` : text;
}

function pathText(at: readonly Segment[]): string {
  return at
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `${i ? '.' : ''}${s}` : `[${preview(s, 60)}]`))
    .join('');
}

export function describeMutation(m: Mutation): string {
  switch (m.kind) {
    case 'set':
      return `set ${m.file} ${pathText(m.path)} = ${preview(m.value)}`;
    case 'delete':
      return `delete ${m.file} ${pathText(m.path)}`;
    case 'plant':
      return `plant ${preview(m.secret.value, 80)} at ${m.file} ${pathText(m.path)}`;
    case 'raw':
      return `write ${m.file} as ${preview(m.recipe, 200)}`;
    case 'remove':
      return `remove ${m.file}`;
    case 'move':
      return `move ${m.file} to ${preview(m.to, 80)}`;
    case 'rename-region':
      return `rename region ${m.from} to ${preview(m.to, 80)}`;
    case 'rename-environment':
      return `rename environment ${m.from} to ${preview(m.to, 80)} (every region)`;
    case 'fifo':
      return `FIFO at ${m.file}`;
    case 'symlink':
      return `symlink ${m.file} -> ${m.target}`;
    case 'folder':
      return `folder named ${m.file}`;
  }
}

export function describeTrial(t: Trial): string {
  return [...(t.freshOut ? ['(into a new output folder)'] : []), ...t.mutations.map(describeMutation)].join('\n  ');
}

/** The secrets a trial planted: none may appear in the rendered tree. */
export function plantedMarkers(t: Trial): string[] {
  return t.mutations.flatMap((m) => (m.kind === 'plant' ? [m.secret.marker] : []));
}

/**
 * Writes the trial's environments folder: a copy of `pristine` with every mutation applied,
 * data changes first, then raw contents and file-system changes in order. Returns the
 * changes that could not be applied (a name the file system refuses, a file already gone).
 */
export function materialize(pristine: string, dir: string, trial: Trial): string[] {
  fs.cpSync(pristine, dir, { recursive: true });
  const notes: string[] = [];
  const data = new Map<string, Record<string, unknown>>();
  const load = (rel: string) => {
    if (!data.has(rel)) {
      const full = path.join(dir, rel);
      const parsed = fs.existsSync(full) ? yaml.load(fs.readFileSync(full, 'utf8'), { schema: yaml.CORE_SCHEMA }) : {};
      data.set(rel, isObject(parsed) ? parsed : {});
    }
    return data.get(rel)!;
  };
  const overlayFiles = () => [...new Set([...data.keys(), ...listYaml(dir)])].filter((f) => f.startsWith('overlays/') || f.startsWith('regions/'));
  const renameDrOf = (rewrite: (of: string) => string) => {
    for (const rel of overlayFiles()) {
      const d = load(rel);
      for (const holder of [d, isObject(d.defaults) ? d.defaults : undefined]) {
        const dr = holder?.dr;
        if (isObject(dr) && typeof dr.of === 'string') dr.of = rewrite(dr.of);
      }
    }
  };

  for (const m of trial.mutations) {
    if (m.kind === 'set') setAt(load(m.file), m.path, m.value);
    else if (m.kind === 'delete') deleteAt(load(m.file), m.path);
    else if (m.kind === 'plant') setAt(load(m.file), m.path, m.secret.value);
    else if (m.kind === 'rename-region') renameDrOf((of) => (of.startsWith(`${m.from}/`) ? `${m.to}${of.slice(m.from.length)}` : of));
    else if (m.kind === 'rename-environment') renameDrOf((of) => (of.endsWith(`/${m.from}`) ? `${of.slice(0, -m.from.length)}${m.to}` : of));
  }
  for (const [rel, d] of data) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), yaml.dump(d, { schema: yaml.CORE_SCHEMA, noRefs: true, lineWidth: -1, skipInvalid: true }));
  }

  for (const m of trial.mutations) {
    try {
      applyToFiles(dir, m);
    } catch (err) {
      notes.push(`${describeMutation(m)}: not applied (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return notes;
}

function listYaml(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else if (e.isFile() && rel.endsWith('.yaml')) out.push(rel);
    }
  };
  walk('');
  return out;
}

/** Clears whatever is at `full` (file, FIFO, symlink or folder) and makes its parent. */
function clear(full: string): void {
  fs.rmSync(full, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(full), { recursive: true });
}

function applyToFiles(dir: string, m: Mutation): void {
  const at = (rel: string) => path.join(dir, rel);
  switch (m.kind) {
    case 'raw': {
      const full = at(m.file);
      let original = '';
      try {
        if (fs.lstatSync(full).isFile()) original = fs.readFileSync(full, 'utf8');
      } catch {
        original = '';
      }
      clear(full);
      fs.writeFileSync(full, rawContent(m.recipe, original));
      return;
    }
    case 'remove':
      fs.rmSync(at(m.file), { recursive: true });
      return;
    case 'move':
      fs.mkdirSync(path.dirname(at(m.to)), { recursive: true });
      fs.renameSync(at(m.file), at(m.to));
      return;
    case 'rename-region':
      fs.renameSync(at(`regions/${m.from}.yaml`), at(`regions/${m.to}.yaml`));
      if (fs.existsSync(at(`overlays/${m.from}`))) fs.renameSync(at(`overlays/${m.from}`), at(`overlays/${m.to}`));
      return;
    case 'rename-environment':
      for (const region of fs.existsSync(at('overlays')) ? fs.readdirSync(at('overlays')) : []) {
        const from = at(`overlays/${region}/${m.from}.yaml`);
        if (fs.existsSync(from)) fs.renameSync(from, at(`overlays/${region}/${m.to}.yaml`));
      }
      return;
    case 'fifo':
      clear(at(m.file));
      execFileSync('mkfifo', [at(m.file)]);
      return;
    case 'symlink': {
      const full = at(m.file);
      clear(full);
      const target = m.target === 'SELF' ? path.basename(full) : m.target.startsWith('@') ? at(m.target.slice(1)) : m.target;
      fs.symlinkSync(target, full);
      return;
    }
    case 'folder':
      clear(at(m.file));
      fs.mkdirSync(at(m.file));
      fs.writeFileSync(path.join(at(m.file), 'inside.yaml'), '{}\n');
      return;
    default:
      // Data changes were applied before.
      return;
  }
}
