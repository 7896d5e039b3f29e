#!/bin/sh
# The image's command: bring the schema up to date, then become the daemon (exec, so that the
# daemon is PID 1 and gets docker stop's SIGTERM itself). Arguments go to `harvest daemon`.
#   HARVESTER_CONFIG   the settings file (/etc/harvester/harvester.toml)
set -eu
config="${HARVESTER_CONFIG:-/etc/harvester/harvester.toml}"
harvest db upgrade --config "$config"
exec harvest daemon --config "$config" "$@"
