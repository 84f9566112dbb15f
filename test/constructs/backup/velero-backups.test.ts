import { App, Testing } from 'cdk8s';
import { VeleroBackups } from '../../../constructs/backup/velero-backups';
import { Grantee } from '../../../constructs/core/grantee';
import { LayerChart } from '../../../constructs/platform/layer-chart';
import { OverlayContext } from '../../../constructs/platform/overlay-context';
import { SecretReference } from '../../../constructs/secrets/secret-reference';
import { Bucket, BucketAccess, MinioTenant } from '../../../constructs/storage/minio-tenant';
import type { SecretBackend } from '../../../environments/model';

const backend: SecretBackend = { kind: 'external-secrets', storeName: 'platform-secrets', storeKind: 'ClusterSecretStore', refreshInterval: '1h' };

/** An overlay-shaped app: a data layer with a MinIO tenant and a backup layer, like charts/overlay.ts builds. */
function setup() {
  const app = new App({ outdir: '.strata-unused' });
  const context = new OverlayContext(app);
  const data = new LayerChart(app, 'data', { region: 'region-a', environment: 'prod' });
  const backup = new LayerChart(app, 'backup', { region: 'region-a', environment: 'prod' });
  const tenant = new MinioTenant(data, 'Minio', {
    name: 'storage',
    servers: 4,
    volumesPerServer: 1,
    volumeSize: '100Gi',
    storageClass: 'fast-ssd-retain',
    resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    secretBackend: backend,
    secretKeyPrefix: 'region-a/prod',
  });
  const velero = new VeleroBackups(backup, 'Velero', { secretBackend: backend });
  return { app, context, data, backup, tenant, velero };
}

const find = (manifests: any[], kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
};

