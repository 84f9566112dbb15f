/**
 * Fluent Bit as a DaemonSet (the pinned fluent-bit chart) shipping every container's log to an
 * OpenSearch cluster (its own user and role there, writing to the log indices only, the
 * credential and the platform CA in its namespace, an index template and a retention policy
 * for the log indices), to VictoriaLogs (victoria-logs.ts) or to Loki (loki.ts), and the network
 * paths it needs.
 */
import { Construct } from 'constructs';
import { fluentBitAlerts } from './fluent-bit-alerts';
import { Loki, LOKI_PORT } from './loki';
import { VICTORIA_LOGS_PORT, VictoriaLogs } from './victoria-logs';
import type { ComputeResources } from '../core/compute';
import type { GitOpsSpec } from '../core/gitops';
import type { IGrantee, PodGroup } from '../core/grantee';
import { PROMETHEUS_OPERATOR } from '../operators/catalog';
import { releaseChart } from '../operators/chart-release';
import { addAlertRules, RUNBOOKS } from '../platform/alert-rules';
import { ExternalPrometheus } from '../platform/external-prometheus';
import { OverlayContext } from '../platform/overlay-context';
import { admitScrape } from '../platform/scrape';
import type { OpenSearchCluster } from '../search/opensearch-cluster';

/** The chart's HTTP server: health checks and metrics. */
export const FLUENT_BIT_METRICS_PORT = 2020;
const RELEASE = 'fluent-bit';
const CA_DIR = '/fluent-bit/tls';

export interface FluentBitProps {
  /** The OpenSearch cluster the logs are written to (on the same cluster as Fluent Bit); or `victoriaLogs`, or `loki`. */
  readonly opensearch?: OpenSearchCluster;
  /** The VictoriaLogs store the logs are written to (on the same cluster); or `opensearch`, or `loki`. */
  readonly victoriaLogs?: VictoriaLogs;
  /** The Loki the logs are pushed to (on the same cluster); or `opensearch`, or `victoriaLogs`. */
  readonly loki?: Loki;
  /**
   * Fixed labels of every Loki stream, beside namespace, pod and container (`loki` only): the
   * region, environment and cluster, as Prometheus labels its series. @default none
   */
  readonly streamLabels?: Readonly<Record<string, string>>;
  /** Days a day's index is kept before the retention policy deletes it (OpenSearch; VictoriaLogs keeps its own retention). @default 14 */
  readonly retentionDays?: number;
  /** Prefix of the daily indices, `<prefix>-YYYY.MM.DD`. @default 'logs' */
  readonly indexPrefix?: string;
  /** @default 'logging' */
  readonly namespace?: string;
  /** Requests and limits of each Fluent Bit pod. @default 50m CPU and 64Mi memory requested, 500m CPU and 256Mi memory limit */
  readonly resources?: ComputeResources;
  /** The engine that applies the release (a Flux HelmRelease or an Argo CD Application). @default the PlatformApp's */
  readonly gitops?: GitOpsSpec;
  /** The Argo CD project of the Application (Argo CD only). @default the PlatformApp's */
  readonly argoProject?: string;
}

/**
 * Collects the logs of every container on every node (the `tail` input on
 * /var/log/containers, through a hostPath, hence a `privileged` namespace), adds the pod's
 * metadata (the `kubernetes` filter, which asks the API server) and writes daily
 * `<prefix>-YYYY.MM.DD` indices to OpenSearch over TLS, verified against the platform CA.
 *
 * The release lives in the layer of this construct, not in the operators layer: its pods
 * mount the credential and the CA Secrets rendered beside it, and a layer waits for the one
 * before it to be ready, so a release in the operators layer would wait for Secrets of a
 * later layer that is never applied. Here they are applied together, after the search layer
 * (the grant makes this layer depend on it), and the release waits only for its own pods.
 */
export class FluentBit extends Construct implements IGrantee {
  public readonly namespace: string;
  /** The Fluent Bit pods. */
  public readonly pods: PodGroup;
  /** The index pattern the logs are written to, `<prefix>-*`. */
  public readonly indexPattern: string;

