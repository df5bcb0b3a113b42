package webhook_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
)

// recorded lists a webhook's deliveries as "EVENT entityID", in id order.
func recorded(t *testing.T, s *apitest.Server, webhookID string) []string {
	t.Helper()
	var ds deliveries
	s.MustOK(deliveriesQuery, map[string]any{"id": webhookID}, &ds)
	var out []string
	for _, e := range ds.WebhookDeliveries.Edges {
		out = append(out, e.Node.Event+" "+e.Node.AuditEvent.EntityID)
	}
	return out
}

// TestOutboxRecordsWhatEachWebhookTakes: each committed change gets a
// delivery for each webhook that takes it: of a kind it names, matching its
// where filter, and for a PARTNER key's webhook, readable by that partner
// (its own projects and their participations, not another partner's). A
// rolled-back transaction records none; a committed one records them in
// the same transaction.
func TestOutboxRecordsWhatEachWebhookTakes(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		hook := func(key string, events []string, where map[string]any) string {
			t.Helper()
			res := s.DoAs(key, createWebhook, map[string]any{"url": "http://127.0.0.1:9/hook", "events": events, "where": where})
			if len(res.Errors) > 0 {
				t.Fatalf("createWebhook: %+v", res.Errors)
			}
			var c created
			if err := jsonUnmarshal(res.Data, &c); err != nil {
				t.Fatal(err)
			}
			return c.CreateWebhook.Webhook.ID
		}
		partners := hook(s.AdminKey, []string{"PARTNER_CREATED"}, nil)
		var p1, p2 struct{ CreatePartner struct{ ID string } }
		s.MustOK(`mutation { createPartner(input: {name: "Shandong Hi-Speed", kind: ENTERPRISE}) { id } }`, nil, &p1)
		s.MustOK(`mutation { createPartner(input: {name: "Other Co", kind: ENTERPRISE}) { id } }`, nil, &p2)
		p1ID, _ := globalid.Decode(p1.CreatePartner.ID)
		partnerKey := s.NewKey("sdhs-sync", apikey.RolePARTNER, &p1ID)

		updates := hook(s.AdminKey, []string{"PROJECT_CREATED", "PROJECT_UPDATED"}, map[string]any{"operation": "UPDATE"})
		own := hook(partnerKey, []string{"PROJECT_CREATED", "PROJECT_UPDATED", "PARTICIPANT_CREATED"}, nil)

		newProject := func(title, partnerID string) string {
			var out struct{ CreateProject struct{ ID string } }
			s.MustOK(`mutation($t: String!, $p: ID!) { createProject(input: {title: $t, sector: LOGISTICS}, participants: [{partnerID: $p, role: OPERATOR}]) { id } }`,
				map[string]any{"t": title, "p": partnerID}, &out)
			return out.CreateProject.ID
		}
		x := newProject("Own port", p1.CreatePartner.ID)
		y := newProject("Other port", p2.CreatePartner.ID)
		for _, id := range []string{x, y} {
			s.MustOK(`mutation($id: ID!) { updateProject(id: $id, input: {title: "Renamed"}) { id } }`, map[string]any{"id": id}, nil)
		}
		// written in a transaction that rolls back, and in one that commits
		ctx := auth.SystemContext(context.Background(), "test")
		for _, commit := range []bool{false, true} {
			tx, err := db.Client.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Client().Partner.Create().SetName("In a transaction").SetKind(partner.KindENTERPRISE).Save(ent.NewTxContext(ctx, tx)); err != nil {
				t.Fatal(err)
			}
			if commit {
				err = tx.Commit()
			} else {
				err = tx.Rollback()
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		txPartner, err := db.Client.Partner.Query().Where(partner.Name("In a transaction")).OnlyID(ctx)
		if err != nil {
			t.Fatal(err)
		}

		// the participation's id, from the partner's view
		var parts struct {
			Node struct {
				Participations struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		s.MustOK(`query($id: ID!) { node(id: $id) { ... on Project { participations { edges { node { id } } } } } }`, map[string]any{"id": x}, &parts)
		if len(parts.Node.Participations.Edges) != 1 {
			t.Fatalf("participants of x: %+v", parts)
		}
		for _, c := range []struct {
			name, id string
			want     []string
		}{
			{"admin, partners created", partners, []string{"PARTNER_CREATED " + p1.CreatePartner.ID, "PARTNER_CREATED " + p2.CreatePartner.ID, "PARTNER_CREATED " + globalid.Encode(txPartner)}},
			{"admin, where operation UPDATE", updates, []string{"PROJECT_UPDATED " + x, "PROJECT_UPDATED " + y}},
			{"partner's own projects", own, []string{"PROJECT_CREATED " + x, "PARTICIPANT_CREATED " + parts.Node.Participations.Edges[0].Node.ID, "PROJECT_UPDATED " + x}},
		} {
			if got := recorded(t, s, c.id); !slices.Equal(got, c.want) {
				t.Errorf("%s: deliveries\n%s\nwant\n%s", c.name, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		}
	}, apitest.AllowPrivateWebhooks())
}

// TestChangeNotCommittedWithoutItsDelivery: when the outbox cannot be
// written, the change it records is not committed either.
func TestChangeNotCommittedWithoutItsDelivery(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		s.MustOK(createWebhook, map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"PARTNER_CREATED"}}, nil)
		refuse := []string{`CREATE TRIGGER refuse_deliveries BEFORE INSERT ON webhook_deliveries BEGIN SELECT RAISE(ABORT, 'outbox refused'); END`}
		if db.IsPostgres() {
			refuse = []string{
				`CREATE FUNCTION refuse_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$`,
				`CREATE TRIGGER refuse_deliveries BEFORE INSERT ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION refuse_deliveries()`,
			}
		}
		for _, q := range refuse {
			if _, err := db.SQL.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		res := s.Do(`mutation { createPartner(input: {name: "Never committed", kind: ENTERPRISE}) { id } }`, nil)
		if len(res.Errors) != 1 || strings.Contains(res.Errors[0].Message, "outbox refused") {
			t.Fatalf("errors %+v: want one, without the database's message", res.Errors)
		}
		ctx := auth.SystemContext(context.Background(), "test")
		if n, err := db.Client.Partner.Query().Where(partner.Name("Never committed")).Count(ctx); err != nil || n != 0 {
			t.Fatalf("%d partners named so (%v), want 0", n, err)
		}
		if n, err := db.Client.AuditEvent.Query().Count(ctx); err != nil || n != 0 {
			t.Fatalf("%d audit events (%v), want 0", n, err)
		}
	}, apitest.AllowPrivateWebhooks())
}

// TestOutboxStatements: the outbox costs a write one statement (reading
// the active webhooks) when no webhook takes its change, one more to record
// the deliveries, and one more per webhook that filters (a where, or a
// partner's view).
func TestOutboxStatements(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		write := func(name string) []string {
			t.Helper()
			db.Counter.Reset()
			s.MustOK(`mutation($n: String!) { createPartner(input: {name: $n, kind: ENTERPRISE}) { id } }`, map[string]any{"n": name}, nil)
			return db.Counter.Statements()
		}
		count := func(stmts []string, table string) (n int) {
			for _, q := range stmts {
				if strings.Contains(q, table) {
					n++
				}
			}
			return n
		}
		write("First") // the key's first use also records when it was used
		base := write("No webhook")
		if n := count(base, `"webhooks"`) + count(base, "`webhooks`"); n != 1 {
			t.Fatalf("%d statements read webhooks, want 1:\n%s", n, strings.Join(base, "\n"))
		}
		s.MustOK(createWebhook, map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"PROJECT_CREATED"}}, nil)
		if got := write("Not taken"); len(got) != len(base) {
			t.Errorf("a change no webhook takes: %d statements, want %d:\n%s", len(got), len(base), strings.Join(got, "\n"))
		}
		s.MustOK(createWebhook, map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"PARTNER_CREATED"}}, nil)
		if got := write("Taken"); len(got) != len(base)+1 {
			t.Errorf("a change one webhook takes: %d statements, want %d:\n%s", len(got), len(base)+1, strings.Join(got, "\n"))
		}
		s.MustOK(createWebhook, map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"PARTNER_CREATED"}, "where": map[string]any{"actorName": "test-admin"}}, nil)
		s.MustOK(createWebhook, map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"PARTNER_CREATED"}, "where": map[string]any{"actorName": "nobody"}}, nil)
		if got := write("Filtered"); len(got) != len(base)+3 {
			t.Errorf("a change two filtering webhooks consider: %d statements, want %d:\n%s", len(got), len(base)+3, strings.Join(got, "\n"))
		}
	}, apitest.AllowPrivateWebhooks())
}

