#!/usr/bin/env bash
# Installs what is missing on a fresh Debian machine: system packages via apt, Python packages
# into ./.venv. Idempotent; quick when everything is there already.
# Usage: scripts/bootstrap.sh run|test|stack (stack: what scripts/stack.sh runs, and Locust)
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
  missing redis-server  # tests of the shared cache, sessions and broker start their own
  missing nginx  # deploy/nginx/shezhi.conf is checked with `nginx -t`
fi
if [ "$purpose" = stack ]; then  # scripts/stack.sh: the production components on loopback
  [ -x /usr/lib/postgresql/15/bin/initdb ] || need_pkgs+=(postgresql-15)
  missing nginx
  missing redis-server
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
# Reinstall only when pyproject.toml changed since the last install (of these extras).
extras=test stamp=.venv/.shezhi-installed
if [ "$purpose" = stack ]; then extras=test,load stamp=.venv/.shezhi-installed-load; fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> pip install -e .[$extras]"
  .venv/bin/pip install -q -e ".[$extras]" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import django, pytest, playwright"  # fail loudly if the install failed
  touch "$stamp"
fi
