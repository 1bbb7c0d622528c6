#!/usr/bin/env bash
# The production stack on one machine, for testing, everything on loopback:
# PostgreSQL 15, Redis, two gunicorn web nodes, a Celery worker and beat (once shezhi/celery.py
# exists; before that the embedded scheduler), and nginx in front with deploy/nginx/shezhi.conf.
#
#   scripts/stack.sh up      start it (state in var/stack/, kept between runs; demo data seeded once)
#   scripts/stack.sh down    stop every process it started
#   scripts/stack.sh smoke   up, then the smoke test (scripts/stack_smoke.py) through nginx
#   scripts/stack.sh load    Locust through nginx (benchmarks/locustfile.py; extra args to locust)
#   scripts/stack.sh status  what is running
#   scripts/stack.sh env     print the environment the stack's processes get (for `shezhi …`)
#   scripts/stack.sh start web1|web2|worker|beat   start one piece again after it was killed
#
# Ports are SHEZHI_STACK_PORT_BASE (18400) + 80 nginx, + 1 and + 2 web nodes, + 32 PostgreSQL,
# + 79 Redis. SHEZHI_STACK_DIR (var/stack) holds data, logs and pid files; `down` keeps it,
# `down --purge` deletes it. SHEZHI_STACK_VENV (.venv) is the virtualenv to run from;
# SHEZHI_STACK_SKIP_BOOTSTRAP=1 skips scripts/bootstrap.sh stack (apt + pip).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
STACK_DIR=${SHEZHI_STACK_DIR:-$ROOT/var/stack}
BASE=${SHEZHI_STACK_PORT_BASE:-18400}
NGINX_PORT=$((BASE + 80))
WEB_PORTS=($((BASE + 1)) $((BASE + 2)))
PG_PORT=$((BASE + 32))
REDIS_PORT=$((BASE + 79))
VENV=${SHEZHI_STACK_VENV:-$ROOT/.venv}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
WEB_WORKERS=${SHEZHI_STACK_WEB_WORKERS:-2}
WEB_THREADS=${SHEZHI_STACK_WEB_THREADS:-4}
RUN=$STACK_DIR/run
LOGS=$STACK_DIR/logs

