/**
 * The pods of a PostgreSQL cluster (CloudNativePG or Zalando) and of CloudNativePG's
 * PgBouncer poolers, at the sizes the resources declare. See constructs/platform/pod-demand.ts.
 */
import { containerShape, PodDemandRule, podDemand, podSpecShape, volumes } from '../platform/pod-demand';

type Json = Record<string, any>;

const CNPG = 'postgresql.cnpg.io';

export const POSTGRES_POD_DEMANDS: readonly PodDemandRule[] = [
  {
    group: CNPG,
    kind: 'Cluster',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      return [
        podDemand(
          `Cluster ${m.metadata?.name}`,
          spec.instances ?? 1,
          containerShape(spec.resources, limitRange),
          volumes([spec.storage?.size, ...(spec.walStorage ? [spec.walStorage.size] : [])]),
        ),
      ];
    },
  },
  {
    group: CNPG,
    kind: 'Pooler',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      return [
        podDemand(
          `Pooler ${m.metadata?.name}`,
          spec.instances ?? 1,
          podSpecShape({ containers: spec.template?.spec?.containers ?? [{}] }, limitRange),
        ),
      ];
    },
  },
  {
    group: 'acid.zalan.do',
    kind: 'postgresql',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      return [
        podDemand(
          `postgresql ${m.metadata?.name}`,
          spec.numberOfInstances ?? 1,
          containerShape(spec.resources, limitRange),
          volumes([spec.volume?.size]),
        ),
      ];
    },
  },
];
