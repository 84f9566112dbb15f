/**
 * The GitOps engine's alerts, tested with promtool: Flux objects that stay not ready or
 * suspended, Argo CD applications out of sync or degraded, fire; healthy ones do not. The
 * series are the ones kube-state-metrics (Flux) and the application controller (Argo CD)
 * export, with the labels the rendered configuration gives them.
 */
import { FLUX_STATE_METRICS_VALUES, GitOpsAlerts, GitOpsAlertsProps } from '../../../constructs/monitoring/gitops-alerts';
import { alertRules } from '../../support/alerts';
import { testLayer } from '../../support/layer';
import { AlertExpectation, checkRules, SeriesInput, testAlerts } from '../../support/promtool';

function build(props: GitOpsAlertsProps) {
  const layer = testLayer('monitoring');
  new GitOpsAlerts(layer.chart, 'GitOpsAlerts', props);
  return layer;
}

const rule = (layer: ReturnType<typeof build>) => {
  const r = layer.find('PrometheusRule', 'platform-gitops', 'monitoring');
  return { name: r.metadata.name, spec: r.spec };
};

const run = (props: GitOpsAlertsProps, series: SeriesInput[], expectations: AlertExpectation[]) =>
  testAlerts(alertRules(build(props), 'platform-gitops', 'monitoring'), series, expectations);

