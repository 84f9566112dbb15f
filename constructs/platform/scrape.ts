import { Construct } from 'constructs';
import { allowTraffic, PodGroup, PROMETHEUS_PODS } from './network';
import * as monitoring from '../../imports/monitoring.coreos.com';

export interface ScrapePodsProps {
  /** Name of the PodMonitor, and stem of the NetworkPolicies (`allow-prometheus-to-<name>`). */
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
 * kube-prometheus-stack Prometheus to their metrics ports (their namespaces deny by default).
 */
export function scrapePods(scope: Construct, id: string, props: ScrapePodsProps): void {
  new monitoring.PodMonitor(scope, id, {
    metadata: { name: props.name, namespace: props.pods.namespace },
    spec: {
      selector: { matchLabels: { ...(props.selector ?? props.pods.podLabels) } },
      ...(props.podTargetLabels ? { podTargetLabels: [...props.podTargetLabels] } : {}),
      podMetricsEndpoints: props.endpoints,
    },
  });
  allowTraffic(scope, `${id}Scrape`, {
    name: `allow-prometheus-to-${props.name}`,
    from: PROMETHEUS_PODS,
    to: props.pods,
    ports: [...new Set(props.ports)].sort((a, b) => a - b),
  });
}
