#!/usr/bin/env bash
# Mixed load (issue 7): public reading and searching while staff sign in, create, submit and
# approve notices; gunicorn (2 workers) on PostgreSQL + Redis on 127.0.0.1, bounded by
# BENCH_MIXED_SECONDS (default 300). Prints requests/s, p50/p99 per kind and the error count, and
# exits non-zero on any error. See bench/mixed_load.py. Knobs: BENCH_MIXED_READERS (8),
# BENCH_MIXED_STAFF (2), BENCH_MIXED_STAFF_PAUSE (0 s between notices), BENCH_MIXED_NOTICES
# (5000 background notices), BENCH_MIXED_DATABASE_URL (postgres://…/sme_bench_mixed, recreated
# on every run), BENCH_MIXED_CACHE_URL (redis://127.0.0.1:6379/12, flushed on every run).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python bench/mixed_load.py "$@"
