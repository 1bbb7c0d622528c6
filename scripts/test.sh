#!/usr/bin/env bash
# Command 2: install what is missing and run the whole suite: static checks, then every test on
# SQLite and again on a throwaway PostgreSQL cluster this script starts and stops itself.
# Extra arguments are passed to pytest (e.g. -k dispatch).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
export PATH="$PWD/.venv/bin:$PATH" DJANGO_SETTINGS_MODULE=shezhi.settings
export DJANGO_ALLOW_ASYNC_UNSAFE=true   # the browser tests touch the ORM beside Playwright

echo "==> static checks"
ruff format --check --quiet .
ruff check --quiet .
mypy --no-error-summary
lint-imports --no-cache >/dev/null
shezhi compilemessages -v 0
shezhi makemigrations --check --dry-run >/dev/null || { echo "models and migrations differ"; exit 1; }

echo "==> tests on SQLite"
env -u DATABASE_URL pytest -q "$@"

echo "==> tests on PostgreSQL"
PG_BIN=/usr/lib/postgresql/15/bin
pgdir=$(mktemp -d /tmp/shezhi-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chown postgres "$pgdir" 2>/dev/null || true
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_pg() { as_pg "$PG_BIN/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap stop_pg EXIT
as_pg "$PG_BIN/initdb" -D "$pgdir/data" -U shezhi --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
DATABASE_URL="postgres://shezhi@127.0.0.1:$port/postgres" pytest -q "$@"
