package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/apikey"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
)

func TestVersions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		f := newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		vars := map[string]any{"id": gid(f.almaty.ID)}
		var v struct{ UpdateProject struct{ Version int } }
		s.MustOK(`mutation($id: ID!) { updateProject(id: $id, input: {city: "Almaty"}, expectedVersion: 1) { version } }`, vars, &v)
		if v.UpdateProject.Version != 2 {
			t.Fatalf("version after one update: %d", v.UpdateProject.Version)
		}
		s.MustOK(`mutation($id: ID!) { updateProject(id: $id, input: {city: "Almaty city"}) { version } }`, vars, &v)
		if v.UpdateProject.Version != 3 {
			t.Fatalf("version after two updates: %d", v.UpdateProject.Version)
		}
		before := fingerprint(t, db.Client)
		e := s.MustFail("CONFLICT", `mutation($id: ID!) { updateProject(id: $id, input: {city: "stale"}, expectedVersion: 2) { version } }`, vars)
		if e.Extensions["currentVersion"] != float64(3) || e.Extensions["field"] != "expectedVersion" ||
			e.Message != "expectedVersion: the Project is at version 3, not 2: read it again and reapply your change" {
			t.Fatalf("stale update: %+v", e)
		}
		e = s.MustFail("CONFLICT", `mutation($id: ID!) { deleteProject(id: $id, expectedVersion: 1) { deletedID } }`, vars)
		if e.Extensions["currentVersion"] != float64(3) {
			t.Fatalf("stale delete: %+v", e)
		}
		if after := fingerprint(t, db.Client); after != before {
			t.Fatal("a stale write changed data")
		}
		s.MustOK(`mutation($id: ID!) { deleteProject(id: $id, expectedVersion: 3) { deletedID } }`, vars, nil)
		s.MustFail("NOT_FOUND", `mutation($id: ID!) { updateProject(id: $id, input: {city: "x"}, expectedVersion: 3) { version } }`, vars)

		// partners and policies carry versions too
		var pv struct {
			UpdatePartner struct{ Version int }
			UpdatePolicy  struct{ Version int }
		}
		s.MustOK(`mutation($p: ID!, $pol: ID!) { updatePartner(id: $p, input: {localName: "哈萨克斯坦"}, expectedVersion: 1) { version } updatePolicy(id: $pol, input: {summary: "s"}, expectedVersion: 1) { version } }`,
			map[string]any{"p": gid(f.kaz.ID), "pol": gid(f.fta.ID)}, &pv)
		if pv.UpdatePartner.Version != 2 || pv.UpdatePolicy.Version != 2 {
			t.Fatalf("versions: %+v", pv)
		}
		s.MustFail("CONFLICT", `mutation($p: ID!) { deletePartner(id: $p, expectedVersion: 1) { deletedID } }`, map[string]any{"p": gid(f.kaz.ID)})
		s.MustFail("CONFLICT", `mutation($p: ID!) { deletePolicy(id: $p, expectedVersion: 7) { deletedID } }`, map[string]any{"p": gid(f.fta.ID)})
	})
}

