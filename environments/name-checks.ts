/**
 * Names and images derived from the merged settings, checked before anything is built: a
 * cluster name that makes an operator's label value too long, a DR host name beyond DNS
 * limits, an unpinned image, a map key cdk8s cannot serialise. The syntax of each typed
 * name is the schema's (environments/schema.ts, one line per field); what is checked here
 * is what only the combination shows. Names Strata shortens itself (constructs/platform/
 * names.ts) are not judged.
 */
import type { OverlaySpec } from './model';
import { postgresClustersOf } from './postgres-clusters';
import type { Problem } from './problems';
import type { SourceOf } from './semantic-checks';
import { imageRepositoryProblem, pinnedImageProblem, tagStartsWithMajorVersion } from '../constructs/platform/image-reference';
import { dnsLabelProblem, hostnameProblem, labelValueProblem } from '../constructs/platform/names';

/** A name Strata (or the operator it configures) derives from one typed field. */
export interface DerivedName {
  /** Dotted field path in the overlay's settings, or `region.<field>` / `environment` for the region file and the overlay's file name. */
  readonly field: string;
  /** The typed value. */
  readonly value: string;
  readonly name: string;
  /** What the name is, for the message. */
  readonly what: string;
  /** Why the name breaks its rule, or undefined. */
  readonly problem: (name: string) => string | undefined;
  /** The longest typed value the rule leaves room for. */
  readonly room: number;
}

/** cdk8s serialises only objects whose `constructor` is Object's: an own key by that name breaks it. */
const UNSERIALISABLE_KEY = 'constructor';

/** Overlays that belong to a DR pair: either side may lead, so each side's DR host names must work. */
function inDrPair(o: OverlaySpec, overlays: readonly OverlaySpec[]): boolean {
  const dr = o.settings.dr;
  if (dr.role === 'replica') return overlays.some((p) => p.id === dr.of);
  return overlays.some((r) => r.settings.dr.role === 'replica' && r.settings.dr.of === o.id);
}

/** The names of one overlay that are limited by a rule its typed parts do not show. */
export function derivedNames(o: OverlaySpec, overlays: readonly OverlaySpec[]): DerivedName[] {
  const s = o.settings;
  const out: DerivedName[] = [];
  const add = (field: string, value: string, name: string, what: string, problem: (n: string) => string | undefined) => {
    // The typed value sits in the name's first label (or is the name): that label holds 63 characters.
    const firstLabel = problem === hostnameProblem ? name.split('.')[0] : name;
    out.push({ field, value, name, what, problem, room: Math.max(1, 63 - (firstLabel.length - value.length)) });
  };

  const kafka = s.streaming.kafka;
  if (kafka.enabled) {
    // Strimzi labels its pods `strimzi.io/name: <cluster>-<component>` (KafkaCluster allows these pods in its policies).
    for (const component of ['entity-operator', 'kafka-exporter']) {
      add('streaming.kafka.name', kafka.name, `${kafka.name}-${component}`, `Strimzi pod label value strimzi.io/name`, labelValueProblem);
    }
  }
  const os = s.opensearch;
  if (os.enabled) {
    // The operator's security-config Job (its pods carry `job-name: <Job>`) and the Dashboards Service.
    add('opensearch.name', os.name, `${os.name}-securityconfig-update`, "job-name label of the operator's security-config Job", labelValueProblem);
    add('opensearch.name', os.name, `${os.name}-dashboards`, 'Dashboards Service name', dnsLabelProblem);
    const pools = os.topology === 'dedicated' ? ['managers', 'data'] : ['nodes'];
    for (const pool of pools) add('opensearch.name', os.name, `${os.name}-${pool}`, `${pool} node-pool Service name`, dnsLabelProblem);
  }
  const minio = s.minio;
  // The operator's headless Service, which the tenant's certificate names (constructs/storage/minio-tenant.ts).
  if (minio.enabled) add('minio.name', minio.name, `${minio.name}-hl`, 'MinIO headless Service name', dnsLabelProblem);
  for (const { at, pg } of postgresClustersOf(s)) {
    if (pg.enabled && pg.engine === 'cloudnative-pg') {
      for (const svc of ['rw', 'ro', 'r']) add(`${at}.name`, pg.name, `${pg.name}-${svc}`, `CloudNativePG ${svc} Service name`, dnsLabelProblem);
    }
  }

  if (inDrPair(o, overlays)) {
    // Published by external-dns and reached from the other region (charts/streaming.ts, constructs/search/cross-cluster-replication.ts).
    if (kafka.enabled) {
      add('environment', o.environment, `kafka-${o.environment}.${o.region.baseDomain}`, 'Kafka external bootstrap host name', hostnameProblem);
    }
    if (os.enabled) {
      add('opensearch.name', os.name, `${os.name}-transport.${o.region.baseDomain}`, 'OpenSearch cross-cluster transport host name', hostnameProblem);
    }
  }
  return out;
}

