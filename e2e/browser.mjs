// A real browser on the GraphiQL playground: Debian's Chromium, driven by
// playwright-core (pinned in package.json; it downloads no browser).
//
//   node e2e/browser.mjs [--url http://127.0.0.1:18090] [--headed]
//
// It opens the playground, waits for GraphiQL, runs the first saved example
// with the execute button, waits for a JSON answer with "data" in the result
// pane, checks the explorer plugin's button in the sidebar (and that the
// explorer opens with the schema's root fields), and takes screenshots to
// e2e/out/playground.png and e2e/out/playground-explorer.png. Every network
// request the page makes is recorded to e2e/out/browser-requests.json; the
// test fails if one goes to another origin than the server's, if one fails,
// on a script error or a Content-Security-Policy violation.
// CHROMIUM (default /usr/bin/chromium) names the browser binary.
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { baseURL, outDir, assertLoopback, flag } from './lib.mjs';

const base = baseURL();
assertLoopback(base);
const origin = base.origin;
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const timeout = 30_000;

const problems = [];
const requests = [];
const consoleErrors = [];
const fail = (msg) => problems.push(msg);

// Playwright adds --headless (and its own profile handling); these are the
// flags that keep Chromium from calling home.
const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const profile = await mkdtemp(join(tmpdir(), 'bri-e2e-chromium-'));
let context;
let step = 'launching Chromium';
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: !flag('--headed'),
    args,
    viewport: { width: 1400, height: 900 },
    timeout,
  });
  context.setDefaultTimeout(timeout);

  // Every request of every page, frame and worker of the context.
  context.on('request', (req) => {
    const u = new URL(req.url());
    const entry = { method: req.method(), url: req.url(), resourceType: req.resourceType() };
    requests.push(entry);
    if (u.protocol === 'data:' || u.protocol === 'blob:') return; // not network
    if (u.origin !== origin) fail(`request to another origin: ${req.method()} ${req.url()}`);
  });
  context.on('requestfailed', (req) => {
    fail(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  context.on('response', (res) => {
    if (res.status() >= 400) {
      const body = res.request().postData();
      res
        .text()
        .catch(() => '')
        .then((answer) => {
          const detail = `${body ? `\n    request body: ${body.slice(0, 300)}` : ''}${answer ? `\n    answer: ${answer.slice(0, 500)}` : ''}`;
          fail(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}${detail}`);
        });
    }
  });

  const page = context.pages()[0] ?? (await context.newPage());
  page.on('websocket', (ws) => {
    requests.push({ method: 'WEBSOCKET', url: ws.url(), resourceType: 'websocket' });
    if (new URL(ws.url()).host !== base.host) fail(`websocket to another host: ${ws.url()}`);
  });
  page.on('pageerror', (err) => fail(`script error on the page: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    consoleErrors.push(msg.text());
    if (/Content Security Policy|Refused to/i.test(msg.text())) fail(`CSP violation: ${msg.text()}`);
  });

  step = `opening ${base.href}`;
  const res = await page.goto(base.href, { waitUntil: 'load' });
  if (!res || res.status() !== 200) throw new Error(`GET ${base.href}: status ${res?.status()}`);
  const csp = res.headers()['content-security-policy'] ?? '';
  if (!csp.includes("default-src 'self'")) fail(`the page has no Content-Security-Policy with default-src 'self' (got ${JSON.stringify(csp)})`);

  step = 'waiting for GraphiQL to render';
  await page.locator('.graphiql-container').waitFor();
  await page.locator('.graphiql-query-editor .CodeMirror').first().waitFor();
  const executeButton = page.locator('button.graphiql-execute-button');
  await executeButton.waitFor();
  // The schema is introspected on load; wait until the docs know it.
  const query = await page.evaluate(() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue());
  if (!/query CountryProjects/.test(query)) fail(`the first tab does not hold the first saved example (got ${JSON.stringify(query.slice(0, 120))})`);

  step = 'running the first saved example';
  const answer = page.waitForResponse((r) => r.url().startsWith(new URL('graphql', base).href) && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('CountryProjects'));
  await executeButton.click();
  const graphqlResponse = await answer;
  if (graphqlResponse.status() !== 200) fail(`the example's request got HTTP ${graphqlResponse.status()}`);

  step = 'waiting for the result pane to show data';
  const resultHandle = await page.waitForFunction(
    () => {
      const cm = document.querySelector('.result-window .CodeMirror')?.CodeMirror;
      const text = cm?.getValue() ?? '';
      return text.includes('"data"') && text.includes('"partners"') ? text : false;
    },
    null,
    { timeout },
  );
  const resultText = await resultHandle.jsonValue();
  let result;
  try {
    result = JSON.parse(resultText);
  } catch (err) {
    fail(`the result pane does not hold JSON: ${err.message}`);
  }
  if (result) {
    if (result.errors?.length) fail(`the example answered with errors: ${JSON.stringify(result.errors).slice(0, 500)}`);
    const edges = result.data?.partners?.edges ?? [];
    if (!edges.length) fail('the example answered no partners');
    else console.log(`example ran: ${result.data.partners.totalCount} partners in all, first ${JSON.stringify(edges[0].node.name)}`);
  }

  await mkdir(outDir, { recursive: true });
  const shot = fileURLToPath(new URL('playground.png', outDir));
  await page.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);

  step = 'checking the explorer plugin';
  const explorerButton = page.locator('.graphiql-sidebar button[aria-label="Show GraphiQL Explorer"]');
  if ((await explorerButton.count()) !== 1) {
    fail('no "GraphiQL Explorer" button in the sidebar: the explorer plugin is not loaded');
  } else {
    await explorerButton.click();
    // The explorer lists the root fields of the schema GraphiQL introspected
    // on load; without a schema it stays empty.
    const explorer = page.locator('.graphiql-plugin .graphiql-explorer-root');
    try {
      await explorer.getByText('partners', { exact: true }).first().waitFor({ timeout: 10_000 });
    } catch {
      throw new Error('the explorer opened but shows no "partners" field: GraphiQL has no schema (did introspection fail? see above)');
    }
    const explorerShot = fileURLToPath(new URL('playground-explorer.png', outDir));
    await page.screenshot({ path: explorerShot });
    console.log(`explorer opened; screenshot: ${explorerShot}`);
  }

  step = 'running a subscription in the playground';
  const key = process.env.api_key;
  if (!key) throw new Error('no API key in $api_key (e2e/run.sh exports it)');
  await page.evaluate(
    (q) => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(q),
    'subscription Live {\n  auditEvents { cursor node { operation entityType changes { field new } } }\n}\n',
  );
  await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.graphiql-editor-tool .graphiql-editor')].some((e) => !e.classList.contains('hidden') && e.querySelector('.CodeMirror')),
  );
  await page.evaluate((h) => {
    const editor = [...document.querySelectorAll('.graphiql-editor-tool .graphiql-editor')].find((e) => !e.classList.contains('hidden') && e.querySelector('.CodeMirror'));
    editor.querySelector('.CodeMirror').CodeMirror.setValue(h);
  }, JSON.stringify({ Authorization: `Bearer ${key}` }));
  const opened = page.waitForResponse((r) => r.request().method() === 'POST' && (r.request().headers().accept ?? '').includes('text/event-stream'));
  await executeButton.click();
  const stream = await opened;
  if (!(stream.headers()['content-type'] ?? '').startsWith('text/event-stream')) fail(`the subscription's response is ${stream.headers()['content-type']}, not an event stream`);
  await new Promise((r) => setTimeout(r, 300));
  const partnerName = `Playground subscriber ${Date.now()}`;
  const wrote = await fetch(new URL('graphql', base), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: 'mutation($n: String!) { createPartner(input: {name: $n, kind: ENTERPRISE}) { id } }', variables: { n: partnerName } }),
  });
  if (!wrote.ok) throw new Error(`createPartner through the API: HTTP ${wrote.status}`);
  step = 'waiting for the event in the result pane';
  await page.waitForFunction(
    (n) => (document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue() ?? '').includes(n),
    partnerName,
    { timeout },
  );
  console.log(`subscription ran: the playground showed the event of ${JSON.stringify(partnerName)}`);
  const subShot = fileURLToPath(new URL('playground-subscription.png', outDir));
  await page.screenshot({ path: subShot });
  console.log(`screenshot: ${subShot}`);
  await executeButton.click(); // stop
} catch (err) {
  fail(`${step}: ${err.message.split('\n')[0]}`);
  const page = context?.pages()[0];
  if (page) {
    const shot = fileURLToPath(new URL('failure.png', outDir));
    await mkdir(outDir, { recursive: true });
    await page.screenshot({ path: shot }).then(
      () => console.error(`screenshot of the failure: ${shot}`),
      () => {},
    );
  }
} finally {
  await context?.close().catch(() => {});
  await rm(profile, { recursive: true, force: true });
}

await mkdir(outDir, { recursive: true });
await writeFile(new URL('browser-requests.json', outDir), JSON.stringify({ origin, requests, consoleErrors, problems }, null, 2) + '\n');
const foreign = requests.filter((r) => !/^(data|blob):/.test(r.url) && new URL(r.url).origin !== origin);
console.log(`${requests.length} requests recorded (${foreign.length} to other origins); list in e2e/out/browser-requests.json`);
for (const r of requests) console.log(`  ${r.method} ${r.url.length > 120 ? r.url.slice(0, 120) + '…' : r.url} (${r.resourceType})`);
if (consoleErrors.length) console.log(`console errors:\n  ${consoleErrors.join('\n  ')}`);
if (problems.length) {
  console.error(`FAIL: browser test:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('browser test passed');
