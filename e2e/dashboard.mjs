// A real browser on the dashboard (/dashboard): Debian's Chromium, driven by
// playwright-core, on the server's data (the demo seed in e2e/run.sh).
//
//   node e2e/dashboard.mjs [--url http://127.0.0.1:18090] [--name dashboard]
//                          [--geometry-country ISO3] [--headed]
//
// It checks that the page loads with no request to another host, no failed
// request, no script or console error and no CSP violation; that the map
// holds as many points as the API counts located projects for the filter;
// that changing a filter puts it in the URL and makes the charts' totals
// those that projectStats returns; that the URL reproduces the view; and,
// with an API key ($api_key, an EDITOR key), that a project created through
// the API appears in the feed and on the map within 2 seconds. With
// --geometry-country, it filters on that host country, zooms in with the
// keyboard and checks that the projects' stored geometries are drawn.
// Screenshots at 1280x800 and 390x844 go to e2e/out/NAME-*.png (NAME is
// --name, "dashboard" by default).
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { baseURL, outDir, assertLoopback, flag, option } from './lib.mjs';

const base = baseURL();
assertLoopback(base);
const origin = base.origin;
const dashboard = new URL('dashboard', base);
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const key = process.env.api_key ?? '';
const timeout = 30_000;
const name = option('--name') ?? 'dashboard';
const geometryCountry = option('--geometry-country');

const problems = [];
const requests = [];
const consoleErrors = [];
const fail = (msg) => problems.push(msg);

