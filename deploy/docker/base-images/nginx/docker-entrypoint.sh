#!/bin/sh
# The official image's entrypoint contract: when the command is nginx, run the executable
# /docker-entrypoint.d/*.sh hooks (and source *.envsh) in order, then exec the command.
set -e
if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
    for f in $(find /docker-entrypoint.d/ -follow -type f -print | sort -V); do
        # shellcheck disable=SC1090 # hooks are whatever the user mounts
        case "$f" in
            *.envsh) if [ -x "$f" ]; then echo "$0: Sourcing $f" >&2; . "$f"; fi ;;
            *.sh) if [ -x "$f" ]; then echo "$0: Launching $f" >&2; "$f"; else echo "$0: Ignoring $f, not executable" >&2; fi ;;
            *) echo "$0: Ignoring $f" >&2 ;;
        esac
    done
    echo "$0: Configuration complete; ready for start up" >&2
fi
exec "$@"
