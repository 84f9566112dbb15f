import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as velero from '../../imports/velero.io';
import type { IGrantee, PodGroup as GranteePods } from '../core/grantee';
import type { SecretBackend } from '../core/secret-backend';
import { addAlertRules, Alert, RUNBOOKS } from '../platform/alert-rules';
import { allowEgressToAddresses, PodGroup } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { cronIntervalSeconds, goDurationSeconds, promDuration } from '../platform/schedule-interval';
import { admitScrape } from '../platform/scrape';
import { SecretReference } from '../secrets/secret-reference';
import { AWS_CREDENTIALS_FILE, BucketAccess, IBucket } from '../storage/bucket';

/** Name of the location backups go to when a backup names none. */
export const DEFAULT_LOCATION = 'default';
/**
 * Where Velero writes a restore's log, results and resource list, in the bucket of the
 * backup it restores, even when that location is ReadOnly: a reader of another region's
 * bucket needs write access here, or every restore ends PartiallyFailed.
 */
export const VELERO_RESTORES_PREFIX = 'restores/';
/** Velero's metrics port (`http-monitoring`). */
const METRICS_PORT = 8085;
/** MinIO ignores the region, but the AWS SDK needs one. */
const S3_REGION = 'minio';
/** Alert threshold when the schedule's interval is not fixed. */
const DEFAULT_MISSING_AFTER_SECONDS = 26 * 3600;

export interface VeleroBackupsProps {
  /** The region's secret store, for credentials of other regions' buckets. */
  readonly secretBackend: SecretBackend;
  /** Namespace Velero is installed in (by the operators layer). @default 'velero' */
  readonly namespace?: string;
}

/** Another region's bucket, read for disaster-recovery restores. */
export interface VeleroPeerLocation {
  /** The peer region's name; also the location's name. */
  readonly name: string;
  /** S3 endpoint of the peer region's object storage, reachable from here. */
  readonly endpoint: string;
  readonly bucket: string;
  /** Secret-store key of a credential (`accessKey`, `secretKey`) for that bucket. */
  readonly credentialsRemoteKey: string;
}

export interface VeleroScheduleOptions {
  /** Schedule name; also the `schedule` label of Velero's metrics. @default 'daily' */
  readonly name?: string;
  /** Five-field cron (or `@daily`, `@every 6h`, ...) in the Velero server's time zone. */
  readonly cron: string;
  /** Retention of each backup, a Go duration such as `720h`. */
  readonly ttl: string;
  /**
   * Namespaces backed up besides every workload namespace of the overlay.
   * @default none
   */
  readonly extraNamespaces?: readonly string[];
  /**
   * How long without a successful backup before `VeleroBackupMissing` fires.
   * @default 1.5 × the schedule's interval when it is fixed (36h for a daily schedule), else 26h
   */
  readonly missingAfter?: string;
}

interface ScheduleRecord {
  readonly name: string;
  readonly missingAfterSeconds: number;
}

/**
 * Velero's backup configuration in a cluster whose Velero the operators layer installs:
 * the default BackupStorageLocation in a MinIO bucket (`storeIn`), read-only locations on
 * other regions' buckets for DR restores (`restoreFrom`), Schedules covering every workload
 * namespace (`schedule`) and alerts for failed or missing backups. Every credential is an
 * ExternalSecret, every network path an explicit NetworkPolicy.
 */
export class VeleroBackups extends Construct implements IGrantee {
  public readonly namespace: string;
  /**
   * Every pod of the namespace: besides the server and node agents, Velero starts pods of its
   * own for file-system backups and repository maintenance that carry no fixed label, and all
   * of them reach the object store.
   */
  public readonly pods: PodGroup;
  /** The Velero server (the metrics Service selects it by these labels). */
  public readonly serverPods: PodGroup;

  private readonly props: VeleroBackupsProps;
  private readonly peers = new Set<string>();
  private readonly schedules: ScheduleRecord[] = [];
  private alertsAdded = false;
  private defaultLocation?: BucketAccess;

  constructor(scope: Construct, id: string, props: VeleroBackupsProps) {
    super(scope, id);
    this.props = props;
    this.namespace = OverlayContext.of(this).requireNamespace({ name: props.namespace ?? 'velero', workload: false });
    this.pods = { namespace: this.namespace, podLabels: {} };
    this.serverPods = { namespace: this.namespace, podLabels: { name: 'velero', 'app.kubernetes.io/name': 'velero' } };

    // The chart's ServiceMonitor scrapes the server in the cluster; a Prometheus outside gets a job of its own.
    admitScrape(this, 'AllowScrape', { name: 'velero', pods: this.serverPods, ports: [METRICS_PORT], endpoints: [{ portNumber: METRICS_PORT }] });
  }