export function checkNames(overlays: readonly OverlaySpec[], sourceOf: SourceOf): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const push = (p: Problem) => {
    const key = `${p.file}|${p.path}|${p.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(p);
  };

  for (const o of overlays) {
    const s = o.settings;
    const regionFile = `regions/${o.region.name}.yaml`;

    // One line per blamed field: the derived name that overshoots its limit the most.
    const worst = new Map<string, { problem: Problem; over: number }>();
    for (const d of derivedNames(o, overlays)) {
      const why = d.problem(d.name);
      if (!why) continue;
      let problem: Problem;
      let over: number;
      if (d.problem === hostnameProblem && d.name.length > 253) {
        // A host name too long in all is the domain's doing; a first label too long, the typed name's.
        over = d.name.length - 253;
        problem = {
          file: regionFile,
          path: 'baseDomain',
          value: o.region.baseDomain,
          message: `${o.id}: the ${d.what} "${abbreviated(d.name)}" ${why}`,
          fix: `shorten baseDomain to at most ${Math.max(1, o.region.baseDomain.length - over)} characters`,
        };
      } else {
        over = d.value.length - d.room;
        const env = d.field === 'environment';
        problem = {
          file: env ? o.sourceFile : sourceOf(o, d.field),
          path: env ? '' : d.field,
          value: d.value,
          message: `${o.id}: derives the ${d.what} "${abbreviated(d.name)}", which ${why}`,
          fix: env
            ? `rename ${o.sourceFile} to an environment name of at most ${d.room} characters`
            : `shorten ${d.field} to at most ${d.room} characters (never rename a live cluster: migrate to a new one)`,
        };
      }
      const key = `${problem.file}|${problem.path}`;
      if ((worst.get(key)?.over ?? -Infinity) < over) worst.set(key, { problem, over });
    }
    for (const { problem } of worst.values()) push(problem);

    // Images rendered from user input: pinned and valid, as every pin in constructs/versions.ts.
    const image = s.streaming.connect.image;
    if (image) {
      const why = pinnedImageProblem(image);
      if (why) {
        push({
          file: sourceOf(o, 'streaming.connect.image'),
          path: 'streaming.connect.image',
          value: image,
          message: `${o.id}: the Kafka Connect image ${why}`,
          fix: 'name the prebuilt image with a version tag or digest, e.g. registry.example.org/platform/kafka-connect:3.6.2 or …@sha256:<64 hex>, or leave it empty to let Strimzi build one',
        });
      }
    }
    for (const { at, pg } of postgresClustersOf(s)) {
      const pgImage = pg.image;
      if (!pg.enabled || pgImage === undefined) continue;
      const why = pinnedImageProblem(pgImage);
      const problem = (message: string, fix: string) =>
        push({ file: sourceOf(o, `${at}.image`), path: `${at}.image`, value: pgImage, message: `${o.id}: ${message}`, fix });
      if (pg.engine === 'external-patroni') {
        problem('a PostgreSQL image is set for the external-patroni engine, whose VMs run their own', `remove ${at}.image`);
      } else if (why) {
        problem(`the PostgreSQL image ${why}`, 'pin the image by a version tag or digest, e.g. dirtbikechina/postgres:15-cjk or …@sha256:<64 hex>');
      } else if (pg.engine === 'cloudnative-pg' && !tagStartsWithMajorVersion(pgImage)) {
        problem(
          'the PostgreSQL image tag does not start with the major version, which CloudNativePG reads from it',
          'tag the image like 15-cjk or 17.5, or pin it by digest',
        );
      }
    }
    const registry = o.region.registry;
    if (registry) {
      const why = imageRepositoryProblem(registry.repository);
      if (why) {
        push({
          file: regionFile,
          path: 'registry.repository',
          value: registry.repository,
          message: `the registry repository ${why}`,
          fix: 'give the registry host and repository path images are pushed under, e.g. registry.region-a.example.org/platform',
        });
      }
    }

    // Map keys named `constructor`, in the settings (file by layer) and the region's node labels.
    for (const segments of keysNamed(s, UNSERIALISABLE_KEY)) {
      const fieldPath = segments.join('.');
      push({
        file: ownSource(o, segments),
        path: fieldPath,
        value: UNSERIALISABLE_KEY,
        message: `${o.id}: a key named "${UNSERIALISABLE_KEY}" cannot be rendered (cdk8s refuses objects with an own "constructor" property)`,
        fix: 'rename or remove the key',
      });
    }
    for (const segments of keysNamed(o.region.databaseNodes.labels, UNSERIALISABLE_KEY)) {
      push({
        file: regionFile,
        path: ['databaseNodes', 'labels', ...segments].join('.'),
        value: UNSERIALISABLE_KEY,
        message: `a node label key "${UNSERIALISABLE_KEY}" cannot be rendered (cdk8s refuses objects with an own "constructor" property)`,
        fix: 'use a prefixed key such as example.org/constructor, or another name',
      });
    }
  }
  return problems;
}

/** Long names keep their start and end, so the message stays one readable line. */
function abbreviated(name: string): string {
  return name.length <= 100 ? name : `${name.slice(0, 60)}…${name.slice(-30)}`;
}

/** Paths (as segments) of every own key `key` in a plain tree. */
function keysNamed(data: unknown, key: string, at: readonly string[] = []): string[][] {
  if (data === null || typeof data !== 'object') return [];
  const out: string[][] = [];
  for (const [k, v] of Object.entries(data)) {
    if (k === key) out.push([...at, k]);
    out.push(...keysNamed(v, key, [...at, k]));
  }
  return out;
}

/**
 * The file whose layer holds `segments` as own properties (settingSource's lookup would
 * find `constructor` on every object's prototype).
 */
function ownSource(o: OverlaySpec, segments: readonly string[]): string {
  for (let i = o.settingsSources.length - 1; i >= 0; i--) {
    let node: unknown = o.settingsSources[i].data;
    let found = true;
    for (const seg of segments) {
      if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, seg)) {
        found = false;
        break;
      }
      node = (node as Record<string, unknown>)[seg];
    }
    if (found) return o.settingsSources[i].file.startsWith('(') ? o.sourceFile : o.settingsSources[i].file;
  }
  return o.sourceFile;
}
