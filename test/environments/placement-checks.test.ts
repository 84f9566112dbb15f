/**
 * The rules of environments/placement-checks.ts (a region's `clusters`, an overlay's
 * `placement` and the databases it exports to another of its clusters), one failing case per
 * rule, through loadEnvironments on a copy of examples/talos-infra-apps (two clusters, infra
 * and apps) or of environments/ (regions without clusters): each problem names the file, the
 * field path, the bad value and what to do. Then the layout environments/placement.ts gives a
 * valid setup, and the old one of a region without clusters.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadEnvironments } from '../../environments/load';
import type { OverlaySpec } from '../../environments/model';
import { defaultClusterKey, layerClusterKey, overlayClusters, PLACED_LAYERS, placedCluster } from '../../environments/placement';
import { PROJECT_ROOT } from '../../environments/project-root';
import { environmentError, expectProblem } from '../support/problems';
import { environmentsWith, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const EXAMPLE = path.join(PROJECT_ROOT, 'examples', 'talos-infra-apps');
const REGION = 'regions/homelab.yaml';
const PROD = 'overlays/homelab/prod.yaml';

/** A change to one file of the copy: values to merge in (objects key by key), or an edit of the parsed document. */
type Change = { readonly merge: Record<string, unknown> } | { readonly edit: (doc: any) => void };

function deepMerge(base: unknown, change: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(base) || !isObject(change)) return change;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(change)) out[k] = deepMerge(base[k], v);
  return out;
}

/** A copy of the two-cluster example with some of its files changed. */
function exampleWith(changes: Readonly<Record<string, Change>> = {}): string {
  const dir = tempDir('strata-placement-');
  fs.cpSync(EXAMPLE, dir, { recursive: true });
  for (const [rel, change] of Object.entries(changes)) {
    const file = path.join(dir, rel);
    const doc: any = yaml.load(fs.readFileSync(file, 'utf8')) ?? {};
    if ('merge' in change) {
      fs.writeFileSync(file, yaml.dump(deepMerge(doc, change.merge)));
    } else {
      change.edit(doc);
      fs.writeFileSync(file, yaml.dump(doc));
    }
  }
  return dir;
}

const reject = (changes: Readonly<Record<string, Change>>) => environmentError(() => loadEnvironments(exampleWith(changes)));
const editProd = (edit: (prod: any) => void) => ({ [PROD]: { edit } });
const editRegion = (edit: (region: any) => void) => ({ [REGION]: { edit } });

