/**
 * Rules of `monitoring`: what a Prometheus outside the cluster cannot do, and the addresses
 * it is admitted from; what the VictoriaMetrics stack cannot run beside; Grafana's sign-on.
 */
import type { OverlaySpec } from './model';
import { layerClusterKey } from './placement';
import type { Problem } from './problems';
import { valueAt } from './problems';
import type { SourceOf } from './semantic-checks';
import { alertRoutingProblem } from '../constructs/monitoring/alert-routing-settings';
import { grafanaSsoProblem } from '../constructs/monitoring/grafana-settings';
import { prometheusStackProblem } from '../constructs/monitoring/prometheus-stack-settings';
import { victoriaMetricsProblem } from '../constructs/monitoring/victoria-metrics-settings';
import { externalAddressesProblem } from '../constructs/platform/external-addresses';

export function checkMonitoring(overlays: readonly OverlaySpec[], sourceOf: SourceOf): Problem[] {
  const problems: Problem[] = [];
  for (const o of overlays) {
    const s = o.settings;
    const external = s.monitoring.external;
    const problem = (fieldPath: string, message: string, fix: string) => {
      problems.push({ file: sourceOf(o, fieldPath), path: fieldPath, value: valueAt(s, fieldPath), message: `${o.id}: ${message}`, fix });
    };
    if (s.monitoring.stack === 'victoriametrics') {
      if (external) {
        problem(
          'monitoring.stack',
          'runs VictoriaMetrics in the cluster, and monitoring.external says Prometheus runs outside it: the two exclude each other',
          'remove monitoring.stack (the Prometheus outside the cluster scrapes it), or remove monitoring.external to run VictoriaMetrics in the cluster',
        );
      }
      const key = layerClusterKey(o, 'monitoring');
      if (o.region.clusters[key]?.shared) {
        problem(
          'monitoring.stack',
          `runs VictoriaMetrics on cluster ${key}, which every environment of the region shares, and the stack's objects would be rendered once per environment`,
          "keep monitoring.stack: kube-prometheus-stack on a shared cluster (its operator release is the cluster's), or place the monitoring layer on a cluster of this environment",
        );
      }
      const storage = victoriaMetricsProblem(s.monitoring.victoriametrics);
      if (storage) problem(`monitoring.victoriametrics.${storage.path}`, storage.message, storage.fix);
    }
    const sso = s.monitoring.grafana?.sso;
    if (sso) {
      if (external) {
        problem(
          'monitoring.grafana',
          'configures the in-cluster Grafana, and Prometheus runs outside the cluster (monitoring.external), beside its own Grafana',
          'remove monitoring.grafana and configure single sign-on on the Grafana beside the external Prometheus',
        );
      } else {
        const invalid = grafanaSsoProblem(sso);
        if (invalid) problem(`monitoring.grafana.sso.${invalid.path}`, invalid.message, invalid.fix);
      }
    }
    if (s.monitoring.alerting) {
      const routing = alertRoutingProblem(s.monitoring.alerting);
      if (routing) problem(`monitoring.alerting.${routing.path}`, routing.message, routing.fix);
      if (external) {
        problem(
          'monitoring.alerting',
          'routes alerts through the in-cluster Alertmanager, and Prometheus runs outside the cluster (monitoring.external), whose Alertmanager has its own configuration',
          'remove monitoring.alerting and configure the receivers on the Alertmanager beside the external Prometheus',
        );
      }
    }
    if (!external) {
      const stack = prometheusStackProblem(s.monitoring);
      if (stack) {
        const field = stack.split(' ')[0];
        problem(`monitoring.${field}`, stack.replace(/^\S+ /, `${field} `), 'correct it as the message says');
      }
      continue;
    }
    const addresses = externalAddressesProblem('monitoring.external', external.addresses, 'Prometheus servers');
    if (addresses) {
      problem(
        'monitoring.external.addresses',
        addresses.replace(/^monitoring\.external: /, ''),
        'list each Prometheus server once, by its routable IPv4 address',
      );
    }
    let host = '';
    try {
      const url = new URL(external.apiServerUrl);
      host = url.protocol === 'https:' && url.pathname === '/' && !url.search && !url.username ? url.hostname : '';
    } catch {
      host = '';
    }
    if (!host) {
      problem(
        'monitoring.external.apiServerUrl',
        'is not the https URL of a host (and port)',
        'write the API server URL alone, e.g. https://10.40.0.5:6443',
      );
    }
    if (s.opensearch.enabled && s.opensearch.prometheusExporter) {
      problem(
        'opensearch.prometheusExporter',
        "OpenSearch's exporter is scraped through a ServiceMonitor the opensearch-operator creates, and Prometheus runs outside the cluster (monitoring.external), where no ServiceMonitor exists",
        'set opensearch.prometheusExporter: false (the cluster then has no exporter metrics or alerts), or run Prometheus in the cluster',
      );
    }
  }
  return problems;
}
