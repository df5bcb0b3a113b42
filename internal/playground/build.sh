#!/usr/bin/env bash
# Rebuilds assets/ from the pinned npm packages in package.json. The server
# embeds assets/ with go:embed, so the playground loads nothing from any
# other host. Run from anywhere: bash internal/playground/build.sh
set -euo pipefail
cd "$(dirname "$0")"
trap 'rm -rf node_modules' EXIT
npm install --no-audit --no-fund --no-package-lock --ignore-scripts
cp node_modules/graphiql/graphiql.min.js node_modules/graphiql/graphiql.min.css assets/
cp node_modules/graphiql/LICENSE assets/LICENSE.graphiql
cp node_modules/react/umd/react.production.min.js assets/
cp node_modules/react-dom/umd/react-dom.production.min.js assets/
cp node_modules/react/LICENSE assets/LICENSE.react
# The explorer plugin's browser (UMD) build: it defines the global
# GraphiQLPluginExplorer and uses the React, GraphiQL.React and GraphiQL.GraphQL
# globals that the scripts above define. It bundles OneGraph's graphiql-explorer
# (MIT); the plugin package ships no license file of its own (MIT, package.json).
# npm warns that graphiql-explorer's peer range stops at React 16: upstream's
# known mismatch, harmless here since the plugin bundles it and runs on 18.
cp node_modules/@graphiql/plugin-explorer/dist/index.umd.js assets/graphiql-plugin-explorer.umd.js
cp node_modules/@graphiql/plugin-explorer/dist/style.css assets/graphiql-plugin-explorer.css
explorer_license=$(find node_modules -path '*/graphiql-explorer/LICENSE' | head -1)
cp "$explorer_license" assets/LICENSE.graphiql-explorer
# Refuse assets that would load from another host (the page's CSP would block
# them anyway): no remote @import, url() or sourceMappingURL.
if grep -lE "@import[^;]*https?://|url\(['\"]?https?://|sourceMappingURL=https?://" assets/*.css assets/*.js; then
  echo "build.sh: an asset above refers to another host" >&2
  exit 1
fi
echo "assets rebuilt:"; ls -l assets
