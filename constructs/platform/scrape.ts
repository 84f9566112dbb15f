import { Construct } from 'constructs';
import { ExternalPrometheus, ScrapeEndpoint } from './external-prometheus';
import { allowTraffic, PodGroup, scraperOf } from './network';
import * as monitoring from '../../imports/monitoring.coreos.com';

export interface ScrapePodsProps {
  /** Name of the PodMonitor, and stem of the NetworkPolicies (`allow-prometheus-to-<name>`, `allow-vmagent-to-<name>` under VictoriaMetrics). */
  readonly name: string;
  /** The pods Prometheus may reach on `ports`; the PodMonitor selects them too unless `selector` narrows it. */
  readonly pods: PodGroup;
  /** @default pods.podLabels */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
  readonly endpoints: monitoring.PodMonitorSpecPodMetricsEndpoints[];
  /** Pod labels copied onto every series. @default none */
  readonly podTargetLabels?: readonly string[];
}

/**
 * Prometheus scrapes a group of pods: a PodMonitor beside them, and the network path from the
 * kube-prometheus-stack Prometheus (or the VictoriaMetrics stack's VMAgent, which scrapes the
 * PodMonitor the operator converts) to their metrics ports (their namespaces deny by default).
 * Where Prometheus runs outside the cluster, its scrape job is recorded instead and its
 * addresses are admitted (constructs/platform/external-prometheus.ts).
 */
export function scrapePods(scope: Construct, id: string, props: ScrapePodsProps): void {
  const ports = [...new Set(props.ports)].sort((a, b) => a - b);
  const external = ExternalPrometheus.of(scope);
  if (external) {
    external.addPodJob(
      scope,
      `${id}Scrape`,
      {
        name: props.name,
        pods: props.pods,
        selector: props.selector ?? props.pods.podLabels,
        endpoints: props.endpoints.map(endpointOf),
        ...(props.podTargetLabels ? { podTargetLabels: props.podTargetLabels } : {}),
      },
      ports,
    );
    return;
  }
  new monitoring.PodMonitor(scope, id, {
    metadata: { name: props.name, namespace: props.pods.namespace },
    spec: {
      selector: { matchLabels: { ...(props.selector ?? props.pods.podLabels) } },
      ...(props.podTargetLabels ? { podTargetLabels: [...props.podTargetLabels] } : {}),
      podMetricsEndpoints: props.endpoints,
    },
  });
  const scraper = scraperOf(scope);
  allowTraffic(scope, `${id}Scrape`, {
    name: `allow-${scraper.policyStem}-to-${props.name}`,
    from: scraper.pods,
    to: props.pods,
    ports,
  });
}

/**
 * The path from Prometheus to pods a chart's own monitor scrapes (Velero's ServiceMonitor):
 * from the kube-prometheus-stack Prometheus, or from the addresses of one outside the cluster,
 * which then also gets the scrape job (`endpoints`).
 */
export function admitScrape(
  scope: Construct,
  id: string,
  props: Omit<ScrapePodsProps, 'endpoints'> & { readonly endpoints: readonly ScrapeEndpoint[] },
): void {
  const external = ExternalPrometheus.of(scope);
  if (external) {
    external.addPodJob(
      scope,
      id,
      { name: props.name, pods: props.pods, selector: props.selector ?? props.pods.podLabels, endpoints: props.endpoints },
      props.ports,
    );
    return;
  }
  const scraper = scraperOf(scope);
  allowTraffic(scope, id, { name: `allow-${scraper.policyStem}-to-${props.name}`, from: scraper.pods, to: props.pods, ports: props.ports });
}

/** A PodMonitor endpoint as a scrape endpoint of the outside Prometheus. */
function endpointOf(e: monitoring.PodMonitorSpecPodMetricsEndpoints): ScrapeEndpoint {
  const ca = e.tlsConfig?.ca?.secret;
  return {
    ...(e.port !== undefined ? { port: e.port } : {}),
    ...(e.portNumber !== undefined ? { portNumber: e.portNumber } : {}),
    ...(e.path !== undefined ? { path: e.path } : {}),
    ...(e.scheme !== undefined ? { scheme: e.scheme === monitoring.PodMonitorSpecPodMetricsEndpointsScheme.HTTPS ? 'https' : 'http' } : {}),
    ...(ca?.name && e.tlsConfig?.serverName ? { tls: { serverName: e.tlsConfig.serverName, caSecret: { name: ca.name, key: ca.key } } } : {}),
  };
}
