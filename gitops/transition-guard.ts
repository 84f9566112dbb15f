/**
 * The transition guard: compares what synth is about to write with the tree it replaces (the
 * output folder as it is, read while synth holds the folder's lock), and refuses changes whose
 * reconcile would lose data, unless an `acknowledge:` entry names the object and the change.
 *
 * It is generic: which kinds are stateful and which field changes lose data are declared by
 * the constructs (constructs/transitions.ts). What it adds itself are the tree-level classes:
 * an overlay or a region that vanishes, and a switch of a running overlay's GitOps engine.
 */
import * as fs from 'fs';
import * as path from 'path';
import { listTree } from './tree';
import { manifestFileName } from './tree-paths';
import { fromYaml } from './yaml';
import { compareStrings } from '../constructs/platform/ordering';
import { isPruneProtected } from '../constructs/platform/protection';
import { apiGroup, keepsPruneProtection, Manifest, show, TransitionChange } from '../constructs/platform/transition-rules';
import { TRANSITION_RULES, transitionRuleFor } from '../constructs/transitions';
import type { Acknowledgement, OverlaySpec } from '../environments/model';
import { overlayClusters, placedCluster, sharedClusterKey } from '../environments/placement';
import { Problem, settingSource } from '../environments/problems';

export interface RenderedOverlayFiles {
  readonly overlay: OverlaySpec;
  /** Tree-relative path → YAML. */
  readonly files: ReadonlyMap<string, string>;
  /** The overlay's layer objects as rendered, by the key of their cluster (environments/placement.ts). */
  readonly placed: ReadonlyMap<string, readonly Manifest[]>;
  /** What a cluster shared by a region's environments renders once (`<region>/<key>/`), guarded as if an overlay. */
  readonly sharedPart?: boolean;
}

export interface GuardInput {
  /** The tree being replaced. */
  readonly outDir: string;
  readonly rendered: readonly RenderedOverlayFiles[];
  readonly acknowledgements: readonly Acknowledgement[];
  /** Every overlay is rendered (not `--only`): overlays missing from `rendered` vanished. */
  readonly wholeTree: boolean;
  /** Regions that have a region file. */
  readonly regions: ReadonlySet<string>;
  /** Every overlay loaded, rendered or not (one that failed to build has not vanished), and the shared clusters' folders (`<region>/<key>`). */
  readonly overlayIds: ReadonlySet<string>;
}

export interface AcknowledgedChange {
  readonly acknowledgement: Acknowledgement;
  readonly overlay: string;
  readonly description: string;
}

export interface GuardResult {
  /** Refused changes, one problem each. */
  readonly problems: readonly Problem[];
  /** Changes that go ahead because an acknowledgement names them. */
  readonly acknowledged: readonly AcknowledgedChange[];
  /** Acknowledgements that match no change: already applied, or mistyped. */
  readonly unused: readonly Acknowledgement[];
  /** Prune-protected objects that leave the tree but stay on the cluster. */
  readonly leftInPlace: readonly string[];
}

/** How synth names an object in messages and acknowledgements: `Kind[.group] [namespace/]name`. */
export function objectId(m: Manifest): string {
  const group = apiGroup(m);
  const ns = m?.metadata?.namespace;
  return `${m?.kind}${group ? `.${group}` : ''} ${ns ? `${ns}/` : ''}${m?.metadata?.name}`;
}

/** The name of the cluster a tree key stands for ('' in a region with a shared cluster: that one). */
function clusterName(o: OverlaySpec, key: string): string {
  const shared = key === '' ? sharedClusterKey(o.region) : undefined;
  return placedCluster(o, shared ?? key).name;
}

/** An object's identity within an overlay: the cluster it runs on, and its id there. */
function placedId(cluster: string, m: Manifest): string {
  return `${cluster}|${objectId(m)}`;
}

/** File names carry the kind in lower case: `<namespace>_<kind>_<name>.yaml`. */
const RULE_KIND_TOKENS = new Set(TRANSITION_RULES.map((r) => r.kind.toLowerCase()));

const ruleFor = transitionRuleFor;

