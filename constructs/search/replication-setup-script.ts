import { shellRetry } from '../platform/shell-snippets';

/**
 * The shell script of the cross-cluster replication set-up Job (POSIX sh and curl only). Every
 * step can be repeated: cluster settings are PUT as a whole, an auto-follow rule POSTed again
 * is updated in place (or reported as existing), and rules this Job created earlier that are
 * no longer wanted are removed. Configuration comes from the environment:
 *
 * - OPENSEARCH_URL, CA_FILE, OPENSEARCH_USERNAME, OPENSEARCH_PASSWORD: the follower cluster
 * - LEADER_ALIAS, LEADER_ADDRESS (host:port of the leader's transport): the remote connection
 * - LEADER_ROLE, FOLLOWER_ROLE: the roles replication tasks run with on each side
 * - AUTOFOLLOW_RULES: space-separated `name=pattern`; RULE_PREFIX: prefix of the names this Job owns
 * - ATTEMPTS, INTERVAL: how often and how far apart each wait is retried
 */
export const REPLICATION_SETUP_SCRIPT = `set -eu
# Index patterns contain '*': never let the shell expand them.
set -f
BODY=/tmp/response.json

# One REST call to the follower; prints the HTTP status (000 when unreachable), the body
# goes to $BODY. curl reads the credentials from a config on stdin, never from argv.
request() {
  method=$1; path=$2; shift 2
  user=$(printf '%s:%s' "$OPENSEARCH_USERNAME" "$OPENSEARCH_PASSWORD" | sed 's/[\\\\"]/\\\\&/g')
  code=$(printf 'user = "%s"\\n' "$user" | curl --config - --silent --show-error --max-time 60 \\
    --cacert "$CA_FILE" --output "$BODY" --write-out '%{http_code}' \\
    --request "$method" --header 'Content-Type: application/json' "$@" "$OPENSEARCH_URL$path") || true
  echo "\${code:-000}"
}

${shellRetry('BODY')}

cluster_up() { [ "$(request GET '/_cluster/health?wait_for_status=yellow&timeout=5s')" = 200 ]; }
retry "follower answers $OPENSEARCH_URL as $OPENSEARCH_USERNAME" cluster_up

# Proxy mode: the leader's nodes are not routable from here, its load balancer is. The seeds
# of sniff mode are reset so that switching modes works on a cluster configured earlier.
settings=$(printf '{"persistent":{"cluster.remote.%s.mode":"proxy","cluster.remote.%s.proxy_address":"%s","cluster.remote.%s.seeds":null}}' \\
  "$LEADER_ALIAS" "$LEADER_ALIAS" "$LEADER_ADDRESS" "$LEADER_ALIAS")
put_settings() { [ "$(request PUT /_cluster/settings --data "$settings")" = 200 ]; }
retry "remote cluster $LEADER_ALIAS -> $LEADER_ADDRESS" put_settings
echo "remote cluster $LEADER_ALIAS: proxy to $LEADER_ADDRESS"

connected() {
  [ "$(request GET /_remote/info)" = 200 ] && tr -d ' \\n' < "$BODY" | grep -q "\\"$LEADER_ALIAS\\":{[^}]*\\"connected\\":true"
}
retry "connection to leader $LEADER_ALIAS ($LEADER_ADDRESS)" connected
echo "remote cluster $LEADER_ALIAS: connected"

desired=""
for rule in $AUTOFOLLOW_RULES; do
  name=\${rule%%=*}; pattern=\${rule#*=}
  desired="$desired $name"
  payload=$(printf '{"leader_alias":"%s","name":"%s","pattern":"%s","use_roles":{"leader_cluster_role":"%s","follower_cluster_role":"%s"}}' \\
    "$LEADER_ALIAS" "$name" "$pattern" "$LEADER_ROLE" "$FOLLOWER_ROLE")
  code=$(request POST /_plugins/_replication/_autofollow --data "$payload")
  if [ "$code" = 200 ]; then
    echo "auto-follow rule $name: $pattern"
  elif grep -qi 'already exists' "$BODY"; then
    echo "auto-follow rule $name: already in place"
  else
    echo "auto-follow rule $name ($pattern) failed with HTTP $code:" >&2
    cat "$BODY" >&2
    exit 1
  fi
done

# Rules this Job created for patterns that are no longer wanted. Indices they started
# following keep replicating; only new matching indices are no longer followed.
if [ "$(request GET /_plugins/_replication/autofollow_stats)" = 200 ]; then
  for name in $(tr -d ' \\n' < "$BODY" | grep -o "\\"name\\":\\"$RULE_PREFIX[^\\"]*\\"" | cut -d'"' -f4 | sort -u); do
    case " $desired " in *" $name "*) continue ;; esac
    payload=$(printf '{"leader_alias":"%s","name":"%s"}' "$LEADER_ALIAS" "$name")
    code=$(request DELETE /_plugins/_replication/_autofollow --data "$payload")
    if [ "$code" = 200 ]; then echo "auto-follow rule $name: removed"; else echo "auto-follow rule $name: could not remove (HTTP $code)" >&2; fi
  done
fi
echo "cross-cluster replication from $LEADER_ALIAS is set up"
`;
