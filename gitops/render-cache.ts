/**
 * Rendered overlays kept between runs of `npm run synth`, so a synth whose inputs did not
 * change costs start-up and the comparison with the tree, not a render. An entry is keyed
 * by everything a render reads: the overlay's resolved spec (its settings, region, DR peers,
 * sealed secrets, the files they came from), whether its cluster is Flux-bootstrapped, and a
 * fingerprint of the code: the launcher's build stamp (size and time of every source),
 * imports/manifest.json (every generated file's hash), package-lock.json and the Node
 * version. Anything else changes the key, and a miss renders as if there were no cache.
 *
 * The cache exists only when synth runs from scripts/launch.js's build (.strata-build/, which
 * holds the stamp), in .strata-build/render-cache/; `STRATA_RENDER_CACHE=off` turns it off
 * and `STRATA_RENDER_CACHE=<folder>` keeps it elsewhere. What is cached is what the
 * render produced after validation: the files, and the results of the checks that read only
 * the rendered objects (quota fit, downloads). The transition guard always runs, against the
 * tree on disk.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { Download } from '../constructs/platform/downloads';
import type { OverlaySpec } from '../environments/model';
import type { Problem } from '../environments/problems';
import { PROJECT_ROOT } from '../environments/project-root';

/** Bumped when the entry format changes. */
const FORMAT = 1;

export interface CachedRender {
  /** Tree-relative path → content, in render order. */
  readonly files: readonly (readonly [string, string])[];
  readonly objects: number;
  readonly layers: number;
  readonly quotaProblems: readonly Problem[];
  readonly unverified: readonly Download[];
}

export class RenderCache {
  /** The cache of the build this code runs from, or none (ts-node, ts-jest, lib/, opted out). */
  public static open(): RenderCache | undefined {
    const setting = process.env.STRATA_RENDER_CACHE ?? '';
    if (setting === 'off') return undefined;
    // This file runs as .strata-build/gitops/render-cache.js; the stamp is the build's.
    const buildDir = path.dirname(__dirname);
    const stamp = path.join(buildDir, 'stamp.json');
    if (!fs.existsSync(stamp)) return undefined;
    const fingerprint = createHash('sha256').update(`${FORMAT}\0${process.version}\0`);
    for (const file of [stamp, path.join(PROJECT_ROOT, 'imports', 'manifest.json'), path.join(PROJECT_ROOT, 'package-lock.json')]) {
      try {
        fingerprint.update(fs.readFileSync(file)).update('\0');
      } catch {
        fingerprint.update('(missing)\0');
      }
    }
    return new RenderCache(setting ? path.resolve(setting) : path.join(buildDir, 'render-cache'), fingerprint.digest('hex'));
  }

  private readonly used = new Set<string>();
  public hits = 0;
  public misses = 0;

  private constructor(private readonly dir: string, private readonly fingerprint: string) {}

  public key(overlay: OverlaySpec, fluxBootstrapped: boolean): string {
    return createHash('sha256')
      .update(this.fingerprint).update('\0')
      .update(fluxBootstrapped ? 'bootstrapped' : 'plain').update('\0')
      .update(JSON.stringify(overlay))
      .digest('hex')
      .slice(0, 40);
  }

  public get(key: string): CachedRender | undefined {
    this.used.add(key);
    try {
      const entry = JSON.parse(fs.readFileSync(this.file(key), 'utf8')) as CachedRender;
      this.hits++;
      return entry;
    } catch {
      this.misses++;
      return undefined;
    }
  }

  /** Best effort: a cache that cannot be written costs time, not correctness. */
  public set(key: string, entry: CachedRender): void {
    this.used.add(key);
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const tmp = `${this.file(key)}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(entry));
      fs.renameSync(tmp, this.file(key));
    } catch {
      // Speed only.
    }
  }

  /** After a run over every overlay: drops entries it did not use, so the cache stays one tree. */
  public prune(): void {
    try {
      for (const name of fs.readdirSync(this.dir)) {
        if (!this.used.has(name.replace(/\.json$/, ''))) fs.rmSync(path.join(this.dir, name), { force: true });
      }
    } catch {
      // Speed only.
    }
  }

  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }
}
