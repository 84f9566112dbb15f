import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  CrossClusterReplication,
  CrossClusterReplicationProps,
  FOLLOWER_ROLE,
  LEADER_ROLE,
  ReplicationLeader,
  replicationTransportHost,
} from '../../../constructs/search/cross-cluster-replication';
import { OpenSearchCluster, OpenSearchClusterProps } from '../../../constructs/search/opensearch-cluster';
import { REPLICATION_SETUP_SCRIPT } from '../../../constructs/search/replication-setup-script';
import { SEARCH_IMAGES } from '../../../constructs/versions';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';
import { removeTempDirs, tempDir } from '../../support/temp';

afterAll(removeTempDirs);

const CLUSTER: OpenSearchClusterProps = {
  name: 'search',
  topology: 'dedicated',
  managers: 3,
  dataNodes: 3,
  storageSize: '100Gi',
  storageClass: 'fast-ssd-retain',
  resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
  heap: '4g',
  zoneLabel: 'topology.kubernetes.io/zone',
  secretBackend: EXTERNAL_SECRETS,
  secretKeyPrefix: 'region-b/prod',
  sharedTransportCaKey: 'region-a/prod/opensearch/search/transport-ca',
};

const LEADER = {
  alias: 'region-a',
  address: 'search-transport.region-a.strata.example:9300',
  userRemoteKey: 'region-a/prod/opensearch/search/users/replicator',
};

function follower(props: Partial<CrossClusterReplicationProps> = {}): TestLayer & { replication: CrossClusterReplication } {
  const layer = testLayer('search', { region: 'region-b', environment: 'prod' });
  const cluster = new OpenSearchCluster(layer.chart, 'OpenSearch', CLUSTER);
  const replication = new CrossClusterReplication(layer.chart, 'Replication', {
    follower: cluster,
    leader: LEADER,
    indexPatterns: ['employees_index*', 'payroll_index*'],
    ...props,
  });
  return { ...layer, replication };
}

