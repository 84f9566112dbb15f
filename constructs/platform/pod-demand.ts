/**
 * What the pods behind a rendered object ask of its namespace's ResourceQuota. A construct
 * that renders a kind which starts pods declares its demand here (next to the construct, in
 * `<area>/*-pod-demand.ts`): workload controllers by their pod templates, operator resources
 * by the pods the operator creates for them, at the sizes the resource declares. The quota
 * check (gitops/quota-fit.ts) sums them generically per namespace. Operator sidecars and
 * backup pods are not counted: the totals are a lower bound.
 */
import type { LimitRangeSpec } from '../core/namespace-policy';
import { parseQuantity } from '../core/quantity';

/** A rendered manifest as read from YAML. */
type Json = Record<string, any>;

export type PodResource = 'cpu' | 'memory';

/** A pod's requests and limits, as the quota counts them. */
export interface PodResources {
  readonly requests: Readonly<Record<PodResource, number>>;
  readonly limits: Readonly<Record<PodResource, number>>;
}

/** The persistent volume claims a pod brings. */
export interface PodVolumes {
  readonly claims: number;
  /** Bytes of persistent volume claims. */
  readonly storage: number;
}

/** What one kind of pod adds to its namespace, per pod. */
export interface PodShape extends PodResources, PodVolumes {}

/** A group of identical pods an object asks for. */
export interface PodDemand extends PodShape {
  /** e.g. `KafkaNodePool brokers`. */
  readonly source: string;
  readonly replicas: number;
}

/** What a demand rule knows about the namespace besides the object. */
export interface PodDemandContext {
  /** Defaults for containers that set no resources. */
  readonly limitRange: LimitRangeSpec;
}

export interface PodDemandRule {
  /** API group (empty for the core group). */
  readonly group: string;
  readonly kind: string;
  /** The pod groups one rendered object of this kind asks for, in its namespace. */
  demand(manifest: Json, context: PodDemandContext): PodDemand[];
}

const quantity = (q: unknown): number | undefined => (q === undefined || q === null ? undefined : parseQuantity(String(q)));

/** A container's requests and limits after Kubernetes' own defaulting and the LimitRange's. */
export function containerShape(resources: Json | undefined, lr: LimitRangeSpec): PodResources {
  const pick = (r: PodResource) => {
    const limit = quantity(resources?.limits?.[r]);
    // A container with a limit and no request is given the limit as its request.
    const request = quantity(resources?.requests?.[r]) ?? limit ?? parseQuantity(lr.defaultRequest[r]);
    return { request, limit: limit ?? parseQuantity(lr.default[r]) };
  };
  const cpu = pick('cpu');
  const memory = pick('memory');
  return { requests: { cpu: cpu.request, memory: memory.request }, limits: { cpu: cpu.limit, memory: memory.limit } };
}

/** Containers that run side by side in one pod. */
export function sumShapes(shapes: readonly PodResources[]): PodResources {
  const total = (side: 'requests' | 'limits', r: PodResource) => shapes.reduce((n, s) => n + s[side][r], 0);
  return {
    requests: { cpu: total('requests', 'cpu'), memory: total('requests', 'memory') },
    limits: { cpu: total('limits', 'cpu'), memory: total('limits', 'memory') },
  };
}

/** A pod's quota usage: its containers together, or its largest init container if larger. */
export function podSpecShape(spec: Json, lr: LimitRangeSpec): PodResources {
  const main = sumShapes((spec.containers ?? []).map((c: Json) => containerShape(c.resources, lr)));
  const inits: PodResources[] = (spec.initContainers ?? []).map((c: Json) => containerShape(c.resources, lr));
  const max = (side: 'requests' | 'limits', r: PodResource) => Math.max(main[side][r], ...inits.map((s) => s[side][r]));
  return {
    requests: { cpu: max('requests', 'cpu'), memory: max('requests', 'memory') },
    limits: { cpu: max('limits', 'cpu'), memory: max('limits', 'memory') },
  };
}

export const NO_VOLUMES: PodVolumes = { claims: 0, storage: 0 };

/** One claim per size given (sizes as quantities; a missing size claims no bytes). */
export const volumes = (sizes: readonly unknown[]): PodVolumes => ({
  claims: sizes.length,
  storage: sizes.reduce<number>((n, s) => n + (quantity(s) ?? 0), 0),
});

/** `replicas` identical pods of one shape. */
export function podDemand(source: string, replicas: number, shape: PodResources, vols: PodVolumes = NO_VOLUMES): PodDemand {
  return { source, replicas, ...shape, ...vols };
}
