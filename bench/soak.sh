#!/usr/bin/env bash
# A soak: one of our servers on the benchmark database under a long mixed
# load of reads and writes (bench/soak), reporting each minute the requests,
# the errors by code, and the server's resident memory and goroutines; it
# rewrites the soak's section of docs/benchmarks.md. Run from anywhere as
# `bash bench/soak.sh`; see bench/README.md.
#
# It reuses $BENCH_DB (default bri_bench) when it has projects, else prepares
# it as bench/run.sh does; builds and starts the server in production mode,
# creates an ADMIN API key for the writes, runs bench/soak, and stops
# everything it started, even on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# Knobs of this script (environment variables; bench/lib.sh sets the shared
# ones: BENCH_DB, OURS_PORT, PG*, and the sizes used if the database must be
# filled). DURATION is read before bench/lib.sh gives it its own default.
SOAK_DURATION=${DURATION:-10m}

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

SOAK_CLIENTS=${CLIENTS:-16}
WRITE_SHARE=${WRITE_SHARE:-0.10}
INTERVAL=${INTERVAL:-1m}
REPORT=${REPORT:-docs/benchmarks.md}
# What else the machine does meanwhile, for the report's machine line.
MACHINE_NOTE=${MACHINE_NOTE:-}

db_url="postgres://$PGUSER@$PGHOST:$PGPORT/$BENCH_DB?sslmode=disable"
work=$(mktemp -d "${TMPDIR:-/tmp}/bri-soak.XXXXXX")
server_bin="$work/bri-soak-server"
soak_bin="$work/bri-soak"
ours_flags=(--env production --seed=false --port "$OURS_PORT" --rate-limit-ip 0 --rate-limit-key 0 --max-complexity 1000000)

preflight go psql curl
if curl -s -o /dev/null "http://127.0.0.1:$OURS_PORT/"; then
  die "something already listens on port $OURS_PORT (set OURS_PORT)"
fi

step "build the server and bench/soak"
go build -o "$server_bin" .
go build -o "$soak_bin" ./bench/soak

projects=$(psql -d "$BENCH_DB" -Atc 'select count(*) from projects' 2>/dev/null || echo 0)
if [ "${projects:-0}" -gt 0 ]; then
  step "reusing $BENCH_DB ($projects projects)"
else
  prepare_db "$server_bin"
  projects=$(psql -d "$BENCH_DB" -Atc 'select count(*) from projects')
fi
# Read the table's size the way the page writes numbers.
projects_text=$(echo "$projects" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')

step "start the server"
DATABASE_URL=$db_url "$server_bin" "${ours_flags[@]}" >"$work/server.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
wait_ready "our server" "http://127.0.0.1:$OURS_PORT/graphql" "$server_pid" "$work/server.log"

step "an ADMIN API key for the writes"
key=$(DATABASE_URL=$db_url "$server_bin" keys create --name "soak $(date -u +%Y-%m-%dT%H:%M:%SZ)" --role admin | tail -n 1)
[ -n "$key" ] || die "keys create printed no secret"

step "soak: $SOAK_DURATION, $SOAK_CLIENTS clients, write share $WRITE_SHARE"
SOAK_API_KEY=$key "$soak_bin" \
  --url "http://127.0.0.1:$OURS_PORT/graphql" --metrics "http://127.0.0.1:$OURS_PORT/metrics" \
  --duration "$SOAK_DURATION" --clients "$SOAK_CLIENTS" --write-share "$WRITE_SHARE" --interval "$INTERVAL" \
  --server-pid "$server_pid" --report "$REPORT" \
  --command "bash bench/soak.sh" \
  --server-command "go build -o /tmp/bri-soak-server . && DATABASE_URL='$db_url' /tmp/bri-soak-server ${ours_flags[*]}" \
  --dataset "\`$BENCH_DB\`, filled by bench/gen as bench/run.sh does ($projects_text projects at the start), built with $(go env GOVERSION), $(psql -d postgres -Atc 'show server_version' | cut -d' ' -f1 | sed 's/^/PostgreSQL /') on this machine" \
  --machine-note "$MACHINE_NOTE"

if grep -q ERROR "$work/server.log"; then
  echo "the server logged errors:" >&2
  grep ERROR "$work/server.log" | head -n 20 >&2
fi
step "done: $REPORT"