describe('VeleroBackups', () => {
  test('requires the velero namespace (not a workload namespace)', () => {
    const { context } = setup();
    expect(context.namespaces.find((n) => n.name === 'velero')).toMatchObject({ workload: false });
  });

  test('storeIn: the default location on the MinIO bucket, with the tenant endpoint, CA and a `cloud` credential', () => {
    const { backup, tenant, velero } = setup();
    velero.storeIn(tenant.bucket('velero'));
    const bsl = find(Testing.synth(backup), 'BackupStorageLocation', 'default');
    expect(bsl.metadata.namespace).toBe('velero');
    expect(bsl.spec).toEqual({
      default: true,
      provider: 'aws',
      accessMode: 'ReadWrite',
      objectStorage: { bucket: 'velero', caCertRef: { name: 'strata-ca-trust', key: 'ca.crt' } },
      config: { region: 'minio', s3ForcePathStyle: 'true', s3Url: 'https://minio.minio.svc.cluster.local' },
      credential: { name: 'velero-s3-credentials', key: 'cloud' },
    });
  });

  test('storeIn: the credential is an ExternalSecret templating an AWS credentials file under `cloud`', () => {
    const { backup, tenant, velero } = setup();
    velero.storeIn(tenant.bucket('velero'));
    const secret = find(Testing.synth(backup), 'ExternalSecret', 'velero-s3-credentials');
    expect(secret.metadata.namespace).toBe('velero');
    expect(secret.spec.target.template).toEqual({
      engineVersion: 'v2',
      data: { cloud: '[default]\naws_access_key_id={{ .accessKey }}\naws_secret_access_key={{ .secretKey }}\n' },
    });
    expect(secret.spec.data).toEqual([
      { secretKey: 'accessKey', remoteRef: { key: 'region-a/prod/minio/storage/users/velero', property: 'accessKey' } },
      { secretKey: 'secretKey', remoteRef: { key: 'region-a/prod/minio/storage/users/velero', property: 'secretKey' } },
    ]);
  });

  test('storeIn: the bucket and user are declared on the tenant, and the backup layer depends on the data layer', () => {
    const { data, backup, tenant, velero } = setup();
    velero.storeIn(tenant.bucket('velero'));
    const manifests = Testing.synth(data);
    const t = find(manifests, 'Tenant', 'storage');
    expect(t.spec.buckets).toEqual([{ name: 'velero' }]);
    // The user is created by the tenant's access set-up Job with a policy for this bucket only.
    expect(t.spec.users).toBeUndefined();
    expect(find(manifests, 'ExternalSecret', 'velero-minio-user').metadata.namespace).toBe('minio');
    expect(
      JSON.parse(find(manifests, 'ConfigMap', 'storage-access-policies').data['strata-velero.json']).Statement.flatMap((s: any) => s.Resource),
    ).toEqual(['arn:aws:s3:::velero', 'arn:aws:s3:::velero/*']);
    expect([...backup.layerDependencies]).toContain(data);
  });

  test("storeIn: every Velero pod (server, node agents, data-path and maintenance pods) may reach MinIO, and only MinIO's S3 port", () => {
    const { backup, tenant, velero } = setup();
    velero.storeIn(tenant.bucket('velero'));
    const manifests = Testing.synth(backup);
    const egress = find(manifests, 'NetworkPolicy', 'allow-velero-to-minio-storage-egress');
    expect(egress.metadata.namespace).toBe('velero');
    expect(egress.spec.podSelector).toEqual({ matchLabels: {} });
    expect(egress.spec.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'minio' } },
            podSelector: { matchLabels: { 'v1.min.io/tenant': 'storage' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 9000 }],
      },
    ]);
    const ingress = find(manifests, 'NetworkPolicy', 'allow-velero-to-minio-storage-ingress');
    expect(ingress.metadata.namespace).toBe('minio');
    expect(ingress.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'velero' } }, podSelector: { matchLabels: {} } },
    ]);
  });

  test("Prometheus may scrape the Velero server's metrics port", () => {
    const { backup } = setup();
    const ingress = find(Testing.synth(backup), 'NetworkPolicy', 'allow-prometheus-to-velero-ingress');
    expect(ingress.spec.podSelector).toEqual({ matchLabels: { name: 'velero', 'app.kubernetes.io/name': 'velero' } });
    expect(ingress.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8085 }]);
  });

  test('storeIn twice is an error', () => {
    const { tenant, velero } = setup();
    velero.storeIn(tenant.bucket('velero'));
    expect(() => velero.storeIn(tenant.bucket('velero-2'))).toThrow(
      /storeIn\(velero-2\) called twice; Velero already stores backups in bucket velero/,
    );
  });

  test('restoreFrom: a ReadOnly location named after the peer, its credential from the secret store, egress on 443', () => {
    const { backup, tenant, velero } = setup();
    velero.storeIn(tenant.bucket('velero'));
    velero.restoreFrom({
      name: 'region-b',
      endpoint: 'https://s3.region-b.strata.example',
      bucket: 'velero',
      credentialsRemoteKey: 'region-b/prod/minio/storage/users/velero-region-a',
    });
    const manifests = Testing.synth(backup);
    const bsl = find(manifests, 'BackupStorageLocation', 'region-b');
    expect(bsl.spec).toEqual({
      default: false,
      provider: 'aws',
      accessMode: 'ReadOnly',
      objectStorage: { bucket: 'velero' },
      config: { region: 'minio', s3ForcePathStyle: 'true', s3Url: 'https://s3.region-b.strata.example' },
      credential: { name: 'velero-region-b-s3-credentials', key: 'cloud' },
    });
    const secret = find(manifests, 'ExternalSecret', 'velero-region-b-s3-credentials');
    expect(secret.spec.data.map((d: any) => d.remoteRef.key)).toEqual([
      'region-b/prod/minio/storage/users/velero-region-a',
      'region-b/prod/minio/storage/users/velero-region-a',
    ]);
    expect(Object.keys(secret.spec.target.template.data)).toEqual(['cloud']);
    const egress = find(manifests, 'NetworkPolicy', 'allow-velero-to-peer-region-b');
    expect(egress.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
  });

  test('restoreFrom: the same peer twice, or a peer named "default", is an error', () => {
    const { velero } = setup();
    const peer = { name: 'region-b', endpoint: 'https://s3.region-b.strata.example', bucket: 'velero', credentialsRemoteKey: 'k' };
    velero.restoreFrom(peer);
    expect(() => velero.restoreFrom(peer)).toThrow(/restoreFrom\(region-b\) called twice/);
    expect(() => velero.restoreFrom({ ...peer, name: 'default' })).toThrow(/cannot be named "default"/);
  });

  test('schedule: cron and ttl from the options, into the default location, pod volumes through the node agent', () => {
    const { backup, tenant, velero } = setup();
    velero.storeIn(tenant.bucket('velero'));
    velero.schedule({ cron: '0 2 * * *', ttl: '720h' });
    const schedule = find(Testing.synth(backup), 'Schedule', 'daily');
    expect(schedule.metadata.namespace).toBe('velero');
    expect(schedule.spec.schedule).toBe('0 2 * * *');
    expect(schedule.spec.template).toMatchObject({
      ttl: '720h',
      storageLocation: 'default',
      defaultVolumesToFsBackup: false,
      snapshotVolumes: false,
    });
  });

  test('schedule: every workload namespace, including those required after the call, plus extra namespaces', () => {
    const { context, backup, tenant, velero } = setup();
    velero.storeIn(tenant.bucket('velero'));
    velero.schedule({ name: 'nightly', cron: '30 1 * * *', ttl: '168h', extraNamespaces: ['legacy-app', 'minio'] });
    // Required after the schedule, like a layer built later.
    context.requireNamespace({ name: 'kafka', workload: true });
    context.requireNamespace({ name: 'strimzi-system', workload: false });
    const schedule = find(Testing.synth(backup), 'Schedule', 'nightly');
    expect(schedule.spec.template.includedNamespaces).toEqual(['kafka', 'legacy-app', 'minio']);
    expect(schedule.spec.template.ttl).toBe('168h');
  });

  test('schedule: no workload namespace to back up is an error at synth (Velero reads an empty list as every namespace)', () => {
    const app = new App({ outdir: '.strata-unused' });
    new OverlayContext(app);
    const backup = new LayerChart(app, 'backup', { region: 'region-a', environment: 'prod' });
    // A bucket outside this overlay: no workload namespace is required anywhere.
    const credentials = new SecretReference(backup, 'Credentials', {
      backend,
      namespace: 'velero',
      name: 'velero-s3-credentials',
      remoteKey: 'k',
      keys: { accessKey: 'accessKey', secretKey: 'secretKey' },
      template: { cloud: 'x' },
    });
    const bucket = {
      name: 'velero',
      grantReadWrite: (): BucketAccess => ({ bucket: 'velero', endpoint: 'https://s3.example', credentials, ca: { name: 'ca', key: 'ca.crt' } }),
    } as unknown as Bucket;
    const velero = new VeleroBackups(backup, 'Velero', { secretBackend: backend });
    velero.storeIn(bucket);
    velero.schedule({ cron: '0 2 * * *', ttl: '720h' });
    expect(() => Testing.synth(backup)).toThrow(/Velero schedule daily: the overlay has no workload namespace to back up; add extraNamespaces/);
  });

  test('schedule: validation names the schedule, the bad value and the fix', () => {
    const { tenant, velero } = setup();
    expect(() => velero.schedule({ cron: '0 2 * * *', ttl: '720h' })).toThrow(/call storeIn\(\) before schedule\(daily\)/);
    velero.storeIn(tenant.bucket('velero'));
    expect(() => velero.schedule({ cron: '0 2 * *', ttl: '720h' })).toThrow(
      /Velero schedule daily: cron "0 2 \* \*" is not a five-field cron expression/,
    );
    expect(() => velero.schedule({ cron: '0 2 * * *', ttl: '30d' })).toThrow(
      /Velero schedule daily: ttl "30d" is not a Go duration; use hours, e.g. 720h/,
    );
    expect(() => velero.schedule({ cron: '0 2 * * *', ttl: '720h', missingAfter: '2 days' })).toThrow(
      /missingAfter "2 days" is not a positive Go duration/,
    );
    velero.schedule({ cron: '0 2 * * *', ttl: '720h' });
    expect(() => velero.schedule({ cron: '0 3 * * *', ttl: '720h' })).toThrow(/schedule "daily" is defined twice/);
  });

  test('alerts: VeleroBackupFailed and VeleroBackupMissing for each schedule, the threshold 1.5 × a daily interval', () => {
    const { backup, tenant, velero } = setup();
    velero.storeIn(tenant.bucket('velero'));
    velero.schedule({ cron: '0 2 * * *', ttl: '720h' });
    const rule = find(Testing.synth(backup), 'PrometheusRule', 'velero-backups');
    expect(rule.metadata.namespace).toBe('velero');
    const rules = rule.spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual(['VeleroBackupFailed', 'VeleroBackupMissing', 'VeleroBackupMissing']);
    expect(rules[0].expr).toMatch(/velero_backup_failure_total\{schedule="daily"\}/);
    expect(rules[1].expr).toBe('time() - max by (schedule) (velero_backup_last_successful_timestamp{schedule="daily"}) > 129600');
    expect(rules[2]).toMatchObject({ expr: 'absent(velero_backup_last_successful_timestamp{schedule="daily"})', for: '36h' });
  });

  test('alerts: the threshold follows the schedule (hourly: 90m), an explicit missingAfter, or 26h when the interval varies', () => {
    const { backup, tenant, velero } = setup();
    velero.storeIn(tenant.bucket('velero'));
    velero.schedule({ name: 'hourly', cron: '15 * * * *', ttl: '48h' });
    velero.schedule({ name: 'workdays', cron: '0 2 * * 1-5', ttl: '720h' });
    velero.schedule({ name: 'explicit', cron: '0 2 * * *', ttl: '720h', missingAfter: '50h' });
    const rules = find(Testing.synth(backup), 'PrometheusRule', 'velero-backups').spec.groups[0].rules;
    const absentFor = (schedule: string) =>
      rules.find((r: any) => r.expr === `absent(velero_backup_last_successful_timestamp{schedule="${schedule}"})`).for;
    expect(absentFor('hourly')).toBe('90m');
    expect(absentFor('workdays')).toBe('26h');
    expect(absentFor('explicit')).toBe('50h');
  });
});

describe('Bucket.grantReadWrite credentialsFormat', () => {
  test('defaults to the env layout (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, no template)', () => {
    const { backup, tenant } = setup();
    const access = tenant.bucket('things').grantReadWrite(Grantee.of(backup, 'app', { namespace: 'app', podLabels: { app: 'app' } }));
    expect(access.credentials.keys).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    const secret = find(Testing.synth(backup), 'ExternalSecret', 'app-s3-credentials');
    expect(secret.spec.target.template).toBeUndefined();
  });
});
