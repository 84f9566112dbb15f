/**
 * Some changes are valid on their own but cannot be applied to what already runs: MinIO
 * cannot turn a standalone tenant into a distributed one or reshape an existing pool, and
 * a volume cannot shrink. These checks compare each rendered object with the version
 * currently in the tree (what the cluster runs) and refuse such changes before anything
 * is written.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { OverlaySpec } from '../environments/model';
import { Problem, settingSource } from '../environments/problems';
import { parseQuantity } from '../environments/quantity';
import { fromYaml } from './yaml';

type Manifest = any;

interface TransitionRule {
  readonly apiVersion: string;
  readonly kind: string;
  check(previous: Manifest, next: Manifest, overlay: OverlaySpec): Omit<Problem, 'file'>[];
}

const describePool = (p: any) => `${p.servers} server(s) × ${p.volumesPerServer} volume(s)`;

const RULES: readonly TransitionRule[] = [
  {
    apiVersion: 'minio.min.io/v2',
    kind: 'Tenant',
    check(previous, next, overlay) {
      const problems: Omit<Problem, 'file'>[] = [];
      const name = next.metadata.name;
      for (const pool of previous.spec?.pools ?? []) {
        const now = (next.spec?.pools ?? []).find((p: any) => p.name === pool.name);
        if (!now) continue;
        const wasStandalone = pool.servers * pool.volumesPerServer === 1;
        const isStandalone = now.servers * now.volumesPerServer === 1;
        if (wasStandalone !== isStandalone) {
          problems.push({
            path: 'minio.servers',
            value: { servers: now.servers, volumesPerServer: now.volumesPerServer },
            message: `${overlay.id}: MinIO tenant ${name} would change from ${wasStandalone ? 'standalone' : 'distributed'} (${describePool(pool)}) to ${isStandalone ? 'standalone' : 'distributed'} (${describePool(now)}); the MinIO operator cannot convert a running tenant`,
            fix: `keep minio.servers: ${pool.servers} and minio.volumesPerServer: ${pool.volumesPerServer}, or give the new layout a new minio.name, migrate the data (mc mirror) and remove the old tenant afterwards`,
          });
        } else if (pool.servers !== now.servers || pool.volumesPerServer !== now.volumesPerServer) {
          problems.push({
            path: 'minio.servers',
            value: { servers: now.servers, volumesPerServer: now.volumesPerServer },
            message: `${overlay.id}: MinIO tenant ${name}, pool ${pool.name} would change from ${describePool(pool)} to ${describePool(now)}; MinIO cannot reshape an existing pool (it grows by adding pools)`,
            fix: `keep minio.servers: ${pool.servers} and minio.volumesPerServer: ${pool.volumesPerServer}`,
          });
        }
        const before = pool.volumeClaimTemplate?.spec?.resources?.requests?.storage;
        const after = now.volumeClaimTemplate?.spec?.resources?.requests?.storage;
        if (before && after && parseQuantity(after) < parseQuantity(before)) {
          problems.push({ path: 'minio.volumeSize', value: after, message: `${overlay.id}: MinIO tenant ${name} volumes would shrink from ${before}; volumes cannot shrink`, fix: `keep minio.volumeSize at ${before} or more` });
        }
      }
      return problems;
    },
  },
  {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    check(previous, next, overlay) {
      const problems: Omit<Problem, 'file'>[] = [];
      for (const [field, setting] of [['storage', 'postgres.storageSize'], ['walStorage', 'postgres.walStorageSize']] as const) {
        const before = previous.spec?.[field]?.size;
        const after = next.spec?.[field]?.size;
        if (before && after && parseQuantity(after) < parseQuantity(before)) {
          problems.push({ path: setting, value: after, message: `${overlay.id}: PostgreSQL cluster ${next.metadata.name} ${field} would shrink from ${before}; volumes cannot shrink`, fix: `keep ${setting} at ${before} or more` });
        }
      }
      return problems;
    },
  },
  {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaNodePool',
    check: (previous, next, overlay) => shrinks(overlay, `Kafka node pool ${next.metadata.name}`, 'streaming.kafka.storageSize', volumeSizes(previous.spec?.storage), volumeSizes(next.spec?.storage)),
  },
  {
    apiVersion: 'opensearch.org/v1',
    kind: 'OpenSearchCluster',
    check: (previous, next, overlay) => {
      const before: string[] = [];
      const after: string[] = [];
      for (const pool of previous.spec?.nodePools ?? []) {
        const now = (next.spec?.nodePools ?? []).find((p: any) => p.component === pool.component);
        if (pool.diskSize && now?.diskSize) { before.push(pool.diskSize); after.push(now.diskSize); }
      }
      return shrinks(overlay, `OpenSearch cluster ${next.metadata.name}`, 'opensearch.storageSize', before, after);
    },
  },
  {
    apiVersion: 'acid.zalan.do/v1',
    kind: 'postgresql',
    check: (previous, next, overlay) => shrinks(overlay, `PostgreSQL cluster ${next.metadata.name}`, 'postgres.storageSize', [previous.spec?.volume?.size].filter(Boolean), [next.spec?.volume?.size].filter(Boolean)),
  },
];

/** Sizes of a Strimzi storage definition (single volume or JBOD), in order. */
function volumeSizes(storage: any): string[] {
  if (!storage) return [];
  if (Array.isArray(storage.volumes)) return storage.volumes.map((v: any) => v.size).filter(Boolean);
  return storage.size ? [storage.size] : [];
}

function shrinks(overlay: OverlaySpec, what: string, setting: string, before: readonly string[], after: readonly string[]): Omit<Problem, 'file'>[] {
  for (let i = 0; i < Math.min(before.length, after.length); i++) {
    if (parseQuantity(after[i]) < parseQuantity(before[i])) {
      return [{ path: setting, value: after[i], message: `${overlay.id}: ${what} volumes would shrink from ${before[i]}; volumes cannot shrink`, fix: `keep ${setting} at ${before[i]} or more` }];
    }
  }
  return [];
}

/** Problems for the objects of `files` (tree-relative path → YAML) against `outDir`. */
export function checkTransitions(overlay: OverlaySpec, files: ReadonlyMap<string, string>, outDir: string): Problem[] {
  const problems: Problem[] = [];
  for (const [rel, content] of files) {
    const rule = RULES.find((r) => rel.includes(`_${r.kind.toLowerCase()}_`));
    if (!rule) continue;
    const full = path.join(outDir, rel);
    if (!fs.existsSync(full)) continue;
    const previous = fromYaml(fs.readFileSync(full, 'utf8')) as Manifest;
    const next = fromYaml(content) as Manifest;
    if (previous?.apiVersion !== rule.apiVersion || previous?.kind !== rule.kind || next?.kind !== rule.kind) continue;
    for (const p of rule.check(previous, next, overlay)) problems.push({ ...p, file: settingSource(overlay, p.path) });
  }
  return problems;
}
