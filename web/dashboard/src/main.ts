// The dashboard: reads the view from the URL, loads the map, the charts and
// the policies for it, and keeps them current with the live feed.
import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import 'leaflet.markercluster/dist/MarkerCluster.Default.css';
import './style.css';
import { apiKey, request, setApiKey } from './api';
import { renderCharts, swatch } from './charts';
import { colorsFor } from './colors';
import { startFeed, type AuditEvent } from './feed';
import {
  flowClasses,
  greenCategories,
  includeAll,
  located,
  readView,
  regions,
  sectors,
  statuses,
  where,
  writeView,
  type View,
} from './filters';
import { count, esc, label, projects, usd } from './format';
import type {
  DashboardStatsQuery,
  DashboardStatsQueryVariables,
  FilterOptionsQuery,
  FilterOptionsQueryVariables,
  GeometriesQuery,
  GeometriesQueryVariables,
  MapPointFragment,
  MapProjectsQuery,
  MapProjectsQueryVariables,
  PoliciesQuery,
  PoliciesQueryVariables,
  ProjectCountQuery,
  ProjectCountQueryVariables,
  ProjectWhereInput,
} from './generated/graphql';
import { approximate, createMap, geometryZoom } from './map';
import DashboardStats from './operations/DashboardStats.graphql';
import FilterOptions from './operations/FilterOptions.graphql';
import Geometries from './operations/Geometries.graphql';
import MapProjects from './operations/MapProjects.graphql';
import Policies from './operations/Policies.graphql';
import ProjectCount from './operations/ProjectCount.graphql';
import { showProject } from './panel';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let view: View = readView(location.search);
let loading: AbortController | null = null;
let points: MapPointFragment[] = [];

const statusLine = $('status');
const say = (text: string) => (statusLine.textContent = text);

const projectMap = createMap($('map'), (id) => openProject(id));

// --- the filter form ---------------------------------------------------------

function checkboxes(container: HTMLElement, name: string, values: readonly string[]) {
  container.innerHTML = values
    .map((v) => `<label><input type="checkbox" name="${name}" value="${esc(v)}"> ${esc(label(v))}</label>`)
    .join('');
}

checkboxes($('f-sector'), 'sector', sectors);
checkboxes($('f-status'), 'status', statuses);
checkboxes($('f-green'), 'green', greenCategories);
checkboxes($('f-flow'), 'flow', flowClasses);
checkboxes($('f-region'), 'region', regions);

const form = $<HTMLFormElement>('filters');

