package rules_test

import (
	"context"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/ent/projectpartner"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/rules"
)

// TestTxMemoForgets: what the rules remember in a transaction stops being
// trusted once the transaction deletes something, so a role removed can be
// added again (and is linked again), and a partner deleted is reported
// missing, not trusted to exist.
func TestTxMemoForgets(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		ctx := auth.SystemContext(context.Background(), "test")
		tx, err := db.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback() }()
		ctx = rules.WithTxMemo(ent.NewTxContext(ctx, tx))
		c := tx.Client()

		kaz := c.Partner.Create().SetName("Kazakhstan").SetKind(partner.KindCOUNTRY).SetCountryCode("KAZ").SetRegion(partner.RegionASIA).SaveX(ctx)
		bank := c.Partner.Create().SetName("Bank").SetKind(partner.KindFINANCIAL_INSTITUTION).SetCountryID(kaz.ID).SaveX(ctx)
		p := c.Project.Create().SetTitle("Dry port").SetSector("LOGISTICS").SetHostCountryID(kaz.ID).SaveX(ctx)
		add := func() (*ent.ProjectParticipant, error) {
			return c.ProjectParticipant.Create().SetProjectID(p.ID).SetPartnerID(bank.ID).SetRole(projectparticipant.RoleFINANCIER).Save(ctx)
		}
		first, err := add()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := add(); !isCode(err, apperr.Conflict) {
			t.Fatalf("the same role again: %v, want CONFLICT", err)
		}
		c.ProjectParticipant.DeleteOneID(first.ID).ExecX(ctx)
		if _, err := add(); err != nil {
			t.Fatalf("the role again after its removal: %v", err)
		}
		if n := c.ProjectPartner.Query().Where(projectpartner.ProjectID(p.ID)).CountX(ctx); n != 1 {
			t.Errorf("%d links of the project, want 1", n)
		}

		// a country the memo knows, then deleted in the transaction
		srb := c.Partner.Create().SetName("Serbia").SetKind(partner.KindCOUNTRY).SetCountryCode("SRB").SetRegion(partner.RegionEUROPE).SaveX(ctx)
		q := c.Project.Create().SetTitle("Bridge").SetSector("TRANSPORT").SetHostCountryID(srb.ID).SaveX(ctx)
		c.Project.UpdateOne(q).ClearHostCountry().ExecX(ctx)
		c.Partner.DeleteOneID(srb.ID).ExecX(ctx)
		_, err = c.Project.Create().SetTitle("Tunnel").SetSector("TRANSPORT").SetHostCountryID(srb.ID).Save(ctx)
		if !isCode(err, apperr.NotFound) {
			t.Fatalf("a project in a deleted country: %v, want NOT_FOUND", err)
		}
	})
}

func isCode(err error, code apperr.Code) bool {
	e, ok := apperr.As(err)
	return ok && e.Code == code
}
