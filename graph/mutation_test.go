package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

func TestMutationsHappyPath(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		var created struct {
			CreatePartner struct{ ID string }
			CreateProject struct {
				ID, Amount, AmountUsd, Currency, SignedOn string
				Latitude, Longitude                       float64
				HostCountry                               struct{ Name string }
				Policies                                  struct{ TotalCount int }
			}
			CreatePolicy struct {
				ID       string
				Projects struct{ TotalCount int }
				Partners struct{ TotalCount int }
			}
		}
		s.MustOK(`mutation($kaz: ID!, $fta: ID!, $almaty: ID!) {
			createPartner(input: {name: "Weichai Power", localName: "潍柴动力", kind: ENTERPRISE, countryID: $kaz, website: "https://www.weichai.com"}) { id }
			createProject(input: {title: "MAZ-Weichai engines", sector: MANUFACTURING, status: SIGNED, amount: "90000000.10", currency: "EUR",
				amountUsd: "98000000.005", signedOn: "2018-06-01", city: "Minsk", latitude: 53.9, longitude: 27.5667, hostCountryID: $kaz, policyIDs: [$fta]}) {
				id amount amountUsd currency signedOn latitude longitude hostCountry { name } policies { totalCount } }
			createPolicy(input: {title: "RCEP tariff concessions", level: MULTILATERAL, category: TARIFF, effectiveFrom: "2022-01-01", projectIDs: [$almaty], partnerIDs: [$kaz]}) {
				id projects { totalCount } partners { totalCount } }
		}`, map[string]any{"kaz": gid(f.kaz.ID), "fta": gid(f.fta.ID), "almaty": gid(f.almaty.ID)}, &created)
		p := created.CreateProject
		if p.Amount != "90000000.1" || p.AmountUsd != "98000000.005" || p.Currency != "EUR" || p.SignedOn != "2018-06-01" ||
			p.Latitude != 53.9 || p.Longitude != 27.5667 || p.HostCountry.Name != "Kazakhstan" || p.Policies.TotalCount != 1 {
			t.Fatalf("created project: %+v", p)
		}
		if created.CreatePolicy.Projects.TotalCount != 1 || created.CreatePolicy.Partners.TotalCount != 1 {
			t.Fatalf("created policy: %+v", created.CreatePolicy)
		}

		var updated struct {
			UpdateProject struct {
				Status, Amount string
				City           *string
				Policies       struct{ TotalCount int }
				Participants   struct{ TotalCount int }
			}
			UpdatePartner struct {
				Name     string
				Policies struct{ TotalCount int }
			}
			UpdatePolicy struct {
				Status   string
				Projects struct{ TotalCount int }
			}
			AddProjectParticipant struct {
				Role         string
				SharePercent float64
				Partner      struct{ Name string }
			}
		}
		s.MustOK(`mutation($p: ID!, $weichai: ID!, $rcep: ID!, $fta: ID!, $corr: ID!) {
			addProjectParticipant(projectID: $p, partnerID: $weichai, role: INVESTOR, sharePercent: 49.5) { role sharePercent partner { name } }
			updateProject(id: $p, input: {status: UNDER_CONSTRUCTION, amount: "90000000.25", clearCity: true, addPolicyIDs: [$rcep], removePolicyIDs: [$fta]}) {
				status amount city policies { totalCount } participants { totalCount } }
			updatePartner(id: $weichai, input: {name: "Weichai Power Co.", addPolicyIDs: [$rcep, $corr]}) { name policies { totalCount } }
			updatePolicy(id: $rcep, input: {status: EXPIRED, addProjectIDs: [$p]}) { status projects { totalCount } }
		}`, map[string]any{"p": p.ID, "weichai": created.CreatePartner.ID, "rcep": created.CreatePolicy.ID, "fta": gid(f.fta.ID), "corr": gid(f.corridor.ID)}, &updated)
		jsonEq(t, mustJSON(t, updated), `{
			"UpdateProject":{"Status":"UNDER_CONSTRUCTION","Amount":"90000000.25","City":null,"Policies":{"TotalCount":1},"Participants":{"TotalCount":1}},
			"UpdatePartner":{"Name":"Weichai Power Co.","Policies":{"TotalCount":2}},
			"UpdatePolicy":{"Status":"EXPIRED","Projects":{"TotalCount":2}},
			"AddProjectParticipant":{"Role":"INVESTOR","SharePercent":49.5,"Partner":{"Name":"Weichai Power"}}}`)

		// a role changes by removing one and adding the other
		var removed struct {
			RemoveProjectParticipant struct{ DeletedID string }
		}
		s.MustOK(`mutation($p: ID!, $w: ID!) {
			removeProjectParticipant(projectID: $p, partnerID: $w, role: INVESTOR) { deletedID }
			addProjectParticipant(projectID: $p, partnerID: $w, role: OPERATOR) { id }
		}`, map[string]any{"p": p.ID, "w": created.CreatePartner.ID}, &removed)
		var roles struct {
			Node struct {
				Participations struct {
					Edges []struct{ Node struct{ Role string } }
				}
			}
		}
		s.MustOK(`query($p: ID!) { node(id: $p) { ... on Project { participations { edges { node { role } } } } } }`, map[string]any{"p": p.ID}, &roles)
		jsonEq(t, mustJSON(t, roles), `{"Node":{"Participations":{"Edges":[{"Node":{"Role":"OPERATOR"}}]}}}`)
		if !strings.HasPrefix(removed.RemoveProjectParticipant.DeletedID, "UHJvamVjdFBhcnRpY2lwYW50") { // "ProjectParticipant:"
			t.Fatalf("deleted id %q is not a participation's", removed.RemoveProjectParticipant.DeletedID)
		}

		// deletes: project (its participations and links go with it), policy, then the partner freed of its links
		ctx := context.Background()
		s.MustOK(`mutation($p: ID!) { deleteProject(id: $p) { deletedID } }`, map[string]any{"p": p.ID}, nil)
		if n := db.Client.ProjectParticipant.Query().CountX(ctx); n != 5 {
			t.Fatalf("participations after deleting the project: %d, want the fixture's 5", n)
		}
		var del struct {
			DeletePolicy, DeletePartner struct{ DeletedID string }
		}
		s.MustOK(`mutation($pol: ID!, $w: ID!) { deletePolicy(id: $pol) { deletedID } deletePartner(id: $w) { deletedID } }`,
			map[string]any{"pol": created.CreatePolicy.ID, "w": created.CreatePartner.ID}, &del)
		if del.DeletePolicy.DeletedID != created.CreatePolicy.ID || del.DeletePartner.DeletedID != created.CreatePartner.ID {
			t.Fatalf("deleted: %+v", del)
		}
		if n := db.Client.Partner.Query().CountX(ctx); n != 7 {
			t.Fatalf("partners: %d, want the fixture's 7", n)
		}
		// deleting a policy that superseded another leaves the older one without a successor
		s.MustOK(`mutation($new: ID!, $old: ID!) { updatePolicy(id: $new, input: {addSupersedeIDs: [$old]}) { id } }`, map[string]any{"new": gid(f.fta.ID), "old": gid(f.corridor.ID)}, nil)
		s.MustOK(`mutation($new: ID!) { deletePolicy(id: $new) { deletedID } }`, map[string]any{"new": gid(f.fta.ID)}, nil)
		res := s.Do(`query($old: ID!) { node(id: $old) { ... on Policy { supersededBy { id } } } }`, map[string]any{"old": gid(f.corridor.ID)})
		jsonEq(t, res.Data, `{"node":{"supersededBy":null}}`)
	})
}
