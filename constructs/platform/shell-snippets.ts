/**
 * POSIX shell functions the set-up Jobs' scripts share (constructs/platform/setup-job.ts).
 * They are text, spliced into each script, so a script stays one readable constant.
 */

/**
 * `retry DESCRIPTION COMMAND...`: runs COMMAND until it succeeds, at most `$ATTEMPTS` times
 * `$INTERVAL` seconds apart; on giving up prints the last output kept in `$<outputVar>`.
 */
export function shellRetry(outputVar: string): string {
  if (!/^[A-Z_]+$/.test(outputVar)) throw new Error(`shellRetry: "${outputVar}" is not a shell variable name`);
  return `# retry DESCRIPTION COMMAND...: runs COMMAND until it succeeds or ATTEMPTS are used up.
retry() {
  what=$1; shift; n=1
  until "$@"; do
    if [ "$n" -ge "$ATTEMPTS" ]; then
      echo "gave up: $what" >&2
      cat "$${outputVar}" >&2 2>/dev/null || true
      exit 1
    fi
    echo "waiting: $what (attempt $n of $ATTEMPTS)"
    n=$((n + 1)); sleep "$INTERVAL"
  done
}`;
}
