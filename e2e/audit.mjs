// GraphQL-over-HTTP conformance audit of a running BRI Tracker server, with
// graphql-http's serverAudits (pinned in package.json).
//
//   node e2e/audit.mjs [--url http://127.0.0.1:18090] [--strict]
//
// The base URL comes from --url or BRI_URL (default http://127.0.0.1:18090);
// the audits target <base>/graphql. Every audit is printed with its id, name
// and status; a JSON report goes to e2e/out/audit.json and graphql-http's HTML
// rendering to e2e/out/audit.html. Exits 1 when a MUST audit fails (status
// "error"); with --strict (or AUDIT_STRICT=1) also when a SHOULD audit fails.
// Start the server with --rate-limit-ip 0 --rate-limit-key 0: the audits send
// many requests at once.
import { mkdir, writeFile } from 'node:fs/promises';
import { serverAudits, renderAuditResultsToHTML } from 'graphql-http';
import { baseURL, outDir, assertLoopback, flag } from './lib.mjs';

const base = baseURL();
assertLoopback(base);
const url = new URL('/graphql', base).href;
const strict = flag('--strict') || process.env.AUDIT_STRICT === '1';
const perAuditTimeoutMs = 15_000;

// Every request the audits make goes through here: loopback only, with a timeout.
async function fetchFn(input, init) {
  const target = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  assertLoopback(target);
  return fetch(input, { ...init, signal: AbortSignal.timeout(perAuditTimeoutMs) });
}

async function describeResponse(res) {
  if (!res) return undefined;
  let body;
  try {
    const text = await res.clone().text();
    try {
      body = JSON.parse(text);
    } catch {
      body = text.length > 2000 ? text.slice(0, 2000) + '…' : text;
    }
  } catch (err) {
    body = `<unreadable: ${err.message}>`;
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body,
  };
}

const audits = serverAudits({ url, fetchFn });
console.log(`graphql-http server audits against ${url}: ${audits.length} audits`);

const results = [];
const report = [];
for (const audit of audits) {
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    // The audit functions throw only on fatal problems (e.g. no connection).
    result = { id: audit.id, name: audit.name, status: 'error', reason: `audit threw: ${err?.message ?? err}` };
  }
  results.push(result);
  const level = audit.name.split(' ')[0]; // MUST, SHOULD or MAY
  const entry = {
    id: result.id,
    name: result.name,
    level,
    status: result.status,
    reason: result.reason,
    response: await describeResponse(result.response),
  };
  report.push(entry);
  const mark = { ok: 'ok   ', notice: 'note ', warn: 'WARN ', error: 'ERROR' }[result.status] ?? result.status;
  console.log(`${mark} ${result.id} ${result.name}${result.reason ? `\n        -> ${result.reason}` : ''}`);
}

const count = (pred) => report.filter(pred).length;
const summary = {
  url,
  total: report.length,
  ok: count((r) => r.status === 'ok'),
  notice: count((r) => r.status === 'notice'),
  warn: count((r) => r.status === 'warn'),
  error: count((r) => r.status === 'error'),
  failedMust: report.filter((r) => r.level === 'MUST' && r.status !== 'ok').map((r) => r.id),
  failedShould: report.filter((r) => r.level === 'SHOULD' && r.status !== 'ok').map((r) => r.id),
};

await mkdir(outDir, { recursive: true });
await writeFile(new URL('audit.json', outDir), JSON.stringify({ summary, results: report }, null, 2) + '\n');
try {
  // Responses' bodies were read through clones, so the originals still render.
  await writeFile(new URL('audit.html', outDir), await renderAuditResultsToHTML(results.filter((r) => r.response || r.status === 'ok')));
} catch (err) {
  console.warn(`could not render the HTML report: ${err.message}`);
}

console.log(
  `\naudit: ${summary.ok} ok, ${summary.notice} notices (MAY), ${summary.warn} warnings (SHOULD), ${summary.error} errors (MUST) of ${summary.total}; report in e2e/out/audit.json`,
);
if (summary.failedMust.length) {
  console.error(`FAIL: MUST audits failed: ${summary.failedMust.join(', ')}`);
  process.exit(1);
}
if (strict && summary.failedShould.length) {
  console.error(`FAIL (strict): SHOULD audits failed: ${summary.failedShould.join(', ')}`);
  process.exit(1);
}
console.log('audit passed: every MUST audit is ok');
