#!/usr/bin/env bash
# Benchmarks our GraphQL server against PostGraphile v4, PostGraphile 5 and
# raw SQL on a fresh, generated dataset, and rewrites docs/benchmarks.md. Run
# from anywhere as `bash bench/run.sh`; see bench/README.md.
#
# It drops and recreates the database $BENCH_DB (default bri_bench) on the
# local PostgreSQL, builds and starts our server once on it to create the
# schema, fills it with bench/gen, starts our server and both PostGraphiles,
# runs bench/load, and stops everything it started, even on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

# Knobs of this script (environment variables; bench/lib.sh sets the shared ones).
# A second instance of our server, with the statistics cache off, runs the
# stats shape again: what computing projectStats costs it.
OURS_UNCACHED_PORT=${OURS_UNCACHED_PORT:-18081}
POSTGRAPHILE_PORT=${POSTGRAPHILE_PORT:-15000}
POSTGRAPHILE5_PORT=${POSTGRAPHILE5_PORT:-15001}
REPORT=${REPORT:-docs/benchmarks.md}
# Before the timed runs, wait at most this long for other work on the
# machine to quiet down.
WAIT_QUIET=${WAIT_QUIET:-3m}
# How often to retry building the server (30 s apart) if the build fails,
# e.g. while someone is in the middle of an edit.
BUILD_RETRIES=${BUILD_RETRIES:-0}

db_url="postgres://$PGUSER@$PGHOST:$PGPORT/$BENCH_DB?sslmode=disable"
work=$(mktemp -d "${TMPDIR:-/tmp}/bri-bench.XXXXXX")
server_bin="$work/bri-bench-server"
load_bin="$work/bri-bench-load"
pgdir="$root/bench/postgraphile"
pg5dir="$root/bench/postgraphile5"
# PostGraphile 5 needs Node 22 or later: it runs on the Node 22 that its own
# npm packages bring (the npm package node), not on the machine's.
pg5node="$pg5dir/node_modules/node/bin/node"

preflight go node npm psql curl
for port in "$OURS_PORT" "$OURS_UNCACHED_PORT" "$POSTGRAPHILE_PORT" "$POSTGRAPHILE5_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    die "something already listens on port $port"
  fi
done

step "PostGraphile 4: npm ci in bench/postgraphile"
(cd "$pgdir" && npm ci --no-audit --no-fund --loglevel=error)
step "PostGraphile 5 and its Node 22: npm ci in bench/postgraphile5"
(cd "$pg5dir" && npm ci --no-audit --no-fund --loglevel=error)
"$pg5node" --version >/dev/null 2>&1 || die "no Node 22 in bench/postgraphile5/node_modules (the npm package node did not install its binary)"

step "build our server and bench/load"
attempt=0
until go build -o "$server_bin" . 2>"$work/build.log"; do
  cat "$work/build.log" >&2
  attempt=$((attempt + 1))
  [ "$attempt" -le "$BUILD_RETRIES" ] || die "the server does not build"
  echo "build failed; retrying in 30 s ($attempt of $BUILD_RETRIES)" >&2
  sleep 30
done
go build -o "$load_bin" ./bench/load

ours_flags=(--env production --seed=false --port "$OURS_PORT" --rate-limit-ip 0 --rate-limit-key 0 --max-complexity 1000000)

prepare_db "$server_bin"

step "start our server, PostGraphile 4 and PostGraphile 5"
DATABASE_URL=$db_url "$server_bin" "${ours_flags[@]}" >"$work/server.log" 2>&1 &
ours_pid=$!
pids+=("$ours_pid")
DATABASE_URL=$db_url "$server_bin" "${ours_flags[@]}" --port "$OURS_UNCACHED_PORT" --stats-cache 0 >"$work/server-uncached.log" 2>&1 &
uncached_pid=$!
pids+=("$uncached_pid")
pg_flags=(--connection "postgres://$PGUSER@$PGHOST:$PGPORT/$BENCH_DB" --schema public
  --host 127.0.0.1 --port "$POSTGRAPHILE_PORT"
  --append-plugins postgraphile-plugin-connection-filter
  --disable-default-mutations --disable-query-log --disable-graphiql
  --legacy-relations omit --no-setof-functions-contain-nulls --dynamic-json
  --max-pool-size 20)
