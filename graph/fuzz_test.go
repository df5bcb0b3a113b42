package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/graph"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// FuzzHandler sends the real HTTP handler, over a small SQLite database,
// GraphQL requests built from the fuzz input: documents drawn from the
// schema (fields, arguments with valid and invalid values, variables,
// aliases, named and inline fragments, @include and @skip, queries and
// mutations), or the input itself as the query text or as the JSON body.
// Invariants: the handler does not panic; the status is below 500; a JSON
// answer has data or errors and no error is INTERNAL_SERVER_ERROR; a
// mutation that answered errors wrote nothing (the audit log, the API keys
// and the row counts are unchanged); the server still answers
// { __typename } afterwards.
func FuzzHandler(f *testing.F) {
	h := newFuzzHandler(f)
	for _, seed := range []string{
		"\x02\x00\x01\x02\x03\x04\x05\x06\x07",
		"\x03\x01\x00\x00\x05\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a",
		"\x04\x02\x07\x01\x03\x03\x09\x02\x00\x01\x01\x08\x0b\x0d",
		"\x05\x01\x03\xff\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0",
		"\x06\x03\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05",
		"\x00{ projects(first: 2, where: {titleContains: \"coal\"}) { edges { cursor node { id title amount } } } }",
		"\x00query Q($n: Int, $a: Cursor) { partners(first: $n, after: $a) { totalCount pageInfo { endCursor } } }",
		"\x00{ node(id: \"UHJvamVjdDox\") { id ... on Project { title policies(first: 1, after: \"gqF27aF270\") { totalCount } } } }",
		"\x00mutation { createPolicy(input: {title: \"\", level: NATIONAL, category: OTHER}) { id } }",
		"\x00fragment F on Partner { name } { partners(first: 1) { edges { node { ...F @skip(if: false) } } } }",
		"\x01{\"query\":\"query($d: Date) { projects(first: 1, where: {signedOnGTE: $d}) { totalCount } }\",\"variables\":{\"d\":\"2023-02-29\"}}",
		"\x01{\"query\":\"{ __typename }\",\"operationName\":\"nope\"}",
		"\x01{\"query\":1}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h.check(t, data)
	})
}

// fuzzHandler is the server and the values documents are built from.
type fuzzHandler struct {
	s       *apitest.Server
	db      *apitest.DB
	schema  *ast.Schema
	client  *http.Client
	ids     []string // global ids of the fixture's nodes
	cursors []string // cursors the server gave out
}

func newFuzzHandler(f *testing.F) *fuzzHandler {
	db := apitest.OpenSQLite(f)
	fuzzFixture(f, db)
	s := apitest.NewServer(f, db, func(o *httpapi.Options) {
		o.Limits.MaxComplexity = 5000
	})
	h := &fuzzHandler{
		s: s, db: db,
		schema: graph.NewExecutableSchema(graph.Config{}).Schema(),
		client: &http.Client{},
	}
	var out struct {
		Projects, Partners, Policies struct {
			Edges []struct {
				Cursor string
				Node   struct{ ID string }
			}
		}
	}
	page := "(first: 5) { edges { cursor node { id } } }"
	s.MustOK("{ projects"+page+" partners"+page+" policies"+page+" }", nil, &out)
	for _, c := range [][]struct {
		Cursor string
		Node   struct{ ID string }
	}{out.Projects.Edges, out.Partners.Edges, out.Policies.Edges} {
		for _, e := range c {
			h.ids = append(h.ids, e.Node.ID)
			h.cursors = append(h.cursors, e.Cursor)
		}
	}
	return h
}

