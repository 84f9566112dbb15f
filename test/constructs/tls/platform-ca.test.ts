import { Construct } from 'constructs';
import { GitOpsSpec, PlatformApp } from '../../../constructs';
import { PlatformCa } from '../../../constructs/tls/platform-ca';
import { SchemaValidator } from '../../../gitops/validator';

const gitops: GitOpsSpec = { engine: 'flux', path: './clusters', sourceRef: { name: 'flux-system', namespace: 'flux-system' }, interval: '10m' };

function platform() {
  const app = new PlatformApp({ region: 'eu-west', environment: 'prod', gitops });
  for (const name of ['postgres', 'kafka']) app.context.requireNamespace({ name, workload: true });
  const objects = () => app.completeLayers().flatMap((l) => l.toJson().map((o: any) => ({ layer: l.layer, ...o })));
  return { app, objects };
}

describe('PlatformCa', () => {
  test("one CA per overlay: a self-signed bootstrap issuer, the root certificate and the CA issuer, in cert-manager's namespace", () => {
    const { app, objects } = platform();
    const data = new Construct(app.layer('data'), 'Db');
    const ca = PlatformCa.of(data);
    expect(PlatformCa.of(new Construct(app.layer('search'), 'Search'))).toBe(ca);
    const root = objects().find((o) => o.kind === 'Certificate' && o.metadata.name === 'strata-root-ca');
    expect(root).toMatchObject({
      layer: 'data',
      metadata: { namespace: 'cert-manager' },
      spec: {
        isCA: true,
        secretName: 'strata-root-ca',
        privateKey: { rotationPolicy: 'Never' },
        issuerRef: { name: 'strata-selfsigned', kind: 'ClusterIssuer' },
      },
    });
    expect(
      objects()
        .filter((o) => o.kind === 'ClusterIssuer')
        .map((o) => [o.metadata.name, o.spec]),
    ).toEqual([
      ['strata-selfsigned', { selfSigned: {} }],
      ['strata-ca', { ca: { secretName: 'strata-root-ca' } }],
    ]);
  });

  test('the root and its issuers are protected from pruning: the CA survives moving to another layer', () => {
    const { app, objects } = platform();
    PlatformCa.of(new Construct(app.layer('backup'), 'X'));
    const caObjects = objects().filter((o) => ['ClusterIssuer', 'Certificate'].includes(o.kind));
    expect(caObjects).toHaveLength(3);
    for (const o of caObjects) {
      expect(o.metadata.annotations).toEqual({
        'kustomize.toolkit.fluxcd.io/prune': 'disabled',
        'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
      });
    }
  });

  test('trust material is issued once per namespace, and a consumer in another layer depends on the layer holding it', () => {
    const { app, objects } = platform();
    const db = new Construct(app.layer('data'), 'Db');
    const connect = new Construct(app.layer('streaming'), 'Connect');
    const ca = PlatformCa.of(db);
    expect(ca.trustIn(db, 'postgres')).toEqual({ name: 'strata-ca-trust', key: 'ca.crt' });
    expect(ca.trustIn(connect, 'postgres')).toEqual({ name: 'strata-ca-trust', key: 'ca.crt' });
    ca.trustStoreIn(connect, 'kafka');
    const trust = objects().filter((o) => o.kind === 'Certificate' && o.metadata.name === 'strata-ca-trust');
    expect(trust.map((o) => `${o.layer}/${o.metadata.namespace}`)).toEqual(['data/postgres']);
    expect(trust[0].spec).toMatchObject({
      usages: ['client auth'],
      issuerRef: { name: 'strata-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    });
    const streaming = app.completeLayers().find((l) => l.layer === 'streaming')!;
    expect([...streaming.layerDependencies].map((l) => l.layer)).toContain('data');
    const store = objects().find((o) => o.metadata.name === 'strata-ca-truststore');
    expect(store).toMatchObject({ layer: 'streaming', metadata: { namespace: 'kafka' }, spec: { keystores: { pkcs12: { create: true } } } });
  });

  test('server certificates are ECDSA, rotate their key, and name the DNS names asked for', () => {
    const { app, objects } = platform();
    const db = new Construct(app.layer('data'), 'Db');
    PlatformCa.of(db).issueServerCertificate(db, 'Server', { namespace: 'postgres', secretName: 'pg-server-tls', dnsNames: ['pg-rw.postgres.svc'] });
    const cert = objects().find((o) => o.metadata.name === 'pg-server-tls');
    expect(cert.spec).toMatchObject({
      secretName: 'pg-server-tls',
      dnsNames: ['pg-rw.postgres.svc'],
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['server auth', 'digital signature'],
    });
  });

  test('every object validates against the pinned cert-manager schemas, and the cert-manager namespace is required', () => {
    const { app, objects } = platform();
    const db = new Construct(app.layer('data'), 'Db');
    const ca = PlatformCa.of(db);
    ca.trustIn(db, 'postgres');
    ca.trustStoreIn(db, 'postgres');
    const all = objects();
    expect(all.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toContain('cert-manager');
    const validator = new SchemaValidator();
    expect(all.flatMap(({ layer: _layer, ...o }) => validator.validate(o))).toEqual([]);
  });
});
