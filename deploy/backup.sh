#!/bin/sh
# Backs up Patch Manager into two archives written side by side:
#   patch-manager-<time>.tar.gz              database dump and non-secret files
#   patch-manager-<time>.secrets.tar.gz.gpg  secrets, encrypted to a GPG key
# The plain archive contains the database without the data of the settings table
# (SMTP password, SSO client secret) and of mfa_totp (TOTP shared secrets), the
# certificates and public keys, a copy of config.toml with URL passwords blanked,
# and the signed audit checkpoints. Private keys (CA, JWT, TLS, OCSP, audit
# checkpoint), the full config.toml and the data of those two tables exist only
# inside the encrypted archive. Both dumps read one database snapshot.
set -eu

usage() {
  cat <<'EOF'
usage: backup.sh --recipient KEYID --output-dir DIR [options]

Options:
  --recipient KEYID     GPG key id, fingerprint or email the secrets archive is
                        encrypted to (its public key must be in the keyring)
  --output-dir DIR      directory the two archives are written to
  --config-dir DIR      configuration directory (default /etc/patch-manager)
  --data-dir DIR        state directory holding audit-checkpoints.jsonl
                        (default /var/lib/patch-manager)
  --database-url URL    PostgreSQL URL of the database owner (default: DATABASE_URL,
                        else database.url in <config dir>/config.toml)
  --pg-bin DIR          directory of pg_dump and psql, of the server's major version
                        or later (default: from PATH)
  -h, --help            show this help
EOF
}

RECIPIENT=
OUTPUT_DIR=
CONFIG_DIR=/etc/patch-manager
DATA_DIR=/var/lib/patch-manager
DB_URL=${DATABASE_URL:-}
PG_BIN=

while [ $# -gt 0 ]; do
  case "$1" in
    --recipient) RECIPIENT=${2:?--recipient needs a key id}; shift 2 ;;
    --output-dir) OUTPUT_DIR=${2:?--output-dir needs a directory}; shift 2 ;;
    --config-dir) CONFIG_DIR=${2:?--config-dir needs a directory}; shift 2 ;;
    --data-dir) DATA_DIR=${2:?--data-dir needs a directory}; shift 2 ;;
    --database-url) DB_URL=${2:?--database-url needs a URL}; shift 2 ;;
    --pg-bin) PG_BIN=${2:?--pg-bin needs a directory}/; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "backup.sh: unknown option $1; run backup.sh --help for the options" >&2; exit 2 ;;
  esac
done

fail() {
  echo "backup.sh: $*" >&2
  exit 1
}

[ -n "$RECIPIENT" ] || fail "missing --recipient; pass the GPG key the secrets archive is encrypted to"
[ -n "$OUTPUT_DIR" ] || fail "missing --output-dir; pass the directory for the archives"
[ -d "$OUTPUT_DIR" ] || fail "--output-dir $OUTPUT_DIR does not exist; create it first"
[ -d "$CONFIG_DIR" ] || fail "--config-dir $CONFIG_DIR does not exist"
gpg --batch --list-keys "$RECIPIENT" >/dev/null 2>&1 || fail "GPG key $RECIPIENT is not in the keyring; import its public key first (gpg --import)"

