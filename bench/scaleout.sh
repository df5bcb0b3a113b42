#!/usr/bin/env bash
# Scale-out on this machine: one and two of our server processes on one
# PostgreSQL database, each without and with the streaming replica on
# 127.0.0.1:5433, measured side by side (bench/scaleout): read throughput,
# read-after-write with consistency tokens, and the CPU of each group of
# processes. Writes docs/benchmarks-scaleout.md. Run from anywhere as
# `bash bench/scaleout.sh`; see bench/README.md.
#
# It drops and recreates its own database $SCALEOUT_DB (default
# bri_scaleout; KEEP_DB=1 reuses it when it has projects) on the primary,
# which the replica then holds too, fills it as bench/run.sh does (with
# fewer projects by default), and stops everything it started, even on
# failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Knobs of this script, set before bench/lib.sh gives the shared ones their
# defaults: its own database, a smaller dataset, its own ports.
BENCH_DB=${SCALEOUT_DB:-bri_scaleout}
PROJECTS=${PROJECTS:-20000}
OURS_PORT=${OURS_PORT:-18180}

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

REPLICA_PORT=${REPLICA_PORT:-5433}
REPORT=${REPORT:-docs/benchmarks-scaleout.md}
KEEP_DB=${KEEP_DB:-0}
WAIT_QUIET=${WAIT_QUIET:-2m}
MIX=${MIX:-flat:3,filtered:3,node:4,nested:2,participations:2,countries:1,stats:1}
# What else the machine does meanwhile, for the page.
MACHINE_NOTE=${MACHINE_NOTE:-}

db_url="postgres://$PGUSER@$PGHOST:$PGPORT/$BENCH_DB?sslmode=disable"
replica_url="postgres://$PGUSER@$PGHOST:$REPLICA_PORT/$BENCH_DB?sslmode=disable"
work=$(mktemp -d "${TMPDIR:-/tmp}/bri-scaleout.XXXXXX")
server_bin="$work/bri-scaleout-server"
scaleout_bin="$work/bri-scaleout"
ours_flags=(--env production --seed=false --port "$OURS_PORT" --rate-limit-ip 0 --rate-limit-key 0 --max-complexity 1000000)

preflight go psql curl
standby() { [ "$(psql -p "$REPLICA_PORT" -d postgres -Atc 'select pg_is_in_recovery()' 2>/dev/null)" = t ]; }
if ! standby; then
  [ "$(id -u)" = 0 ] || die "no hot standby answers on $PGHOST:$REPLICA_PORT: run bash .ci/replica.sh as root"
  step "no replica on $REPLICA_PORT: bash .ci/replica.sh"
  REPLICA_PORT=$REPLICA_PORT bash "$root/.ci/replica.sh"
fi
require_free_ports "$OURS_PORT" "$((OURS_PORT + 1))"

step "build the server and bench/scaleout"
go build -o "$server_bin" .
go build -o "$scaleout_bin" ./bench/scaleout

projects=$(psql -d "$BENCH_DB" -Atc 'select count(*) from projects' 2>/dev/null || echo 0)
if [ "$KEEP_DB" = 1 ] && [ "${projects:-0}" -gt 0 ]; then
  step "reusing $BENCH_DB ($projects projects)"
  dataset_note="\`$BENCH_DB\`, reused (KEEP_DB=1): $projects projects"
else
  prepare_db "$server_bin"
  dataset_note="\`$BENCH_DB\`, filled by \`go run ./bench/gen ${gen_args[*]:2}\` and prepared as bench/run.sh does (the server's first start on the rows, ${first_start} s; \`VACUUM (FULL, ANALYZE)\`, \`VACUUM\`, \`CHECKPOINT\`; \`random_page_cost = 1.1\` and \`max_parallel_workers_per_gather = 0\` on the database), on the primary; the replica replays it all"
fi

step "scale-out: 1 and 2 processes, without and with the replica"
"$scaleout_bin" \
  --server-bin "$server_bin" --database-url "$db_url" --replica-url "$replica_url" \
  --ports "$OURS_PORT,$((OURS_PORT + 1))" \
  --concurrency "$CONCURRENCY" --warmup "$WARMUP" --duration "$DURATION" --mix "$MIX" \
  --wait-quiet "$WAIT_QUIET" --work "$work" --report "$REPORT" \
  --command "bash bench/scaleout.sh" \
  --dataset "$dataset_note; the server built with $(go env GOVERSION)." \
  --machine-note "$MACHINE_NOTE"

step "done: $REPORT"
