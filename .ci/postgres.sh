#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback and prints the
# VEDETTE_PG_DSN to use: `eval "$(.ci/postgres.sh)"`. Needs Debian's
# postgresql package; as root it runs the server as the postgres user.
# Idempotent: a cluster already answering in $PGDIR is reused.
set -euo pipefail
PGPORT="${PGPORT:-55432}"
PGDIR="${PGDIR:-/tmp/vedette-pg-$PGPORT}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$bin" ] || { echo "postgres.sh: postgresql is not installed" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
  if [ ! -s "$PGDIR/data/PG_VERSION" ]; then
    mkdir -p "$PGDIR"
    [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
    as_pg "$bin/initdb" -D "$PGDIR/data" -U postgres -A trust >"$PGDIR/initdb.log"
  fi
  as_pg "$bin/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c fsync=off" start >/dev/null
fi
as_pg "$bin/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'vedette'" | grep -q 1 ||
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres vedette
echo "export VEDETTE_PG_DSN='postgres://postgres@127.0.0.1:$PGPORT/vedette?sslmode=disable'"
