/**
 * Problems with the input a construct was given, reported all at once and each with what
 * to do about it. The environment loader (environments/) reports its own in the same shape,
 * naming the file and field the value came from.
 */

export interface Problem {
  /** File relative to the environments folder, e.g. `overlays/region-a/prod.yaml`. */
  readonly file: string;
  /** Dotted field path, e.g. `postgres.instances` (empty for the whole file). */
  readonly path: string;
  /** The offending value (omitted when the problem is a missing value or file). */
  readonly value?: unknown;
  /** What is wrong. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

/**
 * Stands for the environments folder in a fix that names a file to write there (`kubeseal ...
 * > <environments>/sealed-secrets/...`). Whoever prints the problem knows the folder the
 * user gave (`--env-dir`) and puts it in (`withEnvironmentsFolder`); the spec, and so the
 * render cache, stays the same wherever synth runs from.
 */
export const ENVIRONMENTS_FOLDER = '<environments>';

/** `text` with ENVIRONMENTS_FOLDER replaced by the folder as the user should type it. */
export function withEnvironmentsFolder(text: string, folder: string): string {
  return text.split(ENVIRONMENTS_FOLDER).join(folder);
}

/**
 * Problems found while building constructs (a secret not sealed yet, a reference that
 * cannot be resolved), reported like loading problems.
 */
export class SpecError extends Error {
  constructor(public readonly problems: readonly Problem[]) {
    super(problems.map((p) => `${p.file}: ${p.path ? `${p.path}: ` : ''}${p.message}\n  fix: ${p.fix}`).join('\n'));
    this.name = 'SpecError';
  }
}