// TestPartnerWebhookSeesItsDeletions: a PARTNER key's webhook is sent the
// deletion of a project its partner took part in (the deletion's audit
// event records the participations deleted with it), its partner's removal
// from a project, and another partner's removal from a project its partner
// still takes part in; not the deletion of another partner's project.
func TestPartnerWebhookSeesItsDeletions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		newPartner := func(name string) string {
			var p struct{ CreatePartner struct{ ID string } }
			s.MustOK(`mutation($n: String!) { createPartner(input: {name: $n, kind: ENTERPRISE}) { id } }`, map[string]any{"n": name}, &p)
			return p.CreatePartner.ID
		}
		own, other := newPartner("Own"), newPartner("Other")
		ownID, _ := globalid.Decode(own)
		key := s.NewKey("own-sync", apikey.RolePARTNER, &ownID)
		newProject := func(title string, partners ...string) string {
			var parts []map[string]any
			for _, p := range partners {
				parts = append(parts, map[string]any{"partnerID": p, "role": "OPERATOR"})
			}
			var out struct{ CreateProject struct{ ID string } }
			s.MustOK(`mutation($t: String!, $p: [ParticipantInput!]) { createProject(input: {title: $t, sector: ENERGY}, participants: $p) { id } }`,
				map[string]any{"t": title, "p": parts}, &out)
			return out.CreateProject.ID
		}
		x := newProject("Own, deleted", own, other)
		y := newProject("Other's, deleted", other)
		z := newProject("Own, left", own)
		w := newProject("Shared, other leaves", own, other)

		res := s.DoAs(key, createWebhook, map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"PROJECT_DELETED", "PARTICIPANT_DELETED"}})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		var c created
		if err := jsonUnmarshal(res.Data, &c); err != nil {
			t.Fatal(err)
		}
		remove := func(project, partner string) string {
			var out struct{ RemoveProjectParticipant struct{ DeletedID string } }
			s.MustOK(`mutation($j: ID!, $p: ID!) { removeProjectParticipant(projectID: $j, partnerID: $p, role: OPERATOR) { deletedID } }`,
				map[string]any{"j": project, "p": partner}, &out)
			return out.RemoveProjectParticipant.DeletedID
		}
		for _, id := range []string{x, y} {
			s.MustOK(`mutation($id: ID!) { deleteProject(id: $id) { deletedID } }`, map[string]any{"id": id}, nil)
		}
		left := remove(z, own)
		otherLeft := remove(w, other)
		want := []string{"PROJECT_DELETED " + x, "PARTICIPANT_DELETED " + left, "PARTICIPANT_DELETED " + otherLeft}
		if got := recorded(t, s, c.CreateWebhook.Webhook.ID); !slices.Equal(got, want) {
			t.Errorf("deliveries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// the project's deletion records who took part
		var h struct {
			AuditEvents struct {
				Edges []struct {
					Node struct {
						Changes []struct {
							Field string
							Old   any
						}
					}
				}
			}
		}
		s.MustOK(`query($id: ID!) { auditEvents(where: {entityID: $id, operation: DELETE}) { edges { node { changes { field old } } } } }`, map[string]any{"id": x}, &h)
		found := false
		for _, e := range h.AuditEvents.Edges {
			for _, ch := range e.Node.Changes {
				if ch.Field == "participations" {
					found = true
					if s := toJSON(ch.Old); !strings.Contains(s, own) || !strings.Contains(s, other) || !strings.Contains(s, `"role":"OPERATOR"`) {
						t.Errorf("participations recorded: %s", s)
					}
				}
			}
		}
		if !found {
			t.Errorf("the deletion's event records no participations: %+v", h)
		}
	}, apitest.AllowPrivateWebhooks())
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
