/**
 * Workloads in the topology picture (constructs/platform/topology.ts): Deployments and
 * StatefulSets with their replicas and the in-cluster hosts their containers are given (an
 * application's database, cache or search), the Services that name them, Services without a
 * selector (an endpoint outside the cluster, such as external Patroni), and the Helm releases
 * a layer installs.
 */
import { clusterHostsIn, hostsIn, Json, refOf, times, TopologyContext, TopologyEdge, TopologyPart, TopologyRule } from './topology';

/** The in-cluster hosts a pod template's containers are given, by environment variable. */
function envEdges(from: string, template: Json | undefined): TopologyEdge[] {
  const spec: Json = template?.spec ?? {};
  const edges: TopologyEdge[] = [];
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const e of c.env ?? []) {
      if (typeof e.value !== 'string') continue;
      for (const host of clusterHostsIn(e.value)) edges.push({ from, to: { host }, label: e.name, kind: 'data' });
    }
  }
  return edges;
}

function workload(kind: string): TopologyRule {
  return {
    group: 'apps',
    kind,
    describe: (m) => {
      const ref = refOf(m);
      const claims = (m.spec?.volumeClaimTemplates ?? []).map(
        (t: Json) => `volume ${t.metadata?.name}: ${t.spec?.resources?.requests?.storage ?? '?'}`,
      );
      return {
        nodes: [{ ref, kind, name: m.metadata.name, details: [times(m.spec?.replicas ?? 1, 'replica'), ...claims] }],
        edges: envEdges(ref, m.spec?.template),
      };
    },
  };
}

const matches = (selector: Json, labels: Json | undefined) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** The object in the Service's namespace whose pod template the Service selects. */
function selected(m: Json, ctx: TopologyContext): Json | undefined {
  const selector: Json = m.spec.selector;
  const ns = m.metadata?.namespace;
  for (const [group, kind] of [
    ['apps', 'Deployment'],
    ['apps', 'StatefulSet'],
    ['postgresql.cnpg.io', 'Pooler'],
  ]) {
    const found = ctx.all(group, kind).find((o) => o.metadata?.namespace === ns && matches(selector, o.spec?.template?.metadata?.labels));
    if (found) return found;
  }
  return undefined;
}

const service: TopologyRule = {
  group: '',
  kind: 'Service',
  describe: (m, ctx): TopologyPart | undefined => {
    const ns = m.metadata?.namespace;
    const hosts = hostsIn(ns, m.metadata.name);
    if (m.spec?.selector && Object.keys(m.spec.selector).length) {
      const target = selected(m, ctx);
      return target ? { hosts: [{ ref: refOf(target), hosts }] } : undefined;
    }
    // No selector: the endpoints are outside the cluster (an EndpointSlice, or an ExternalName).
    const ref = refOf(m);
    const addresses = ctx
      .all('discovery.k8s.io', 'EndpointSlice')
      .filter((s) => s.metadata?.namespace === ns && s.metadata?.labels?.['kubernetes.io/service-name'] === m.metadata.name)
      .flatMap((s) => (s.endpoints ?? []).flatMap((e: Json) => e.addresses ?? []));
    const where = m.spec?.externalName ? [String(m.spec.externalName)] : addresses;
    return {
      nodes: [{ ref, kind: 'External endpoint', name: m.metadata.name, details: where.length ? [where.join(', ')] : [] }],
      hosts: [{ ref, hosts }],
    };
  },
};

/** A layer's Helm releases share one node: the operators layer installs many. */
function release(name: string, chart: string | undefined, version: string | undefined, namespace: string, ctx: TopologyContext): TopologyPart {
  const ref = `helm:${ctx.scope}`;
  return {
    nodes: [
      { ref, kind: 'Helm releases', name: '', details: [`${name}${chart && chart !== name ? ` (${chart})` : ''}${version ? ` ${version}` : ''}`] },
    ],
    hostPrefixes: [{ ref, namespace, prefix: `${name}-` }],
  };
}

const helmRelease: TopologyRule = {
  group: 'helm.toolkit.fluxcd.io',
  kind: 'HelmRelease',
  describe: (m, ctx) => {
    const chart: Json = m.spec?.chart?.spec ?? {};
    const name = m.spec?.releaseName ?? m.metadata.name;
    return release(name, chart.chart ?? m.spec?.chartRef?.name, chart.version, m.spec?.targetNamespace ?? m.metadata?.namespace, ctx);
  },
};

const argoApplication: TopologyRule = {
  group: 'argoproj.io',
  kind: 'Application',
  describe: (m, ctx) => {
    const source: Json = m.spec?.source ?? m.spec?.sources?.[0] ?? {};
    if (!source.chart) return undefined;
    const name = source.helm?.releaseName ?? m.metadata.name;
    return release(name, source.chart, source.targetRevision, m.spec?.destination?.namespace ?? m.metadata?.namespace, ctx);
  },
};

export const WORKLOAD_TOPOLOGY: readonly TopologyRule[] = [workload('Deployment'), workload('StatefulSet'), service, helmRelease, argoApplication];
