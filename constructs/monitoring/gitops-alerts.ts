/**
 * The GitOps engine's own alerts: a cluster whose Flux Kustomizations, HelmReleases or sources
 * stop becoming ready, or whose Argo CD Applications stay out of sync or degraded, no longer
 * converges on what the repository says, and nothing else in the cluster says so.
 *
 * Flux: kube-state-metrics (kube-prometheus-stack's) is given read access to the Flux objects
 * Strata renders and exports each one's Ready condition as `gotk_resource_info`, the series
 * Flux's monitoring guide builds on. Argo CD: its application controller's
 * `argocd_app_info` (sync and health status per Application) is scraped from the monitoring
 * namespace; the Argo CD namespace is the team's, so Strata adds no policy there (a team that
 * isolates it admits Prometheus to port 8082).
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PLATFORM_ALERTS_NAMESPACE } from './platform-alerts';
import * as monitoring from '../../imports/monitoring.coreos.com';
import { PROMETHEUS_OPERATOR } from '../operators/catalog';
import { addAlertRules, Alert, RUNBOOKS } from '../platform/alert-rules';
import { PROMETHEUS_PODS } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';

export type GitOpsAlertsProps = { readonly engine: 'flux' } | { readonly engine: 'argocd'; /** Where Argo CD runs. */ readonly namespace: string };