function kindToken(rel: string): string | undefined {
  const parts = path.posix.basename(rel, '.yaml').split('_');
  return parts.length === 3 ? parts[1] : parts.length === 2 ? parts[0] : undefined;
}

function readManifest(file: string): Manifest | undefined {
  try {
    const m = fromYaml(fs.readFileSync(file, 'utf8'));
    return m && typeof m === 'object' ? m : undefined;
  } catch {
    // A file someone broke by hand: nothing to compare with.
    return undefined;
  }
}

const ackSnippet = (object: string, change: string) => `acknowledge: [{object: "${object}", change: ${change}, reason: "<why, e.g. a ticket>"}]`;

interface Pending {
  readonly overlay: string;
  readonly region: string;
  readonly object: string;
  readonly change: string;
  readonly problem: Problem;
  readonly impossible: boolean;
  readonly protectedObjects: readonly string[];
}

export function guardTransitions(input: GuardInput): GuardResult {
  const pending: Pending[] = [];
  const leftInPlace: string[] = [];
  const renderedIds = new Set(input.rendered.map((r) => r.overlay.id));

  for (const r of input.rendered) pending.push(...overlayTransitions(input.outDir, r, leftInPlace));

  if (input.wholeTree) pending.push(...vanished(input, input.overlayIds));

  // Match acknowledgements.
  const used = new Set<Acknowledgement>();
  const problems: Problem[] = [];
  const acknowledged: AcknowledgedChange[] = [];
  for (const p of pending) {
    const ack = p.impossible ? undefined : input.acknowledgements.find((a) => a.object === p.object && a.change === p.change && covers(a, p));
    if (!ack) {
      problems.push(p.problem);
      continue;
    }
    used.add(ack);
    acknowledged.push({ acknowledgement: ack, overlay: p.overlay, description: `${p.overlay}: ${p.object} ${p.change}` });
    leftInPlace.push(...p.protectedObjects);
  }
  const unused = input.acknowledgements.filter((a) => !used.has(a) && (input.wholeTree || inRendered(a, renderedIds)));
  return { problems, acknowledged, unused, leftInPlace: [...new Set(leftInPlace)].sort(compareStrings) };
}

function covers(a: Acknowledgement, p: Pending): boolean {
  if ('platform' in a.scope) return true;
  if ('region' in a.scope) return a.scope.region === p.region;
  return a.scope.overlay === p.overlay;
}

function inRendered(a: Acknowledgement, ids: ReadonlySet<string>): boolean {
  return 'overlay' in a.scope ? ids.has(a.scope.overlay) : true;
}

