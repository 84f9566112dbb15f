/**
 * Traefik in the topology picture (constructs/platform/topology.ts): each IngressRoute, its
 * host names, and the Services it routes to.
 */
import { Json, refOf, TopologyRule } from '../platform/topology';

const hostsOf = (match: string) =>
  [...String(match).matchAll(/Host(?:SNI)?\(([^)]*)\)/g)].flatMap((m) => [...m[1].matchAll(/`([^`]+)`/g)].map((h) => h[1]));

function route(group: string): TopologyRule {
  return {
    group,
    kind: 'IngressRoute',
    describe: (m) => {
      const ref = refOf(m);
      const ns = m.metadata?.namespace;
      const routes: Json[] = m.spec?.routes ?? [];
      const names = [...new Set(routes.flatMap((r) => hostsOf(r.match)))];
      return {
        nodes: [{ ref, kind: 'Route', name: m.metadata.name, details: names.length ? names : ['any host'] }],
        edges: routes.flatMap((r) =>
          (r.services ?? [])
            .filter((s: Json) => (s.kind ?? 'Service') === 'Service')
            .map((s: Json) => ({
              from: ref,
              to: { host: `${s.name}.${s.namespace ?? ns}` },
              label: hostsOf(r.match).join(', ') || 'route',
              kind: 'route' as const,
            })),
        ),
      };
    },
  };
}

export const TRAEFIK_TOPOLOGY: readonly TopologyRule[] = [route('traefik.io'), route('traefik.containo.us')];
