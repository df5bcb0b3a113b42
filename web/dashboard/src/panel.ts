// The project panel: participants with all their roles, supporting policies,
// finance terms, location precision and history.
import { apiKey, request } from './api';
import { esc, label, money, percent, usd } from './format';
import ProjectDetail from './operations/ProjectDetail.graphql';
import ProjectHistory from './operations/ProjectHistory.graphql';
import type {
  ProjectDetailQuery,
  ProjectDetailQueryVariables,
  ProjectHistoryQuery,
  ProjectHistoryQueryVariables,
} from './generated/graphql';

type Project = Extract<NonNullable<ProjectDetailQuery['node']>, { title: string }>;

function row(name: string, value: string): string {
  return `<tr><th scope="row">${esc(name)}</th><td>${esc(value)}</td></tr>`;
}

function json(v: unknown): string {
  if (v == null) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? s.slice(0, 79) + '…' : s;
}

function render(p: Project): string {
  // every role of a partner, together
  const byPartner = new Map<string, { name: string; kind: string; roles: string[] }>();
  for (const e of p.participations.edges ?? []) {
    const n = e?.node;
    if (!n) continue;
    const entry = byPartner.get(n.partner.id) ?? { name: n.partner.name, kind: n.partner.kind, roles: [] };
    entry.roles.push(label(n.role) + (n.sharePercent != null ? ` (${n.sharePercent}%)` : ''));
    byPartner.set(n.partner.id, entry);
  }
  const participants = [...byPartner.entries()]
    .map(([id, e]) => `<li><button type="button" class="link" data-partner="${esc(id)}" title="Show this partner's projects">${esc(e.name)}</button> <span class="muted">${esc(label(e.kind))}</span>: ${esc(e.roles.join(', '))}</li>`)
    .join('');
  const policies = (p.policies.edges ?? [])
    .map((e) => e?.node)
    .filter((n) => !!n)
    .map((n) => `<li><button type="button" class="link" data-policy="${esc(n!.id)}">${esc(n!.title)}</button> <span class="muted">${esc(label(n!.level))} · ${esc(label(n!.category))}${n!.documentNumber ? ` · ${esc(n!.documentNumber)}` : ''}</span></li>`)
    .join('');
  const place = [p.city, p.hostCountry?.name].filter(Boolean).join(', ') || '—';
  const coords = p.latitude != null && p.longitude != null ? `${p.latitude.toFixed(4)}, ${p.longitude.toFixed(4)}` : 'no location';
  return `
    <h2 id="panel-title" tabindex="-1">${esc(p.title)}</h2>
    ${p.description ? (p.description.length > 280 ? `<details class="description"><summary>${esc(p.description.slice(0, 200))}…</summary><p>${esc(p.description)}</p></details>` : `<p>${esc(p.description)}</p>`) : ''}
    <table class="facts">
      ${row('Sector', label(p.sector))}
      ${row('Status', label(p.status))}
      ${row('Green category', label(p.greenCategory))}
      ${row('Location', place)}
      ${row('Location precision', p.locationPrecision ? label(p.locationPrecision) : 'no location')}
      ${row('Coordinates', coords)}
      ${row('Commitment year', p.commitmentYear == null ? '—' : String(p.commitmentYear))}
      ${row('Signed / started / completed', [p.signedOn, p.startedOn, p.completedOn].map((d) => d ?? '—').join(' / '))}
      ${row('Counts in aggregates', p.countsInAggregates ? 'yes' : 'no')}
      ${p.umbrella ? row('Umbrella agreement', 'yes') : ''}
      ${p.externalRef ? row('External reference', p.externalRef) : ''}
    </table>
    <h3>Finance terms</h3>
    <table class="facts">
      ${row('Amount', money(p.amount, p.currency))}
      ${row('Amount in US dollars', usd(p.amountUsd))}
      ${row('Flow type', p.flowType ?? '—')}
      ${row('Flow class', p.flowClass ? label(p.flowClass) : '—')}
      ${row('Interest rate', percent(p.interestRate))}
      ${row('Maturity', p.maturityYears == null ? '—' : `${p.maturityYears} years`)}
      ${row('Grace period', p.gracePeriodYears == null ? '—' : `${p.gracePeriodYears} years`)}
      ${row('Grant element', percent(p.grantElement))}
    </table>
    <h3>Participants (${byPartner.size})</h3>
    ${participants ? `<ul class="plain">${participants}</ul>` : '<p class="muted">None recorded.</p>'}
    <h3>Supporting policies (${p.policies.totalCount})</h3>
    ${policies ? `<ul class="plain">${policies}</ul>` : '<p class="muted">None recorded.</p>'}
    <h3>History</h3>
    <div id="panel-history"><p class="muted">${apiKey() ? 'Loading…' : 'The history is shown to callers with an API key (see “API key” above).'}</p></div>`;
}

async function history(id: string, el: HTMLElement): Promise<void> {
  try {
    const h = await request<ProjectHistoryQuery, ProjectHistoryQueryVariables>(ProjectHistory, { id });
    const events = (h.node && 'history' in h.node ? h.node.history.edges ?? [] : []).map((e) => e?.node).filter((n) => !!n);
    el.innerHTML = events.length
      ? `<ol class="history">${events
          .reverse()
          .map(
            (n) =>
              `<li><time datetime="${esc(n!.at)}">${esc(n!.at.replace('T', ' ').slice(0, 19))}</time> ${esc(label(n!.operation))} by ${esc(n!.actorName)}<ul>${n!.changes
                .slice(0, 12)
                .map((c) => `<li><code>${esc(c.field)}</code>: ${esc(json(c.old))} → ${esc(json(c.new))}</li>`)
                .join('')}</ul></li>`,
          )
          .join('')}</ol>`
      : '<p class="muted">No recorded writes.</p>';
  } catch (err) {
    el.innerHTML = `<p class="muted">History unavailable: ${esc((err as Error).message)}</p>`;
  }
}

/** Shows the project in the panel element. */
export async function showProject(el: HTMLElement, id: string): Promise<void> {
  el.hidden = false;
  el.querySelector('.panel-body')!.innerHTML = '<p class="muted">Loading…</p>';
  try {
    const d = await request<ProjectDetailQuery, ProjectDetailQueryVariables>(ProjectDetail, { id });
    const body = el.querySelector<HTMLElement>('.panel-body')!;
    if (!d.node || !('title' in d.node)) {
      body.innerHTML = '<p>This project no longer exists.</p>';
      return;
    }
    body.innerHTML = render(d.node);
    body.querySelector<HTMLElement>('#panel-title')?.focus();
    const h = body.querySelector<HTMLElement>('#panel-history')!;
    if (apiKey()) await history(id, h);
  } catch (err) {
    el.querySelector('.panel-body')!.innerHTML = `<p class="error">Could not load the project: ${esc((err as Error).message)}</p>`;
  }
}