/** The Flux kinds Strata renders, at the versions it renders them (constructs/versions.ts). */
const FLUX_KINDS = [
  { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization', resource: 'kustomizations' },
  { group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease', resource: 'helmreleases' },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', kind: 'GitRepository', resource: 'gitrepositories' },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', kind: 'HelmRepository', resource: 'helmrepositories' },
  { group: 'source.toolkit.fluxcd.io', version: 'v1', kind: 'OCIRepository', resource: 'ocirepositories' },
] as const;

/** Argo CD's application controller metrics port. */
export const ARGOCD_CONTROLLER_METRICS_PORT = 8082;
const ARGOCD_CONTROLLER_LABELS = { 'app.kubernetes.io/name': 'argocd-application-controller' };
/** The PodMonitor's name, and so the `job` of its series (`<namespace>/<name>`). */
const ARGOCD_MONITOR = 'argocd-application-controller';

/** kube-state-metrics values that export `gotk_resource_info{customresource_kind, exported_namespace, name, ready, suspended}`. */
export const FLUX_STATE_METRICS_VALUES = {
  rbac: {
    extraRules: [...new Set(FLUX_KINDS.map((k) => k.group))].map((group) => ({
      apiGroups: [group],
      resources: FLUX_KINDS.filter((k) => k.group === group).map((k) => k.resource),
      verbs: ['list', 'watch'],
    })),
  },
  customResourceState: {
    enabled: true,
    config: {
      kind: 'CustomResourceStateMetrics',
      spec: {
        resources: FLUX_KINDS.map(({ group, version, kind }) => ({
          groupVersionKind: { group, version, kind },
          metricNamePrefix: 'gotk',
          metrics: [
            {
              name: 'resource_info',
              help: 'The current state of a Flux object.',
              each: { type: 'Info', info: { labelsFromPath: { name: ['metadata', 'name'] } } },
              labelsFromPath: {
                exported_namespace: ['metadata', 'namespace'],
                ready: ['status', 'conditions', '[type=Ready]', 'status'],
                suspended: ['spec', 'suspend'],
              },
            },
          ],
        })),
      },
    },
  },
};

export class GitOpsAlerts extends Construct {
  constructor(scope: Construct, id: string, props: GitOpsAlertsProps) {
    super(scope, id);
    let alerts: Alert[];
    if (props.engine === 'flux') {
      OverlayContext.of(this).requireOperator(PROMETHEUS_OPERATOR, { 'kube-state-metrics': FLUX_STATE_METRICS_VALUES });
      const object = '{{ $labels.customresource_kind }} {{ $labels.exported_namespace }}/{{ $labels.name }}';
      const failing = 'gotk_resource_info{job="kube-state-metrics", ready="False", suspended!="true"} == 1';
      alerts = [
        {
          alert: 'FluxReconciliationFailing',
          expr: failing,
          for: '15m',
          severity: 'warning',
          summary: `Flux cannot reconcile ${object}`,
          description: `${object} has not been ready for 15 minutes: the cluster is not converging on the repository. flux get all -A shows why.`,
        },
        {
          alert: 'FluxReconciliationFailing',
          expr: failing,
          for: '1h',
          severity: 'critical',
          summary: `Flux has not reconciled ${object} for an hour`,
          description: `${object} has not been ready for an hour: what the repository says has not reached the cluster, and what depends on it waits.`,
        },
        {
          alert: 'FluxReconciliationSuspended',
          expr: 'gotk_resource_info{job="kube-state-metrics", suspended="true"} == 1',
          for: '24h',
          severity: 'warning',
          summary: `${object} has been suspended for a day`,
          description: `Reconciliation of ${object} has been suspended for 24 hours: changes merged since are not applied. Resume it with flux resume, or say why it stays suspended.`,
        },
      ];
    } else {
      new monitoring.PodMonitor(this, 'ArgoCdScrape', {
        metadata: { name: ARGOCD_MONITOR, namespace: PLATFORM_ALERTS_NAMESPACE },
        spec: {
          namespaceSelector: { matchNames: [props.namespace] },
          selector: { matchLabels: { ...ARGOCD_CONTROLLER_LABELS } },
          // The series' own namespace label is the Application's, not the controller pod's.
          podMetricsEndpoints: [{ portNumber: ARGOCD_CONTROLLER_METRICS_PORT, honorLabels: true }],
        },
      });
      new k8s.KubeNetworkPolicy(this, 'ArgoCdScrapeEgress', {
        metadata: { name: 'allow-prometheus-to-argocd-application-controller-egress', namespace: PROMETHEUS_PODS.namespace },
        spec: {
          podSelector: { matchLabels: { ...PROMETHEUS_PODS.podLabels } },
          policyTypes: ['Egress'],
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.namespace } },
                  podSelector: { matchLabels: { ...ARGOCD_CONTROLLER_LABELS } },
                },
              ],
              ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(ARGOCD_CONTROLLER_METRICS_PORT) }],
            },
          ],
        },
      });
      const job = `job="${PLATFORM_ALERTS_NAMESPACE}/${ARGOCD_MONITOR}"`;
      const app = 'Argo CD application {{ $labels.namespace }}/{{ $labels.name }}';
      const degraded = `argocd_app_info{${job}, health_status=~"Degraded|Missing"} == 1`;
      alerts = [
        {
          alert: 'ArgoCdApplicationOutOfSync',
          expr: `argocd_app_info{${job}, sync_status="OutOfSync"} == 1`,
          for: '30m',
          severity: 'warning',
          summary: `${app} is out of sync`,
          description: `${app} has differed from the repository for 30 minutes: automated sync is failing or switched off. argocd app get shows which resources differ.`,
        },
        {
          alert: 'ArgoCdApplicationDegraded',
          expr: degraded,
          for: '15m',
          severity: 'warning',
          summary: `${app} is {{ $labels.health_status }}`,
          description: `${app} has been {{ $labels.health_status }} for 15 minutes: some of its resources are failing or missing.`,
        },
        {
          alert: 'ArgoCdApplicationDegraded',
          expr: degraded,
          for: '1h',
          severity: 'critical',
          summary: `${app} has been {{ $labels.health_status }} for an hour`,
          description: `${app} has been {{ $labels.health_status }} for an hour: what the repository says is not running in the cluster.`,
        },
      ];
    }
    addAlertRules(this, 'Rules', {
      name: 'platform-gitops',
      namespace: PLATFORM_ALERTS_NAMESPACE,
      labels: {},
      alerts: () => alerts,
      runbooks: RUNBOOKS.monitoring,
    });
  }
}
