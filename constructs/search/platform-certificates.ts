import { Construct } from 'constructs';
import * as cm from '../../imports/cert-manager.io';
import { dependOnLayerOf } from '../platform/layer-chart';
import { PlatformCa } from '../tls/platform-ca';

export interface PlatformCertificateProps {
  readonly namespace: string;
  readonly secretName: string;
  /** In-cluster DNS names (server certificates). @default none */
  readonly dnsNames?: readonly string[];
  /** Subject common name (client certificates, where it is the identity). @default none */
  readonly commonName?: string;
  readonly usage: 'server' | 'client';
}

/**
 * A certificate from the platform CA in the form OpenSearch reads: RSA keys encoded as PKCS#8
 * (the security plugin and securityadmin.sh refuse PKCS#1 and SEC1 keys), with `ca.crt` next
 * to it. `PlatformCa.issueServerCertificate` issues ECDSA keys in cert-manager's default
 * encoding, which suits MinIO but not OpenSearch.
 */
export function issuePlatformCertificate(scope: Construct, id: string, props: PlatformCertificateProps): void {
  dependOnLayerOf(scope, PlatformCa.of(scope));
  new cm.Certificate(scope, id, {
    metadata: { name: props.secretName, namespace: props.namespace },
    spec: {
      secretName: props.secretName,
      ...(props.commonName ? { commonName: props.commonName } : {}),
      ...(props.dnsNames ? { dnsNames: [...props.dnsNames] } : {}),
      duration: '2160h',
      renewBefore: '360h',
      privateKey: {
        algorithm: cm.CertificateSpecPrivateKeyAlgorithm.RSA,
        size: 2048,
        encoding: cm.CertificateSpecPrivateKeyEncoding.PKCS8,
        rotationPolicy: cm.CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
      },
      usages:
        props.usage === 'server'
          ? [cm.CertificateSpecUsages.SERVER_AUTH, cm.CertificateSpecUsages.DIGITAL_SIGNATURE, cm.CertificateSpecUsages.KEY_ENCIPHERMENT]
          : [cm.CertificateSpecUsages.CLIENT_AUTH, cm.CertificateSpecUsages.DIGITAL_SIGNATURE, cm.CertificateSpecUsages.KEY_ENCIPHERMENT],
      issuerRef: { name: PlatformCa.ISSUER, kind: 'ClusterIssuer', group: 'cert-manager.io' },
    },
  });
}

/** The in-cluster DNS names of a Service. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}