function checked(name: string): string[] {
  return [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((i) => i.value);
}

function selected(id: string): string[] {
  return [...$<HTMLSelectElement>(id).selectedOptions].map((o) => o.value).filter(Boolean);
}

/** Puts the view into the form. */
function fillForm(v: View) {
  const tick = (name: string, values: string[]) =>
    form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]`).forEach((i) => (i.checked = values.includes(i.value)));
  tick('sector', v.sector);
  tick('status', v.status);
  tick('green', v.green);
  tick('flow', v.flow);
  tick('region', v.region);
  for (const o of $<HTMLSelectElement>('f-country').options) o.selected = v.country.includes(o.value);
  const partner = $<HTMLSelectElement>('f-partner');
  if (v.partner && ![...partner.options].some((o) => o.value === v.partner)) {
    partner.add(new Option(partnerNames.get(v.partner) ?? 'The chosen partner', v.partner));
  }
  partner.value = v.partner;
  $<HTMLInputElement>('f-from').value = v.from == null ? '' : String(v.from);
  $<HTMLInputElement>('f-to').value = v.to == null ? '' : String(v.to);
  $<HTMLInputElement>('f-counted').checked = v.counted;
  $<HTMLSelectElement>('f-color').value = v.colorBy;
  const policy = $('f-policy');
  policy.hidden = !v.policy;
  policy.querySelector('span')!.textContent = v.policy ? `Supported by policy ${policyTitles.get(v.policy) ?? v.policy}` : '';
}

/** Reads the view from the form. */
function readForm(): View {
  const year = (id: string) => {
    const n = Number($<HTMLInputElement>(id).value);
    return $<HTMLInputElement>(id).value && Number.isInteger(n) && n >= 1900 && n <= 2100 ? n : null;
  };
  return readView(
    writeView({
      ...view,
      sector: checked('sector') as View['sector'],
      status: checked('status') as View['status'],
      green: checked('green') as View['green'],
      flow: checked('flow') as View['flow'],
      region: checked('region') as View['region'],
      country: selected('f-country'),
      partner: $<HTMLSelectElement>('f-partner').value,
      from: year('f-from'),
      to: year('f-to'),
      counted: $<HTMLInputElement>('f-counted').checked,
      colorBy: $<HTMLSelectElement>('f-color').value as View['colorBy'],
    }),
  );
}

/** Moves to a new view: the URL first, then the data. */
function go(next: View, push = true) {
  const filtersChanged = JSON.stringify(where(next)) !== JSON.stringify(where(view));
  const colorChanged = next.colorBy !== view.colorBy;
  view = next;
  const url = `${location.pathname}${writeView(view)}`;
  if (push && url !== `${location.pathname}${location.search}`) history.pushState(null, '', url);
  fillForm(view);
  if (colorChanged) {
    projectMap.setColorBy(view.colorBy);
    renderLegend();
    if (!filtersChanged) void loadGeometries(); // drawn in the new colours
  }
  if (filtersChanged) void loadAll();
}

form.addEventListener('change', () => go(readForm()));
form.addEventListener('submit', (e) => {
  e.preventDefault();
  go(readForm());
});
$('f-reset').addEventListener('click', () => go(readView('')));
$('f-policy-clear').addEventListener('click', () => go({ ...view, policy: '' }));
window.addEventListener('popstate', () => {
  const next = readView(location.search);
  go(next, false);
  if (next.project) void showProject($('panel'), next.project);
  else $('panel').hidden = true;
});

// --- loading -------------------------------------------------------------------

const policyTitles = new Map<string, string>();
/** Partners named in the project panel, for the partner filter's label. */
const partnerNames = new Map<string, string>();

async function loadOptions() {
  const o = await request<FilterOptionsQuery, FilterOptionsQueryVariables>(FilterOptions, {});
  const countries = o.countries.groups
    .map((g) => g.key.hostCountry)
    .filter((c) => c?.countryCode)
    .sort((a, b) => a!.name.localeCompare(b!.name));
  $('f-country').innerHTML = countries.map((c) => `<option value="${esc(c!.countryCode)}">${esc(c!.name)}</option>`).join('');
  const partners = o.participants.groups
    .map((g) => g.key.participant)
    .filter((p) => !!p)
    .sort((a, b) => a!.name.localeCompare(b!.name));
  $('f-partner').innerHTML = `<option value="">Any partner</option>${partners.map((p) => `<option value="${esc(p!.id)}">${esc(p!.name)}</option>`).join('')}`;
  fillForm(view);
}

async function loadStats(signal: AbortSignal) {
  const s = await request<DashboardStatsQuery, DashboardStatsQueryVariables>(DashboardStats, { where: where(view), includeAll: includeAll(view) }, signal);
  $('charts').innerHTML = renderCharts(s);
}

async function loadCounts(signal: AbortSignal) {
  const c = await request<ProjectCountQuery, ProjectCountQueryVariables>(ProjectCount, { where: where(view), located: located(view) }, signal);
  $('count').textContent = `${projects(c.all.totalCount)} ${c.all.totalCount === 1 ? 'matches' : 'match'}; ${count(c.located.totalCount)} of them ${c.located.totalCount === 1 ? 'has' : 'have'} a location and ${c.located.totalCount === 1 ? 'is' : 'are'} on the map.`;
  $('count').dataset.all = String(c.all.totalCount);
  $('count').dataset.located = String(c.located.totalCount);
}

async function loadPoints(signal: AbortSignal) {
  // page after page, each drawn as it comes (the old view's points stay
  // until the first page of the new one)
  const got: MapPointFragment[] = [];
  let after: string | null = null;
  for (;;) {
    const page: MapProjectsQuery = await request<MapProjectsQuery, MapProjectsQueryVariables>(MapProjects, { where: located(view), after }, signal);
    const nodes = (page.projects.edges ?? []).map((e) => e?.node).filter((n): n is MapPointFragment => !!n);
    if (after === null) projectMap.setPoints(nodes);
    else projectMap.addPoints(nodes);
    got.push(...nodes);
    if (!page.projects.pageInfo.hasNextPage || !page.projects.pageInfo.endCursor) break;
    after = page.projects.pageInfo.endCursor;
    say(`Loading the map: ${count(got.length)} of ${count(page.projects.totalCount)} projects…`);
  }
  points = got;
  $('map').dataset.points = String(projectMap.count());
  projectMap.fitPoints();
  renderList();
}

async function loadPolicies(signal: AbortSignal) {
  const p = await request<PoliciesQuery, PoliciesQueryVariables>(Policies, { where: where({ ...view, policy: '' }), includeAll: includeAll(view) }, signal);
  const rows = (p.policies.edges ?? []).map((e) => e?.node).filter((n) => !!n);
  for (const n of rows) policyTitles.set(n!.id, n!.title);
  $('policies').innerHTML = rows.length
    ? `<div class="table-wrap"><table><thead><tr><th scope="col">Policy</th><th scope="col">Level</th><th scope="col">Category</th><th scope="col" class="num">Projects</th><th scope="col" class="num">Amount (USD)</th></tr></thead><tbody>${rows
        .map(
          (n) =>
            `<tr${n!.id === view.policy ? ' class="current"' : ''}><td><button type="button" class="link" data-policy="${esc(n!.id)}" title="Show the projects this policy supports">${esc(n!.title)}</button>${
              n!.issuingAuthority ? `<div class="muted">${esc(n!.issuingAuthority)}</div>` : ''
            }</td><td>${esc(label(n!.level))}</td><td>${esc(label(n!.category))}</td><td class="num">${count(n!.projectStats.total.count)}</td><td class="num">${esc(usd(n!.projectStats.total.sum))}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '<p class="muted">No policies recorded.</p>';
  fillForm(view);
}

/** The projects on the map as a table: the keyboard's way to a project. */
function renderList() {
  const shown = points.slice(0, 100);
  $('list').innerHTML = shown.length
    ? `<div class="table-wrap"><table><caption>${points.length > shown.length ? `The ${shown.length} most recent of ${count(points.length)} located projects` : `${count(points.length)} located projects`}</caption><thead><tr><th scope="col">Project</th><th scope="col">Year</th><th scope="col">Sector</th><th scope="col">Status</th><th scope="col">Location</th><th scope="col" class="num">Amount (USD)</th></tr></thead><tbody>${shown
        .map(
          (p) =>
            `<tr><td><button type="button" class="link" data-project="${esc(p.id)}">${esc(p.title)}</button></td><td>${p.commitmentYear ?? '—'}</td><td>${esc(label(p.sector))}</td><td>${esc(label(p.status))}</td><td>${
              approximate.has(p.locationPrecision) ? `approximate (${esc(label(p.locationPrecision))})` : esc(label(p.locationPrecision))
            }</td><td class="num">${esc(usd(p.amountUsd))}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '<p class="muted">No located project matches.</p>';
}

function renderLegend() {
  const colors = colorsFor(view.colorBy);
  $('legend').innerHTML = `<ul class="legend">${Object.entries(colors)
    .map(([k, c]) => `<li>${swatch(c)}${esc(label(k))}</li>`)
    .join('')}<li>${swatch('#555', true)}Approximate location (country or province)</li><li>${swatch('#555')}Site, district or city</li><li><span class="cluster-sample" aria-hidden="true">12</span>A cluster of 12 projects, ringed in their colours (zoom in or choose it)</li></ul>`;
}

async function loadAll() {
  loading?.abort();
  const ctl = new AbortController();
  loading = ctl;
  say('Loading…');
  const results = await Promise.allSettled([loadStats(ctl.signal), loadCounts(ctl.signal), loadPoints(ctl.signal), loadPolicies(ctl.signal)]);
  if (ctl.signal.aborted) return;
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  say(failed.length ? `Some parts did not load: ${failed.map((f) => (f.reason as Error).message).join('; ')}` : `Updated ${new Date().toLocaleTimeString()}.`);
  document.body.dataset.loaded = String(Date.now());
  void loadGeometries();
}

/** The stored geometries of the projects in view, when zoomed in. */
async function loadGeometries() {
  const { bounds, zoom } = projectMap.view();
  if (zoom < geometryZoom) {
    projectMap.setGeometries([]);
    return;
  }
  const wrap = (x: number) => ((((x + 180) % 360) + 360) % 360) - 180;
  const wide = bounds.getEast() - bounds.getWest() >= 360;
  const box = {
    minLat: Math.max(-90, bounds.getSouth()),
    maxLat: Math.min(90, bounds.getNorth()),
    minLng: wide ? -180 : wrap(bounds.getWest()),
    maxLng: wide ? 180 : wrap(bounds.getEast()),
  };
  const w: ProjectWhereInput = { and: [where(view), { withinBounds: box }] };
  try {
    const g = await request<GeometriesQuery, GeometriesQueryVariables>(Geometries, { where: w });
    const value = (n: { sector: string; status: string; greenCategory: string }) => (view.colorBy === 'status' ? n.status : view.colorBy === 'green' ? n.greenCategory : n.sector);
    projectMap.setGeometries(
      (g.projects.edges ?? [])
        .map((e) => e?.node)
        .filter((n) => !!n?.geometry)
        .map((n) => ({ id: n!.id, title: n!.title, value: value(n!), geometry: n!.geometry })),
    );
  } catch (err) {
    say(`The geometries did not load: ${(err as Error).message}`);
  }
}
projectMap.onMove(() => void loadGeometries());

// --- the project panel ---------------------------------------------------------

let panelOpener: HTMLElement | null = null;

function openProject(id: string) {
  if ($('panel').hidden) panelOpener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  view = { ...view, project: id };
  history.pushState(null, '', `${location.pathname}${writeView(view)}`);
  void showProject($('panel'), id);
}

$('panel-close').addEventListener('click', () => {
  $('panel').hidden = true;
  panelOpener?.focus(); // back where the reader was
  view = { ...view, project: '' };
  history.pushState(null, '', `${location.pathname}${writeView(view)}`);
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !$('panel').hidden) $('panel-close').click();
});

// Buttons inside rendered HTML: a project, a policy, a partner or a country.
document.addEventListener('click', (e) => {
  const t = (e.target as HTMLElement).closest<HTMLElement>('[data-project],[data-policy],[data-partner],[data-country]');
  if (!t) return;
  if (t.dataset.project) openProject(t.dataset.project);
  else if (t.dataset.country) go({ ...view, country: [t.dataset.country] });
  else if (t.dataset.policy) go({ ...view, policy: t.dataset.policy });
  else if (t.dataset.partner) {
    partnerNames.set(t.dataset.partner, t.textContent ?? '');
    go({ ...view, partner: t.dataset.partner });
  }
});

// --- the API key and the live feed -------------------------------------------

let feed: AbortController | null = null;
let refreshTimer: number | undefined;

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => {
    const ctl = new AbortController();
    void Promise.allSettled([loadStats(ctl.signal), loadCounts(ctl.signal), loadPolicies(ctl.signal)]).then(() => (document.body.dataset.loaded = String(Date.now())));
  }, 250);
}

/** A project changed: put it on the map as it now is, if it matches the view. */
async function updatePoint(id: string) {
  try {
    const w: ProjectWhereInput = { and: [located(view), { id }] };
    const page = await request<MapProjectsQuery, MapProjectsQueryVariables>(MapProjects, { where: w, after: null });
    const p = page.projects.edges?.[0]?.node ?? null;
    projectMap.upsertPoint(id, p);
    points = points.filter((q) => q.id !== id);
    if (p) points.unshift(p);
    $('map').dataset.points = String(projectMap.count());
    renderList();
  } catch (err) {
    say(`A changed project did not load: ${(err as Error).message}`);
  }
}

function onEvent(e: NonNullable<AuditEvent>) {
  if (e.entityType === 'Project') {
    if (e.operation === 'DELETE') {
      projectMap.upsertPoint(e.entityID, null);
      points = points.filter((q) => q.id !== e.entityID);
      $('map').dataset.points = String(projectMap.count());
      renderList();
    } else void updatePoint(e.entityID);
  } else if (e.entityType === 'ProjectParticipant' && (view.partner || view.policy)) {
    void loadAll();
    return;
  }
  refreshSoon();
}

function restartFeed() {
  feed?.abort();
  feed = new AbortController();
  startFeed($('feed'), $('feed-status'), onEvent, feed.signal);
  $('key-state').textContent = apiKey() ? 'API key set' : 'No API key';
}

$<HTMLFormElement>('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('key-input');
  setApiKey(input.value.trim());
  input.value = '';
  restartFeed();
  void loadAll();
});
$('key-forget').addEventListener('click', () => {
  setApiKey('');
  restartFeed();
});

// --- start ---------------------------------------------------------------------

// on a phone the filters start folded, so that the map comes first
if (window.matchMedia('(max-width: 800px)').matches) $<HTMLDetailsElement>('filters-box').open = false;

fillForm(view);
renderLegend();
projectMap.setColorBy(view.colorBy);
loadOptions().catch((err) => say(`The filter choices did not load: ${(err as Error).message}`));
void loadAll();
restartFeed();
if (view.project) void showProject($('panel'), view.project);
