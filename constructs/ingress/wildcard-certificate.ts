/**
 * One certificate for every host under a domain (`*.<domain>`), from Let's Encrypt through a
 * DNS-01 solver (HTTP-01 cannot prove a wildcard), kept in Traefik's namespace as the default
 * of its TLS store: routes under the domain then serve it and need no certificate of their own.
 */
import { Construct } from 'constructs';
import { LetsEncryptIssuer } from './acme-issuer';
import { TRAEFIK_PODS } from './traefik-route';
import * as cm from '../../imports/cert-manager.io';
import * as traefik from '../../imports/traefik.io';
import { hostnameProblem } from '../platform/names';

export interface WildcardCertificateProps {
  /** The domain whose direct subdomains it covers, e.g. `homelab.example.org` for `*.homelab.example.org`. */
  readonly domain: string;
  readonly issuer: LetsEncryptIssuer;
}

export class WildcardCertificate extends Construct {
  public readonly domain: string;

  constructor(scope: Construct, id: string, props: WildcardCertificateProps) {
    super(scope, id);
    const problem = hostnameProblem(props.domain);
    if (problem) throw new Error(`wildcard certificate: domain "${props.domain}" ${problem}`);
    if (props.issuer.http01) {
      throw new Error(
        `wildcard certificate for *.${props.domain}: Let's Encrypt issues wildcards through DNS-01 only; give the issuer a dns01 solver`,
      );
    }
    this.domain = props.domain;
    new cm.Certificate(this, 'Certificate', {
      metadata: { name: 'wildcard', namespace: TRAEFIK_PODS.namespace },
      spec: {
        secretName: 'wildcard-tls',
        dnsNames: [`*.${props.domain}`, props.domain],
        issuerRef: { name: props.issuer.issuerName, kind: 'ClusterIssuer', group: 'cert-manager.io' },
        privateKey: {
          algorithm: cm.CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: cm.CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
      },
    });
    // Traefik's default store: what a route without a secret of its own serves.
    new traefik.TlsStore(this, 'Store', {
      metadata: { name: 'default', namespace: TRAEFIK_PODS.namespace },
      spec: { defaultCertificate: { secretName: 'wildcard-tls' } },
    });
  }

  /** Whether the certificate covers `host` (the domain, or one label under it). */
  public covers(host: string): boolean {
    if (host === this.domain) return true;
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot + 1) === this.domain;
  }
}
