#!/usr/bin/env bash
# Mixed load (issue 7): public reading and searching while staff sign in, create, submit and
# approve notices; gunicorn (2 workers) on PostgreSQL + Redis on 127.0.0.1, bounded by
# BENCH_MIXED_SECONDS (default 300). Prints requests/s, p99 and the error count; see bench/mixed_load.py.
# Uses its own database (BENCH_MIXED_DATABASE_URL, default .../sme_bench_mixed, recreated each run)
# and Redis database 12 (BENCH_MIXED_CACHE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python bench/mixed_load.py "$@"
