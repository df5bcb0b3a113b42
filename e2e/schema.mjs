// Fetches the running server's schema for codegen and writes it to
// e2e/out/schema.graphql.
//
//   node e2e/schema.mjs [--url http://127.0.0.1:18090]
//
// It takes the SDL from GET <base>/schema.graphql. When the server does not
// serve it (404), it falls back to the standard introspection query against
// POST <base>/graphql and says so. When both answer, the SDL must describe the
// same types, fields and arguments as introspection: a difference fails.
import { mkdir, writeFile } from 'node:fs/promises';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  isIntrospectionType,
  isSpecifiedScalarType,
  lexicographicSortSchema,
  printSchema,
  printType,
} from 'graphql';
import { baseURL, outDir, assertLoopback } from './lib.mjs';

const base = baseURL();
assertLoopback(base);
const sdlURL = new URL('schema.graphql', base).href;
const graphqlURL = new URL('graphql', base).href;

function die(msg) {
  console.error(`FAIL: schema: ${msg}`);
  process.exit(1);
}

async function fetchSDL() {
  const res = await fetch(sdlURL, { signal: AbortSignal.timeout(15_000) });
  if (res.status === 404) return undefined;
  const text = await res.text();
  if (res.status !== 200) die(`GET ${sdlURL}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  const type = res.headers.get('content-type') ?? '';
  if (!/^(text\/plain|application\/graphql|text\/graphql)/.test(type)) {
    console.warn(`note: GET ${sdlURL} answers Content-Type ${JSON.stringify(type)}; text/plain or application/graphql was expected`);
  }
  try {
    return { text, schema: buildSchema(text) };
  } catch (err) {
    die(`GET ${sdlURL} is not a valid schema: ${err.message}`);
  }
}

async function introspect() {
  const res = await fetch(graphqlURL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, directiveIsRepeatable: true, inputValueDeprecation: true }), operationName: 'IntrospectionQuery' }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    die(`introspection: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (res.status !== 200 || body.errors?.length || !body.data) {
    die(`introspection (the standard query of graphql-js, as GraphiQL and codegen send it) failed: HTTP ${res.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  }
  return buildClientSchema(body.data);
}

// Named types as printed, without the built-in ones.
function typeMap(schema) {
  const out = new Map();
  for (const t of Object.values(lexicographicSortSchema(schema).getTypeMap())) {
    if (isIntrospectionType(t) || isSpecifiedScalarType(t)) continue;
    out.set(t.name, printType(t));
  }
  return out;
}

const sdl = await fetchSDL();
const introspected = await introspect();
let schema;
if (sdl) {
  console.log(`schema: from GET ${sdlURL} (${sdl.text.length} bytes)`);
  const a = typeMap(sdl.schema);
  const b = typeMap(introspected);
  const diffs = [];
  for (const [name, printed] of a) {
    if (!b.has(name)) diffs.push(`type ${name} is in the SDL but not in introspection`);
    else if (b.get(name) !== printed) diffs.push(`type ${name} differs:\n--- SDL\n${printed}\n--- introspection\n${b.get(name)}`);
  }
  for (const name of b.keys()) if (!a.has(name)) diffs.push(`type ${name} is in introspection but not in the SDL`);
  const dirs = (s) => s.getDirectives().map((d) => d.name).sort().join(', ');
  if (dirs(sdl.schema) !== dirs(introspected)) {
    console.warn(`note: directives differ: SDL has [${dirs(sdl.schema)}], introspection [${dirs(introspected)}]`);
  }
  if (diffs.length) die(`GET /schema.graphql does not match introspection:\n${diffs.slice(0, 10).join('\n')}${diffs.length > 10 ? `\n… and ${diffs.length - 10} more` : ''}`);
  console.log(`schema: the SDL matches introspection (${a.size} types)`);
  schema = sdl.text;
} else {
  console.log(`schema: GET ${sdlURL} answers 404: FALLING BACK to introspection at ${graphqlURL}`);
  schema = printSchema(introspected);
}

await mkdir(outDir, { recursive: true });
await writeFile(new URL('schema.graphql', outDir), schema);
console.log('schema: written to e2e/out/schema.graphql');
