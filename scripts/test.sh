#!/usr/bin/env bash
# Command 2: install what is missing and run the whole suite: static checks, then every test on
# SQLite and again on a throwaway PostgreSQL cluster this script starts and stops itself.
# Both runs use every core (pytest-xdist, one test database per worker; tests that must share one
# worker carry xdist_group; on SQLite the migrations run once, beside the workers' collection,
# and each worker copies the result, see shezhi/conftest.py). Extra arguments are passed to
# pytest (e.g. -k dispatch, or --reuse-db locally to keep the SQLite test databases in var/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
export PATH="$PWD/.venv/bin:$PATH" DJANGO_SETTINGS_MODULE=shezhi.settings
export DJANGO_ALLOW_ASYNC_UNSAFE=true   # the browser tests touch the ORM beside Playwright

# Bytecode: the environment may forbid writing it (PYTHONDONTWRITEBYTECODE), and then every
# worker compiles the project and rewrites every test module's asserts anew, about half of its
# collection. Let it be written (to __pycache__, ignored by git) and warm it on the core the
# static checks leave idle, so that each run's workers find it ready.
unset PYTHONDONTWRITEBYTECODE
env -u DATABASE_URL pytest --collect-only -q -p no:xdist >/dev/null 2>&1 &
warm=$!
trap 'kill "$warm" 2>/dev/null || true' EXIT

echo "==> static checks"
ruff format --check --quiet .
ruff check --quiet .
mypy --no-error-summary
lint-imports --no-cache >/dev/null
python scripts/check_private_imports.py shezhi benchmarks   # no private name across modules
shezhi compilemessages -v 0 --ignore=.venv --ignore=var --ignore=benchmarks
shezhi makemigrations --check --dry-run >/dev/null || { echo "models and migrations differ"; exit 1; }

wait "$warm" || true  # a collection error shows again, with its message, in the run below
trap - EXIT

echo "==> tests on SQLite"
env -u DATABASE_URL pytest -q -n auto --dist loadgroup "$@"

echo "==> tests on PostgreSQL"
bash scripts/with-postgres.sh pytest -q -n auto --dist loadgroup "$@"
