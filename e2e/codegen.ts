// graphql-codegen config: TypeScript types for the example operations in
// ../examples, from the schema that schema.mjs fetched from the running server
// (GET /schema.graphql, or introspection) into out/schema.graphql.
// Run: npm run codegen (after the server is up), or bash e2e/run.sh.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'out/schema.graphql',
  documents: ['../examples/*.graphql'],
  emitLegacyCommonJSImports: false,
  generates: {
    'out/graphql.ts': {
      plugins: ['typescript', 'typescript-operations'],
      config: {
        // Every custom scalar must be mapped: an unknown one fails the run.
        strictScalars: true,
        scalars: {
          Cursor: 'string',
          Date: 'string', // YYYY-MM-DD
          Time: 'string', // RFC 3339
          Decimal: 'string', // exact decimal, sent as a JSON string
          JSON: 'unknown',
          Upload: 'unknown',
        },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true },
        nonOptionalTypename: true,
        skipTypeNameForRoot: true,
      },
    },
  },
  hooks: {},
};

export default config;
