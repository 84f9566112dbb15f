/**
 * Strata's construct library: `import { PlatformApp, CloudNativePgCluster, MinioTenant,
 * CdcPipeline } from 'strata'`. Re-exports only. The composition root is PlatformApp
 * (platform/platform-app.ts): its layers hold your constructs, and it derives the
 * namespaces, operators and layer order they need. The vocabulary the constructs share
 * (resources, node pools, secret backends, GitOps engines, namespace policy, problems) is
 * in core/. Internal (and listed as such in test/constructs/index.test.ts): the transition
 * and pod-demand rules with their registries, shell snippets, set-up scripts, defaults and
 * ordering helpers.
 */
export * from './apps/app-access';
export * from './apps/app-init';
export * from './apps/application';
export * from './backup/velero-backups';
export * from './core/compute';
export * from './core/gitops';
export * from './core/grantee';
export * from './core/layers';
export * from './core/merge';
export * from './core/namespace-policy';
export * from './core/naming';
export * from './core/problems';
export * from './core/quantity';
export * from './core/secret-backend';
export * from './data/cloudnative-pg-alerts';
export * from './data/cloudnative-pg-cluster';
export * from './data/database-export';
export * from './data/external-patroni-alerts';
export * from './data/external-patroni-cluster';
export * from './data/external-redis';
export * from './data/postgres-cluster';
export * from './data/postgres-cluster-base';
export * from './data/zalando-postgres-alerts';
export * from './data/zalando-postgres-cluster';
export * from './foundation/foundation-layer';
export * from './foundation/platform-namespace';
export * from './ingress/acme-issuer';
export * from './ingress/middleware-spec';
export * from './ingress/platform-ui-route';
export * from './ingress/traefik-middleware';
export * from './ingress/traefik-route';
export * from './ingress/wildcard-certificate';
export * from './monitoring/alert-routing';
export * from './monitoring/alert-routing-settings';
export * from './monitoring/platform-alerts';
export * from './monitoring/prometheus-stack';
export * from './monitoring/prometheus-stack-settings';
export * from './monitoring/victoria-metrics-stack';
export * from './monitoring/vm-alert-routing';
export * from './operators/catalog';
export * from './operators/operator-egress';
export * from './operators/operator-release';
export * from './operators/operators-layer';
export * from './platform/alert-rules';
export * from './platform/cidr';
export * from './platform/connections';
export * from './platform/downloads';
export * from './platform/external-addresses';
export * from './platform/external-endpoints';
export * from './platform/external-prometheus';
export * from './platform/hardening';
export * from './platform/image-reference';
export * from './platform/labels';
export * from './platform/layer-chart';
export * from './platform/names';
export * from './platform/network';
export * from './platform/overlay-context';
export * from './platform/platform-app';
export * from './platform/protection';
export * from './platform/schedule-interval';
export * from './platform/scheduling';
export * from './platform/scrape';
export * from './platform/setup-job';
export * from './search/cross-cluster-replication';
export * from './search/index-names';
export * from './search/opensearch-alerts';
export * from './search/opensearch-cluster';
export * from './search/opensearch-node-pools';
export * from './search/opensearch-security-config';
export * from './search/opensearch-snapshots';
export * from './search/platform-certificates';
export * from './search/search-cluster';
export * from './secrets/platform-secret-store';
export * from './secrets/secret-reference';
export * from './secrets/sops-secret';
export * from './storage/bucket';
export * from './storage/bucket-policy';
export * from './storage/external-bucket';
export * from './storage/external-endpoint';
export * from './storage/minio-access-setup';
export * from './storage/minio-alerts';
export * from './storage/minio-tenant';
export * from './streaming/cdc-pipeline';
export * from './streaming/kafka-alerts';
export * from './streaming/kafka-cluster';
export * from './streaming/kafka-connect';
export * from './streaming/kafka-node-pool';
export * from './streaming/kafka-topic';
export * from './streaming/kafka-user';
export * from './streaming/metrics';
export * from './streaming/mirror-maker';
export * from './streaming/pod-security';
export * from './tls/platform-ca';
export * from './versions';