/** Removed stateful objects and refused field changes of one rendered overlay. */
function overlayTransitions(outDir: string, r: RenderedOverlayFiles, leftInPlace: string[]): Pending[] {
  const o = r.overlay;
  const prefix = `${o.region.name}/${o.environment}`;
  const previousFiles = listTree(path.join(outDir, prefix)).map((f) => `${prefix}/${f}`);
  // A shared cluster's engine switch is reported by the overlays that run on it.
  const out: Pending[] = r.sharedPart ? [] : [...engineSwitch(outDir, o)];
  if (previousFiles.length === 0) return out;

  // The new objects by cluster and id, built on first use: an overlay whose files did not change
  // needs none. An object that moves to another cluster leaves the one it ran on.
  let nextById: Map<string, Manifest> | undefined;
  const next = () => (nextById ??= new Map([...r.placed].flatMap(([key, ms]) => ms.map((m) => [placedId(key, m), m] as const))));
  const clusterOf = (rel: string) => {
    const parts = rel.slice(prefix.length + 1).split('/');
    return parts.length === 3 ? parts[0] : '';
  };
  const previousIds = new Set<string>();
  const removed: Manifest[] = [];
  /** The cluster key each removed object ran on. */
  const removedFrom = new Map<Manifest, string>();
  const changed: [Manifest, Manifest][] = [];

  for (const rel of previousFiles) {
    const token = kindToken(rel);
    const text = r.files.get(rel);
    const full = path.join(outDir, rel);
    if (text !== undefined) {
      // Same path, same object: only a changed file can hold a refused change.
      if (!token || !RULE_KIND_TOKENS.has(token)) continue;
      const before = fs.readFileSync(full, 'utf8');
      if (before === text) continue;
      const prev = readManifest(full);
      if (!prev) continue;
      previousIds.add(placedId(clusterOf(rel), prev));
      const now = next().get(placedId(clusterOf(rel), prev));
      if (now) changed.push([prev, now]);
      continue;
    }
    if (path.posix.basename(rel) === 'kustomization.yaml') continue;
    const rule = token && RULE_KIND_TOKENS.has(token);
    const text2 = rule ? undefined : fs.readFileSync(full, 'utf8');
    // Not a rule kind: only worth a note when it is prune-protected.
    if (!rule) {
      if (text2 && text2.includes('kustomize.toolkit.fluxcd.io/prune: disabled')) {
        const prev = readManifest(full);
        if (prev && !next().has(placedId(clusterOf(rel), prev))) leftInPlace.push(`${o.id}: ${objectId(prev)}`);
      }
      continue;
    }
    const prev = readManifest(full);
    if (!prev) continue;
    previousIds.add(placedId(clusterOf(rel), prev));
    const now = next().get(placedId(clusterOf(rel), prev));
    if (now) {
      changed.push([prev, now]);
    } // moved to another layer
    else {
      removed.push(prev);
      removedFrom.set(prev, clusterOf(rel));
    }
  }

  for (const [prev, now] of changed) {
    const rule = ruleFor(prev);
    const changes = [...(rule?.check?.(prev, now) ?? []), ...(rule?.stateful ? keepsPruneProtection(prev, now) : [])];
    for (const c of changes) out.push(fieldChange(o, prev, c));
  }

  const removedStateful = removed.filter((m) => ruleFor(m)?.stateful);
  for (const m of removed) if (!ruleFor(m)?.stateful && isPruneProtected(m)) leftInPlace.push(`${o.id}: ${objectId(m)}`);
  // Namespaces (and what is in them) by the cluster they leave.
  const inCluster = (m: Manifest, ns: string) => `${removedFrom.get(m)}|${ns}`;
  const removedNamespaces = new Set(
    removedStateful.filter((m) => m.kind === 'Namespace' && apiGroup(m) === '').map((m) => inCluster(m, m.metadata?.name)),
  );
  // New stateful objects in a namespace that loses one: a rename, an engine switch, or a move to another cluster.
  const previousNames = new Set(previousFiles.map((f) => `${clusterOf(f)}|${path.posix.basename(f)}`));
  const added = removedStateful.length
    ? [...next()].filter(
        ([id, m]) => ruleFor(m)?.stateful && !previousIds.has(id) && !previousNames.has(`${id.split('|')[0]}|${manifestFileName(m)}`),
      )
    : [];
  const clusters = Object.keys(o.region.clusters).length > 0;
  for (const m of removedStateful) {
    const ns = m.metadata?.namespace;
    if (ns && removedNamespaces.has(inCluster(m, ns))) continue; // reported with its namespace
    const rule = ruleFor(m)!;
    const id = objectId(m);
    const from = removedFrom.get(m)!;
    const inside =
      m.kind === 'Namespace' && apiGroup(m) === ''
        ? removedStateful.filter((x) => x.metadata?.namespace === m.metadata?.name && removedFrom.get(x) === from).map(objectId)
        : [];
    const successor = likelySuccessor(
      m,
      added
        .filter(
          ([, a]) =>
            a.kind !== 'Namespace' && a.metadata?.namespace === ns && (a.kind === m.kind || ruleFor(a)?.removalSetting === rule.removalSetting),
        )
        .map(([, a]) => a),
    );
    const successorCluster = successor ? added.find(([, a]) => a === successor)![0].split('|')[0] : '';
    const onCluster = (key: string) => (clusters ? ` on cluster ${clusterName(o, key)}` : '');
    const what = inside.length
      ? ` with ${inside.length} stateful object(s) in it (${inside.slice(0, 4).join(', ')}${inside.length > 4 ? ', ...' : ''})`
      : '';
    const replaced = successor
      ? successorCluster !== from
        ? `; a new, empty ${objectId(successor)}${onCluster(successorCluster)} would take its place (a move to another cluster starts from no data)`
        : `; a new, empty ${objectId(successor)} would take its place (a rename or an engine switch starts from no data)`
      : '';
    const file = rule.removalSetting ? settingSource(o, rule.removalSetting) : o.sourceFile;
    out.push({
      overlay: o.id,
      region: o.region.name,
      object: id,
      change: 'removed',
      impossible: false,
      protectedObjects: isPruneProtected(m) ? [`${o.id}: ${id}`, ...inside.map((x) => `${o.id}: ${x}`)] : inside.map((x) => `${o.id}: ${x}`),
      problem: {
        file,
        path: rule.removalSetting ?? '',
        message: `${o.id}: ${id}${what} would be removed from ${clusters ? `cluster ${clusterName(o, from)}` : 'the tree'}${replaced}; its data would no longer be managed, and is lost if it is deleted`,
        fix: `${rule.removalFix ?? 'keep it'}; to go ahead, add to ${o.sourceFile}: ${ackSnippet(id, 'removed')}`,
      },
    });
  }
  return out;
}

