# Shared by bench/run.sh, bench/ab.sh and bench/soak.sh (sourced, not run):
# helpers to start and stop servers, and the preparation of the benchmark
# database. It sets the knobs they share (environment variables, with their
# defaults); the caller sets root first, and work, db_url and the array
# ours_flags before calling prepare_db, which sets gen_args.

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
BENCH_DB=${BENCH_DB:-bri_bench}
OURS_PORT=${OURS_PORT:-18080}
CONCURRENCY=${CONCURRENCY:-16}
WARMUP=${WARMUP:-2s}
DURATION=${DURATION:-10s}
SHAPES=${SHAPES:-flat,nested,countries,filtered,node,stats,participations}
PROJECTS=${PROJECTS:-100000}
PARTNERS=${PARTNERS:-300}
COUNTRIES=${COUNTRIES:-150}
POLICIES=${POLICIES:-2000}
SEED=${SEED:-20130907}
export PGHOST PGPORT PGUSER

step() { printf '\n== %s\n' "$*" >&2; }
die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# preflight TOOL...: die unless each tool is installed and PostgreSQL answers.
preflight() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
  done
  psql -d postgres -Atc 'select 1' >/dev/null || die "PostgreSQL does not answer at $PGUSER@$PGHOST:$PGPORT"
}

# require_free_ports PORT...: die if something already answers on a port.
require_free_ports() {
  local port
  for port in "$@"; do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
      die "something already listens on port $port (set OURS_PORT)"
    fi
  done
}

# Everything started here is stopped on exit, by its own pid.
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    echo "$(basename "$0") failed; logs are in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop PID: stop one process started here and wait for it.
stop() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# wait_ready NAME URL PID LOG [SECONDS]: wait until a GraphQL endpoint answers.
wait_ready() {
  local name=$1 url=$2 pid=$3 log=$4 limit=${5:-120}
  for _ in $(seq 1 $((limit * 2))); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$log" >&2
      die "$name exited before it was ready (log: $log)"
    fi
    if curl -fsS -o /dev/null -H 'Content-Type: application/json' -d '{"query":"{ __typename }"}' "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  die "$name did not answer at $url within $limit s (log: $log)"
}

# prepare_db SERVER_BIN: drop and recreate $BENCH_DB, let the server create
# its schema, fill it with bench/gen, let the server do its start-up work on
# the rows once, then compact, analyze and tune it. Sets first_start (s).
prepare_db() {
  local server_bin=$1 pid t0
  step "fresh database $BENCH_DB"
  psql -d postgres -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
  psql -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $BENCH_DB"

  step "schema: our server applies it at start"
  DATABASE_URL=$db_url "$server_bin" "${ours_flags[@]}" >"$work/schema-server.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_ready "our server" "http://127.0.0.1:$OURS_PORT/graphql" "$pid" "$work/schema-server.log"
  stop "$pid"

  step "data: bench/gen"
  gen_args=(--database-url "$db_url" --projects "$PROJECTS" --partners "$PARTNERS" --countries "$COUNTRIES" --policies "$POLICIES" --seed "$SEED")
  go run ./bench/gen "${gen_args[@]}"

  step "first start on the data, then VACUUM and CHECKPOINT"
  # The server does its own start-up work on the rows it finds (today: it fills
  # the search columns that COPY left empty, rewriting every row). Let it do
  # that once, then compact and analyze the tables, so that the measured run
  # sees tables as if the rows had been written through the API, and the
  # server's memory high-water mark covers the load alone.
  t0=$SECONDS
  DATABASE_URL=$db_url "$server_bin" "${ours_flags[@]}" >"$work/first-start.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_ready "our server" "http://127.0.0.1:$OURS_PORT/graphql" "$pid" "$work/first-start.log" 1800
  stop "$pid"
  first_start=$((SECONDS - t0))
  echo "first start took $first_start s" >&2
  tables="partners, projects, policies, project_participants, opening_policy_projects, opening_policy_partners"
  psql -d "$BENCH_DB" -v ON_ERROR_STOP=1 -qc "VACUUM (FULL, ANALYZE) $tables"
  # A plain VACUUM then sets the visibility map, as autovacuum keeps it on a
  # live database, and a checkpoint writes out the pages all this dirtied, so
  # that no target's run pays for flushing them.
  psql -d "$BENCH_DB" -v ON_ERROR_STOP=1 -qc "VACUUM $tables"
  psql -d "$BENCH_DB" -v ON_ERROR_STOP=1 -qc "CHECKPOINT"
  # The data sits in memory (as a production database's working set on SSD
  # does), so random page reads cost little more than sequential ones: tell the
  # planner, for every target alike. At the default of 4, PostgreSQL prefers
  # scanning a small table whole, once per parent, to looking rows up by index.
  psql -d postgres -v ON_ERROR_STOP=1 -qc "ALTER DATABASE $BENCH_DB SET random_page_cost = 1.1"
  # Parallel query: on two cores shared by 16 clients there is no idle core
  # for a worker, and starting workers costs more than it saves. With
  # PostgreSQL's default of 2 workers per query, computing projectStats ran at
  # less than half the rate (see docs/performance.md). For every target alike.
  psql -d postgres -v ON_ERROR_STOP=1 -qc "ALTER DATABASE $BENCH_DB SET max_parallel_workers_per_gather = 0"
}
