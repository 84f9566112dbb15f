/**
 * Whether the pods of each workload namespace fit the tier's ResourceQuota. The API server
 * rejects a pod that would exceed the quota and the operator behind it retries forever: the
 * overlay never converges, and nothing in the pull request says why. So the sum is checked
 * here, over the rendered manifests of each namespace that has a ResourceQuota: workload controllers (Deployments, StatefulSets, Jobs,
 * CronJobs) with the namespace's LimitRange defaults for containers that set no resources,
 * and the pods each operator creates for the custom resources of the namespace, at the
 * sizes those resources declare (Kafka Connect's image build pod included). Operator sidecars
 * and backup pods are not counted: the totals are a lower bound, and a problem reported here
 * is a certain rejection.
 */
import type { LimitRangeSpec, OverlaySpec, QuotaSpec } from '../environments/model';
import { Problem, settingSource } from '../environments/problems';
import { parseQuantity } from '../constructs/core/quantity';

type Resource = 'cpu' | 'memory';

/** What one kind of pod adds to its namespace, per pod. */
interface PodShape {
  readonly requests: Readonly<Record<Resource, number>>;
  readonly limits: Readonly<Record<Resource, number>>;
  readonly claims: number;
  /** Bytes of persistent volume claims. */
  readonly storage: number;
}

/** A group of identical pods an object asks for. */
export interface PodGroup extends PodShape {
  /** e.g. `KafkaNodePool brokers`. */
  readonly source: string;
  readonly replicas: number;
}

type Json = Record<string, any>;

const quantity = (q: unknown): number | undefined => (q === undefined || q === null ? undefined : parseQuantity(String(q)));

/** A container's requests and limits after Kubernetes' own defaulting and the LimitRange's. */
function containerShape(resources: Json | undefined, lr: LimitRangeSpec): Pick<PodShape, 'requests' | 'limits'> {
  const pick = (r: Resource) => {
    const limit = quantity(resources?.limits?.[r]);
    // A container with a limit and no request is given the limit as its request.
    const request = quantity(resources?.requests?.[r]) ?? limit ?? parseQuantity(lr.defaultRequest[r]);
    return { request, limit: limit ?? parseQuantity(lr.default[r]) };
  };
  const cpu = pick('cpu');
  const memory = pick('memory');
  return { requests: { cpu: cpu.request, memory: memory.request }, limits: { cpu: cpu.limit, memory: memory.limit } };
}

function sumShapes(shapes: readonly Pick<PodShape, 'requests' | 'limits'>[]): Pick<PodShape, 'requests' | 'limits'> {
  const total = (side: 'requests' | 'limits', r: Resource) => shapes.reduce((n, s) => n + s[side][r], 0);
  return { requests: { cpu: total('requests', 'cpu'), memory: total('requests', 'memory') }, limits: { cpu: total('limits', 'cpu'), memory: total('limits', 'memory') } };
}

/** A pod's quota usage: its containers together, or its largest init container if larger. */
function podSpecShape(spec: Json, lr: LimitRangeSpec): Pick<PodShape, 'requests' | 'limits'> {
  const main = sumShapes((spec.containers ?? []).map((c: Json) => containerShape(c.resources, lr)));
  const inits = (spec.initContainers ?? []).map((c: Json) => containerShape(c.resources, lr));
  const max = (side: 'requests' | 'limits', r: Resource) => Math.max(main[side][r], ...inits.map((s: PodShape) => s[side][r]));
  return { requests: { cpu: max('requests', 'cpu'), memory: max('requests', 'memory') }, limits: { cpu: max('limits', 'cpu'), memory: max('limits', 'memory') } };
}

const NO_VOLUMES = { claims: 0, storage: 0 };
const volumes = (sizes: readonly unknown[]) => ({ claims: sizes.length, storage: sizes.reduce<number>((n, s) => n + (quantity(s) ?? 0), 0) });