/** The new object most like a removed one (same kind first, then the longest common name ending). */
function likelySuccessor(removed: Manifest, candidates: readonly Manifest[]): Manifest | undefined {
  const name = String(removed.metadata?.name ?? '');
  const score = (m: Manifest) => {
    const other = String(m.metadata?.name ?? '');
    let common = 0;
    while (common < Math.min(name.length, other.length) && name[name.length - 1 - common] === other[other.length - 1 - common]) common++;
    return (m.kind === removed.kind ? 1000 : 0) + common;
  };
  return [...candidates].sort((a, b) => score(b) - score(a) || compareStrings(objectId(a), objectId(b)))[0];
}

/** The file and field of a setting; `region.<field>` names a field of the region file. */
function settingLocation(o: OverlaySpec, setting: string | undefined): { file: string; path: string } {
  if (!setting) return { file: o.sourceFile, path: '' };
  if (setting.startsWith('region.')) return { file: `regions/${o.region.name}.yaml`, path: setting.slice('region.'.length) };
  return { file: settingSource(o, setting), path: setting };
}

function fieldChange(o: OverlaySpec, prev: Manifest, c: TransitionChange): Pending {
  const id = objectId(prev);
  const { file, path: fieldPath } = settingLocation(o, c.setting);
  return {
    overlay: o.id,
    region: o.region.name,
    object: id,
    change: c.field,
    impossible: !!c.impossible,
    protectedObjects: [],
    problem: {
      file,
      path: fieldPath,
      ...(c.after !== undefined ? { value: c.after } : {}),
      message: `${o.id}: ${id}: ${c.field}: ${c.message}${c.after !== undefined && c.before !== undefined ? ` (before: ${show(c.before)}, after: ${show(c.after)})` : ''}`,
      fix: c.impossible ? c.fix : `${c.fix}; to go ahead, add to ${o.sourceFile}: ${ackSnippet(id, c.field)}`,
    },
  };
}

/** The engine whose entry points a cluster folder holds, if any. */
function entryEngine(outDir: string, folder: string): 'flux' | 'argocd' | undefined {
  const dir = path.join(outDir, 'clusters', folder);
  if (!fs.existsSync(dir)) return undefined;
  const names = fs.readdirSync(dir);
  if (names.some((n) => n.startsWith('flux-system_kustomization_'))) return 'flux';
  if (names.some((n) => n.startsWith('argocd_application_'))) return 'argocd';
  return undefined;
}

function engineSwitch(outDir: string, o: OverlaySpec): Pending[] {
  return overlayClusters(o).flatMap(({ folder }) => engineSwitchOf(outDir, o, folder));
}