const jobOf = (layer: TestLayer) => {
  const jobs = layer.all('Job');
  expect(jobs).toHaveLength(1);
  return jobs[0];
};
const envOf = (job: any) => Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('CrossClusterReplication (follower)', () => {
  test('a hardened Job: non-root, read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    const pod = jobOf(follower()).spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 100, runAsGroup: 101, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.restartPolicy).toBe('Never');
    const [container] = pod.containers;
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } });
    expect(container.image).toBe(SEARCH_IMAGES.curl);
    expect(container.image).toMatch(/:[0-9][^:]*$/);
  });

  test('an unpinned image is refused', () => {
    expect(() => follower({ image: 'docker.io/curlimages/curl:latest' })).toThrow(
      'container setup: image "docker.io/curlimages/curl:latest" is not pinned',
    );
    expect(() => follower({ image: 'docker.io/curlimages/curl' })).toThrow('is not pinned');
    expect(() => follower({ image: 'registry.example:5000/curl' })).toThrow('is not pinned');
    expect(() => follower({ image: 'registry.example:5000/curl@sha256:0123' })).not.toThrow();
  });

  test('bounded: retries, a deadline, and cleanup after a day', () => {
    const job = jobOf(follower());
    expect(job.spec).toMatchObject({ backoffLimit: 4, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 86400 });
  });

  test('replaced, not patched, by Argo CD and Flux; the name changes with the configuration', () => {
    const job = jobOf(follower());
    expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Replace=true', 'kustomize.toolkit.fluxcd.io/force': 'enabled' });
    expect(job.metadata.name).toMatch(/^search-replication-setup-[0-9a-f]{10}$/);
    expect(jobOf(follower()).metadata.name).toBe(job.metadata.name);
    expect(jobOf(follower({ indexPatterns: ['employees_index*'] })).metadata.name).not.toBe(job.metadata.name);
    expect(jobOf(follower({ ttlSecondsAfterFinished: 3600 })).metadata.name).not.toBe(job.metadata.name);
  });

  test("credentials by secret reference (never inline), CA mounted from the follower's HTTP certificate", () => {
    const job = jobOf(follower());
    const env = envOf(job);
    expect(env.OPENSEARCH_USERNAME).toEqual({ secretKeyRef: { name: 'search-user-replicator', key: 'username' } });
    expect(env.OPENSEARCH_PASSWORD).toEqual({ secretKeyRef: { name: 'search-user-replicator', key: 'password' } });
    expect(env).toMatchObject({
      OPENSEARCH_URL: 'https://search-data.opensearch.svc.cluster.local:9200',
      CA_FILE: '/etc/opensearch-ca/ca.crt',
      LEADER_ALIAS: 'region-a',
      LEADER_ADDRESS: 'search-transport.region-a.strata.example:9300',
      LEADER_ROLE,
      FOLLOWER_ROLE,
      AUTOFOLLOW_RULES: 'strata-employees_index=employees_index* strata-payroll_index=payroll_index*',
    });
    expect(job.spec.template.spec.volumes).toEqual([
      { name: 'ca', secret: { secretName: 'search-http-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    ]);
  });

  test("the replication user reads the leader's key and holds the follower role and the set-up permissions", () => {
    const layer = follower();
    expect(layer.find('ExternalSecret', 'search-user-replicator', 'opensearch').spec.data[0].remoteRef).toEqual({
      key: LEADER.userRemoteKey,
      property: 'password',
    });
    expect(layer.find('OpensearchUserRoleBinding', 'replicator', 'opensearch').spec.roles).toEqual([FOLLOWER_ROLE, 'replication-setup']);
    expect(layer.find('OpensearchRole', 'replication-setup', 'opensearch').spec.clusterPermissions).toEqual([
      'cluster:admin/settings/update',
      'cluster_monitor',
      'cluster:admin/plugins/replication/autofollow/*',
    ]);
  });

  test("network: the Job reaches the follower's REST API; the data nodes reach the leader's transport port", () => {
    const layer = follower();
    expect(layer.find('NetworkPolicy', 'allow-search-replication-setup-egress', 'opensearch').spec.podSelector.matchLabels).toEqual(
      layer.replication.jobPods.podLabels,
    );
    const leader = layer.find('NetworkPolicy', 'allow-search-to-leader-region-a', 'opensearch');
    expect(leader.spec.podSelector.matchLabels).toEqual({
      'opensearch.org/opensearch-cluster': 'search',
      'opensearch.org/opensearch-nodepool': 'data',
    });
    expect(leader.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 9300 }]);
  });

  test('invalid input is an error', () => {
    expect(() => follower({ indexPatterns: [] })).toThrow('cross-cluster replication from region-a: indexPatterns is empty');
    expect(() => follower({ indexPatterns: ['Bad Pattern'] })).toThrow('is not a valid index pattern');
    expect(() => follower({ leader: { ...LEADER, address: 'no-port' } })).toThrow('address "no-port" must be host:port');
  });

  test('every object validates against the pinned schemas', () => {
    expect(schemaIssues(follower().manifests())).toEqual([]);
  });
});

