/**
 * The labels every object Strata renders carries, so a cluster can be queried by region,
 * environment and layer, and tools recognise the owner.
 */
export const LABEL_PREFIX = 'strata.io';
/** The environment an object belongs to. */
export const ENVIRONMENT_LABEL = `${LABEL_PREFIX}/environment`;
/** The cluster an object belongs to, on what a cluster shared by environments renders once. */
export const CLUSTER_LABEL = `${LABEL_PREFIX}/cluster`;

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
    [ENVIRONMENT_LABEL]: props.environment,
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