describe('the region file: clusters', () => {
  test('a cluster may be named like a layer: its layers are one folder deeper (<region>/<env>/<cluster>/<layer>)', () => {
    const [o] = loadEnvironments(exampleWith({ [REGION]: { merge: { clusters: { data: {} } } } }));
    expect(placedCluster(o, 'data')).toEqual({ key: 'data', name: 'talos-prod-data', folder: 'homelab-prod-data', root: 'homelab/prod/data' });
  });

  test('destinationServer on a cluster of a Flux region', () => {
    const err = reject({ [REGION]: { merge: { clusters: { apps: { destinationServer: 'https://apps.homelab.example.org:6443' } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION,
      path: 'clusters.apps.destinationServer',
      value: 'https://apps.homelab.example.org:6443',
      message: /destinationServer is where Argo CD deploys, and this region runs flux: each Flux cluster applies its own entry folder/,
      fix: /^remove clusters\.apps\.destinationServer, or set gitops\.engine: argocd$/,
    });
  });
});

describe('placement', () => {
  test('placement in a region without clusters', () => {
    const err = environmentError(() =>
      loadEnvironments(environmentsWith({ 'overlays/region-a/prod.yaml': { merge: { placement: { data: 'infra' } } } })),
    );
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: 'overlays/region-a/prod.yaml',
      path: 'placement.data',
      value: 'infra',
      message: /^region-a\/prod: places a layer on cluster infra, and regions\/region-a\.yaml declares no clusters/,
      fix: /^declare the clusters in regions\/region-a\.yaml \(clusters: \{infra: \{\}, apps: \{\}\}\), or remove placement$/,
    });
  });

  test('placement set in the region defaults of a region whose clusters were removed is reported in the region file', () => {
    const err = reject(
      editRegion((r) => {
        delete r.clusters;
      }),
    );
    expectProblem(err, {
      file: REGION,
      path: 'placement.default',
      value: 'infra',
      message: /^homelab\/prod: places a layer on cluster infra, and regions\/homelab\.yaml declares no clusters/,
      fix: /or remove placement$/,
    });
  });

  test('placement naming a cluster the region does not declare', () => {
    const err = reject({ [PROD]: { merge: { placement: { data: 'edge' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'placement.data',
      value: 'edge',
      message: /^homelab\/prod: regions\/homelab\.yaml declares no cluster edge$/,
      fix: /^use one of apps, infra, or declare it under clusters in regions\/homelab\.yaml$/,
    });
  });

  test('several clusters and no placement.default', () => {
    const err = reject({
      [REGION]: {
        edit: (r) => {
          delete r.defaults;
        },
      },
    });
    // The exports are judged once the placement is valid: the one problem is the placement.
    expect(err.problems).toHaveLength(1);
    const problem = expectProblem(err, {
      file: PROD,
      path: 'placement.default',
      message:
        /^homelab\/prod: regions\/homelab\.yaml declares 2 clusters \(apps, infra\) and nothing says which one runs the layers not placed by name$/,
      fix: /^set placement\.default to one of apps, infra \(in overlays\/homelab\/prod\.yaml, or for every environment in the region's defaults\)$/,
    });
    expect(problem.value).toBeUndefined();
  });

  test('one declared cluster needs no placement: it runs everything', () => {
    const [o] = loadEnvironments(
      exampleWith({
        [REGION]: {
          edit: (r) => {
            r.clusters = { infra: {} };
            delete r.defaults;
          },
        },
        ...editProd((p) => {
          for (const db of p.postgres.databases) delete db.export;
        }),
      }),
    );
    expect(o.settings.placement).toEqual({});
    for (const layer of PLACED_LAYERS) expect(layerClusterKey(o, layer)).toBe('infra');
    expect(defaultClusterKey(o)).toBe('infra');
    expect(overlayClusters(o)).toEqual([{ key: 'infra', name: 'talos-prod-infra', folder: 'homelab-prod-infra', root: 'homelab/prod/infra' }]);
  });

  test('backup on another cluster than data', () => {
    const err = reject({ [PROD]: { merge: { placement: { backup: 'apps' } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'placement.backup',
      value: 'apps',
      message:
        /^homelab\/prod: the backup layer is placed on cluster apps and the data layer on infra; Velero writes to the data layer's backup storage, so both run on one cluster$/,
      fix: /^place backup and data on the same cluster; a service another cluster uses is exported \(postgres\.databases\[\]\.export\)$/,
    });
  });

  test('streaming on another cluster than data', () => {
    const err = reject({ [PROD]: { merge: { placement: { streaming: 'apps' }, streaming: { kafka: { enabled: true } } } } });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'placement.streaming',
      value: 'apps',
      message: /the streaming layer is placed on cluster apps and the data layer on infra; Kafka Connect reads the data layer's PostgreSQL/,
      fix: /^place streaming and data on the same cluster/,
    });
  });

  test('search on another cluster than data', () => {
    const err = reject({ [PROD]: { merge: { placement: { search: 'apps' }, opensearch: { enabled: true } } } });
    expectProblem(err, {
      file: PROD,
      path: 'placement.search',
      value: 'apps',
      message: /the search layer is placed on cluster apps and the data layer on infra; OpenSearch snapshots go to the data layer's backup storage/,
      fix: /^place search and data on the same cluster/,
    });
    // The other problem is OpenSearch's own (the example's S3 has no CA key), not placement's.
    expect(err.problems.map((p) => p.path).sort()).toEqual(['backupStorage.caKey', 'placement.search']);
  });

  test('data moved off the default cluster: the layer left behind is reported at placement.default, where it is set', () => {
    const err = reject(
      editProd((o) => {
        o.placement = { data: 'apps' };
        for (const db of o.postgres.databases) delete db.export;
      }),
    );
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: REGION,
      path: 'placement.default',
      value: 'infra',
      message: /^homelab\/prod: the backup layer is placed on cluster infra and the data layer on apps/,
      fix: /^place backup and data on the same cluster/,
    });
  });

  test('ingress and monitoring may run on another cluster than data', () => {
    const [o] = loadEnvironments(exampleWith({ [PROD]: { merge: { placement: { ingress: 'apps', monitoring: 'apps' } } } }));
    expect(layerClusterKey(o, 'ingress')).toBe('apps');
    expect(layerClusterKey(o, 'monitoring')).toBe('apps');
    expect(layerClusterKey(o, 'data')).toBe('infra');
  });
});

describe('exports', () => {
  test('to a cluster the region does not declare', () => {
    const err = reject(
      editProd((o) => {
        o.postgres.databases[0].export.to = 'edge';
      }),
    );
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'postgres.databases.0.export.to',
      value: 'edge',
      message: /^homelab\/prod: regions\/homelab\.yaml declares no cluster edge$/,
      fix: /^export to one of apps, infra$/,
    });
  });

  test('to the cluster the data runs on', () => {
    const err = reject(
      editProd((o) => {
        o.postgres.databases[1].export.to = 'infra';
      }),
    );
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'postgres.databases.1.export.to',
      value: 'infra',
      message: /^homelab\/prod: database keycloak is exported to infra, the cluster it runs on$/,
      fix: /^remove the export: pods of infra reach the pooler by its Service name already$/,
    });
  });

  test('on engine zalando', () => {
    const err = reject({ [PROD]: { merge: { postgres: { engine: 'zalando' } } } });
    expect(err.problems).toHaveLength(3);
    expectProblem(err, {
      file: PROD,
      path: 'postgres.databases.0.export',
      value: { to: 'apps', address: '10.25.11.201', namespace: 'harbor' },
      message: /^homelab\/prod: database harbor runs on engine zalando; exports offer a CloudNativePG pooler$/,
      fix: /^remove the export, or run the cluster with engine: cloudnative-pg$/,
    });
  });

  test('on engine external-patroni', () => {
    const err = reject({ [PROD]: { merge: { postgres: { engine: 'external-patroni', external: { addresses: ['10.25.11.31', '10.25.11.32'] } } } } });
    expect(err.problems).toHaveLength(3);
    expectProblem(err, {
      file: PROD,
      path: 'postgres.databases.2.export',
      value: { to: 'apps', address: '10.25.11.203', namespace: 'gitlab' },
      message: /^homelab\/prod: database gitlab runs on engine external-patroni; exports offer a CloudNativePG pooler$/,
      fix: /^remove the export: the VMs are outside every cluster, and each cluster reaches them through its own external Patroni Service$/,
    });
  });

  test('of a database without pooler', () => {
    const err = reject(
      editProd((o) => {
        o.postgres.databases[2].poolerInstances = 0;
      }),
    );
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'postgres.databases.2.poolerInstances',
      value: 0,
      message: /^homelab\/prod: database gitlab is exported, and has no pooler to export$/,
      fix: /^give it poolerInstances: 2\b/,
    });
  });

  test('to a cluster without egressCidrs: the problem is in the region file', () => {
    const err = reject(
      editRegion((r) => {
        r.clusters.apps = {};
      }),
    );
    // Once for the cluster, though three databases are exported to it.
    expect(err.problems.map((p) => `${p.file} ${p.path}`)).toEqual([`${REGION} clusters.apps.egressCidrs`]);
    const problem = expectProblem(err, {
      file: REGION,
      path: 'clusters.apps.egressCidrs',
      message:
        /^homelab\/prod: database harbor is exported to cluster apps, and nothing says which addresses that cluster's traffic comes from, so the exporting side cannot admit exactly them$/,
      fix: /^set clusters\.apps\.egressCidrs to its node addresses or NAT gateways, e\.g\. \[10\.30\.0\.0\/24\]$/,
    });
    expect(problem.value).toBeUndefined();
  });

  test('an egress block that is not an IPv4 block is refused in the region file', () => {
    const err = reject(
      editRegion((r) => {
        r.clusters.apps.egressCidrs = ['10.25.11.14/32', '999.1.1.1/99', '10.25.11.16/24'];
      }),
    );
    expect(err.problems.map((p) => [p.path, p.value])).toEqual([
      ['clusters.apps.egressCidrs.1', '999.1.1.1/99'],
      ['clusters.apps.egressCidrs.2', '10.25.11.16/24'],
    ]);
    expectProblem(err, {
      file: REGION,
      path: 'clusters.apps.egressCidrs.2',
      value: '10.25.11.16/24',
      message: /host bits/,
      fix: /10\.25\.11\.0\/24|10\.25\.11\.16\/32/,
    });
  });

  test('two exports on one address', () => {
    const err = reject(
      editProd((o) => {
        o.postgres.databases[2].export.address = '10.25.11.201';
      }),
    );
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'postgres.databases.2.export.address',
      value: '10.25.11.201',
      message: /^homelab\/prod: postgres\.databases \(harbor\) is exported on this address already$/,
      fix: /^give each export an address of its own$/,
    });
  });

  test('two exports on one address, across PostgreSQL clusters', () => {
    const err = reject({
      [PROD]: { merge: { postgresClusters: { gitea: { databases: [{ name: 'gitea', export: { to: 'apps', address: '10.25.11.202' } }] } } } },
    });
    expect(err.problems).toHaveLength(1);
    expectProblem(err, {
      file: PROD,
      path: 'postgresClusters.gitea.databases.0.export.address',
      value: '10.25.11.202',
      message: /postgres\.databases \(keycloak\) is exported on this address already$/,
      fix: /^give each export an address of its own$/,
    });
  });

  test('in a region without clusters', () => {
    const err = reject(
      editRegion((r) => {
        delete r.clusters;
        delete r.defaults;
      }),
    );
    expect(err.problems.map((p) => p.path)).toEqual([0, 1, 2].map((i) => `postgres.databases.${i}.export.to`));
    expectProblem(err, {
      file: PROD,
      path: 'postgres.databases.0.export.to',
      value: 'apps',
      message: /^homelab\/prod: database harbor is exported to cluster apps, and regions\/homelab\.yaml declares no clusters$/,
      fix: /^declare the clusters in regions\/homelab\.yaml \(clusters: \{infra: \{\}, apps: \{\}\}\), or remove the export$/,
    });
  });
});

