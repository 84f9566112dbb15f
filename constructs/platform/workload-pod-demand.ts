/**
 * The pods of the core workload controllers, from their pod templates, with the namespace's
 * LimitRange defaults for containers that set no resources. See ./pod-demand.ts.
 */
import { PodDemandRule, podDemand, podSpecShape, volumes } from './pod-demand';

type Json = Record<string, any>;

export const WORKLOAD_POD_DEMANDS: readonly PodDemandRule[] = [
  {
    group: 'apps',
    kind: 'Deployment',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      return [podDemand(`Deployment ${m.metadata?.name}`, spec.replicas ?? 1, podSpecShape(spec.template?.spec ?? {}, limitRange))];
    },
  },
  {
    group: 'apps',
    kind: 'StatefulSet',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      return [
        podDemand(
          `StatefulSet ${m.metadata?.name}`,
          spec.replicas ?? 1,
          podSpecShape(spec.template?.spec ?? {}, limitRange),
          volumes((spec.volumeClaimTemplates ?? []).map((t: Json) => t.spec?.resources?.requests?.storage)),
        ),
      ];
    },
  },
  {
    group: 'batch',
    kind: 'Job',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      return [podDemand(`Job ${m.metadata?.name}`, spec.parallelism ?? 1, podSpecShape(spec.template?.spec ?? {}, limitRange))];
    },
  },
  {
    group: 'batch',
    kind: 'CronJob',
    demand: (m, { limitRange }) => {
      const spec: Json = m.spec ?? {};
      return [podDemand(`CronJob ${m.metadata?.name}`, 1, podSpecShape(spec.jobTemplate?.spec?.template?.spec ?? {}, limitRange))];
    },
  },
];
