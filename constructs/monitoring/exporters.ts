/**
 * Every exporter Strata scrapes, by name, with the series it serves: the list kept beside the
 * construct that renders its scrape. Dashboards name the exporters they read, and may use only
 * their series (GrafanaDashboard checks it when it is built).
 */
import { ARGOCD_CONTROLLER_METRICS, FLUX_STATE_METRICS } from './gitops-metrics';
import {
  CERT_MANAGER_METRICS,
  KUBE_PROMETHEUS_STACK_RECORDING_RULES,
  KUBE_STATE_METRICS,
  KUBELET_METRICS,
  NODE_EXPORTER_METRICS,
  SCRAPE_TARGET_METRICS,
} from './platform-metrics';
import { VELERO_METRICS } from '../backup/velero-metrics';
import { CLOUDNATIVE_PG_METRICS } from '../data/cloudnative-pg-metrics';
import { PATRONI_METRICS } from '../data/patroni-metrics';
import { PGBOUNCER_METRICS } from '../data/pgbouncer-metrics';
import { POSTGRES_EXPORTER_METRICS } from '../data/postgres-exporter-metrics';
import { TRAEFIK_METRICS } from '../ingress/traefik-metrics';
import { FLUENT_BIT_METRICS } from '../logging/fluent-bit-metrics';
import { LOKI_METRICS } from '../logging/loki-metrics';
import { OPENSEARCH_METRICS } from '../search/opensearch-metrics';
import { MINIO_METRICS } from '../storage/minio-metrics';
import { KAFKA_CONNECT_JMX_METRICS, KAFKA_EXPORTER_METRICS, KAFKA_JMX_METRICS } from '../streaming/metric-names';

export const EXPORTER_METRICS = {
  'argocd-application-controller': ARGOCD_CONTROLLER_METRICS,
  'cert-manager': CERT_MANAGER_METRICS,
  'cloudnative-pg': CLOUDNATIVE_PG_METRICS,
  'flux-state-metrics': FLUX_STATE_METRICS,
  'fluent-bit': FLUENT_BIT_METRICS,
  'kafka-connect': KAFKA_CONNECT_JMX_METRICS,
  'kafka-exporter': KAFKA_EXPORTER_METRICS,
  'kafka-jmx': KAFKA_JMX_METRICS,
  'kube-prometheus-stack-rules': KUBE_PROMETHEUS_STACK_RECORDING_RULES,
  'kube-state-metrics': KUBE_STATE_METRICS,
  kubelet: KUBELET_METRICS,
  loki: LOKI_METRICS,
  minio: MINIO_METRICS,
  'node-exporter': NODE_EXPORTER_METRICS,
  opensearch: OPENSEARCH_METRICS,
  patroni: PATRONI_METRICS,
  pgbouncer: PGBOUNCER_METRICS,
  'postgres-exporter': POSTGRES_EXPORTER_METRICS,
  'scrape-targets': SCRAPE_TARGET_METRICS,
  traefik: TRAEFIK_METRICS,
  velero: VELERO_METRICS,
} as const satisfies Record<string, readonly string[]>;

export type Exporter = keyof typeof EXPORTER_METRICS;

/** What every in-cluster Prometheus scrapes, whichever components run. */
export const PLATFORM_EXPORTERS: readonly Exporter[] = ['kube-state-metrics', 'kubelet', 'node-exporter', 'scrape-targets'];

/** The series names `exporters` serve, together. */
export function metricsOf(exporters: readonly Exporter[]): ReadonlySet<string> {
  return new Set(exporters.flatMap((e) => EXPORTER_METRICS[e]));
}
