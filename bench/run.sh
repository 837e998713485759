#!/usr/bin/env bash
# `make bench`: every bench/bench_*.sh and bench/bench_*.py in turn (bench_editor.py: the rows editor
# with a 5,000-row notice); each prints its own table.
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
