/**
 * Every version Strata depends on, pinned in one place: CRD API versions (and the kinds
 * Strata renders from each group), Helm charts that install the operators, and the images
 * of workloads Strata renders itself. Source of truth for the pins:
 * ../shared/crds/SOURCES.md (released tags only, never a development branch).
 *
 * Changing a pin here and running `npm run import` regenerates imports/ and the
 * validation schemas; `npm run synth` then re-renders dist/.
 */

/** A CRD API group Strata renders objects of. */
export interface CrdApi {
  /** API group, e.g. `postgresql.cnpg.io`. */
  readonly group: string;
  /** The served API version Strata writes. */
  readonly version: string;
  /** Kinds Strata renders; imports/ and the schemas cover exactly these. */
  readonly kinds: readonly string[];
  /** Upstream release the CRDs come from (documentation only). */
  readonly release: string;
}

export const CRD_APIS: readonly CrdApi[] = [
  {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    kinds: ['GitRepository', 'HelmRepository', 'OCIRepository'],
    release: 'fluxcd/source-controller v1.9.1',
  },
  { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kinds: ['Kustomization'], release: 'fluxcd/kustomize-controller v1.9.4' },
  { group: 'helm.toolkit.fluxcd.io', version: 'v2', kinds: ['HelmRelease'], release: 'fluxcd/helm-controller v1.6.3' },
  { group: 'argoproj.io', version: 'v1alpha1', kinds: ['AppProject', 'Application'], release: 'argoproj/argo-cd v3.5.1' },
  { group: 'cert-manager.io', version: 'v1', kinds: ['Certificate', 'ClusterIssuer'], release: 'cert-manager v1.21.1' },
  // The chart's crds/ folder; the HelmRelease creates and replaces them (install.crds, upgrade.crds).
  {
    group: 'traefik.io',
    version: 'v1alpha1',
    kinds: ['IngressRoute', 'Middleware', 'ServersTransport', 'TLSStore', 'TraefikService'],
    release: 'traefik v3.7.11 (chart 41.3.0)',
  },
  { group: 'external-secrets.io', version: 'v1', kinds: ['ClusterSecretStore', 'ExternalSecret'], release: 'external-secrets v2.9.0' },
  { group: 'bitnami.com', version: 'v1alpha1', kinds: ['SealedSecret'], release: 'bitnami-labs/sealed-secrets v0.36.6' },
  {
    group: 'monitoring.coreos.com',
    version: 'v1',
    kinds: ['PodMonitor', 'ServiceMonitor', 'PrometheusRule'],
    release: 'prometheus-operator v0.93.0',
  },
  // Alertmanager receivers and routes, merged by the operator into the Alertmanager's configuration.
  { group: 'monitoring.coreos.com', version: 'v1alpha1', kinds: ['AlertmanagerConfig'], release: 'prometheus-operator v0.93.0' },
  // The VictoriaMetrics stack (monitoring.stack: victoriametrics): storage (one node or a cluster), scraper, rule evaluator, Alertmanager and its routes.
  {
    group: 'operator.victoriametrics.com',
    version: 'v1beta1',
    kinds: ['VMAgent', 'VMAlert', 'VMAlertmanager', 'VMAlertmanagerConfig', 'VMCluster', 'VMSingle'],
    release: 'VictoriaMetrics/operator v0.74.1 (chart victoria-metrics-operator 0.67.2)',
  },
  // VictoriaLogs (monitoring.logging.backend: victorialogs), reconciled by the same operator.
  {
    group: 'operator.victoriametrics.com',
    version: 'v1',
    kinds: ['VLSingle'],
    release: 'VictoriaMetrics/operator v0.74.1 (chart victoria-metrics-operator 0.67.2)',
  },
  {
    group: 'postgresql.cnpg.io',
    version: 'v1',
    kinds: ['Cluster', 'Pooler', 'ScheduledBackup', 'Database', 'Publication'],
    release: 'cloudnative-pg v1.30.0',
  },
  { group: 'barmancloud.cnpg.io', version: 'v1', kinds: ['ObjectStore'], release: 'plugin-barman-cloud v0.14.0' },
  { group: 'acid.zalan.do', version: 'v1', kinds: ['postgresql'], release: 'zalando/postgres-operator v2.0.1' },
  { group: 'minio.min.io', version: 'v2', kinds: ['Tenant'], release: 'minio/operator v7.1.1' },
  { group: 'velero.io', version: 'v1', kinds: ['BackupStorageLocation', 'Schedule'], release: 'vmware-tanzu/velero v1.18.1' },
  {
    group: 'kafka.strimzi.io',
    version: 'v1',
    kinds: ['Kafka', 'KafkaNodePool', 'KafkaConnect', 'KafkaConnector', 'KafkaMirrorMaker2', 'KafkaTopic', 'KafkaUser'],
    release: 'strimzi 1.2.0',
  },
  {
    group: 'opensearch.org',
    version: 'v1',
    kinds: [
      'OpenSearchCluster',
      'OpensearchIndexTemplate',
      'OpenSearchISMPolicy',
      'OpensearchSnapshotPolicy',
      'OpensearchUser',
      'OpensearchRole',
      'OpensearchUserRoleBinding',
    ],
    release: 'opensearch-k8s-operator chart 3.0.2',
  },
];

