/**
 * Rendered overlays kept between runs of `npm run synth`, so a synth whose inputs did not
 * change costs start-up and the comparison with the tree, not a render. An entry is keyed
 * by everything a render reads: the overlay's resolved spec (its settings, region, DR peers,
 * sealed secrets, the files they came from), whether its cluster is Flux-bootstrapped, and a
 * fingerprint of the code: the content hash of every source in the launcher's build stamp,
 * imports/manifest.json (every generated file's hash), package-lock.json and the Node
 * version. Anything else changes the key, and a miss renders as if there were no cache.
 * Nothing in the key is local to a machine or a checkout, so a cache filled by one CI job
 * serves another on the same commit (README, "Sharding a large fleet").
 *
 * When synth runs from scripts/launch.js's build (.strata-build/, which holds the stamp), the
 * cache is a folder, .strata-build/render-cache/; `STRATA_RENDER_CACHE=<folder>` keeps it
 * elsewhere. Code that runs from its sources (ts-jest, ts-node) has no build stamp to key on,
 * but its code cannot change while the process lives: it keeps the most recent renders in
 * memory, for the process (a test suite rendering the same environments many times renders
 * each overlay once). `STRATA_RENDER_CACHE=off` turns both off. What is cached is what the
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
const FORMAT = 2;

/** Renders kept in memory by a process that runs from its sources; oldest dropped first. */
const MEMORY_ENTRIES = 48;
const memory = new Map<string, CachedRender>();

export interface CachedRender {
  /** Tree-relative path → content, in render order. */
  readonly files: readonly (readonly [string, string])[];
  readonly objects: number;
  readonly layers: number;
  readonly quotaProblems: readonly Problem[];
  readonly unverified: readonly Download[];
}

export class RenderCache {
  /** The cache of the build this code runs from, the process's memory when it runs from sources, or none (opted out). */
  public static open(): RenderCache | undefined {
    const setting = process.env.STRATA_RENDER_CACHE ?? '';
    if (setting === 'off') return undefined;
    // This file runs as .strata-build/gitops/render-cache.js; the stamp is the build's.
    const buildDir = path.dirname(__dirname);
    const stamp = path.join(buildDir, 'stamp.json');
    if (!fs.existsSync(stamp)) return new RenderCache(undefined, `${FORMAT}\0memory`);
    const fingerprint = createHash('sha256').update(`${FORMAT}\0${process.version}\0`);
    try {
      const { esbuild, options, hashes } = JSON.parse(fs.readFileSync(stamp, 'utf8'));
      const sources = Object.keys(hashes ?? {})
        .sort()
        .map((rel) => `${rel}\0${hashes[rel]}`);
      fingerprint.update(JSON.stringify({ esbuild, options, sources })).update('\0');
    } catch {
      fingerprint.update('(no stamp)\0');
    }
    for (const file of [path.join(PROJECT_ROOT, 'imports', 'manifest.json'), path.join(PROJECT_ROOT, 'package-lock.json')]) {
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

  /** `dir` undefined: the process's memory. */
  private constructor(
    private readonly dir: string | undefined,
    private readonly fingerprint: string,
  ) {}

  /** `bootstrapped`: the overlay's entry folders holding a flux-system/ of `flux bootstrap`. */
  public key(overlay: OverlaySpec, bootstrapped: readonly string[]): string {
    return createHash('sha256')
      .update(this.fingerprint)
      .update('\0')
      .update(bootstrapped.length ? `bootstrapped:${bootstrapped.join(',')}` : 'plain')
      .update('\0')
      .update(JSON.stringify(overlay))
      .digest('hex')
      .slice(0, 40);
  }

  public get(key: string): CachedRender | undefined {
    this.used.add(key);
    if (this.dir === undefined) {
      const entry = memory.get(key);
      if (entry) {
        // Most recently used last: the oldest is the first dropped.
        memory.delete(key);
        memory.set(key, entry);
        this.hits++;
      } else {
        this.misses++;
      }
      return entry;
    }
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
    if (this.dir === undefined) {
      memory.set(key, entry);
      for (const oldest of memory.keys()) {
        if (memory.size <= MEMORY_ENTRIES) break;
        memory.delete(oldest);
      }
      return;
    }
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
    if (this.dir === undefined) return;
    try {
      for (const name of fs.readdirSync(this.dir)) {
        if (!this.used.has(name.replace(/\.json$/, ''))) fs.rmSync(path.join(this.dir, name), { force: true });
      }
    } catch {
      // Speed only.
    }
  }

  private file(key: string): string {
    return path.join(this.dir!, `${key}.json`);
  }
}
