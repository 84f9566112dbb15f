/**
 * Risks a reviewer should see in a change that the transition guard does not refuse: the
 * downtime and security classes of `npm run diff` (gitops/review/). Data loss is not declared
 * here: it is the transition rules' class (transition-rules.ts), one table that both the guard
 * (which refuses) and the diff (which shows) apply.
 *
 * A construct area that renders a kind declares its review rules next to it
 * (`<area>/*-risks.ts`, collected in constructs/risks.ts). A rule sees the object before and
 * after the change; either is undefined when the object is added or removed.
 */
import type { Manifest } from './transition-rules';

/** The classes of `npm run diff`, in the order they are shown and scored. */
export const RISK_CLASSES = ['data-loss', 'downtime', 'security'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

export interface RiskFinding {
  /** Field of the rendered object, dotted (`spec.selector`), or `added` / `removed`. */
  readonly field: string;
  readonly before?: unknown;
  readonly after?: unknown;
  /** What happens when it is applied, in one sentence, without the object's name. */
  readonly message: string;
}

export interface RiskRule {
  /** API group (empty for the core group). */
  readonly group: string;
  readonly kind: string;
  readonly risk: Exclude<RiskClass, 'data-loss'>;
  check(previous: Manifest | undefined, next: Manifest | undefined): RiskFinding[];
}

/** Canonical JSON (keys sorted) for comparing two values of a manifest. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

export function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}
