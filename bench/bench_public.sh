#!/usr/bin/env bash
# Public site throughput on PostgreSQL (issue 5): seeds BENCH_NOTICES (default 100000) published
# notices × BENCH_ROWS (8) rows if fewer exist, runs gunicorn (2 workers) on a free loopback
# port, loads each public page with bounded wrk runs and prints a table. See bench/public_helper.py.
# DATABASE_URL (postgres only) defaults to postgres://postgres@127.0.0.1:5432/sme_bench.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || [ -x /usr/bin/wrk ] || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
exec .venv/bin/python bench/public_helper.py "$@"
