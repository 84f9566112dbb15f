/**
 * Who is granted access to a service. Every workload Strata renders that uses another one
 * (a database backing up into a bucket, Velero, a CDC sink on Kafka Connect, later the
 * applications) is a grantee: grant methods take the grantee and nothing else, and derive
 * the user, the credentials in the grantee's namespace, the CA it trusts and both sides of
 * the network policy from it.
 */
import type { Construct } from 'constructs';

/** Pods in a namespace, selected by labels (empty labels: every pod of the namespace). */
export interface PodGroup {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

export interface IGrantee {
  /**
   * The grantee's identity: users, roles, credentials and policies made for it are named
   * after it (a DNS label, e.g. `velero`, the cluster name of a database).
   */
  readonly granteeName: string;
  /** The grantee's pods: where its credentials go, and the client side of network policies. */
  readonly granteePods: PodGroup;
  /** The construct that owns what a grant creates for the grantee (normally the grantee itself). */
  readonly grantScope: Construct;
}

/** A grantee for pods a construct owns under an identity of their own (one connector on Kafka Connect's pods). */
export class Grantee implements IGrantee {
  public static of(scope: Construct, name: string, pods: PodGroup): IGrantee {
    return new Grantee(scope, name, pods);
  }

  private constructor(
    public readonly grantScope: Construct,
    public readonly granteeName: string,
    public readonly granteePods: PodGroup,
  ) {}
}
