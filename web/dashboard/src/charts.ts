// The charts, drawn as plain SVG from one DashboardStats answer, each with a
// table view of the exact numbers behind it.
import { sectorColor } from './colors';
import { addDecimal } from './decimal';
import { count, esc, label, percent, projects, usd, usdShort } from './format';
import type { DashboardStatsQuery } from './generated/graphql';

const W = 640;
const H = 260;
const M = { top: 12, right: 12, bottom: 30, left: 86 };

interface Bar {
  x: string;
  parts: { key: string; value: number; color: string }[];
}

function svg(inner: string, title: string, height = H): string {
  return `<svg viewBox="0 0 ${W} ${height}" role="img" aria-label="${esc(title)}" preserveAspectRatio="xMidYMid meet">${inner}</svg>`;
}

function ticks(max: number, n = 4): number[] {
  if (max <= 0) return [0];
  const step0 = max / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let t = 0; t <= max + step * 0.001; t += step) out.push(t);
  return out;
}

function yAxis(max: number, fmt: (n: number) => string, height = H): string {
  const ih = height - M.top - M.bottom;
  return ticks(max)
    .map((t) => {
      const y = M.top + ih - (max ? (t / max) * ih : 0);
      return `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" class="grid"/><text x="${M.left - 6}" y="${y + 4}" text-anchor="end" class="tick">${esc(fmt(t))}</text>`;
    })
    .join('');
}

/** Vertical bars, stacked by part. */
function stackedBars(bars: Bar[], title: string, fmt: (n: number) => string): string {
  if (!bars.length) return '<p class="empty">No amounts for this filter.</p>';
  const totals = bars.map((b) => b.parts.reduce((s, p) => s + p.value, 0));
  const max = Math.max(...totals, 0) * 1.05 || 1;
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const bw = iw / bars.length;
  const every = Math.ceil(bars.length / 8);
  let inner = yAxis(max, fmt);
  bars.forEach((b, i) => {
    let y = M.top + ih;
    const x = M.left + i * bw + bw * 0.1;
    for (const p of b.parts) {
      const h = (p.value / max) * ih;
      y -= h;
      inner += `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(bw * 0.8).toFixed(1)}" height="${Math.max(h, 0).toFixed(1)}" fill="${p.color}"><title>${esc(`${b.x} · ${p.key}: ${fmt(p.value)}`)}</title></rect>`;
    }
    if (i % every === 0) inner += `<text x="${(x + bw * 0.4).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" class="tick">${esc(b.x)}</text>`;
  });
  return svg(inner, title);
}

/** Horizontal bars, one a row. */
function rowBars(rows: { name: string; value: number }[], title: string): string {
  if (!rows.length) return '<p class="empty">No amounts for this filter.</p>';
  const rowH = 22;
  const height = rows.length * rowH + 10;
  const left = 170;
  const max = Math.max(...rows.map((r) => r.value), 0) || 1;
  const iw = W - left - 90;
  let inner = '';
  rows.forEach((r, i) => {
    const y = 5 + i * rowH;
    const w = (r.value / max) * iw;
    inner += `<text x="${left - 6}" y="${y + 15}" text-anchor="end" class="tick">${esc(r.name.length > 22 ? r.name.slice(0, 21) + '…' : r.name)}</text>`;
    inner += `<rect x="${left}" y="${y + 2}" width="${Math.max(w, 1).toFixed(1)}" height="${rowH - 6}" fill="#1f5f8b"><title>${esc(`${r.name}: ${usdShort(r.value)}`)}</title></rect>`;
    inner += `<text x="${(left + w + 4).toFixed(1)}" y="${y + 15}" class="tick">${esc(usdShort(r.value))}</text>`;
  });
  return svg(inner, title, height);
}

