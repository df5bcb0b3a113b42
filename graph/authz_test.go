package graph_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

// fingerprint summarises every row of the domain tables, so a refused write
// can be shown to have changed nothing at all.
func fingerprint(t *testing.T, c *ent.Client) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	for _, p := range c.Partner.Query().WithPolicies().AllX(ctx) {
		lines = append(lines, fmt.Sprintf("partner %d %s %s %v %d", p.ID, p.Name, p.Kind, p.UpdatedAt.UnixNano(), len(p.Edges.Policies)))
	}
	for _, p := range c.Project.Query().WithPolicies().AllX(ctx) {
		lines = append(lines, fmt.Sprintf("project %d %s %s %v %d", p.ID, p.Title, p.Status, p.UpdatedAt.UnixNano(), len(p.Edges.Policies)))
	}
	for _, p := range c.OpeningPolicy.Query().WithPartners().AllX(ctx) {
		lines = append(lines, fmt.Sprintf("policy %d %s %v %d", p.ID, p.Title, p.UpdatedAt.UnixNano(), len(p.Edges.Partners)))
	}
	for _, p := range c.ProjectParticipant.Query().AllX(ctx) {
		lines = append(lines, fmt.Sprintf("participation %d %d %d %s", p.ID, p.ProjectID, p.PartnerID, p.Role))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestAuthorizationMatrix: every role against every mutation, on its own
// partner's data and on another's. Allowed writes succeed; refused ones get
// UNAUTHENTICATED or FORBIDDEN and change nothing.
func TestAuthorizationMatrix(t *testing.T) {
	const (
		A = "allowed"
		U = "UNAUTHENTICATED"
		F = "FORBIDDEN"
		B = "BAD_USER_INPUT" // allowed, but the input breaks a domain rule
	)
	type expect struct{ anonymous, viewer, editor, partner, admin string }
	cases := []struct {
		name, query string
		want        expect
	}{
		{"createPartner", `mutation { createPartner(input: {name: "New Co", kind: ENTERPRISE}) { id } }`, expect{U, F, A, F, A}},
		{"updatePartner own", `mutation($hs: ID!) { updatePartner(id: $hs, input: {localName: "山东高速"}) { id } }`, expect{U, F, A, A, A}},
		{"updatePartner own, linking policies", `mutation($hs: ID!, $fta: ID!) { updatePartner(id: $hs, input: {addPolicyIDs: [$fta]}) { id } }`, expect{U, F, A, A, A}},
		{"updatePartner own, relinking other partners", `mutation($hs: ID!, $ll: ID!) { updatePartner(id: $hs, input: {addMemberIDs: [$ll]}) { id } }`, expect{U, F, B, F, B}},
		{"updatePartner other", `mutation($ll: ID!) { updatePartner(id: $ll, input: {localName: "玲珑"}) { id } }`, expect{U, F, A, F, A}},
		{"createProject with own partner", `mutation($hs: ID!, $kaz: ID!) { createProject(input: {title: "Own new", sector: LOGISTICS, hostCountryID: $kaz}, participants: [{partnerID: $hs, role: OPERATOR}]) { id } }`, expect{U, F, A, A, A}},
		{"createProject without own partner", `mutation($ll: ID!) { createProject(input: {title: "Not own", sector: LOGISTICS}, participants: [{partnerID: $ll, role: INVESTOR}]) { id } }`, expect{U, F, A, F, A}},
		{"createProject without participants", `mutation { createProject(input: {title: "Nobody's", sector: LOGISTICS}) { id } }`, expect{U, F, A, F, A}},
		{"updateProject own", `mutation($own: ID!, $fta: ID!) { updateProject(id: $own, input: {status: COMPLETED, addPolicyIDs: [$fta]}) { id } }`, expect{U, F, A, A, A}},
		{"updateProject other", `mutation($other: ID!) { updateProject(id: $other, input: {status: SUSPENDED}) { id } }`, expect{U, F, A, F, A}},
		{"addProjectParticipant own project", `mutation($own: ID!, $exim: ID!) { addProjectParticipant(projectID: $own, partnerID: $exim, role: FINANCIER) { id } }`, expect{U, F, A, A, A}},
		{"addProjectParticipant other project", `mutation($other: ID!, $exim: ID!) { addProjectParticipant(projectID: $other, partnerID: $exim, role: FINANCIER) { id } }`, expect{U, F, A, F, A}},
		{"removeProjectParticipant own project", `mutation($own: ID!, $kaz: ID!) { removeProjectParticipant(projectID: $own, partnerID: $kaz, role: HOST_GOVERNMENT) { deletedID } }`, expect{U, F, A, A, A}},
		{"removeProjectParticipant other project", `mutation($other: ID!, $ll: ID!) { removeProjectParticipant(projectID: $other, partnerID: $ll, role: INVESTOR) { deletedID } }`, expect{U, F, A, F, A}},
		{"createPolicy", `mutation { createPolicy(input: {title: "New policy", level: PROVINCIAL, category: TALENT}) { id } }`, expect{U, F, A, F, A}},
		{"updatePolicy", `mutation($fta: ID!, $other: ID!) { updatePolicy(id: $fta, input: {status: EXPIRED, addProjectIDs: [$other]}) { id } }`, expect{U, F, A, F, A}},
		{"deleteProject own", `mutation($own2: ID!) { deleteProject(id: $own2) { deletedID } }`, expect{U, F, A, A, A}},
		{"deleteProject other", `mutation($sahiwal: ID!) { deleteProject(id: $sahiwal) { deletedID } }`, expect{U, F, A, F, A}},
		{"deletePolicy", `mutation($spare: ID!) { deletePolicy(id: $spare) { deletedID } }`, expect{U, F, F, F, A}},
		{"deletePartner", `mutation($lonely: ID!) { deletePartner(id: $lonely) { deletedID } }`, expect{U, F, F, F, A}},
		{"createApiKey", `mutation { createApiKey(input: {name: "more", role: ADMIN}) { secret } }`, expect{U, F, F, F, A}},
		{"revokeApiKey", `mutation($key: ID!) { revokeApiKey(id: $key) { id } }`, expect{U, F, F, F, A}},
	}
	roles := []struct {
		name string
		pick func(expect) string
		role apikey.Role
	}{
		{"anonymous", func(e expect) string { return e.anonymous }, ""},
		{"viewer", func(e expect) string { return e.viewer }, apikey.RoleVIEWER},
		{"editor", func(e expect) string { return e.editor }, apikey.RoleEDITOR},
		{"partner", func(e expect) string { return e.partner }, apikey.RolePARTNER},
		{"admin", func(e expect) string { return e.admin }, apikey.RoleADMIN},
	}
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		for _, r := range roles {
			t.Run(r.name, func(t *testing.T) {
				// each role starts from its own copy of the data
				db := apitest.Reopen(t, db)
				f := newFixture(t, db.Client)
				ctx := auth.SystemContext(context.Background(), "test")
				own2 := db.Client.Project.Create().SetTitle("Own second").SetSector(project.SectorTRADE).SaveX(ctx)
				db.Client.ProjectParticipant.Create().SetProjectID(own2.ID).SetPartnerID(f.hiSpeed.ID).SetRole(projectparticipant.RoleINVESTOR).ExecX(ctx)
				lonely := db.Client.Partner.Create().SetName("Lonely Co").SetKind(partner.KindENTERPRISE).SaveX(ctx)
				spare := db.Client.OpeningPolicy.Create().SetTitle("Spare").SetLevel(openingpolicy.LevelMUNICIPAL).SetCategory(openingpolicy.CategoryOTHER).SaveX(ctx)
				s := apitest.NewServer(t, db)
				victim, err := db.Client.APIKey.Create().SetName("victim").SetRole(apikey.RoleVIEWER).SetSecretHash("h").SetHint("bri_xx").Save(ctx)
				if err != nil {
					t.Fatal(err)
				}
				key := ""
				if r.role != "" {
					var partnerID *int
					if r.role == apikey.RolePARTNER {
						partnerID = &f.hiSpeed.ID
					}
					key = s.NewKey("matrix-"+r.name, r.role, partnerID)
				}
				vars := map[string]any{
					"hs": gid(f.hiSpeed.ID), "ll": gid(f.linglong.ID), "kaz": gid(f.kaz.ID), "exim": gid(f.exim.ID),
					"own": gid(f.almaty.ID), "other": gid(f.zrenjanin.ID), "own2": gid(own2.ID), "sahiwal": gid(f.sahiwal.ID),
					"fta": gid(f.fta.ID), "spare": gid(spare.ID), "lonely": gid(lonely.ID), "key": gid(victim.ID),
				}
				for _, c := range cases {
					want := r.pick(c.want)
					before := fingerprint(t, db.Client)
					res := s.DoAs(key, c.query, vars)
					after := fingerprint(t, db.Client)
					if want == A {
						if len(res.Errors) > 0 {
							t.Errorf("%s: want allowed, got %+v", c.name, res.Errors)
						}
						continue
					}
					if len(res.Errors) != 1 || res.Errors[0].Code() != want {
						t.Errorf("%s: want %s, got status %d %+v", c.name, want, res.Status, res.Errors)
						continue
					}
					if before != after {
						t.Errorf("%s: a refused write changed the data", c.name)
					}
				}
			})
		}
	})
}
