import { App } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

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
}

/**
 * What the constructs of one overlay require from the platform: namespaces and operators.
 * The foundation and operators charts are built from it after every other layer, so they
 * contain exactly what the overlay uses.
 */
export class OverlayContext extends Construct {
  public static of(scope: IConstruct): OverlayContext {
    const root = scope.node.root;
    const ctx = root.node.tryFindChild(OverlayContext.ID);
    if (!(ctx instanceof OverlayContext)) throw new Error('no OverlayContext: create one on the App before building layers');
    return ctx;
  }

  private static readonly ID = 'StrataOverlayContext';
  private readonly namespaceRequirements = new Map<string, NamespaceRequirement>();
  private readonly operatorNames = new Set<string>();

  constructor(app: App) {
    super(app, OverlayContext.ID);
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
    });
    return req.name;
  }

  public requireOperator(name: string): void {
    this.operatorNames.add(name);
  }

  public get namespaces(): NamespaceRequirement[] {
    return [...this.namespaceRequirements.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  public get operators(): string[] {
    return [...this.operatorNames].sort();
  }
}
