/**
 * How an environment configures its Grafana (`monitoring.grafana`): the single sign-on it
 * offers. Plain values, no construct code, so the environment loader checks them without
 * loading the constructs.
 */

/**
 * Single sign-on through an OpenID Connect provider, Grafana's generic OAuth: a Keycloak realm
 * (its endpoints follow from the realm's URL) or any provider by its three endpoints. The client
 * secret is read from the secret backend (entry `<region>/<env>/monitoring/grafana-oauth`,
 * property `client-secret`), never written here.
 */
export interface GrafanaSsoSettings {
  /** The Keycloak realm, e.g. `https://id.example.org/realms/platform`; or `authUrl`, `tokenUrl` and `apiUrl`. */
  readonly keycloakRealm?: string;
  /** The provider's authorization endpoint (without `keycloakRealm`). */
  readonly authUrl?: string;
  /** The provider's token endpoint (without `keycloakRealm`). */
  readonly tokenUrl?: string;
  /** The provider's userinfo endpoint (without `keycloakRealm`). */
  readonly apiUrl?: string;
  /** The OAuth client Grafana is registered as at the provider. */
  readonly clientId: string;
  /** The login button's label. @default 'Keycloak' with `keycloakRealm`, else 'Single sign-on' */
  readonly name?: string;
  /** Members of these groups (the token's `groups` claim) are Grafana admins. @default none */
  readonly adminGroups?: readonly string[];
  /** Members of these groups are editors; everyone else who signs in is a viewer. @default none */
  readonly editorGroups?: readonly string[];
  /**
   * Hide Grafana's own login form, so everyone signs in through the provider. The admin account
   * from the secret backend stays usable through the API. @default false (the form is the way in
   * while the provider is down)
   */
  readonly disableLoginForm?: boolean;
}

export interface GrafanaSettings {
  /** Sign-in through the organisation's identity provider. @default none: Grafana's own accounts only */
  readonly sso?: GrafanaSsoSettings;
}

/** The endpoints Grafana's generic OAuth calls, from a Keycloak realm or as given. */
export function ssoEndpoints(sso: GrafanaSsoSettings): { authUrl: string; tokenUrl: string; apiUrl: string } {
  if (sso.keycloakRealm) {
    const realm = sso.keycloakRealm.replace(/\/+$/, '');
    const oidc = `${realm}/protocol/openid-connect`;
    return { authUrl: `${oidc}/auth`, tokenUrl: `${oidc}/token`, apiUrl: `${oidc}/userinfo` };
  }
  return { authUrl: sso.authUrl ?? '', tokenUrl: sso.tokenUrl ?? '', apiUrl: sso.apiUrl ?? '' };
}

const HTTPS_URL = /^https:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(\/[^\s]*)?$/i;
const GROUP = /^[^\s'"\\]{1,128}$/;

/** Why the settings cannot run, with the field under `sso` it concerns, or undefined. */
export function grafanaSsoProblem(sso: GrafanaSsoSettings): { path: string; message: string; fix: string } | undefined {
  const endpoints = ['authUrl', 'tokenUrl', 'apiUrl'] as const;
  if (sso.keycloakRealm !== undefined) {
    const given = endpoints.filter((e) => sso[e] !== undefined);
    if (given.length) {
      return {
        path: given[0],
        message: `${given.join(', ')} given beside keycloakRealm, whose endpoints follow from the realm`,
        fix: `remove ${given.join(', ')}, or remove keycloakRealm and give all three endpoints`,
      };
    }
    if (!HTTPS_URL.test(sso.keycloakRealm) || !/\/realms\/[^/\s]+\/?$/.test(sso.keycloakRealm)) {
      return {
        path: 'keycloakRealm',
        message: `"${sso.keycloakRealm}" is not the https URL of a Keycloak realm`,
        fix: 'give the realm as https://<keycloak host>/realms/<realm> (older Keycloak: https://<host>/auth/realms/<realm>)',
      };
    }
  } else {
    for (const e of endpoints) {
      const url = sso[e];
      if (url === undefined) {
        return {
          path: e,
          message: `${e} is missing`,
          fix: 'give keycloakRealm, or all of authUrl, tokenUrl and apiUrl (the provider documents them)',
        };
      }
      if (!HTTPS_URL.test(url)) {
        return {
          path: e,
          message: `"${url}" is not an https URL`,
          fix: `give the provider's ${e} as https://...: tokens never travel in clear text`,
        };
      }
    }
  }
  for (const list of ['adminGroups', 'editorGroups'] as const) {
    const bad = (sso[list] ?? []).find((g) => !GROUP.test(g));
    if (bad !== undefined) {
      return {
        path: list,
        message: `group "${bad}" has a space, quote or backslash`,
        fix: 'name groups as the provider puts them in the token, without quotes',
      };
    }
  }
  return undefined;
}
