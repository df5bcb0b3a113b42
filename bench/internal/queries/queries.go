// Package queries holds the benchmarks' fixed query shapes, each written for
// our server, PostGraphile 4, PostGraphile 5 and as hand-written SQL: bench/load
// runs them one by one against each target, bench/scaleout mixes them as
// the read load on one or two of our server processes.
package queries

import (
	"encoding/base64"
	"strconv"
)

// Shape is one fixed query shape, written four ways: for our GraphQL API,
// for PostGraphile v4, for PostGraphile 5 and as hand-written SQL returning
// the same data as JSON. Node-shaped queries take the id of a random
// project: ByID is set and each query gets the id as its only variable or
// parameter.
type Shape struct {
	Key, Title string
	// Ours is the query for our server. Its variable, if ByID, is $id
	// (a global id).
	Ours string
	// PostGraphile is the equivalent PostGraphile query ("" when
	// PostGraphile cannot answer it), NA says why not. Its variable, if
	// ByID, is $id (the integer id, a BigInt string).
	PostGraphile, NA string
	// PostGraphile5 is the same for PostGraphile 5 (its amber preset), whose
	// schema differs from v4's: a table's primary key column id is the field
	// rowId (id is the global id), ordered by ROW_ID_ASC, and a row is found
	// by xByRowId(rowId:). "" when it cannot answer (NA says why). Its
	// variable, if ByID, is $id (the integer id, a BigInt string).
	PostGraphile5 string
	// SQL returns one JSON value; its parameter, if ByID, is $1.
	SQL  string
	ByID bool
}