  constructor(scope: Construct, id: string, props: FluentBitProps) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? 14;
    const prefix = props.indexPrefix ?? 'logs';
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(prefix)) {
      throw new Error(`Fluent Bit: indexPrefix "${prefix}" must be a lower-case index name (letters, digits, -), e.g. logs`);
    }
    if ([props.opensearch, props.victoriaLogs, props.loki].filter((store) => store !== undefined).length !== 1) {
      throw new Error('Fluent Bit: give exactly one of opensearch, victoriaLogs and loki, the store the logs go to');
    }
    for (const [key, value] of Object.entries(props.streamLabels ?? {})) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key) || !/^[A-Za-z0-9._/-]+$/.test(value)) {
        throw new Error(
          `Fluent Bit: stream label ${key}=${value} must be a label name (letters, digits, _) with a plain value (letters, digits, . _ / -)`,
        );
      }
    }
    const context = OverlayContext.of(this);
    this.namespace = context.requireNamespace({
      name: props.namespace ?? 'logging',
      // A node agent, like an operator: no tier quota, whose pod count would cap the nodes.
      workload: false,
      podSecurity: 'privileged',
      podSecurityReason: 'Fluent Bit reads the container logs of its node through a hostPath volume (/var/log)',
      // The kubernetes filter reads pod metadata from the API server.
      apiServerEgress: true,
    });
    this.pods = { namespace: this.namespace, podLabels: { 'app.kubernetes.io/name': 'fluent-bit', 'app.kubernetes.io/instance': RELEASE } };
    this.indexPattern = `${prefix}-*`;

    const output = props.opensearch
      ? this.openSearchOutput(props.opensearch, prefix, retentionDays)
      : props.victoriaLogs
        ? this.victoriaLogsOutput(props.victoriaLogs)
        : this.lokiOutput(props.loki!, props.streamLabels ?? {});

    const external = ExternalPrometheus.of(this) !== undefined;
    // The chart's ServiceMonitor needs the Prometheus operator's CRDs; a Prometheus outside scrapes the pods itself.
    if (!external) context.requireOperator(PROMETHEUS_OPERATOR);
    admitScrape(this, 'AllowScrape', {
      name: 'fluent-bit',
      pods: this.pods,
      ports: [FLUENT_BIT_METRICS_PORT],
      endpoints: [{ portNumber: FLUENT_BIT_METRICS_PORT, path: '/api/v2/metrics/prometheus' }],
    });
    // Beside the release, in its namespace; or in the rule file of a Prometheus outside the cluster.
    addAlertRules(this, 'Alerts', {
      name: RELEASE,
      namespace: this.namespace,
      labels: { namespace: this.namespace },
      alerts: () => fluentBitAlerts({ name: RELEASE, namespace: this.namespace }),
      runbooks: RUNBOOKS.logging,
    });

    const resources = props.resources ?? { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } };
    releaseChart(this, 'Release', {
      name: RELEASE,
      chart: 'fluentBit',
      namespace: this.namespace,
      ...(props.gitops ? { gitops: props.gitops } : {}),
      ...(props.argoProject ? { argoProject: props.argoProject } : {}),
      // No CRDs and no data of its own: removing logging removes Fluent Bit.
      protectFromPrune: false,
      values: {
        image: { pullPolicy: 'IfNotPresent' },
        // The chart's test pod runs an unpinned busybox.
        testFramework: { enabled: false },
        resources,
        // Every node, whatever its taints (database nodes, control plane): their containers log too.
        tolerations: [{ operator: 'Exists' }],
        // Root, to read the node's log files (owned by root) and keep its read positions there; nothing else.
        securityContext: {
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        ...output.values,
        serviceMonitor: { enabled: !external },
        config: {
          inputs: section('INPUT', {
            Name: 'tail',
            Path: '/var/log/containers/*.log',
            'multiline.parser': 'docker, cri',
            Tag: 'kube.*',
            // On the node (the /var/log hostPath): a restarted pod resumes where it stopped.
            DB: '/var/log/fluent-bit-containers.db',
            Mem_Buf_Limit: '50MB',
            Skip_Long_Lines: 'On',
          }),
          filters: section('FILTER', {
            Name: 'kubernetes',
            Match: 'kube.*',
            // JSON logs are parsed under one key, so applications' fields cannot clash with the mapping.
            Merge_Log: 'On',
            Merge_Log_Key: 'log_processed',
            Keep_Log: 'Off',
            Labels: 'On',
            Annotations: 'Off',
            'K8S-Logging.Parser': 'On',
            'K8S-Logging.Exclude': 'On',
          }),
          outputs: output.section,
        },
      },
    });
  }

  /** OpenSearch: the user, role, template and retention policy there; the credential and CA here. */
  private openSearchOutput(
    opensearch: OpenSearchCluster,
    prefix: string,
    retentionDays: number,
  ): { values: Record<string, unknown>; section: string } {
    // A user and role writing the log indices only, its credential and the CA here, the network path to port 9200.
    const access = opensearch.grantIndexWrite(this, [this.indexPattern]);
    opensearch.addIndexTemplate(prefix, { indexPatterns: [this.indexPattern], mappings: LOG_MAPPINGS });
    opensearch.addRetentionPolicy(`${prefix}-retention`, { indexPatterns: [this.indexPattern], deleteAfterDays: retentionDays });
    const endpoint = new URL(access.endpoint);
    return {
      values: {
        env: [
          { name: 'OPENSEARCH_USERNAME', valueFrom: { secretKeyRef: { name: access.credentials.name, key: 'username' } } },
          { name: 'OPENSEARCH_PASSWORD', valueFrom: { secretKeyRef: { name: access.credentials.name, key: 'password' } } },
        ],
        extraVolumes: [{ name: 'opensearch-ca', secret: { secretName: access.ca.name, items: [{ key: access.ca.key, path: access.ca.key }] } }],
        extraVolumeMounts: [{ name: 'opensearch-ca', mountPath: CA_DIR, readOnly: true }],
      },
      section: section('OUTPUT', {
        Name: 'opensearch',
        Match: 'kube.*',
        Host: endpoint.hostname,
        Port: endpoint.port,
        // Read from the environment when Fluent Bit starts: no credential in the configuration.
        HTTP_User: '${OPENSEARCH_USERNAME}',
        HTTP_Passwd: '${OPENSEARCH_PASSWORD}',
        tls: 'On',
        'tls.verify': 'On',
        'tls.ca_file': `${CA_DIR}/${access.ca.key}`,
        Logstash_Format: 'On',
        Logstash_Prefix: prefix,
        Logstash_DateFormat: '%Y.%m.%d',
        // OpenSearch 2 and later refuse mapping types.
        Suppress_Type_Name: 'On',
        Replace_Dots: 'On',
        Trace_Error: 'On',
        Retry_Limit: 'False',
      }),
    };
  }

  /**
   * VictoriaLogs' JSON lines API: the log line is the message, Fluent Bit's timestamp the time,
   * and one stream per container (namespace, pod, container and stdout/stderr), the fields
   * VictoriaLogs indexes streams by. Inside the cluster, without credentials (the network
   * policy admits Fluent Bit's pods only).
   */
  private victoriaLogsOutput(store: VictoriaLogs): { values: Record<string, unknown>; section: string } {
    store.allowWrites(this);
    const streams = ['kubernetes.namespace_name', 'kubernetes.pod_name', 'kubernetes.container_name', 'stream'].join(',');
    return {
      values: {},
      section: section('OUTPUT', {
        Name: 'http',
        Match: 'kube.*',
        Host: store.host,
        Port: String(VICTORIA_LOGS_PORT),
        URI: `/insert/jsonline?_stream_fields=${streams}&_msg_field=log&_time_field=date`,
        Format: 'json_lines',
        Json_Date_Key: 'date',
        Json_Date_Format: 'iso8601',
        compress: 'gzip',
        Retry_Limit: 'False',
      }),
    };
  }

  /**
   * Loki's push API (its built-in `loki` output): one stream per container (namespace, pod,
   * container) under the fixed labels, the record as a JSON line. Inside the cluster, one
   * tenant, no credential (the network policy admits Fluent Bit's pods only).
   */
  private lokiOutput(store: Loki, fixed: Readonly<Record<string, string>>): { values: Record<string, unknown>; section: string } {
    store.allowWrites(this);
    const labels = [
      'job=fluent-bit',
      ...Object.entries(fixed).map(([k, v]) => `${k}=${v}`),
      "namespace=$kubernetes['namespace_name']",
      "pod=$kubernetes['pod_name']",
      "container=$kubernetes['container_name']",
    ];
    return {
      values: {},
      section: section('OUTPUT', {
        Name: 'loki',
        Match: 'kube.*',
        Host: store.pushHost,
        Port: String(LOKI_PORT),
        Labels: labels.join(', '),
        // The pod's labels would make a stream per label set: they stay in the line.
        Auto_Kubernetes_Labels: 'Off',
        Line_Format: 'json',
        Retry_Limit: 'False',
      }),
    };
  }

  public get granteeName(): string {
    return RELEASE;
  }

  public get granteePods(): PodGroup {
    return this.pods;
  }

  public get grantScope(): Construct {
    return this;
  }
}

/** The fields every log record has; JSON logs and labels as flat objects (no mapping growth per application). */
const LOG_MAPPINGS = {
  properties: {
    '@timestamp': { type: 'date' },
    log: { type: 'text' },
    stream: { type: 'keyword' },
    log_processed: { type: 'flat_object' },
    kubernetes: {
      properties: {
        namespace_name: { type: 'keyword' },
        pod_name: { type: 'keyword' },
        pod_id: { type: 'keyword' },
        container_name: { type: 'keyword' },
        container_image: { type: 'keyword' },
        host: { type: 'keyword' },
        labels: { type: 'flat_object' },
      },
    },
  },
};

/** One section of Fluent Bit's classic configuration. */
function section(kind: string, entries: Readonly<Record<string, string>>): string {
  const width = Math.max(...Object.keys(entries).map((k) => k.length));
  return [`[${kind}]`, ...Object.entries(entries).map(([k, v]) => `    ${k.padEnd(width)} ${v}`)].join('\n') + '\n';
}
