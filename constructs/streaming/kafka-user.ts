import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as kafka from '../../imports/kafka.strimzi.io';
import { compareStrings } from '../platform/ordering';

/** How a Kafka client proves who it is on the cluster's TLS listeners. */
export type KafkaAuthentication = 'scram-sha-512' | 'tls';

export type AclOperation =
  'Read' | 'Write' | 'Create' | 'Delete' | 'Alter' | 'Describe' | 'ClusterAction' | 'AlterConfigs' | 'DescribeConfigs' | 'IdempotentWrite' | 'All';

/** A topic or consumer group by exact name (`'orders'`, `'*'` for all) or by prefix (`{ prefix: 'hrm.' }`). */
export type ResourceName = string | { readonly prefix: string };

/** One ACL rule of a user (always `allow`, from any host). */
export interface AclRule {
  readonly resource: { readonly type: 'topic' | 'group' | 'transactionalId'; readonly name: ResourceName } | { readonly type: 'cluster' };
  readonly operations: readonly AclOperation[];
}

/** What a Strimzi-managed client (Kafka Connect, MirrorMaker 2) puts in its `authentication`. */
export type ClientAuthentication =
  | { readonly type: 'scram-sha-512'; readonly username: string; readonly passwordSecret: { readonly secretName: string; readonly password: string } }
  | { readonly type: 'tls'; readonly certificateAndKey: { readonly secretName: string; readonly certificate: string; readonly key: string } };

export interface KafkaUserProps {
  /** User name: the SCRAM user name, the certificate's CN and the credential Secret's name. */
  readonly name: string;
  readonly namespace: string;
  /** The Kafka cluster (the `strimzi.io/cluster` label the User Operator watches). */
  readonly clusterName: string;
  readonly authentication: KafkaAuthentication;
  /**
   * A SCRAM password taken from an existing Secret key instead of one the User Operator
   * generates: for users whose password must also be known outside this cluster.
   * @default the User Operator generates the password
   */
  readonly password?: { readonly name: string; readonly key: string };
}

/**
 * A Strimzi `KafkaUser`: its credential Secret (same name, same namespace) is created by the
 * User Operator, and its ACLs are the sum of the grants made on it. Created through
 * `KafkaCluster.addUser()`; grants go through the cluster (`grantProduce`, `grantConsume`).
 */
export class KafkaUser extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly clusterName: string;
  public readonly authentication: KafkaAuthentication;
  /** Secret holding the credential (`password` and `sasl.jaas.config`, or `user.crt` and `user.key`). */
  public readonly secretName: string;
  private readonly acls = new Map<string, { rule: AclRule; operations: Set<AclOperation> }>();

  constructor(scope: Construct, id: string, props: KafkaUserProps) {
    super(scope, id);
    if (!/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(props.name)) {
      throw new Error(`Kafka user name "${props.name}" is not a valid Kubernetes object name: use lower-case letters, digits, '-' and '.'`);
    }
    if (props.password && props.authentication !== 'scram-sha-512') {
      throw new Error(`Kafka user ${props.name}: a given password needs authentication scram-sha-512 (got ${props.authentication})`);
    }
    this.name = props.name;
    this.namespace = props.namespace;
    this.clusterName = props.clusterName;
    this.authentication = props.authentication;
    this.secretName = props.name;

    new kafka.KafkaUser(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { 'strimzi.io/cluster': props.clusterName } },
      spec: {
        authentication: {
          type:
            props.authentication === 'tls'
              ? kafka.KafkaUserSpecAuthenticationType.TLS
              : kafka.KafkaUserSpecAuthenticationType.SCRAM_HYPHEN_SHA_HYPHEN_512,
          ...(props.password ? { password: { valueFrom: { secretKeyRef: { name: props.password.name, key: props.password.key } } } } : {}),
        },
        authorization: {
          type: kafka.KafkaUserSpecAuthorizationType.SIMPLE,
          acls: Lazy.any({ produce: () => this.renderAcls() }),
        },
      },
    });
  }

  /** Adds an ACL rule; rules on the same resource are merged. Prefer the cluster's grant methods. */
  public addAcl(rule: AclRule): void {
    const key = aclKey(rule);
    const existing = this.acls.get(key);
    if (existing) {
      rule.operations.forEach((op) => existing.operations.add(op));
    } else {
      this.acls.set(key, { rule, operations: new Set(rule.operations) });
    }
  }

  /** The ACL rules granted so far, merged and sorted (resource, then operations). */
  public get aclRules(): AclRule[] {
    return [...this.acls.entries()]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([, { rule, operations }]) => ({ resource: rule.resource, operations: [...operations].sort() }));
  }

  /** The `authentication` block for a Strimzi-managed client that connects as this user. */
  public clientAuthentication(): ClientAuthentication {
    return this.authentication === 'tls'
      ? { type: 'tls', certificateAndKey: { secretName: this.secretName, certificate: 'user.crt', key: 'user.key' } }
      : { type: 'scram-sha-512', username: this.name, passwordSecret: { secretName: this.secretName, password: 'password' } };
  }

  private renderAcls(): kafka.KafkaUserSpecAuthorizationAcls[] {
    return this.aclRules.map((rule) => ({
      type: kafka.KafkaUserSpecAuthorizationAclsType.ALLOW,
      resource: renderResource(rule.resource),
      operations: rule.operations.map((op) => op as unknown as kafka.KafkaUserSpecAuthorizationAclsOperations),
    }));
  }
}

function aclKey(rule: AclRule): string {
  const r = rule.resource;
  if (r.type === 'cluster') return 'cluster';
  return typeof r.name === 'string' ? `${r.type}:literal:${r.name}` : `${r.type}:prefix:${r.name.prefix}`;
}

function renderResource(r: AclRule['resource']): kafka.KafkaUserSpecAuthorizationAclsResource {
  if (r.type === 'cluster') return { type: kafka.KafkaUserSpecAuthorizationAclsResourceType.CLUSTER };
  const type = r.type as unknown as kafka.KafkaUserSpecAuthorizationAclsResourceType;
  return typeof r.name === 'string'
    ? { type, name: r.name, patternType: kafka.KafkaUserSpecAuthorizationAclsResourcePatternType.LITERAL }
    : { type, name: r.name.prefix, patternType: kafka.KafkaUserSpecAuthorizationAclsResourcePatternType.PREFIX };
}
