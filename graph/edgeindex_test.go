package graph_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/ent/auditevent"
	"github.com/bri-tracker/bri-tracker/ent/privacy"
	"github.com/bri-tracker/bri-tracker/graph"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/audit"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/webhook"
	"github.com/vektah/gqlparser/v2/ast"
)

// connectionEdge is a field of an object type that pages another type:
// Parent.Field returns a Child connection.
type connectionEdge struct {
	Parent, Field, Child string
}

// connectionEdges lists every connection field of the schema's object types
// (Query's excepted: those are the roots), in name order.
func connectionEdges(s *ast.Schema) []connectionEdge {
	var edges []connectionEdge
	for name, def := range s.Types {
		if def.Kind != ast.Object || name == "Query" || name == "Mutation" || name == "Subscription" || strings.HasPrefix(name, "__") {
			continue
		}
		for _, f := range def.Fields {
			if child, ok := connectionOf(s, f.Type); ok {
				edges = append(edges, connectionEdge{name, f.Name, child})
			}
		}
	}
	slices.SortFunc(edges, func(a, b connectionEdge) int {
		return strings.Compare(a.Parent+"."+a.Field, b.Parent+"."+b.Field)
	})
	return edges
}

// connectionOf tells whether t is a Relay connection, and of which type.
func connectionOf(s *ast.Schema, t *ast.Type) (string, bool) {
	name := t.Name()
	if !strings.HasSuffix(name, "Connection") || s.Types[name] == nil {
		return "", false
	}
	edges := s.Types[name].Fields.ForName("edges")
	if edges == nil {
		return "", false
	}
	node := s.Types[edges.Type.Name()].Fields.ForName("node")
	if node == nil {
		return "", false
	}
	return node.Type.Name(), true
}

// rootOf returns the Query field that pages a type with no required
// argument.
func rootOf(s *ast.Schema, typ string) string {
	for _, f := range s.Query.Fields {
		child, ok := connectionOf(s, f.Type)
		if !ok || child != typ {
			continue
		}
		required := false
		for _, a := range f.Arguments {
			required = required || (a.Type.NonNull && a.DefaultValue == nil)
		}
		if !required {
			return f.Name
		}
	}
	return ""
}

// TestEveryEdgeReadsAnIndexInOrder: every connection edge of the schema
// has an index that serves its default order per parent. For each edge, a
// three-level page (a root page of ten parents, the edge's page under every
// parent, and under every child the page of one of its own edges) is run
// through the HTTP handler on PostgreSQL; every statement that pages an
// edge per parent is then explained with its arguments (sequential and
// bitmap scans off, so the tiny fixture does not hide a missing index): it
// must find each parent's rows by an index condition and sort nothing.
func TestEveryEdgeReadsAnIndexInOrder(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	edges := connectionEdges(schema)
	// Every edge a Node type has must be covered; the list guards against
	// the walk silently finding nothing.
	var names []string
	for _, e := range edges {
		names = append(names, e.Parent+"."+e.Field)
	}
	wantNames := []string{
		"Partner.history", "Partner.hostedProjects", "Partner.members", "Partner.participations", "Partner.policies", "Partner.projects",
		"Policy.history", "Policy.partners", "Policy.projects", "Policy.supersedes",
		"Project.components", "Project.history", "Project.participants", "Project.participations", "Project.policies",
		"Webhook.deliveries",
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("connection edges %v, want %v", names, wantNames)
	}

	db := apitest.OpenPostgres(t)
	newFixture(t, db.Client)
	webhookFixture(t, db.Client)
	s := apitest.NewServer(t, db)
	admin := s.NewKey("edge-index-walk", apikey.RoleADMIN, nil) // history is for callers with a key
	conn := apitest.IndexOnlyConn(t, db)

	for _, e := range edges {
		t.Run(e.Parent+"."+e.Field, func(t *testing.T) {
			root := rootOf(schema, e.Parent)
			if root == "" {
				t.Fatalf("no root connection pages %s", e.Parent)
			}
			// the third level: the child's first edge in name order
			third := ""
			for _, f := range edges {
				if f.Parent == e.Child {
					third = fmt.Sprintf("%s(first: 3) { edges { node { id } } }", f.Field)
					break
				}
			}
			query := fmt.Sprintf(`{ %s(first: 10) { edges { node { id %s(first: 3) { edges { node { id %s } } } } } } }`, root, e.Field, third)
			s.DB.Counter.Reset()
			res := s.DoAs(admin, query, nil)
			if len(res.Errors) > 0 {
				t.Fatalf("%s: %v", query, res.Errors)
			}
			stmts, args := s.DB.Counter.Statements(), s.DB.Counter.Args()
			paged := 0
			for i, q := range stmts {
				if !strings.Contains(q, "LATERAL") {
					continue
				}
				paged++
				list, _ := args[i].([]any)
				plan := apitest.Explain(t, conn, q, list...)
				if page := perParentPage(plan); page == "" || strings.Contains(page, "Sort") || !parentIndexCond.MatchString(page) {
					t.Errorf("a page per parent does not read an index in order:\n%s\n%s", q, plan)
				}
			}
			// the edge's own page; the third level's pages come when the
			// fixture gives the edge children
			if paged == 0 {
				t.Errorf("no statement pages %s per parent:\n%s", e.Field, strings.Join(stmts, "\n"))
			}
		})
	}
}

// parentIndexCond matches a scan that finds a parent's rows by an index
// condition on the parent's key.
var parentIndexCond = regexp.MustCompile(`Index (Only )?Scan .*\n\s+Index Cond: .*\(\w+ = parent_keys\.parent_key\)`)

// perParentPage returns the part of a plan that reads one parent's page:
// the subtree of its first Limit node under the loop over the parents'
// keys (the statement then orders the pages' few rows by parent, which is
// no sort of the child table).
func perParentPage(plan string) string {
	lines := strings.Split(plan, "\n")
	for i, l := range lines {
		if !strings.Contains(l, "->  Limit") {
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " "))
		sub := []string{l}
		for _, c := range lines[i+1:] {
			if len(c)-len(strings.TrimLeft(c, " ")) <= indent {
				break
			}
			sub = append(sub, c)
		}
		return strings.Join(sub, "\n")
	}
	return ""
}

// webhookFixture adds two webhooks, each with a delivery of every audit
// event so far.
func webhookFixture(t *testing.T, c *ent.Client) {
	t.Helper()
	ctx := auth.SystemContext(context.Background(), "test fixture")
	events, err := c.AuditEvent.Query().Order(ent.Asc(auditevent.FieldID)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		w, err := c.Webhook.Create().SetURL(fmt.Sprintf("https://93.184.216.34/hook/%d", i)).
			SetEvents(audit.Kinds).SetSecret(webhook.NewSecret()).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var rows []*ent.WebhookDeliveryCreate
		for _, e := range events {
			rows = append(rows, c.WebhookDelivery.Create().SetWebhookID(w.ID).SetAuditEventID(e.ID).
				SetEvent(audit.KindOf(e.EntityType.String(), e.Operation.String())).SetNextAttemptAt(time.Now()))
		}
		if err := c.WebhookDelivery.CreateBulk(rows...).Exec(privacy.DecisionContext(ctx, privacy.Allow)); err != nil {
			t.Fatal(err)
		}
	}
}
