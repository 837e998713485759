#!/usr/bin/env bash
# The rehearsal's backup: the database with pg_dump (custom format, from the primary) and every
# object of the bucket, into DIR. docs/backup.md describes the same for production.
#   backup.sh DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
app_env
target=${1:?usage: backup.sh DIR}
mkdir -p "$target/objects"
"$PGBIN/pg_dump" -h 127.0.0.1 -p $PG_PRIMARY_PORT -U postgres -Fc -f "$target/db.dump" "$DB_NAME"
"$PY" "$ROOT/ops/cluster/bucket.py" download "$AWS_STORAGE_BUCKET_NAME" "$target/objects"
log "backup in $target"
