// graphql-codegen config: TypeScript types of the dashboard's operations
// (src/operations/*.graphql), from the repository's SDL, the same schema the
// server serves at /schema.graphql. build.sh runs it; the output,
// src/generated/graphql.ts, is committed so that the sources read on their own.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: ['../../ent.graphqls', '../../schema.graphqls'],
  documents: ['src/operations/*.graphql'],
  emitLegacyCommonJSImports: false,
  generates: {
    'src/generated/graphql.ts': {
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
        skipTypeNameForRoot: true,
        onlyOperationTypes: true,
      },
    },
  },
};

export default config;
