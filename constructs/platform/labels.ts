/**
 * The labels every object Strata renders carries, so a cluster can be queried by region,
 * environment and layer, and tools recognise the owner.
 */
export const LABEL_PREFIX = 'strata.io';

export interface StandardLabelProps {
  readonly region: string;
  readonly environment: string;
  readonly layer: string;
}

export function standardLabels(props: StandardLabelProps): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'strata',
    'app.kubernetes.io/part-of': 'strata',
    [`${LABEL_PREFIX}/region`]: props.region,
    [`${LABEL_PREFIX}/environment`]: props.environment,
    [`${LABEL_PREFIX}/layer`]: props.layer,
  };
}

/** Labels naming one component (`app.kubernetes.io/name`, `instance`, `component`). */
export function componentLabels(name: string, instance: string, component?: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': instance,
    ...(component ? { 'app.kubernetes.io/component': component } : {}),
  };
}