// Shapes are the query shapes, in the order bench/load runs them.
var Shapes = []Shape{
	{
		Key: "flat", Title: "a page of 20 projects",
		Ours:          `{ projects(first: 20) { edges { node { id title sector status amountUsd } } } }`,
		PostGraphile:  `{ allProjects(first: 20, orderBy: ID_ASC) { nodes { id title sector status amountUsd } } }`,
		PostGraphile5: `{ allProjects(first: 20, orderBy: ROW_ID_ASC) { nodes { rowId title sector status amountUsd } } }`,
		SQL: `SELECT coalesce(json_agg(json_build_object('id', p.id, 'title', p.title, 'sector', p.sector, 'status', p.status,
       'amountUsd', p.amount_usd::text) ORDER BY p.id), '[]')
FROM (SELECT id, title, sector, status, amount_usd FROM projects ORDER BY id LIMIT 20) p`,
	},
	{
		Key: "nested", Title: "20 projects with their host country and 5 participants each",
		Ours: `{ projects(first: 20) { edges { node { id title hostCountry { name countryCode } participants(first: 5) { edges { node { name kind } } } } } } }`,
		PostGraphile: `{ allProjects(first: 20, orderBy: ID_ASC) { nodes { id title partnerByHostCountryId { name countryCode }
  projectParticipantsByProjectId(first: 5, orderBy: PARTNER_ID_ASC) { nodes { partnerByPartnerId { name kind } } } } } }`,
		PostGraphile5: `{ allProjects(first: 20, orderBy: ROW_ID_ASC) { nodes { rowId title partnerByHostCountryId { name countryCode }
  projectParticipantsByProjectId(first: 5, orderBy: PARTNER_ID_ASC) { nodes { partnerByPartnerId { name kind } } } } } }`,
		SQL: `SELECT coalesce(json_agg(json_build_object('id', p.id, 'title', p.title,
       'hostCountry', (SELECT json_build_object('name', c.name, 'countryCode', c.country_code) FROM partners c WHERE c.id = p.host_country_id),
       'participants', (SELECT coalesce(json_agg(json_build_object('name', x.name, 'kind', x.kind) ORDER BY x.id), '[]')
                        FROM (SELECT pa.id, pa.name, pa.kind FROM project_participants pp JOIN partners pa ON pa.id = pp.partner_id
                              WHERE pp.project_id = p.id ORDER BY pa.id LIMIT 5) x)) ORDER BY p.id), '[]')
FROM (SELECT id, title, host_country_id FROM projects ORDER BY id LIMIT 20) p`,
	},
	{
		Key: "countries", Title: "10 countries × 10 hosted projects × 5 policies",
		Ours: `{ partners(first: 10, where: {kind: COUNTRY}) { edges { node { name hostedProjects(first: 10) { edges { node { title policies(first: 5) { edges { node { title } } } } } } } } } }`,
		PostGraphile: `{ allPartners(first: 10, orderBy: ID_ASC, filter: {kind: {equalTo: "COUNTRY"}}) { nodes { name
  projectsByHostCountryId(first: 10, orderBy: ID_ASC) { nodes { title
    openingPolicyProjectsByProjectId(first: 5, orderBy: OPENING_POLICY_ID_ASC) { nodes { policyByOpeningPolicyId { title } } } } } } } }`,
		PostGraphile5: `{ allPartners(first: 10, orderBy: ROW_ID_ASC, filter: {kind: {equalTo: "COUNTRY"}}) { nodes { name
  projectsByHostCountryId(first: 10, orderBy: ROW_ID_ASC) { nodes { title
    openingPolicyProjectsByProjectId(first: 5, orderBy: OPENING_POLICY_ID_ASC) { nodes { policyByOpeningPolicyId { title } } } } } } } }`,
		// The policies of the 100 projects come from one query over the
		// join table, as our server does it, not a subquery per project
		// (MATERIALIZED keeps PostgreSQL from running it once per project,
		// which without an index on project_id scanned the whole join
		// table each time).
		SQL: `WITH c AS (
  SELECT id, name FROM partners WHERE kind = 'COUNTRY' ORDER BY id LIMIT 10),
pr AS (
  SELECT c.id AS country_id, p.id, p.title
  FROM c CROSS JOIN LATERAL (SELECT id, title FROM projects WHERE host_country_id = c.id ORDER BY id LIMIT 10) p),
po AS MATERIALIZED (
  SELECT project_id, id, title FROM (
    SELECT opp.project_id, po.id, po.title, row_number() OVER (PARTITION BY opp.project_id ORDER BY po.id) AS n
    FROM pr JOIN opening_policy_projects opp ON opp.project_id = pr.id JOIN policies po ON po.id = opp.opening_policy_id) x
  WHERE n <= 5)
SELECT coalesce(json_agg(json_build_object('name', c.name,
       'hostedProjects', (SELECT coalesce(json_agg(json_build_object('title', pr.title,
            'policies', (SELECT coalesce(json_agg(json_build_object('title', po.title) ORDER BY po.id), '[]') FROM po WHERE po.project_id = pr.id))
            ORDER BY pr.id), '[]') FROM pr WHERE pr.country_id = c.id)) ORDER BY c.id), '[]')
FROM c`,
	},
	{
		Key: "filtered", Title: "green ENERGY projects by amountUsd descending, first 20",
		Ours: `{ projects(first: 20, where: {sector: ENERGY, greenCategoryNEQ: NONE}, orderBy: {field: AMOUNT_USD, direction: DESC}) { edges { node { id title amountUsd } } } }`,
		// ent breaks ties by id in the order's direction; PostGraphile
		// is told to do the same so that both return the same page.
		PostGraphile:  `{ allProjects(first: 20, orderBy: [AMOUNT_USD_DESC, ID_DESC], filter: {sector: {equalTo: "ENERGY"}, greenCategory: {notEqualTo: "NONE"}}) { nodes { id title amountUsd } } }`,
		PostGraphile5: `{ allProjects(first: 20, orderBy: [AMOUNT_USD_DESC, ROW_ID_DESC], filter: {sector: {equalTo: "ENERGY"}, greenCategory: {notEqualTo: "NONE"}}) { nodes { rowId title amountUsd } } }`,
		SQL: `SELECT coalesce(json_agg(json_build_object('id', p.id, 'title', p.title, 'amountUsd', p.amount_usd::text)
       ORDER BY p.amount_usd DESC, p.id DESC), '[]')
FROM (SELECT id, title, amount_usd FROM projects WHERE sector = 'ENERGY' AND green_category <> 'NONE'
      ORDER BY amount_usd DESC, id DESC LIMIT 20) p`,
	},
	{
		Key: "node", Title: "one project by id with its participants and policies", ByID: true,
		// Our server gives a connection without first or last its
		// default page of 20; the others are told 20 explicitly.
		Ours: `query($id: ID!) { node(id: $id) { ... on Project { title participants { edges { node { name } } } policies { edges { node { title } } } } } }`,
		PostGraphile: `query($id: BigInt!) { projectById(id: $id) { title
  projectParticipantsByProjectId(first: 20, orderBy: PARTNER_ID_ASC) { nodes { partnerByPartnerId { name } } }
  openingPolicyProjectsByProjectId(first: 20, orderBy: OPENING_POLICY_ID_ASC) { nodes { policyByOpeningPolicyId { title } } } } }`,
		PostGraphile5: `query($id: BigInt!) { projectByRowId(rowId: $id) { title
  projectParticipantsByProjectId(first: 20, orderBy: PARTNER_ID_ASC) { nodes { partnerByPartnerId { name } } }
  openingPolicyProjectsByProjectId(first: 20, orderBy: OPENING_POLICY_ID_ASC) { nodes { policyByOpeningPolicyId { title } } } } }`,
		SQL: `SELECT json_build_object('title', p.title,
       'participants', (SELECT coalesce(json_agg(json_build_object('name', x.name) ORDER BY x.id), '[]')
                        FROM (SELECT pa.id, pa.name FROM project_participants pp JOIN partners pa ON pa.id = pp.partner_id
                              WHERE pp.project_id = p.id ORDER BY pa.id LIMIT 20) x),
       'policies', (SELECT coalesce(json_agg(json_build_object('title', x.title) ORDER BY x.id), '[]')
                    FROM (SELECT po.id, po.title FROM opening_policy_projects opp JOIN policies po ON po.id = opp.opening_policy_id
                          WHERE opp.project_id = p.id ORDER BY po.id LIMIT 20) x))
FROM projects p WHERE p.id = $1`,
	},
	{
		Key: "stats", Title: "projectStats by sector and commitment year over all projects",
		Ours: `{ projectStats(groupBy: [SECTOR, COMMITMENT_YEAR]) { total { count sum } groups { key { sector commitmentYear } count sum avg } } }`,
		NA:   "n/a (no aggregates without plugins)",
		// One scan: the total is the sum of the groups, which come in
		// our default order (by key, groups without a value last).
		SQL: `SELECT json_build_object(
       'total', json_build_object('count', coalesce(sum(g.n), 0), 'sum', sum(g.s)::text),
       'groups', coalesce(json_agg(json_build_object('key', json_build_object('sector', g.sector, 'commitmentYear', g.commitment_year),
                 'count', g.n, 'sum', g.s::text, 'avg', g.a::text)
                 ORDER BY g.sector NULLS LAST, g.commitment_year NULLS LAST), '[]'))
FROM (SELECT sector, commitment_year, count(*) AS n, sum(amount_usd) AS s, avg(amount_usd) AS a
      FROM projects GROUP BY sector, commitment_year) g`,
	},
	{
		Key: "participations", Title: "10 enterprises and financial institutions × 10 participations with their project",
		// A partner's participations, one per role it plays in a project,
		// in the order of their ids (our connection's default order).
		Ours: `{ partners(first: 10, where: {kindIn: [ENTERPRISE, FINANCIAL_INSTITUTION]}) { edges { node { name participations(first: 10) { edges { node { role project { title } } } } } } } }`,
		PostGraphile: `{ allPartners(first: 10, orderBy: ID_ASC, filter: {kind: {in: ["ENTERPRISE", "FINANCIAL_INSTITUTION"]}}) { nodes { name
  projectParticipantsByPartnerId(first: 10, orderBy: ID_ASC) { nodes { role projectByProjectId { title } } } } } }`,
		PostGraphile5: `{ allPartners(first: 10, orderBy: ROW_ID_ASC, filter: {kind: {in: ["ENTERPRISE", "FINANCIAL_INSTITUTION"]}}) { nodes { name
  projectParticipantsByPartnerId(first: 10, orderBy: ROW_ID_ASC) { nodes { role projectByProjectId { title } } } } } }`,
		SQL: `SELECT coalesce(json_agg(json_build_object('name', pa.name,
       'participations', (SELECT coalesce(json_agg(json_build_object('role', x.role, 'project', json_build_object('title', x.title)) ORDER BY x.id), '[]')
                          FROM (SELECT pp.id, pp.role, pr.title FROM project_participants pp JOIN projects pr ON pr.id = pp.project_id
                                WHERE pp.partner_id = pa.id ORDER BY pp.id LIMIT 10) x)) ORDER BY pa.id), '[]')
FROM (SELECT id, name FROM partners WHERE kind IN ('ENTERPRISE', 'FINANCIAL_INSTITUTION') ORDER BY id LIMIT 10) pa`,
	},
}

// GlobalID is our server's global id of a row: base64 of "Type:id".
func GlobalID(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}
