#!/usr/bin/env bash
# Rebuilds assets/ from the pinned npm packages in package.json. The server
# embeds assets/ with go:embed, so the playground loads nothing from any
# other host. Run from anywhere: bash internal/playground/build.sh
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --no-package-lock --ignore-scripts
cp node_modules/graphiql/graphiql.min.js node_modules/graphiql/graphiql.min.css assets/
cp node_modules/graphiql/LICENSE assets/LICENSE.graphiql
cp node_modules/react/umd/react.production.min.js assets/
cp node_modules/react-dom/umd/react-dom.production.min.js assets/
cp node_modules/react/LICENSE assets/LICENSE.react
rm -rf node_modules
echo "assets rebuilt:"; ls -l assets
