/**
 * The overlay's PostgreSQL clusters in one list, each with the field path its settings live
 * under: `postgres`, then each of `postgresClusters` by name. Checks and charts read them
 * from here, so a further cluster is checked like the first.
 */
import type { OverlaySettings, PostgresSpec } from './model';

export interface PlacedPostgres {
  /** `postgres` or `postgresClusters.<name>`. */
  readonly at: string;
  readonly pg: PostgresSpec;
}

export function postgresClustersOf(s: Pick<OverlaySettings, 'postgres' | 'postgresClusters'>): PlacedPostgres[] {
  return [
    { at: 'postgres', pg: s.postgres },
    ...Object.keys(s.postgresClusters)
      .sort()
      .map((name) => ({ at: `postgresClusters.${name}`, pg: s.postgresClusters[name] })),
  ];
}
