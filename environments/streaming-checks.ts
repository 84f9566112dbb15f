/**
 * Cross-field rules for Kafka, Kafka Connect, CDC pipelines and OpenSearch.
 */
import type { OverlaySpec } from './model';
import type { Problem } from './problems';
import { valueAt } from './problems';
import type { SourceOf } from './semantic-checks';
import { parseQuantity } from '../constructs/core/quantity';

/**
 * The overlay that leads `o`'s DR pair when `o` does not: the primary it was built from
 * (unless `o` is promoted), or the replica of `o` that was promoted.
 */
function leaderOver(o: OverlaySpec, overlays: readonly OverlaySpec[]): OverlaySpec | undefined {
  const dr = o.settings.dr;
  if (dr.role === 'replica') return dr.promoted ? undefined : overlays.find((p) => p.id === dr.of);
  return overlays.find((r) => r.settings.dr.role === 'replica' && r.settings.dr.of === o.id && r.settings.dr.promoted);
}

export function checkStreaming(overlays: readonly OverlaySpec[], sourceOf: SourceOf): Problem[] {
  const problems: Problem[] = [];
  for (const o of overlays) {
    const s = o.settings;
    const problem = (fieldPath: string, message: string, fix: string, file?: string) => {
      problems.push({ file: file ?? sourceOf(o, fieldPath), path: fieldPath, value: valueAt(s, fieldPath), message: `${o.id}: ${message}`, fix });
    };
    const k = s.streaming.kafka;
    if (k.enabled) {
      const brokers = k.brokers;
      if (k.replicationFactor > brokers) {
        problem(
          'streaming.kafka.replicationFactor',
          `replication factor ${k.replicationFactor} is above the ${brokers} broker(s)`,
          `lower streaming.kafka.replicationFactor to ${brokers} or add brokers`,
        );
      }
      if (k.minInsyncReplicas > brokers) {
        problem(
          'streaming.kafka.minInsyncReplicas',
          `min.insync.replicas ${k.minInsyncReplicas} is above the ${brokers} broker(s): no write could ever succeed`,
          `set streaming.kafka.minInsyncReplicas to at most ${Math.max(1, brokers - 1)}`,
        );
      } else if (k.minInsyncReplicas > k.replicationFactor) {
        problem(
          'streaming.kafka.minInsyncReplicas',
          `min.insync.replicas ${k.minInsyncReplicas} is above the replication factor ${k.replicationFactor}`,
          `set streaming.kafka.minInsyncReplicas to at most ${k.replicationFactor}`,
        );
      }
      if (k.topology === 'dedicated' && k.controllers % 2 === 0) {
        problem(
          'streaming.kafka.controllers',
          `${k.controllers} KRaft controllers cannot form a majority after one failure any better than ${k.controllers - 1}`,
          'use an odd number of controllers: 1, 3 or 5',
        );
      }
      for (const r of ['cpu', 'memory'] as const) {
        if (parseQuantity(k.resources.limits[r]) > parseQuantity(s.limitRange.max[r])) {
          problem(
            `streaming.kafka.resources.limits.${r}`,
            `limit ${k.resources.limits[r]} is above limitRange.max.${r} ${s.limitRange.max[r]}`,
            `lower streaming.kafka.resources.limits.${r} or raise limitRange.max.${r}`,
          );
        }
      }
      // MirrorMaker 2 in a replica compiles the pattern (Java regex; JavaScript's accepts the same common subset).
      if (s.dr.role === 'replica') {
        try {
          new RegExp(s.streaming.mirrorTopics);
        } catch (err) {
          problem(
            'streaming.mirrorTopics',
            `"${s.streaming.mirrorTopics}" is not a valid regular expression (${(err as Error).message})`,
            'use a regular expression such as ".*" or "hrm\\..*|payroll\\..*"',
          );
        }
      }
    }

    const os = s.opensearch;
    if (os.enabled) {
      if (os.topology === 'dedicated' && os.managers % 2 === 0) {
        problem(
          'opensearch.managers',
          `${os.managers} cluster-manager nodes: an even count cannot keep a majority through a split`,
          'use an odd number of cluster-manager nodes: 1, 3 or 5',
        );
      }
      const heapBytes = parseQuantity(os.heap.replace(/g$/, 'Gi').replace(/m$/, 'Mi'));
      if (heapBytes > parseQuantity(os.resources.limits.memory) * 0.75) {
        problem(
          'opensearch.heap',
          `heap ${os.heap} leaves too little of the ${os.resources.limits.memory} memory limit for the file-system cache and off-heap memory`,
          'set the heap to about half of opensearch.resources.limits.memory',
        );
      }
    }

    const pipelines = s.streaming.pipelines;
    // CDC reads the WAL of the leading database: a follower's PostgreSQL is a replica, where
    // no publication can be created and no slot survives a switchover.
    const leader = pipelines.length ? leaderOver(o, overlays) : undefined;
    if (leader) {
      const why = s.dr.role === 'replica' ? `it follows ${leader.id}` : `${leader.id} was promoted and leads`;
      problem(
        'streaming.pipelines',
        `CDC pipelines are declared here, but ${why}: its PostgreSQL is a replica, where logical decoding and publications cannot run`,
        `move streaming.pipelines to ${leader.sourceFile}, the overlay that leads${s.dr.role === 'replica' ? '' : ' (in the same commit as the promotion)'}`,
      );
    }
    const names = new Set<string>();
    pipelines.forEach((p, i) => {
      const at = `streaming.pipelines.${i}`;
      if (names.has(p.name)) problem(`${at}.name`, `pipeline "${p.name}" is declared twice`, 'give each pipeline its own name');
      names.add(p.name);
      if (!k.enabled) problem('streaming.kafka.enabled', `pipeline "${p.name}" needs Kafka, which is disabled`, 'set streaming.kafka.enabled: true');
      if (!os.enabled) {
        problem('opensearch.enabled', `pipeline "${p.name}" indexes into OpenSearch, which is disabled`, 'set opensearch.enabled: true');
      }
      if (!s.postgres.enabled) {
        problem('postgres.enabled', `pipeline "${p.name}" captures from PostgreSQL, which is disabled`, 'set postgres.enabled: true');
      } else if (!s.postgres.databases.some((d) => d.name === p.database)) {
        problem(
          `${at}.database`,
          `database "${p.database}" is not in postgres.databases`,
          `add it to postgres.databases or use one of: ${s.postgres.databases.map((d) => d.name).join(', ') || '(none)'}`,
        );
      }
      if (s.postgres.enabled && s.postgres.engine === 'external-patroni' && !s.postgres.external.logicalDecoding) {
        problem(
          'postgres.external.logicalDecoding',
          `pipeline "${p.name}" needs logical decoding on the external Patroni VMs, which is not declared`,
          'set wal_level = logical on the VMs, then set postgres.external.logicalDecoding: true (and postgres.external.postgresPort)',
        );
      }
      const seen = new Set<string>();
      p.tables.forEach((t, j) => {
        if (seen.has(t)) problem(`${at}.tables.${j}`, `table "${t}" is listed twice`, 'remove the duplicate');
        seen.add(t);
      });
      for (const table of Object.keys(p.indices ?? {})) {
        if (!p.tables.includes(table)) {
          problem(
            `${at}.indices.${table}`,
            `indices names table "${table}", which the pipeline does not capture`,
            `add "${table}" to ${at}.tables or remove the entry; captured: ${p.tables.join(', ')}`,
          );
        }
      }
    });
    if (pipelines.length && !s.streaming.connect.image && !o.region.registry) {
      problem(
        'streaming.connect.image',
        'Kafka Connect needs its plugins: no prebuilt image is set and the region has no registry to push a built one to',
        `set registry: {repository, pushSecret} in regions/${o.region.name}.yaml, or streaming.connect.image to a prebuilt image`,
      );
    }
  }
  return problems;
}
