#!/usr/bin/env bash
# Rebuilds the dashboard from src/ and the pinned npm packages
# (package-lock.json) into internal/dashboard/assets/, which the server embeds
# with go:embed and serves at /dashboard. Run from anywhere:
#   bash web/dashboard/build.sh
# Steps: npm ci; graphql-codegen types the operations in src/operations/ from
# the repository's SDL (ent.graphqls + schema.graphqls); tsc checks the
# sources; esbuild bundles and minifies them; the build refuses any built file
# that would load from another host; it prints the first load's size,
# gzipped, and fails above 500 kB. The same sources and lockfile give the
# same files.
set -euo pipefail
cd "$(dirname "$0")"
out=../../internal/dashboard/assets
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
npm ci --no-audit --no-fund --loglevel=error
npx --no-install graphql-codegen --config codegen.ts --silent
npx --no-install tsc -p tsconfig.json
npx --no-install tsc -p tsconfig.test.json
# the dashboard's own logic (exact amounts and sums, the view in the URL),
# compiled for node's test runner outside the tree
tests=$(mktemp -d)
trap 'rm -rf "$tests"' EXIT
npx --no-install esbuild src/logic.test.ts --bundle --platform=node --format=esm --outfile="$tests/logic.test.mjs" --log-level=warning
node --test "$tests/logic.test.mjs"
rm -rf "$out"
mkdir -p "$out"
npx --no-install esbuild src/main.ts \
  --bundle --minify --format=iife --target=es2020 --charset=utf8 --legal-comments=none \
  --loader:.graphql=text --loader:.png=dataurl \
  --outfile="$out/app.js" --log-level=warning
# Leaflet's default attribution prefix links to leafletjs.com; the map turns
# that prefix off (and credits Leaflet in its own attribution), so the string
# is dead code: blank it, so that the built files name no other host.
sed -i 's#https://leafletjs.com##g' "$out/app.js"
cp src/index.html "$out/index.html"
# The trusted documents of the dashboard: every operation it sends, exactly
# as it sends it, keyed by its SHA-256, for servers run with --persisted-only
# (merge with other clients' manifests: jq -s add a.json b.json).
node -e '
  const fs = require("fs"), crypto = require("crypto");
  const docs = {};
  for (const f of fs.readdirSync("src/operations").filter((f) => f.endsWith(".graphql")).sort()) {
    const body = fs.readFileSync("src/operations/" + f, "utf8");
    docs[crypto.createHash("sha256").update(body).digest("hex")] = body;
  }
  const sorted = Object.fromEntries(Object.entries(docs).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(process.argv[1], JSON.stringify(sorted, null, 2) + "\n");
' ../../internal/dashboard/trusted-documents.json
# licences of what the bundle contains
cp node_modules/leaflet/LICENSE "$out/LICENSE.leaflet.txt"
cp node_modules/leaflet.markercluster/MIT-LICENCE.txt "$out/LICENSE.leaflet.markercluster.txt"
cp node_modules/topojson-client/LICENSE "$out/LICENSE.topojson-client.txt"
cp node_modules/world-atlas/LICENSE "$out/LICENSE.world-atlas.txt"
chmod 644 "$out"/*
# Refuse built files that would load from another host (the page's CSP
# would block them anyway): no absolute URL in a src, href, url(), @import
# or source map.
if grep -nE "(src|href)=[\"']?(https?:)?//|url\(['\"]?(https?:)?//|@import[^;]*(https?:)?//|sourceMappingURL=" "$out"/index.html "$out"/app.css; then
  echo "build.sh: a built file above refers to another host" >&2
  exit 1
fi
if grep -oE "https?://[A-Za-z0-9.-]+" "$out/app.js" | grep -vE "^http://www\.w3\.org$" | sort -u | grep .; then
  echo "build.sh: app.js names the hosts above; the dashboard must not refer to another host" >&2
  exit 1
fi
# The first load: the page, its script and its stylesheet, gzipped.
total=0
for f in index.html app.js app.css; do
  raw=$(wc -c <"$out/$f")
  gz=$(gzip -9 -c "$out/$f" | wc -c)
  total=$((total + gz))
  printf '  %-12s %8d bytes, %7d gzipped\n' "$f" "$raw" "$gz"
done
printf 'first load: %d bytes gzipped (%d kB; the limit is 500 kB)\n' "$total" $(((total + 999) / 1000))
if [ "$total" -gt 500000 ]; then
  echo "build.sh: the first load is over 500 kB gzipped" >&2
  exit 1
fi
