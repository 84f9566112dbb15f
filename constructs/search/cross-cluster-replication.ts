import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { IGrantee } from '../core/grantee';
import { hardenedContainer, restrictedPodSecurityContext } from '../platform/hardening';
import { componentLabels } from '../platform/labels';
import { shortName } from '../platform/names';
import { allowEgressToAddresses, allowTraffic, PodGroup } from '../platform/network';
import { addSetupJob } from '../platform/setup-job';
import { SEARCH_IMAGES } from '../versions';
import { assertIndexPattern } from './index-names';
import { HTTP_PORT, OpenSearchCluster, TRANSPORT_PORT } from './opensearch-cluster';
import { REPLICATION_SETUP_SCRIPT } from './replication-setup-script';
import type { ComputeResources } from '../core/compute';

/**
 * Cross-cluster replication between the OpenSearch clusters of a DR pair. The operator has
 * no resource for it: the leader exposes its transport port (`ReplicationLeader`), and the
 * follower runs a Job that configures the remote connection and the auto-follow rules
 * through the replication plugin's REST API (`CrossClusterReplication`).
 *
 * Both sides need: the same cluster name and a transport CA shared through the secret store
 * (`OpenSearchClusterProps.sharedTransportCaKey`), so each accepts the other's nodes; and a
 * user of the same name (`replicator`), mapped to the plugin's leader role on the leader and
 * to its follower role on the follower, whose identity the replication tasks carry.
 */

/** The user replication runs as, on both clusters. */
export const REPLICATION_USER = 'replicator';
/** The security plugin's built-in roles for the two sides. */
export const LEADER_ROLE = 'cross_cluster_replication_leader_full_access';
export const FOLLOWER_ROLE = 'cross_cluster_replication_follower_full_access';
/** Auto-follow rules the set-up Job owns (and may remove) start with this. */
export const RULE_PREFIX = 'strata-';

/** The DNS name a leader's transport load balancer is published under in its region. */
export function replicationTransportHost(clusterName: string, baseDomain: string): string {
  return `${clusterName}-transport.${baseDomain}`;
}

export interface ReplicationLeaderProps {
  readonly cluster: OpenSearchCluster;
  /** DNS name of the transport load balancer (published by external-dns from the annotation). */
  readonly hostname: string;
  /**
   * Source addresses of the followers' connections (their clusters' egress addresses).
   * @default any address: transport TLS with the shared CA is the gate
   */
  readonly followerCidrs?: readonly string[];
  /**
   * Secret-store key of the replication user's password, the one the followers read too.
   * @default the cluster's own key for the user
   */
  readonly userRemoteKey?: string;
}

/**
 * The leader side: a LoadBalancer Service on the data nodes' transport port (published as
 * `hostname`), the network policy letting followers in, and the replication user mapped to
 * the plugin's leader role.
 */
export class ReplicationLeader extends Construct {
  public readonly hostname: string;
  /** `host:port` a follower connects to. */
  public readonly address: string;

  constructor(scope: Construct, id: string, props: ReplicationLeaderProps) {
    super(scope, id);
    const cluster = props.cluster;
    this.hostname = props.hostname;
    this.address = `${props.hostname}:${TRANSPORT_PORT}`;
    const name = `${cluster.clusterName}-transport`;
    new k8s.KubeService(this, 'Service', {
      metadata: {
        name,
        namespace: cluster.namespace,
        labels: componentLabels('opensearch', cluster.clusterName, 'replication-leader'),
        annotations: { 'external-dns.alpha.kubernetes.io/hostname': props.hostname },
      },
      spec: {
        type: 'LoadBalancer',
        selector: { ...cluster.dataPods.podLabels },
        ports: [{ name: 'transport', port: TRANSPORT_PORT, targetPort: k8s.IntOrString.fromNumber(TRANSPORT_PORT), protocol: 'TCP' }],
        ...(props.followerCidrs ? { loadBalancerSourceRanges: [...props.followerCidrs] } : {}),
      },
    });
    new k8s.KubeNetworkPolicy(this, 'AllowFollowers', {
      metadata: { name: `allow-followers-to-${name}`, namespace: cluster.namespace },
      spec: {
        podSelector: { matchLabels: { ...cluster.dataPods.podLabels } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: (props.followerCidrs ?? ['0.0.0.0/0']).map((cidr) => ({ ipBlock: { cidr } })),
            ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(TRANSPORT_PORT) }],
          },
        ],
      },
    });
    cluster.addUser(REPLICATION_USER, { roles: [LEADER_ROLE], remoteKey: props.userRemoteKey });
  }
}

/** The leader as a follower sees it. */
export interface ReplicationLeaderRef {
  /** Name of the remote-cluster connection on the follower (the leader's region). */
  readonly alias: string;
  /** `host:port` of the leader's transport load balancer. */
  readonly address: string;
  /** Secret-store key of the replication user's password (the same key the leader reads). */
  readonly userRemoteKey: string;
}

export interface CrossClusterReplicationProps {
  readonly follower: OpenSearchCluster;
  readonly leader: ReplicationLeaderRef;
  /** Leader index patterns to follow; each becomes an auto-follow rule. */
  readonly indexPatterns: readonly string[];
  /** @default SEARCH_IMAGES.curl */
  readonly image?: string;
  /** @default 50m CPU and 32Mi memory requested, 200m CPU and 64Mi memory limit */
  readonly resources?: ComputeResources;
  /**
   * How long a finished Job is kept. GitOps re-creates a deleted Job, so this is also how
   * often the set-up is re-asserted (it is idempotent).
   * @default 86400 (a day)
   */
  readonly ttlSecondsAfterFinished?: number;
}

