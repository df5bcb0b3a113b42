// Waits until the server answers: GET /readyz says 200, or (while the server
// has no /readyz) POST /graphql answers { __typename }.
//
//   node e2e/wait.mjs [--url http://127.0.0.1:18090] [--timeout 60]
import { setTimeout as sleep } from 'node:timers/promises';
import { baseURL, assertLoopback, option } from './lib.mjs';

const base = baseURL();
assertLoopback(base);
const deadline = Date.now() + Number(option('--timeout') ?? 60) * 1000;

async function ready() {
  try {
    const r = await fetch(new URL('readyz', base), { signal: AbortSignal.timeout(2000) });
    await r.arrayBuffer();
    if (r.status === 200) return 'GET /readyz: 200';
    if (r.status !== 404) return false; // there, but not ready yet
  } catch {
    return false; // not listening yet
  }
  try {
    const r = await fetch(new URL('graphql', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(2000),
    });
    const body = await r.json().catch(() => ({}));
    if (r.status === 200 && body?.data?.__typename === 'Query') return 'POST /graphql { __typename }: Query (no /readyz)';
  } catch {
    // not yet
  }
  return false;
}

for (;;) {
  const how = await ready();
  if (how) {
    console.log(`server ready at ${base.href} (${how})`);
    break;
  }
  if (Date.now() > deadline) {
    console.error(`FAIL: the server at ${base.href} did not answer in time`);
    process.exit(1);
  }
  await sleep(250);
}
