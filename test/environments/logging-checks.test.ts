/**
 * `monitoring.logging` (environments/logging-checks.ts): where the logs go by default, the
 * retention from the tier profile and its override, and each refused choice with its file,
 * field path, value and fix, on copies of the shipped environments and of the examples.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadEnvironments } from '../../environments/load';
import { loggingBackend } from '../../environments/logging-checks';
import type { OverlaySpec } from '../../environments/model';
import { PROJECT_ROOT } from '../../environments/project-root';
import { synth } from '../../main';
import { environmentError, expectProblem } from '../support/problems';
import { EnvironmentChange, environmentsWith, removeTempDirs, tempDir } from '../support/temp';

afterAll(removeTempDirs);

const DEV = 'overlays/region-a/dev.yaml';
const PROD = 'overlays/region-a/prod.yaml';

const logging = (value: Record<string, unknown>): EnvironmentChange => ({ merge: { monitoring: { logging: value } } });
const overlay = (overlays: readonly OverlaySpec[], id: string) => overlays.find((o) => o.id === id)!;

function rendered(changes: Readonly<Record<string, EnvironmentChange>>, id: string): Map<string, any> {
  const outDir = path.join(tempDir('strata-logging-'), 'dist');
  synth({ envDir: environmentsWith(changes), outDir, only: [id] });
  const root = path.join(outDir, id);
  const files = fs
    .readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.yaml') && path.basename(f) !== 'kustomization.yaml');
  return new Map(files.map((f) => [path.basename(f), yaml.load(fs.readFileSync(path.join(root, f), 'utf8'))]));
}

/** A copy of an example's environments with one overlay file changed (merged key by key). */
function exampleWith(example: string, file: string, change: Record<string, unknown>): string {
  const dir = tempDir('strata-logging-example-');
  fs.cpSync(path.join(PROJECT_ROOT, 'examples', example), dir, { recursive: true });
  const target = path.join(dir, file);
  const current = (yaml.load(fs.readFileSync(target, 'utf8')) as Record<string, any>) ?? {};
  fs.writeFileSync(target, yaml.dump({ ...current, ...change }));
  return dir;
}

describe('the default', () => {
  test('logs go to OpenSearch where the overlay runs it, and nowhere (without a problem) where it does not', () => {
    const overlays = loadEnvironments(environmentsWith());
    expect(loggingBackend(overlay(overlays, 'region-a/prod'))).toBe('opensearch');
    expect(loggingBackend(overlay(overlays, 'region-b/prod'))).toBe('opensearch');
    expect(loggingBackend(overlay(overlays, 'region-a/dev'))).toBe('none');
    expect(overlay(overlays, 'region-a/dev').settings.monitoring.logging.backend).toBeUndefined();
  });

  test('retention from the tier profile: prod 30 days, staging 14, dev 7, test 3; an overlay sets its own', () => {
    const overlays = loadEnvironments(environmentsWith({ 'overlays/region-a/qa.yaml': 'tier: test\n', [PROD]: logging({ retentionDays: 90 }) }));
    const days = (id: string) => overlay(overlays, id).settings.monitoring.logging.retentionDays;
    expect([days('region-b/prod'), days('region-a/staging'), days('region-a/dev'), days('region-a/qa')]).toEqual([30, 14, 7, 3]);
    expect(days('region-a/prod')).toBe(90);
  });

  test('the override reaches the ISM policy of the rendered tree', () => {
    const tree = rendered({ [PROD]: logging({ retentionDays: 90 }) }, 'region-a/prod');
    expect(tree.get('opensearch_opensearchismpolicy_logs-retention.yaml').spec.states[0].transitions[0].conditions).toEqual({ minIndexAge: '90d' });
    expect(tree.get('logging_helmrelease_fluent-bit.yaml').metadata.labels['strata.io/layer']).toBe('monitoring');
  });

  test('backend none switches it off: no Fluent Bit, no logging namespace, no log user', () => {
    const tree = rendered({ [PROD]: logging({ backend: 'none' }) }, 'region-a/prod');
    const names = [...tree.keys()];
    expect(names.filter((f) => /fluent-bit|^logging_|namespace_logging|logs-retention|indextemplate_logs/.test(f))).toEqual([]);
    expect(names).toContain('opensearch_opensearchcluster_search.yaml');
  });
});

