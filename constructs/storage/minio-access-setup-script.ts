import { shellRetry } from '../platform/shell-snippets';

/**
 * The shell script of the MinIO access set-up Job (POSIX sh, `mc`, and only `cat`, `tr` and
 * `sleep` besides: the mc image is UBI micro). Every step can be repeated: `mc admin user add`
 * on an existing user sets its secret key again (so a rotated key in the secret store
 * reaches MinIO on the next run), `mc admin policy create` replaces a policy of the same
 * name, a policy is attached only when missing, and every other policy of the user
 * (`consoleAdmin`, which the operator gives to `spec.users`) is detached. Policies with the
 * prefix this Job owns that are no longer granted are overwritten with a deny-all document.
 * Configuration comes from the environment:
 *
 * - MINIO_URL: the tenant's S3 endpoint; MC_CONFIG_DIR holds `certs/CAs/` with its CA
 * - ROOT_CONFIG: the tenant's `config.env` (MINIO_ROOT_USER, MINIO_ROOT_PASSWORD), read
 *   without evaluating it, the way the operator parses it
 * - POLICIES: space-separated policy names; each has `$POLICY_DIR/<name>.json` and a
 *   credential in `$USER_DIR/<name>/accessKey` and `secretKey`
 * - POLICY_PREFIX: prefix of the policies this Job owns; REVOKED_POLICY: the deny-all document
 * - WORK_DIR: writable scratch space; ATTEMPTS, INTERVAL: how long to wait for the tenant
 *
 * Secrets never appear in argv or output: `mc` reads secret keys from stdin, and its output
 * goes to a file that is printed only when a command fails (it names the user's access key).
 */
export const MINIO_ACCESS_SETUP_SCRIPT = `set -eu
# Policy names and keys are data: never let the shell expand them.
set -f
ALIAS=tenant
OUT="$WORK_DIR/mc-output"

fail() { echo "$*" >&2; exit 1; }

# run COMMAND...: runs an mc command quietly; on failure prints its output and stops.
run() {
  "$@" > "$OUT" 2>&1 || { echo "failed: $*" >&2; cat "$OUT" >&2; exit 1; }
}

${shellRetry('OUT')}

# unquote VALUE: VALUE without one pair of surrounding quotes, as MinIO reads config.env.
unquote() {
  case $1 in
    '"'*'"') v=\${1#'"'}; v=\${v%'"'} ;;
    "'"*"'") v=\${1#"'"}; v=\${v%"'"} ;;
    *) v=$1 ;;
  esac
  printf '%s' "$v"
}

root_user=""; root_password=""
while IFS= read -r line || [ -n "$line" ]; do
  line=\${line#export }
  case $line in
    MINIO_ROOT_USER=*) root_user=$(unquote "\${line#MINIO_ROOT_USER=}") ;;
    MINIO_ROOT_PASSWORD=*) root_password=$(unquote "\${line#MINIO_ROOT_PASSWORD=}") ;;
  esac
done < "$ROOT_CONFIG"
[ -n "$root_user" ] && [ -n "$root_password" ] || fail "$ROOT_CONFIG sets no MINIO_ROOT_USER and MINIO_ROOT_PASSWORD"

# Keys on stdin, never in argv. --api skips mc's signature probe, so this works before the
# tenant answers.
printf '%s\\n%s\\n' "$root_user" "$root_password" | run mc alias set --api S3v4 "$ALIAS" "$MINIO_URL"

# IAM answers once the tenant is up and has loaded its users.
iam_up() { mc admin user list "$ALIAS" > "$OUT" 2>&1; }
retry "MinIO at $MINIO_URL answers IAM requests" iam_up

# attached ACCESS_KEY: sets $current to the user's policies, comma-separated.
attached() {
  run mc admin user info --json "$ALIAS" "$1"
  info=$(tr -d ' \\t\\r\\n' < "$OUT")
  current=""
  case $info in
    *'"policyName":"'*) current=\${info#*'"policyName":"'}; current=\${current%%'"'*} ;;
  esac
}

for policy in $POLICIES; do
  doc="$POLICY_DIR/$policy.json"
  [ -r "$doc" ] || fail "$policy: no policy document $doc"
  access=$(cat "$USER_DIR/$policy/accessKey")
  secret=$(cat "$USER_DIR/$policy/secretKey")
  [ -n "$access" ] && [ -n "$secret" ] || fail "$policy: the credential's accessKey or secretKey is empty"

  # Creates the user, or sets the secret key of an existing one (its policies stay).
  printf '%s\\n' "$secret" | run mc admin user add "$ALIAS" "$access"
  run mc admin policy create "$ALIAS" "$policy" "$doc"

  attached "$access"
  case ",$current," in
    *",$policy,"*) ;;
    *) run mc admin policy attach --user "$access" "$ALIAS" "$policy"; echo "$policy: attached" ;;
  esac
  # Anything else the user holds goes: consoleAdmin from spec.users, or a policy added by hand.
  old_ifs=$IFS; IFS=,
  set -- $current
  IFS=$old_ifs
  for other in "$@"; do
    if [ -n "$other" ] && [ "$other" != "$policy" ]; then
      run mc admin policy detach --user "$access" "$ALIAS" "$other"
      echo "$policy: detached $other"
    fi
  done

  attached "$access"
  [ "$current" = "$policy" ] || fail "$policy: the user holds policies '$current' after set-up; expected only $policy"
  echo "$policy: user in place with only its own policy"
done

# Policies this Job owns that no consumer is granted any more: their users keep no access.
run mc admin policy list "$ALIAS"
for name in $(cat "$OUT"); do
  case $name in "$POLICY_PREFIX"*) ;; *) continue ;; esac
  case " $POLICIES " in *" $name "*) continue ;; esac
  run mc admin policy create "$ALIAS" "$name" "$REVOKED_POLICY"
  echo "$name: no longer granted; it now denies every S3 action"
done
echo "MinIO access is set up"
`;
