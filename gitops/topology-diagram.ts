/**
 * `clusters/<cluster>/TOPOLOGY.md`: a picture of what one cluster runs, drawn from the objects
 * rendered for it, so it shows exactly what the tree applies. A Mermaid flowchart (GitHub
 * renders it) with the cluster's layers in apply order as subgraphs, the components in them
 * with their sizes, and the flows between them (applications to poolers to PostgreSQL, CDC
 * into Kafka and on into OpenSearch, backups to object storage, replication to and from the
 * peer region, routes); then the same as plain tables. What an object adds is declared by its
 * construct area (constructs/topologies.ts); this file knows no kind. Not a Kubernetes
 * object: no kustomization.yaml lists it.
 */
import { compareStrings } from '../constructs/platform/ordering';
import { apiGroup, FlowKind, Json, refOf, TopologyContext, TopologyEnd, TopologyRule } from '../constructs/platform/topology';
import { TOPOLOGY_RULES } from '../constructs/topologies';

/** The file's name in an entry folder. */
export const TOPOLOGY_FILE = 'TOPOLOGY.md';

/** One layer folder the cluster applies: a layer, or in a shared cluster one part of it (the cluster's, an environment's). */
export interface TopologyLayer {
  readonly layer: string;
  /** `cluster` or an environment, in a cluster environments share. @default the layer is whole */
  readonly part?: string;
  readonly manifests: readonly Json[];
}

export interface TopologyInput {
  /** The entry folder's name (`region-a-prod`). */
  readonly cluster: string;
  /** One sentence under the heading: region, environments, GitOps engine. */
  readonly summary: string;
  /** In apply order. */
  readonly layers: readonly TopologyLayer[];
  /** @default every construct area's (constructs/topologies.ts) */
  readonly rules?: readonly TopologyRule[];
}

/** Components of one kind in one layer beyond this many are drawn as one box (the tables list them all). */
export const MAX_PER_KIND = 6;
/** Size lines shown in a box; the components table has them all. */
const MAX_DETAILS = 4;

interface Node {
  readonly ref: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly details: string[];
  /** Index of the layer folder it is drawn in; undefined: outside the cluster's layers. */
  readonly scope?: number;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: FlowKind;
  readonly labels: string[];
}