/** The pod groups one rendered object asks for, in its namespace. */
export function podGroups(kind: string, apiVersion: string, name: string, manifest: Json, lr: LimitRangeSpec): PodGroup[] {
  const spec: Json = manifest.spec ?? {};
  const group = apiVersion.split('/')[0];
  const of = (source: string, replicas: number, shape: Pick<PodShape, 'requests' | 'limits'>, vols = NO_VOLUMES): PodGroup => ({ source, replicas, ...shape, ...vols });
  const single = (resources: Json | undefined) => containerShape(resources, lr);

  switch (`${group}/${kind}`) {
    case 'apps/Deployment':
      return [of(`Deployment ${name}`, spec.replicas ?? 1, podSpecShape(spec.template?.spec ?? {}, lr))];
    case 'apps/StatefulSet':
      return [of(`StatefulSet ${name}`, spec.replicas ?? 1, podSpecShape(spec.template?.spec ?? {}, lr),
        volumes((spec.volumeClaimTemplates ?? []).map((t: Json) => t.spec?.resources?.requests?.storage)))];
    case 'batch/Job':
      return [of(`Job ${name}`, spec.parallelism ?? 1, podSpecShape(spec.template?.spec ?? {}, lr))];
    case 'batch/CronJob':
      return [of(`CronJob ${name}`, 1, podSpecShape(spec.jobTemplate?.spec?.template?.spec ?? {}, lr))];
    case 'postgresql.cnpg.io/Cluster':
      return [of(`Cluster ${name}`, spec.instances ?? 1, single(spec.resources), volumes([spec.storage?.size, ...(spec.walStorage ? [spec.walStorage.size] : [])]))];
    case 'postgresql.cnpg.io/Pooler':
      return [of(`Pooler ${name}`, spec.instances ?? 1, podSpecShape({ containers: spec.template?.spec?.containers ?? [{}] }, lr))];
    case 'acid.zalan.do/postgresql':
      return [of(`postgresql ${name}`, spec.numberOfInstances ?? 1, single(spec.resources), volumes([spec.volume?.size]))];
    case 'kafka.strimzi.io/KafkaNodePool':
      return [of(`KafkaNodePool ${name}`, spec.replicas ?? 0, single(spec.resources),
        volumes(spec.storage?.type === 'jbod' ? (spec.storage.volumes ?? []).map((v: Json) => v.size) : [spec.storage?.size]))];
    case 'kafka.strimzi.io/Kafka': {
      const groups: PodGroup[] = [];
      const eo = spec.entityOperator;
      if (eo) {
        const containers = [eo.topicOperator, eo.userOperator].filter(Boolean).map((c: Json) => single(c.resources));
        groups.push(of(`Kafka ${name} entity operator`, 1, sumShapes(containers)));
      }
      if (spec.kafkaExporter) groups.push(of(`Kafka ${name} exporter`, 1, single(spec.kafkaExporter.resources)));
      return groups;
    }
    case 'kafka.strimzi.io/KafkaConnect':
      return [
        of(`KafkaConnect ${name}`, spec.replicas ?? 3, single(spec.resources)),
        // Strimzi runs one Kaniko pod at a time while it builds the image.
        ...(spec.build ? [of(`KafkaConnect ${name} image build`, 1, single(spec.build.resources))] : []),
      ];
    case 'kafka.strimzi.io/KafkaMirrorMaker2':
      return [of(`KafkaMirrorMaker2 ${name}`, spec.replicas ?? 3, single(spec.resources))];
    case 'opensearch.org/OpenSearchCluster': {
      const groups: PodGroup[] = (spec.nodePools ?? []).map((pool: Json) =>
        of(`OpenSearchCluster ${name} node pool ${pool.component}`, pool.replicas ?? 1, single(pool.resources), volumes(pool.diskSize ? [pool.diskSize] : [])));
      if (spec.dashboards?.enable) groups.push(of(`OpenSearchCluster ${name} Dashboards`, spec.dashboards.replicas ?? 1, single(spec.dashboards.resources)));
      return groups;
    }
    case 'minio.min.io/Tenant':
      return (spec.pools ?? []).map((pool: Json) => of(`Tenant ${name} pool ${pool.name}`, pool.servers ?? 1, single(pool.resources),
        volumes(Array.from({ length: pool.volumesPerServer ?? 1 }, () => pool.volumeClaimTemplate?.spec?.resources?.requests?.storage))));
    default:
      return [];
  }
}

/** Cores or millicores for CPU, binary units for bytes (rounded up: these are needs). */
function formatAmount(resource: 'cpu' | 'bytes' | 'count', n: number): string {
  if (resource === 'count') return String(n);
  if (resource === 'cpu') return Number.isInteger(n) ? String(n) : `${Math.ceil(n * 1000 - 1e-6)}m`;
  for (const [unit, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (n >= size) return `${Math.ceil((n / size) * 100 - 1e-6) / 100}${unit}`;
  }
  return String(Math.ceil(n));
}

interface Dimension {
  readonly field: keyof QuotaSpec;
  readonly what: string;
  readonly unit: 'cpu' | 'bytes' | 'count';
  readonly perPod: (g: PodGroup) => number;
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
  const byNamespace = new Map<string, PodGroup[]>();
  for (const m of manifests) {
    const ns: string | undefined = m.metadata?.namespace;
    if (!ns || !quotaNamespaces.has(ns)) continue;
    const groups = podGroups(m.kind, m.apiVersion, m.metadata.name, m, limitRange);
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