/** A line over years, with dots. */
function line(points: { x: string; y: number | null }[], title: string, fmt: (n: number) => string, maxY?: number): string {
  const known = points.filter((p) => p.y != null) as { x: string; y: number }[];
  if (!known.length) return '<p class="empty">Nothing to show for this filter.</p>';
  const max = maxY ?? (Math.max(...known.map((p) => p.y)) * 1.1 || 1);
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const step = points.length > 1 ? iw / (points.length - 1) : 0;
  const px = (i: number) => M.left + (points.length > 1 ? i * step : iw / 2);
  const py = (v: number) => M.top + ih - (v / max) * ih;
  let inner = yAxis(max, fmt);
  let path = '';
  let pen = false;
  points.forEach((p, i) => {
    if (p.y == null) {
      pen = false;
      return;
    }
    path += `${pen ? 'L' : 'M'}${px(i).toFixed(1)},${py(p.y).toFixed(1)}`;
    pen = true;
  });
  inner += `<path d="${path}" fill="none" stroke="#0b6e4f" stroke-width="2"/>`;
  const every = Math.ceil(points.length / 8);
  points.forEach((p, i) => {
    if (p.y != null) inner += `<circle cx="${px(i).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="#0b6e4f"><title>${esc(`${p.x}: ${fmt(p.y)}`)}</title></circle>`;
    if (i % every === 0) inner += `<text x="${px(i).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" class="tick">${esc(p.x)}</text>`;
  });
  return svg(inner, title);
}

/** A table cell: text, or HTML already escaped. */
type Cell = string | { html: string };

