/**
 * Grafana as a release of its own (the pinned grafana chart) in the monitoring layer, beside
 * the Secrets it reads: the admin account from the secret backend (never the chart's generated
 * or default password), the data sources the overlay runs, the dashboards' sidecar and, where
 * the environment names an identity provider, single sign-on through generic OAuth.
 *
 * Why not kube-prometheus-stack's bundled Grafana: that release is in the operators layer, and
 * a layer waits for the one before it to be ready. A Grafana there that reads an admin Secret
 * the monitoring layer renders would never become ready (the monitoring layer is applied after
 * it), and the Secret cannot move into the operators layer either, since the ExternalSecret
 * kind only exists once the External Secrets operator in that same layer is installed. So the
 * stack keeps Prometheus, Alertmanager and its dashboards (rendered for this sidecar), and
 * Grafana is released here, applied together with its Secrets.
 *
 * Stateless: no volume. Dashboards and data sources are provisioned from the tree on every
 * start; what someone builds by hand in the UI lives until the pod restarts, so it belongs in
 * the tree (constructs/monitoring/*-dashboards.ts) instead.
 */
import { Construct } from 'constructs';
import { DASHBOARD_FOLDER_ANNOTATION, DASHBOARD_LABEL, DASHBOARD_LABEL_VALUE } from './grafana-dashboard';
import { GrafanaSsoSettings, grafanaSsoProblem, ssoEndpoints } from './grafana-settings';
import type { ComputeResources } from '../core/compute';
import type { GitOpsSpec } from '../core/gitops';
import type { PodGroup } from '../core/grantee';
import type { SecretBackend } from '../core/secret-backend';
import { PROMETHEUS_OPERATOR } from '../operators/catalog';
import { releaseChart } from '../operators/chart-release';
import { allowEgressToAddresses } from '../platform/network';
import { OverlayContext } from '../platform/overlay-context';
import { scrapePods } from '../platform/scrape';
import { SecretReference } from '../secrets/secret-reference';

const RELEASE = 'grafana';
/** Grafana's HTTP port: the UI, the API and `/metrics`. */
export const GRAFANA_PORT = 3000;
/** The Service the chart names after the release: port 80 to Grafana's 3000. */
export const GRAFANA_SERVICE = RELEASE;
export const GRAFANA_NAMESPACE = 'monitoring';
/** The Grafana pods, as the chart labels them. */
export const GRAFANA_PODS: PodGroup = {
  namespace: GRAFANA_NAMESPACE,
  podLabels: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': RELEASE },
};
/** The admin account's Secret (keys `admin-user`, `admin-password`), from the secret backend. */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';
/** The OAuth client's secret (key `client-secret`), from the secret backend, with single sign-on. */
export const GRAFANA_OAUTH_SECRET = 'grafana-oauth';

/** One data source, provisioned by uid: dashboards and links that name the uid keep working. */
export interface GrafanaDataSource {
  readonly name: string;
  /** Grafana's type id: `prometheus`, `alertmanager`, `loki`. */
  readonly type: string;
  readonly uid: string;
  /** Where Grafana's server (not the browser) reaches it. */
  readonly url: string;
  /** The data source dashboards use unless they choose another. @default false */
  readonly isDefault?: boolean;
  readonly jsonData?: Readonly<Record<string, unknown>>;
}

export interface GrafanaProps {
  readonly secretBackend: SecretBackend;
  /** Where this overlay's entries are in the secret store (`<region>/<env>`, or the shared cluster's root). */
  readonly secretKeyPrefix: string;
  /** At least one; exactly one of them the default. */
  readonly dataSources: readonly GrafanaDataSource[];
  /** The public URL Grafana is reached at (ui.grafana), for its redirects and links. @default none: reached through a port-forward */
  readonly rootUrl?: string;
  readonly sso?: GrafanaSsoSettings;
  /** @default 100m CPU and 256Mi memory requested, 1 CPU and 512Mi memory limit */
  readonly resources?: ComputeResources;
  /** The engine that applies the release (a Flux HelmRelease or an Argo CD Application). @default the PlatformApp's */
  readonly gitops?: GitOpsSpec;
  /** The Argo CD project of the Application (Argo CD only). @default the PlatformApp's */
  readonly argoProject?: string;
}

