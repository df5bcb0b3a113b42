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

SUBSCRIBERS=${SUBSCRIBERS:-1000}
TRANSPORTS=${TRANSPORTS:-mixed}
RATE=${RATE:-50}
DURATION=${SUB_DURATION:-60s}
WAIT_QUIET=${WAIT_QUIET:-2m}
SERVER_REV=${SERVER_REV:-HEAD}
# api: createPartner through the servers; sql: audit events written by the
# benchmark itself, to measure the fan-out alone.
WRITER=${WRITER:-api}
if [ "$WRITER" = sql ]; then
  REPORT=${REPORT:-docs/benchmarks-subscriptions-sql.md}
else
  REPORT=${REPORT:-docs/benchmarks-subscriptions.md}
fi
# What else the machine does meanwhile, for the page.
MACHINE_NOTE=${MACHINE_NOTE:-}

db_url="postgres://$PGUSER@$PGHOST:$PGPORT/$BENCH_DB?sslmode=disable"
work=$(mktemp -d "${TMPDIR:-/tmp}/bri-subscribe.XXXXXX")
server_bin="$work/bri-subscribe-server"
subscribe_bin="$work/bri-subscribe"

preflight go psql curl
require_free_ports "$OURS_PORT" "$((OURS_PORT + 1))"

# The server is built from a commit (SERVER_REV, default HEAD), not from
# the working tree, which others may be editing: the page names the commit.
# SERVER_REV=worktree builds the working tree as it is.
step "build the server ($SERVER_REV) and bench/subscribe"
if [ "$SERVER_REV" = worktree ]; then
  go build -o "$server_bin" .
  server_note="the working tree on $(git rev-parse --short HEAD), $(git status --porcelain | wc -l | tr -d ' ') files changed or new"
else
  rev=$(git rev-parse --short "$SERVER_REV^{commit}")
  mkdir "$work/src"
  git archive "$rev" | tar -x -C "$work/src"
  (cd "$work/src" && go build -o "$server_bin" .)
  server_note="commit $rev ($(git log -1 --format=%cs "$rev"))"
fi
go build -o "$subscribe_bin" ./bench/subscribe

step "fresh database $BENCH_DB"
psql -d postgres -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
psql -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $BENCH_DB"

cmd="bash bench/subscribe.sh"
[ "$TRANSPORTS" = mixed ] || cmd="TRANSPORTS=$TRANSPORTS $cmd"
[ "$SERVER_REV" = HEAD ] || cmd="SERVER_REV=$SERVER_REV $cmd"
[ "$WRITER" = api ] || cmd="WRITER=$WRITER $cmd"
step "fan-out: $SUBSCRIBERS subscribers ($TRANSPORTS), $RATE writes/s for $DURATION"
"$subscribe_bin" \
  --server-bin "$server_bin" --database-url "$db_url" \
  --port "$OURS_PORT" \
  --subscribers "$SUBSCRIBERS" --transports "$TRANSPORTS" --rate "$RATE" --duration "$DURATION" --writer "$WRITER" \
  --wait-quiet "$WAIT_QUIET" --work "$work" --report "$REPORT" \
  --command "$cmd" --machine-note "$MACHINE_NOTE" --server-note "$server_note" &
pids+=("$!")
wait "$!"

step "done: $REPORT"
