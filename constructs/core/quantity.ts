/**
 * Kubernetes resource quantities as numbers, for comparisons in validation
 * (requests <= limits, a volume larger than the quota, ...).
 */

const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Parses `500m`, `2`, `4Gi`; throws on anything else (schemas reject those earlier). */
export function parseQuantity(q: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(q);
  if (!m || !(m[2] in SUFFIX)) throw new Error(`"${q}" is not a Kubernetes quantity`);
  return Number(m[1]) * SUFFIX[m[2]];
}

/** Sums quantities and prints the result in the largest binary unit that keeps it whole. */
export function multiplyQuantity(q: string, factor: number): string {
  const bytes = parseQuantity(q) * factor;
  for (const unit of ['Ti', 'Gi', 'Mi', 'Ki']) {
    if (bytes % SUFFIX[unit] === 0) return `${bytes / SUFFIX[unit]}${unit}`;
  }
  return String(bytes);
}
