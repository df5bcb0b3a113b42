// Recent changes: the auditEvents subscription over Server-Sent Events. It
// reconnects after a failure, resuming after the last event received.
import { apiKey, GraphQLError, request, subscribe } from './api';
import { esc, label } from './format';
import RecentChanges from './operations/RecentChanges.graphql';
import RecentEvents from './operations/RecentEvents.graphql';
import type {
  RecentChangesSubscription,
  RecentChangesSubscriptionVariables,
  RecentEventsQuery,
  RecentEventsQueryVariables,
} from './generated/graphql';

export type AuditEvent = RecentChangesSubscription['auditEvents']['node'];

const maxShown = 50;

function title(e: NonNullable<AuditEvent>): string {
  const named = e.changes.find((c) => c.field === 'title' || c.field === 'name');
  if (typeof named?.new === 'string') return named.new;
  const fields = e.changes.map((c) => c.field);
  return fields.length ? `${fields.slice(0, 3).join(', ')}${fields.length > 3 ? '…' : ''}` : e.entityID;
}

/**
 * Runs the feed into the list element, calling onEvent for each event,
 * until the signal aborts. Without an API key it only says why it is idle.
 */
export function startFeed(list: HTMLElement, status: HTMLElement, onEvent: (e: NonNullable<AuditEvent>) => void, signal: AbortSignal): void {
  if (!apiKey()) {
    status.textContent = 'The live feed needs an API key (the subscription is for callers with one): set one with “API key” above.';
    return;
  }
  let after = null as string | null;
  let delay = 1000;
  const show = (e: NonNullable<AuditEvent>) => {
    const li = document.createElement('li');
    const t = e.at.replace('T', ' ').slice(0, 19);
    const open = e.entityType === 'Project' && e.operation !== 'DELETE';
    li.innerHTML = `<time datetime="${esc(e.at)}">${esc(t)}</time> <span class="op op-${esc(e.operation.toLowerCase())}">${esc(label(e.operation))}</span> ${esc(e.entityType)}: ${
      open ? `<button type="button" class="link" data-project="${esc(e.entityID)}">${esc(title(e))}</button>` : esc(title(e))
    } <span class="muted">by ${esc(e.actorName)}</span>`;
    list.prepend(li);
    while (list.children.length > maxShown) list.lastElementChild?.remove();
  };
  const run = async () => {
    // the last writes first; the stream resumes after them, with no gap
    try {
      const recent = await request<RecentEventsQuery, RecentEventsQueryVariables>(RecentEvents, {}, signal);
      for (const e of recent.auditEvents.edges ?? []) {
        if (!e?.node) continue;
        show(e.node);
        after = e.cursor;
      }
    } catch (err) {
      if (signal.aborted) return;
      status.textContent = `The recent changes did not load: ${(err as Error).message}`;
    }
    while (!signal.aborted) {
      status.textContent = 'Live: connected, waiting for changes.';
      try {
        await subscribe<RecentChangesSubscription, RecentChangesSubscriptionVariables>(
          RecentChanges,
          { after },
          (d) => {
            after = d.auditEvents.cursor;
            delay = 1000;
            if (!d.auditEvents.node) return;
            show(d.auditEvents.node);
            onEvent(d.auditEvents.node);
          },
          signal,
        );
      } catch (err) {
        if (signal.aborted) return;
        const e = err as Error;
        if (e instanceof GraphQLError && e.codes.some((c) => c === 'UNAUTHENTICATED' || c === 'FORBIDDEN')) {
          status.textContent = `The live feed was refused: ${e.message}`;
          return;
        }
        status.textContent = `Live feed interrupted (${e.message}); reconnecting…`;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  void run();
}