(cd "$pgdir" && NODE_ENV=production exec node node_modules/postgraphile/cli.js "${pg_flags[@]}") >"$work/postgraphile.log" 2>&1 &
pg_pid=$!
pids+=("$pg_pid")
# PostGraphile 5 reads its settings from bench/postgraphile5/graphile.config.mjs
# (the same as v4's flags above, as far as v5 has them), these from the
# environment.
pg5_env=(DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$BENCH_DB" HOST=127.0.0.1 PORT="$POSTGRAPHILE5_PORT"
  MAX_POOL_SIZE=20 NODE_ENV=production GRAPHILE_ENV=production)
(cd "$pg5dir" && exec env "${pg5_env[@]}" node_modules/node/bin/node node_modules/postgraphile/dist/cli-run.js) >"$work/postgraphile5.log" 2>&1 &
pg5_pid=$!
pids+=("$pg5_pid")
wait_ready "our server" "http://127.0.0.1:$OURS_PORT/graphql" "$ours_pid" "$work/server.log"
wait_ready "our server, stats cache off" "http://127.0.0.1:$OURS_UNCACHED_PORT/graphql" "$uncached_pid" "$work/server-uncached.log"
wait_ready "PostGraphile 4" "http://127.0.0.1:$POSTGRAPHILE_PORT/graphql" "$pg_pid" "$work/postgraphile.log"
wait_ready "PostGraphile 5" "http://127.0.0.1:$POSTGRAPHILE5_PORT/graphql" "$pg5_pid" "$work/postgraphile5.log"

step "load: bench/load (each shape: ours, PostGraphile 4, PostGraphile 5, raw SQL)"
pg_version="postgraphile $(node -p "require('$pgdir/node_modules/postgraphile/package.json').version") with postgraphile-plugin-connection-filter $(node -p "require('$pgdir/node_modules/postgraphile-plugin-connection-filter/package.json').version")"
pg5_version="postgraphile $("$pg5node" -p "require('$pg5dir/node_modules/postgraphile/package.json').version") with postgraphile-plugin-connection-filter $("$pg5node" -p "require('$pg5dir/node_modules/postgraphile-plugin-connection-filter/package.json').version"), on Node $("$pg5node" --version) (npm package node)"
"$load_bin" \
  --ours "http://127.0.0.1:$OURS_PORT/graphql" \
  --ours-uncached "http://127.0.0.1:$OURS_UNCACHED_PORT/graphql" --ours-uncached-pid "$uncached_pid" \
  --postgraphile "http://127.0.0.1:$POSTGRAPHILE_PORT/graphql" \
  --postgraphile5 "http://127.0.0.1:$POSTGRAPHILE5_PORT/graphql" \
  --database-url "$db_url" \
  --concurrency "$CONCURRENCY" --warmup "$WARMUP" --duration "$DURATION" --shapes "$SHAPES" \
  --ours-pid "$ours_pid" --postgraphile-pid "$pg_pid" --postgraphile5-pid "$pg5_pid" --wait-quiet "$WAIT_QUIET" \
  --report "$REPORT" --json "$work/results.json" \
  --command "bash bench/run.sh" \
  --gen-command "go run ./bench/gen --database-url '$db_url' ${gen_args[*]:2}" \
  --ours-command "go build -o /tmp/bri-bench-server . && DATABASE_URL='$db_url' /tmp/bri-bench-server ${ours_flags[*]}" \
  --postgraphile-command "cd bench/postgraphile && NODE_ENV=production node node_modules/postgraphile/cli.js ${pg_flags[*]}" \
  --postgraphile5-command "cd bench/postgraphile5 && ${pg5_env[*]} node_modules/node/bin/node node_modules/postgraphile/dist/cli-run.js" \
  --dataset-note "After loading, bench/run.sh starts our server once on the data and stops it, letting it do its start-up work on the rows (today: filling the search columns that the generator leaves empty; ${first_start} s this time), then runs \`VACUUM (FULL, ANALYZE)\` on these tables, so that they are compact and analyzed as if the rows had been written through the API, then a plain \`VACUUM\` (which sets the visibility map, as autovacuum does on a live database) and a \`CHECKPOINT\`. The database is set to \`random_page_cost = 1.1\` (the usual setting for data on SSD or in memory, as here; PostgreSQL's default is 4) and \`max_parallel_workers_per_gather = 0\` (no parallel query: two cores shared by 16 clients leave no idle core for a worker) for every target alike. The row \"ours, stats cache off\" is a second instance of our server, started the same way with \`--port $OURS_UNCACHED_PORT --stats-cache 0\`." \
  --node-version "$(node --version)" \
  --postgraphile-version "$pg_version" \
  --postgraphile5-version "$pg5_version" \
  --go-version "$(go env GOVERSION)"

step "done: $REPORT"