/** A Helm chart that installs an operator or platform component. */
export interface HelmChartPin {
  /** Repository URL: `https://` for a classic Helm repository, `oci://` for an OCI registry. */
  readonly repository: string;
  /** Chart name in that repository. */
  readonly chart: string;
  /** Exact chart version; never a range. */
  readonly version: string;
  /** Application version the chart deploys (documentation and image tags). */
  readonly appVersion: string;
}

export const HELM_CHARTS = {
  cloudnativePg: { repository: 'https://cloudnative-pg.github.io/charts', chart: 'cloudnative-pg', version: '0.29.0', appVersion: '1.30.0' },
  barmanCloudPlugin: { repository: 'https://cloudnative-pg.github.io/charts', chart: 'plugin-barman-cloud', version: '0.7.0', appVersion: 'v0.13.0' },
  zalandoPostgresOperator: {
    repository: 'https://opensource.zalando.com/postgres-operator/charts/postgres-operator',
    chart: 'postgres-operator',
    version: '2.0.1',
    appVersion: '2.0.1',
  },
  strimzi: { repository: 'oci://quay.io/strimzi-helm', chart: 'strimzi-kafka-operator', version: '1.2.0', appVersion: '1.2.0' },
  opensearchOperator: {
    repository: 'https://opensearch-project.github.io/opensearch-k8s-operator/',
    chart: 'opensearch-operator',
    version: '3.0.2',
    appVersion: '3.0.0-alpha',
  },
  minioOperator: { repository: 'https://operator.min.io/', chart: 'operator', version: '7.1.1', appVersion: 'v7.1.1' },
  velero: { repository: 'https://vmware-tanzu.github.io/helm-charts', chart: 'velero', version: '12.1.0', appVersion: '1.18.1' },
  traefik: { repository: 'https://traefik.github.io/charts', chart: 'traefik', version: '41.3.0', appVersion: 'v3.7.11' },
  kubePrometheusStack: {
    repository: 'https://prometheus-community.github.io/helm-charts',
    chart: 'kube-prometheus-stack',
    version: '88.5.3',
    appVersion: 'v0.93.1',
  },
  // The VictoriaMetrics operator, and the Prometheus operator's CRDs alone, whose objects it converts.
  victoriaMetricsOperator: {
    repository: 'https://victoriametrics.github.io/helm-charts/',
    chart: 'victoria-metrics-operator',
    version: '0.67.2',
    appVersion: 'v0.74.1',
  },
  prometheusOperatorCrds: {
    repository: 'https://prometheus-community.github.io/helm-charts',
    chart: 'prometheus-operator-crds',
    version: '31.0.1',
    appVersion: 'v0.93.1',
  },
  certManager: { repository: 'oci://quay.io/jetstack/charts', chart: 'cert-manager', version: 'v1.21.1', appVersion: 'v1.21.1' },
  externalSecrets: { repository: 'https://charts.external-secrets.io', chart: 'external-secrets', version: '2.9.0', appVersion: 'v2.9.0' },
  sealedSecrets: { repository: 'https://bitnami-labs.github.io/sealed-secrets', chart: 'sealed-secrets', version: '2.18.5', appVersion: '0.36.6' },
  // Grafana, released in the monitoring layer beside its Secrets (constructs/monitoring/grafana.ts);
  // the chart moved from grafana/helm-charts to the grafana-community repository.
  grafana: { repository: 'https://grafana-community.github.io/helm-charts', chart: 'grafana', version: '11.1.0', appVersion: '12.3.2' },
  // Not an operator: the monitoring layer releases it (constructs/logging/fluent-bit.ts).
  fluentBit: { repository: 'https://fluent.github.io/helm-charts', chart: 'fluent-bit', version: '0.58.1', appVersion: '5.1.1' },
  // Loki (monitoring.logging.backend: loki), also released by the monitoring layer (constructs/logging/loki.ts).
  loki: { repository: 'https://grafana.github.io/helm-charts', chart: 'loki', version: '7.3.0', appVersion: '3.6.12' },
} as const satisfies Record<string, HelmChartPin>;

export type HelmChartName = keyof typeof HELM_CHARTS;

/** Kubernetes version whose core schemas validate dist/. */
export const KUBERNETES_SCHEMA_VERSION = 'v1.28.0';