describe('a valid two-cluster setup', () => {
  let overlay: OverlaySpec;
  beforeAll(() => {
    const overlays = loadEnvironments(exampleWith({ [PROD]: { merge: { placement: { monitoring: 'apps' } } } }));
    expect(overlays.map((o) => o.id)).toEqual(['homelab/prod']);
    overlay = overlays[0];
  });

  test('each layer runs where it is placed, or on placement.default', () => {
    expect(PLACED_LAYERS.map((l) => [l, layerClusterKey(overlay, l)])).toEqual([
      ['data', 'infra'],
      ['streaming', 'infra'],
      ['search', 'infra'],
      ['backup', 'infra'],
      ['apps', 'infra'],
      ['ingress', 'infra'],
      ['monitoring', 'apps'],
    ]);
    expect(defaultClusterKey(overlay)).toBe('infra');
  });

  test('every declared cluster, in key order: names <clusterPrefix>-<env>-<key>, folders <region>-<env>-<key>, roots <region>/<env>/<key>', () => {
    expect(overlayClusters(overlay)).toEqual([
      { key: 'apps', name: 'talos-prod-apps', folder: 'homelab-prod-apps', root: 'homelab/prod/apps' },
      { key: 'infra', name: 'talos-prod-infra', folder: 'homelab-prod-infra', root: 'homelab/prod/infra' },
    ]);
    expect(placedCluster(overlay, 'infra')).toEqual({
      key: 'infra',
      name: 'talos-prod-infra',
      folder: 'homelab-prod-infra',
      root: 'homelab/prod/infra',
    });
  });

  test('the exports are loaded as written', () => {
    expect(overlay.settings.postgres.databases.map((d) => [d.name, d.export?.to, d.export?.address])).toEqual([
      ['harbor', 'apps', '10.25.11.201'],
      ['keycloak', 'apps', '10.25.11.202'],
      ['gitlab', 'apps', '10.25.11.203'],
    ]);
    expect(overlay.region.clusters.apps.egressCidrs).toEqual(['10.25.11.14/32', '10.25.11.15/32', '10.25.11.16/32']);
  });
});

describe('a region without clusters keeps the old layout', () => {
  let overlay: OverlaySpec;
  beforeAll(() => {
    overlay = loadEnvironments(environmentsWith()).find((o) => o.id === 'region-a/prod')!;
  });

  test("every layer on cluster '' of folder <region>-<env> and root <region>/<env>", () => {
    expect(overlay.region.clusters).toEqual({});
    for (const layer of PLACED_LAYERS) expect(layerClusterKey(overlay, layer)).toBe('');
    expect(defaultClusterKey(overlay)).toBe('');
    const one = { key: '', name: 'region-a-prod', folder: 'region-a-prod', root: 'region-a/prod' };
    expect(overlayClusters(overlay)).toEqual([one]);
    expect(placedCluster(overlay, '')).toEqual(one);
    expect(overlay.clusterName).toBe(one.name);
  });
});