log() { printf '==> %s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

# initdb and the PostgreSQL server refuse to run as root: run them as the postgres user then.
if [ "$(id -u)" -eq 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; else as_pg() { "$@"; }; fi

has_celery() { [ -f "$ROOT/shezhi/celery.py" ]; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_port() {  # wait_port PORT SECONDS NAME
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$3 did not open 127.0.0.1:$1 within $2 s (see $LOGS/)"
}

port_free_or_die() {  # refuse to start on a port someone else holds
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    die "127.0.0.1:$1 ($2) is already in use; stop it or set SHEZHI_STACK_PORT_BASE"
  fi
}

write_env() {
  # Secrets are made once and kept, so sessions and encrypted case files survive a restart.
  local secrets=$STACK_DIR/secrets.env
  if [ ! -f "$secrets" ]; then
    (
      umask 077
      "$VENV/bin/python" - >"$secrets" <<'EOF'
import secrets
from cryptography.fernet import Fernet
print(f"SHEZHI_SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"SHEZHI_CASE_KEYS={Fernet.generate_key().decode()}")
EOF
    )
  fi
  local broker=""
  if has_celery; then broker="redis://127.0.0.1:$REDIS_PORT/0"; fi
  {
    echo "# Written by scripts/stack.sh; every knob: deploy/shezhi.env"
    cat "$secrets"
    echo "DATABASE_URL=postgres://shezhi@127.0.0.1:$PG_PORT/shezhi"
    echo "SHEZHI_DEBUG=0"
    echo "SHEZHI_ALLOWED_HOSTS=127.0.0.1,localhost"
    echo "SHEZHI_CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$NGINX_PORT,http://localhost:$NGINX_PORT"
    echo "SHEZHI_PUBLIC_BASE_URL=http://127.0.0.1:$NGINX_PORT"
    echo "SHEZHI_VAR_DIR=$STACK_DIR/var"
    echo "SHEZHI_STATIC_ROOT=$STACK_DIR/var/static"
    echo "SHEZHI_DB_CONN_MAX_AGE=60"
    echo "SHEZHI_TRUSTED_PROXIES=127.0.0.1"
    echo "SHEZHI_MEDIA_ACCEL_PREFIX=/protected-media/"
    echo "SHEZHI_SEED_MUST_CHANGE_PASSWORD=0"
    echo "SHEZHI_NOTIFICATION_CHANNELS=inbox,sms"
    echo "SHEZHI_LOG_LEVEL=INFO"
    echo "SHEZHI_BROKER_URL=$broker"
    echo "SHEZHI_CACHE_URL=redis://127.0.0.1:$REDIS_PORT/1"  # shared by both nodes
    # Short, so that a killed worker's runs are taken for lost and resumed within a minute or two
    # (the smoke waits for it); production keeps the defaults (deploy/shezhi.env).
    echo "SHEZHI_TASK_TIMEOUT_SECONDS=${SHEZHI_TASK_TIMEOUT_SECONDS:-60}"
    echo "SHEZHI_IMPORT_STALE_MINUTES=${SHEZHI_IMPORT_STALE_MINUTES:-1}"
    echo "PYTHONPATH=$ROOT"
    echo "DJANGO_SETTINGS_MODULE=shezhi.settings"
  } >"$STACK_DIR/stack.env"
}

load_env() {
  set -a
  # shellcheck disable=SC1091
  . "$STACK_DIR/stack.env"
  set +a
}

start_postgres() {
  local data=$STACK_DIR/pg/data
  if [ ! -f "$data/PG_VERSION" ]; then
    log "PostgreSQL: initdb"
    mkdir -p "$STACK_DIR/pg"
    [ "$(id -u)" -ne 0 ] || chown postgres "$STACK_DIR/pg"
    as_pg "$PG_BIN/initdb" -D "$data" -U shezhi --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then return; fi
  port_free_or_die "$PG_PORT" PostgreSQL
  log "PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$STACK_DIR/pg/log" -w start -o \
    "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $STACK_DIR/pg -c max_connections=200" >/dev/null
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U shezhi -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'shezhi'" | grep -q 1 ||
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U shezhi shezhi
}

start_redis() {
  pid_alive "$RUN/redis.pid" && return
  port_free_or_die "$REDIS_PORT" Redis
  log "Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$STACK_DIR/redis"
  # Append-only file: queued tasks survive a Redis restart.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STACK_DIR/redis" \
    --appendonly yes --save "" --daemonize yes --pidfile "$RUN/redis.pid" \
    --logfile "$LOGS/redis.log" --protected-mode yes
  wait_port "$REDIS_PORT" 10 Redis
}

prepare_app() {
  log "migrate, collectstatic, demo data (first time only)"
  "$VENV/bin/python" manage.py compilemessages -v 0 --ignore=.venv --ignore=var --ignore=benchmarks
  "$VENV/bin/python" manage.py check --deploy --fail-level ERROR >/dev/null
  "$VENV/bin/python" manage.py migrate --noinput -v 0
  "$VENV/bin/python" manage.py collectstatic --noinput -v 0
  "$VENV/bin/python" manage.py seed --scale demo --seed 2026 --if-empty >"$LOGS/seed.log"
}

start_web() {  # start_web N
  local n=$1 port=${WEB_PORTS[$1 - 1]}
  pid_alive "$RUN/web$n.pid" && return
  port_free_or_die "$port" "web node $n"
  log "web node $n (gunicorn) on 127.0.0.1:$port"
  SHEZHI_METRICS_DIR="$STACK_DIR/metrics-web$n" "$VENV/bin/gunicorn" shezhi.wsgi --config "$ROOT/deploy/gunicorn.conf.py" \
    --bind "127.0.0.1:$port" --workers "$WEB_WORKERS" --threads "$WEB_THREADS" \
    --pid "$RUN/web$n.pid" --daemon \
    --access-logfile "$LOGS/web$n-access.log" --error-logfile "$LOGS/web$n.log"
  wait_port "$port" 60 "web node $n"
}

start_worker() {
  if has_celery; then
    pid_alive "$RUN/worker.pid" && return
    log "Celery worker"
    "$VENV/bin/celery" -A shezhi.celery worker --concurrency 2 --detach \
      --pidfile "$RUN/worker.pid" --logfile "$LOGS/worker.log" --loglevel INFO
  fi
}

start_beat() {
  if has_celery; then
    pid_alive "$RUN/beat.pid" && return
    log "Celery beat"
    "$VENV/bin/celery" -A shezhi.celery beat --detach --pidfile "$RUN/beat.pid" \
      --logfile "$LOGS/beat.log" --loglevel INFO --schedule "$STACK_DIR/beat-schedule"
  else
    # No task queue yet: the embedded scheduler runs the periodic jobs, once for the stack.
    pid_alive "$RUN/scheduler.pid" && return
    log "periodic jobs (shezhi run_scheduler; no shezhi/celery.py)"
    nohup "$VENV/bin/python" manage.py run_scheduler >"$LOGS/scheduler.log" 2>&1 &
    echo $! >"$RUN/scheduler.pid"
  fi
}

nginx_conf() {
  # The operator's site file with this stack's ports and folders put in.
  local site=$STACK_DIR/nginx/site.conf nginx_user=""
  mkdir -p "$STACK_DIR/nginx/tmp"
  if [ "$(id -u)" -eq 0 ]; then nginx_user="user www-data;" && chown www-data "$STACK_DIR/nginx/tmp"; fi
  sed -e "s|listen 80;|listen 127.0.0.1:$NGINX_PORT;|" \
    -e "s|server 127.0.0.1:8001 |server 127.0.0.1:${WEB_PORTS[0]} |" \
    -e "s|server 127.0.0.1:8002 |server 127.0.0.1:${WEB_PORTS[1]} |" \
    -e "s|/srv/shezhi/var/|$STACK_DIR/var/|g" \
    -e "s|/var/log/nginx/shezhi|$LOGS/nginx|g" \
    "$ROOT/deploy/nginx/shezhi.conf" >"$site"
  cat >"$STACK_DIR/nginx/nginx.conf" <<EOF
# Written by scripts/stack.sh: a private nginx around deploy/nginx/shezhi.conf.
$nginx_user
worker_processes 2;
pid $RUN/nginx.pid;
error_log $LOGS/nginx-error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path $STACK_DIR/nginx/tmp/body;
    proxy_temp_path $STACK_DIR/nginx/tmp/proxy;
    fastcgi_temp_path $STACK_DIR/nginx/tmp/fastcgi;
    uwsgi_temp_path $STACK_DIR/nginx/tmp/uwsgi;
    scgi_temp_path $STACK_DIR/nginx/tmp/scgi;
    include $site;
}
EOF
}

start_nginx() {
  nginx_conf
  if pid_alive "$RUN/nginx.pid"; then
    nginx -c "$STACK_DIR/nginx/nginx.conf" -s reload
    return
  fi
  port_free_or_die "$NGINX_PORT" nginx
  log "nginx on http://127.0.0.1:$NGINX_PORT/"
  nginx -c "$STACK_DIR/nginx/nginx.conf" -t -q
  nginx -c "$STACK_DIR/nginx/nginx.conf"
  wait_port "$NGINX_PORT" 10 nginx
}

stop_pidfile() {  # stop_pidfile FILE NAME: TERM, then KILL after 20 s
  local file=$1 pid i
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $2 ($pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

cmd_up() {
  [ "${SHEZHI_STACK_SKIP_BOOTSTRAP:-0}" = 1 ] || bash scripts/bootstrap.sh stack
  [ -x "$VENV/bin/gunicorn" ] || die "no gunicorn in $VENV (set SHEZHI_STACK_VENV)"
  mkdir -p "$STACK_DIR/var/static" "$STACK_DIR/var/media" "$RUN" "$LOGS"
  write_env
  load_env
  start_postgres
  start_redis
  # Migrations and the demo data once per start, not again while the web nodes run.
  pid_alive "$RUN/web1.pid" && pid_alive "$RUN/web2.pid" || prepare_app
  start_web 1
  start_web 2
  start_worker
  start_beat
  start_nginx
  log "up: http://127.0.0.1:$NGINX_PORT/ (logs in $LOGS; \`scripts/stack.sh down\` stops it)"
}

cmd_down() {
  [ -d "$STACK_DIR" ] || return 0
  if pid_alive "$RUN/nginx.pid"; then
    nginx -c "$STACK_DIR/nginx/nginx.conf" -s quit 2>/dev/null || true
    sleep 0.5
  fi
  stop_pidfile "$RUN/nginx.pid" nginx
  stop_pidfile "$RUN/beat.pid" "Celery beat"
  stop_pidfile "$RUN/scheduler.pid" scheduler
  stop_pidfile "$RUN/worker.pid" "Celery worker"
  stop_pidfile "$RUN/web1.pid" "web node 1"
  stop_pidfile "$RUN/web2.pid" "web node 2"
  stop_pidfile "$RUN/redis.pid" Redis
  if [ -f "$STACK_DIR/pg/data/PG_VERSION" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$STACK_DIR/pg/data" -m fast stop >/dev/null 2>&1 || true
  fi
  if [ "${1:-}" = --purge ]; then
    log "deleting $STACK_DIR"
    rm -rf "$STACK_DIR"
  fi
}

cmd_status() {
  local name
  for name in nginx web1 web2 worker beat scheduler redis; do
    if pid_alive "$RUN/$name.pid"; then echo "$name: running ($(cat "$RUN/$name.pid"))"; fi
  done
  as_pg "$PG_BIN/pg_ctl" -D "$STACK_DIR/pg/data" status >/dev/null 2>&1 && echo "postgres: running"
  return 0
}

cmd_smoke() {
  cmd_up
  load_env
  SHEZHI_STACK_URL="http://127.0.0.1:$NGINX_PORT" SHEZHI_STACK_RUN=$RUN SHEZHI_STACK_ROOT=$ROOT \
    SHEZHI_STACK_LOGS=$LOGS SHEZHI_STACK_VENV=$VENV SHEZHI_STACK_WEB_PORTS="${WEB_PORTS[*]}" \
    "$VENV/bin/python" scripts/stack_smoke.py "$@"
}

cmd_load() {  # Locust through nginx: a working day's mix (benchmarks/locustfile.py)
  load_env
  mkdir -p "$ROOT/benchmarks/out"
  SHEZHI_STACK_RUN=$RUN "$VENV/bin/locust" -f "$ROOT/benchmarks/locustfile.py" --headless \
    --host "http://127.0.0.1:$NGINX_PORT" --users 200 --spawn-rate 10 --run-time 5m \
    --csv "$ROOT/benchmarks/out/stack-load" --only-summary "$@"
}

case "${1:-}" in
  up) cmd_up ;;
  down) shift; cmd_down "$@" ;;
  smoke) shift; cmd_smoke "$@" ;;
  load) shift; cmd_load "$@" ;;
  status) cmd_status ;;
  start)  # start one stopped piece again (the smoke test uses it after a kill)
    write_env
    load_env
    case "${2:-}" in
      web1) start_web 1 ;; web2) start_web 2 ;; worker) start_worker ;; beat) start_beat ;;
      *) die "start web1|web2|worker|beat" ;;
    esac ;;
  env) cat "$STACK_DIR/stack.env" ;;
  *) echo "usage: scripts/stack.sh up|down [--purge]|smoke|load|status|env|start NAME" >&2; exit 2 ;;
esac
