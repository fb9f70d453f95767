#!/bin/sh
# Installs Patch Manager as two systemd services (web and worker) that run as the
# patch-manager system user. Run it as root from a built checkout:
#   node scripts/build-console.mjs && node scripts/build-agent.mjs
#   sudo deploy/install.sh
# A second run changes nothing unless the build, the units or a mode changed. Every
# change is printed; "no changes" means the system already matched.
set -eu

usage() {
  cat <<'EOF'
usage: install.sh [options]

Options:
  --root DIR       install under DIR instead of / (a DESTDIR-style prefix); the
                   user is created in DIR/etc/passwd and units are enabled with
                   systemctl --root
  --source DIR     built checkout to install (default: the checkout holding this script)
  --node PATH      Node.js 20 or later for ExecStart (default: node on PATH)
  --skip-user      do not create the patch-manager user; it must already exist
  --no-systemctl   install the unit files but do not run systemctl
  --no-prune       copy node_modules as it is, without removing devDependencies
  -h, --help       show this help
EOF
}

ROOT=/
SOURCE=$(cd "$(dirname "$0")/.." && pwd)
NODE_BIN=
SKIP_USER=no
RUN_SYSTEMCTL=yes
PRUNE=yes

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT=${2:?--root needs a directory}; shift 2 ;;
    --source) SOURCE=${2:?--source needs a directory}; shift 2 ;;
    --node) NODE_BIN=${2:?--node needs a path}; shift 2 ;;
    --skip-user) SKIP_USER=yes; shift ;;
    --no-systemctl) RUN_SYSTEMCTL=no; shift ;;
    --no-prune) PRUNE=no; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1; run install.sh --help for the options" >&2; exit 2 ;;
  esac
done

SERVICE_USER=patch-manager
APP_DIR=/opt/patch-manager
CONFIG_DIR=/etc/patch-manager
STATE_DIR=/var/lib/patch-manager
LOG_DIR=/var/log/patch-manager
UNIT_DIR=/etc/systemd/system
UNITS="patch-manager-web.service patch-manager-worker.service"
# Config subdirectories the services write keys into; each is 0700 and owned by the service user.
PRIVATE_SUBDIRS="ca jwt tls ocsp audit"
# Entries of the checkout that the running services read.
APP_ENTRIES=".next agent app bin components deploy dist docs drizzle lib workers scripts server.ts proxy.ts next.config.ts postcss.config.mjs package.json package-lock.json tsconfig.json README.md"

CHANGES=0
changed() {
  CHANGES=$((CHANGES + 1))
  echo "install.sh: $*"
}
fail() {
  echo "install.sh: $*" >&2
  exit 1
}

ROOT=$(cd "$ROOT" 2>/dev/null && pwd) || fail "--root: directory does not exist; create it first"
# Paths inside the target system: $ROOT/etc/..., with no double slash when ROOT is /.
target() {
  if [ "$ROOT" = / ]; then echo "$1"; else echo "$ROOT$1"; fi
}

[ "$(id -u)" -eq 0 ] || fail "must run as root, because it creates a system user and sets file owners"

if [ -z "$NODE_BIN" ]; then
  NODE_BIN=$(command -v node) || fail "node not found on PATH; install Node.js 20 or later, or pass --node PATH"
fi
NODE_MAJOR=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]') || fail "$NODE_BIN does not run; pass --node with a working Node.js"
[ "$NODE_MAJOR" -ge 20 ] || fail "$NODE_BIN is Node.js $NODE_MAJOR; Patch Manager needs Node.js 20 or later"

for required in server.ts workers/main.ts drizzle package.json node_modules .next/BUILD_ID deploy/config.example.toml; do
  [ -e "$SOURCE/$required" ] || fail "$SOURCE/$required is missing; run install.sh from a checkout built with: node scripts/build-console.mjs"
done
[ -e "$SOURCE/dist/pm-agent.mjs" ] || echo "install.sh: warning: $SOURCE/dist/pm-agent.mjs is missing, so the console cannot serve the agent download; build it with: node scripts/build-agent.mjs" >&2

