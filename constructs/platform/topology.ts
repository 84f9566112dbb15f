/**
 * What a rendered object shows in a cluster's topology picture (`clusters/<cluster>/TOPOLOGY.md`,
 * gitops/topology-diagram.ts). A construct that renders a kind worth drawing declares here,
 * next to the construct (`<area>/*-topology.ts`), what one object of it is (a component and
 * its size), which in-cluster names it answers to, and which flows it wires (an application
 * to its pooler, a pooler to its PostgreSQL, CDC, backups, replication to the peer region,
 * routes). The diagram joins them generically: a flow names its ends by object reference or
 * by host name, and a host resolves to the component that answers to it.
 */

import { apiGroup } from './transition-rules';

/** A rendered manifest as read from YAML. */
export type Json = Record<string, any>;

/** What kind of flow an edge is; the diagram draws each kind with its own arrow. */
export type FlowKind = 'data' | 'backup' | 'replication' | 'route';

/**
 * One end of a flow: a component's reference (`topologyRef`), a host name (resolved to the
 * component that answers to it, or drawn outside the cluster), or a place outside the cluster.
 */
export type TopologyEnd = string | { readonly host: string; readonly label?: string } | { readonly external: string };

export interface TopologyEdge {
  readonly from: TopologyEnd;
  readonly to: TopologyEnd;
  /** Short: what flows (`CDC hrm`, `WAL archive`, `hello.example.org`). */
  readonly label: string;
  readonly kind: FlowKind;
}

export interface TopologyNode {
  /** Unique in the cluster; `topologyRef` of the object, or a name of the rule's own for a node several objects add to. */
  readonly ref: string;
  /** What it is, e.g. `PostgreSQL (CloudNativePG)`, `PgBouncer`, `Deployment`. */
  readonly kind: string;
  readonly name: string;
  /** Its size, one fact per line (`3 instances × 100Gi`). */
  readonly details?: readonly string[];
}

/** What one object adds to the picture. Every part is optional. */
export interface TopologyPart {
  readonly nodes?: readonly TopologyNode[];
  /** Size lines added to another object's node (a Kafka node pool to its Kafka). */
  readonly details?: readonly { readonly ref: string; readonly lines: readonly string[] }[];
  /** In-cluster names (`<service>.<namespace>`) a node answers to. */
  readonly hosts?: readonly { readonly ref: string; readonly hosts: readonly string[] }[];
  /** Name prefixes (`<prefix>*.<namespace>`) a node answers to, e.g. the Services a Helm release names after itself. */
  readonly hostPrefixes?: readonly { readonly ref: string; readonly namespace: string; readonly prefix: string }[];
  readonly edges?: readonly TopologyEdge[];
}

/** What a rule may look up besides the object: the other objects of the same cluster. */
export interface TopologyContext {
  /** `<layer>` or `<layer>/<part>`: where the object is drawn; a node several objects share is scoped with it. */
  readonly scope: string;
  /** An object of the cluster by API group (empty for core), kind, namespace and name. */
  find(group: string, kind: string, namespace: string | undefined, name: string): Json | undefined;
  /** Every object of the cluster of this API group and kind. */
  all(group: string, kind: string): readonly Json[];
}

export interface TopologyRule {
  /** API group (empty for the core group). */
  readonly group: string;
  readonly kind: string;
  /** What the object adds; undefined: nothing (it is counted among the layer's other objects). */
  describe(manifest: Json, context: TopologyContext): TopologyPart | undefined;
}

/** The API group of a manifest (empty for the core group), for the area rules. */
export { apiGroup };

/** The reference of an object in the picture. */
export function topologyRef(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group}/${kind}/${namespace ?? ''}/${name}`;
}

/** The reference of a rendered manifest. */
export function refOf(m: Json): string {
  return topologyRef(apiGroup(m), String(m.kind), m.metadata?.namespace, String(m.metadata?.name));
}

/**
 * The host of a URL, `host:port` or bare host name, without scheme, user, port and path; the
 * in-cluster forms `<service>.<namespace>.svc[.cluster.local]` become `<service>.<namespace>`.
 */
export function hostOf(address: string): string {
  let h = String(address).trim();
  h = h.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  h = h.replace(/^[^@/]*@/, '');
  h = h.split(/[/?#]/)[0];
  h = h.replace(/:\d+$/, '').toLowerCase();
  return h.replace(/\.svc(\.cluster\.local)?\.?$/, '');
}

/** In-cluster host names (`<service>.<namespace>.svc...`) in a string, e.g. a URL in an environment variable. */
export function clusterHostsIn(text: string): string[] {
  const out = new Set<string>();
  for (const m of String(text).matchAll(/\b([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?\b/g)) {
    out.add(`${m[1]}.${m[3]}`);
  }
  return [...out];
}

/** `<name>.<namespace>` for each name. */
export function hostsIn(namespace: string | undefined, ...names: readonly string[]): string[] {
  return names.map((n) => `${n}.${namespace ?? 'default'}`);
}

/** `n × size`, or `n` alone without a size. */
export function times(count: unknown, what: string, size?: unknown): string {
  const n = count === undefined || count === null ? 1 : Number(count);
  return `${n} ${what}${n === 1 ? '' : 's'}${size ? ` × ${size}` : ''}`;
}
