package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

// TestTxMemo: inside one transaction the rules remember what they have
// established (a partner exists; a project created in the transaction holds
// these roles and no others), so writing many rows does not ask the same
// question again; a delete in the transaction makes them ask again.
func TestTxMemo(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		vars := map[string]any{"kaz": gid(f.kaz.ID), "exim": gid(f.exim.ID), "hs": gid(f.hiSpeed.ID)}

		// one project, three roles of two partners: each partner is looked
		// up once, no role is looked for, and the pair is linked once
		db.Counter.Reset()
		var created struct {
			CreateProject struct{ ID string } `json:"createProject"`
		}
		s.MustOK(`mutation($kaz: ID!, $exim: ID!, $hs: ID!) { createProject(input: {title: "Khorgos east gate", sector: LOGISTICS, hostCountryID: $kaz},
			participants: [{partnerID: $exim, role: FINANCIER}, {partnerID: $exim, role: GUARANTOR}, {partnerID: $hs, role: OPERATOR}]) { id } }`, vars, &created)
		var partnerChecks, roleChecks, links int
		for _, q := range db.Counter.Statements() {
			q = strings.ReplaceAll(q, "`", `"`) // SQLite's quotes
			switch {
			case strings.Contains(q, "COUNT(") && strings.Contains(q, `FROM "partners"`):
				partnerChecks++
			case strings.Contains(q, `FROM "project_participants"`):
				roleChecks++
			case strings.HasPrefix(q, `INSERT INTO "project_partners"`):
				links++
			}
		}
		if partnerChecks != 3 || roleChecks != 0 || links != 2 { // the host country, exim, hi-speed
			t.Errorf("%d partner checks, %d role checks, %d links; want 3, 0, 2:\n%s", partnerChecks, roleChecks, links, strings.Join(db.Counter.Statements(), "\n"))
		}
		vars["p"] = created.CreateProject.ID
		res := s.Do(`query($p: ID!) { node(id: $p) { ... on Project { participants { totalCount } participations { totalCount } } } }`, vars)
		jsonEq(t, res.Data, `{"node":{"participants":{"totalCount":2},"participations":{"totalCount":3}}}`)

		// a role held already, found in the memo, is still a CONFLICT
		// naming the participation, and the transaction writes nothing
		before := db.Client.Project.Query().CountX(context.Background())
		e := s.MustFail("CONFLICT", `mutation($kaz: ID!, $exim: ID!) { createProject(input: {title: "Khorgos west gate", sector: LOGISTICS, hostCountryID: $kaz},
			participants: [{partnerID: $exim, role: FINANCIER}, {partnerID: $exim, role: FINANCIER}]) { id } }`, vars)
		if e.Extensions["field"] != "role" || e.Extensions["existingID"] == nil {
			t.Errorf("extensions %v, want field role and existingID", e.Extensions)
		}
		if n := db.Client.Project.Query().CountX(context.Background()); n != before {
			t.Errorf("%d projects after the refusal, want %d", n, before)
		}
		// removed and added again in one transaction: the removal makes the
		// rules ask the database again, so the role is free and linked again
		s.MustOK(`mutation($p: ID!, $exim: ID!) {
			a: removeProjectParticipant(projectID: $p, partnerID: $exim, role: FINANCIER) { deletedID }
			b: removeProjectParticipant(projectID: $p, partnerID: $exim, role: GUARANTOR) { deletedID }
			c: addProjectParticipant(projectID: $p, partnerID: $exim, role: FINANCIER) { id } }`, vars, nil)
		res = s.Do(`query($p: ID!) { node(id: $p) { ... on Project { participants { totalCount } participations { totalCount } } } }`, vars)
		jsonEq(t, res.Data, `{"node":{"participants":{"totalCount":2},"participations":{"totalCount":2}}}`)
		if n := db.Client.ProjectPartner.Query().CountX(context.Background()); n != 5+2 {
			t.Errorf("%d project_partners links, want the fixture's 5 and 2", n)
		}
	})
}
