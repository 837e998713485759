#!/usr/bin/env bash
# Start, stop or restart app servers (app-a, app-b: gunicorn as `make serve` runs it) and task
# workers (worker-1, worker-2: manage.py db_worker) of the rehearsal by name.
#   app.sh start|stop|restart NAME...
# `restart` of several names goes one at a time, each taken out of nginx, restarted, back on
# /healthz and put back before the next: the rolling deploy of docs/production.md.
# RELEASE_DIR (default: this checkout) is the code a server starts from: a deploy migrates with
# the new release's manage.py, then `RELEASE_DIR=/srv/release-N app.sh restart app-a app-b`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
RELEASE_DIR=$(cd "${RELEASE_DIR:-$ROOT}" && pwd)
cd "$RELEASE_DIR"
app_env

start_one() {
  local name=$1
  alive "$name" && return 0
  if [ -n "${APP_PORTS[$name]:-}" ]; then
    local port=${APP_PORTS[$name]}
    port_open "$port" && die "port $port is in use by another program"
    log "start: $name (gunicorn) on $port"
    # The same gunicorn line as `make serve` (collectstatic and check --deploy ran once in up.sh).
    spawn "$name" "$ROOT/.venv/bin/gunicorn" -c "$RELEASE_DIR/config/gunicorn_conf.py" --chdir "$RELEASE_DIR" config.wsgi -w "${WORKERS_PER_SERVER:-2}" --threads 4 \
      -b "127.0.0.1:$port" --timeout 60 --graceful-timeout 30 --max-requests 2000 --max-requests-jitter 200 \
      --control-socket "$RUN/$name.ctl"  # one per server: the default path is shared by all
  else
    log "start: $name (db_worker)"
    spawn "$name" "$PY" "$RELEASE_DIR/manage.py" db_worker --no-reload --worker-id "$name" --interval 0.5
  fi
}

healthy() { curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:$1/healthz"; }
wait_healthy() {  # an app server counts as started once it answers /healthz
  if [ -n "${APP_PORTS[$1]:-}" ]; then wait_for 60 "$1" healthy "${APP_PORTS[$1]}"; fi
}

action=$1; shift
case $action in
  start)  # all at once, then wait for each
    for name in "$@"; do start_one "$name"; done
    for name in "$@"; do wait_healthy "$name"; done ;;
  stop)
    for name in "$@"; do log "stop: $name"; stop_spawned "$name" 40; done ;;
  restart)  # drained from nginx first, so no request (a POST least of all) meets it stopping
    for name in "$@"; do
      log "restart: $name"
      [ -n "${APP_PORTS[$name]:-}" ] && write_upstreams "$name"
      stop_spawned "$name" 40; start_one "$name"; wait_healthy "$name"
      [ -n "${APP_PORTS[$name]:-}" ] && write_upstreams
    done ;;
  *) die "usage: app.sh start|stop|restart NAME..." ;;
esac