// fuzzFixture writes a few partners, projects and policies.
func fuzzFixture(t testing.TB, db *apitest.DB) {
	ctx := auth.SystemContext(context.Background(), "fuzz fixture")
	c := db.Client
	kaz := c.Partner.Create().SetName("Kazakhstan").SetKind(partner.KindCOUNTRY).SetCountryCode("KAZ").SetRegion(partner.RegionASIA).SaveX(ctx)
	pak := c.Partner.Create().SetName("Pakistan").SetKind(partner.KindCOUNTRY).SetCountryCode("PAK").SetRegion(partner.RegionASIA).SaveX(ctx)
	exim := c.Partner.Create().SetName("Export-Import Bank of China").SetKind(partner.KindFINANCIAL_INSTITUTION).SetLocalName("").SaveX(ctx)
	almaty := c.Project.Create().SetTitle("Almaty assembly centre").SetSector(project.SectorLOGISTICS).SetStatus(project.StatusOPERATIONAL).
		SetHostCountryID(kaz.ID).SetAmount(scalar.MustParseDecimal("120000000")).SetCurrency("USD").SetAmountUsd(scalar.MustParseDecimal("120000000")).
		SetCommitmentYear(2019).SaveX(ctx)
	sahiwal := c.Project.Create().SetTitle("Sahiwal coal power plant").SetSector(project.SectorENERGY).SetStatus(project.StatusCOMPLETED).
		SetHostCountryID(pak.ID).SetAmount(scalar.MustParseDecimal("1912000000.5")).SetCurrency("USD").
		SetSignedOn(scalar.MustParseDate("2014-05-01")).SaveX(ctx)
	c.ProjectParticipant.Create().SetProjectID(sahiwal.ID).SetPartnerID(exim.ID).SetRole(projectparticipant.RoleFINANCIER).SaveX(ctx)
	c.ProjectParticipant.Create().SetProjectID(almaty.ID).SetPartnerID(kaz.ID).SetRole(projectparticipant.RoleHOST_GOVERNMENT).SaveX(ctx)
	c.OpeningPolicy.Create().SetTitle("China (Shandong) Pilot Free Trade Zone").SetLevel(openingpolicy.LevelNATIONAL).
		SetCategory(openingpolicy.CategoryFREE_TRADE_ZONE).SetIssuedOn(scalar.MustParseDate("2019-08-26")).
		AddProjectIDs(almaty.ID).AddPartnerIDs(kaz.ID).SaveX(ctx)
	_ = t
}

// fingerprint changes with every write a request can make.
func (h *fuzzHandler) fingerprint(t *testing.T) string {
	t.Helper()
	var fp string
	err := h.db.SQL.QueryRow(`SELECT
		(SELECT COALESCE(MAX(id), 0) FROM audit_events) || ',' ||
		(SELECT COUNT(*) FROM api_keys) || ',' || (SELECT COUNT(revoked_at) FROM api_keys) || ',' ||
		(SELECT COUNT(*) FROM projects) || ',' || (SELECT COUNT(*) FROM partners) || ',' ||
		(SELECT COUNT(*) FROM policies) || ',' || (SELECT COUNT(*) FROM project_participants)`).Scan(&fp)
	if err != nil {
		t.Fatalf("fingerprint: %v", err)
	}
	return fp
}

func (h *fuzzHandler) post(t *testing.T, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.s.AdminKey)
	res, err := h.client.Do(req)
	if err != nil {
		t.Fatalf("the server did not answer %s: %v", body, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading the answer to %s: %v", body, err)
	}
	return res.StatusCode, raw
}

