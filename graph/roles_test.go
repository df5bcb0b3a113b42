package graph_test

import (
	"context"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

// TestSeveralRoles: a partner may hold several roles in one project. Each
// role is a participation; the partner is listed once among the project's
// participants (and the project once among the partner's projects), in
// filters too; removing one role keeps the others; adding a role held
// already is a CONFLICT; a PARTNER key writes the projects its partner takes
// part in whatever its roles.
func TestSeveralRoles(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		vars := map[string]any{"p": gid(f.sahiwal.ID), "exim": gid(f.exim.ID)}
		s.MustOK(`mutation($p: ID!, $exim: ID!) {
			a: addProjectParticipant(projectID: $p, partnerID: $exim, role: OPERATOR, sharePercent: 20) { id }
			b: addProjectParticipant(projectID: $p, partnerID: $exim, role: GUARANTOR) { id }
		}`, vars, nil)
		const listing = `query($p: ID!, $exim: ID!) {
			project: node(id: $p) { ... on Project {
				participants { totalCount edges { node { name } } }
				participations(orderBy: {field: ROLE}) { totalCount edges { node { role sharePercent partner { name } } } } } }
			partner: node(id: $exim) { ... on Partner { projects { totalCount edges { node { title } } } } }
			guaranteed: projects(where: {hasParticipationsWith: {role: GUARANTOR}}) { totalCount }
			withExim: projects(where: {hasParticipantsWith: {id: $exim}}) { totalCount }
		}`
		res := s.Do(listing, vars)
		jsonEq(t, res.Data, `{
			"project":{
				"participants":{"totalCount":1,"edges":[{"node":{"name":"Export-Import Bank of China"}}]},
				"participations":{"totalCount":3,"edges":[
					{"node":{"role":"FINANCIER","sharePercent":null,"partner":{"name":"Export-Import Bank of China"}}},
					{"node":{"role":"GUARANTOR","sharePercent":null,"partner":{"name":"Export-Import Bank of China"}}},
					{"node":{"role":"OPERATOR","sharePercent":20,"partner":{"name":"Export-Import Bank of China"}}}]}},
			"partner":{"projects":{"totalCount":2,"edges":[{"node":{"title":"Sahiwal coal power plant"}},{"node":{"title":"Quaid-e-Azam solar park"}}]}},
			"guaranteed":{"totalCount":1},
			"withExim":{"totalCount":2}}`)

		// the same role twice is refused and writes nothing
		e := s.MustFail("CONFLICT", `mutation($p: ID!, $exim: ID!) { addProjectParticipant(projectID: $p, partnerID: $exim, role: GUARANTOR) { id } }`, vars)
		if got, _ := e.Extensions["field"].(string); got != "role" {
			t.Errorf("extensions.field %q, want role", got)
		}

		// removing one role keeps the partner and its other roles
		s.MustOK(`mutation($p: ID!, $exim: ID!) { removeProjectParticipant(projectID: $p, partnerID: $exim, role: FINANCIER) { deletedID } }`, vars, nil)
		res = s.Do(`query($p: ID!) { node(id: $p) { ... on Project { participants { totalCount } participations { totalCount } } } }`, vars)
		jsonEq(t, res.Data, `{"node":{"participants":{"totalCount":1},"participations":{"totalCount":2}}}`)
		// removing the last two unlinks it
		s.MustOK(`mutation($p: ID!, $exim: ID!) {
			a: removeProjectParticipant(projectID: $p, partnerID: $exim, role: OPERATOR) { deletedID }
			b: removeProjectParticipant(projectID: $p, partnerID: $exim, role: GUARANTOR) { deletedID }
		}`, vars, nil)
		res = s.Do(`query($p: ID!) { node(id: $p) { ... on Project { participants { totalCount } participations { totalCount } } } }`, vars)
		jsonEq(t, res.Data, `{"node":{"participants":{"totalCount":0},"participations":{"totalCount":0}}}`)
		if n := db.Client.ProjectPartner.Query().CountX(context.Background()); n != 4 {
			t.Errorf("%d project_partners links left, want the fixture's other 4", n)
		}
	})
}
