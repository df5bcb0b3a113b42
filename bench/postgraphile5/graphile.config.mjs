// PostGraphile 5 for bench/run.sh: the "amber" preset, the pg adaptor and
// the connection-filter plugin on the schema public, set up as close as v5
// allows to how run.sh starts PostGraphile v4 (bench/postgraphile): no
// mutations, no GraphiQL, no watch mode, no subscriptions, no explain, a
// pool of 20 connections, a 100 kB body limit. Started by run.sh with the
// Node 22 of node_modules (PostGraphile 5 needs Node 22 or later):
//
//   DATABASE_URL=postgres://... PORT=15001 NODE_ENV=production GRAPHILE_ENV=production \
//     node_modules/.bin/node node_modules/postgraphile/dist/cli-run.js
//
// Environment: DATABASE_URL (the database), PORT (default 15001), HOST
// (default 127.0.0.1), MAX_POOL_SIZE (default 20).
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

const connectionString = process.env.DATABASE_URL;
if (!connectionString) {
  throw new Error("graphile.config.mjs: set DATABASE_URL to the database to serve");
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  disablePlugins: [
    // v4's --disable-default-mutations.
    "PgMutationCreatePlugin",
    "PgMutationUpdateDeletePlugin",
    // v4 ignores indexes by default (its --no-ignore-indexes is not given):
    // relations, orderings and conditions are there whether or not an index
    // backs them. v5's amber hides the backward relations without one (as
    // opening_policy_projects by project_id), so this is turned off too.
    "PgIndexBehaviorsPlugin",
    // v4 ignores RBAC by default (no --no-ignore-rbac either).
    "PgRBACPlugin",
  ],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["public"],
      // v4's --max-pool-size 20.
      poolConfig: { max: Number(process.env.MAX_POOL_SIZE || 20) },
      // No LISTEN/NOTIFY client: no subscriptions, no watch mode.
      pubsub: false,
    }),
  ],
  schema: {
    // v4's --no-setof-functions-contain-nulls.
    pgForbidSetofFunctionsToReturnNull: true,
    // v4's --dynamic-json.
    jsonScalarAsString: false,
  },
  grafast: {
    // v4 without --allow-explain.
    explain: false,
  },
  grafserv: {
    host: process.env.HOST || "127.0.0.1",
    port: Number(process.env.PORT || 15001),
    graphqlPath: "/graphql",
    // v4's --disable-graphiql (GraphiQL would load nothing from a CDN
    // either way: v5 serves its own, and it is off).
    graphiql: false,
    graphiqlOnGraphQLGET: false,
    graphqlOverGET: false,
    watch: false,
    websockets: false,
    // v4's default body size limit, 100 kB.
    maxRequestLength: 100 * 1024,
  },
};

export default preset;