# Reads url = "..." from the [database] table of config.toml; other TOML forms are not read.
config_database_url() {
  awk '
    /^[[:space:]]*\[/ { section = $0; gsub(/[[:space:]]/, "", section) }
    section == "[database]" && /^[[:space:]]*url[[:space:]]*=/ {
      sub(/^[^=]*=[[:space:]]*"/, ""); sub(/"[[:space:]]*(#.*)?$/, ""); print; exit
    }' "$CONFIG_DIR/config.toml"
}
if [ -z "$DB_URL" ] && [ -f "$CONFIG_DIR/config.toml" ]; then
  DB_URL=$(config_database_url)
fi
[ -n "$DB_URL" ] || fail "no database URL; pass --database-url, set DATABASE_URL, or set database.url in $CONFIG_DIR/config.toml"

# Moves a password in the URL to PGPASSWORD, because other local users can read
# command lines in /proc but not the environment. Needs node; without it the URL stays as it is.
move_password_to_environment() {
  command -v node >/dev/null 2>&1 || return 0
  password=$(PM_URL="$DB_URL" node -e 'process.stdout.write(decodeURIComponent(new URL(process.env.PM_URL).password))') || return 0
  [ -n "$password" ] || return 0
  DB_URL=$(PM_URL="$DB_URL" node -e 'const url = new URL(process.env.PM_URL); url.password = ""; process.stdout.write(url.toString())')
  PGPASSWORD=$password
  export PGPASSWORD
}
move_password_to_environment

umask 077
WORK=$(mktemp -d)
PSQL_PID=
cleanup() {
  if [ -n "$PSQL_PID" ]; then
    exec 3>&- 2>/dev/null || true
    wait "$PSQL_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
PLAIN="$WORK/plain"
SECRET="$WORK/secret"
mkdir -p "$PLAIN/config" "$PLAIN/state" "$SECRET/config"

# Tables whose rows hold secrets in clear text.
SECRET_TABLES="public.settings public.mfa_totp"

# --- database: two dumps from one exported snapshot ------------------------------

# A read-only repeatable-read transaction held open by psql exports the snapshot
# that both pg_dump runs use, so the two dumps agree with each other.
mkfifo "$WORK/psql.in"
"${PG_BIN}psql" "$DB_URL" -X -q -At -v ON_ERROR_STOP=1 <"$WORK/psql.in" >"$WORK/psql.out" 2>"$WORK/psql.err" &
PSQL_PID=$!
exec 3>"$WORK/psql.in"
printf 'begin transaction isolation level repeatable read, read only;\nselect pg_export_snapshot();\n' >&3
SNAPSHOT=
for _ in $(seq 1 100); do
  SNAPSHOT=$(head -n 1 "$WORK/psql.out")
  [ -n "$SNAPSHOT" ] && break
  kill -0 "$PSQL_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$SNAPSHOT" ] || fail "could not open a snapshot with psql: $(cat "$WORK/psql.err")"

exclude_args=
include_args=
for table in $SECRET_TABLES; do
  exclude_args="$exclude_args --exclude-table-data=$table"
  include_args="$include_args --table=$table"
done
# shellcheck disable=SC2086 # the argument lists are split on purpose
"${PG_BIN}pg_dump" --dbname="$DB_URL" --snapshot="$SNAPSHOT" --format=custom $exclude_args --file="$PLAIN/database.dump" ||
  fail "pg_dump of the database failed; a pg_dump older than the server refuses to run, so pass --pg-bin with a newer one"
# shellcheck disable=SC2086
"${PG_BIN}pg_dump" --dbname="$DB_URL" --snapshot="$SNAPSHOT" --format=custom --data-only $include_args --file="$SECRET/secrets.dump" ||
  fail "pg_dump of the secret tables failed"

printf 'commit;\n' >&3
exec 3>&-
wait "$PSQL_PID" || fail "psql failed: $(cat "$WORK/psql.err")"
PSQL_PID=

# --- configuration directory ----------------------------------------------------

# A file is secret when it contains a PEM private key or is named *.key.
is_secret() {
  case "$1" in *.key) return 0 ;; esac
  grep -q 'PRIVATE KEY' "$1"
}

(cd "$CONFIG_DIR" && find . -mindepth 1 \( -type d -o -type f \) -print) | LC_ALL=C sort | while IFS= read -r entry; do
  source="$CONFIG_DIR/$entry"
  if [ -d "$source" ]; then
    mkdir -p "$PLAIN/config/$entry" "$SECRET/config/$entry"
    chmod "$(stat -c '%a' "$source")" "$PLAIN/config/$entry" "$SECRET/config/$entry"
  elif [ "$entry" = ./config.toml ]; then
    cp -p "$source" "$SECRET/config/$entry"
    # Database and SMTP URLs may carry a password; the plain copy blanks it.
    sed -E 's#(://[^:/@"]+):[^@"]*@#\1:REDACTED@#g' "$source" >"$PLAIN/config/config.toml.redacted"
  elif is_secret "$source"; then
    cp -p "$source" "$SECRET/config/$entry"
  else
    cp -p "$source" "$PLAIN/config/$entry"
  fi
done
SECRET_FILES=$(cd "$SECRET/config" && find . -type f | wc -l)

if [ -f "$DATA_DIR/audit-checkpoints.jsonl" ]; then
  cp -p "$DATA_DIR/audit-checkpoints.jsonl" "$PLAIN/state/"
fi

cat >"$PLAIN/MANIFEST" <<EOF
format=patch-manager-backup-1
created=$STAMP
pg_dump=$("${PG_BIN}pg_dump" --version)
secret_tables=$SECRET_TABLES
secrets_archive=patch-manager-$STAMP.secrets.tar.gz.gpg
secrets_recipient=$RECIPIENT
EOF
cp "$PLAIN/MANIFEST" "$SECRET/MANIFEST"

# --- archives -------------------------------------------------------------------

PLAIN_ARCHIVE="$OUTPUT_DIR/patch-manager-$STAMP.tar.gz"
SECRET_ARCHIVE="$OUTPUT_DIR/patch-manager-$STAMP.secrets.tar.gz.gpg"
tar -C "$PLAIN" --numeric-owner -czf "$PLAIN_ARCHIVE.partial" .
# The secret tree goes straight from tar into gpg, so no unencrypted archive is written.
tar -C "$SECRET" --numeric-owner -czf - . |
  gpg --batch --yes --trust-model always --encrypt --recipient "$RECIPIENT" --output "$SECRET_ARCHIVE.partial" ||
  fail "gpg could not encrypt to $RECIPIENT"
mv "$PLAIN_ARCHIVE.partial" "$PLAIN_ARCHIVE"
mv "$SECRET_ARCHIVE.partial" "$SECRET_ARCHIVE"

echo "backup.sh: wrote $PLAIN_ARCHIVE"
echo "backup.sh: wrote $SECRET_ARCHIVE ($SECRET_FILES secret files and the secret tables, encrypted to $RECIPIENT)"
