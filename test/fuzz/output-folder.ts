/**
 * The output folder a fuzz trial synthesizes into: a hard-linked copy of the default render
 * (about 40 ms for the whole tree, against 650 ms for a byte copy), restored only after a
 * trial changed it, and a fingerprint (every entry's type, size and SHA-1) to prove a failed
 * synth wrote nothing. Hard links are safe because synth never rewrites a file in place: it
 * writes a new tree and swaps it in, and a trial that modified a linked file would change
 * the fingerprint and fail.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** rel path → `<type> <size> <sha1>`; undefined when the folder does not exist. */
export type Fingerprint = ReadonlyMap<string, string> | undefined;

export function fingerprint(dir: string): Fingerprint {
  if (!fs.existsSync(dir)) return undefined;
  const out = new Map<string, string>();
  const walk = (sub: string) => {
    for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      const full = path.join(dir, rel);
      if (e.isDirectory()) {
        out.set(rel, 'dir');
        walk(rel);
      } else if (e.isFile()) {
        const bytes = fs.readFileSync(full);
        out.set(rel, `file ${bytes.length} ${createHash('sha1').update(bytes).digest('hex')}`);
      } else {
        out.set(rel, e.isSymbolicLink() ? `symlink ${fs.readlinkSync(full)}` : 'special');
      }
    }
  };
  walk('');
  return out;
}

/** The first differences between two fingerprints, for a failure message. */
export function fingerprintDiff(before: Fingerprint, after: Fingerprint, limit = 5): string[] {
  if (!before || !after) return before === after ? [] : [before ? 'the output folder was removed' : 'the output folder was created'];
  const diffs: string[] = [];
  for (const [rel, v] of before) if (after.get(rel) !== v) diffs.push(after.has(rel) ? `${rel} changed` : `${rel} removed`);
  for (const rel of after.keys()) if (!before.has(rel)) diffs.push(`${rel} added`);
  return diffs.length > limit ? [...diffs.slice(0, limit), `… ${diffs.length} differences in all`] : diffs;
}

function linkCopy(src: string, dst: string): void {
  fs.mkdirSync(dst, { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    const from = path.join(src, e.name);
    const to = path.join(dst, e.name);
    if (e.isDirectory()) linkCopy(from, to);
    else fs.linkSync(from, to);
  }
}

/**
 * `<root>/dist`, alone in its parent, so that locks and swap folders left beside it show.
 */
export class TrialOutput {
  public readonly outDir: string;
  private state: 'baseline' | 'absent' | 'unknown' = 'unknown';

  constructor(
    private readonly root: string,
    private readonly baselineDir: string,
  ) {
    this.outDir = path.join(root, 'dist');
  }

  /** Makes the folder the default render (or absent, for a new output folder). */
  public prepare(fresh: boolean): void {
    const want = fresh ? 'absent' : 'baseline';
    if (this.state === want) return;
    fs.rmSync(this.root, { recursive: true, force: true });
    fs.mkdirSync(this.root, { recursive: true });
    if (!fresh) linkCopy(this.baselineDir, this.outDir);
    this.state = want;
  }

  /** What sits beside the output folder (only `dist` is expected). */
  public entriesBeside(): string[] {
    return fs.readdirSync(this.root).sort();
  }

  /** After a trial that may have changed it: restore before the next one. */
  public markChanged(): void {
    this.state = 'unknown';
  }
}
