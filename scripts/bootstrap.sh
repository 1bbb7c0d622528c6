#!/usr/bin/env bash
# Installs what is missing on a fresh Debian machine: system packages via apt, Python packages
# into ./.venv. Idempotent; quick when everything is there already.
# Usage: scripts/bootstrap.sh run|test
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-run}

need_pkgs=()
missing() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed" || need_pkgs+=("$1"); }
missing gettext
missing fonts-noto-cjk  # proofs (PDF) embed a CJK font; without it no proof can be issued
if [ "$purpose" = test ]; then
  [ -x /usr/lib/postgresql/15/bin/initdb ] || need_pkgs+=(postgresql-15)
  missing chromium
  missing chromium-driver
  missing poppler-utils  # pdftotext, for the proof tests
  missing redis-server  # the task queue test starts a real Redis broker and Celery worker
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "==> apt-get install ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last install.
stamp=.venv/.shezhi-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> pip install -e .[test]"
  .venv/bin/pip install -q -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import django, pytest, playwright"  # fail loudly if the install failed
  touch "$stamp"
fi
