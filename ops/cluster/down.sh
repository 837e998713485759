#!/usr/bin/env bash
# `make cluster-stop`: stop every process of the rehearsal (nginx first, so no request reaches a
# stopping server; the primary last). Data stays in var/cluster/; `make cluster` starts it again.
# Only processes recorded in var/cluster/ are touched, never the machine's own PostgreSQL or Redis.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
[ -d "$VAR" ] || exit 0

if alive nginx; then
  "$(command -v nginx || echo /usr/sbin/nginx)" -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" -s quit 2>/dev/null \
    || kill -QUIT "$(cat "$RUN/nginx.pid")"
  for _ in $(seq 1 100); do alive nginx || break; sleep 0.1; done
  alive nginx && kill -KILL "$(cat "$RUN/nginx.pid")"
fi
rm -f "$RUN/nginx.pid"
# App servers and workers finish what they are doing (in parallel), then the services they use.
for name in app-a app-b worker-1 worker-2; do stop_spawned "$name" 40 & done
wait
pg_stop() {
  if [ -f "$PGROOT/$1/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$PGROOT/$1" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$PGROOT/$1" -m fast -w -t 60 stop >/dev/null
  fi
}
# SeaweedFS's filer waits up to 15 s for its S3 gateway's subscription before it stops.
for name in mailsink s3 redis; do stop_spawned "$name" 40 & done
{ pg_stop restore; pg_stop replica; pg_stop primary; } &  # restore: the backup scenario's copy
wait
log "stopped"
