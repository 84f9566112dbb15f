import { ApiObject } from 'cdk8s';
import { AppsChart } from './apps';
import { BackupChart, VELERO_BUCKET } from './backup';
import { backupBucket } from './backup-storage';
import { DataChart, secretKeyPrefix } from './data';
import { acmeIssuer, requireTraefik, routeMiddlewares } from './routes';
import { SearchChart } from './search';
import { StreamingChart } from './streaming';
import { Grantee } from '../constructs/core/grantee';
import { ImportedDatabase } from '../constructs/data/database-export';
import { ExternalPatroniCluster } from '../constructs/data/external-patroni-cluster';
import { GRAFANA_UI, PlatformUi, PlatformUiRoute, TRAEFIK_DASHBOARD_UI } from '../constructs/ingress/platform-ui-route';
import { FluentBit } from '../constructs/logging/fluent-bit';
import { Loki } from '../constructs/logging/loki';
import { VictoriaLogs } from '../constructs/logging/victoria-logs';
import { AlertRouting } from '../constructs/monitoring/alert-routing';
import { GitOpsAlerts } from '../constructs/monitoring/gitops-alerts';
import { Grafana } from '../constructs/monitoring/grafana';
import { GrafanaDashboards } from '../constructs/monitoring/grafana-dashboards';
import { PlatformAlerts } from '../constructs/monitoring/platform-alerts';
import { prometheusStackDataSources, PrometheusStack } from '../constructs/monitoring/prometheus-stack';
import { VictoriaMetricsStack, victoriaMetricsDataSources } from '../constructs/monitoring/victoria-metrics-stack';
import { VmAlertRouting } from '../constructs/monitoring/vm-alert-routing';
import { compareStrings } from '../constructs/platform/ordering';
import { OverlayContext } from '../constructs/platform/overlay-context';
import type { PlatformApp } from '../constructs/platform/platform-app';
import { OpenSearchCluster } from '../constructs/search/opensearch-cluster';
import { appHost } from '../environments/apps-checks';
import { loggingBackend } from '../environments/logging-checks';
import type { OverlaySpec } from '../environments/model';
import { defaultClusterKey, layerClusterKey, PlacedLayer, placedCluster, sharedClusterKey } from '../environments/placement';
import { PLATFORM_UI_HOSTS, UiName } from '../environments/ui-checks';

/** Bucket of the overlay's backup storage holding Loki's chunks and index (`monitoring.logging.backend: loki`). A public contract. */
export const LOKI_BUCKET = 'loki';

/** The workload layers of an overlay (everything but foundation and operators). */
export interface PlatformLayers {
  readonly data: DataChart;
  readonly streaming?: StreamingChart;
  readonly search?: SearchChart;
  readonly backup?: BackupChart;
  readonly apps?: AppsChart;
}

/**
 * Builds the workload layers, each in the app of the cluster it is placed on (`appFor` takes
 * a cluster key of environments/placement.ts), and the imported side of every database
 * exported to another cluster.
 */
