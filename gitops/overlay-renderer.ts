/**
 * Builds and renders one overlay at a time: the constructs (charts/overlay.ts), the files
 * (gitops/render.ts, schema and CEL validation included) and the checks that read only the
 * rendered objects (quota fit, downloads without a checksum). The same code runs in synth's
 * own thread and in its render workers (gitops/render-worker.ts).
 *
 * The rendering half of the project (cdk8s, the constructs, the generated imports, the
 * validators) is loaded on the first render: a synth that finds every overlay in the render
 * cache never loads it.
 */
import type { CachedRender } from './render-cache';
import { OverlayIssue, SynthValidationError } from './validation-error';
import type { SchemaValidator } from './validator';
import type { Download } from '../constructs/platform/downloads';
import type { OverlaySpec } from '../environments/model';
import { Problem, SpecError } from '../environments/problems';

/** What rendering one overlay produced: its files, or the problems that stopped it. */
export interface OverlayOutcome {
  /** The overlay's id (`<region>/<env>`). */
  readonly id: string;
  /** Absent when the overlay has problems. */
  readonly render?: CachedRender;
  /** Problems found while building (a secret not sealed yet, an impossible setting). */
  readonly problems: readonly Problem[];
  /** Schema and CEL violations of the rendered objects. */
  readonly issues: readonly OverlayIssue[];
}

/** Seconds spent building constructs, rendering (toJson, YAML) and validating. */
export interface RenderPhases {
  build: number;
  render: number;
  validation: number;
}

interface RendererModules {
  readonly build: typeof import('../charts/overlay').buildOverlay;
  readonly render: typeof import('./render').renderOverlay;
  readonly unverified: typeof import('../constructs/platform/downloads').unverifiedDownloads;
  readonly quotaFit: typeof import('./quota-fit').quotaFitProblems;
  readonly validator: SchemaValidator;
}

export class OverlayRenderer {
  public readonly phases: RenderPhases = { build: 0, render: 0, validation: 0 };
  private loaded?: RendererModules;

  /** Renders one overlay; problems and violations are returned, any other failure is thrown. */
  /** `bootstrapped`: the overlay's entry folders where `flux bootstrap` committed flux-system/. */
  public render(overlay: OverlaySpec, bootstrapped: readonly string[]): OverlayOutcome {
    const m = this.modules();
    let built;
    try {
      built = this.timed('build', () => m.build(overlay));
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      return { id: overlay.id, problems: err.problems, issues: [] };
    }
    const unverified: Download[] = built.clusters.flatMap((c) => m.unverified(c.app));
    const validationBefore = m.validator.elapsedMs;
    let out;
    try {
      out = this.timed('render', () => m.render(overlay, built.clusters, { validator: m.validator, bootstrapped }));
    } catch (err) {
      if (!(err instanceof SynthValidationError)) throw err;
      return { id: overlay.id, problems: [], issues: err.issues };
    } finally {
      const validation = (m.validator.elapsedMs - validationBefore) / 1000;
      this.phases.render -= validation;
      this.phases.validation += validation;
    }
    return {
      id: overlay.id,
      render: {
        files: [...out.files],
        objects: out.objects,
        layers: built.clusters.reduce((n, c) => n + c.layers.length, 0),
        // Namespaces of one name in two clusters are two namespaces, each with its own quota.
        quotaProblems: [...out.placed.values()].flatMap((manifests) => m.quotaFit(overlay, manifests)),
        unverified,
      },
      problems: [],
      issues: [],
    };
  }

  /** Cache keys of the objects that passed validation in this thread (see SchemaValidator). */
  public passedKeys(): string[] {
    return this.loaded ? this.loaded.validator.passedKeys() : [];
  }

  /** Adds objects that passed in another thread, so the next synth does not validate them again. */
  public adoptPassed(keys: readonly string[]): void {
    this.modules().validator.adoptPassed(keys);
  }

  /** Stores what validation learnt for the next run (best effort). */
  public save(options: { passed: boolean }): void {
    this.loaded?.validator.saveCodeCache(options);
  }

  private timed<T>(phase: keyof RenderPhases, fn: () => T): T {
    const t = performance.now();
    try {
      return fn();
    } finally {
      this.phases[phase] += (performance.now() - t) / 1000;
    }
  }

  private modules(): RendererModules {
    if (!this.loaded) {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { buildOverlay } = require('../charts/overlay') as typeof import('../charts/overlay');
      const { renderOverlay } = require('./render') as typeof import('./render');
      const { unverifiedDownloads } = require('../constructs/platform/downloads') as typeof import('../constructs/platform/downloads');
      const { quotaFitProblems } = require('./quota-fit') as typeof import('./quota-fit');
      const { SchemaValidator: Validator } = require('./validator') as typeof import('./validator');
      /* eslint-enable @typescript-eslint/no-require-imports */
      this.loaded = {
        build: buildOverlay,
        render: renderOverlay,
        unverified: unverifiedDownloads,
        quotaFit: quotaFitProblems,
        validator: new Validator(),
      };
    }
    return this.loaded;
  }
}
