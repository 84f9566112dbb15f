/**
 * VictoriaLogs as the cluster's log store (`monitoring.logging.backend: victorialogs`): one
 * VLSingle, reconciled by the VictoriaMetrics operator the VictoriaMetrics stack installs,
 * keeping `retentionDays` of logs on a volume of the region's fast class (and dropping the
 * oldest once 90% of it is used). Fluent Bit writes to it over HTTP (`/insert/jsonline`,
 * fluent-bit.ts); queries go to the same port (`/select/logsql/query`, VictoriaLogs' web UI).
 */
import { Construct } from 'constructs';
import * as vm from '../../imports/operator.victoriametrics.com';
import type { ComputeResources } from '../core/compute';
import type { IGrantee, PodGroup } from '../core/grantee';
import { parseQuantity } from '../core/quantity';
import { vmResources } from '../monitoring/victoria-metrics-stack';
import { VICTORIA_METRICS_OPERATOR } from '../operators/catalog';
import { allowTraffic } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { protectFromPrune } from '../platform/protection';

/** VictoriaLogs' HTTP port: ingestion, queries and its own metrics. */
export const VICTORIA_LOGS_PORT = 9428;
/** The object's name; the operator names its Service `vlsingle-<name>`. A public contract. */
export const VICTORIA_LOGS_NAME = 'platform';

export interface VictoriaLogsProps {
  /** Days logs are kept. */
  readonly retentionDays: number;
  /** The volume (e.g. `50Gi`). */
  readonly storageSize: string;
  /** The volume's storage class (the region's `fast`). */
  readonly storageClass: string;
  /** @default 'monitoring' (the VictoriaMetrics stack's namespace) */
  readonly namespace?: string;
  /** @default 100m CPU and 256Mi memory requested, 1 CPU and 1Gi memory limit */
  readonly resources?: ComputeResources;
}

export class VictoriaLogs extends Construct {
  public readonly namespace: string;
  public readonly pods: PodGroup;
  /** The in-cluster host Fluent Bit writes to. */
  public readonly host: string;

  constructor(scope: Construct, id: string, props: VictoriaLogsProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new Error(`VictoriaLogs: retentionDays ${props.retentionDays} is not a whole number of days of 1 or more`);
    }
    let bytes = 0;
    try {
      bytes = parseQuantity(props.storageSize);
    } catch {
      bytes = 0;
    }
    if (!(bytes >= 2 ** 30)) throw new Error(`VictoriaLogs: storageSize "${props.storageSize}" is not a volume size of 1Gi or more`);
    const context = OverlayContext.of(this);
    context.requireOperator(VICTORIA_METRICS_OPERATOR);
    this.namespace = context.requireNamespace({
      name: props.namespace ?? 'monitoring',
      workload: false,
      apiServerEgress: true,
      allowSameNamespace: true,
    });
    this.pods = { namespace: this.namespace, podLabels: { 'app.kubernetes.io/name': 'vlsingle', 'app.kubernetes.io/instance': VICTORIA_LOGS_NAME } };
    this.host = `vlsingle-${VICTORIA_LOGS_NAME}.${this.namespace}.svc`;
    const r = props.resources ?? { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
    const store = new vm.VlSingle(this, 'Store', {
      metadata: { name: VICTORIA_LOGS_NAME, namespace: this.namespace },
      spec: {
        retentionPeriod: `${props.retentionDays}d`,
        // Drop the oldest logs before the volume fills (VictoriaLogs stops accepting writes on a full disk).
        retentionMaxDiskSpaceUsageBytes: String(Math.floor(bytes * 0.9)),
        storage: {
          storageClassName: props.storageClass,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: vm.VlSingleSpecStorageResourcesRequests.fromString(props.storageSize) } },
        },
        resources: vmResources(vm.VlSingleSpecResourcesRequests, vm.VlSingleSpecResourcesLimits, r),
        useStrictSecurity: true,
      },
    });
    // The logs: removing the store from the tree leaves them on the claim.
    protectFromPrune(store);
  }

  /** Opens the store's port to a writer's pods (Fluent Bit). */
  public allowWrites(writer: IGrantee): void {
    allowTraffic(this, `AllowWrites-${writer.granteeName}`, {
      name: `allow-${writer.granteeName}-to-vlsingle`,
      from: writer.granteePods,
      to: this.pods,
      ports: [VICTORIA_LOGS_PORT],
    });
  }
}
