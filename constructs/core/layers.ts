/**
 * The layers of an overlay, in apply order: each renders to its own folder and is applied
 * by one Flux Kustomization or Argo CD Application (constructs/platform/layer-chart.ts).
 */
/** Layers in apply order. A layer is rendered only when it has objects. */
export const LAYERS = ['foundation', 'operators', 'data', 'streaming', 'search', 'backup', 'init', 'apps', 'ingress', 'monitoring'] as const;
export type LayerName = (typeof LAYERS)[number];
