#!/usr/bin/env bash
# Subscriptions' fan-out on this machine: two of our server processes on one
# fresh PostgreSQL database, 1,000 auditEvents subscribers spread over them
# (half graphql-ws, half Server-Sent Events), and a writer committing 50
# writes a second for 60 s through both in turn (bench/subscribe). Writes
# docs/benchmarks-subscriptions.md. Run from anywhere as
# `bash bench/subscribe.sh`; see bench/README.md.
#
# It drops and recreates its own database $SUBSCRIBE_DB (default
# bri_subbench) and stops everything it started, even on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

BENCH_DB=${SUBSCRIBE_DB:-bri_subbench}
OURS_PORT=${OURS_PORT:-18280}

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

REPORT=${REPORT:-docs/benchmarks-subscriptions.md}
SUBSCRIBERS=${SUBSCRIBERS:-1000}
TRANSPORTS=${TRANSPORTS:-mixed}
RATE=${RATE:-50}
DURATION=${SUB_DURATION:-60s}
WAIT_QUIET=${WAIT_QUIET:-2m}
# What else the machine does meanwhile, for the page.
MACHINE_NOTE=${MACHINE_NOTE:-}

db_url="postgres://$PGUSER@$PGHOST:$PGPORT/$BENCH_DB?sslmode=disable"
work=$(mktemp -d "${TMPDIR:-/tmp}/bri-subscribe.XXXXXX")
server_bin="$work/bri-subscribe-server"
subscribe_bin="$work/bri-subscribe"

preflight go psql curl
require_free_ports "$OURS_PORT" "$((OURS_PORT + 1))"

step "build the server and bench/subscribe"
go build -o "$server_bin" .
go build -o "$subscribe_bin" ./bench/subscribe

step "fresh database $BENCH_DB"
psql -d postgres -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
psql -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $BENCH_DB"

cmd="bash bench/subscribe.sh"
[ "$TRANSPORTS" = mixed ] || cmd="TRANSPORTS=$TRANSPORTS $cmd"
step "fan-out: $SUBSCRIBERS subscribers ($TRANSPORTS), $RATE writes/s for $DURATION"
"$subscribe_bin" \
  --server-bin "$server_bin" --database-url "$db_url" \
  --port "$OURS_PORT" \
  --subscribers "$SUBSCRIBERS" --transports "$TRANSPORTS" --rate "$RATE" --duration "$DURATION" \
  --wait-quiet "$WAIT_QUIET" --work "$work" --report "$REPORT" \
  --command "$cmd" --machine-note "$MACHINE_NOTE" &
pids+=("$!")
wait "$!"

step "done: $REPORT"