describe('ReplicationLeader', () => {
  function leader() {
    const layer = testLayer('search');
    const cluster = new OpenSearchCluster(layer.chart, 'OpenSearch', { ...CLUSTER, secretKeyPrefix: 'region-a/prod' });
    const exposed = new ReplicationLeader(layer.chart, 'Leader', {
      cluster,
      hostname: replicationTransportHost('search', 'region-a.strata.example'),
    });
    return { ...layer, exposed };
  }

  test("a load balancer on the data nodes' transport port, published under the region's base domain", () => {
    const layer = leader();
    expect(layer.exposed.address).toBe('search-transport.region-a.strata.example:9300');
    const service = layer.find('Service', 'search-transport', 'opensearch');
    expect(service.metadata.annotations).toEqual({ 'external-dns.alpha.kubernetes.io/hostname': 'search-transport.region-a.strata.example' });
    expect(service.spec).toEqual({
      type: 'LoadBalancer',
      selector: { 'opensearch.org/opensearch-cluster': 'search', 'opensearch.org/opensearch-nodepool': 'data' },
      ports: [{ name: 'transport', port: 9300, targetPort: 9300, protocol: 'TCP' }],
    });
    expect(layer.find('NetworkPolicy', 'allow-followers-to-search-transport', 'opensearch').spec.ingress).toEqual([
      { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 9300 }] },
    ]);
  });

  test("the replication user, under the leader's own key, mapped to the leader role", () => {
    const layer = leader();
    expect(layer.find('ExternalSecret', 'search-user-replicator', 'opensearch').spec.data[0].remoteRef.key).toBe(LEADER.userRemoteKey);
    expect(layer.find('OpensearchUserRoleBinding', 'replicator', 'opensearch').spec.roles).toEqual([LEADER_ROLE]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });
});

/**
 * The set-up script against a fake curl that answers like a follower being set up: the
 * user not yet created, the leader not yet connected, one rule already in place, one stale
 * rule. Runs where a POSIX shell is available.
 */
