#!/usr/bin/env bash
# End-to-end checks of BRI Tracker over real HTTP, for CI and by hand:
#   bash e2e/run.sh
# 1. installs Debian's chromium when /usr/bin/chromium is missing (as root),
# 2. npm ci in e2e/ (pinned packages; nothing downloads a browser),
# 3. builds the server, starts it on a free port with a temporary SQLite
#    database (demo data seeded), waits for it, makes an EDITOR key,
# 4. runs: the graphql-http audit (fails on a MUST), the browser test of the
#    playground (a query, the explorer, a subscription showing a write made
#    through the API), the browser test of the dashboard (e2e/dashboard.mjs:
#    no request to another host, the map's count and the charts' totals as the
#    API gives them, the URL reproducing the view, a project created through
#    the API reaching feed and map within 2 s; again on AidData's samples with
#    their geodata, on a second server, with the geometries drawn when zoomed
#    in), and codegen + tsc of the typed
#    client, which then runs every example operation in examples/ against the
#    server, and a rebuild of the dashboard (bash web/dashboard/build.sh),
#    which must give the committed files,
# 5. stops the server and exits non-zero if any check failed.
# Reports, screenshots and generated code land in e2e/out/ (gitignored).
# Traffic goes to 127.0.0.1 only. Set E2E_KEEP=1 to keep the temporary
# directory (server log, database), E2E_SERVER_ARGS to add server flags.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CI="${CI:-true}"
export PATH="$PATH:/usr/local/go/bin"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
started=$(date +%s)

say() { printf '\n== e2e: %s\n' "$*"; }

say "tools"
for tool in node npm go; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is not installed" >&2; exit 1; }
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "e2e: Node.js 20 or later is needed, found $(node --version)" >&2
  exit 1
fi
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "installing Debian's chromium (no $CHROMIUM)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
echo "node $(node --version), $(go version | cut -d' ' -f3), $("$CHROMIUM" --version 2>/dev/null | head -1)"

say "npm ci"
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)

tmp=$(mktemp -d /tmp/bri-e2e.XXXXXX)
server_pid=""
cleanup() {
  local rc=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  if [ "${E2E_KEEP:-}" = 1 ]; then echo "e2e: kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "build and start the server"
go build -o "$tmp/bri-tracker" .
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
base="http://127.0.0.1:$port"
# Rate limits off: the audit sends its requests back to back.
# E2E_SERVER_ARGS adds server flags, for diagnosis by hand (CI sets none).
# shellcheck disable=SC2086
"$tmp/bri-tracker" --sqlite-path "$tmp/e2e.db" --port "$port" --rate-limit-ip 0 --rate-limit-key 0 ${E2E_SERVER_ARGS:-} >"$tmp/server.log" 2>&1 &
server_pid=$!
if ! node e2e/wait.mjs --url "$base" --timeout 90; then
  echo "--- server log"; cat "$tmp/server.log"; exit 1
fi
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "e2e: the server exited (another process on port $port?)"; cat "$tmp/server.log"; exit 1
fi
api_key=$("$tmp/bri-tracker" keys create --name e2e-client --role editor --sqlite-path "$tmp/e2e.db" | tail -1)

rm -rf e2e/out
mkdir -p e2e/out
passed=0
failed=0
failures=()
# check NAME COMMAND: runs COMMAND (a command line, may call the functions
# below) in its own bash with errexit, for at most 5 minutes.
check() {
  local name=$1 cmd=$2
  say "$name"
  local t0; t0=$(date +%s)
  if timeout 300 bash -euo pipefail -c "$cmd"; then
    passed=$((passed + 1))
    echo "e2e: $name passed ($(($(date +%s) - t0))s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "e2e: $name FAILED ($(($(date +%s) - t0))s)"
  fi
}

codegen() {
  cd "$root/e2e"
  node schema.mjs --url "$base"
  npx --no-install graphql-codegen --config codegen.ts
  npx --no-install tsc --noEmit -p tsconfig.json
  echo "tsc --noEmit: no type errors"
}
typed_client() {
  cd "$root/e2e"
  [ -f out/graphql.ts ] || { echo "no generated types (codegen failed)"; return 1; }
  npx --no-install tsc -p tsconfig.json --noEmit false
  BRI_URL="$base" BRI_API_KEY="$api_key" BRI_EXAMPLES="$root/examples" node out/js/client.js
}

# The dashboard on AidData's samples (internal/importer/testdata: two CSV
# extracts and their GeoGCDF footprints), imported into a second database and
# served by a second server on another free port, stopped when the check ends.
aiddata_dashboard() {
  cd "$root"
  local db="$tmp/aiddata.db" data=internal/importer/testdata
  "$tmp/bri-tracker" import aiddata --sqlite-path "$db" "$data/malaysia.csv"
  "$tmp/bri-tracker" import aiddata --sqlite-path "$db" "$data/latin_america_ports.csv"
  "$tmp/bri-tracker" import aiddata-geo --sqlite-path "$db" "$data/geo"
  local key2 port2 pid2
  key2=$("$tmp/bri-tracker" keys create --name e2e-aiddata --role editor --sqlite-path "$db" | tail -1)
  port2=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  "$tmp/bri-tracker" --sqlite-path "$db" --seed=false --port "$port2" --rate-limit-ip 0 --rate-limit-key 0 >"$tmp/aiddata-server.log" 2>&1 &
  pid2=$!
  # shellcheck disable=SC2064 # the pid is fixed now
  trap "kill $pid2 2>/dev/null || true" EXIT
  node e2e/wait.mjs --url "http://127.0.0.1:$port2" --timeout 60
  api_key="$key2" node e2e/dashboard.mjs --url "http://127.0.0.1:$port2" --name dashboard-aiddata --geometry-country BHS
}

# The dashboard's built files (internal/dashboard) are what its sources and
# lockfile give: rebuild them and compare.
dashboard_rebuild() {
  cd "$root"
  local built=(internal/dashboard/assets internal/dashboard/trusted-documents.json web/dashboard/src/generated web/dashboard/package-lock.json)
  bash web/dashboard/build.sh
  if [ -n "$(git status --porcelain -- "${built[@]}")" ]; then
    echo "a rebuild changes the dashboard's committed files (run bash web/dashboard/build.sh and commit):"
    git status --porcelain -- "${built[@]}"
    git diff --stat -- "${built[@]}"
    return 1
  fi
  echo "the rebuild gives the committed files"
}

export root base api_key
export tmp
export -f codegen typed_client dashboard_rebuild aiddata_dashboard
check "graphql-http audit" 'node e2e/audit.mjs --url "$base"'
check "browser test" 'node e2e/browser.mjs --url "$base"'
check "dashboard" 'node e2e/dashboard.mjs --url "$base"'
check "dashboard on AidData samples" aiddata_dashboard
check "codegen + tsc" codegen
check "typed client" typed_client
check "dashboard rebuild" dashboard_rebuild

if ! kill -0 "$server_pid" 2>/dev/null; then
  failed=$((failed + 1))
  failures+=("the server died during the checks")
fi
if [ "$failed" -gt 0 ]; then
  echo "--- server log (last 40 lines)"; tail -40 "$tmp/server.log"
  echo "e2e: failed: ${failures[*]}"
fi
echo "e2e took $(($(date +%s) - started))s; reports in e2e/out/"
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
