/**
 * Whether the pods of each workload namespace fit the tier's ResourceQuota. The API server
 * rejects a pod that would exceed the quota and the operator behind it retries forever: the
 * overlay never converges, and nothing in the pull request says why. So the sum is checked
 * here, over the rendered manifests of each namespace that has a ResourceQuota. What each
 * object asks for is declared by the construct area that renders its kind
 * (constructs/pod-demands.ts): workload controllers with the namespace's LimitRange defaults
 * for containers that set no resources, and the pods each operator creates for its custom
 * resources, at the sizes they declare. Operator sidecars and backup pods are not counted:
 * the totals are a lower bound, and a problem reported here is a certain rejection.
 */
import { parseQuantity } from '../constructs/core/quantity';
import type { PodDemand, PodDemandRule } from '../constructs/platform/pod-demand';
import { POD_DEMAND_RULES } from '../constructs/pod-demands';
import type { LimitRangeSpec, OverlaySpec, QuotaSpec } from '../environments/model';
import { Problem, settingSource } from '../environments/problems';

type Json = Record<string, any>;

const RULES = new Map<string, PodDemandRule>(POD_DEMAND_RULES.map((r) => [`${r.group}/${r.kind}`, r]));

/** The pod groups one rendered object asks for, in its namespace: none for a kind without a demand rule. */
export function podDemands(manifest: Json, limitRange: LimitRangeSpec): PodDemand[] {
  const apiVersion = String(manifest.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return RULES.get(`${group}/${manifest.kind}`)?.demand(manifest, { limitRange }) ?? [];
}

/** Cores or millicores for CPU, binary units for bytes (rounded up: these are needs). */
function formatAmount(resource: 'cpu' | 'bytes' | 'count', n: number): string {
  if (resource === 'count') return String(n);
  if (resource === 'cpu') return Number.isInteger(n) ? String(n) : `${Math.ceil(n * 1000 - 1e-6)}m`;
  for (const [unit, size] of [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (n >= size) return `${Math.ceil((n / size) * 100 - 1e-6) / 100}${unit}`;
  }
  return String(Math.ceil(n));
}

interface Dimension {
  readonly field: keyof QuotaSpec;
  readonly what: string;
  readonly unit: 'cpu' | 'bytes' | 'count';
  readonly perPod: (g: PodDemand) => number;
}

const DIMENSIONS: readonly Dimension[] = [
  { field: 'requestsCpu', what: 'CPU requests', unit: 'cpu', perPod: (g) => g.requests.cpu },
  { field: 'requestsMemory', what: 'memory requests', unit: 'bytes', perPod: (g) => g.requests.memory },
  { field: 'limitsCpu', what: 'CPU limits', unit: 'cpu', perPod: (g) => g.limits.cpu },
  { field: 'limitsMemory', what: 'memory limits', unit: 'bytes', perPod: (g) => g.limits.memory },
  { field: 'pods', what: 'pods', unit: 'count', perPod: () => 1 },
  { field: 'persistentVolumeClaims', what: 'persistent volume claims', unit: 'count', perPod: (g) => g.claims },
  { field: 'requestsStorage', what: 'storage', unit: 'bytes', perPod: (g) => g.storage },
];

/**
 * Problems for every quota of the overlay that the pods of a namespace would exceed. The
 * `manifests` are the overlay's rendered objects; namespaces without a ResourceQuota among
 * them (operator namespaces) are skipped.
 */
export function quotaFitProblems(overlay: OverlaySpec, manifests: readonly Json[]): Problem[] {
  const { quota, limitRange } = overlay.settings;
  const quotaNamespaces = new Set(manifests.filter((m) => m.kind === 'ResourceQuota' && m.apiVersion === 'v1').map((m) => m.metadata?.namespace));
  const byNamespace = new Map<string, PodDemand[]>();
  for (const m of manifests) {
    const ns: string | undefined = m.metadata?.namespace;
    if (!ns || !quotaNamespaces.has(ns)) continue;
    const groups = podDemands(m, limitRange);
    if (groups.length) byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), ...groups]);
  }
  const problems: Problem[] = [];
  for (const ns of [...byNamespace.keys()].sort()) {
    const groups = byNamespace.get(ns)!.filter((g) => g.replicas > 0);
    for (const d of DIMENSIONS) {
      const limit = d.unit === 'count' ? Number(quota[d.field]) : parseQuantity(String(quota[d.field]));
      const parts = groups.filter((g) => d.perPod(g) > 0).map((g) => ({ g, total: g.replicas * d.perPod(g) }));
      const total = parts.reduce((n, p) => n + p.total, 0);
      // Quantities are compared with a little slack for floating-point sums of millicores.
      if (total <= limit * (1 + 1e-9)) continue;
      const itemised = parts.map(({ g }) => `${g.source} ${g.replicas} × ${formatAmount(d.unit, d.perPod(g))}`).join(', ');
      problems.push({
        file: settingSource(overlay, `quota.${d.field}`),
        path: `quota.${d.field}`,
        value: quota[d.field],
        message: `namespace ${ns} needs at least ${formatAmount(d.unit, total)} of ${d.what} (${itemised}); the API server would reject the pods beyond the quota`,
        fix: `raise quota.${d.field} to ${formatAmount(d.unit, total)} or more, or lower the replicas or sizes of the components listed`,
      });
    }
  }
  return problems;
}