func (h *fuzzHandler) check(t *testing.T, data []byte) {
	body, mutation := h.request(data)
	before := h.fingerprint(t)
	status, raw := h.post(t, body)
	if status >= 500 {
		t.Fatalf("status %d for %s: %s", status, body, raw)
	}
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Path       []any          `json:"path"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		if status >= 400 && !json.Valid(raw) {
			// a 4xx before GraphQL, such as a malformed JSON body, may be plain text
			return
		}
		t.Fatalf("status %d, not a GraphQL response for %s: %s", status, body, raw)
	}
	if res.Data == nil && res.Errors == nil {
		t.Fatalf("status %d, neither data nor errors for %s: %s", status, body, raw)
	}
	for _, e := range res.Errors {
		if e.Extensions["code"] == "INTERNAL_SERVER_ERROR" || e.Message == "internal system error" {
			t.Fatalf("INTERNAL_SERVER_ERROR for %s: %s", body, raw)
		}
	}
	if mutation && len(res.Errors) > 0 {
		if after := h.fingerprint(t); after != before {
			t.Fatalf("a mutation that answered errors wrote (%s → %s): %s: %s", before, after, body, raw)
		}
	}
	status, raw = h.post(t, []byte(`{"query":"{ __typename }"}`))
	if status != http.StatusOK || !bytes.Contains(raw, []byte(`"Query"`)) {
		t.Fatalf("after %s the server answers { __typename } with %d %s", body, status, raw)
	}
}

// request builds the JSON body from the input, and says whether it may
// hold a mutation.
func (h *fuzzHandler) request(data []byte) ([]byte, bool) {
	if len(data) == 0 {
		data = []byte{2}
	}
	mode, rest := data[0]%8, data[1:]
	switch mode {
	case 0: // the bytes as the query text
		body, _ := json.Marshal(map[string]any{"query": string(rest)})
		return body, bytes.Contains(rest, []byte("mutation"))
	case 1: // the bytes as the body
		return rest, bytes.Contains(rest, []byte("mutation"))
	}
	g := &docGen{h: h, in: rest, vars: map[string]any{}}
	doc := g.document(mode == 7)
	body, err := json.Marshal(map[string]any{"query": doc, "variables": g.vars})
	if err != nil {
		panic(err)
	}
	return body, mode == 7
}

// docGen draws a document from the schema, each choice taken from the next
// input byte (0 once the input is used up, which ends lists and recursion).
type docGen struct {
	h       *fuzzHandler
	in      []byte
	vars    map[string]any
	varDefs []string
	frags   []string
	nfrag   int
	useVars bool
}

func (g *docGen) byte() byte {
	if len(g.in) == 0 {
		return 0
	}
	b := g.in[0]
	g.in = g.in[1:]
	return b
}

func (g *docGen) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return int(g.byte()) % n
}

// chance is true about k times in 16, and never once the input is used up.
func (g *docGen) chance(k int) bool {
	if len(g.in) == 0 {
		return false
	}
	return int(g.byte()%16) < k
}

// rare is true about once in n, and never once the input is used up.
func (g *docGen) rare(n int) bool { return g.intn(n) == n-1 }

func (g *docGen) document(mutation bool) string {
	g.useVars = g.chance(8)
	root := g.h.schema.Query
	op := "query"
	if mutation && g.h.schema.Mutation != nil {
		root, op = g.h.schema.Mutation, "mutation"
	}
	sel := g.selectionSet(root, 0, 1+g.intn(2))
	var b strings.Builder
	if len(g.varDefs) > 0 || g.chance(4) {
		b.WriteString(op + " Fuzz")
		if len(g.varDefs) > 0 {
			b.WriteString("(" + strings.Join(g.varDefs, ", ") + ")")
		}
		b.WriteString(" ")
	} else if mutation {
		b.WriteString("mutation ")
	}
	b.WriteString(sel)
	for _, f := range g.frags {
		b.WriteString("\n" + f)
	}
	return b.String()
}

// selectionSet selects up to n fields of the composite type def.
func (g *docGen) selectionSet(def *ast.Definition, depth, n int) string {
	var parts []string
	if def.Kind == ast.Union {
		for i := 0; i < max(n, 1); i++ {
			t := g.h.schema.Types[def.Types[g.intn(len(def.Types))]]
			parts = append(parts, "... on "+t.Name+" "+g.selectionSet(t, depth+1, 1+g.intn(2)))
		}
		parts = append(parts, "__typename")
		return "{ " + strings.Join(parts, " ") + " }"
	}
	fields := def.Fields
	for i := 0; i < n; i++ {
		switch k := g.intn(16); {
		case k == 0:
			parts = append(parts, "__typename")
			continue
		case k == 1 && depth > 0: // an inline fragment on the type itself or a possible type
			t := def
			if def.Kind == ast.Interface {
				if ps := g.h.schema.GetPossibleTypes(def); len(ps) > 0 {
					t = ps[g.intn(len(ps))]
				}
			}
			parts = append(parts, "... on "+t.Name+g.directives()+" "+g.selectionSet(t, depth+1, 1+g.intn(2)))
			continue
		case k == 2 && depth > 0 && g.nfrag < 3: // a named fragment
			g.nfrag++
			name := fmt.Sprintf("F%d", g.nfrag)
			body := g.selectionSet(def, depth+1, 1+g.intn(2))
			g.frags = append(g.frags, "fragment "+name+" on "+def.Name+" "+body)
			parts = append(parts, "..."+name+g.directives())
			continue
		}
		if len(fields) == 0 {
			break
		}
		fd := fields[g.intn(len(fields))]
		if strings.HasPrefix(fd.Name, "__") {
			continue
		}
		parts = append(parts, g.field(fd, depth))
	}
	if len(parts) == 0 {
		parts = append(parts, "__typename")
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

func (g *docGen) field(fd *ast.FieldDefinition, depth int) string {
	var b strings.Builder
	if g.chance(3) {
		fmt.Fprintf(&b, "a%d: ", g.intn(4))
	}
	b.WriteString(fd.Name)
	var args []string
	for _, a := range fd.Arguments {
		if a.Type.NonNull || g.chance(7) {
			args = append(args, a.Name+": "+g.value(a.Type, a.Name, 0))
		}
	}
	if g.chance(1) { // an argument the field does not have
		args = append(args, "nope: 1")
	}
	if len(args) > 0 {
		b.WriteString("(" + strings.Join(args, ", ") + ")")
	}
	b.WriteString(g.directives())
	t := g.h.schema.Types[fd.Type.Name()]
	if t != nil && (t.Kind == ast.Object || t.Kind == ast.Interface || t.Kind == ast.Union) {
		if depth >= 4 {
			b.WriteString(" { __typename }")
		} else {
			b.WriteString(" " + g.selectionSet(t, depth+1, 1+g.intn(3)))
		}
	} else if g.chance(1) {
		b.WriteString(" { id }") // a selection on a leaf
	}
	return b.String()
}

func (g *docGen) directives() string {
	switch g.intn(12) {
	case 0:
		return " @include(if: " + g.value(&ast.Type{NamedType: "Boolean", NonNull: true}, "if", 0) + ")"
	case 1:
		return " @skip(if: " + g.value(&ast.Type{NamedType: "Boolean", NonNull: true}, "if", 0) + ")"
	case 2:
		return " @skip(if: true) @include(if: true)"
	case 3:
		return " @deprecated"
	}
	return ""
}

// value writes a value of type t, or sometimes a wrong one, as a literal
// or as a variable.
func (g *docGen) value(t *ast.Type, name string, depth int) string {
	if g.useVars && depth == 0 && g.chance(5) {
		v := fmt.Sprintf("v%d", len(g.varDefs))
		typ := t.String()
		if g.chance(1) { // a variable of another type than the argument's
			typ = []string{"String", "Int", "[ID!]", "Boolean!", "Nope"}[g.intn(5)]
		}
		g.varDefs = append(g.varDefs, "$"+v+": "+typ)
		if !g.chance(2) {
			g.vars[v] = g.jsonValue(t, depth)
		}
		return "$" + v
	}
	return literal(g.jsonValueLit(t, depth))
}

// enumLit is an enum value: a name, unquoted in a literal.
type enumLit string

func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case enumLit:
		return string(v)
	case string:
		return strconv.Quote(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = literal(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the same input, the same document
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + literal(v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	default:
		return fmt.Sprint(v)
	}
}

func (g *docGen) jsonValueLit(t *ast.Type, depth int) any { return g.gen(t, depth, true) }

func (g *docGen) jsonValue(t *ast.Type, depth int) any {
	v := g.gen(t, depth, false)
	return plain(v)
}

// plain turns enum literals into strings, for JSON variables.
func plain(v any) any {
	switch v := v.(type) {
	case enumLit:
		return string(v)
	case []any:
		for i := range v {
			v[i] = plain(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = plain(v[k])
		}
	}
	return v
}

var oddStrings = []string{
	"", "a", "coal", "Kazakhstan", "国发〔2019〕16号", "O'Brien \"quoted\" \\ back",
	"line\nbreak\ttab", "%_", "' OR 1=1 --", "\u202eRTL", "😀", "\x7f", "null", "0", "-1",
	"aiddata:1", "KAZ", "kaz", "USD", "https://example.org/a?b=c", strings.Repeat("x", 501),
}

var oddInts = []string{"0", "1", "-1", "2", "5", "20", "100", "101", "2147483647", "2147483648", "-2147483649", "99999999999999999999", "1e3", "1.5"}

func (g *docGen) gen(t *ast.Type, depth int, lit bool) any {
	if !t.NonNull && g.chance(1) {
		return nil
	}
	if t.NonNull && g.rare(64) {
		return nil // null where it may not be
	}
	if t.Elem != nil {
		if g.chance(2) { // a single value where a list is wanted: coerced
			return g.gen(t.Elem, depth, lit)
		}
		n := g.intn(4)
		list := make([]any, 0, n)
		for i := 0; i < n; i++ {
			list = append(list, g.gen(t.Elem, depth+1, lit))
		}
		return list
	}
	if g.rare(32) { // a value of another kind
		return []any{json.Number("1"), "x", true, map[string]any{}}[g.intn(4)]
	}
	switch name := t.NamedType; name {
	case "Int":
		return json.Number(oddInts[g.intn(len(oddInts))])
	case "Float":
		return json.Number([]string{"0", "1.5", "-1e308", "1e309", "3"}[g.intn(5)])
	case "Boolean":
		return g.chance(8)
	case "String":
		return oddStrings[g.intn(len(oddStrings))]
	case "ID":
		if g.chance(10) && len(g.h.ids) > 0 {
			return g.h.ids[g.intn(len(g.h.ids))]
		}
		return []string{"", "1", "UHJvamVjdDox", "UGFydG5lcjox", "UHJvamVjdDo5OTk5OTk5OTk5OTk5", "UHJvamVjdDotMQ", "!!", "UG9saWN5OjE"}[g.intn(8)]
	case "Cursor":
		if g.chance(10) && len(g.h.cursors) > 0 {
			return g.h.cursors[g.intn(len(g.h.cursors))]
		}
		return []string{"", "gaFpAQ", "gqF27aF270", "gqFpA6F2oA", "gaFp0wAAAAAAAAAA", "not a cursor", "////"}[g.intn(7)]
	case "Decimal":
		return []string{"0", "1234567.89", "-0.01", "1e9", "1,000", "999999999999999999999999999999", "9999999999999999999999999999999", "0.1234567890123456789", ""}[g.intn(9)]
	case "Date":
		return []string{"2024-02-29", "2023-02-29", "0000-01-01", "9999-12-31", "2024-2-9", "", "2014-05-01T00:00:00Z"}[g.intn(7)]
	case "Time":
		return []string{"2024-02-29T12:00:00Z", "2024-02-29", "0001-01-01T00:00:00Z", "x", "2024-02-29T12:00:00+14:00"}[g.intn(5)]
	case "JSON":
		return []any{map[string]any{"type": "Point", "coordinates": []any{json.Number("1"), json.Number("2")}}, "x", json.Number("1"), []any{}}[g.intn(4)]
	}
	def := g.h.schema.Types[t.NamedType]
	if def == nil {
		return "?"
	}
	switch def.Kind {
	case ast.Enum:
		if g.rare(16) {
			return enumLit("NOT_A_VALUE")
		}
		return enumLit(def.EnumValues[g.intn(len(def.EnumValues))].Name)
	case ast.InputObject:
		obj := map[string]any{}
		if depth > 3 {
			return obj
		}
		for _, f := range def.Fields {
			if f.Type.NonNull || g.chance(3) {
				obj[f.Name] = g.gen(f.Type, depth+1, lit)
			}
		}
		if g.rare(32) {
			obj["nope"] = true
		}
		return obj
	}
	return "?"
}
