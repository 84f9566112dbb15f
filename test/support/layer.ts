/**
 * A minimal overlay for construct unit tests: an App with its OverlayContext and one
 * LayerChart to build constructs in. Nothing is written to disk.
 */
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { LayerChart } from '../../constructs/platform/layer-chart';
import { OverlayContext } from '../../constructs/platform/overlay-context';
import type { SecretBackend } from '../../environments/model';
import { SchemaValidator } from '../../gitops/validator';

export const EXTERNAL_SECRETS: SecretBackend = {
  kind: 'external-secrets',
  storeName: 'platform-secrets',
  storeKind: 'ClusterSecretStore',
  refreshInterval: '1h',
};

export interface TestLayer {
  readonly app: App;
  readonly context: OverlayContext;
  readonly chart: LayerChart;
  /** Every manifest of every chart of the app, in chart order. */
  manifests(): any[];
  /** The one manifest of `kind` named `name` (and in `namespace`, when given). */
  find(kind: string, name: string, namespace?: string): any;
  /** Manifests of one kind. */
  all(kind: string): any[];
}

export function testLayer(layer = 'data', overlay = { region: 'region-a', environment: 'prod' }): TestLayer {
  // Never synthesized: the outdir is only a name.
  const app = new App({ outdir: path.join(os.tmpdir(), 'strata-unused') });
  const context = new OverlayContext(app);
  const chart = new LayerChart(app, layer, overlay);
  const manifests = () => app.charts.flatMap((c) => c.toJson());
  return {
    app,
    context,
    chart,
    manifests,
    all: (kind) => manifests().filter((m) => m.kind === kind),
    find: (kind, name, namespace) => {
      const found = manifests().filter(
        (m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace),
      );
      if (found.length !== 1) {
        throw new Error(
          `expected one ${kind} ${namespace ?? '*'}/${name}, found ${found.length}: ${manifests()
            .map((m) => `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`)
            .join(', ')}`,
        );
      }
      return found[0];
    },
  };
}

const validator = new SchemaValidator();

/** Schema issues of every manifest (empty when all are valid). */
export function schemaIssues(manifests: readonly any[]): string[] {
  return manifests.flatMap((m) => validator.validate(m).map((i) => `${i.object} ${i.path}: ${i.message}`));
}
