#!/usr/bin/env bash
# Entrypoint with the official postgres image's contract, reduced to what a server needs:
# first start initialises $PGDATA (superuser POSTGRES_USER with POSTGRES_PASSWORD, database
# POSTGRES_DB, scram-sha-256 for host connections, listen on all interfaces), runs
# /docker-entrypoint-initdb.d/*.sql|*.sh, then execs postgres as the "postgres" user.
set -Eeuo pipefail

# file_env VAR [DEFAULT]: VAR or VAR_FILE (Docker secrets), not both
file_env() {
    local var=$1 file_var="${1}_FILE" def=${2:-}
    if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
        echo >&2 "error: both $var and $file_var are set (but are exclusive)"; exit 1
    fi
    local val=$def
    if [[ -n ${!var:-} ]]; then val=${!var}; elif [[ -n ${!file_var:-} ]]; then val=$(<"${!file_var}"); fi
    export "$var"="$val"
    unset "$file_var"
}

if [[ ${1:0:1} == - ]]; then set -- postgres "$@"; fi

if [[ $1 == postgres && $(id -u) == 0 ]]; then
    mkdir -p "$PGDATA"
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [[ $1 == postgres && ! -s $PGDATA/PG_VERSION ]]; then
    file_env POSTGRES_PASSWORD
    file_env POSTGRES_USER postgres
    file_env POSTGRES_DB "$POSTGRES_USER"
    auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
    if [[ -z $POSTGRES_PASSWORD && $auth != trust ]]; then
        cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser.
       (or POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without a password, not recommended)
MSG
        exit 1
    fi
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a word list, as upstream
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host="$auth" \
        --encoding=UTF8 --locale=C.UTF-8 ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
    rm -f "$pwfile"
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

    # temporary server on the Unix socket only, for the database and the init scripts
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
    export PGUSER=$POSTGRES_USER PGPASSWORD=$POSTGRES_PASSWORD
    if [[ $POSTGRES_DB != postgres ]]; then
        psql -v ON_ERROR_STOP=1 --dbname postgres --set db="$POSTGRES_DB" <<<'create database :"db";'
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        # shellcheck disable=SC1090 # init scripts are whatever the user mounts
        case $f in
            *.sh) echo "running $f"; if [[ -x $f ]]; then "$f"; else . "$f"; fi ;;
            *.sql) echo "running $f"; psql -v ON_ERROR_STOP=1 --dbname "$POSTGRES_DB" -f "$f" ;;
            *) [[ -e $f ]] && echo "ignoring $f" ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    unset PGPASSWORD
    echo 'PostgreSQL init process complete; ready for start up.'
fi

exec "$@"
