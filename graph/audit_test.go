package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

// TestAuditTrail: a create, an update and a delete leave three events with
// the actor and the exact old and new values, readable after the delete.
func TestAuditTrail(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		editor := s.NewKey("qingdao-port-sync", apikey.RoleEDITOR, nil)
		var created struct{ CreateProject struct{ ID string } }
		res := s.DoAs(editor, `mutation($kaz: ID!, $fta: ID!) { createProject(input: {title: "Khorgos dry port", sector: LOGISTICS, status: SIGNED,
			amount: "150000000.50", currency: "USD", signedOn: "2020-03-01", hostCountryID: $kaz, policyIDs: [$fta]}) { id } }`,
			map[string]any{"kaz": gid(f.kaz.ID), "fta": gid(f.fta.ID)})
		mustData(t, res, &created)
		id := created.CreateProject.ID
		res = s.DoAs(editor, `mutation($id: ID!, $fta: ID!) { updateProject(id: $id, input: {status: UNDER_CONSTRUCTION, amount: "150000000.75", clearSignedOn: true, city: "Khorgos", removePolicyIDs: [$fta]}) { id } }`,
			map[string]any{"id": id, "fta": gid(f.fta.ID)})
		mustData(t, res, nil)
		// an update that changes nothing records nothing
		mustData(t, s.DoAs(editor, `mutation($id: ID!) { updateProject(id: $id, input: {city: "Khorgos"}) { id } }`, map[string]any{"id": id}), nil)
		mustData(t, s.Do(`mutation($id: ID!) { deleteProject(id: $id) { deletedID } }`, map[string]any{"id": id}), nil)

		const q = `query($id: ID!) { auditEvents(where: {entityType: Project, entityID: $id}) { totalCount edges { node {
			actorName actorRole operation entityType entityID changes { field old new } } } } }`
		res = s.DoAs(editor, q, map[string]any{"id": id})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		jsonEq(t, res.Data, `{"auditEvents":{"totalCount":3,"edges":[
			{"node":{"actorName":"qingdao-port-sync","actorRole":"EDITOR","operation":"CREATE","entityType":"Project","entityID":"$id","changes":[
				{"field":"title","old":null,"new":"Khorgos dry port"},
				{"field":"sector","old":null,"new":"LOGISTICS"},
				{"field":"status","old":null,"new":"SIGNED"},
				{"field":"greenCategory","old":null,"new":"NONE"},
				{"field":"amount","old":null,"new":"150000000.5"},
				{"field":"currency","old":null,"new":"USD"},
				{"field":"signedOn","old":null,"new":"2020-03-01"},
				{"field":"hostCountryID","old":null,"new":"$kaz"},
				{"field":"countsInAggregates","old":null,"new":true},
				{"field":"umbrella","old":null,"new":false},
				{"field":"policiesAdded","old":null,"new":["$fta"]}]}},
			{"node":{"actorName":"qingdao-port-sync","actorRole":"EDITOR","operation":"UPDATE","entityType":"Project","entityID":"$id","changes":[
				{"field":"status","old":"SIGNED","new":"UNDER_CONSTRUCTION"},
				{"field":"amount","old":"150000000.5","new":"150000000.75"},
				{"field":"city","old":null,"new":"Khorgos"},
				{"field":"signedOn","old":"2020-03-01","new":null},
				{"field":"policiesRemoved","old":null,"new":["$fta"]}]}},
			{"node":{"actorName":"test-admin","actorRole":"ADMIN","operation":"DELETE","entityType":"Project","entityID":"$id","changes":[
				{"field":"amount","old":"150000000.75","new":null},
				{"field":"city","old":"Khorgos","new":null},
				{"field":"countsInAggregates","old":true,"new":null},
				{"field":"currency","old":"USD","new":null},
				{"field":"greenCategory","old":"NONE","new":null},
				{"field":"hostCountryID","old":"$kaz","new":null},
				{"field":"sector","old":"LOGISTICS","new":null},
				{"field":"status","old":"UNDER_CONSTRUCTION","new":null},
				{"field":"title","old":"Khorgos dry port","new":null}]}}]}}`,
			"$id", id, "$kaz", gid(f.kaz.ID), "$fta", gid(f.fta.ID))

		// the same events as the history of a partner that still exists, and filters
		var h struct {
			Node struct {
				History struct{ TotalCount int }
			}
			ByActor, Deletes, Recent, Seed struct{ TotalCount int }
		}
		mustData(t, s.DoAs(editor, `query($kaz: ID!) {
			node(id: $kaz) { ... on Partner { history { totalCount } } }
			byActor: auditEvents(where: {actorName: "qingdao-port-sync"}) { totalCount }
			deletes: auditEvents(where: {operation: DELETE}) { totalCount }
			recent: auditEvents(where: {atGT: "2000-01-01T00:00:00Z", entityType: Project}) { totalCount }
			seed: auditEvents(where: {actorRole: SYSTEM, entityType: Partner}) { totalCount }
		}`, map[string]any{"kaz": gid(f.kaz.ID)}), &h)
		if h.Node.History.TotalCount != 1 || h.ByActor.TotalCount != 2 || h.Deletes.TotalCount != 1 || h.Recent.TotalCount != 4+3 || h.Seed.TotalCount != 7 {
			t.Fatalf("history and filters: %+v", h)
		}
		// the audit trail is for callers with a key
		if res := s.DoAs("", `{ auditEvents { totalCount } }`, nil); len(res.Errors) != 1 || res.Errors[0].Code() != "UNAUTHENTICATED" {
			t.Fatalf("anonymous audit read: %+v", res.Errors)
		}
	})
}

