import { Construct, IConstruct } from 'constructs';
import * as cm from '../../imports/cert-manager.io';
import { dependOnLayerOf } from '../platform/layer-chart';
import { OverlayContext } from '../platform/overlay-context';
import { protectFromPrune } from '../platform/protection';

/** The secret key under which cert-manager stores the issuing CA next to every certificate. */
export const CA_KEY = 'ca.crt';

/**
 * The cluster's private CA for TLS between platform components (MinIO, webhooks, ...):
 * a self-signed root kept in cert-manager's namespace and a CA ClusterIssuer on top.
 * One per overlay, created in the layer of its first user.
 *
 * Every server and client certificate of the platform chains to this root, so it must outlive
 * any one layer: the root, its issuers and the self-signed bootstrap issuer are protected from
 * pruning. When its first user goes (PostgreSQL disabled, MinIO kept), the CA moves to the
 * next user's layer: the old layer's Kustomization or Application leaves it in place and the
 * new one adopts it, instead of deleting the root and re-issuing every certificate. (It cannot
 * live in the foundation layer: cert-manager's CRDs arrive with the operators layer, which
 * itself needs the foundation's namespaces.)
 */
export class PlatformCa extends Construct {
  public static readonly ISSUER = 'strata-ca';

  /** The overlay's CA, created on first use. */
  public static of(scope: IConstruct): PlatformCa {
    const ctx = OverlayContext.of(scope);
    const existing = ctx.node.tryFindChild('PlatformCaRef') as PlatformCaRef | undefined;
    if (existing) return existing.ca;
    const ca = new PlatformCa(scope as Construct);
    new PlatformCaRef(ctx, 'PlatformCaRef', ca);
    return ca;
  }

  private static readonly NAMESPACE = 'cert-manager';

  /** Trust material already issued, by kind and namespace. */
  private readonly perNamespace = new Map<string, cm.Certificate>();

  private constructor(scope: Construct) {
    super(scope, 'PlatformCa');
    OverlayContext.of(this).requireNamespace({
      name: PlatformCa.NAMESPACE,
      workload: false,
      apiServerEgress: true,
      webhookPorts: [10250],
      allowSameNamespace: true,
    });
    const selfSigned = new cm.ClusterIssuer(this, 'SelfSigned', { metadata: { name: 'strata-selfsigned' }, spec: { selfSigned: {} } });
    const root = new cm.Certificate(this, 'Root', {
      metadata: { name: 'strata-root-ca', namespace: PlatformCa.NAMESPACE },
      spec: {
        isCa: true,
        commonName: 'strata-root-ca',
        secretName: 'strata-root-ca',
        duration: '87600h',
        privateKey: {
          algorithm: cm.CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: cm.CertificateSpecPrivateKeyRotationPolicy.NEVER,
        },
        issuerRef: { name: 'strata-selfsigned', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      },
    });
    const issuer = new cm.ClusterIssuer(this, 'Issuer', { metadata: { name: PlatformCa.ISSUER }, spec: { ca: { secretName: 'strata-root-ca' } } });
    for (const obj of [selfSigned, root, issuer]) protectFromPrune(obj);
  }

  /** Issues a server certificate for in-cluster DNS names into `secretName`. */
  public issueServerCertificate(scope: Construct, id: string, props: { namespace: string; secretName: string; dnsNames: readonly string[] }): void {
    dependOnLayerOf(scope, this);
    new cm.Certificate(scope, id, {
      metadata: { name: props.secretName, namespace: props.namespace },
      spec: {
        secretName: props.secretName,
        dnsNames: [...props.dnsNames],
        duration: '2160h',
        renewBefore: '360h',
        privateKey: {
          algorithm: cm.CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: cm.CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
        usages: [cm.CertificateSpecUsages.SERVER_AUTH, cm.CertificateSpecUsages.DIGITAL_SIGNATURE],
        issuerRef: { name: PlatformCa.ISSUER, kind: 'ClusterIssuer', group: 'cert-manager.io' },
      },
    });
  }

  /**
   * The CA as a PKCS#12 truststore in `namespace` (`strata-ca-truststore[truststore.p12]`),
   * for JVM clients whose library trusts only the JVM truststore.
   */
  public trustStoreIn(scope: Construct, namespace: string): TrustStore {
    const secretName = 'strata-ca-truststore';
    dependOnLayerOf(scope, this);
    const key = `truststore/${namespace}`;
    const existing = this.perNamespace.get(key);
    if (existing) {
      dependOnLayerOf(scope, existing);
    } else {
      this.perNamespace.set(
        key,
        new cm.Certificate(scope, `TrustStore-${namespace}`, {
          metadata: { name: secretName, namespace },
          spec: {
            secretName,
            commonName: `truststore.${namespace}`,
            duration: '2160h',
            privateKey: { algorithm: cm.CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
            usages: [cm.CertificateSpecUsages.CLIENT_AUTH],
            keystores: { pkcs12: { create: true, password: TRUSTSTORE_PASSWORD, profile: cm.CertificateSpecKeystoresPkcs12Profile.MODERN2023 } },
            issuerRef: { name: PlatformCa.ISSUER, kind: 'ClusterIssuer', group: 'cert-manager.io' },
          },
        }),
      );
    }
    return { secretName, key: TRUSTSTORE_KEY, password: TRUSTSTORE_PASSWORD };
  }

  /**
   * Makes the CA available in `namespace` as `<secretName>[ca.crt]`. Secrets cannot be read
   * across namespaces, so each consumer namespace gets a small client certificate from the
   * same issuer; cert-manager writes the issuing CA next to it.
   */
  public trustIn(scope: Construct, namespace: string): { name: string; key: string } {
    const secretName = 'strata-ca-trust';
    dependOnLayerOf(scope, this);
    // One per namespace for the whole overlay; later users depend on the layer that has it.
    const key = `trust/${namespace}`;
    const existing = this.perNamespace.get(key);
    if (existing) {
      dependOnLayerOf(scope, existing);
    } else {
      this.perNamespace.set(
        key,
        new cm.Certificate(scope, `Trust-${namespace}`, {
          metadata: { name: secretName, namespace },
          spec: {
            secretName,
            commonName: `trust.${namespace}`,
            duration: '2160h',
            privateKey: { algorithm: cm.CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
            usages: [cm.CertificateSpecUsages.CLIENT_AUTH],
            issuerRef: { name: PlatformCa.ISSUER, kind: 'ClusterIssuer', group: 'cert-manager.io' },
          },
        }),
      );
    }
    return { name: secretName, key: CA_KEY };
  }
}

/**
 * A PKCS#12 truststore holding only the platform CA (public certificates): its password
 * protects nothing secret, and Java clients need one to open the file.
 */
export const TRUSTSTORE_PASSWORD = 'strata-public-ca';
export const TRUSTSTORE_KEY = 'truststore.p12';

export interface TrustStore {
  readonly secretName: string;
  readonly key: string;
  readonly password: string;
}

class PlatformCaRef extends Construct {
  constructor(
    scope: Construct,
    id: string,
    public readonly ca: PlatformCa,
  ) {
    super(scope, id);
  }
}
