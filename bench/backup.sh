#!/usr/bin/env bash
# Backup and restore of BENCH_ENTRIES (100,000) time entries, on PostgreSQL and on SQLite: the time
# `gogotime backup` and `gogotime restore` take (wall clock, including the checks each makes),
# the size of the backup's data file, and the checksum of time_entries the manifest holds and the
# restore verified. Prints a table.
#
# Everything runs on this machine: a throwaway PostgreSQL cluster (initdb/pg_ctl as in
# scripts/test, removed at exit) and SQLite files in a temporary folder. The schema comes from
# `gogotime migrate up`; one user, one organization and the entries are inserted with SQL.
#
# Usage: bench/backup.sh
# Environment:
#   BENCH_ENTRIES=100000   entries to back up
#   GOGOTIME_BIN=PATH      the binary to measure (default: target/release/gogotime, built when missing)
#   BENCH_PG_PORT=PORT     port of the throwaway cluster (default: a free one)
set -euo pipefail
cd "$(dirname "$0")/.."

entries=${BENCH_ENTRIES:-100000}
case "$entries" in '' | *[!0-9]*) echo "bench: BENCH_ENTRIES must be a whole number" >&2; exit 2 ;; esac
bin=${GOGOTIME_BIN:-target/release/gogotime}
log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

if [ ! -x "$bin" ]; then
  log "building the release binary"
  cargo build --release --locked >&2
fi
bin=$(readlink -f "$bin")
for tool in initdb pg_ctl psql pg_dump sqlite3; do
  command -v "$tool" >/dev/null || die "'$tool' is needed (Debian: apt-get install postgresql-15 sqlite3; PATH=/usr/lib/postgresql/15/bin:\$PATH)"
done

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
work=$(mktemp -d /tmp/gogotime-bench-backup.XXXXXX)
chmod 755 "$work"
cleanup() {
  as_postgres pg_ctl -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/pg" "$work/sqlite"
[ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
pg_port=${BENCH_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
as_postgres initdb -D "$work/pg/data" -U postgres -A trust --no-sync >/dev/null
as_postgres pg_ctl -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
psql_bench() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }
psql_bench -d postgres -c 'create database bench' -c 'create database bench_restored'
pg_url="postgres://postgres@127.0.0.1:$pg_port/bench"
pg_restored="postgres://postgres@127.0.0.1:$pg_port/bench_restored"
sqlite_url="sqlite://$work/sqlite/bench.db"
sqlite_restored="sqlite://$work/sqlite/restored/bench.db"

gogotime() { env -i PATH="$PATH" GOGOTIME_LOG=warn DATABASE_URL="$1" "$bin" "${@:2}"; }

seed() { # postgres|sqlite
  log "$1: migrating and inserting $entries entries"
  if [ "$1" = postgres ]; then
    gogotime "$pg_url" migrate up >/dev/null
    psql_bench -d bench -v n="$entries" <<'SQL'
insert into users (id, email, email_normalized, name, password_hash, created_at, updated_at)
values ('0190f000-0000-7000-8000-000000000001', 'bench@example.com', 'bench@example.com', 'Bench', 'x', now(), now());
insert into organizations (id, name, created_at, updated_at)
values ('0190f000-0000-7000-8000-000000000002', 'Bench', now(), now());
insert into memberships (organization_id, user_id, role, created_at)
values ('0190f000-0000-7000-8000-000000000002', '0190f000-0000-7000-8000-000000000001', 'owner', now());
insert into time_entries (id, organization_id, user_id, description, start_at, end_at, created_at, updated_at)
select gen_random_uuid(), '0190f000-0000-7000-8000-000000000002', '0190f000-0000-7000-8000-000000000001',
       'entry number ' || g, timestamptz '2020-01-01 00:00:00+00' + g * interval '1 hour',
       timestamptz '2020-01-01 00:00:00+00' + g * interval '1 hour' + interval '45 minutes', now(), now()
from generate_series(1, :n) g;
SQL
  else
    gogotime "$sqlite_url" migrate up >/dev/null
    sqlite3 "$work/sqlite/bench.db" <<SQL
.bail on
insert into users (id, email, email_normalized, name, password_hash, created_at, updated_at)
values (X'0190f000000070008000000000000001', 'bench@example.com', 'bench@example.com', 'Bench', 'x', 0, 0);
insert into organizations (id, name, created_at, updated_at) values (X'0190f000000070008000000000000002', 'Bench', 0, 0);
insert into memberships (organization_id, user_id, role, created_at)
values (X'0190f000000070008000000000000002', X'0190f000000070008000000000000001', 'owner', 0);
with recursive g(n) as (select 1 union all select n + 1 from g where n < $entries)
insert into time_entries (id, organization_id, user_id, description, start_at, end_at, created_at, updated_at)
select randomblob(16), X'0190f000000070008000000000000002', X'0190f000000070008000000000000001',
       'entry number ' || n, (1577836800 + n * 3600) * 1000000, (1577836800 + n * 3600 + 2700) * 1000000, 0, 0
from g;
SQL
  fi
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

results=()
measure() { # DB SOURCE_URL TARGET_URL
  local db=$1 start out dir backup_s restore_s bytes sha
  mkdir -p "$work/backups-$db"
  start=$(now)
  out=$(gogotime "$2" backup --to "$work/backups-$db") || die "$db: backup failed: $out"
  backup_s=$(since "$start")
  dir=$(sed -n 's/^backup \([^:]*\):.*/\1/p' <<<"$out")
  bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["file"]["bytes"])' "$dir/manifest.json")
  sha=$(python3 -c 'import json,sys; print([t["sha256"] for t in json.load(open(sys.argv[1]))["tables"] if t["name"] == "time_entries"][0])' "$dir/manifest.json")
  start=$(now)
  out=$(gogotime "$3" restore "$dir") || die "$db: restore failed: $out"
  restore_s=$(since "$start")
  grep -q "every table's row count and checksum match the manifest" <<<"$out" || die "$db: restore did not verify: $out"
  results+=("$(printf '%-9s %8s %9s %12s %10s  %s' "$db" "$entries" "$backup_s" "$bytes" "$restore_s" "${sha:0:16}…")")
}

seed postgres
measure postgres "$pg_url" "$pg_restored"
seed sqlite
measure sqlite "$sqlite_url" "$sqlite_restored"

echo "gogotime $("$bin" --version | awk '{ print $2 }'), $(pg_dump --version), SQLite $(sqlite3 --version | cut -d' ' -f1), $(nproc) cores"
printf '%-9s %8s %9s %12s %10s  %s\n' database entries backup_s backup_bytes restore_s "time_entries sha256"
printf '%s\n' "${results[@]}"
