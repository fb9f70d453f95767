#!/bin/sh
# Installs the Patch Manager agent on this host, enrolls it and starts it as a
# systemd service. The console serves this script at /downloads/install-agent.sh
# and shows the one-line command that fetches and runs it. Run it as root.
set -eu

usage() {
  cat <<'EOF'
usage: PM_ENROLL_TOKEN=TOKEN install-agent.sh --server URL --ca-fingerprint SHA256 [options]

The enrollment token from the console comes from PM_ENROLL_TOKEN, which keeps it
out of the process list, or from --token.

Options:
  --server URL              web listener of the server, such as https://pm.example.com:8443
  --token TOKEN             enrollment token, in place of PM_ENROLL_TOKEN
  --ca-fingerprint SHA256   SHA-256 fingerprint of the server's CA certificate
  --bundle FILE             install this pm-agent.mjs instead of downloading it
  --node PATH               Node.js 20 or later to run the agent (default: node on PATH)
  --root DIR                install under DIR instead of / and enable the unit with
                            systemctl --root, without starting it
  --no-systemctl            write the unit but do not run systemctl
  --force                   enroll again even when the host is already enrolled
  -h, --help                show this help
EOF
}

SERVER=
TOKEN=${PM_ENROLL_TOKEN:-}
CA_FINGERPRINT=
BUNDLE=
NODE_BIN=
ROOT=/
RUN_SYSTEMCTL=yes
FORCE=no

while [ $# -gt 0 ]; do
  case "$1" in
    --server) SERVER=${2:?--server needs a URL}; shift 2 ;;
    --token) TOKEN=${2:?--token needs a token}; shift 2 ;;
    --ca-fingerprint) CA_FINGERPRINT=${2:?--ca-fingerprint needs a fingerprint}; shift 2 ;;
    --bundle) BUNDLE=${2:?--bundle needs a file}; shift 2 ;;
    --node) NODE_BIN=${2:?--node needs a path}; shift 2 ;;
    --root) ROOT=${2:?--root needs a directory}; shift 2 ;;
    --no-systemctl) RUN_SYSTEMCTL=no; shift ;;
    --force) FORCE=yes; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-agent.sh: unknown option $1; run install-agent.sh --help for the options" >&2; exit 2 ;;
  esac
done

fail() {
  echo "install-agent.sh: $*" >&2
  exit 1
}

[ -n "$SERVER" ] || fail "missing --server; pass the console URL, such as https://pm.example.com:8443"
[ -n "$TOKEN" ] || fail "missing enrollment token; set PM_ENROLL_TOKEN to a token from the console's Enrollment page"
[ -n "$CA_FINGERPRINT" ] || fail "missing --ca-fingerprint; copy it from the console's enrollment page"
[ "$(id -u)" -eq 0 ] || fail "must run as root, because the agent installs updates"
ROOT=$(cd "$ROOT" 2>/dev/null && pwd) || fail "--root: directory does not exist"
target() {
  if [ "$ROOT" = / ]; then echo "$1"; else echo "$ROOT$1"; fi
}

if [ -z "$NODE_BIN" ]; then
  NODE_BIN=$(command -v node) || fail "node not found; install Node.js 20 or later (from the distribution or nodejs.org) and run this again"
fi
NODE_MAJOR=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]' 2>/dev/null) || fail "$NODE_BIN does not run"
[ "$NODE_MAJOR" -ge 20 ] || fail "$NODE_BIN is Node.js $NODE_MAJOR; the agent needs Node.js 20 or later"

APP_DIR=/opt/pm-agent
AGENT_DIR=/var/lib/pm-agent
UNIT=pm-agent.service

umask 077
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM

# --- the bundle, fetched over TLS pinned to the CA fingerprint --------------------

fingerprint_of() {
  "$NODE_BIN" -e '
    const { X509Certificate } = require("node:crypto");
    const certificate = new X509Certificate(require("node:fs").readFileSync(process.argv[1]));
    console.log(certificate.fingerprint256.replace(/:/g, "").toLowerCase());' "$1"
}
EXPECTED=$(echo "$CA_FINGERPRINT" | tr -d ': ' | tr 'A-F' 'a-f')

if [ -n "$BUNDLE" ]; then
  [ -f "$BUNDLE" ] || fail "--bundle $BUNDLE does not exist"
  cp "$BUNDLE" "$WORK/pm-agent.mjs"
