#!/bin/sh
# The container image's install steps, as plain POSIX shell. The Dockerfile runs this as root in
# the final stage; .ci/container-check runs the same script on the machine into a temporary prefix.
# Every location comes from the environment; the defaults are the image's.
#
#   PYTHON        the Python whose pip installs the wheel        (python3)
#   WHEEL_DIR     directory holding harvester-*.whl              (/tmp/dist)
#   ROOT          prefix for /etc/harvester and /data            ("" = the filesystem root)
#   BIN_DIR       where harvester-start/-healthcheck go          (/usr/local/bin)
#   CREATE_USER   "yes": create the service user, own /data      (yes)
#   APP_USER      its name                                      (harvester)
#   APP_UID       its uid and gid                               (10001)
set -eu

PYTHON="${PYTHON:-python3}"
WHEEL_DIR="${WHEEL_DIR:-/tmp/dist}"
ROOT="${ROOT:-}"
BIN_DIR="${BIN_DIR:-/usr/local/bin}"
CREATE_USER="${CREATE_USER:-yes}"
APP_USER="${APP_USER:-harvester}"
APP_UID="${APP_UID:-10001}"

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
src=$(dirname -- "$here")

# Exactly one wheel: an old one left in the directory must not be installed by mistake.
set -- "$WHEEL_DIR"/harvester-*.whl
if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
    echo "install.sh: expected exactly one harvester-*.whl in $WHEEL_DIR" >&2
    exit 1
fi
wheel=$1

echo "install.sh: installing $(basename -- "$wheel") with $PYTHON"
# pip also compiles the .pyc files now: the service user cannot write into site-packages.
"$PYTHON" -m pip install --no-cache-dir --disable-pip-version-check \
    --root-user-action=ignore --quiet "$wheel[postgres]"  # the image serves PostgreSQL too

echo "install.sh: scripts into $BIN_DIR, config into $ROOT/etc/harvester"
mkdir -p "$BIN_DIR" "$ROOT/etc/harvester" "$ROOT/data"
cp "$here/start.sh" "$BIN_DIR/harvester-start"
cp "$here/healthcheck.py" "$BIN_DIR/harvester-healthcheck"
chmod 0755 "$BIN_DIR/harvester-start" "$BIN_DIR/harvester-healthcheck"
cp "$src/config/harvester.container.toml" "$ROOT/etc/harvester/harvester.toml"
chmod 0644 "$ROOT/etc/harvester/harvester.toml"

if [ "$CREATE_USER" = yes ]; then
    echo "install.sh: user $APP_USER ($APP_UID:$APP_UID) owns $ROOT/data"
    groupadd --system --gid "$APP_UID" "$APP_USER"
    useradd --system --uid "$APP_UID" --gid "$APP_UID" --no-create-home \
        --home-dir /data --shell /usr/sbin/nologin "$APP_USER"
    chown "$APP_UID:$APP_UID" "$ROOT/data"
    chmod 0750 "$ROOT/data"
fi
echo "install.sh: done"
