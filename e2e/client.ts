// A small typed GraphQL client of BRI Tracker, written against the types that
// graphql-codegen generated (out/graphql.ts) from the server's schema and the
// operations in ../examples. `tsc --noEmit` checks it; run.sh then compiles
// and runs it against the live server, so every example operation is sent
// for real:
//
//   BRI_URL=http://127.0.0.1:18090 BRI_API_KEY=<editor key> node out/js/client.js
//
// Without BRI_API_KEY the mutation is skipped.
import { readFileSync, readdirSync } from 'node:fs';
import type {
  CountryNetworkQuery,
  CountryNetworkQueryVariables,
  FilteredProjectsQuery,
  FilteredProjectsQueryVariables,
  NodeByIdQuery,
  NodeByIdQueryVariables,
  ProjectWhereInput,
  ProjectStatsBySectorYearQuery,
  ProjectStatsBySectorYearQueryVariables,
  SearchQuery,
  SearchQueryVariables,
  UpsertProjectInput,
  UpsertProjectsMutation,
  UpsertProjectsMutationVariables,
} from './out/graphql.js';

/** Each example operation's result and variables types, by operation name. */
interface Operations {
  CountryNetwork: [CountryNetworkQuery, CountryNetworkQueryVariables];
  FilteredProjects: [FilteredProjectsQuery, FilteredProjectsQueryVariables];
  NodeById: [NodeByIdQuery, NodeByIdQueryVariables];
  ProjectStatsBySectorYear: [ProjectStatsBySectorYearQuery, ProjectStatsBySectorYearQueryVariables];
  Search: [SearchQuery, SearchQueryVariables];
  UpsertProjects: [UpsertProjectsMutation, UpsertProjectsMutationVariables];
}
type OperationName = keyof Operations;

const base = new URL(process.env.BRI_URL ?? 'http://127.0.0.1:18090');
if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(base.hostname)) {
  throw new Error(`refusing to send traffic to ${base.hostname}: the e2e tests talk only to the loopback address`);
}
const endpoint = new URL('/graphql', base);
const examplesDir = process.env.BRI_EXAMPLES ?? new URL('../../../examples/', import.meta.url).pathname;

/** The operations and fragments of ../examples, by name. */
function loadDocuments(): { operations: Map<string, string>; fragments: Map<string, string> } {
  const operations = new Map<string, string>();
  const fragments = new Map<string, string>();
  for (const file of readdirSync(examplesDir).filter((f) => f.endsWith('.graphql')).sort()) {
    const text = readFileSync(`${examplesDir}/${file}`, 'utf8');
    // Each definition starts at a line beginning with query, mutation or fragment.
    const parts = text.split(/^(?=(?:query|mutation|subscription|fragment)\b)/m);
    for (const part of parts) {
      const m = /^(query|mutation|subscription|fragment)\s+(\w+)/.exec(part);
      if (!m?.[1] || !m[2]) continue;
      (m[1] === 'fragment' ? fragments : operations).set(m[2], part.trim());
    }
  }
  return { operations, fragments };
}
const documents = loadDocuments();

