/**
 * Rules of the region's `clusters`, an overlay's `placement` and the databases it exports
 * to another of its clusters (see placement.ts for the layout they give the tree).
 */
import type { OverlaySpec } from './model';
import { layerClusterKey, PLACED_LAYERS, PlacedLayer, sharedClusterKey } from './placement';
import { postgresClustersOf } from './postgres-clusters';
import type { Problem } from './problems';
import { valueAt } from './problems';
import type { SourceOf } from './semantic-checks';
import { checkCidr } from '../constructs/platform/cidr';

/** What each placed layer uses from another, so the two run on one cluster. */
function sharedWithData(o: OverlaySpec): { layer: PlacedLayer; why: string }[] {
  const s = o.settings;
  return [
    ...(s.streaming.kafka.enabled ? [{ layer: 'streaming' as const, why: "Kafka Connect reads the data layer's PostgreSQL and its secrets" }] : []),
    ...(s.opensearch.enabled ? [{ layer: 'search' as const, why: "OpenSearch snapshots go to the data layer's backup storage" }] : []),
    ...(s.velero.enabled ? [{ layer: 'backup' as const, why: "Velero writes to the data layer's backup storage" }] : []),
  ];
}

/** Region-file problems of the declared clusters (one per region). */
export function checkRegionClusters(
  regionName: string,
  clusters: Readonly<Record<string, { shared?: boolean; namespaces?: object; destinationServer?: string; egressCidrs?: readonly string[] }>>,
  engine: string,
): Problem[] {
  const file = `regions/${regionName}.yaml`;
  const problems: Problem[] = [];
  const keys = Object.keys(clusters).sort();
  for (const [key, cluster] of Object.entries(clusters)) {
    if (cluster.shared && keys.length > 1) {
      problems.push({
        file,
        path: `clusters.${key}.shared`,
        value: true,
        message: `a shared cluster runs every environment of the region, and the region declares other clusters too (${keys.filter((k) => k !== key).join(', ')})`,
        fix: `declare ${key} alone, or drop shared: true to run ${key} once per environment`,
      });
    }
    if (cluster.namespaces && !cluster.shared) {
      problems.push({
        file,
        path: `clusters.${key}.namespaces`,
        message: 'namespaces shared by environments exist only in a shared cluster; here each environment has a cluster of its own',
        fix: `declare the namespaces in each environment (namespaces:), or set clusters.${key}.shared: true`,
      });
    }
    (cluster.egressCidrs ?? []).forEach((cidr, i) => {
      const check = checkCidr(cidr);
      // The schema admits IPv4 blocks only; this reads the address and the prefix.
      if (!check.ok) problems.push({ file, path: `clusters.${key}.egressCidrs.${i}`, value: cidr, message: check.message, fix: check.fix });
    });
    if (cluster.destinationServer && engine !== 'argocd') {
      problems.push({
        file,
        path: `clusters.${key}.destinationServer`,
        value: cluster.destinationServer,
        message: `destinationServer is where Argo CD deploys, and this region runs ${engine}: each Flux cluster applies its own entry folder`,
        fix: `remove clusters.${key}.destinationServer, or set gitops.engine: argocd`,
      });
    }
  }
  return problems;
}

