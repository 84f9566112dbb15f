import { App } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { compareStrings } from './ordering';
import type { Problem } from '../core/problems';

/** Pod Security Standards level enforced on a namespace. */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export interface NamespaceRequirement {
  readonly name: string;
  /** @default 'restricted' */
  readonly podSecurity?: PodSecurityLevel;
  /** Why a namespace runs below `restricted` (rendered as an annotation). */
  readonly podSecurityReason?: string;
  /** Workload namespaces get the tier's ResourceQuota; operator namespaces only a LimitRange. */
  readonly workload: boolean;
  /** Pods here talk to the Kubernetes API (operators, instance managers). */
  readonly apiServerEgress?: boolean;
  /** Ports the API server calls into (admission webhooks, conversion). */
  readonly webhookPorts?: readonly number[];
  /** Pods of the namespace may talk to each other (operator namespaces). */
  readonly allowSameNamespace?: boolean;
  /** Egress to any address on these TCP ports ('any': every port), e.g. a secret provider's API. */
  readonly egressAnywhere?: readonly number[] | 'any';
  /** Labels of the user's own (team, cost centre), added to the Namespace. @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * What the constructs of one overlay require from the platform: namespaces and operators.
 * The foundation and operators charts are built from it after every other layer, so they
 * contain exactly what the overlay uses.
 */
export class OverlayContext extends Construct {
  public static tryOf(scope: IConstruct): OverlayContext | undefined {
    const ctx = scope.node.root.node.tryFindChild(OverlayContext.ID);
    return ctx instanceof OverlayContext ? ctx : undefined;
  }

  public static of(scope: IConstruct): OverlayContext {
    const root = scope.node.root;
    const ctx = root.node.tryFindChild(OverlayContext.ID);
    if (!(ctx instanceof OverlayContext)) {
      throw new Error(
        `${scope.node.path || 'the app'}: Strata constructs are built inside a PlatformApp: create the app with \`new PlatformApp({ region, environment, gitops })\` and add constructs to its layers (\`app.layer('data')\`)`,
      );
    }
    return ctx;
  }

  private static readonly ID = 'StrataOverlayContext';
  private readonly namespaceRequirements = new Map<string, NamespaceRequirement>();
  private readonly operatorNames = new Set<string>();
  /** Environment problems found while building; the build fails with all of them. */
  public readonly problems: Problem[] = [];
  private readonly operatorValueContributions = new Map<string, Record<string, unknown>[]>();

  /** Where runbook pages are browsed (PlatformAppProps.runbookBaseUrl); '' for repository-relative paths. */
  public readonly runbookBaseUrl: string;
  /** Which stack scrapes the cluster's monitors and evaluates its rules (PlatformAppProps.monitoringStack). */
  public readonly monitoringStack: 'kube-prometheus-stack' | 'victoriametrics';

  constructor(app: App, options: { readonly runbookBaseUrl?: string; readonly monitoringStack?: 'kube-prometheus-stack' | 'victoriametrics' } = {}) {
    super(app, OverlayContext.ID);
    this.runbookBaseUrl = options.runbookBaseUrl ? `${options.runbookBaseUrl.replace(/\/+$/, '')}/` : '';
    this.monitoringStack = options.monitoringStack ?? 'kube-prometheus-stack';
  }

  /** Requires a namespace; requirements for the same namespace are combined. */
  public requireNamespace(req: NamespaceRequirement): string {
    const prev = this.namespaceRequirements.get(req.name);
    if (!prev) {
      this.namespaceRequirements.set(req.name, req);
      return req.name;
    }
    const rank: Record<PodSecurityLevel, number> = { restricted: 0, baseline: 1, privileged: 2 };
    const level = rank[req.podSecurity ?? 'restricted'] > rank[prev.podSecurity ?? 'restricted'] ? req : prev;
    this.namespaceRequirements.set(req.name, {
      name: req.name,
      podSecurity: level.podSecurity,
      podSecurityReason: level.podSecurityReason,
      workload: prev.workload || req.workload,
      apiServerEgress: prev.apiServerEgress || req.apiServerEgress,
      webhookPorts: [...new Set([...(prev.webhookPorts ?? []), ...(req.webhookPorts ?? [])])].sort((a, b) => a - b),
      allowSameNamespace: prev.allowSameNamespace || req.allowSameNamespace,
      egressAnywhere:
        prev.egressAnywhere === 'any' || req.egressAnywhere === 'any'
          ? 'any'
          : prev.egressAnywhere || req.egressAnywhere
            ? [...new Set([...(prev.egressAnywhere ?? []), ...(req.egressAnywhere ?? [])])].sort((a, b) => a - b)
            : undefined,
      ...(prev.labels || req.labels ? { labels: mergeLabels(req.name, prev.labels, req.labels) } : {}),
    });
    return req.name;
  }

  /**
   * Requires an operator, optionally with chart values this construct needs (deep-merged
   * over the catalog's values, in the order contributed).
   */
  public requireOperator(name: string, values?: Record<string, unknown>): void {
    this.operatorNames.add(name);
    if (values) this.operatorValueContributions.set(name, [...(this.operatorValueContributions.get(name) ?? []), values]);
  }

  /** Values contributed for an operator by the constructs that require it. */
  public operatorValues(name: string): readonly Record<string, unknown>[] {
    return this.operatorValueContributions.get(name) ?? [];
  }

  public get namespaces(): NamespaceRequirement[] {
    return [...this.namespaceRequirements.values()].sort((a, b) => compareStrings(a.name, b.name));
  }

  public get operators(): string[] {
    return [...this.operatorNames].sort();
  }
}

/** Two requirements' labels; one label with two values is an error naming both. */
function mergeLabels(namespace: string, a: Readonly<Record<string, string>> = {}, b: Readonly<Record<string, string>> = {}): Record<string, string> {
  for (const [key, value] of Object.entries(b)) {
    if (key in a && a[key] !== value) {
      throw new Error(`namespace ${namespace}: label ${key} is required as "${a[key]}" and as "${value}"; give it one value`);
    }
  }
  return { ...a, ...b };
}
