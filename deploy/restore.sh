#!/bin/sh
# Restores a Patch Manager backup written by backup.sh into an empty database and
# an empty configuration directory. The secrets archive is decrypted with the
# caller's GPG keyring. Without it the system comes back without its private
# keys, config.toml and settings, so a restore for production needs both archives.
# Run it with the services stopped.
set -eu

usage() {
  cat <<'EOF'
usage: restore.sh --backup FILE --secrets FILE --database-url URL [options]

Options:
  --backup FILE         patch-manager-<time>.tar.gz from backup.sh
  --secrets FILE        patch-manager-<time>.secrets.tar.gz.gpg from the same run
  --no-secrets          restore only the plain archive (no private keys, no settings,
                        no TOTP secrets); for inspecting a backup, not for production
  --database-url URL    PostgreSQL URL of the empty database, as its owner
  --config-dir DIR      configuration directory (default /etc/patch-manager); it may
                        hold empty subdirectories and a config.toml, which is replaced
  --data-dir DIR        state directory (default /var/lib/patch-manager)
  --owner USER          owner of the restored keys and state (default patch-manager
                        when that user exists, else the files keep the caller as owner)
  --pg-bin DIR          directory of pg_restore and psql (default: from PATH)
  -h, --help            show this help
EOF
}

BACKUP=
SECRETS=
NO_SECRETS=no
DB_URL=
CONFIG_DIR=/etc/patch-manager
DATA_DIR=/var/lib/patch-manager
OWNER=
PG_BIN=

while [ $# -gt 0 ]; do
  case "$1" in
    --backup) BACKUP=${2:?--backup needs a file}; shift 2 ;;
    --secrets) SECRETS=${2:?--secrets needs a file}; shift 2 ;;
    --no-secrets) NO_SECRETS=yes; shift ;;
    --database-url) DB_URL=${2:?--database-url needs a URL}; shift 2 ;;
    --config-dir) CONFIG_DIR=${2:?--config-dir needs a directory}; shift 2 ;;
    --data-dir) DATA_DIR=${2:?--data-dir needs a directory}; shift 2 ;;
    --owner) OWNER=${2:?--owner needs a user}; shift 2 ;;
    --pg-bin) PG_BIN=${2:?--pg-bin needs a directory}/; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "restore.sh: unknown option $1; run restore.sh --help for the options" >&2; exit 2 ;;
  esac
done

fail() {
  echo "restore.sh: $*" >&2
  exit 1
}

[ -f "$BACKUP" ] || fail "missing --backup or file not found: '$BACKUP'"
if [ "$NO_SECRETS" = no ]; then
  [ -f "$SECRETS" ] || fail "missing --secrets or file not found: '$SECRETS'; pass --no-secrets to restore without it"
fi
[ -n "$DB_URL" ] || fail "missing --database-url; pass the URL of the empty database"

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
if [ -z "$OWNER" ] && getent passwd patch-manager >/dev/null 2>&1; then
  OWNER=patch-manager
fi

umask 077
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
mkdir -p "$WORK/plain" "$WORK/secret"

# --- checks before anything is written ------------------------------------------

tar -C "$WORK/plain" -xzf "$BACKUP" || fail "cannot read $BACKUP as a gzip tar archive"
grep -q '^format=patch-manager-backup-1$' "$WORK/plain/MANIFEST" 2>/dev/null ||
  fail "$BACKUP is not a backup written by backup.sh (no MANIFEST with format=patch-manager-backup-1)"
if [ "$NO_SECRETS" = no ]; then
  gpg --batch --decrypt "$SECRETS" 2>"$WORK/gpg.err" | tar -C "$WORK/secret" -xzf - ||
    fail "cannot decrypt $SECRETS: $(cat "$WORK/gpg.err")"
  plain_created=$(grep '^created=' "$WORK/plain/MANIFEST")
  secret_created=$(grep '^created=' "$WORK/secret/MANIFEST" 2>/dev/null || true)
  [ "$plain_created" = "$secret_created" ] ||
    fail "$SECRETS belongs to another backup ($secret_created, expected $plain_created); use the pair from one backup.sh run"
fi

TABLES=$("${PG_BIN}psql" "$DB_URL" -X -At -v ON_ERROR_STOP=1 -c \
  "select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')") ||
  fail "cannot connect to the database with --database-url"
[ "$TABLES" -eq 0 ] || fail "the database already has $TABLES tables; restore into an empty database (createdb a new one)"

if [ -d "$CONFIG_DIR" ]; then
  existing=$(cd "$CONFIG_DIR" && find . -type f ! -path ./config.toml | head -n 1)
  [ -z "$existing" ] || fail "$CONFIG_DIR already holds $existing; restore into an empty configuration directory"
fi

# --- database -------------------------------------------------------------------

# Grants to the application role are part of the dump, so the role must exist first.
"${PG_BIN}psql" "$DB_URL" -X -q -v ON_ERROR_STOP=1 -c \
  "do \$\$ begin if not exists (select from pg_roles where rolname = 'pm_app') then create role pm_app nologin; end if; end \$\$" ||
  fail "cannot create the role pm_app; create it (create role pm_app nologin) as a superuser and run restore.sh again"
"${PG_BIN}pg_restore" --dbname="$DB_URL" --exit-on-error --single-transaction --no-owner "$WORK/plain/database.dump" ||
  fail "pg_restore of the database failed; the database was left as it was"
if [ "$NO_SECRETS" = no ]; then
  "${PG_BIN}pg_restore" --dbname="$DB_URL" --exit-on-error --single-transaction --data-only "$WORK/secret/secrets.dump" ||
    fail "pg_restore of the secret tables failed; the rest of the database is restored, so drop it before trying again"
fi
echo "restore.sh: restored the database"

# --- files ----------------------------------------------------------------------

mkdir -p "$CONFIG_DIR" "$DATA_DIR"
# Plain files first, then secrets; tar keeps the modes the files had when backed up.
tar -C "$WORK/plain/config" --exclude=./config.toml.redacted -cf - . | tar -C "$CONFIG_DIR" --no-same-owner -xpf -
if [ "$NO_SECRETS" = no ]; then
  tar -C "$WORK/secret/config" -cf - . | tar -C "$CONFIG_DIR" --no-same-owner -xpf -
else
  cp "$WORK/plain/config/config.toml.redacted" "$CONFIG_DIR/config.toml.redacted"
  echo "restore.sh: no secrets restored; $CONFIG_DIR/config.toml.redacted has the settings with passwords blanked"
fi
if [ -f "$WORK/plain/state/audit-checkpoints.jsonl" ]; then
  cp -p "$WORK/plain/state/audit-checkpoints.jsonl" "$DATA_DIR/"
fi

if [ -n "$OWNER" ]; then
  group=$(id -gn "$OWNER")
  # The service reads config.toml through the group but cannot change the directory.
  chown "root:$group" "$CONFIG_DIR"
  chmod 750 "$CONFIG_DIR"
  (cd "$CONFIG_DIR" && find . -mindepth 1 -maxdepth 1 -type d -exec chown -R "$OWNER:$group" {} +)
  chown -R "$OWNER:$group" "$DATA_DIR"
  [ ! -f "$CONFIG_DIR/config.toml" ] || chown "root:$group" "$CONFIG_DIR/config.toml"
fi
[ ! -f "$CONFIG_DIR/config.toml" ] || chmod 640 "$CONFIG_DIR/config.toml"

echo "restore.sh: restored $CONFIG_DIR and $DATA_DIR"
echo "restore.sh: the database login role that is a member of pm_app (database.app_url) is not part of the backup; create it if this is a new PostgreSQL server"
