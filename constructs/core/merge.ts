/**
 * Deep merge, as layered settings and Helm values merge: objects merge key by key, every
 * other value (arrays included) replaces what was there; `undefined` layers are skipped.
 */
export function merge<T>(...layers: unknown[]): T {
  let out: any = undefined;
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (isObject(layer)) {
      const base: Record<string, any> = isObject(out) ? out : {};
      const next: Record<string, any> = { ...base };
      for (const [k, v] of Object.entries(layer)) next[k] = merge(base[k], v);
      out = next;
    } else {
      out = layer;
    }
  }
  return out as T;
}

function isObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
