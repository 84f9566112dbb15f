import { Construct } from 'constructs';
import type { SecretBackend } from '../core/secret-backend';
import { SecretReference } from '../secrets/secret-reference';

/**
 * The internal users the operator manages: it writes their bcrypt hashes into the security
 * configuration from `adminCredentialsSecret` and Dashboards' `opensearchCredentialsSecret`.
 */
export const RESERVED_USERS: readonly string[] = ['admin', 'kibanaserver'];

/**
 * The other users of the OpenSearch image's demo `internal_users.yml`. Their passwords are
 * published with the image, so none of them may exist in a Strata cluster.
 */
export const DEMO_USERS: readonly string[] = ['anomalyadmin', 'kibanaro', 'logstash', 'readall', 'snapshotrestore'];

export interface SecurityConfigProps {
  readonly clusterName: string;
  readonly namespace: string;
  readonly backend: SecretBackend;
  /** Secret-store key of the admin password, the entry `adminCredentialsSecret` is read from. */
  readonly adminKey: string;
  /** Names of the Secrets the operator hashes the reserved users' passwords from. */
  readonly credentials: { readonly admin: string; readonly dashboards: string };
}

/**
 * The `securityConfigSecret` of a cluster: an `internal_users.yml` that declares the reserved
 * users only, without a hash (opensearch-operator 3.x replaces both hashes with those of the
 * credentials Secrets before it applies the file), so no demo user of the image can exist
 * whatever the operator bundles. Other users are `OpensearchUser` resources (`addUser`):
 * operator 3.0.0-alpha drops any other user of this file. The other files are left out on
 * purpose: the operator applies the image's defaults once, when the cluster is created, and
 * never again, so the roles, role mappings, action groups and tenants managed through the
 * operator's resources are not overwritten when this file changes.
 *
 * The file is configuration, not a secret, but the operator reads it from a Secret, and
 * Strata renders no Secret: External Secrets renders it from a template. Its webhook rejects
 * an ExternalSecret that reads nothing, so this one reads the admin password the file's admin
 * is hashed from; the template prints a constant and never that value. With Sealed Secrets
 * the team seals the file itself (`internal_users.yml`).
 */
export function addSecurityConfig(scope: Construct, id: string, props: SecurityConfigProps): SecretReference {
  return new SecretReference(scope, id, {
    backend: props.backend,
    namespace: props.namespace,
    name: `${props.clusterName}-securityconfig`,
    remoteKey: props.adminKey,
    keys: { password: 'password' },
    template: { 'internal_users.yml': constantTemplate(internalUsersYaml(props.credentials)) },
  });
}

/** `internal_users.yml` with the reserved users, their passwords hashed in by the operator. */
export function internalUsersYaml(credentials: SecurityConfigProps['credentials']): string {
  return [
    '_meta:',
    '  type: "internalusers"',
    '  config_version: 2',
    'admin:',
    '  reserved: true',
    '  backend_roles:',
    '    - "admin"',
    `  description: "Cluster administrator, credentials in Secret ${credentials.admin}"`,
    'kibanaserver:',
    '  reserved: true',
    `  description: "OpenSearch Dashboards server, credentials in Secret ${credentials.dashboards}"`,
    '',
  ].join('\n');
}

/**
 * A multi-line constant as an External Secrets (engine v2) template: one Go raw string, so the
 * template visibly prints nothing fetched from the store.
 */
export function constantTemplate(text: string): string {
  if (text.includes('`') || text.includes('{{') || text.includes('}}')) {
    throw new Error('a template constant cannot contain a backtick or template delimiters');
  }
  return `{{ \`${text}\` }}`;
}
