import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { bucketPolicy, DENY_ALL_POLICY } from '../../../constructs/storage/bucket-policy';
import { MINIO_ACCESS_SETUP_SCRIPT } from '../../../constructs/storage/minio-access-setup-script';
import { removeTempDirs, tempDir } from '../../support/temp';

afterAll(removeTempDirs);

describe('bucketPolicy', () => {
  test('read-write: list and multipart on the bucket, read, write and delete on its objects', () => {
    expect(bucketPolicy([{ bucket: 'pg-backups', access: 'read-write' }])).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadWriteBuckets',
          Effect: 'Allow',
          Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          Resource: ['arn:aws:s3:::pg-backups'],
        },
        {
          Sid: 'ReadWriteObjects',
          Effect: 'Allow',
          Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
          Resource: ['arn:aws:s3:::pg-backups/*'],
        },
      ],
    });
  });

  test('a bucket granted both ways is read-write, and its writable prefixes are then redundant', () => {
    const policy = bucketPolicy([
      { bucket: 'velero', access: 'read', writablePrefixes: ['restores/'] },
      { bucket: 'velero', access: 'read-write' },
    ]);
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['ReadWriteBuckets', 'ReadWriteObjects']);
  });

  test('sorted output: equal grants in another order give an equal document', () => {
    const a = bucketPolicy([
      { bucket: 'b', access: 'read' },
      { bucket: 'a', access: 'read-write' },
      { bucket: 'c', access: 'read' },
    ]);
    const b = bucketPolicy([
      { bucket: 'c', access: 'read' },
      { bucket: 'a', access: 'read-write' },
      { bucket: 'b', access: 'read' },
    ]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  test('no grants, or a prefix that is not a folder, is an error', () => {
    expect(() => bucketPolicy([])).toThrow('bucketPolicy: no grants');
    expect(() => bucketPolicy([{ bucket: 'velero', access: 'read', writablePrefixes: ['*'] }])).toThrow(
      'writable prefix "*" must be path segments ending in "/"',
    );
    expect(() => bucketPolicy([{ bucket: 'velero', access: 'read', writablePrefixes: ['../x/'] }])).not.toThrow();
  });
});

/**
 * The set-up script against a fake `mc` that keeps users, policies and their attachments in
 * files, answering like mc does. Before the run: the tenant is not up yet for the first IAM
 * request; the operator has created `velero-access` with consoleAdmin (spec.users); a policy
 * this Job owns (`strata-old`) is no longer granted; someone's own user holds `readwrite`.
 * The script's PATH holds only mc, cat, tr and sleep, as the UBI micro based mc image.
 */
const shell = spawnSync('/bin/sh', ['-c', 'exit 0']).status === 0;
(shell ? describe : describe.skip)('MinIO access set-up script', () => {
  const FAKE_MC = `#!/bin/sh
PATH=/usr/bin:/bin
state="$FAKE_STATE"
echo "$*" >> "$state/argv"
cmd="$1 $2"; shift 2
case "$cmd" in "admin user"|"admin policy") cmd="$cmd $1"; shift;; esac
json=0; api=""; user=""; pos=""
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json=1; shift;;
    --api) api=$2; shift 2;;
    --user) user=$2; shift 2;;
    *) pos="$pos $1"; shift;;
  esac
done
set -- $pos
users="$state/users"; policies="$state/policies"
err() { echo "mc: <ERROR> $*" >&2; exit 1; }
case "$cmd" in
  "alias set")
    [ "$api" = S3v4 ] || err "Unable to initialize new alias from the provided credentials. connection refused"
    read -r ak; read -r sk
    printf '%s\\n%s\\n' "$ak" "$sk" > "$state/alias"
    echo "Added \\\`$1\\\` successfully.";;
  "admin user list")
    c=$(cat "$state/list-count" 2>/dev/null || echo 0); c=$((c+1)); echo $c > "$state/list-count"
    [ "$c" -ge "$UP_AFTER" ] || err "Unable to list users. dial tcp: connection refused"
    ls "$users";;
  "admin user add")
    read -r sk
    [ -n "$sk" ] || err "Invalid secret key"
    mkdir -p "$users/$2"; printf '%s' "$sk" > "$users/$2/secret"; touch "$users/$2/policies"
    echo "Added user \\\`$2\\\` successfully.";;
  "admin user info")
    [ -d "$users/$2" ] || err "Cannot get user info. The specified user does not exist."
    p=$(cat "$users/$2/policies")
    printf '{\\n "status": "success",\\n "accessKey": "%s",\\n' "$2"
    [ -z "$p" ] || printf ' "policyName": "%s",\\n' "$p"
    printf ' "userStatus": "enabled"\\n}\\n';;
  "admin policy create")
    [ -f "$3" ] || err "Unable to read policy file"
    cp "$3" "$policies/$2"; echo "Created policy \\\`$2\\\` successfully.";;
  "admin policy list")
    for p in consoleAdmin diagnostics readonly readwrite writeonly; do echo "$p"; done; ls "$policies";;
  "admin policy attach")
    [ -f "$policies/$2" ] || err "The canned policy does not exist"
    p=$(cat "$users/$user/policies")
    case ",$p," in *",$2,"*) err "Unable to make user/group policy association. The specified policy change is already in effect.";; esac
    if [ -n "$p" ]; then p="$p,$2"; else p=$2; fi
    printf '%s' "$p" > "$users/$user/policies"; echo "Attached Policies: [$2]";;
  "admin policy detach")
    p=$(cat "$users/$user/policies"); out=""; found=0
    for q in $(echo "$p" | tr , ' '); do if [ "$q" = "$2" ]; then found=1; else out="\${out:+$out,}$q"; fi; done
    [ $found = 1 ] || err "Unable to make user/group policy association. The specified policy change is already in effect."
    printf '%s' "$out" > "$users/$user/policies"; echo "Detached Policies: [$2]";;
  *) err "unexpected command: $cmd";;
esac
`;

  const POSTGRES = bucketPolicy([{ bucket: 'pg-backups', access: 'read-write' }]);
  const VELERO = bucketPolicy([{ bucket: 'velero', access: 'read-write' }]);
  const ROOT_PASSWORD = 'r00t pa"ss$word';
  const SECRETS = { 'strata-postgres': ['postgres-access', 'pg-secret-value'], 'strata-velero': ['velero-access', 'new velero secret'] };

  function setUp() {
    const dir = tempDir('strata-minio-access-');
    const bin = path.join(dir, 'bin');
    const state = path.join(dir, 'state');
    for (const d of [
      bin,
      state,
      path.join(state, 'users'),
      path.join(state, 'policies'),
      path.join(dir, 'policies'),
      path.join(dir, 'users'),
      path.join(dir, 'work'),
    ]) {
      fs.mkdirSync(d, { recursive: true });
    }
    fs.writeFileSync(path.join(bin, 'mc'), FAKE_MC, { mode: 0o755 });
    // Nothing but these: the mc image has no grep, sed or jq.
    for (const tool of ['cat', 'tr', 'sleep']) {
      const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      fs.symlinkSync(found, path.join(bin, tool));
    }
    const user = (access: string, policies: string, secret = 'old-secret') => {
      fs.mkdirSync(path.join(state, 'users', access));
      fs.writeFileSync(path.join(state, 'users', access, 'policies'), policies);
      fs.writeFileSync(path.join(state, 'users', access, 'secret'), secret);
    };
    user('velero-access', 'consoleAdmin');
    user('old-access', 'strata-old');
    user('by-hand', 'readwrite');
    fs.writeFileSync(path.join(state, 'policies', 'strata-old'), JSON.stringify(POSTGRES));
    fs.writeFileSync(path.join(dir, 'policies', 'strata-postgres.json'), JSON.stringify(POSTGRES));
    fs.writeFileSync(path.join(dir, 'policies', 'strata-velero.json'), JSON.stringify(VELERO));
    fs.writeFileSync(path.join(dir, 'policies', 'revoked.json'), JSON.stringify(DENY_ALL_POLICY));
    for (const [policy, [access, secret]] of Object.entries(SECRETS)) {
      fs.mkdirSync(path.join(dir, 'users', policy));
      fs.writeFileSync(path.join(dir, 'users', policy, 'accessKey'), access);
      fs.writeFileSync(path.join(dir, 'users', policy, 'secretKey'), secret);
    }
    // The template of the tenant's configuration secret, with a password that needs care.
    fs.writeFileSync(path.join(dir, 'config.env'), `export MINIO_ROOT_USER="root-user"\nexport MINIO_ROOT_PASSWORD="${ROOT_PASSWORD}"\n`);
    return { dir, state };
  }

  function run(env: { dir: string; state: string }, extraEnv: Record<string, string> = {}) {
    fs.rmSync(path.join(env.state, 'argv'), { force: true });
    const result = spawnSync('/bin/sh', ['-c', MINIO_ACCESS_SETUP_SCRIPT], {
      cwd: env.dir,
      encoding: 'utf8',
      env: {
        PATH: path.join(env.dir, 'bin'),
        FAKE_STATE: env.state,
        UP_AFTER: '2',
        MINIO_URL: 'https://minio.minio.svc.cluster.local',
        MC_CONFIG_DIR: path.join(env.dir, 'work', 'mc'),
        ROOT_CONFIG: path.join(env.dir, 'config.env'),
        POLICY_DIR: path.join(env.dir, 'policies'),
        USER_DIR: path.join(env.dir, 'users'),
        POLICIES: 'strata-postgres strata-velero',
        POLICY_PREFIX: 'strata-',
        REVOKED_POLICY: path.join(env.dir, 'policies', 'revoked.json'),
        WORK_DIR: path.join(env.dir, 'work'),
        ATTEMPTS: '3',
        INTERVAL: '0',
        ...extraEnv,
      },
    });
    const read = (f: string) => fs.readFileSync(path.join(env.state, f), 'utf8');
    const argv = fs.existsSync(path.join(env.state, 'argv')) ? read('argv').trim().split('\n') : [];
    return { ...result, argv, read };
  }

  const policyDir = (env: { dir: string }) => path.join(env.dir, 'policies');

  test('waits for IAM, creates each user with its own policy only, detaches consoleAdmin, revokes a policy no longer granted', () => {
    const env = setUp();
    const result = run(env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.argv).toEqual([
      'alias set --api S3v4 tenant https://minio.minio.svc.cluster.local',
      'admin user list tenant',
      'admin user list tenant',
      'admin user add tenant postgres-access',
      `admin policy create tenant strata-postgres ${policyDir(env)}/strata-postgres.json`,
      'admin user info --json tenant postgres-access',
      'admin policy attach --user postgres-access tenant strata-postgres',
      'admin user info --json tenant postgres-access',
      'admin user add tenant velero-access',
      `admin policy create tenant strata-velero ${policyDir(env)}/strata-velero.json`,
      'admin user info --json tenant velero-access',
      'admin policy attach --user velero-access tenant strata-velero',
      'admin policy detach --user velero-access tenant consoleAdmin',
      'admin user info --json tenant velero-access',
      'admin policy list tenant',
      `admin policy create tenant strata-old ${policyDir(env)}/revoked.json`,
    ]);
    expect(result.read('users/postgres-access/policies')).toBe('strata-postgres');
    expect(result.read('users/velero-access/policies')).toBe('strata-velero');
    expect(JSON.parse(result.read('policies/strata-velero'))).toEqual(VELERO);
    expect(JSON.parse(result.read('policies/strata-old'))).toEqual(DENY_ALL_POLICY);
    // Users and policies it does not own are left alone.
    expect(result.read('users/by-hand/policies')).toBe('readwrite');
    expect(result.stdout).toContain('strata-velero: detached consoleAdmin');
    expect(result.stdout).toContain('strata-old: no longer granted; it now denies every S3 action');
    expect(result.stdout).toContain('MinIO access is set up');
  });

  test('root credentials are read from config.env as MinIO reads them, without evaluating it', () => {
    const env = setUp();
    expect(run(env).read('alias')).toBe(`root-user\n${ROOT_PASSWORD}\n`);
  });

  test('secret keys reach mc on stdin: never in its arguments, never in the output; a rotated key is set on the existing user', () => {
    const env = setUp();
    const result = run(env);
    const everything = [...result.argv, result.stdout, result.stderr].join('\n');
    for (const secret of ['pg-secret-value', 'new velero secret', ROOT_PASSWORD, 'r00t']) expect(everything).not.toContain(secret);
    expect(result.read('users/velero-access/secret')).toBe('new velero secret');
    expect(result.read('users/postgres-access/secret')).toBe('pg-secret-value');
  });

  test('running it again changes nothing: no attach, no detach, same state', () => {
    const env = setUp();
    run(env);
    const again = run(env, { UP_AFTER: '0' });
    expect(again.status).toBe(0);
    expect(again.argv.filter((a) => / (attach|detach) /.test(a))).toEqual([]);
    expect(again.read('users/velero-access/policies')).toBe('strata-velero');
    expect(again.read('users/postgres-access/policies')).toBe('strata-postgres');
  });

  test('a policy attached by hand since the last run is detached again', () => {
    const env = setUp();
    run(env);
    fs.writeFileSync(path.join(env.state, 'users', 'velero-access', 'policies'), 'strata-velero,consoleAdmin,readwrite');
    const again = run(env, { UP_AFTER: '0' });
    expect(again.status).toBe(0);
    expect(again.argv.filter((a) => / detach /.test(a))).toEqual([
      'admin policy detach --user velero-access tenant consoleAdmin',
      'admin policy detach --user velero-access tenant readwrite',
    ]);
    expect(again.read('users/velero-access/policies')).toBe('strata-velero');
  });

  test("a tenant that never answers fails the Job after ATTEMPTS, with mc's last error", () => {
    const env = setUp();
    const result = run(env, { UP_AFTER: '99' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('gave up: MinIO at https://minio.minio.svc.cluster.local answers IAM requests');
    expect(result.stderr).toContain('connection refused');
    expect(result.argv.filter((a) => a.startsWith('admin user add'))).toEqual([]);
  });

  test('an empty credential or a missing policy document fails the Job before touching that user', () => {
    const env = setUp();
    fs.writeFileSync(path.join(env.dir, 'users', 'strata-velero', 'secretKey'), '');
    const empty = run(env);
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain("strata-velero: the credential's accessKey or secretKey is empty");
    expect(empty.read('users/velero-access/policies')).toBe('consoleAdmin');

    const missing = run(setUp(), { POLICIES: 'strata-postgres strata-search' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('strata-search: no policy document');
  });
});
