// The dashboard's only way to the server: POST /graphql on the page's own
// origin, with the API key the user gave (kept in this browser's local
// storage, never in the URL), and subscriptions over Server-Sent Events.

const endpoint = new URL('../graphql', location.href).pathname;
const keyStorage = 'bri-dashboard-api-key';

/** The API key sent with every request, if the user gave one. */
export function apiKey(): string {
  try {
    return localStorage.getItem(keyStorage) ?? '';
  } catch {
    return '';
  }
}

/** Remembers (or, with an empty string, forgets) the API key. */
export function setApiKey(key: string): void {
  try {
    if (key) localStorage.setItem(keyStorage, key);
    else localStorage.removeItem(keyStorage);
  } catch {
    // storage refused (private mode): the key lasts for this page only
  }
}

function headers(accept: string): Record<string, string> {
  const h: Record<string, string> = { 'Content-Type': 'application/json', Accept: accept };
  const key = apiKey();
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

/** The operation's name, which the server logs and trusted documents need. */
function operationName(document: string): string | undefined {
  return /^\s*(?:query|mutation|subscription)\s+(\w+)/m.exec(document.replace(/#.*$/gm, ''))?.[1];
}

/** A GraphQL error answer, with the server's error codes. */
export class GraphQLError extends Error {
  constructor(
    message: string,
    readonly codes: string[],
  ) {
    super(message);
  }
}

interface Answer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Runs a query and returns its data; any error in the answer throws. */
export async function request<TData, TVars>(document: string, variables: TVars, signal?: AbortSignal): Promise<TData> {
  let res: Response;
  for (let attempt = 1; ; attempt++) {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: headers('application/graphql-response+json, application/json'),
      body: JSON.stringify({ query: document, operationName: operationName(document), variables }),
      signal,
    });
    // over the server's rate limit (the map's pages come quickly): wait as
    // told, a few times
    if (res.status !== 429 || attempt >= 4) break;
    const wait = Math.min(Number(res.headers.get('Retry-After')) || 1, 10);
    await new Promise((r) => setTimeout(r, wait * 1000));
  }
  let answer: Answer<TData>;
  try {
    answer = (await res.json()) as Answer<TData>;
  } catch {
    throw new GraphQLError(`HTTP ${res.status} from ${endpoint}`, []);
  }
  if (answer.errors?.length) {
    throw new GraphQLError(answer.errors.map((e) => e.message).join('; '), answer.errors.map((e) => e.extensions?.code ?? ''));
  }
  if (!answer.data) throw new GraphQLError(`HTTP ${res.status}: no data`, []);
  return answer.data;
}

/**
 * Runs a subscription over Server-Sent Events (POST with Accept:
 * text/event-stream): onNext gets each "next" event's data. It returns when
 * the stream ends; abort the signal to end it.
 */
export async function subscribe<TData, TVars>(
  document: string,
  variables: TVars,
  onNext: (data: TData) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: headers('text/event-stream'),
    body: JSON.stringify({ query: document, operationName: operationName(document), variables }),
    signal,
  });
  if (!(res.headers.get('Content-Type') ?? '').startsWith('text/event-stream') || !res.body) {
    const answer = (await res.json().catch(() => ({}))) as Answer<TData>;
    const errors = answer.errors ?? [{ message: `HTTP ${res.status}` }];
    throw new GraphQLError(errors.map((e) => e.message).join('; '), errors.map((e) => e.extensions?.code ?? ''));
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let event = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i).replace(/\r$/, '');
      buffered = buffered.slice(i + 1);
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:') && event === 'next') {
        const answer = JSON.parse(line.slice(5)) as Answer<TData>;
        if (answer.errors?.length) {
          throw new GraphQLError(answer.errors.map((e) => e.message).join('; '), answer.errors.map((e) => e.extensions?.code ?? ''));
        }
        if (answer.data) onNext(answer.data);
      } else if (line === '' && event === 'complete') return;
    }
  }
}
