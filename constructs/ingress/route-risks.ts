/**
 * Review rules for Traefik: routes that lose TLS or middlewares (security), live traffic that
 * moves between services or colours (downtime). See platform/risk-rules.ts.
 */
import { canonical, RiskFinding, RiskRule } from '../platform/risk-rules';
import { Manifest, show } from '../platform/transition-rules';

const TRAEFIK = 'traefik.io';

function routesByMatch(m: Manifest | undefined): Map<string, any> {
  return new Map(((m?.spec?.routes ?? []) as any[]).map((r) => [String(r?.match), r]));
}

const names = (list: any[] | undefined) => (list ?? []).map((x) => `${x?.namespace ? `${x.namespace}/` : ''}${x?.name}`);
/** The services a route sends to, with their ports where they name one. */
const targets = (list: any[] | undefined) => (list ?? []).map((x, i) => `${names(list)[i]}${x?.port !== undefined ? `:${x.port}` : ''}`);

function routeSecurity(previous: Manifest | undefined, next: Manifest | undefined): RiskFinding[] {
  if (!next) return [];
  const out: RiskFinding[] = [];
  if (!next.spec?.tls && (!previous || previous.spec?.tls)) {
    out.push({
      field: 'spec.tls',
      before: previous?.spec?.tls,
      message: `${previous ? 'the route loses TLS' : 'a new route without TLS'}: requests and answers travel in clear text`,
    });
  }
  const before = routesByMatch(previous);
  for (const [match, route] of routesByMatch(next)) {
    const now = names(route.middlewares);
    if (!previous || !before.has(match)) {
      if (!now.length) {
        out.push({
          field: `spec.routes[${match}]`,
          message: `a new route ${match} with no middleware: nothing authenticates or filters its requests`,
        });
      }
      continue;
    }
    const dropped = names(before.get(match).middlewares).filter((n) => !now.includes(n));
    if (dropped.length) {
      out.push({
        field: `spec.routes[${match}].middlewares`,
        before: dropped,
        message: `${match} no longer passes through ${dropped.join(', ')} (authentication, IP allow lists or security headers stop applying)`,
      });
    }
  }
  return out;
}

function routeTargets(previous: Manifest | undefined, next: Manifest | undefined): RiskFinding[] {
  if (!previous || !next) return [];
  const before = routesByMatch(previous);
  const out: RiskFinding[] = [];
  for (const [match, route] of routesByMatch(next)) {
    const was = before.get(match);
    if (!was || canonical(was.services) === canonical(route.services)) continue;
    out.push({
      field: `spec.routes[${match}].services`,
      before: names(was.services),
      after: names(route.services),
      message: `live requests for ${match} move from ${targets(was.services).join(', ')} to ${targets(route.services).join(', ')} at once`,
    });
  }
  return out;
}

function weights(m: Manifest | undefined): Record<string, number> {
  return Object.fromEntries(((m?.spec?.weighted?.services ?? []) as any[]).map((s) => [s?.name, s?.weight ?? 1]));
}

function weightsChanged(previous: Manifest | undefined, next: Manifest | undefined): RiskFinding[] {
  if (!previous || !next) return [];
  const before = weights(previous);
  const after = weights(next);
  if (canonical(before) === canonical(after)) return [];
  return [
    { field: 'spec.weighted.services', before, after, message: `live traffic shifts between services: ${show(before)} becomes ${show(after)}` },
  ];
}

const AUTH_KEYS = ['basicAuth', 'digestAuth', 'forwardAuth', 'ipAllowList', 'ipWhiteList'];

function middlewareWeakened(previous: Manifest | undefined, next: Manifest | undefined): RiskFinding[] {
  if (!previous) return [];
  const out: RiskFinding[] = [];
  for (const key of AUTH_KEYS) {
    if (previous.spec?.[key] === undefined) continue;
    if (!next) {
      out.push({ field: 'removed', message: `a ${key} middleware is removed: routes that reference it are refused by Traefik, or stop applying it` });
    } else if (canonical(previous.spec[key]) !== canonical(next.spec?.[key])) {
      out.push({
        field: `spec.${key}`,
        before: previous.spec[key],
        after: next.spec?.[key],
        message: `the ${key} settings change: who may reach the routes that use it changes`,
      });
    }
  }
  return out;
}

export const ROUTE_RISKS: readonly RiskRule[] = [
  { group: TRAEFIK, kind: 'IngressRoute', risk: 'security', check: routeSecurity },
  { group: TRAEFIK, kind: 'IngressRoute', risk: 'downtime', check: routeTargets },
  { group: TRAEFIK, kind: 'TraefikService', risk: 'downtime', check: weightsChanged },
  { group: TRAEFIK, kind: 'Middleware', risk: 'security', check: middlewareWeakened },
];