# --- service user -----------------------------------------------------------

passwd_field() {
  # Prints field $2 of the passwd or group entry named $1 in file $3.
  awk -F: -v name="$1" -v field="$2" '$1 == name { print $field; exit }' "$3"
}

if [ -z "$(passwd_field "$SERVICE_USER" 1 "$(target /etc/passwd)" 2>/dev/null)" ]; then
  [ "$SKIP_USER" = no ] || fail "user $SERVICE_USER does not exist in $(target /etc/passwd) and --skip-user was given; create it first"
  if [ "$ROOT" = / ]; then
    useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin --comment "Patch Manager" "$SERVICE_USER"
  else
    # --prefix edits DIR/etc/passwd and DIR/etc/group without touching the host's files.
    useradd --prefix "$ROOT" --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin --comment "Patch Manager" "$SERVICE_USER"
  fi
  changed "created system user $SERVICE_USER (shell /usr/sbin/nologin)"
fi
SERVICE_UID=$(passwd_field "$SERVICE_USER" 3 "$(target /etc/passwd)")
SERVICE_GID=$(passwd_field "$SERVICE_USER" 4 "$(target /etc/passwd)")
[ -n "$SERVICE_UID" ] && [ -n "$SERVICE_GID" ] || fail "cannot read the uid and gid of $SERVICE_USER from $(target /etc/passwd)"

# --- directories and modes ---------------------------------------------------

# Owners are numeric, because under --root the host's own passwd does not know the user.
ensure_owner_mode() {
  # $1 path, $2 octal mode, $3 uid, $4 gid
  current=$(stat -c '%a %u %g' "$1")
  wanted="$2 $3 $4"
  if [ "$current" != "$wanted" ]; then
    chown "$3:$4" "$1"
    chmod "$2" "$1"
    changed "set $1 to mode $2 owner $3:$4 (was mode/uid/gid $current)"
  fi
}

ensure_dir() {
  # $1 path inside the target, $2 mode, $3 uid, $4 gid
  dir=$(target "$1")
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    chown "$3:$4" "$dir"
    chmod "$2" "$dir"
    changed "created $dir (mode $2, owner $3:$4)"
  else
    ensure_owner_mode "$dir" "$2" "$3" "$4"
  fi
}

# The service can read its configuration but not change it.
ensure_dir "$CONFIG_DIR" 750 0 "$SERVICE_GID"
for subdir in $PRIVATE_SUBDIRS; do
  ensure_dir "$CONFIG_DIR/$subdir" 700 "$SERVICE_UID" "$SERVICE_GID"
done
ensure_dir "$STATE_DIR" 700 "$SERVICE_UID" "$SERVICE_GID"
ensure_dir "$LOG_DIR" 750 "$SERVICE_UID" "$SERVICE_GID"
# System directories are created when missing but their modes are left alone.
for system_dir in /opt "$UNIT_DIR"; do
  if [ ! -d "$(target "$system_dir")" ]; then
    mkdir -p "$(target "$system_dir")"
    changed "created $(target "$system_dir")"
  fi
done

# --- application -------------------------------------------------------------

# A fingerprint of the build: every installed file except node_modules, plus the
# lock file that pins node_modules. The same fingerprint means the same release.
release_fingerprint() {
  (
    cd "$SOURCE"
    for entry in $APP_ENTRIES; do
      [ -e "$entry" ] && find "$entry" -path .next/cache -prune -o -type f -print
    done | LC_ALL=C sort | while IFS= read -r file; do sha256sum "$file"; done | sha256sum | cut -d' ' -f1
  )
}

