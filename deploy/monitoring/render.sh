#!/bin/sh
# Entrypoint for Prometheus and Alertmanager, whose configuration files cannot read the
# environment: copies each TEMPLATE to OUTPUT with every ${NAME} replaced by that variable's
# value, then runs COMMAND. A variable the template names but the environment lacks stops the
# container with a message naming it (Compose's ${NAME:-default} supplies the defaults).
#
#   render.sh TEMPLATE OUTPUT [TEMPLATE OUTPUT ...] -- COMMAND [ARGS ...]
set -eu

while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
    template=$1 output=${2:?render.sh: TEMPLATE without OUTPUT}
    shift 2
    awk '
        {
            line = $0
            out = ""
            while (match(line, /\$\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
                name = substr(line, RSTART + 2, RLENGTH - 3)
                if (!(name in ENVIRON)) {
                    printf "render.sh: %s line %d needs the environment variable %s\n", FILENAME, NR, name > "/dev/stderr"
                    failed = 1
                }
                out = out substr(line, 1, RSTART - 1) ENVIRON[name]
                line = substr(line, RSTART + RLENGTH)
            }
            print out line
        }
        END { exit failed }
    ' "$template" >"$output"
done
[ "${1:-}" = "--" ] || { echo "render.sh: usage: render.sh TEMPLATE OUTPUT ... -- COMMAND" >&2; exit 2; }
shift
exec "$@"