function table(head: string[], rows: Cell[][], numeric: boolean[]): string {
  return `<div class="table-wrap"><table><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${typeof c === 'string' ? esc(c) : c.html}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

function panel(id: string, title: string, chart: string, tbl: string, legend = ''): string {
  return `<section class="chart" aria-labelledby="${id}-h"><h3 id="${id}-h">${esc(title)}</h3>${legend}${chart}<details><summary>Table view</summary>${tbl}</details></section>`;
}

/** A colour sample (an SVG, not a style attribute: the page's CSP allows no inline styles). */
export function swatch(color: string, hollow = false): string {
  return hollow
    ? `<svg class="swatch" viewBox="0 0 14 14" aria-hidden="true"><circle cx="7" cy="7" r="5.5" fill="${color}" fill-opacity="0.15" stroke="${color}" stroke-width="2" stroke-dasharray="2 2"/></svg>`
    : `<svg class="swatch" viewBox="0 0 14 14" aria-hidden="true"><circle cx="7" cy="7" r="5.5" fill="${color}" stroke="#fff" stroke-width="1"/></svg>`;
}

const num = (s: string | null | undefined) => (s == null ? 0 : Number(s));

/** The charts' HTML for one DashboardStats answer. */
export function renderCharts(s: DashboardStatsQuery): string {
  const t = s.overall.total;
  const summary = `<p class="summary" id="stats-total" data-count="${t.count}" data-sum="${esc(t.sum ?? '')}"><strong>${count(t.count)}</strong> ${t.count === 1 ? 'project' : 'projects'}, <strong>${esc(usd(t.sum))}</strong> in all${
    t.weightedInterestRate != null ? `; amount-weighted average interest rate <strong>${esc(percent(t.weightedInterestRate))}</strong>` : ''
  }.${s.overall.excluded.count ? ` Left out because they do not count in aggregates: ${projects(s.overall.excluded.count)}, ${esc(usd(s.overall.excluded.sum))}.` : ''}</p>`;

  // 1. commitments by year, stacked by sector
  const years = [...new Set(s.byYearSector.groups.map((g) => g.key.commitmentYear))].sort((a, b) => (a ?? 9999) - (b ?? 9999));
  const sectorsPresent = [...new Set(s.byYearSector.groups.map((g) => g.key.sector ?? 'OTHER'))];
  const bars: Bar[] = years
    .filter((y) => y != null)
    .map((y) => ({
      x: String(y),
      parts: s.byYearSector.groups
        .filter((g) => g.key.commitmentYear === y && g.sum != null)
        .map((g) => ({ key: label(g.key.sector), value: num(g.sum), color: sectorColor[g.key.sector ?? 'OTHER'] ?? '#555' })),
    }));
  const legend = `<ul class="legend">${sectorsPresent.map((k) => `<li>${swatch(sectorColor[k] ?? '#555')}${esc(label(k))}</li>`).join('')}</ul>`;
  const byYear = panel(
    'c-year',
    'Commitments by year, by sector',
    stackedBars(bars, 'Commitments by year, stacked by sector', usdShort),
    table(
      ['Year', 'Sector', 'Projects', 'Amount (USD)'],
      s.byYearSector.groups.map((g) => [g.key.commitmentYear == null ? 'No year' : String(g.key.commitmentYear), label(g.key.sector), count(g.count), usd(g.sum)]),
      [false, false, true, true],
    ),
    legend,
  );

  // 2. top 20 host countries
  const countries = s.topCountries.groups.map((g) => ({ name: g.key.hostCountry?.name ?? 'No host country', g }));
  const top = panel(
    'c-country',
    'Top 20 host countries',
    rowBars(countries.filter((c) => c.g.sum != null).map((c) => ({ name: c.name, value: num(c.g.sum) })), 'Top 20 host countries by amount'),
    table(
      ['Country', 'Projects', 'Amount (USD)'],
      countries.map((c) => {
        const code = c.g.key.hostCountry?.countryCode;
        const name: Cell = code ? { html: `<button type="button" class="link" data-country="${esc(code)}" title="Show this country's projects">${esc(c.name)}</button>` } : c.name;
        return [name, count(c.g.count), usd(c.g.sum)];
      }),
      [false, true, true],
    ),
  );

  // 3. green share over time: the share of each year's amount that is green
  const greenYears = new Map<number, { all: string | null; green: string | null }>();
  for (const g of s.byYearGreen.groups) {
    if (g.key.commitmentYear == null) continue;
    const y = greenYears.get(g.key.commitmentYear) ?? { all: null, green: null };
    y.all = addDecimal(y.all, g.sum);
    if (g.key.greenCategory !== 'NONE') y.green = addDecimal(y.green, g.sum);
    greenYears.set(g.key.commitmentYear, y);
  }
  const greenRows = [...greenYears.entries()].sort((a, b) => a[0] - b[0]);
  const share = (v: { all: string | null; green: string | null }) => (num(v.all) > 0 ? (100 * num(v.green)) / num(v.all) : null);
  const green = panel(
    'c-green',
    'Green share of commitments over time',
    line(greenRows.map(([y, v]) => ({ x: String(y), y: share(v) })), 'Green share of commitments by year', (n) => `${n.toFixed(0)}%`, 100),
    table(
      ['Year', 'Green amount (USD)', 'All amounts (USD)', 'Green share'],
      greenRows.map(([y, v]) => [String(y), usd(v.green ?? '0'), usd(v.all), share(v) == null ? '—' : `${share(v)!.toFixed(1)}%`]),
      [false, true, true, true],
    ),
  );

  // 4. flow class
  const flows = s.byFlowClass.groups;
  const flow = panel(
    'c-flow',
    'By flow class',
    rowBars(flows.filter((g) => g.sum != null).map((g) => ({ name: label(g.key.flowClass), value: num(g.sum) })), 'Amounts by flow class'),
    table(
      ['Flow class', 'Projects', 'Amount (USD)', 'Weighted interest rate'],
      flows.map((g) => [label(g.key.flowClass), count(g.count), usd(g.sum), percent(g.weightedInterestRate)]),
      [false, true, true, true],
    ),
  );

  // 5. amount-weighted average interest rate by year
  const rateRows = s.byYear.groups.filter((g) => g.key.commitmentYear != null);
  const rate = panel(
    'c-rate',
    'Amount-weighted average interest rate',
    line(rateRows.map((g) => ({ x: String(g.key.commitmentYear), y: g.weightedInterestRate == null ? null : Number(g.weightedInterestRate) })), 'Amount-weighted average interest rate by year', (n) => `${n.toFixed(2)}%`),
    table(
      ['Year', 'Projects', 'Amount (USD)', 'Weighted interest rate'],
      rateRows.map((g) => [String(g.key.commitmentYear), count(g.count), usd(g.sum), percent(g.weightedInterestRate)]),
      [false, true, true, true],
    ),
  );

  return summary + `<div class="charts">${byYear}${top}${green}${flow}${rate}</div>`;
}
