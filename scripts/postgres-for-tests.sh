#!/usr/bin/env bash
# Prints a database URL for the PostgreSQL half of the test suite, after starting a local
# server on loopback only (and installing Debian's postgresql first when run as root and
# it is missing). Prints nothing when PostgreSQL cannot be had: those tests then skip,
# except under CI, where they fail. Messages go to stderr.
set -u
port=${TOJI_PG_PORT:-54329}
dir=${TOJI_PG_DIR:-/tmp/toji-postgres}
say() { echo "toji postgres: $*" >&2; }

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin=$(bindir)
if [ -z "$bin" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  say "installing postgresql"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 || \
    { apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1; }
  bin=$(bindir)
fi
if [ -z "$bin" ]; then
  say "PostgreSQL is not installed (apt-get install postgresql): its tests are skipped"
  exit 0
fi

as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-locale >/dev/null || exit 0
fi
if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null || {
      say "the server did not start (see $dir/server.log)"; exit 0; }
fi
psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -X -q -t)
"${psql[@]}" -c "select 1 from pg_database where datname = 'toji_test'" | grep -q 1 || \
  "${psql[@]}" -c "create database toji_test" >/dev/null
echo "postgresql+psycopg://postgres@127.0.0.1:$port/toji_test"