export function buildPlatformLayers(appFor: (cluster: string) => PlatformApp, overlay: OverlaySpec): PlatformLayers {
  const s = overlay.settings;
  const on = (layer: PlacedLayer) => appFor(layerClusterKey(overlay, layer));
  const context = OverlayContext.of(appFor(defaultClusterKey(overlay)));
  // Declared namespaces exist whether or not a component is placed in them.
  const declared = Object.entries(s.namespaces).sort(([a], [b]) => compareStrings(a, b));
  for (const [name, ns] of declared) {
    context.requireNamespace({
      name,
      workload: ns.quota ?? true,
      podSecurity: ns.podSecurity,
      podSecurityReason: ns.podSecurityReason,
      ...(ns.labels ? { labels: ns.labels } : {}),
    });
  }
  const data = new DataChart(on('data'), overlay);
  // What another cluster of the environment uses, by `<cluster>|<database>`.
  const imported = new Map<string, ImportedDatabase>();
  for (const ex of data.exports) {
    const consumer = appFor(ex.to).layer('data');
    const db = new ImportedDatabase(consumer, `Imported-${ex.export.clusterName}-${ex.export.database}`, {
      export: ex.export,
      namespace: ex.namespace,
      secretBackend: overlay.region.secrets,
    });
    db.connections.allowFrom(Grantee.of(consumer, ex.namespace, { namespace: ex.namespace, podLabels: {} }));
    imported.set(`${ex.to}|${ex.export.database}`, db);
  }
  const search = s.opensearch.enabled ? new SearchChart(on('search'), overlay, data) : undefined;
  const streaming = s.streaming.kafka.enabled ? new StreamingChart(on('streaming'), overlay, data, search) : undefined;
  const apps = Object.values(s.apps).some((a) => a.enabled)
    ? new AppsChart(on('apps'), overlay, data, on('ingress').layer('ingress'), imported, on('apps').layer('init'), search, streaming)
    : undefined;
  // The platform's UIs behind Traefik and an authenticating middleware, each from the component that serves it.
  const uis: Record<UiName, PlatformUi | undefined> = {
    grafana: GRAFANA_UI,
    opensearchDashboards: search?.opensearch.dashboardsUi,
    minioConsole: data.minio?.consoleUi,
    traefikDashboard: TRAEFIK_DASHBOARD_UI,
  };
  for (const name of Object.keys(uis).sort(compareStrings) as UiName[]) {
    const exposure = s.ui[name];
    const ui = uis[name];
    if (!exposure || !ui) continue;
    const ingress = on('ingress').layer('ingress');
    requireTraefik(ingress, overlay);
    new PlatformUiRoute(ingress, `Ui-${name}`, {
      ui,
      host: exposure.host ?? appHost(overlay, PLATFORM_UI_HOSTS[name]),
      issuer: acmeIssuer(ingress, overlay),
      middlewares: routeMiddlewares(overlay, exposure.middlewares),
    });
  }
  let backup: BackupChart | undefined;
  const veleroBucket = s.velero.enabled ? backupBucket(data, overlay, data.minio, VELERO_BUCKET) : undefined;
  if (veleroBucket) {
    backup = new BackupChart(on('backup'), overlay, veleroBucket);
  } else if (s.velero.enabled) {
    // The loader refuses this; a spec built by a program of its own gets the problem here.
    OverlayContext.of(data).problems.push({
      file: overlay.sourceFile,
      path: 'minio.enabled',
      value: false,
      message: `${overlay.id}: Velero stores its backups in the region's MinIO, which is disabled, and backupStorage is not s3`,
      fix: 'set minio.enabled: true or backupStorage.kind: s3, or velero.enabled: false',
    });
  }
  // A component that needs a lower Pod Security level than its namespace declares would have
  // its pods refused: the declaration wins only where it is the less strict.
  for (const [name, ns] of declared) {
    const required = context.namespaces.find((n) => n.name === name);
    const level = ns.podSecurity ?? 'restricted';
    if (required && (required.podSecurity ?? 'restricted') !== level) {
      context.problems.push({
        file: overlay.sourceFile,
        path: `namespaces.${name}.podSecurity`,
        value: level,
        message: `${overlay.id}: namespace ${name} is declared ${level}, and a component placed in it needs ${required.podSecurity}: ${required.podSecurityReason}`,
        fix: `set namespaces.${name}.podSecurity: ${required.podSecurity} with a podSecurityReason, or place the component in another namespace`,
      });
    }
  }
  // The same for a shared cluster's namespaces, declared once for every environment in the region file.
  const sharedKey = sharedClusterKey(overlay.region);
  const sharedNamespaces = sharedKey ? (overlay.region.clusters[sharedKey].namespaces ?? {}) : {};
  for (const name of Object.keys(sharedNamespaces).sort(compareStrings)) {
    const required = context.namespaces.find((n) => n.name === name);
    const level = sharedNamespaces[name].podSecurity ?? 'restricted';
    const rank = { restricted: 0, baseline: 1, privileged: 2 };
    if (required && rank[required.podSecurity ?? 'restricted'] > rank[level]) {
      context.problems.push({
        file: `regions/${overlay.region.name}.yaml`,
        path: `clusters.${sharedKey}.namespaces.${name}.podSecurity`,
        value: level,
        message: `${overlay.id}: shared namespace ${name} is declared ${level}, and a component of ${overlay.environment} placed in it needs ${required.podSecurity}: ${required.podSecurityReason}`,
        fix: `set clusters.${sharedKey}.namespaces.${name}.podSecurity: ${required.podSecurity} with a podSecurityReason, or place the component in a namespace of its environment`,
      });
    }
  }
  let loki: Loki | undefined;
  // Container logs to the overlay's OpenSearch (loggingBackend says opensearch only where it runs
  // on the monitoring layer's cluster). Fluent Bit is released in the monitoring layer, beside
  // the credential and CA its pods mount: see FluentBit on why not in the operators layer.
  if (search && loggingBackend(overlay) === 'opensearch') {
    new FluentBit(on('monitoring').layer('monitoring'), 'FluentBit', {
      opensearch: search.opensearch,
      retentionDays: s.monitoring.logging.retentionDays,
    });
  }
  // Or to VictoriaLogs beside the VictoriaMetrics stack (environments/logging-checks.ts refuses it without one).
  if (loggingBackend(overlay) === 'victorialogs') {
    const monitoring = on('monitoring').layer('monitoring');
    const store = new VictoriaLogs(monitoring, 'VictoriaLogs', {
      retentionDays: s.monitoring.logging.retentionDays,
      storageSize: s.monitoring.logging.storageSize,
      storageClass: overlay.region.storageClasses.fast,
    });
    new FluentBit(monitoring, 'FluentBit', { victoriaLogs: store });
  }
  // Or to Loki, keeping them in a bucket of the overlay's backup storage, as Velero keeps its
  // backups (environments/logging-checks.ts refuses it without one, or beside monitoring.external).
  if (loggingBackend(overlay) === 'loki') {
    const lokiBucket = backupBucket(data, overlay, data.minio, LOKI_BUCKET);
    if (lokiBucket) {
      const monitoring = on('monitoring').layer('monitoring');
      loki = new Loki(monitoring, 'Loki', {
        bucket: lokiBucket,
        retentionDays: s.monitoring.logging.retentionDays,
        mode: s.monitoring.logging.loki.mode,
        replicas: s.monitoring.logging.loki.replicas,
        storageClass: overlay.region.storageClasses.fast,
      });
      const key = layerClusterKey(overlay, 'monitoring');
      new FluentBit(monitoring, 'FluentBit', {
        loki,
        streamLabels: { region: overlay.region.name, environment: overlay.environment, cluster: placedCluster(overlay, key).name },
      });
    } else {
      OverlayContext.of(data).problems.push({
        file: overlay.sourceFile,
        path: 'monitoring.logging.backend',
        value: 'loki',
        message: `${overlay.id}: Loki keeps the logs in the overlay's object storage, and it has none (minio.enabled is false and backupStorage.kind is not s3)`,
        fix: 'set minio.enabled: true or backupStorage.kind: s3, or monitoring.logging.backend: none',
      });
    }
  }
  // The cluster's own alerts, read from what the in-cluster Prometheus scrapes (none for one
  // outside it, which has its own), once everything else is built: certificates are watched
  // where the cluster issues some, as cert-manager runs only there.
  if (!s.monitoring.external) {
    const monitoring = on('monitoring');
    const key = layerClusterKey(overlay, 'monitoring');
    const shared = overlay.region.clusters[key]?.shared;
    const cluster = placedCluster(overlay, key);
    // One Prometheus (or VMAgent) serves every environment of a shared cluster: no environment label.
    const externalLabels = { region: overlay.region.name, ...(shared ? {} : { environment: overlay.environment }), cluster: cluster.name };
    // One Alertmanager and one Grafana serve every environment of a shared cluster: their secret-store entries are the cluster's.
    const monitoringSecrets = shared && cluster.sharedRoot ? cluster.sharedRoot : secretKeyPrefix(overlay);
    const victoriaMetrics = s.monitoring.stack === 'victoriametrics';
    let dataSources = prometheusStackDataSources();
    if (victoriaMetrics) {
      const stack = new VictoriaMetricsStack(monitoring.layer('monitoring'), 'VictoriaMetrics', {
        prometheus: s.monitoring.prometheus,
        alertmanager: s.monitoring.alertmanager,
        storageClass: overlay.region.storageClasses.fast,
        storage: s.monitoring.victoriametrics,
        externalLabels,
      });
      dataSources = victoriaMetricsDataSources(stack);
    } else {
      new PrometheusStack(monitoring.layer('monitoring'), 'PrometheusStack', {
        prometheus: s.monitoring.prometheus,
        alertmanager: s.monitoring.alertmanager,
        storageClass: overlay.region.storageClasses.fast,
        externalLabels,
        controlPlaneMetrics: overlay.region.distribution !== 'k3s',
      });
    }
    if (s.monitoring.alerting) {
      const routing = { ...s.monitoring.alerting, secretBackend: overlay.region.secrets, secretKeyPrefix: monitoringSecrets };
      if (victoriaMetrics) new VmAlertRouting(monitoring.layer('monitoring'), 'AlertRouting', routing);
      else new AlertRouting(monitoring.layer('monitoring'), 'AlertRouting', routing);
    }
    const constructs = monitoring.node.findAll();
    const rendered = (group: string, kind: string) => constructs.some((c) => ApiObject.isApiObject(c) && c.apiGroup === group && c.kind === kind);
    const certificates = constructs.some((c) => ApiObject.isApiObject(c) && c.apiGroup === 'cert-manager.io');
    new PlatformAlerts(monitoring.layer('monitoring'), 'PlatformAlerts', {
      certificates,
      // VictoriaMetrics comes without kube-state-metrics and node-exporter (their charts are not
      // pinned yet): the alerts reading them are left out rather than rendered never to fire.
      clusterMetrics: !victoriaMetrics,
      ...(s.monitoring.thresholds ? { thresholds: s.monitoring.thresholds } : {}),
    });
    // Flux's state comes through kube-prometheus-stack's kube-state-metrics, which VictoriaMetrics
    // does without; Argo CD's controller is scraped by either.
    const gitops = overlay.region.gitops;
    if (gitops.engine === 'argocd') {
      new GitOpsAlerts(monitoring.layer('monitoring'), 'GitOpsAlerts', { engine: 'argocd', namespace: gitops.namespace });
    } else if (!victoriaMetrics) {
      new GitOpsAlerts(monitoring.layer('monitoring'), 'GitOpsAlerts', { engine: 'flux' });
    }
    // Grafana beside its Secrets, reading this Prometheus (or VictoriaMetrics) and Alertmanager,
    // and a dashboard per component this cluster runs; one outside the cluster comes with its own.
    const exposure = s.ui.grafana;
    new Grafana(monitoring.layer('monitoring'), 'Grafana', {
      secretBackend: overlay.region.secrets,
      secretKeyPrefix: monitoringSecrets,
      // The logs beside the metrics where Loki keeps them (Grafana reads Loki natively; the
      // other stores need plugins, which are not installed).
      dataSources: [...dataSources, ...(loki ? [loki.grafanaDataSource] : [])],
      ...(exposure ? { rootUrl: `https://${exposure.host ?? appHost(overlay, PLATFORM_UI_HOSTS.grafana)}` } : {}),
      ...(s.monitoring.grafana?.sso ? { sso: s.monitoring.grafana.sso } : {}),
    });
    new GrafanaDashboards(monitoring.layer('monitoring'), 'Dashboards', {
      // A shared cluster renders them once for every environment: named by the cluster.
      overlay: `${overlay.region.name}/${shared ? placedCluster(overlay, key).name : overlay.environment}`,
      sharedCluster: Boolean(shared),
      // VictoriaMetrics comes without kube-state-metrics, node-exporter and the kubelet's metrics.
      clusterMetrics: !victoriaMetrics,
      components: {
        cloudNativePg: rendered('postgresql.cnpg.io', 'Cluster'),
        poolers: rendered('postgresql.cnpg.io', 'Pooler'),
        zalandoPostgres: rendered('acid.zalan.do', 'postgresql'),
        externalPostgres: constructs.some((c) => c instanceof ExternalPatroniCluster),
        kafka: rendered('kafka.strimzi.io', 'Kafka'),
        kafkaConnect: rendered('kafka.strimzi.io', 'KafkaConnect'),
        opensearch: constructs.some((c) => c instanceof OpenSearchCluster && c.prometheusExporter),
        minio: rendered('minio.min.io', 'Tenant'),
        velero: rendered('velero.io', 'Schedule'),
        traefik: constructs.some((c) => ApiObject.isApiObject(c) && c.apiGroup === 'traefik.io'),
        certificates,
      },
    });
  }
  return { data, streaming, search, backup, apps };
}
