#!/usr/bin/env bash
# Restore a backup.sh directory into a fresh cluster: a new PostgreSQL data directory
# (var/cluster/pg/restore, port RESTORE_PORT, default 5534) and a new bucket (BUCKET, default
# sme-notices-restore) in the S3 store. Prints the environment lines that point the app at them.
#   restore.sh DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
app_env
source_dir=${1:?usage: restore.sh DIR}
port=${RESTORE_PORT:-5534}
bucket=${RESTORE_BUCKET:-$BUCKET-restore}
data="$PGROOT/restore"
if as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
fi
rm -rf "$data"
port_open "$port" && die "port $port is in use"
as_pg "$PGBIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$VAR/log/initdb-restore.log"
printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" "$port" "$PGROOT" \
  | as_pg tee -a "$data/postgresql.conf" >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$data" -l "$PGROOT/restore.log" -w -t 60 start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME"
"$PGBIN/pg_restore" -h 127.0.0.1 -p "$port" -U postgres -d "$DB_NAME" --no-owner --exit-on-error "$source_dir/db.dump"
"$PY" "$ROOT/ops/cluster/bucket.py" upload "$source_dir/objects" "$bucket" >&2
echo "DATABASE_URL=postgres://postgres@127.0.0.1:$port/$DB_NAME"
echo "AWS_STORAGE_BUCKET_NAME=$bucket"