function engineSwitchOf(outDir: string, o: OverlaySpec, folder: string): Pending[] {
  const before = entryEngine(outDir, folder);
  const after = o.region.gitops.engine;
  if (!before || before === after) return [];
  const object = `overlay ${o.id}`;
  const bootstrapped = fs.existsSync(path.join(outDir, 'clusters', folder, 'flux-system'));
  return [
    {
      overlay: o.id,
      region: o.region.name,
      object,
      change: 'gitops.engine',
      impossible: false,
      protectedObjects: [],
      problem: {
        file: `regions/${o.region.name}.yaml`,
        path: 'gitops.engine',
        value: after,
        message: `${o.id}: the cluster ${folder}${bootstrapped ? ', bootstrapped with Flux,' : ''} is reconciled by ${before}; switching to ${after} removes every ${before === 'flux' ? 'Flux Kustomization and HelmRelease' : 'Argo CD Application'} it runs, and ${before} prunes what they applied`,
        fix: `migrate first: install ${after} beside ${before}, suspend ${before === 'flux' ? 'the Flux Kustomizations (flux suspend kustomization --all)' : 'automated sync of the Argo CD Applications'}, then switch; to go ahead, add to regions/${o.region.name}.yaml: ${ackSnippet(object, 'gitops.engine')}`,
      },
    },
  ];
}

/** Overlays and regions of the previous tree that nothing renders any more. */
function vanished(input: GuardInput, renderedIds: ReadonlySet<string>): Pending[] {
  const out: Pending[] = [];
  const byRegion = new Map<string, string[]>();
  for (const region of dirs(input.outDir).filter((d) => d !== 'clusters')) {
    for (const env of dirs(path.join(input.outDir, region))) {
      if (renderedIds.has(`${region}/${env}`)) continue;
      byRegion.set(region, [...(byRegion.get(region) ?? []), env]);
    }
  }
  for (const [region, envs] of [...byRegion.entries()].sort(([a], [b]) => compareStrings(a, b))) {
    const stateful = (env: string) =>
      listTree(path.join(input.outDir, region, env)).filter((f) => {
        const t = kindToken(f);
        // A kind stateful for some of its objects only (appliesTo) is counted by reading the object.
        if (!t || !TRANSITION_RULES.some((r) => r.stateful && r.kind.toLowerCase() === t)) return false;
        if (TRANSITION_RULES.some((r) => r.stateful && !r.appliesTo && r.kind.toLowerCase() === t)) return true;
        const m = readManifest(path.join(input.outDir, region, env, f));
        return m !== undefined && Boolean(transitionRuleFor(m)?.stateful);
      }).length;
    if (!input.regions.has(region)) {
      const object = `region ${region}`;
      const count = envs.reduce((n, e) => n + stateful(e), 0);
      out.push({
        overlay: `${region}/*`,
        region,
        object,
        change: 'removed',
        impossible: false,
        protectedObjects: [],
        problem: {
          file: `regions/${region}.yaml`,
          path: '',
          message: `region ${region} was rendered (${envs.map((e) => `${region}/${e}`).join(', ')}, ${count} stateful object(s)) but regions/${region}.yaml is gone: every overlay of the region would leave the tree`,
          fix: `restore regions/${region}.yaml (a renamed region keeps its old name: rename clusterPrefix or baseDomain instead); to remove the region, add to platform.yaml: ${ackSnippet(object, 'removed')}`,
        },
      });
      continue;
    }
    for (const env of envs) {
      const id = `${region}/${env}`;
      const object = `overlay ${id}`;
      out.push({
        overlay: id,
        region,
        object,
        change: 'removed',
        impossible: false,
        protectedObjects: [],
        problem: {
          file: `overlays/${region}/${env}.yaml`,
          path: '',
          message: `overlay ${id} was rendered (${stateful(env)} stateful object(s)) but overlays/${region}/${env}.yaml is gone, so everything it rendered would leave the tree`,
          fix: `restore overlays/${region}/${env}.yaml (moved, renamed or deleted?); to remove the overlay, add to regions/${region}.yaml: ${ackSnippet(object, 'removed')}`,
        },
      });
    }
  }
  return out;
}

function dirs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(compareStrings);
}
