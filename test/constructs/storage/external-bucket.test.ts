import { VeleroBackups } from '../../../constructs/backup/velero-backups';
import { CloudNativePgCluster } from '../../../constructs/data/cloudnative-pg-cluster';
import { ZalandoPostgresCluster } from '../../../constructs/data/zalando-postgres-cluster';
import { OpenSearchCluster } from '../../../constructs/search/opensearch-cluster';
import { ExternalBucket, ExternalBucketProps } from '../../../constructs/storage/external-bucket';
import { EXTERNAL_SECRETS, schemaIssues, testLayer, TestLayer } from '../../support/layer';

const PROPS: ExternalBucketProps = {
  endpoint: 'https://s3.eu-central-1.amazonaws.com',
  bucket: 'dirtbike-backups',
  region: 'eu-central-1',
  secretBackend: EXTERNAL_SECRETS,
  credentialsRemoteKey: 'prod/s3/dirtbike-backups',
};

function withBucket(props: Partial<ExternalBucketProps> = {}): TestLayer & { bucket: ExternalBucket } {
  const layer = testLayer('data');
  return { ...layer, bucket: new ExternalBucket(layer.chart, 'Backups', { ...PROPS, ...props }) };
}

describe('ExternalBucket', () => {
  test('CloudNativePG backs up into it: the credential from the secret store in its namespace, the public CA, egress on 443', () => {
    const layer = withBucket();
    const pg = new CloudNativePgCluster(layer.chart, 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    const access = pg.backupTo(layer.bucket);
    expect(access).toMatchObject({ bucket: 'dirtbike-backups', endpoint: 'https://s3.eu-central-1.amazonaws.com', region: 'eu-central-1' });
    expect(access.ca).toBeUndefined();
    const store = layer.find('ObjectStore', 'postgres-backup', 'postgres');
    expect(store.spec.configuration).toMatchObject({
      destinationPath: 's3://dirtbike-backups/',
      endpointURL: 'https://s3.eu-central-1.amazonaws.com',
    });
    expect(store.spec.configuration.endpointCA).toBeUndefined();
    const secret = layer.find('ExternalSecret', 'postgres-s3-credentials', 'postgres');
    expect(secret.spec.data.map((d: any) => [d.secretKey, d.remoteRef])).toEqual([
      ['AWS_ACCESS_KEY_ID', { key: 'prod/s3/dirtbike-backups', property: 'accessKey' }],
      ['AWS_SECRET_ACCESS_KEY', { key: 'prod/s3/dirtbike-backups', property: 'secretKey' }],
    ]);
    const egress = layer.find('NetworkPolicy', 'allow-postgres-to-s3-dirtbike-backups', 'postgres');
    expect(egress.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    expect(layer.all('Tenant')).toEqual([]);
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('a provider with a private CA: the CA from the secret store, given to the consumer', () => {
    const layer = withBucket({ caRemoteKey: 'prod/s3/ca', endpoint: 'https://storage.example.org:9443', endpointCidrs: ['203.0.113.10/32'] });
    const pg = new CloudNativePgCluster(layer.chart, 'Postgres', { secretBackend: EXTERNAL_SECRETS });
    expect(pg.backupTo(layer.bucket).ca).toEqual({ name: 'dirtbike-backups-s3-ca', key: 'ca.crt' });
    expect(layer.find('ObjectStore', 'postgres-backup', 'postgres').spec.configuration.endpointCA).toEqual({
      name: 'dirtbike-backups-s3-ca',
      key: 'ca.crt',
    });
    expect(layer.find('ExternalSecret', 'dirtbike-backups-s3-ca', 'postgres').spec.data).toEqual([
      { secretKey: 'ca.crt', remoteRef: { key: 'prod/s3/ca', property: 'ca.crt' } },
    ]);
    expect(layer.find('NetworkPolicy', 'allow-postgres-to-s3-dirtbike-backups', 'postgres').spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '203.0.113.10/32' } }], ports: [{ protocol: 'TCP', port: 9443 }] },
    ]);
  });

  test("Velero stores in it with the bucket's region and no CA reference; Zalando archives with no CA file", () => {
    const layer = withBucket();
    const velero = new VeleroBackups(layer.chart, 'Velero', { secretBackend: EXTERNAL_SECRETS });
    velero.storeIn(layer.bucket);
    const location = layer.all('BackupStorageLocation')[0];
    expect(location.spec.objectStorage).toEqual({ bucket: 'dirtbike-backups' });
    expect(location.spec.config).toMatchObject({ region: 'eu-central-1', s3Url: 'https://s3.eu-central-1.amazonaws.com' });

    const zalando = new ZalandoPostgresCluster(layer.chart, 'Zalando', { name: 'pg', secretBackend: EXTERNAL_SECRETS });
    zalando.backupTo(layer.bucket);
    const env = layer.find('postgresql', 'pg', 'postgres').spec.env.map((e: any) => e.name);
    expect(env).toEqual(expect.arrayContaining(['WALG_S3_PREFIX', 'AWS_ENDPOINT', 'AWS_REGION']));
    expect(env).not.toContain('WALG_S3_CA_CERT_FILE');
    expect(layer.find('postgresql', 'pg', 'postgres').spec.env).toContainEqual({ name: 'AWS_REGION', value: 'eu-central-1' });
    expect(layer.find('ExternalSecret', 'pg-s3-credentials', 'postgres').spec.target.template?.data?.AWS_CA_BUNDLE).toBeUndefined();
    expect(schemaIssues(layer.manifests())).toEqual([]);
  });

  test('OpenSearch snapshots need a bucket with its own CA for now, and say so; bad endpoints and names are refused', () => {
    const layer = withBucket();
    const search = new OpenSearchCluster(layer.chart, 'Search', { secretBackend: EXTERNAL_SECRETS });
    expect(() => search.backupTo(layer.bucket)).toThrow('snapshots to bucket dirtbike-backups, which has no CA of its own, are not supported yet');
    expect(() => withBucket({ endpoint: 'http://s3.example.org' })).toThrow('is not https');
    expect(() => withBucket({ endpoint: 's3.example.org' })).toThrow('is not a URL');
    expect(() => withBucket({ bucket: 'Bad_Name' })).toThrow('external bucket "Bad_Name" is not a valid S3 bucket name');
  });
});
