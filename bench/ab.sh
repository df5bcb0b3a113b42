#!/usr/bin/env bash
# Measures two builds of our server side by side on one benchmark database:
# BASE, a git revision (default HEAD), and the working tree. For each shape
# it alternates the two (base, new, base, new, ...: ROUNDS each), so that
# whatever else the machine does falls on both alike, and prints every run
# and each build's median. Run from anywhere as `bash bench/ab.sh [BASE]`;
# see bench/README.md. Set KEEP_DB=1 to reuse a $BENCH_DB filled before.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

BASE=${1:-HEAD}
BASE_PORT=${BASE_PORT:-18082}
ROUNDS=${ROUNDS:-3}
KEEP_DB=${KEEP_DB:-0}

db_url="postgres://$PGUSER@$PGHOST:$PGPORT/$BENCH_DB?sslmode=disable"
work=$(mktemp -d "${TMPDIR:-/tmp}/bri-ab.XXXXXX")
load_bin="$work/bri-bench-load"
ours_flags=(--env production --seed=false --port "$OURS_PORT" --rate-limit-ip 0 --rate-limit-key 0 --max-complexity 1000000)

for port in "$OURS_PORT" "$BASE_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    die "something already listens on port $port"
  fi
done

base_rev=$(git rev-parse --short "$BASE")
step "build the base ($base_rev), the working tree and bench/load"
git worktree add --quiet --detach "$work/base" "$BASE"
(cd "$work/base" && go build -o "$work/base-server" .)
git worktree remove --force "$work/base"
go build -o "$work/new-server" .
go build -o "$load_bin" ./bench/load

if [ "$KEEP_DB" = 1 ] && psql -d "$BENCH_DB" -Atc 'select count(*) from projects' >/dev/null 2>&1; then
  step "reusing $BENCH_DB"
else
  prepare_db "$work/new-server"
fi

step "start both builds"
# The base first, so that the working tree's migrations (if any) run last.
DATABASE_URL=$db_url "$work/base-server" "${ours_flags[@]}" --port "$BASE_PORT" >"$work/base.log" 2>&1 &
base_pid=$!
pids+=("$base_pid")
wait_ready "the base build" "http://127.0.0.1:$BASE_PORT/graphql" "$base_pid" "$work/base.log"
DATABASE_URL=$db_url "$work/new-server" "${ours_flags[@]}" >"$work/new.log" 2>&1 &
new_pid=$!
pids+=("$new_pid")
wait_ready "the working tree's build" "http://127.0.0.1:$OURS_PORT/graphql" "$new_pid" "$work/new.log"

# run BUILD PORT PID SHAPE: one measured run of one shape; prints its rate.
run() {
  "$load_bin" --targets ours --ours "http://127.0.0.1:$2/graphql" --ours-pid "$3" \
    --database-url "$db_url" --shapes "$4" --concurrency "$CONCURRENCY" \
    --warmup "$WARMUP" --duration "$DURATION" --wait-quiet 30s 2>&1 |
    tee -a "$work/load.log" | awk -v b="$1" -v s="$4" '/ req\/s / { for (i = 1; i < NF; i++) if ($(i+1) == "req/s") print s, b, $i }'
}

step "load: $ROUNDS alternating runs of each build per shape"
results="$work/results.txt"
IFS=, read -ra shapes <<<"$SHAPES"
for shape in "${shapes[@]}"; do
  for _ in $(seq 1 "$ROUNDS"); do
    run base "$BASE_PORT" "$base_pid" "$shape" | tee -a "$results"
    run new "$OURS_PORT" "$new_pid" "$shape" | tee -a "$results"
  done
done

[ -s "$results" ] || die "no rate in bench/load's output (see $work/load.log)"

# median BUILD SHAPE: the median rate of a build's runs of a shape.
median() {
  awk -v s="$2" -v b="$1" '$1 == s && $2 == b { print $3 }' "$results" | sort -n |
    awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

step "medians (req/s): base $base_rev, new = working tree"
printf '%-10s %10s %10s %8s\n' shape base new new/base
for shape in "${shapes[@]}"; do
  b=$(median base "$shape")
  n=$(median new "$shape")
  printf '%-10s %10.1f %10.1f %7.2fx\n' "$shape" "$b" "$n" "$(echo "$n / $b" | bc -l)"
done