/** A GraphQL request to the server, outside the browser. */
async function gql(query, variables, withKey = false) {
  const res = await fetch(new URL('graphql', base), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(withKey && key ? { Authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body.data;
}

const located = (w) => ({ and: [w, { latitudeNotNil: true, longitudeNotNil: true }] });
async function locatedCount(w) {
  const d = await gql('query($w: ProjectWhereInput) { projects(where: $w, first: 0) { totalCount } }', { w: located(w) });
  return d.projects.totalCount;
}
async function statsTotal(w, includeAll) {
  const d = await gql('query($w: ProjectWhereInput, $all: Boolean) { projectStats(where: $w, includeAll: $all) { total { count sum } } }', { w, all: includeAll });
  return d.projectStats.total;
}

/** Waits until the page finished loading a view after `since`. */
async function loaded(page, since) {
  await page.waitForFunction((t) => Number(document.body.dataset.loaded ?? 0) > t, since, { timeout });
}

async function checkView(page, w, what, includeAll = false) {
  const want = await locatedCount(w);
  const shown = Number(await page.locator('#map').getAttribute('data-points'));
  if (shown !== want) fail(`${what}: the map shows ${shown} projects, the API counts ${want} located ones`);
  else console.log(`${what}: the map shows ${shown} projects, as the API counts`);
  const total = await statsTotal(w, includeAll);
  const summary = page.locator('#stats-total');
  const count = Number(await summary.getAttribute('data-count'));
  const sum = await summary.getAttribute('data-sum');
  if (count !== total.count || sum !== (total.sum ?? '')) fail(`${what}: the charts count ${count} projects, ${sum}; projectStats ${total.count}, ${total.sum}`);
  else console.log(`${what}: the charts' totals are projectStats' (${count} projects, ${sum})`);
}

const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
const profile = await mkdtemp(join(tmpdir(), 'bri-e2e-dashboard-'));
let context;
let step = 'launching Chromium';
try {
  context = await chromium.launchPersistentContext(profile, { executablePath, headless: !flag('--headed'), args, viewport: { width: 1280, height: 800 }, timeout });
  context.setDefaultTimeout(timeout);
  context.on('request', (req) => {
    const u = new URL(req.url());
    requests.push({ method: req.method(), url: req.url(), resourceType: req.resourceType() });
    if (u.protocol === 'data:' || u.protocol === 'blob:') return;
    if (u.origin !== origin) fail(`request to another origin: ${req.method()} ${req.url()}`);
  });
  context.on('requestfailed', (req) => {
    const err = req.failure()?.errorText ?? '';
    if (/ERR_ABORTED/.test(err)) return; // a superseded load, cancelled by the page
    fail(`request failed: ${req.method()} ${req.url()}: ${err}`);
  });
  context.on('response', (res) => {
    if (res.status() >= 400) fail(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => fail(`script error on the page: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    consoleErrors.push(msg.text());
    fail(`console error: ${msg.text()}`);
  });
  if (key) await page.addInitScript((k) => localStorage.setItem('bri-dashboard-api-key', k), key);

  step = `opening ${dashboard.href}`;
  let t0 = Date.now();
  const res = await page.goto(dashboard.href, { waitUntil: 'load' });
  if (!res || res.status() !== 200) throw new Error(`GET ${dashboard.href}: status ${res?.status()}`);
  const csp = res.headers()['content-security-policy'] ?? '';
  if (!csp.includes("default-src 'self'")) fail(`no Content-Security-Policy with default-src 'self' (got ${JSON.stringify(csp)})`);
  await loaded(page, t0);
  await page.locator('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas').first().waitFor();
  await checkView(page, { countsInAggregates: true }, 'the default view');
  // what the first load transferred: the page, its files, and the API's answers
  const transfer = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const sum = (list) => list.reduce((n, e) => n + (e.transferSize || 0), 0);
    return { page: nav?.transferSize ?? 0, files: sum(res.filter((e) => e.initiatorType !== 'fetch')), api: sum(res.filter((e) => e.initiatorType === 'fetch')) };
  });
  const assets = transfer.page + transfer.files;
  console.log(`first load: ${assets} bytes for the page and its files, ${transfer.api} for the API's answers (${assets + transfer.api} in all)`);
  if (assets >= 500_000) fail(`the page and its files transferred ${assets} bytes, not under 500 kB`);

  step = 'changing a filter';
  t0 = Date.now();
  await page.locator('#f-sector input[value="ENERGY"]').check();
  await loaded(page, t0);
  if (!new URL(page.url()).searchParams.get('sector')?.split(',').includes('ENERGY')) fail(`the URL does not hold the filter: ${page.url()}`);
  const energy = { and: [{ sectorIn: ['ENERGY'] }, { countsInAggregates: true }] };
  await checkView(page, energy, 'sector ENERGY');

  step = 'colouring by status';
  await page.locator('#f-color').selectOption('status');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('color') === 'status');
  if (!(await page.locator('#legend', { hasText: 'Under construction' }).count())) fail('coloured by status, the legend does not list the statuses');

  step = 'reloading the URL';
  const url = page.url();
  t0 = Date.now();
  await page.goto(url, { waitUntil: 'load' });
  await loaded(page, t0);
  if (!(await page.locator('#f-sector input[value="ENERGY"]').isChecked())) fail('after a reload, the sector filter is not set');
  if ((await page.locator('#f-color').inputValue()) !== 'status') fail('after a reload, the map is not coloured by status');
  await checkView(page, energy, 'the reloaded URL');

  await mkdir(outDir, { recursive: true });
  step = 'a project created through the API';
  if (!key) {
    console.log('no $api_key: the live feed is not checked');
  } else {
    await page.locator('#feed-status', { hasText: 'Live: connected' }).waitFor();
    await new Promise((r) => setTimeout(r, 300));
    const before = Number(await page.locator('#map').getAttribute('data-points'));
    const title = `Dashboard live check ${Date.now()}`;
    const created = Date.now();
    await gql(
      'mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }',
      { i: { title, sector: 'ENERGY', status: 'PIPELINE', greenCategory: 'RENEWABLE_ENERGY', latitude: 41.2, longitude: 69.3, locationPrecision: 'EXACT', commitmentYear: 2024, amountUsd: '1000000' } },
      true,
    );
    await page.locator('#feed li', { hasText: title }).waitFor({ timeout: 2000 }).catch(() => fail('the new project is not in the feed within 2 s'));
    await page
      .waitForFunction((n) => Number(document.getElementById('map').dataset.points) === n, before + 1, { timeout: Math.max(100, 2000 - (Date.now() - created)) })
      .catch(() => fail('the new project is not on the map within 2 s'));
    const want = await statsTotal({ and: [{ sectorIn: ['ENERGY'] }, { countsInAggregates: true }] }, false);
    await page
      .waitForFunction((n) => Number(document.getElementById('stats-total')?.dataset.count) === n, want.count, { timeout: Math.max(100, 2000 - (Date.now() - created)) })
      .catch(() => fail(`the charts do not count the new project within 2 s (want ${want.count})`));
    console.log(`live: the feed, the map and the charts showed ${JSON.stringify(title)} after ${Date.now() - created} ms`);
  }

  if (geometryCountry) {
    step = `the geometries of ${geometryCountry}'s projects`;
    const u = new URL(dashboard);
    u.searchParams.set('country', geometryCountry);
    u.searchParams.set('counted', 'all');
    t0 = Date.now();
    await page.goto(u.href, { waitUntil: 'load' });
    await loaded(page, t0);
    await checkView(page, { hasHostCountryWith: [{ countryCodeIn: [geometryCountry] }] }, `host country ${geometryCountry}, all projects`, true);
    await page.locator('#map').focus();
    let drawn = 0;
    for (let i = 0; i < 8 && !drawn; i++) {
      await page.keyboard.press('Equal'); // Leaflet's keyboard zoom
      await new Promise((r) => setTimeout(r, 700));
      drawn = Number((await page.locator('#map').getAttribute('data-geometries')) ?? 0);
    }
    if (!drawn) fail(`zoomed in on ${geometryCountry}, the map draws no stored geometry`);
    else console.log(`zoomed in on ${geometryCountry}: the map draws ${drawn} stored geometries`);
    await page.screenshot({ path: fileURLToPath(new URL(`${name}-geometry.png`, outDir)) });
  }

  step = 'the keyboard';
  // a project opened from the table with the keyboard: the panel takes the
  // focus, Escape closes it and gives the focus back
  await page.locator('.list-box summary').focus();
  await page.keyboard.press('Enter');
  const row = page.locator('#list button[data-project]').first();
  await row.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'panel-title', null, { timeout: 10_000 }).catch(() => fail('the project panel does not take the focus'));
  if (!new URL(page.url()).searchParams.get('project')) fail('the open project is not in the URL');
  await page.keyboard.press('Escape');
  if (!(await page.locator('#panel').isHidden())) fail('Escape does not close the project panel');
  if (!(await row.evaluate((el) => el === document.activeElement))) fail('closing the panel does not give the focus back to the row');
  console.log('keyboard: a project opened from the table, and closed with Escape');

  step = 'screenshots';
  await page.screenshot({ path: fileURLToPath(new URL(`${name}-1280x800.png`, outDir)) });
  await page.setViewportSize({ width: 390, height: 844 });
  t0 = Date.now();
  await page.reload({ waitUntil: 'load' }); // as a phone opens it: the filters folded
  await loaded(page, t0);
  await new Promise((r) => setTimeout(r, 500));
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 390) fail(`at 390 px the page scrolls sideways (${wide} px wide)`);
  await page.screenshot({ path: fileURLToPath(new URL(`${name}-390x844.png`, outDir)) });
  console.log(`screenshots: e2e/out/${name}-1280x800.png, e2e/out/${name}-390x844.png`);
} catch (err) {
  fail(`${step}: ${err.message.split('\n')[0]}`);
  const page = context?.pages()[0];
  if (page) {
    await mkdir(outDir, { recursive: true });
    await page.screenshot({ path: fileURLToPath(new URL(`${name}-failure.png`, outDir)) }).catch(() => {});
  }
} finally {
  await context?.close().catch(() => {});
  await rm(profile, { recursive: true, force: true });
}

await mkdir(outDir, { recursive: true });
await writeFile(new URL(`${name}-requests.json`, outDir), JSON.stringify({ origin, requests, consoleErrors, problems }, null, 2) + '\n');
const foreign = requests.filter((r) => !/^(data|blob):/.test(r.url) && new URL(r.url).origin !== origin);
console.log(`${requests.length} requests recorded (${foreign.length} to other origins); list in e2e/out/${name}-requests.json`);
if (problems.length) {
  console.error(`FAIL: dashboard test:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('dashboard test passed');
