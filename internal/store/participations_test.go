package store_test

import (
	"context"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/store"
)

// TestParticipationsMigrate: a database of an earlier version (one
// participation per project and partner, unique on the pair, no
// project_partners links) keeps every participation, gets its links, loses
// the pair's unique index, and then takes a second role for a partner.
func TestParticipationsMigrate(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		ctx := auth.SystemContext(context.Background(), "test")
		c := db.Client
		kaz := c.Partner.Create().SetName("Kazakhstan").SetKind(partner.KindCOUNTRY).SetCountryCode("KAZ").SaveX(ctx)
		bank := c.Partner.Create().SetName("Bank").SetKind(partner.KindFINANCIAL_INSTITUTION).SaveX(ctx)
		p1 := c.Project.Create().SetTitle("One").SetSector(project.SectorENERGY).SaveX(ctx)
		p2 := c.Project.Create().SetTitle("Two").SetSector(project.SectorENERGY).SaveX(ctx)
		c.ProjectParticipant.Create().SetProjectID(p1.ID).SetPartnerID(kaz.ID).SetRole(projectparticipant.RoleHOST_GOVERNMENT).ExecX(ctx)
		c.ProjectParticipant.Create().SetProjectID(p1.ID).SetPartnerID(bank.ID).SetRole(projectparticipant.RoleFINANCIER).ExecX(ctx)
		c.ProjectParticipant.Create().SetProjectID(p2.ID).SetPartnerID(bank.ID).SetRole(projectparticipant.RoleOPERATOR).ExecX(ctx)
		// what an earlier version left
		for _, q := range []string{
			`DELETE FROM project_partners`,
			`CREATE UNIQUE INDEX projectparticipant_project_id_partner_id ON project_participants (project_id, partner_id)`,
			`CREATE INDEX projectparticipant_partner_id ON project_participants (partner_id)`,
		} {
			if _, err := db.SQL.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 { // a second start finds nothing to do
			if err := store.Prepare(ctx, &store.DB{SQL: db.SQL, Dialect: db.Dialect}); err != nil {
				t.Fatal(err)
			}
		}
		if n := c.ProjectParticipant.Query().CountX(ctx); n != 3 {
			t.Errorf("%d participations after the migration, want 3", n)
		}
		if n := c.ProjectPartner.Query().CountX(ctx); n != 3 {
			t.Errorf("%d project_partners links, want 3", n)
		}
		if got := p1.QueryParticipants().IDsX(ctx); len(got) != 2 {
			t.Errorf("project one's participants %v, want Kazakhstan and the bank", got)
		}
		indexes := `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('projectparticipant_project_id_partner_id', 'projectparticipant_partner_id')`
		if db.IsPostgres() {
			indexes = `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname IN ('projectparticipant_project_id_partner_id', 'projectparticipant_partner_id')`
		}
		var n int
		if err := db.SQL.QueryRowContext(ctx, indexes).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d old participation indexes left, want 0", n)
		}
		// the bank now also operates project one: a second role, one participant
		c.ProjectParticipant.Create().SetProjectID(p1.ID).SetPartnerID(bank.ID).SetRole(projectparticipant.RoleOPERATOR).ExecX(ctx)
		if got := p1.QueryParticipants().CountX(ctx); got != 2 {
			t.Errorf("project one lists %d participants after a second role, want 2", got)
		}
		if got := p1.QueryParticipations().CountX(ctx); got != 3 {
			t.Errorf("project one has %d participations, want 3", got)
		}
	})
}