/** The sentence under the heading. */
export function topologySummary(region: string, environments: readonly string[], cluster: string | undefined, engine: string): string {
  const envs = environments.map((e) => `\`${e}\``).join(', ');
  return `Region \`${region}\`, environment${environments.length === 1 ? '' : 's'} ${envs}${cluster ? `, cluster \`${cluster}\`` : ''}, applied by ${engine === 'flux' ? 'Flux' : 'Argo CD'} in the order of the layers below.`;
}

const scopeName = (l: TopologyLayer) => (l.part ? `${l.layer}/${l.part}` : l.layer);

export function topologyDiagram(input: TopologyInput): string {
  const rules = new Map((input.rules ?? TOPOLOGY_RULES).map((r) => [`${r.group}|${r.kind}`, r]));
  const all = input.layers.flatMap((l) => l.manifests);
  const byKind = new Map<string, Json[]>();
  const byId = new Map<string, Json>();
  for (const m of all) {
    const key = `${apiGroup(m)}|${m.kind}`;
    byKind.set(key, [...(byKind.get(key) ?? []), m]);
    byId.set(`${key}|${m.metadata?.namespace ?? ''}|${m.metadata?.name}`, m);
  }

  const nodes = new Map<string, Node>();
  const others = input.layers.map(() => new Map<string, number>());
  const hosts = new Map<string, string>();
  const prefixes: { ref: string; namespace: string; prefix: string }[] = [];
  const pending: { from: TopologyEnd; to: TopologyEnd; label: string; kind: FlowKind }[] = [];
  const extraDetails: { ref: string; lines: readonly string[] }[] = [];

  input.layers.forEach((layer, scope) => {
    const ctx: TopologyContext = {
      scope: scopeName(layer),
      find: (group, kind, namespace, name) => byId.get(`${group}|${kind}|${namespace ?? ''}|${name}`),
      all: (group, kind) => byKind.get(`${group}|${kind}`) ?? [],
    };
    for (const m of [...layer.manifests].sort((a, b) => compareStrings(refOf(a), refOf(b)))) {
      const part = rules.get(`${apiGroup(m)}|${m.kind}`)?.describe(m, ctx);
      if (!part) {
        others[scope].set(String(m.kind), (others[scope].get(String(m.kind)) ?? 0) + 1);
        continue;
      }
      for (const n of part.nodes ?? []) {
        const known = nodes.get(n.ref);
        if (known) known.details.push(...(n.details ?? []).filter((d) => !known.details.includes(d)));
        else nodes.set(n.ref, { ref: n.ref, kind: n.kind, name: n.name, namespace: namespaceOf(n.ref), details: [...(n.details ?? [])], scope });
      }
      extraDetails.push(...(part.details ?? []));
      for (const h of part.hosts ?? []) for (const host of h.hosts) if (!hosts.has(host)) hosts.set(host, h.ref);
      prefixes.push(...(part.hostPrefixes ?? []));
      pending.push(...(part.edges ?? []));
    }
  });
  for (const d of extraDetails) nodes.get(d.ref)?.details.push(...d.lines);

  // Ends that are not a component of this cluster are drawn outside its layers.
  const outside = (label: string) => {
    const ref = `outside:${label}`;
    if (!nodes.has(ref)) nodes.set(ref, { ref, kind: '', name: label, details: [] });
    return ref;
  };
  const resolve = (end: TopologyEnd): string => {
    if (typeof end === 'string') return nodes.has(end) ? end : outside(describeRef(end));
    if ('external' in end) return outside(end.external);
    const found = hosts.get(end.host) ?? prefixes.find((p) => end.host.startsWith(p.prefix) && end.host.endsWith(`.${p.namespace}`))?.ref;
    return found && nodes.has(found) ? found : outside(end.label ?? end.host);
  };
  const resolved = pending.map((e) => ({ from: resolve(e.from), to: resolve(e.to), kind: e.kind, label: e.label }));

  // Many components of one kind in one layer (a fleet of applications): the first ones, and one box for the rest.
  const folded = new Map<string, string>();
  const groups = new Map<string, Node[]>();
  for (const n of nodes.values()) {
    if (n.scope === undefined) continue;
    const key = `${n.scope}|${n.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  for (const [key, members] of groups) {
    if (members.length <= MAX_PER_KIND) continue;
    const sorted = [...members].sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.ref, b.ref));
    const rest = sorted.slice(MAX_PER_KIND - 1);
    const ref = `fold:${key}`;
    folded.set(ref, ref);
    for (const n of rest) folded.set(n.ref, ref);
    nodes.set(ref, { ref, kind: rest[0].kind, name: `+${rest.length} more`, details: [rest.map((n) => n.name).join(', ')], scope: rest[0].scope });
  }
  const drawn = (ref: string) => (folded.has(ref) && folded.get(ref) !== ref ? folded.get(ref)! : ref);

  const edges = new Map<string, Edge>();
  for (const e of resolved) {
    const from = drawn(e.from);
    const to = drawn(e.to);
    if (from === to) continue;
    const key = `${from}|${to}|${e.kind}`;
    const edge = edges.get(key) ?? { from, to, kind: e.kind, labels: [] };
    if (!edge.labels.includes(e.label)) edge.labels.push(e.label);
    edges.set(key, edge);
  }

  const ids = nodeIds([...nodes.values()], input.layers);
  const components = [...nodes.values()]
    .filter((n) => n.scope !== undefined && !n.ref.startsWith('fold:'))
    .sort((a, b) => a.scope! - b.scope! || compareStrings(a.kind, b.kind) || compareStrings(a.name, b.name) || compareStrings(a.ref, b.ref));
  const flows = [...edges.values()].sort(
    (a, b) => compareStrings(ids.get(a.from)!, ids.get(b.from)!) || compareStrings(ids.get(a.to)!, ids.get(b.to)!) || compareStrings(a.kind, b.kind),
  );

  return [
    `# Topology of ${input.cluster}`,
    '',
    `${input.summary} Drawn by \`npm run synth\` from the objects rendered for this cluster; do not edit.`,
    '',
    '```mermaid',
    ...mermaid(
      input.layers,
      [...nodes.values()].filter((n) => !folded.has(n.ref) || folded.get(n.ref) === n.ref),
      others,
      flows,
      ids,
    ),
    '```',
    '',
    'Arrows: `-->` data and routes (applications to poolers to PostgreSQL, CDC into Kafka and on into OpenSearch), ' +
      '`-.->` backups to object storage, `==>` replication to or from another cluster or region. ' +
      'Boxes outside the layers are what the cluster talks to but does not run; a layer\u2019s grey box counts its other objects ' +
      `(network policies, secrets, certificates, ...). More than ${MAX_PER_KIND} components of one kind in a layer are drawn as one box.`,
    '',
    '## Components',
    '',
    '| layer | component | name | size |',
    '|---|---|---|---|',
    ...components.map((n) => row(scopeName(input.layers[n.scope!]), n.kind, n.namespace ? `${n.namespace}/${n.name}` : n.name, n.details.join('; '))),
    '',
    '## Flows',
    '',
    '| from | to | kind | what |',
    '|---|---|---|---|',
    ...flows.map((e) => row(plainName(nodes.get(e.from)!), plainName(nodes.get(e.to)!), e.kind, e.labels.join('; '))),
    '',
  ].join('\n');
}

function namespaceOf(ref: string): string | undefined {
  const parts = ref.split('/');
  return parts.length === 4 && parts[2] ? parts[2] : undefined;
}