/** The operation's text with the fragments it spreads, directly or not. */
function documentFor(name: OperationName): string {
  const op = documents.operations.get(name);
  if (!op) throw new Error(`no operation ${name} in ${examplesDir}`);
  const used = new Set<string>();
  const visit = (text: string) => {
    for (const m of text.matchAll(/\.\.\.\s*(\w+)/g)) {
      const frag = m[1];
      if (!frag || frag === 'on' || used.has(frag)) continue;
      const body = documents.fragments.get(frag);
      if (!body) throw new Error(`${name} spreads unknown fragment ${frag}`);
      used.add(frag);
      visit(body);
    }
  };
  visit(op);
  return [op, ...[...used].map((f) => documents.fragments.get(f)!)].join('\n\n');
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

/** Sends one example operation and returns its typed data; throws on any error. */
async function run<K extends OperationName>(
  name: K,
  variables: Operations[K][1],
  apiKey?: string,
): Promise<Operations[K][0]> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json;q=0.9',
  };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const res = await fetch(endpoint, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: documentFor(name), operationName: name, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body: { data?: Operations[K][0] | null; errors?: GraphQLError[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${name}: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (res.status !== 200 || body.errors?.length || !body.data) {
    throw new Error(`${name}: HTTP ${res.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
  }
  return body.data;
}

function check(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/** The nodes of a Relay connection: the schema lets edges and nodes be null. */
function nodes<T>(conn: { edges: ReadonlyArray<{ node: T | null } | null> | null }): T[] {
  return (conn.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
}

const failures: string[] = [];
/** Runs one step; a failure is reported and the next steps still run. */
async function step<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    failures.push(`${name}: ${msg}`);
    console.error(`FAIL ${name}: ${msg}`);
    return undefined;
  }
}

// 1. Search, narrowing the union by __typename.
const partner = await step('Search', async () => {
  const found = await run('Search', { query: 'Shandong Hi-Speed', types: ['PARTNER'], first: 5 });
  const hit = found.search.edges.map((e) => e.node).find((n) => n.__typename === 'Partner');
  check(hit && hit.__typename === 'Partner', 'search found no partner "Shandong Hi-Speed"');
  console.log(`Search: ${found.search.totalCount} result(s); first partner ${hit.name} (${hit.id})`);
  return hit;
});

// 2. The same partner by its global id.
await step('NodeById', async () => {
  check(partner, 'no partner id (Search failed)');
  const byId = await run('NodeById', { id: partner.id });
  check(byId.node?.__typename === 'Partner', `node(${partner.id}) is not a Partner`);
  check(byId.node.name === partner.name, `node(${partner.id}) is named ${byId.node.name}, search said ${partner.name}`);
  console.log(`NodeById: ${byId.node.__typename} ${byId.node.name}, kind ${byId.node.kind}`);
});

// 3. Traversal from a country through its projects to their partners and policies.
await step('CountryNetwork', async () => {
  const network = await run('CountryNetwork', { countryCode: 'KAZ', projects: 5 });
  const country = nodes(network.partners)[0];
  check(country, 'no COUNTRY partner KAZ');
  const hosted = country.hostedProjects;
  check(hosted.totalCount > 0, 'KAZ hosts no projects');
  const hostedNodes = nodes(hosted);
  const partnerNames = new Set(hostedNodes.flatMap((p) => nodes(p.participations).map((e) => e.partner.name)));
  console.log(
    `CountryNetwork: ${country.name} hosts ${hosted.totalCount} project(s); the ${hostedNodes.length} largest involve ${partnerNames.size} partner(s)`,
  );
});

// 4. Filtered projects, paged by cursor in the default order (amountUsd,
// largest first): two pages hold different projects.
await step('FilteredProjects', async () => {
  const where: ProjectWhereInput = { sectorIn: ['ENERGY', 'TRANSPORT'], statusNotIn: ['CANCELLED'], hasHostCountryWith: [{ region: 'ASIA' }] };
  const page1 = await run('FilteredProjects', { where, first: 3 });
  check(page1.projects.totalCount > 3, `want more than 3 Asian energy or transport projects, got ${page1.projects.totalCount}`);
  for (const node of nodes(page1.projects)) {
    check(node.sector === 'ENERGY' || node.sector === 'TRANSPORT', `project ${node.title} has sector ${node.sector}`);
    check(node.status !== 'CANCELLED', `project ${node.title} is cancelled`);
  }
  check(page1.projects.pageInfo.hasNextPage && page1.projects.pageInfo.endCursor, 'page 1 of 3 says there is no next page');
  const page2 = await run('FilteredProjects', { where, first: 3, after: page1.projects.pageInfo.endCursor });
  const first = nodes(page1.projects);
  const second = nodes(page2.projects);
  const ids = new Set(first.map((p) => p.id));
  const show = (ps: typeof first) => ps.map((p) => `${p.title} (${p.amountUsd ?? 'no amount'})`).join('; ');
  check(second.length > 0, `page 2 (after: endCursor of page 1, ordered by AMOUNT_USD DESC) is empty; page 1 was: ${show(first)}`);
  check(
    second.every((p) => !ids.has(p.id)),
    `page 2 (after: endCursor of page 1, ordered by AMOUNT_USD DESC) repeats page 1: cursor pagination ignores "after"? page 1: ${show(first)}; page 2: ${show(second)}`,
  );
  const last = first[first.length - 1]?.amountUsd;
  const next = second[0]?.amountUsd;
  if (last && next) check(Number(next) <= Number(last), `page 2 starts at ${next}, above the end of page 1 (${last}) in a DESC order`);
  console.log(`FilteredProjects: ${page1.projects.totalCount} Asian energy/transport projects; pages 1 and 2 hold ${first.length} + ${second.length} different ones`);
});

// 5. Statistics by sector and year: every project falls in exactly one group.
await step('ProjectStatsBySectorYear', async () => {
  const stats = await run('ProjectStatsBySectorYear', {});
  const grouped = stats.projectStats.groups.reduce((n, g) => n + g.count, 0);
  check(grouped === stats.projectStats.total.count, `groups count ${grouped} projects, total says ${stats.projectStats.total.count}`);
  const sectors = new Set(stats.projectStats.groups.map((g) => g.key.sector));
  console.log(
    `ProjectStatsBySectorYear: ${stats.projectStats.total.count} projects, ${stats.projectStats.groups.length} groups over ${sectors.size} sectors, total ${stats.projectStats.total.sum ?? 'n/a'} USD`,
  );
});

// 6. The mutation, twice: created, then unchanged.
const apiKey = process.env.BRI_API_KEY;
if (!apiKey) {
  console.log('UpsertProjects: skipped (set BRI_API_KEY to an EDITOR key)');
} else {
  await step('UpsertProjects', async () => {
    const participants: UpsertProjectInput['participants'] = [{ partner: { countryCode: 'KAZ' }, role: 'HOST_GOVERNMENT' }];
    if (partner) participants.push({ partner: { id: partner.id }, role: 'CONTRACTOR', sharePercent: 60 });
    const input: UpsertProjectInput[] = [
      {
        externalRef: `e2e:kz-solar-${Date.now()}`,
        title: 'Zhanatas Solar Park (e2e)',
        sector: 'ENERGY',
        status: 'SIGNED',
        greenCategory: 'RENEWABLE_ENERGY',
        amountUsd: '95000000',
        commitmentYear: 2024,
        hostCountryCode: 'KAZ',
        participants,
      },
    ];
    const first = await run('UpsertProjects', { input }, apiKey);
    check(first.upsertProjects.created === 1, `first upsert: ${JSON.stringify(first.upsertProjects).slice(0, 300)}`);
    const created = first.upsertProjects.results[0];
    check(created?.outcome === 'CREATED', `first upsert outcome ${created?.outcome}`);
    check(nodes(created.project.participations).length === participants.length, `the upserted project does not have its ${participants.length} participants`);
    const again = await run('UpsertProjects', { input }, apiKey);
    check(
      again.upsertProjects.unchanged === 1 && again.upsertProjects.results[0]?.outcome === 'UNCHANGED',
      `second upsert of the same input: ${JSON.stringify(again.upsertProjects).slice(0, 300)}`,
    );
    console.log(`UpsertProjects: created ${created.project.title} (${created.project.id}), then UNCHANGED on the same input`);
  });
}

if (failures.length) {
  console.error(`FAIL: typed client: ${failures.length} operation(s) failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('typed client: every example operation ran');
