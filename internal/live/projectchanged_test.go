package live_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

const subProjects = `subscription($where: ProjectWhereInput, $after: Cursor) {
  projectChanged(where: $where, after: $after) {
    cursor deletedID event { operation entityType }
    project { id title sector participations(first: 5) { edges { node { role partner { name } } } } }
  }
}`

type projectChange struct {
	Cursor    string
	DeletedID *string
	Event     struct{ Operation, EntityType string }
	Project   *struct {
		ID, Title, Sector string
		Participations    struct {
			Edges []struct {
				Node struct {
					Role    string
					Partner struct{ Name string }
				}
			}
		}
	}
}

func nextChange(t *testing.T, st *apitest.Stream) projectChange {
	t.Helper()
	r := st.Next(5 * time.Second)
	if r == nil || len(r.Errors) > 0 {
		t.Fatalf("no change, or an error: %+v", r)
	}
	var d struct{ ProjectChanged projectChange }
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d.ProjectChanged
}

// TestProjectChanged: the subscriber of projects matching a filter gets
// each matching project after each change to it or to who takes part in it,
// not the others', and the deletion marker; over both transports.
func TestProjectChanged(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		var p struct{ CreatePartner struct{ ID string } }
		s.MustOK(createPartner, map[string]any{"name": "Qingdao Port"}, &p)
		for _, subscribe := range []func(string, string, map[string]any) *apitest.Stream{s.SSE, s.WS0} {
			st := subscribe(s.AdminKey, subProjects, map[string]any{"where": map[string]any{"sector": "ENERGY"}})
			time.Sleep(100 * time.Millisecond)
			var other, energy struct{ CreateProject struct{ ID string } }
			s.MustOK(`mutation { createProject(input: {title: "A road", sector: TRANSPORT}) { id } }`, nil, &other)
			s.MustOK(`mutation($p: ID!) { createProject(input: {title: "A wind farm", sector: ENERGY}, participants: [{partnerID: $p, role: OPERATOR}]) { id } }`,
				map[string]any{"p": p.CreatePartner.ID}, &energy)
			c := nextChange(t, st)
			if c.Project == nil || c.Project.ID != energy.CreateProject.ID || c.Project.Title != "A wind farm" || c.DeletedID != nil {
				t.Fatalf("first change: %+v, want the wind farm (not the road)", c)
			}
			// the participation's own event: the project, with its participant
			for c.Event.EntityType != "ProjectParticipant" {
				c = nextChange(t, st)
			}
			if c.Project == nil || c.Project.ID != energy.CreateProject.ID || len(c.Project.Participations.Edges) != 1 ||
				c.Project.Participations.Edges[0].Node.Partner.Name != "Qingdao Port" {
				t.Fatalf("the participation's change: %+v", c)
			}
			s.MustOK(`mutation($id: ID!) { updateProject(id: $id, input: {title: "A bigger wind farm"}) { id } }`, map[string]any{"id": energy.CreateProject.ID}, nil)
			if c = nextChange(t, st); c.Event.Operation != "UPDATE" || c.Project.Title != "A bigger wind farm" {
				t.Fatalf("after the update: %+v", c)
			}
			s.MustOK(`mutation($id: ID!) { deleteProject(id: $id) { deletedID } }`, map[string]any{"id": energy.CreateProject.ID}, nil)
			for {
				c = nextChange(t, st)
				if c.Event.EntityType == "Project" {
					break
				}
			}
			if c.Event.Operation != "DELETE" || c.Project != nil || c.DeletedID == nil || *c.DeletedID != energy.CreateProject.ID {
				t.Fatalf("the deletion: %+v", c)
			}
			st.Close()
		}
	})
}
