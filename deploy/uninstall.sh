#!/bin/sh
# Removes the Patch Manager services and application installed by install.sh.
# The configuration (with the CA and signing keys), the state and log
# directories and the patch-manager user stay unless --purge is given.
set -eu

usage() {
  cat <<'EOF'
usage: uninstall.sh [options]

Options:
  --root DIR       act on the system under DIR instead of / (as install.sh --root)
  --purge          also delete /etc/patch-manager (CA key included), /var/lib/patch-manager,
                   /var/log/patch-manager and the patch-manager user; back up first
  --no-systemctl   do not stop or disable the units with systemctl
  -h, --help       show this help
EOF
}

ROOT=/
PURGE=no
RUN_SYSTEMCTL=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT=${2:?--root needs a directory}; shift 2 ;;
    --purge) PURGE=yes; shift ;;
    --no-systemctl) RUN_SYSTEMCTL=no; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "uninstall.sh: unknown option $1; run uninstall.sh --help for the options" >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$ROOT" 2>/dev/null && pwd) || { echo "uninstall.sh: --root: directory does not exist" >&2; exit 1; }
target() {
  if [ "$ROOT" = / ]; then echo "$1"; else echo "$ROOT$1"; fi
}
removed() {
  echo "uninstall.sh: removed $*"
}

[ "$(id -u)" -eq 0 ] || { echo "uninstall.sh: must run as root" >&2; exit 1; }

UNITS="patch-manager-web.service patch-manager-worker.service"
if [ "$RUN_SYSTEMCTL" = yes ]; then
  if [ "$ROOT" = / ]; then
    systemctl disable --now $UNITS 2>/dev/null || true
  else
    systemctl --root="$ROOT" disable $UNITS 2>/dev/null || true
  fi
fi
for unit in $UNITS; do
  if [ -e "$(target "/etc/systemd/system/$unit")" ]; then
    rm -f "$(target "/etc/systemd/system/$unit")"
    removed "$(target "/etc/systemd/system/$unit")"
  fi
done
if [ "$RUN_SYSTEMCTL" = yes ] && [ "$ROOT" = / ]; then
  systemctl daemon-reload
fi

if [ -e "$(target /opt/patch-manager)" ]; then
  rm -rf "$(target /opt/patch-manager)"
  removed "$(target /opt/patch-manager)"
fi

if [ "$PURGE" = no ]; then
  echo "uninstall.sh: kept $(target /etc/patch-manager), $(target /var/lib/patch-manager), $(target /var/log/patch-manager) and the patch-manager user; run with --purge to delete them"
  exit 0
fi

for dir in /etc/patch-manager /var/lib/patch-manager /var/log/patch-manager; do
  if [ -e "$(target "$dir")" ]; then
    rm -rf "$(target "$dir")"
    removed "$(target "$dir")"
  fi
done
if awk -F: '$1 == "patch-manager" { found = 1 } END { exit !found }' "$(target /etc/passwd)"; then
  if [ "$ROOT" = / ]; then
    userdel patch-manager
  else
    userdel --prefix "$ROOT" patch-manager
  fi
  removed "user patch-manager"
fi
# userdel removes the user's own group only when login.defs sets USERGROUPS_ENAB.
if awk -F: '$1 == "patch-manager" { found = 1 } END { exit !found }' "$(target /etc/group)"; then
  if [ "$ROOT" = / ]; then
    groupdel patch-manager
  else
    groupdel --prefix "$ROOT" patch-manager
  fi
  removed "group patch-manager"
fi