RELEASE=$(release_fingerprint)
APP_TARGET=$(target "$APP_DIR")
INSTALLED_RELEASE=$(cat "$APP_TARGET/.release" 2>/dev/null || true)
if [ "$RELEASE" != "$INSTALLED_RELEASE" ]; then
  STAGING=$(target /opt/.patch-manager.staging)
  rm -rf "$STAGING"
  mkdir -p "$STAGING/node_modules"
  for entry in $APP_ENTRIES; do
    [ -e "$SOURCE/$entry" ] && cp -a "$SOURCE/$entry" "$STAGING/"
  done
  rm -rf "$STAGING/.next/cache"
  # node_modules may be a symbolic link in a development checkout; copy what it points to.
  cp -a "$SOURCE/node_modules/." "$STAGING/node_modules/"
  if [ "$PRUNE" = yes ]; then
    (cd "$STAGING" && npm prune --omit=dev --no-audit --no-fund --offline >/dev/null) ||
      fail "npm prune --omit=dev failed in $STAGING; fix npm or pass --no-prune"
  fi
  echo "$RELEASE" >"$STAGING/.release"
  # Root owns the code, so a compromised service cannot change what it runs.
  chown -R 0:0 "$STAGING"
  chmod -R u+rwX,go+rX,go-w "$STAGING"
  chmod 755 "$STAGING"
  if [ -d "$APP_TARGET" ]; then
    mv "$APP_TARGET" "$APP_TARGET.previous"
  fi
  mv "$STAGING" "$APP_TARGET"
  rm -rf "$APP_TARGET.previous"
  changed "installed release $RELEASE to $APP_TARGET (previous: ${INSTALLED_RELEASE:-none})"
fi

# --- configuration -------------------------------------------------------------

CONFIG_FILE=$(target "$CONFIG_DIR/config.toml")
if [ ! -e "$CONFIG_FILE" ]; then
  # The example's defaults suit a checkout; a system install keeps state and keys in the FHS places.
  sed -e "s|^data_dir = \".data\"|data_dir = \"$STATE_DIR\"|" \
    -e "s|^# config_dir = \"/etc/patch-manager\"|config_dir = \"$CONFIG_DIR\"|" \
    "$SOURCE/deploy/config.example.toml" >"$CONFIG_FILE.new"
  chown "0:$SERVICE_GID" "$CONFIG_FILE.new"
  chmod 640 "$CONFIG_FILE.new"
  mv "$CONFIG_FILE.new" "$CONFIG_FILE"
  changed "wrote $CONFIG_FILE from deploy/config.example.toml; set database.url and server.public_url in it"
else
  ensure_owner_mode "$CONFIG_FILE" 640 0 "$SERVICE_GID"
fi

# --- systemd units -------------------------------------------------------------

UNITS_CHANGED=no
# Units are rendered outside the unit directory, so an unchanged unit leaves it untouched.
RENDERED=$(mktemp)
trap 'rm -f "$RENDERED"' EXIT
for unit in $UNITS; do
  unit_file=$(target "$UNIT_DIR/$unit")
  sed "s|^ExecStart=/usr/bin/node |ExecStart=$NODE_BIN |" "$SOURCE/deploy/systemd/$unit" >"$RENDERED"
  if ! { [ -e "$unit_file" ] && cmp -s "$RENDERED" "$unit_file"; }; then
    install -m 644 -o 0 -g 0 "$RENDERED" "$unit_file"
    UNITS_CHANGED=yes
    changed "installed $unit_file"
  fi
  ensure_owner_mode "$unit_file" 644 0 0
done

if [ "$RUN_SYSTEMCTL" = yes ]; then
  if [ "$ROOT" = / ]; then
    SYSTEMCTL="systemctl"
    [ "$UNITS_CHANGED" = no ] || systemctl daemon-reload
  else
    SYSTEMCTL="systemctl --root=$ROOT"
  fi
  for unit in $UNITS; do
    if [ "$($SYSTEMCTL is-enabled "$unit" 2>/dev/null || true)" != enabled ]; then
      $SYSTEMCTL enable --quiet "$unit" 2>/dev/null
      changed "enabled $unit"
    fi
  done
fi

if [ "$CHANGES" -eq 0 ]; then
  echo "install.sh: no changes"
else
  echo "install.sh: $CHANGES changes. Next: set database.url (and database.app_url) in $CONFIG_FILE, then: systemctl start $UNITS"
fi