/** `kind namespace/name` of a reference no component of the cluster has. */
function describeRef(ref: string): string {
  const parts = ref.split('/');
  return parts.length === 4 ? `${parts[1]} ${parts[2] ? `${parts[2]}/` : ''}${parts[3]}` : ref;
}

const plainName = (n: Node) => (n.kind ? `${n.kind} ${n.namespace ? `${n.namespace}/` : ''}${n.name}`.trim() : n.name);

/** Mermaid node ids: letters, digits and underscores, unique, the same for the same tree. */
function nodeIds(nodes: readonly Node[], layers: readonly TopologyLayer[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  const ordered = [...nodes].sort(
    (a, b) =>
      (a.scope ?? layers.length) - (b.scope ?? layers.length) ||
      compareStrings(a.kind, b.kind) ||
      compareStrings(a.name, b.name) ||
      compareStrings(a.ref, b.ref),
  );
  for (const n of ordered) {
    const where = n.scope === undefined ? 'outside' : scopeName(layers[n.scope]);
    const base = sanitize(`${where}_${n.kind}_${n.namespace ?? ''}_${n.name}`);
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    ids.set(n.ref, id);
  }
  return ids;
}

/** An id of [A-Za-z0-9_] that starts with a letter (Mermaid reserves `end` and the like, so every id has a prefix). */
export function sanitize(text: string): string {
  const s = text.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `n_${s || 'x'}`;
}

/** A label in double quotes: Mermaid's entity codes for what would end or change it. */
export function mermaidText(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/`/g, '#96;')
    .replace(/[\r\n]+/g, ' ');
}

const ARROWS: Record<FlowKind, string> = { data: '-->', route: '-->', backup: '-.->', replication: '==>' };

function mermaid(
  layers: readonly TopologyLayer[],
  nodes: readonly Node[],
  others: readonly Map<string, number>[],
  edges: readonly Edge[],
  ids: ReadonlyMap<string, string>,
): string[] {
  const out = ['flowchart TB'];
  const box = (n: Node, indent: string) => {
    const details = n.details.slice(0, MAX_DETAILS).concat(n.details.length > MAX_DETAILS ? ['\u2026'] : []);
    const title = n.kind ? `${n.kind} ${n.name}`.trim() : n.name;
    return `${indent}${ids.get(n.ref)}["${[title, ...details].map(mermaidText).join('<br/>')}"]`;
  };
  const inScope = (scope: number) => nodes.filter((n) => n.scope === scope).sort((a, b) => compareStrings(ids.get(a.ref)!, ids.get(b.ref)!));
  const summary = (scope: number, indent: string) => {
    const counts = [...others[scope]].sort(([a, x], [b, y]) => y - x || compareStrings(a, b));
    if (!counts.length) return [];
    const shown = counts.slice(0, MAX_DETAILS).map(([kind, n]) => `${n} ${kind}`);
    const more = counts.length > MAX_DETAILS ? [`+${counts.slice(MAX_DETAILS).reduce((s, [, n]) => s + n, 0)} more`] : [];
    return [`${indent}${sanitize(`others_${scopeName(layers[scope])}`)}["${[...shown, ...more].map(mermaidText).join('<br/>')}"]:::other`];
  };
  const layerNames = [...new Set(layers.map((l) => l.layer))];
  layerNames.forEach((name, i) => {
    out.push(`  subgraph ${sanitize(`layer_${name}`)}["${i + 1}. ${mermaidText(name)}"]`);
    layers.forEach((l, scope) => {
      if (l.layer !== name) return;
      if (l.part) {
        out.push(`    subgraph ${sanitize(`layer_${name}_${l.part}`)}["${mermaidText(l.part)}"]`);
        out.push(...inScope(scope).map((n) => box(n, '      ')), ...summary(scope, '      '));
        out.push('    end');
      } else {
        out.push(...inScope(scope).map((n) => box(n, '    ')), ...summary(scope, '    '));
      }
    });
    out.push('  end');
  });
  const away = nodes.filter((n) => n.scope === undefined).sort((a, b) => compareStrings(ids.get(a.ref)!, ids.get(b.ref)!));
  if (away.length) {
    out.push('  subgraph n_outside["outside this cluster\u2019s layers"]', ...away.map((n) => `${box(n, '    ')}:::outside`), '  end');
  }
  for (const e of edges) out.push(`  ${ids.get(e.from)} ${ARROWS[e.kind]}|"${mermaidText(edgeLabel(e.labels))}"| ${ids.get(e.to)}`);
  out.push('  classDef other fill:#f6f6f6,stroke:#bbb,color:#555', '  classDef outside stroke-dasharray:4 3');
  return out;
}

function edgeLabel(labels: readonly string[]): string {
  return labels.length > 3 ? `${labels.slice(0, 2).join(', ')}, +${labels.length - 2} more` : labels.join(', ');
}

function row(...cells: readonly string[]): string {
  return `| ${cells.map((c) => (c === '' ? ' ' : c.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' '))).join(' | ')} |`;
}
