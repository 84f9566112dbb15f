/**
 * What Traefik exports on its metrics port (9100), which the chart's ServiceMonitor scrapes
 * (entry point and service labels on, the chart's defaults): requests, durations and bytes per
 * entry point and service, open connections, configuration reloads and the expiry of the
 * certificates it serves. From Traefik's metrics overview (Prometheus names).
 */
export const TRAEFIK_METRICS: readonly string[] = [
  'traefik_config_last_reload_success',
  'traefik_config_reloads_total',
  'traefik_entrypoint_request_duration_seconds_bucket',
  'traefik_entrypoint_request_duration_seconds_count',
  'traefik_entrypoint_request_duration_seconds_sum',
  'traefik_entrypoint_requests_bytes_total',
  'traefik_entrypoint_requests_tls_total',
  'traefik_entrypoint_requests_total',
  'traefik_entrypoint_responses_bytes_total',
  'traefik_open_connections',
  'traefik_service_request_duration_seconds_bucket',
  'traefik_service_request_duration_seconds_count',
  'traefik_service_request_duration_seconds_sum',
  'traefik_service_requests_total',
  'traefik_tls_certs_not_after',
];