const shell = spawnSync('/bin/sh', ['-c', 'exit 0']).status === 0;
(shell ? describe : describe.skip)('replication set-up script', () => {
  const FAKE_CURL = `#!/bin/sh
state="$FAKE_STATE"
echo "$*" >> "$state/argv"
out=""; method=GET; data=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --config) cat > "$state/config"; shift 2;;
    --output) out=$2; shift 2;;
    --request) method=$2; shift 2;;
    --data) data=$2; shift 2;;
    --write-out|--cacert|--max-time|--header) shift 2;;
    --silent|--show-error) shift;;
    *) url=$1; shift;;
  esac
done
count() { c=$(cat "$state/$1" 2>/dev/null || echo 0); c=$((c+1)); echo $c > "$state/$1"; echo $c; }
path=\${url#"$OPENSEARCH_URL"}
echo "$method $path $data" >> "$state/requests"
case "$method $path" in
  "GET /_cluster/health"*) if [ "$(count health)" -lt 2 ]; then echo '{}' > "$out"; printf 401; else echo '{"status":"green"}' > "$out"; printf 200; fi;;
  "PUT /_cluster/settings") echo '{"acknowledged":true}' > "$out"; printf 200;;
  "GET /_remote/info") if [ "$(count remote)" -lt 2 ]; then echo '{"region-a":{"connected":false}}' > "$out"; else printf '{ "region-a" : { "connected" : true, "mode" : "proxy" } }' > "$out"; fi; printf 200;;
  "POST /_plugins/_replication/_autofollow") case "$data" in *payroll*) echo '{"error":{"reason":"autofollow pattern already exists"}}' > "$out"; printf 400;; *$FAIL_PATTERN*) echo '{"error":"boom"}' > "$out"; printf 500;; *) echo '{"acknowledged":true}' > "$out"; printf 200;; esac;;
  "GET /_plugins/_replication/autofollow_stats") echo '{"autofollow_stats":[{"name":"strata-employees_index"},{"name":"strata-old_index"},{"name":"by-hand"}]}' > "$out"; printf 200;;
  "DELETE /_plugins/_replication/_autofollow") echo '{"acknowledged":true}' > "$out"; printf 200;;
  *) echo '{}' > "$out"; printf 404;;
esac
`;

  function run(extraEnv: Record<string, string> = {}) {
    const dir = tempDir('strata-ccr-');
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.mkdirSync(path.join(dir, 'state'));
    fs.writeFileSync(path.join(dir, 'bin', 'curl'), FAKE_CURL, { mode: 0o755 });
    // A file a glob could expand a pattern to: the script must never expand patterns.
    fs.writeFileSync(path.join(dir, 'strata-employees_index=employees_index-glob-trap'), '');
    const env = {
      PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
      FAKE_STATE: path.join(dir, 'state'),
      OPENSEARCH_URL: 'https://search-data.opensearch.svc.cluster.local:9200',
      CA_FILE: '/dev/null',
      OPENSEARCH_USERNAME: 'replicator',
      OPENSEARCH_PASSWORD: 'pa"ss\\word with spaces',
      LEADER_ALIAS: 'region-a',
      LEADER_ADDRESS: 'search-transport.region-a.strata.example:9300',
      LEADER_ROLE,
      FOLLOWER_ROLE,
      AUTOFOLLOW_RULES: 'strata-employees_index=employees_index* strata-payroll_index=payroll_index*',
      RULE_PREFIX: 'strata-',
      ATTEMPTS: '5',
      INTERVAL: '0',
      FAIL_PATTERN: 'no-such-pattern',
      ...extraEnv,
    };
    const result = spawnSync('/bin/sh', ['-c', REPLICATION_SETUP_SCRIPT], { cwd: dir, env, encoding: 'utf8' });
    const read = (f: string) => fs.readFileSync(path.join(dir, 'state', f), 'utf8');
    return { ...result, requests: read('requests').trim().split('\n'), argv: read('argv'), config: read('config') };
  }

  test('waits for the user and the connection, sets proxy mode, creates rules, tolerates existing ones, removes stale ones it owns', () => {
    const result = run();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.requests).toEqual([
      'GET /_cluster/health?wait_for_status=yellow&timeout=5s ',
      'GET /_cluster/health?wait_for_status=yellow&timeout=5s ',
      'PUT /_cluster/settings {"persistent":{"cluster.remote.region-a.mode":"proxy","cluster.remote.region-a.proxy_address":"search-transport.region-a.strata.example:9300","cluster.remote.region-a.seeds":null}}',
      'GET /_remote/info ',
      'GET /_remote/info ',
      `POST /_plugins/_replication/_autofollow {"leader_alias":"region-a","name":"strata-employees_index","pattern":"employees_index*","use_roles":{"leader_cluster_role":"${LEADER_ROLE}","follower_cluster_role":"${FOLLOWER_ROLE}"}}`,
      `POST /_plugins/_replication/_autofollow {"leader_alias":"region-a","name":"strata-payroll_index","pattern":"payroll_index*","use_roles":{"leader_cluster_role":"${LEADER_ROLE}","follower_cluster_role":"${FOLLOWER_ROLE}"}}`,
      'GET /_plugins/_replication/autofollow_stats ',
      'DELETE /_plugins/_replication/_autofollow {"leader_alias":"region-a","name":"strata-old_index"}',
    ]);
    expect(result.stdout).toContain('auto-follow rule strata-payroll_index: already in place');
    expect(result.stdout).toContain('cross-cluster replication from region-a is set up');
  });

  test('credentials reach curl through its config on stdin, escaped, never through its arguments', () => {
    const result = run();
    expect(result.config).toBe('user = "replicator:pa\\"ss\\\\word with spaces"\n');
    expect(result.argv).not.toContain('word with spaces');
  });

  test('running it again repeats the same requests and succeeds', () => {
    const first = run();
    const second = run();
    expect(second.status).toBe(0);
    expect(second.requests).toEqual(first.requests);
  });

  test('any other failure of a rule fails the Job', () => {
    const result = run({ FAIL_PATTERN: 'employees_index' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('auto-follow rule strata-employees_index (employees_index*) failed with HTTP 500');
  });

  test('an unreachable leader fails the Job after ATTEMPTS', () => {
    const result = run({ LEADER_ALIAS: 'region-c' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('gave up: connection to leader region-c');
  });
});

test("the set-up Job is a grantee: its name, and pods that are the Job's", () => {
  const layer = follower();
  const r = layer.replication;
  expect(r.granteeName).toBe('search-replication-setup');
  expect(r.grantScope).toBe(r);
  expect(r.granteePods.namespace).toBe(jobOf(layer).metadata.namespace);
  expect(jobOf(layer).spec.template.metadata.labels).toEqual(expect.objectContaining(r.granteePods.podLabels));
});