describe('Flux', () => {
  const FLUX: GitOpsAlertsProps = { engine: 'flux' };
  const info = (kind: string, name: string, ready: string, suspended?: string) =>
    `gotk_resource_info{job="kube-state-metrics", customresource_group="kustomize.toolkit.fluxcd.io", customresource_kind="${kind}", customresource_version="v1", exported_namespace="flux-system", name="${name}", ready="${ready}"${suspended ? `, suspended="${suspended}"` : ''}}`;
  const labels = (kind: string, name: string, ready: string, extra: Record<string, string> = {}) => ({
    job: 'kube-state-metrics',
    customresource_group: 'kustomize.toolkit.fluxcd.io',
    customresource_kind: kind,
    customresource_version: 'v1',
    exported_namespace: 'flux-system',
    name,
    ready,
    ...extra,
  });

  test('kube-state-metrics reads the Flux kinds Strata renders and exports their Ready condition; the rule passes promtool', () => {
    const layer = build(FLUX);
    expect(checkRules([rule(layer)])).toBe('');
    const kinds = FLUX_STATE_METRICS_VALUES.customResourceState.config.spec.resources.map((r) => r.groupVersionKind);
    expect(kinds).toContainEqual({ group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization' });
    expect(kinds).toContainEqual({ group: 'helm.toolkit.fluxcd.io', version: 'v2', kind: 'HelmRelease' });
    expect(FLUX_STATE_METRICS_VALUES.rbac.extraRules).toContainEqual({
      apiGroups: ['source.toolkit.fluxcd.io'],
      resources: ['gitrepositories', 'helmrepositories', 'ocirepositories'],
      verbs: ['list', 'watch'],
    });
    // Read access and metrics only: no standard collector is switched off.
    expect(JSON.stringify(FLUX_STATE_METRICS_VALUES)).not.toMatch(/collectors|custom-resource-state-only/);
  });

  test('a Kustomization not ready warns after 15 minutes and pages after an hour; a ready or a suspended one does not', () => {
    const series = [
      { series: info('Kustomization', 'strata-data', 'False'), values: '1x70' },
      { series: info('Kustomization', 'strata-apps', 'True'), values: '1x70' },
      { series: info('Kustomization', 'strata-backup', 'False', 'true'), values: '1x70' },
    ];
    expect(
      run(FLUX, series, [
        { alertname: 'FluxReconciliationFailing', evalTime: '10m', firing: [] },
        {
          alertname: 'FluxReconciliationFailing',
          evalTime: '20m',
          firing: [{ ...labels('Kustomization', 'strata-data', 'False'), severity: 'warning' }],
        },
        {
          alertname: 'FluxReconciliationFailing',
          evalTime: '65m',
          firing: [
            { ...labels('Kustomization', 'strata-data', 'False'), severity: 'warning' },
            { ...labels('Kustomization', 'strata-data', 'False'), severity: 'critical' },
          ],
        },
      ]),
    ).toBe('');
  });

  test('a suspended object warns after a day', () => {
    const series = [{ series: info('HelmRelease', 'kube-prometheus-stack', 'True', 'true'), values: '1x1500' }];
    expect(
      run(FLUX, series, [
        { alertname: 'FluxReconciliationSuspended', evalTime: '23h', firing: [] },
        {
          alertname: 'FluxReconciliationSuspended',
          evalTime: '24h1m',
          firing: [{ ...labels('HelmRelease', 'kube-prometheus-stack', 'True', { suspended: 'true' }), severity: 'warning' }],
        },
      ]),
    ).toBe('');
  });
});

describe('Argo CD', () => {
  const ARGO: GitOpsAlertsProps = { engine: 'argocd', namespace: 'argocd' };
  const JOB = 'monitoring/argocd-application-controller';
  const app = (name: string, sync: string, health: string) =>
    `argocd_app_info{job="${JOB}", namespace="argocd", name="${name}", project="region-b-prod", sync_status="${sync}", health_status="${health}"}`;
  const labels = (name: string, sync: string, health: string) => ({
    job: JOB,
    namespace: 'argocd',
    name,
    project: 'region-b-prod',
    sync_status: sync,
    health_status: health,
  });

  test("the application controller is scraped from the monitoring namespace, and nothing is added to Argo CD's namespace", () => {
    const layer = build(ARGO);
    const monitor = layer.find('PodMonitor', 'argocd-application-controller', 'monitoring');
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['argocd'] });
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ portNumber: 8082, honorLabels: true }]);
    expect(layer.manifests().filter((m) => m.metadata.namespace === 'argocd')).toEqual([]);
    const egress = layer.find('NetworkPolicy', 'allow-prometheus-to-argocd-application-controller-egress', 'monitoring');
    expect(egress.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 8082 }]);
    expect(checkRules([rule(layer)])).toBe('');
  });

  test('an application out of sync for 30 minutes warns; one degraded warns at 15 minutes and pages at an hour; healthy ones do not', () => {
    const series = [
      { series: app('region-b-prod-data', 'OutOfSync', 'Healthy'), values: '1x70' },
      { series: app('region-b-prod-apps', 'Synced', 'Degraded'), values: '1x70' },
      { series: app('region-b-prod-search', 'Synced', 'Healthy'), values: '1x70' },
    ];
    expect(
      run(ARGO, series, [
        { alertname: 'ArgoCdApplicationOutOfSync', evalTime: '25m', firing: [] },
        {
          alertname: 'ArgoCdApplicationOutOfSync',
          evalTime: '35m',
          firing: [{ ...labels('region-b-prod-data', 'OutOfSync', 'Healthy'), severity: 'warning' }],
        },
        {
          alertname: 'ArgoCdApplicationDegraded',
          evalTime: '20m',
          firing: [{ ...labels('region-b-prod-apps', 'Synced', 'Degraded'), severity: 'warning' }],
        },
        {
          alertname: 'ArgoCdApplicationDegraded',
          evalTime: '65m',
          firing: [
            { ...labels('region-b-prod-apps', 'Synced', 'Degraded'), severity: 'warning' },
            { ...labels('region-b-prod-apps', 'Synced', 'Degraded'), severity: 'critical' },
          ],
        },
      ]),
    ).toBe('');
  });

  test("another scrape of the controller (a team's own, another job) does not raise Strata's alerts twice", () => {
    const other = `argocd_app_info{job="argocd/argocd-metrics", namespace="argocd", name="x", project="p", sync_status="OutOfSync", health_status="Degraded"}`;
    expect(
      run(
        ARGO,
        [{ series: other, values: '1x70' }],
        [
          { alertname: 'ArgoCdApplicationOutOfSync', evalTime: '65m', firing: [] },
          { alertname: 'ArgoCdApplicationDegraded', evalTime: '65m', firing: [] },
        ],
      ),
    ).toBe('');
  });
});
