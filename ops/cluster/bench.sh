#!/usr/bin/env bash
# Requests per second and p99 through nginx (TLS) with two app servers, then with one (the other
# drained from nginx), on this machine's loopback: wrk, 2 threads, 16 connections, 10 s per run.
# Needs a running cluster (make cluster) with some published notices.
#   bench.sh [PATH]   default /notices/ (the anonymous list)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
path=${1:-/notices/}
command -v wrk >/dev/null || die "install wrk (apt-get install -y wrk)"
alive nginx || die "the cluster is not running: make cluster"
measure() {
  local out
  out=$(wrk -t2 -c16 -d10s --latency "https://127.0.0.1:$NGINX_HTTPS_PORT$path")
  printf '%-14s %10s req/s   p99 %s   non-2xx: %s\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
    "$(awk '/Non-2xx/ {print $NF}' <<<"$out" | grep . || echo 0)"
}
echo "wrk -t2 -c16 -d10s https://127.0.0.1:$NGINX_HTTPS_PORT$path ($(date -u +%Y-%m-%d), $(nproc) cores)"
measure "two servers"
write_upstreams app-b
trap write_upstreams EXIT
measure "one server"
