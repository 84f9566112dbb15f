/**
 * Files known to hold a given content, judged by their `stat` alone: git's index trick, so a
 * synth with nothing changed (and `synth --check`, and the imports/ check) need not read the
 * whole tree again to find every file as it left it.
 *
 * An entry is recorded after a file was read and found to hold the content (its digest), with
 * the file's size, modification time and inode. A later run trusts the entry while all three
 * are the same; any write to the file, a checkout or a copy changes at least one. A file whose
 * modification time is within two seconds of the moment it is recorded is not recorded (git's
 * "racily clean" case): a write in the same clock tick as the recording could keep the time, so
 * such a file is read again next time. A file edited on purpose to keep its size, time and
 * inode (`touch -r` after the edit) would fool the index, as it fools git; CI compares on a
 * fresh clone, which has no index.
 *
 * The index is machine-local, beside the launcher's build (.strata-build/stat-index/), never in
 * the repository; code running from its sources (the tests) has none and always reads.
 * `STRATA_STAT_INDEX=off` turns it off.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Bumped when the entry format changes. */
const FORMAT = 1;
/** A file modified this close to its recording is read again next time. */
const RACY_MS = 2000;
/** An index not written for this long is removed by the next save of another. */
const UNUSED_MS = 7 * 24 * 3600_000;

export class StatIndex {
  /** The index named `name` of the launcher's build this code runs from; none from sources or when turned off. */
  public static open(name: string): StatIndex | undefined {
    if (process.env.STRATA_STAT_INDEX === 'off') return undefined;
    // This file runs as .strata-build/gitops/stat-index.js; the build holds a stamp.
    const buildDir = path.dirname(__dirname);
    if (!fs.existsSync(path.join(buildDir, 'stamp.json'))) return undefined;
    const key = createHash('sha1').update(name).digest('hex').slice(0, 16);
    return new StatIndex(path.join(buildDir, 'stat-index', `${key}.json`));
  }

  /** The digest content is recorded under. */
  public static digest(content: string | Buffer): string {
    return createHash('sha1').update(content).digest('hex');
  }

  private readonly entries: Map<string, string>;
  private changed = false;

  /** `file`: where the index is kept (read now if it exists, written by `save`). */
  public constructor(private readonly file: string) {
    this.entries = new Map();
    try {
      const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { format: number; entries: Record<string, string> };
      if (saved.format === FORMAT) for (const [k, v] of Object.entries(saved.entries)) this.entries.set(k, v);
    } catch {
      // No index yet, or an unreadable one: every file is read.
    }
  }

  /** Whether `file` still holds the content of `digest`, by its stat (false when unknown, changed or gone). */
  public holds(file: string, digest: string): boolean {
    const entry = this.entries.get(file);
    if (entry === undefined) return false;
    const stat = statOf(file);
    return stat !== undefined && entry === `${stat}:${digest}`;
  }

  /** Records that `file`, just read, holds the content of `digest`; skipped while it is too recent to trust. */
  public record(file: string, digest: string, now = Date.now()): void {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat || now - stat.mtimeMs < RACY_MS) {
      if (this.entries.delete(file)) this.changed = true;
      return;
    }
    const entry = `${stat.size}:${stat.mtimeMs}:${stat.ino}:${digest}`;
    if (this.entries.get(file) !== entry) {
      this.entries.set(file, entry);
      this.changed = true;
    }
  }

  /** Forgets the files under `dir` that are not in `kept` (renamed or removed since). */
  public prune(dir: string, kept: ReadonlySet<string>): void {
    const prefix = dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`;
    for (const file of [...this.entries.keys()]) {
      if (file.startsWith(prefix) && !kept.has(file)) {
        this.entries.delete(file);
        this.changed = true;
      }
    }
  }

  /** Writes the index when it changed (to a temporary name, then renamed); a failure only costs the next run a read. */
  public save(): void {
    if (!this.changed) return;
    const sorted = Object.fromEntries([...this.entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify({ format: FORMAT, entries: sorted }));
      fs.renameSync(tmp, this.file);
      this.changed = false;
      dropUnused(path.dirname(this.file), this.file);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }
}

function statOf(file: string): string | undefined {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat ? `${stat.size}:${stat.mtimeMs}:${stat.ino}` : undefined;
}

/** Indexes of other folders (temporary outputs, say) not written for a week: forgotten. */
function dropUnused(dir: string, keep: string): void {
  const cutoff = Date.now() - UNUSED_MS;
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (file === keep || !name.endsWith('.json')) continue;
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat?.isFile() && stat.mtimeMs < cutoff) fs.rmSync(file, { force: true });
  }
}