/** Kubernetes core kinds Strata renders, by apiVersion; the schemas cover exactly these. */
export const CORE_APIS: Readonly<Record<string, readonly string[]>> = {
  // Secret: only SOPS-encrypted ones are rendered (committed ciphertext, decrypted by Flux).
  v1: ['ConfigMap', 'LimitRange', 'Namespace', 'PersistentVolumeClaim', 'ResourceQuota', 'Secret', 'Service', 'ServiceAccount'],
  'apps/v1': ['Deployment', 'StatefulSet'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'batch/v1': ['CronJob', 'Job'],
  'discovery.k8s.io/v1': ['EndpointSlice'],
  'networking.k8s.io/v1': ['NetworkPolicy'],
  'policy/v1': ['PodDisruptionBudget'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
};

/** Images of components Strata configures directly (not through a chart's defaults). */
export const IMAGES = {
  /** Velero's S3 object-store plugin; v1.14.x pairs with Velero 1.18.x. */
  veleroPluginForAws: 'velero/velero-plugin-for-aws:v1.14.0',
  /**
   * MinIO client for the access set-up Job of each tenant (users and policies through the
   * admin API). mc releases are date tags, `RELEASE.<UTC timestamp>`; pick one no older than
   * the tenants' MinIO server.
   */
  minioClient: 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z',
} as const;

/** PostgreSQL operand images (CloudNativePG's own builds; the major version is a data-format contract). */
export const POSTGRES_IMAGES = {
  cloudnativePg: 'ghcr.io/cloudnative-pg/postgresql:17.5',
} as const;

/**
 * Kafka as Strimzi runs it: the broker, Connect and MirrorMaker 2 version, one of those the
 * pinned Strimzi release supports (Strimzi 1.2.0 ships Kafka 4.2.x and 4.3.x images,
 * `quay.io/strimzi/kafka:1.2.0-kafka-4.3.1`). Raising it rolls every broker; the KRaft
 * metadata version follows the Kafka version's default unless the Kafka resource pins it.
 */
export const STRIMZI_KAFKA = {
  strimzi: HELM_CHARTS.strimzi.appVersion,
  kafka: '4.3.1',
} as const;

/** One downloadable artifact of a Kafka Connect plugin, as Strimzi's build fetches it. */
export interface ConnectPluginArtifact {
  readonly type: 'tgz' | 'zip' | 'jar';
  readonly url: string;
  /**
   * SHA-512 of the file, as the publisher states it (Strimzi's build refuses a download that
   * does not match). Absent only where the publisher states none: see the plugin's note.
   */
  readonly sha512?: string;
}

/** A Kafka Connect plugin Strimzi adds to the Connect image it builds. */
export interface ConnectPluginPin {
  /** Plugin directory name in the image. */
  readonly name: string;
  readonly version: string;
  readonly artifacts: readonly ConnectPluginArtifact[];
  /** Where the pin and its checksum come from. */
  readonly source: string;
}

/**
 * Connector plugins of the CDC flow (PostgreSQL → Kafka → OpenSearch). A prebuilt Connect
 * image (`streaming.connect.image`) must contain the same plugins at these versions.
 */
export const CONNECT_PLUGINS = {
  debeziumPostgres: {
    name: 'debezium-connector-postgres',
    version: '3.6.2.Final',
    artifacts: [
      {
        type: 'tgz',
        url: 'https://repo1.maven.org/maven2/io/debezium/debezium-connector-postgres/3.6.2.Final/debezium-connector-postgres-3.6.2.Final-plugin.tar.gz',
      },
    ],
    // Maven Central publishes `<url>.sha512` beside the archive; it was not reachable when this
    // pin was written, so no checksum is set yet. Fill in `sha512` from that file (and check it
    // against `sha512sum` of the download) before relying on the build.
    source: 'Maven Central io.debezium:debezium-connector-postgres:3.6.2.Final (plugin archive)',
  },
  opensearchSink: {
    name: 'opensearch-connector-for-apache-kafka',
    version: '3.1.1',
    artifacts: [
      {
        type: 'zip',
        url: 'https://github.com/Aiven-Open/opensearch-connector-for-apache-kafka/releases/download/v3.1.1/opensearch-connector-for-apache-kafka-3.1.1.zip',
      },
    ],
    // The GitHub release publishes the zip and tar only, with no checksum file: compute the
    // SHA-512 of the release asset once, review it, and set `sha512`.
    source: 'GitHub release Aiven-Open/opensearch-connector-for-apache-kafka v3.1.1 (distZip asset)',
  },
} as const satisfies Record<string, ConnectPluginPin>;

/**
 * OpenSearch as the opensearch-operator runs it (nodes and Dashboards at the same version),
 * and the Prometheus exporter plugin release built for exactly that version. Raising the
 * version is a rolling upgrade by the operator, one minor at a time.
 */
export const OPENSEARCH = {
  version: '3.1.0',
  /** The plugin's release is `<OpenSearch version>.<plugin patch>`. */
  prometheusExporterPlugin:
    'https://github.com/opensearch-project/opensearch-prometheus-exporter/releases/download/3.1.0.0/prometheus-exporter-3.1.0.0.zip',
} as const;

/** Images of the search layer besides the operator's own (which follow the pinned chart). */
export const SEARCH_IMAGES = {
  /** The OpenSearch node image; its JDK builds the node truststore in an init container. */
  opensearch: `docker.io/opensearchproject/opensearch:${OPENSEARCH.version}`,
  /** The operator's init helper (volume ownership), which would otherwise default to busybox:latest. */
  initHelper: 'docker.io/library/busybox:1.37.0',
  /** curl for the cross-cluster replication set-up Job (Alpine-based, runs as uid 100). */
  curl: 'docker.io/curlimages/curl:8.14.1',
} as const;