export class Grafana extends Construct {
  public readonly pods: PodGroup = GRAFANA_PODS;
  /** The provisioned data sources, by name. */
  public readonly dataSources: readonly GrafanaDataSource[];

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const defaults = props.dataSources.filter((d) => d.isDefault);
    if (props.dataSources.length === 0 || defaults.length !== 1) {
      throw new Error(`Grafana: give data sources with exactly one default (got ${defaults.length} defaults of ${props.dataSources.length})`);
    }
    const uids = props.dataSources.map((d) => d.uid);
    const twice = uids.find((u, i) => uids.indexOf(u) !== i);
    if (twice) throw new Error(`Grafana: data source uid "${twice}" is given twice; each uid names one data source`);
    if (props.sso) {
      const problem = grafanaSsoProblem(props.sso);
      if (problem) throw new Error(`Grafana: sso.${problem.path}: ${problem.message}; ${problem.fix}`);
    }
    this.dataSources = [...props.dataSources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // The monitors and the sidecar's label are the Prometheus operator's; its CRDs come with the stack.
    OverlayContext.of(this).requireOperator(PROMETHEUS_OPERATOR);

    new SecretReference(this, 'Admin', {
      backend: props.secretBackend,
      namespace: GRAFANA_NAMESPACE,
      name: GRAFANA_ADMIN_SECRET,
      remoteKey: `${props.secretKeyPrefix}/monitoring/${GRAFANA_ADMIN_SECRET}`,
      keys: { 'admin-user': 'admin-user', 'admin-password': 'admin-password' },
    });
    const sso = props.sso ? this.singleSignOn(props, props.sso) : undefined;

    scrapePods(this, 'Scrape', {
      name: 'grafana',
      pods: GRAFANA_PODS,
      ports: [GRAFANA_PORT],
      endpoints: [{ portNumber: GRAFANA_PORT, path: '/metrics' }],
    });

    releaseChart(this, 'Release', {
      name: RELEASE,
      chart: 'grafana',
      namespace: GRAFANA_NAMESPACE,
      ...(props.gitops ? { gitops: props.gitops } : {}),
      ...(props.argoProject ? { argoProject: props.argoProject } : {}),
      // No CRDs and no data of its own (no volume): removing it removes Grafana, never data.
      protectFromPrune: false,
      values: {
        replicas: 1,
        // The chart's test pod is not part of the running Grafana.
        testFramework: { enabled: false },
        admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
        persistence: { enabled: false },
        // The sidecar reads ConfigMaps of its own namespace: a Role there, not a ClusterRole.
        rbac: { namespaced: true },
        resources: props.resources ?? { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
        sidecar: {
          dashboards: {
            enabled: true,
            label: DASHBOARD_LABEL,
            labelValue: DASHBOARD_LABEL_VALUE,
            folderAnnotation: DASHBOARD_FOLDER_ANNOTATION,
            // ConfigMaps only: the namespace's Secrets (the Alertmanager's receivers) are none of its business.
            resource: 'configmap',
            provider: { foldersFromFilesStructure: true },
          },
        },
        datasources: {
          'datasources.yaml': {
            apiVersion: 1,
            datasources: this.dataSources.map((d) => ({
              name: d.name,
              type: d.type,
              uid: d.uid,
              url: d.url,
              access: 'proxy',
              isDefault: d.isDefault ?? false,
              editable: false,
              ...(d.jsonData ? { jsonData: { ...d.jsonData } } : {}),
            })),
          },
        },
        'grafana.ini': {
          ...(props.rootUrl ? { server: { root_url: props.rootUrl } } : {}),
          // No calls home from the cluster.
          analytics: { check_for_updates: false, check_for_plugin_updates: false, reporting_enabled: false },
          // Accounts come from the admin or the identity provider, never from a sign-up form.
          users: { allow_sign_up: false },
          ...(sso ?? {}),
        },
        ...(props.sso
          ? { envValueFrom: { GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: { secretKeyRef: { name: GRAFANA_OAUTH_SECRET, key: 'client-secret' } } } }
          : {}),
      },
    });
  }

  /**
   * Generic OAuth against the provider: the client secret from the secret backend, read from
   * the environment when Grafana starts; roles from the token's groups (viewer by default);
   * and the path to the provider's token endpoint, which Grafana's server calls.
   */
  private singleSignOn(props: GrafanaProps, sso: GrafanaSsoSettings): Record<string, unknown> {
    new SecretReference(this, 'OAuthClient', {
      backend: props.secretBackend,
      namespace: GRAFANA_NAMESPACE,
      name: GRAFANA_OAUTH_SECRET,
      remoteKey: `${props.secretKeyPrefix}/monitoring/${GRAFANA_OAUTH_SECRET}`,
      keys: { 'client-secret': 'client-secret' },
    });
    const endpoints = ssoEndpoints(sso);
    const ports = [...new Set(Object.values(endpoints).map((u) => Number(new URL(u).port || 443)))].sort((a, b) => a - b);
    // The provider is outside the cluster, at an address only DNS knows.
    allowEgressToAddresses(this, 'ProviderEgress', {
      name: 'allow-grafana-to-identity-provider-egress',
      from: GRAFANA_PODS,
      cidrs: ['0.0.0.0/0'],
      ports,
    });
    return {
      ...(sso.disableLoginForm ? { auth: { disable_login_form: true } } : {}),
      'auth.generic_oauth': {
        enabled: true,
        name: sso.name ?? (sso.keycloakRealm ? 'Keycloak' : 'Single sign-on'),
        client_id: sso.clientId,
        scopes: 'openid profile email',
        auth_url: endpoints.authUrl,
        token_url: endpoints.tokenUrl,
        api_url: endpoints.apiUrl,
        use_pkce: true,
        allow_sign_up: true,
        email_attribute_path: 'email',
        login_attribute_path: 'preferred_username',
        name_attribute_path: 'name',
        role_attribute_path: roleAttributePath(sso),
        role_attribute_strict: false,
        allow_assign_grafana_admin: false,
      },
    };
  }
}

/** A JMESPath over the token's claims: admins, then editors, then everyone else a viewer. */
export function roleAttributePath(sso: Pick<GrafanaSsoSettings, 'adminGroups' | 'editorGroups'>): string {
  const member = (groups: readonly string[]) => groups.map((g) => `contains(groups[*], '${g}')`).join(' || ');
  const parts: string[] = [];
  if (sso.adminGroups?.length) parts.push(`(${member(sso.adminGroups)}) && 'Admin'`);
  if (sso.editorGroups?.length) parts.push(`(${member(sso.editorGroups)}) && 'Editor'`);
  return [...parts, "'Viewer'"].join(' || ');
}