  /**
   * Stores backups in `bucket`: the `default` location, with its own credential (an AWS
   * credentials file), the tenant's CA and the network path to the tenant.
   */
  /** IGrantee: Velero's pods (server and node agents), as `velero` (its bucket credential). */
  public get granteeName(): string {
    return 'velero';
  }

  public get granteePods(): GranteePods {
    return this.pods;
  }

  public get grantScope(): Construct {
    return this;
  }

  public storeIn(bucket: IBucket): BucketAccess {
    if (this.defaultLocation) {
      throw new Error(
        `${this.node.path}: storeIn(${bucket.bucketName}) called twice; Velero already stores backups in bucket ${this.defaultLocation.bucket}`,
      );
    }
    const access = bucket.grantReadWrite(this, { credentialsFormat: 'aws-credentials-file' });
    new velero.BackupStorageLocation(this, 'DefaultLocation', {
      metadata: { name: DEFAULT_LOCATION, namespace: this.namespace },
      spec: {
        default: true,
        provider: 'aws',
        accessMode: velero.BackupStorageLocationSpecAccessMode.READ_WRITE,
        objectStorage: { bucket: access.bucket, ...(access.ca ? { caCertRef: { name: access.ca.name, key: access.ca.key } } : {}) },
        config: { region: access.region ?? S3_REGION, s3ForcePathStyle: 'true', s3Url: access.endpoint },
        credential: access.credentials.selector('cloud'),
      },
    });
    this.defaultLocation = access;
    return access;
  }

  /**
   * Reads another region's backups for disaster-recovery restores: a ReadOnly location named
   * after the peer (Velero never writes to or prunes it), with the peer's credential from the
   * secret store and egress to the peer's endpoint.
   */
  public restoreFrom(peer: VeleroPeerLocation): void {
    if (peer.name === DEFAULT_LOCATION) {
      throw new Error(`${this.node.path}: a peer location cannot be named "${DEFAULT_LOCATION}"; name it after the peer region`);
    }
    if (this.peers.has(peer.name)) throw new Error(`${this.node.path}: restoreFrom(${peer.name}) called twice`);
    this.peers.add(peer.name);
    const credentials = new SecretReference(this, `PeerCredentials-${peer.name}`, {
      backend: this.props.secretBackend,
      namespace: this.namespace,
      name: `velero-${peer.name}-s3-credentials`,
      remoteKey: peer.credentialsRemoteKey,
      keys: { accessKey: 'accessKey', secretKey: 'secretKey' },
      template: { cloud: AWS_CREDENTIALS_FILE },
    });
    new velero.BackupStorageLocation(this, `PeerLocation-${peer.name}`, {
      metadata: { name: peer.name, namespace: this.namespace },
      spec: {
        default: false,
        provider: 'aws',
        accessMode: velero.BackupStorageLocationSpecAccessMode.READ_ONLY,
        objectStorage: { bucket: peer.bucket },
        config: { region: S3_REGION, s3ForcePathStyle: 'true', s3Url: peer.endpoint },
        credential: credentials.selector('cloud'),
      },
    });
    // The peer's object storage is outside this cluster; its address is not known here, its port is.
    allowEgressToAddresses(this, `AllowPeer-${peer.name}`, {
      name: `allow-velero-to-peer-${peer.name}`,
      from: this.pods,
      cidrs: ['0.0.0.0/0'],
      ports: [443],
    });
  }