export function checkPlacement(overlays: readonly OverlaySpec[], sourceOf: SourceOf): Problem[] {
  const problems: Problem[] = [];
  for (const o of overlays) {
    const s = o.settings;
    const declared = Object.keys(o.region.clusters).sort();
    const regionFile = `regions/${o.region.name}.yaml`;
    const problem = (fieldPath: string, message: string, fix: string) => {
      problems.push({ file: sourceOf(o, fieldPath), path: fieldPath, value: valueAt(s, fieldPath), message: `${o.id}: ${message}`, fix });
    };
    const fields = (['default', ...PLACED_LAYERS] as const).filter((f) => s.placement[f] !== undefined);
    const shared = sharedClusterKey(o.region);
    if (shared && o.environment === shared) {
      problems.push({
        file: o.sourceFile,
        path: '',
        value: o.environment,
        message: `${o.id}: the environment is called like the region's shared cluster ${shared}, whose own folder is ${o.region.name}/${shared}/`,
        fix: `rename the environment (its file), or call the cluster by another name in ${regionFile}`,
      });
    }

    if (declared.length === 0) {
      for (const f of fields) {
        problem(
          `placement.${f}`,
          `places a layer on cluster ${s.placement[f]}, and ${regionFile} declares no clusters (the region runs one cluster per environment)`,
          `declare the clusters in ${regionFile} (clusters: {infra: {}, apps: {}}), or remove placement`,
        );
      }
    } else {
      const known = declared.join(', ');
      let unknown = false;
      for (const f of fields) {
        if (!declared.includes(s.placement[f]!)) {
          unknown = true;
          problem(
            `placement.${f}`,
            `${regionFile} declares no cluster ${s.placement[f]}`,
            `use one of ${known}, or declare it under clusters in ${regionFile}`,
          );
        }
      }
      if (declared.length > 1 && s.placement.default === undefined) {
        unknown = true;
        problem(
          'placement.default',
          `${regionFile} declares ${declared.length} clusters (${known}) and nothing says which one runs the layers not placed by name`,
          `set placement.default to one of ${known} (in ${o.sourceFile}, or for every environment in the region's defaults)`,
        );
      }
      // Exports need a valid placement too: nothing more is judged until it is.
      if (unknown) continue;
      const dataOn = layerClusterKey(o, 'data');
      // An app on another cluster than its database reaches it only where the database is exported to that cluster.
      const appsOn = layerClusterKey(o, 'apps');
      for (const name of Object.keys(s.apps).sort()) {
        const app = s.apps[name];
        if (!app.enabled || app.database === undefined || appsOn === dataOn) continue;
        const i = s.postgres.databases.findIndex((d) => d.name === app.database);
        const exported = i >= 0 ? s.postgres.databases[i].export : undefined;
        if (i >= 0 && exported?.to !== appsOn) {
          problem(
            `apps.${name}.database`,
            `app ${name} runs on cluster ${appsOn} and its database ${app.database} on ${dataOn}, not exported to ${appsOn}`,
            `export it: postgres.databases.${i}.export: {to: ${appsOn}, address: <an address of ${dataOn}'s load-balancer pool>}, or place apps on ${dataOn}`,
          );
        }
      }
      for (const name of Object.keys(s.apps).sort()) {
        if (s.apps[name].enabled && s.apps[name].redis && appsOn !== dataOn) {
          problem(
            `apps.${name}.redis`,
            `app ${name} runs on cluster ${appsOn}, and Redis is reached through the data layer's Services on ${dataOn}`,
            `place apps on ${dataOn}`,
          );
        }
      }
      const searchOn = layerClusterKey(o, 'search');
      for (const name of Object.keys(s.apps).sort()) {
        if (s.apps[name].enabled && s.apps[name].opensearch && appsOn !== searchOn) {
          problem(
            `apps.${name}.opensearch`,
            `app ${name} runs on cluster ${appsOn}, and OpenSearch on ${searchOn}, whose REST API is not exported to other clusters`,
            `place apps and search on the same cluster`,
          );
        }
      }
      const exposed = Object.keys(s.apps).filter((n) => s.apps[n].enabled && s.apps[n].expose);
      if (exposed.length && layerClusterKey(o, 'ingress') !== layerClusterKey(o, 'apps')) {
        problem(
          s.placement.ingress !== undefined ? 'placement.ingress' : 'placement.apps',
          `apps ${exposed.join(', ')} are exposed: their routes and certificates live beside them, and the ingress layer is placed on cluster ${layerClusterKey(o, 'ingress')}, the apps on ${layerClusterKey(o, 'apps')}`,
          'place ingress and apps on the same cluster',
        );
      }
      for (const { layer, why } of sharedWithData(o)) {
        const on = layerClusterKey(o, layer);
        if (on === dataOn) continue;
        problem(
          s.placement[layer] !== undefined ? `placement.${layer}` : 'placement.default',
          `the ${layer} layer is placed on cluster ${on} and the data layer on ${dataOn}; ${why}, so both run on one cluster`,
          `place ${layer} and data on the same cluster; a service another cluster uses is exported (postgres.databases[].export)`,
        );
      }
    }

    // Exports of databases' poolers to another cluster of the environment (judged once the placement is valid).
    const missingCidrs = new Set<string>();
    for (const { at, pg } of postgresClustersOf(s)) {
      if (!pg.enabled) continue;
      pg.databases.forEach((db, i) => {
        if (!db.export) return;
        const where = `${at}.databases.${i}.export`;
        if (declared.length === 0) {
          problem(
            `${where}.to`,
            `database ${db.name} is exported to cluster ${db.export.to}, and ${regionFile} declares no clusters`,
            `declare the clusters in ${regionFile} (clusters: {infra: {}, apps: {}}), or remove the export`,
          );
          return;
        }
        if (!declared.includes(db.export.to)) {
          problem(`${where}.to`, `${regionFile} declares no cluster ${db.export.to}`, `export to one of ${declared.join(', ')}`);
          return;
        }
        if (db.export.to === layerClusterKey(o, 'data')) {
          problem(
            `${where}.to`,
            `database ${db.name} is exported to ${db.export.to}, the cluster it runs on`,
            `remove the export: pods of ${db.export.to} reach the pooler by its Service name already`,
          );
          return;
        }
        if (pg.engine !== 'cloudnative-pg') {
          problem(
            `${where}`,
            `database ${db.name} runs on engine ${pg.engine}; exports offer a CloudNativePG pooler`,
            pg.engine === 'external-patroni'
              ? 'remove the export: the VMs are outside every cluster, and each cluster reaches them through its own external Patroni Service'
              : 'remove the export, or run the cluster with engine: cloudnative-pg',
          );
          return;
        }
        if (db.poolerInstances === 0) {
          problem(
            `${at}.databases.${i}.poolerInstances`,
            `database ${db.name} is exported, and has no pooler to export`,
            'give it poolerInstances: 2 (PgBouncer keeps connections from another cluster off the instances)',
          );
        }
        if (!o.region.clusters[db.export.to].egressCidrs?.length && !missingCidrs.has(db.export.to)) {
          missingCidrs.add(db.export.to);
          problems.push({
            file: regionFile,
            path: `clusters.${db.export.to}.egressCidrs`,
            message: `${o.id}: database ${db.name} is exported to cluster ${db.export.to}, and nothing says which addresses that cluster's traffic comes from, so the exporting side cannot admit exactly them`,
            fix: `set clusters.${db.export.to}.egressCidrs to its node addresses or NAT gateways, e.g. [10.30.0.0/24]`,
          });
        }
      });
    }
    // Two exports on one address would collide at the load balancer.
    const byAddress = new Map<string, string>();
    for (const { at, pg } of postgresClustersOf(s)) {
      pg.databases.forEach((db, i) => {
        if (!db.export || !pg.enabled) return;
        const prev = byAddress.get(db.export.address);
        if (prev) {
          problem(`${at}.databases.${i}.export.address`, `${prev} is exported on this address already`, 'give each export an address of its own');
        } else {
          byAddress.set(db.export.address, `${at}.databases (${db.name})`);
        }
      });
    }
  }
  return problems;
}
