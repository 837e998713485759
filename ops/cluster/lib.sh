# Shared by up.sh, down.sh and app.sh: where everything lives and on which port. Sourced, not run.
# The ports sit away from the machine's own services (PostgreSQL 5432, Redis 6379) so that the
# rehearsal never touches them.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VAR="$ROOT/var/cluster"
RUN="$VAR/run"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
PY="$ROOT/.venv/bin/python"

PG_PRIMARY_PORT=5532
PG_REPLICA_PORT=5533
REDIS_PORT=6389
MAIL_PORT=9425
APP_A_PORT=9401
APP_B_PORT=9402
NGINX_HTTPS_PORT=9443
NGINX_HTTP_PORT=9480
S3_MASTER_PORT=9430
S3_VOLUME_PORT=9431
S3_FILER_PORT=9432
S3_PORT=9433
DB_NAME=sme_cluster
# PostgreSQL's files: var/cluster/pg, or where it points when the postgres OS user cannot reach
# the work tree (up.sh then makes it a link to a directory under /var/tmp).
PGROOT="$VAR/pg"
[ -L "$PGROOT" ] && PGROOT=$(readlink -f "$VAR/pg")
BUCKET=sme-notices

# The app servers and workers are started by name; each name maps to its port (0: no port).
declare -A APP_PORTS=([app-a]=$APP_A_PORT [app-b]=$APP_B_PORT)
WORKERS=(worker-1 worker-2)

log() { printf '[cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf '[cluster] %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# PostgreSQL refuses to run as root: the clusters' files belong to the postgres OS user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || die "$what did not come up within ${seconds} s (logs: $VAR/log/)"
    sleep 0.2
  done
}

# Start a long-running process in its own session (so stopping it takes its children too), its
# output appended to var/cluster/log/NAME.log and its pid in var/cluster/run/NAME.pid.
spawn() {  # spawn NAME COMMAND...
  local name=$1; shift
  setsid "$@" >>"$VAR/log/$name.log" 2>&1 < /dev/null &
  echo $! >"$RUN/$name.pid"
}

# Stop what spawn started: TERM to its process group, KILL after a grace period.
stop_spawned() {  # stop_spawned NAME [GRACE_SECONDS]
  local name=$1 grace=${2:-30} pid
  [ -f "$RUN/$name.pid" ] || return 0
  pid=$(cat "$RUN/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    local deadline=$((SECONDS + grace))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
}

# nginx's upstream list, with the app servers named as arguments marked down (drained), then a
# graceful reload: nginx finishes what it sent them and sends nothing new.
write_upstreams() {  # write_upstreams [DRAINED_NAME...]
  local name line file="$VAR/nginx/upstreams.conf"
  : >"$file.new"
  for name in app-a app-b; do
    line="server 127.0.0.1:${APP_PORTS[$name]} max_fails=1 fail_timeout=5s"
    [[ " $* " == *" $name "* ]] && line="$line down"
    echo "$line;" >>"$file.new"
  done
  mv "$file.new" "$file"
  alive nginx || return 0
  local master deadline=$((SECONDS + 30))
  master=$(cat "$RUN/nginx.pid")
  kill -HUP "$master"
  # The reload is done when the old worker has finished its requests and left (one worker remains).
  sleep 0.2
  while [ "$(pgrep -c -P "$master")" -gt 1 ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
}

app_env() {  # the production environment of every app server and worker, from cluster.env
  set -a; . "$VAR/cluster.env"; set +a
  # Production settings even when called from the test suite (which sets its own).
  export DJANGO_SETTINGS_MODULE=config.settings
  unset DJANGO_ALLOW_ASYNC_UNSAFE
}
