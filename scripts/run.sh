#!/usr/bin/env bash
# Command 1: install what is missing, migrate SQLite, load the demo community, serve on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh run
export DJANGO_SETTINGS_MODULE=shezhi.settings
.venv/bin/shezhi compilemessages -v 0 --ignore=.venv --ignore=var --ignore=benchmarks
.venv/bin/shezhi migrate --noinput -v 0
.venv/bin/shezhi seed --scale demo --seed "${SHEZHI_SEED:-2026}" --if-empty
.venv/bin/shezhi demo_logins --url "http://${SHEZHI_ADDR:-127.0.0.1:8000}/"
# The periodic jobs (care escalation, reminders) run beside the server and stop with it.
.venv/bin/shezhi run_scheduler &
scheduler=$!
trap 'kill "$scheduler" 2>/dev/null || true' EXIT
.venv/bin/shezhi runserver "${SHEZHI_ADDR:-127.0.0.1:8000}"
