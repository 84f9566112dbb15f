/**
 * What one synth run in the fuzz worker reports back: a tree written, a refusal of one of
 * the errors `main` prints as a user error, or something that must never happen (another
 * exception, a hang, a dead process).
 */

/** The errors `main` reports without a stack trace. */
export const USER_ERRORS = ['EnvironmentError', 'SynthValidationError', 'TreeLockedError', 'TreeOwnershipError'] as const;
export type UserError = (typeof USER_ERRORS)[number];

export interface ReportedProblem {
  readonly file: unknown;
  readonly path: unknown;
  readonly message: unknown;
  readonly fix: unknown;
}

export interface ReportedIssue {
  readonly overlay: unknown;
  readonly layer: unknown;
  readonly object: unknown;
  readonly path: unknown;
  readonly message: unknown;
}

/** Messages are cut to this many characters before crossing the process boundary. */
export const MESSAGE_CAP = 200_000;

export type Outcome =
  | {
      readonly kind: 'written';
      readonly written: readonly string[];
      readonly removed: readonly string[];
      /** Schema violations of the written objects, read back from disk. */
      readonly invalid: readonly string[];
    }
  | {
      readonly kind: 'refused';
      readonly error: UserError;
      /** The message, cut to MESSAGE_CAP; `messageLength` is the real length. */
      readonly message: string;
      readonly messageLength: number;
      readonly problems: readonly ReportedProblem[];
      readonly issues: readonly ReportedIssue[];
    }
  | { readonly kind: 'crashed'; readonly name: string; readonly message: string; readonly stack: string }
  | { readonly kind: 'hung'; readonly budgetMs: number }
  | { readonly kind: 'died'; readonly code: number | null; readonly signal: string | null; readonly stderr: string };

/** Parent → worker. */
export interface SynthRequest {
  readonly id: number;
  readonly envDir: string;
  readonly outDir: string;
  /** Validate every file of the tree afterwards, not only those written. */
  readonly validateAll?: boolean;
}

/** Worker → parent. */
export type WorkerMessage = { readonly type: 'ready' } | { readonly type: 'result'; readonly id: number; readonly outcome: Outcome };