/**
 * The follower side: the replication user (follower role, plus cluster settings and remote
 * info), egress from the data nodes to the leader's transport port, and a hardened Job that
 * sets the remote connection (proxy mode) and one auto-follow rule per pattern. The Job's
 * name carries a hash of its script and configuration, so a change yields a new Job (Jobs
 * are immutable) that Flux and Argo CD run; both engines replace rather than patch it.
 */
export class CrossClusterReplication extends Construct implements IGrantee {
  public readonly jobName: string;
  public readonly jobPods: PodGroup;
  /** IGrantee: the set-up Job under `<follower>-replication-setup`, its pods, and itself as the owner. */
  public readonly granteeName: string;

  public get granteePods(): PodGroup {
    return this.jobPods;
  }

  public get grantScope(): Construct {
    return this;
  }

  constructor(scope: Construct, id: string, props: CrossClusterReplicationProps) {
    super(scope, id);
    const follower = props.follower;
    if (props.indexPatterns.length === 0) {
      throw new Error(`cross-cluster replication from ${props.leader.alias}: indexPatterns is empty; name the leader indices to follow`);
    }
    props.indexPatterns.forEach((p) => assertIndexPattern(`cross-cluster replication from ${props.leader.alias}`, p));
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(props.leader.alias)) {
      throw new Error(`cross-cluster replication: leader alias "${props.leader.alias}" must be lower-case letters, digits, - and _`);
    }
    if (!/^[a-z0-9.-]+:[0-9]+$/.test(props.leader.address)) {
      throw new Error(`cross-cluster replication from ${props.leader.alias}: address "${props.leader.address}" must be host:port`);
    }

    const setupRole = follower.addRole('replication-setup', {
      // Remote connections are cluster settings; cluster_monitor covers health and _remote/info.
      clusterPermissions: ['cluster:admin/settings/update', 'cluster_monitor', 'cluster:admin/plugins/replication/autofollow/*'],
    });
    const user = follower.addUser(REPLICATION_USER, { roles: [FOLLOWER_ROLE, setupRole], remoteKey: props.leader.userRemoteKey });

    const rules = [...new Set(props.indexPatterns)].sort().map((pattern) => `${RULE_PREFIX}${pattern.replace(/\*/g, '')}=${pattern}`);
    const env: Record<string, string> = {
      // The data pool: only its nodes have the remote_cluster_client role.
      OPENSEARCH_URL: follower.dataEndpoint,
      CA_FILE: '/etc/opensearch-ca/ca.crt',
      LEADER_ALIAS: props.leader.alias,
      LEADER_ADDRESS: props.leader.address,
      LEADER_ROLE,
      FOLLOWER_ROLE,
      AUTOFOLLOW_RULES: rules.join(' '),
      RULE_PREFIX,
      ATTEMPTS: '90',
      INTERVAL: '10',
    };
    const image = props.image ?? SEARCH_IMAGES.curl;
    const resources = props.resources ?? { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } };
    const ttlSecondsAfterFinished = props.ttlSecondsAfterFinished ?? 86400;
    // Everything the Job's spec is made of: a change of any of it is a new Job.
    const hash = createHash('sha256')
      .update(
        JSON.stringify({ script: REPLICATION_SETUP_SCRIPT, env, image, resources, ttlSecondsAfterFinished, secret: user.name, ca: follower.ca }),
      )
      .digest('hex')
      .slice(0, 10);
    // The job-name label of its pods holds at most 63 characters.
    this.jobName = shortName(`${follower.clusterName}-replication-setup-${hash}`);
    const podLabels = { 'app.kubernetes.io/name': 'opensearch-replication-setup', 'app.kubernetes.io/instance': follower.clusterName };
    this.jobPods = { namespace: follower.namespace, podLabels };
    this.granteeName = `${follower.clusterName}-replication-setup`;

    addSetupJob(this, 'Job', {
      name: this.jobName,
      namespace: follower.namespace,
      labels: { ...podLabels, 'app.kubernetes.io/component': 'replication-setup' },
      podLabels,
      ttlSecondsAfterFinished,
      securityContext: restrictedPodSecurityContext({ runAsUser: 100, runAsGroup: 101 }),
      containers: [
        hardenedContainer({
          name: 'setup',
          image,
          command: ['/bin/sh', '-c', REPLICATION_SETUP_SCRIPT],
          env: [
            ...Object.entries(env).map(([name, value]) => ({ name, value })),
            { name: 'OPENSEARCH_USERNAME', valueFrom: { secretKeyRef: user.selector('username') } },
            { name: 'OPENSEARCH_PASSWORD', valueFrom: { secretKeyRef: user.selector('password') } },
          ],
          resources,
          volumeMounts: [
            { name: 'ca', mountPath: '/etc/opensearch-ca', readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        }),
      ],
      volumes: [
        { name: 'ca', secret: { secretName: follower.ca.name, items: [{ key: follower.ca.key, path: 'ca.crt' }] } },
        { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } },
      ],
    });

    allowTraffic(this, 'AllowJob', {
      name: `allow-${follower.clusterName}-replication-setup`,
      from: this.jobPods,
      to: follower.serverPods,
      ports: [HTTP_PORT],
    });
    // The leader's load balancer is in another region: its address is not known here, its port is.
    allowEgressToAddresses(this, 'AllowLeader', {
      name: `allow-${follower.clusterName}-to-leader-${props.leader.alias}`,
      from: follower.dataPods,
      cidrs: ['0.0.0.0/0'],
      ports: [TRANSPORT_PORT],
    });
  }
}
