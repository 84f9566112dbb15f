/**
 * The committed tree's dashboards and alerts read only series that something the overlay
 * renders exports: every metric of every Grafana panel and every PrometheusRule is in the list
 * of an exporter whose scrape (or component) is in the same overlay's tree. The dashboards are
 * provisioned for the sidecar and their JSON is valid.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Exporter, metricsOf, PLATFORM_EXPORTERS } from '../constructs/monitoring/exporters';
import { metricNames, variableSelector } from '../constructs/monitoring/promql-metrics';
import { PROJECT_ROOT } from '../environments/project-root';
import { listTree } from '../gitops/tree';
import { fromYaml } from '../gitops/yaml';

const DIST = path.join(PROJECT_ROOT, 'dist');

/** Every manifest of dist/, by overlay (`<region>/<environment>`). */
function overlays(): Map<string, any[]> {
  const out = new Map<string, any[]>();
  for (const rel of listTree(DIST)) {
    const parts = rel.split('/');
    if (parts[0] === 'clusters' || parts.length < 4 || !rel.endsWith('.yaml') || rel.endsWith('kustomization.yaml')) continue;
    const manifest = fromYaml(fs.readFileSync(path.join(DIST, rel), 'utf8')) as any;
    if (!manifest?.kind) continue;
    const key = `${parts[0]}/${parts[1]}`;
    out.set(key, [...(out.get(key) ?? []), manifest]);
  }
  return out;
}

const group = (m: any) => String(m.apiVersion).split('/')[0];

/** The exporters an overlay's tree renders, read from the components and scrapes in it. */
function renderedExporters(manifests: readonly any[]): Exporter[] {
  const has = (g: string, kind: string, where: (m: any) => boolean = () => true) =>
    manifests.some((m) => group(m) === g && m.kind === kind && where(m));
  const stack =
    manifests.some((m) => m.kind === 'HelmRelease' && m.metadata.name === 'kube-prometheus-stack') ||
    manifests.some((m) => m.kind === 'Application' && m.spec?.source?.chart === 'kube-prometheus-stack');
  /** The values of release `name`, a Flux HelmRelease or an Argo CD Application. */
  const release = (name: string): any =>
    manifests.find((m) => m.kind === 'HelmRelease' && m.metadata.name === name)?.spec.values ??
    manifests.find((m) => m.kind === 'Application' && m.metadata.name === name)?.spec?.source?.helm?.valuesObject;
  const podMonitorSelects = (label: string) => has('monitoring.coreos.com', 'PodMonitor', (m) => label in (m.spec.selector?.matchLabels ?? {}));
  const found: [boolean, Exporter[]][] = [
    [stack, [...PLATFORM_EXPORTERS, 'kube-prometheus-stack-rules']],
    [has('monitoring.coreos.com', 'PodMonitor', (m) => m.metadata.name === 'cert-manager'), ['cert-manager']],
    [
      manifests.some(
        (m) =>
          (m.kind === 'HelmRelease' && m.spec.values?.['kube-state-metrics']?.customResourceState?.enabled === true) ||
          (m.kind === 'Application' && m.spec?.source?.helm?.valuesObject?.['kube-state-metrics']?.customResourceState?.enabled === true),
      ),
      ['flux-state-metrics'],
    ],
    [has('monitoring.coreos.com', 'PodMonitor', (m) => m.metadata.name === 'argocd-application-controller'), ['argocd-application-controller']],
    [has('postgresql.cnpg.io', 'Cluster') && podMonitorSelects('cnpg.io/cluster'), ['cloudnative-pg']],
    [has('postgresql.cnpg.io', 'Pooler') && podMonitorSelects('cnpg.io/poolerName'), ['pgbouncer']],
    [has('acid.zalan.do', 'postgresql'), ['patroni']],
    [
      has('monitoring.coreos.com', 'ServiceMonitor', (m) => m.spec.selector?.matchLabels?.['app.kubernetes.io/name'] === 'postgres-exporter'),
      ['postgres-exporter'],
    ],
    [has('kafka.strimzi.io', 'Kafka'), ['kafka-jmx']],
    [has('kafka.strimzi.io', 'Kafka', (m) => m.spec.kafkaExporter !== undefined), ['kafka-exporter']],
    [has('kafka.strimzi.io', 'KafkaConnect', (m) => m.spec.metricsConfig !== undefined), ['kafka-connect']],
    [has('opensearch.org', 'OpenSearchCluster', (m) => m.spec.general?.monitoring?.enable === true), ['opensearch']],
    [has('minio.min.io', 'Tenant'), ['minio']],
    [has('velero.io', 'Schedule'), ['velero']],
    [manifests.some((m) => group(m) === 'traefik.io'), ['traefik']],
    // Fluent Bit through its chart's ServiceMonitor; Loki through its PodMonitor.
    [release('fluent-bit')?.serviceMonitor?.enabled === true, ['fluent-bit']],
    [release('loki') !== undefined && has('monitoring.coreos.com', 'PodMonitor', (m) => m.metadata.name === 'loki'), ['loki']],
  ];
  return [...new Set(found.flatMap(([on, exporters]) => (on ? exporters : [])))].sort();
}