// TestNoLostUpdates: 50 clients read-modify-write the same project at once,
// retrying on CONFLICT; every increment lands.
func TestNoLostUpdates(t *testing.T) {
	db := apitest.OpenPostgres(t)
	f := newFixture(t, db.Client)
	s := apitest.NewServer(t, db)
	key := s.NewKey("writer", apikey.RoleEDITOR, nil)
	const clients = 50
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	conflicts := make(chan int, clients)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for attempt := 0; attempt < 500; attempt++ {
				res := s.DoAs(key, `query($id: ID!) { node(id: $id) { ... on Project { version commitmentYear } } }`, map[string]any{"id": gid(f.almaty.ID)})
				var read struct {
					Node struct{ Version, CommitmentYear int }
				}
				if err := json.Unmarshal(res.Data, &read); err != nil || len(res.Errors) > 0 {
					errs <- fmt.Errorf("read: %v %+v", err, res.Errors)
					return
				}
				res = s.DoAs(key, `mutation($id: ID!, $y: Int!, $v: Int!) { updateProject(id: $id, input: {commitmentYear: $y}, expectedVersion: $v) { version } }`,
					map[string]any{"id": gid(f.almaty.ID), "y": read.Node.CommitmentYear + 1, "v": read.Node.Version})
				if len(res.Errors) == 0 {
					conflicts <- n
					return
				}
				if res.Errors[0].Code() != "CONFLICT" {
					errs <- fmt.Errorf("write: %+v", res.Errors)
					return
				}
				n++
			}
			errs <- fmt.Errorf("gave up after 500 conflicts")
		}()
	}
	wg.Wait()
	close(errs)
	close(conflicts)
	for err := range errs {
		t.Fatal(err)
	}
	total := 0
	for n := range conflicts {
		total += n
	}
	p := db.Client.Project.GetX(context.Background(), f.almaty.ID)
	if *p.CommitmentYear != 2019+clients || p.Version != 1+clients {
		t.Fatalf("after %d increments: year %d (want %d), version %d (want %d)", clients, *p.CommitmentYear, 2019+clients, p.Version, 1+clients)
	}
	t.Logf("%d increments landed after %d conflicts", clients, total)
}

func TestLifecycle(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		newFixture(t, db.Client)
		s := apitest.NewServer(t, db)
		editor := s.NewKey("editor", apikey.RoleEDITOR, nil)
		ctx := auth.SystemContext(context.Background(), "test")
		all := []project.Status{project.StatusPIPELINE, project.StatusSIGNED, project.StatusUNDER_CONSTRUCTION, project.StatusOPERATIONAL,
			project.StatusCOMPLETED, project.StatusSUSPENDED, project.StatusCANCELLED}
		legal := map[string]bool{}
		for _, pair := range []string{
			"PIPELINE>SIGNED", "PIPELINE>UNDER_CONSTRUCTION", "PIPELINE>OPERATIONAL", "PIPELINE>COMPLETED", "PIPELINE>CANCELLED",
			"SIGNED>UNDER_CONSTRUCTION", "SIGNED>OPERATIONAL", "SIGNED>COMPLETED", "SIGNED>SUSPENDED", "SIGNED>CANCELLED",
			"UNDER_CONSTRUCTION>OPERATIONAL", "UNDER_CONSTRUCTION>COMPLETED", "UNDER_CONSTRUCTION>SUSPENDED", "UNDER_CONSTRUCTION>CANCELLED",
			"OPERATIONAL>COMPLETED", "OPERATIONAL>SUSPENDED",
			"SUSPENDED>SIGNED", "SUSPENDED>UNDER_CONSTRUCTION", "SUSPENDED>OPERATIONAL", "SUSPENDED>CANCELLED",
		} {
			legal[pair] = true
		}
		for _, from := range all {
			for _, to := range all {
				if from == to {
					continue
				}
				p := db.Client.Project.Create().SetTitle("Lifecycle").SetSector(project.SectorTRADE).SetStatus(from).SaveX(ctx)
				res := s.DoAs(editor, `mutation($id: ID!, $s: ProjectStatus!) { updateProject(id: $id, input: {status: $s}) { status } }`,
					map[string]any{"id": gid(p.ID), "s": string(to)})
				pair := string(from) + ">" + string(to)
				if legal[pair] {
					if len(res.Errors) > 0 {
						t.Errorf("%s refused: %+v", pair, res.Errors)
					}
					continue
				}
				if len(res.Errors) != 1 || res.Errors[0].Code() != "BAD_USER_INPUT" ||
					!strings.Contains(res.Errors[0].Message, "cannot go from "+string(from)+" to "+string(to)) {
					t.Errorf("%s: %+v", pair, res.Errors)
				}
				if got := db.Client.Project.GetX(ctx, p.ID).Status; got != from {
					t.Errorf("%s: status became %s", pair, got)
				}
				// an admin may correct it
				if res := s.Do(`mutation($id: ID!, $s: ProjectStatus!) { updateProject(id: $id, input: {status: $s}) { status } }`,
					map[string]any{"id": gid(p.ID), "s": string(to)}); len(res.Errors) > 0 {
					t.Errorf("admin correction %s: %+v", pair, res.Errors)
				}
			}
		}
	})
}
