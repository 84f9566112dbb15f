/**
 * The series the GitOps alerts read (constructs/monitoring/gitops-alerts.ts renders their
 * sources): kube-state-metrics' custom-resource-state metric for the Flux objects, and Argo CD's
 * application controller (its documented metrics on port 8082).
 */

/** From the custom-resource-state configuration GitOpsAlerts gives kube-state-metrics. */
export const FLUX_STATE_METRICS = ['gotk_resource_info'] as const;

/** Argo CD's application controller. */
export const ARGOCD_CONTROLLER_METRICS = [
  'argocd_app_info',
  'argocd_app_reconcile_bucket',
  'argocd_app_reconcile_count',
  'argocd_app_reconcile_sum',
  'argocd_app_sync_total',
] as const;
