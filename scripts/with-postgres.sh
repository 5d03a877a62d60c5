#!/usr/bin/env bash
# Run a command beside a throwaway PostgreSQL server: a new cluster in a temporary folder,
# on a free loopback port, stopped and removed when the command ends. The command sees the
# server as KB_TEST_POSTGRES_URL. Debian's postgresql is installed when missing.
# usage: scripts/with-postgres.sh COMMAND [ARG ...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bindir=$(find_bin)
if [ -z "$bindir" ]; then
  "$here/system-deps.sh" pg_ctlcluster:postgresql
  bindir=$(find_bin)
fi
if [ -z "$bindir" ]; then
  echo "PostgreSQL server binaries not found; install Debian's postgresql" >&2
  exit 1
fi
as_owner=()
data=$(mktemp -d /tmp/kb-postgres.XXXXXX)
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$data"
  as_owner=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Run a server command as the cluster's owner, from a folder that owner may enter.
pg() { (cd "$data" && "${as_owner[@]}" "$bindir/$1" "${@:2}"); }
cleanup() {
  pg pg_ctl -D "$data/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap cleanup EXIT
pg initdb -D "$data/db" -U postgres --auth=trust -E UTF8 >/dev/null
pg pg_ctl -D "$data/db" -l "$data/log" -w -o \
  "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$data/log" >&2; exit 1; }
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
export KB_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
"$@"