  /**
   * Backs up every workload namespace of the overlay (those required later included) plus
   * `extraNamespaces` on `cron` into the default location, pod volumes through the node agent,
   * and alerts when a run fails or no run succeeded for `missingAfter`.
   */
  public schedule(options: VeleroScheduleOptions): void {
    const name = options.name ?? 'daily';
    if (!this.defaultLocation) throw new Error(`${this.node.path}: call storeIn() before schedule(${name}): backups need a default location`);
    if (this.schedules.some((s) => s.name === name)) throw new Error(`${this.node.path}: schedule "${name}" is defined twice`);
    assertCron(name, options.cron);
    if (goDurationSeconds(options.ttl) === undefined) {
      throw new Error(`Velero schedule ${name}: ttl "${options.ttl}" is not a Go duration; use hours, e.g. 720h for 30 days`);
    }
    let missingAfterSeconds = DEFAULT_MISSING_AFTER_SECONDS;
    if (options.missingAfter !== undefined) {
      const seconds = goDurationSeconds(options.missingAfter);
      if (!seconds) throw new Error(`Velero schedule ${name}: missingAfter "${options.missingAfter}" is not a positive Go duration, e.g. 36h`);
      missingAfterSeconds = seconds;
    } else {
      const interval = cronIntervalSeconds(options.cron);
      if (interval !== undefined) missingAfterSeconds = 1.5 * interval;
    }

    const context = OverlayContext.of(this);
    const extra = options.extraNamespaces ?? [];
    new velero.Schedule(this, `Schedule-${name}`, {
      metadata: { name, namespace: this.namespace },
      spec: {
        schedule: options.cron,
        template: {
          // Resolved at synth, so namespaces required by layers built later are covered too.
          includedNamespaces: Lazy.any({ produce: () => this.namespacesToBackUp(name, context, extra) }) as unknown as string[],
          ttl: options.ttl,
          storageLocation: DEFAULT_LOCATION,
          // Opt-in per pod (backup.velero.io/backup-volumes): PostgreSQL archives itself to
          // MinIO, and copying MinIO's own disks into MinIO would only grow the repository.
          defaultVolumesToFsBackup: false,
          // No VolumeSnapshotLocation exists: opted-in pod volumes go through the node agent.
          snapshotVolumes: false,
        },
      },
    });
    this.schedules.push({ name, missingAfterSeconds });
    if (!this.alertsAdded) {
      this.alertsAdded = true;
      addAlertRules(this, 'Alerts', {
        name: 'velero-backups',
        namespace: this.namespace,
        labels: {},
        alerts: () => this.alerts(),
        runbooks: RUNBOOKS.backup,
      });
    }
  }

  private namespacesToBackUp(schedule: string, context: OverlayContext, extra: readonly string[]): string[] {
    const names = [...new Set([...context.namespaces.filter((n) => n.workload).map((n) => n.name), ...extra])].sort();
    // Velero reads an empty list as "every namespace".
    if (names.length === 0) {
      throw new Error(`Velero schedule ${schedule}: the overlay has no workload namespace to back up; add extraNamespaces or drop the schedule`);
    }
    return names;
  }

  private alerts(): Alert[] {
    return this.schedules.flatMap((s): Alert[] => {
      const selector = `{schedule="${s.name}"}`;
      const missingAfter = promDuration(s.missingAfterSeconds);
      const failed = ['failure', 'partial_failure', 'validation_failure']
        .map((outcome) => `increase(velero_backup_${outcome}_total${selector}[1h])`)
        .join(' + ');
      return [
        {
          alert: 'VeleroBackupFailed',
          expr: `sum by (schedule) (${failed}) > 0`,
          severity: 'warning',
          summary: `Velero backup of schedule ${s.name} failed`,
          description:
            'A backup of schedule {{ $labels.schedule }} failed, partially failed or failed validation in the last hour; see `velero backup describe` and the Velero server logs.',
        },
        {
          alert: 'VeleroBackupMissing',
          expr: `time() - max by (schedule) (velero_backup_last_successful_timestamp${selector}) > ${Math.round(s.missingAfterSeconds)}`,
          for: '15m',
          severity: 'critical',
          summary: `No successful Velero backup of schedule ${s.name} for ${missingAfter}`,
          description: 'The last successful backup of schedule {{ $labels.schedule }} is {{ $value | humanizeDuration }} old.',
        },
        {
          // The timestamp is only exported once a backup has succeeded since the server started.
          alert: 'VeleroBackupMissing',
          expr: `absent(velero_backup_last_successful_timestamp${selector})`,
          for: missingAfter,
          severity: 'critical',
          summary: `No successful Velero backup of schedule ${s.name} for ${missingAfter}`,
          description: `Velero has not reported a successful backup of schedule ${s.name} for ${missingAfter} (or is not scraped).`,
        },
      ];
    });
  }
}

const CRON_FIELD = /^[0-9A-Za-z*?/,-]+$/;

function assertCron(schedule: string, cron: string): void {
  const expr = cron.trim();
  const fields = expr.split(/\s+/);
  const ok =
    /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(expr) ||
    (/^@every\s+\S+$/.test(expr) && goDurationSeconds(expr.split(/\s+/)[1]) !== undefined) ||
    (fields.length === 5 && fields.every((f) => CRON_FIELD.test(f)));
  if (!ok) {
    throw new Error(
      `Velero schedule ${schedule}: cron "${cron}" is not a five-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 2 * * *"`,
    );
  }
}
