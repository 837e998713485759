#!/usr/bin/env bash
# `make bench`: every bench/bench_*.sh and bench/bench_*.py in turn; each prints its own table.
set -euo pipefail
cd "$(dirname "$0")/.."
for script in bench/bench_*; do
  [ -e "$script" ] || continue
  echo "== $script"
  case "$script" in
    *.sh) bash "$script" ;;
    *.py) .venv/bin/python "$script" ;;
  esac
done