describe('refused choices', () => {
  test('logs to OpenSearch where it is disabled: the file, field, value and fix, and nothing is written', () => {
    const envDir = environmentsWith({ [DEV]: logging({ backend: 'opensearch' }) });
    expectProblem(
      environmentError(() => loadEnvironments(envDir)),
      {
        file: DEV,
        path: 'monitoring.logging.backend',
        value: 'opensearch',
        message: /region-a\/dev: logs go to OpenSearch \(monitoring\.logging\.backend\), and opensearch\.enabled is false/,
        fix: /set opensearch\.enabled: true, or monitoring\.logging\.backend: none/,
      },
    );
    const outDir = path.join(tempDir('strata-logging-out-'), 'dist');
    expect(() => synth({ envDir, outDir, only: ['region-a/dev'] })).toThrow(/monitoring\.logging\.backend/);
    expect(fs.existsSync(outDir)).toBe(false);
  });

  test('a backend not offered (yet) is a schema problem listing the ones there are', () => {
    expectProblem(
      environmentError(() => loadEnvironments(environmentsWith({ [PROD]: logging({ backend: 'elasticsearch' }) }))),
      {
        file: PROD,
        path: 'monitoring.logging.backend',
        value: 'elasticsearch',
        message: /./,
        fix: /one of opensearch, victorialogs, loki, none/,
      },
    );
  });

  test('a Loki mode not offered, or too few pods of each, is a schema problem', () => {
    expectProblem(
      environmentError(() => loadEnvironments(environmentsWith({ [PROD]: logging({ loki: { mode: 'distributed' } }) }))),
      { file: PROD, path: 'monitoring.logging.loki.mode', value: 'distributed', message: /./, fix: /single-binary .* or simple-scalable/ },
    );
    expectProblem(
      environmentError(() => loadEnvironments(environmentsWith({ [PROD]: logging({ loki: { replicas: 1 } }) }))),
      { file: PROD, path: 'monitoring.logging.loki.replicas', value: 1, message: /./, fix: /give 2 to 30 pods/ },
    );
  });

  test('a retention of no whole days is a schema problem', () => {
    expectProblem(
      environmentError(() => loadEnvironments(environmentsWith({ [PROD]: logging({ retentionDays: 0 }) }))),
      { file: PROD, path: 'monitoring.logging.retentionDays', value: 0, message: /./, fix: /whole days from 1 to 3650/ },
    );
  });

  test("OpenSearch on another cluster than Fluent Bit's (the Talos example's infra and apps): refused when asked for, off by default", () => {
    const prod = 'overlays/homelab/prod.yaml';
    const base = { opensearch: { enabled: true }, backupStorage: { caKey: 'homelab/rgw/ca' }, placement: { monitoring: 'apps' } };
    const asked = exampleWith('talos-infra-apps', prod, { ...base, monitoring: { logging: { backend: 'opensearch' } } });
    expectProblem(
      environmentError(() => loadEnvironments(asked)),
      {
        file: prod,
        path: 'monitoring.logging.backend',
        value: 'opensearch',
        message: /runs on cluster infra, and Fluent Bit runs on cluster apps \(the monitoring layer's\)/,
        fix: /place search and monitoring on one cluster \(placement\.search, placement\.monitoring\), or set monitoring\.logging\.backend: none/,
      },
    );
    // The example's region sends its logs to VictoriaLogs; without that choice, they are not collected.
    const dir = exampleWith('talos-infra-apps', prod, base);
    expect(loggingBackend(overlay(loadEnvironments(dir), 'homelab/prod'))).toBe('victorialogs');
    const region = path.join(dir, 'regions', 'homelab.yaml');
    const text = fs.readFileSync(region, 'utf8');
    expect(text).toContain('    logging:\n      backend: victorialogs\n');
    fs.writeFileSync(region, text.replace('    logging:\n      backend: victorialogs\n', ''));
    expect(loggingBackend(overlay(loadEnvironments(dir), 'homelab/prod'))).toBe('none');
  });

  test("in a cluster every environment shares (the community site's k3s), logs to OpenSearch are refused, and off by default", () => {
    const prod = 'overlays/dirtbike/prod.yaml';
    const search = { opensearch: { enabled: true }, backupStorage: { caKey: 'dirtbike/s3/ca' } };
    const dir = exampleWith('k3s-community-site', prod, { ...search, monitoring: { logging: { backend: 'opensearch' } } });
    expectProblem(
      environmentError(() => loadEnvironments(dir)),
      {
        file: prod,
        path: 'monitoring.logging.backend',
        value: 'opensearch',
        message: /cluster k3s is shared by every environment of dirtbike/,
        fix: /set monitoring\.logging\.backend: none/,
      },
    );
    const overlays = loadEnvironments(exampleWith('k3s-community-site', prod, search));
    expect(loggingBackend(overlay(overlays, 'dirtbike/prod'))).toBe('none');
  });
});

describe('backend victorialogs', () => {
  test('refused without the VictoriaMetrics stack, naming the file and the fix', () => {
    expectProblem(
      environmentError(() => loadEnvironments(environmentsWith({ [PROD]: logging({ backend: 'victorialogs' }) }))),
      {
        file: PROD,
        path: 'monitoring.logging.backend',
        value: 'victorialogs',
        message:
          /^region-a\/prod: logs go to VictoriaLogs \(monitoring.logging.backend\), which the VictoriaMetrics operator runs, and monitoring.stack is kube-prometheus-stack$/,
        fix: /set monitoring.stack: victoriametrics, or monitoring.logging.backend: opensearch \(where OpenSearch runs\) or none/,
      },
    );
  });

  test('with it, logs go to a VLSingle and Fluent Bit writes there; the tier sizes the volume', () => {
    const B_DEV = 'overlays/region-b/dev.yaml';
    const overlays = loadEnvironments(
      environmentsWith({ [B_DEV]: { merge: { monitoring: { stack: 'victoriametrics', logging: { backend: 'victorialogs' } } } } }),
    );
    expect(loggingBackend(overlay(overlays, 'region-b/dev'))).toBe('victorialogs');
    expect(overlay(overlays, 'region-b/dev').settings.monitoring.logging.storageSize).toBe('10Gi');
    expect(overlay(overlays, 'region-b/prod').settings.monitoring.logging.storageSize).toBe('50Gi');
    const tree = rendered({ [B_DEV]: { merge: { monitoring: { stack: 'victoriametrics', logging: { backend: 'victorialogs' } } } } }, 'region-b/dev');
    expect(tree.get('monitoring_vlsingle_platform.yaml').spec).toMatchObject({
      retentionPeriod: '7d',
      storage: { resources: { requests: { storage: '10Gi' } } },
    });
    // Region B runs Argo CD: Fluent Bit is an Application, writing over HTTP to the store, with no OpenSearch credential.
    const fluentBit = tree.get('argocd_application_fluent-bit.yaml');
    expect(fluentBit.spec.source.helm.valuesObject.config.outputs).toMatch(/Host +vlsingle-platform\.monitoring\.svc\n/);
    expect(tree.has('logging_externalsecret_fluent-bit-opensearch-credentials.yaml')).toBe(false);
  });
});

describe('backend loki', () => {
  const B_DEV = 'overlays/region-b/dev.yaml';
  const LOKI = logging({ backend: 'loki' });

  test('the tier shapes it: simple-scalable with three pods of each in prod, a single binary elsewhere', () => {
    const overlays = loadEnvironments(environmentsWith({ [PROD]: LOKI, [B_DEV]: LOKI, 'overlays/region-a/qa.yaml': 'tier: test\n' }));
    const loki = (id: string) => overlay(overlays, id).settings.monitoring.logging.loki;
    expect(loggingBackend(overlay(overlays, 'region-a/prod'))).toBe('loki');
    expect(loki('region-a/prod')).toEqual({ mode: 'simple-scalable', replicas: 3 });
    expect([loki('region-a/staging').mode, loki('region-b/dev').mode, loki('region-a/qa').mode]).toEqual([
      'single-binary',
      'single-binary',
      'single-binary',
    ]);
  });

  test("with the overlay's MinIO: Loki in the monitoring layer (an Application under Argo CD), its bucket in the tenant, Fluent Bit pushing to it", () => {
    const tree = rendered({ [B_DEV]: LOKI }, 'region-b/dev');
    const values = tree.get('argocd_application_loki.yaml').spec.source.helm.valuesObject;
    expect(values.deploymentMode).toBe('SingleBinary');
    expect(values.loki.limits_config.retention_period).toBe('168h');
    expect(values.loki.storage.bucketNames.chunks).toBe('loki');
    expect(tree.get('argocd_application_loki.yaml').metadata.labels['strata.io/layer']).toBe('monitoring');
    expect(tree.get('minio_tenant_storage.yaml').spec.buckets).toContainEqual({ name: 'loki' });
    const outputs = tree.get('argocd_application_fluent-bit.yaml').spec.source.helm.valuesObject.config.outputs;
    expect(outputs).toMatch(/Name +loki\n/);
    expect(outputs).toMatch(/Labels +job=fluent-bit, region=region-b, environment=dev, cluster=region-b-dev, namespace=/);
    expect(tree.has('monitoring_podmonitor_loki.yaml')).toBe(true);
    // No credential value anywhere: the key and secret come from the secret store into Loki's namespace.
    expect(tree.get('monitoring_externalsecret_loki-s3-credentials.yaml').kind).toBe('ExternalSecret');
    expect([...tree.values()].filter((m) => m?.kind === 'Secret')).toEqual([]);
  });

  test('refused where the overlay has no object storage, naming the file, the field, the value and the fix; nothing is written', () => {
    const envDir = environmentsWith({ [PROD]: { merge: { minio: { enabled: false }, monitoring: { logging: { backend: 'loki' } } } } });
    expectProblem(
      environmentError(() => loadEnvironments(envDir)),
      {
        file: PROD,
        path: 'monitoring.logging.backend',
        value: 'loki',
        message:
          /^region-a\/prod: logs go to Loki \(monitoring.logging.backend\), which keeps them in the overlay's object storage, and the overlay has none: minio.enabled is false and backupStorage.kind is not s3$/,
        fix: /set minio.enabled: true, or backupStorage.kind: s3 with the provider's endpoint, or monitoring.logging.backend: none/,
      },
    );
    const outDir = path.join(tempDir('strata-logging-out-'), 'dist');
    expect(() => synth({ envDir, outDir, only: ['region-a/prod'] })).toThrow(/monitoring\.logging\.backend/);
    expect(fs.existsSync(outDir)).toBe(false);
  });

  test('refused beside a monitoring stack outside the cluster (the external-services example), which cannot reach it', () => {
    const staging = 'overlays/hetzner/staging.yaml';
    const dir = exampleWith('k3s-external-services', staging, {
      monitoring: { ...(readExample('k3s-external-services', staging).monitoring ?? {}), logging: { backend: 'loki' } },
    });
    expectProblem(
      environmentError(() => loadEnvironments(dir)),
      {
        file: staging,
        path: 'monitoring.logging.backend',
        value: 'loki',
        message:
          /logs go to Loki \(monitoring.logging.backend\), which serves them inside the cluster to the cluster's Grafana, and the monitoring stack runs outside the cluster \(monitoring.external\)/,
        fix: /or run the monitoring stack in the cluster \(remove monitoring.external\)/,
      },
    );
  });

  test("in a cluster every environment shares (the community site's k3s), refused like the other backends", () => {
    const prod = 'overlays/dirtbike/prod.yaml';
    const dir = exampleWith('k3s-community-site', prod, {
      monitoring: { ...(readExample('k3s-community-site', prod).monitoring ?? {}), logging: { backend: 'loki' } },
    });
    expectProblem(
      environmentError(() => loadEnvironments(dir)),
      {
        file: prod,
        path: 'monitoring.logging.backend',
        value: 'loki',
        message:
          /logs go to Loki \(monitoring.logging.backend\), and cluster k3s is shared by every environment of dirtbike: one Fluent Bit would send every environment's logs to this environment's Loki/,
        fix: /set monitoring\.logging\.backend: none/,
      },
    );
  });

  test("refused where the monitoring layer runs on another cluster than the MinIO tenant (the Talos example's infra and apps)", () => {
    const prod = 'overlays/homelab/prod.yaml';
    const current = readExample('talos-infra-apps', prod);
    const dir = exampleWith('talos-infra-apps', prod, {
      backupStorage: { kind: 'minio' },
      minio: { ...(current.minio ?? {}), enabled: true },
      placement: { ...(current.placement ?? {}), data: 'infra', monitoring: 'apps' },
      monitoring: { ...(current.monitoring ?? {}), logging: { backend: 'loki' } },
    });
    expectProblem(
      environmentError(() => loadEnvironments(dir)),
      {
        file: prod,
        path: 'monitoring.logging.backend',
        value: 'loki',
        message:
          /which runs on cluster apps \(the monitoring layer's\), and its bucket would be in the MinIO tenant on cluster infra \(the data layer's\)/,
        fix: /place data and monitoring on one cluster \(placement\.data, placement\.monitoring\), or use backupStorage\.kind: s3/,
      },
    );
  });
});

function readExample(example: string, file: string): Record<string, any> {
  return (yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, 'examples', example, file), 'utf8')) as Record<string, any>) ?? {};
}