func mustData(t *testing.T, res *apitest.Response, v any) {
	t.Helper()
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	if v != nil {
		if err := jsonUnmarshal(res.Data, v); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHistoryUnderLists: history under a list of objects costs a bounded
// number of statements, and each object gets its own first page.
func TestHistoryUnderLists(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		seedGrid(t, db.Client, 5, 3, 1) // 5 countries, 15 projects, each created by the system
		s := apitest.NewServer(t, db)
		for i := range 3 { // three more events on one project
			res := s.Do(`mutation($c: String!) { updateProjects: updateProject(id: "`+firstProjectID(t, s)+`", input: {city: $c}) { id } }`, map[string]any{"c": fmt.Sprint("city ", i)})
			mustData(t, res, nil)
		}
		db.Counter.Reset()
		var out struct {
			Projects struct {
				Edges []struct {
					Node struct {
						Title   string
						History struct {
							TotalCount int
							PageInfo   struct{ HasNextPage bool }
							Edges      []struct{ Node struct{ Operation string } }
						}
					}
				}
			}
		}
		mustData(t, s.DoAs(s.AdminKey, `{ projects(first: 15, orderBy: {field: TITLE}) { edges { node { title history(first: 2) { totalCount pageInfo { hasNextPage } edges { node { operation } } } } } } }`, nil), &out)
		if n := db.Counter.Count(); n > 3+1 { // projects, counts, pages (+ the key lookup)
			t.Fatalf("%d statements for 15 histories", n)
		}
		for _, q := range db.Counter.Statements() {
			if strings.Contains(q, "ROW_NUMBER()") && !strings.HasSuffix(strings.ReplaceAll(q, "\"", "`"), "`row_number`") {
				t.Errorf("the pages of history come in no stated order: %s", q)
			}
		}
		if len(out.Projects.Edges) != 15 {
			t.Fatalf("%d projects", len(out.Projects.Edges))
		}
		updated := 0
		for _, e := range out.Projects.Edges {
			h := e.Node.History
			switch h.TotalCount {
			case 1:
				if len(h.Edges) != 1 || h.PageInfo.HasNextPage || h.Edges[0].Node.Operation != "CREATE" {
					t.Fatalf("%s: %+v", e.Node.Title, h)
				}
			case 4:
				updated++
				if len(h.Edges) != 2 || !h.PageInfo.HasNextPage || h.Edges[0].Node.Operation != "CREATE" || h.Edges[1].Node.Operation != "UPDATE" {
					t.Fatalf("%s: %+v", e.Node.Title, h)
				}
			default:
				t.Fatalf("%s: %d events", e.Node.Title, h.TotalCount)
			}
		}
		if updated != 1 {
			t.Fatalf("%d projects with 4 events", updated)
		}
	})
}

func firstProjectID(t *testing.T, s *apitest.Server) string {
	t.Helper()
	var out struct {
		Projects struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	s.MustOK(`{ projects(first: 1, orderBy: {field: TITLE}) { edges { node { id } } } }`, nil, &out)
	return out.Projects.Edges[0].Node.ID
}