else
  command -v curl >/dev/null || fail "curl not found; install curl, or copy pm-agent.mjs here and pass --bundle"
  # The CA certificate is fetched untrusted and accepted only when its fingerprint matches.
  curl -fsSk -o "$WORK/ca.pem" "$SERVER/pki/ca.pem" || fail "cannot fetch $SERVER/pki/ca.pem; check the URL and that this host may reach the console"
  ACTUAL=$(fingerprint_of "$WORK/ca.pem") || fail "$SERVER/pki/ca.pem is not a certificate"
  [ "$ACTUAL" = "$EXPECTED" ] || fail "CA fingerprint mismatch: the server sent $ACTUAL, expected $EXPECTED; check --ca-fingerprint and --server"
  printf 'X-Enrollment-Token: %s\n' "$TOKEN" >"$WORK/headers"
  curl -fsS --cacert "$WORK/ca.pem" -H "@$WORK/headers" -o "$WORK/pm-agent.mjs" "$SERVER/downloads/pm-agent.mjs" ||
    fail "cannot download $SERVER/downloads/pm-agent.mjs; the token may be expired or used up"
fi
AGENT_VERSION=$("$NODE_BIN" "$WORK/pm-agent.mjs" version) || fail "the downloaded agent does not run with $NODE_BIN"

mkdir -p "$(target "$APP_DIR")"
chmod 755 "$(target "$APP_DIR")"
install -m 755 -o 0 -g 0 "$WORK/pm-agent.mjs" "$(target "$APP_DIR/pm-agent.mjs")"
echo "install-agent.sh: installed $AGENT_VERSION to $(target "$APP_DIR/pm-agent.mjs")"

# --- enrollment -------------------------------------------------------------------

mkdir -p "$(target "$AGENT_DIR")"
chmod 700 "$(target "$AGENT_DIR")"
if [ -f "$(target "$AGENT_DIR/agent.json")" ] && [ "$FORCE" = no ]; then
  echo "install-agent.sh: this host is already enrolled; pass --force to enroll it again"
else
  # A token file keeps the token out of the process list.
  printf '%s\n' "$TOKEN" >"$WORK/token"
  force_flag=
  [ "$FORCE" = no ] || force_flag=--force
  PM_AGENT_DIR=$(target "$AGENT_DIR") "$NODE_BIN" "$(target "$APP_DIR/pm-agent.mjs")" enroll \
    --server "$SERVER" --token-file "$WORK/token" --ca-fingerprint "$EXPECTED" $force_flag ||
    fail "enrollment failed; see the message above"
fi
# The agent creates its key with mode 0600; a copied or restored key is set back to it.
[ ! -f "$(target "$AGENT_DIR/key.pem")" ] || chmod 600 "$(target "$AGENT_DIR/key.pem")"

# --- systemd unit -----------------------------------------------------------------

# The agent runs as root because package managers need it. These settings are
# left out because they break package installs:
# - NoNewPrivileges: maintainer scripts run setuid programs.
# - ProtectSystem, ProtectHome: packages write /usr, /etc, /boot, /var and sometimes /home.
# - PrivateDevices, ProtectKernelModules, ProtectControlGroups, RestrictNamespaces:
#   post-install scripts build initramfs images, load modules and start containers.
# - MemoryDenyWriteExecute: Node.js compiles code at run time.
# KillMode=process lets a running apt, dnf, zypper or pacman finish when the
# agent stops, so a restart never leaves the package database half-written.
mkdir -p "$(target /etc/systemd/system)"
cat >"$WORK/$UNIT" <<EOF
[Unit]
Description=Patch Manager agent
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
Environment=PM_AGENT_DIR=$AGENT_DIR
ExecStart=$NODE_BIN $APP_DIR/pm-agent.mjs run
Restart=always
RestartSec=10s
KillMode=process
TimeoutStopSec=30s
UMask=0022
PrivateTmp=yes
ProtectClock=yes
ProtectHostname=yes
ProtectKernelLogs=yes
LockPersonality=yes
RestrictRealtime=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
SystemCallArchitectures=native
KeyringMode=private

[Install]
WantedBy=multi-user.target
EOF
install -m 644 -o 0 -g 0 "$WORK/$UNIT" "$(target "/etc/systemd/system/$UNIT")"
echo "install-agent.sh: wrote $(target "/etc/systemd/system/$UNIT")"

if [ "$RUN_SYSTEMCTL" = yes ]; then
  if [ "$ROOT" = / ]; then
    systemctl daemon-reload
    systemctl enable --now "$UNIT"
    systemctl restart "$UNIT"
    echo "install-agent.sh: started $UNIT; follow it with: journalctl -u $UNIT -f"
  else
    systemctl --root="$ROOT" enable "$UNIT" 2>/dev/null
    echo "install-agent.sh: enabled $UNIT under $ROOT"
  fi
fi