function dashboardQueries(model: any): string[] {
  return [
    ...model.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr)),
    ...model.templating.list.filter((v: any) => v.type === 'query').map((v: any) => variableSelector(v.definition)),
  ];
}

const trees = overlays();

test('dist/ holds overlays with dashboards and alerts', () => {
  expect(trees.size).toBeGreaterThanOrEqual(6);
  const all = [...trees.values()].flat();
  expect(all.filter((m) => m.kind === 'ConfigMap' && m.metadata.labels?.grafana_dashboard === '1').length).toBeGreaterThan(20);
});

describe.each([...trees.keys()].sort())('%s', (overlay) => {
  const manifests = trees.get(overlay)!;
  const exporters = renderedExporters(manifests);
  const served = metricsOf(exporters);
  const dashboards = manifests.filter((m) => m.kind === 'ConfigMap' && m.metadata.labels?.grafana_dashboard === '1');

  test('every dashboard is a sidecar ConfigMap in monitoring, with a folder and one valid JSON model named like it', () => {
    for (const cm of dashboards) {
      expect(cm.metadata.namespace).toBe('monitoring');
      expect(cm.metadata.name).toMatch(/^grafana-dashboard-[a-z0-9-]+$/);
      expect(cm.metadata.annotations?.grafana_folder).toEqual(expect.any(String));
      const name = cm.metadata.name.replace(/^grafana-dashboard-/, '');
      expect(Object.keys(cm.data)).toEqual([`${name}.json`]);
      expect(JSON.parse(cm.data[`${name}.json`]).uid).toBe(`strata-${name}`);
    }
  });

  test('every metric a dashboard panel reads is exported by something the overlay renders', () => {
    const missing = dashboards.flatMap((cm) =>
      Object.values(cm.data as Record<string, string>)
        .flatMap((json) => dashboardQueries(JSON.parse(json)))
        .flatMap(metricNames)
        .filter((m) => !served.has(m))
        .map((m) => `${cm.metadata.name}: ${m}`),
    );
    expect({ exporters, missing: [...new Set(missing)] }).toEqual({ exporters, missing: [] });
  });

  test('every metric an alert reads is exported by something the overlay renders', () => {
    const missing = manifests
      .filter((m) => m.kind === 'PrometheusRule')
      .flatMap((rule) =>
        rule.spec.groups
          .flatMap((g: any) => g.rules.map((r: any) => String(r.expr)))
          .flatMap(metricNames)
          .filter((m: string) => !served.has(m))
          .map((m: string) => `${rule.metadata.namespace}/${rule.metadata.name}: ${m}`),
      );
    expect({ exporters, missing: [...new Set(missing)] }).toEqual({ exporters, missing: [] });
  });
});
