package graph_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/openingpolicy"
	"github.com/bri-tracker/bri-tracker/ent/partner"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/globalid"
	"github.com/bri-tracker/bri-tracker/internal/scalar"
)

// fixture is a small fixed dataset, written through ent (and so through the
// domain rules), with the ids tests refer to.
type fixture struct {
	kaz, srb, pak, chn *ent.Partner // countries
	hiSpeed, linglong  *ent.Partner // enterprises
	exim               *ent.Partner // bank
	almaty, zrenjanin  *ent.Project
	sahiwal, solar     *ent.Project
	fta, corridor      *ent.OpeningPolicy
}

func newFixture(t *testing.T, c *ent.Client) *fixture {
	t.Helper()
	ctx := auth.SystemContext(context.Background(), "test fixture")
	must := func(v any, err error) any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	country := func(name, code string, region partner.Region) *ent.Partner {
		return must(c.Partner.Create().SetName(name).SetKind(partner.KindCOUNTRY).SetCountryCode(code).SetRegion(region).Save(ctx)).(*ent.Partner)
	}
	f := &fixture{}
	f.kaz = country("Kazakhstan", "KAZ", partner.RegionASIA)
	f.srb = country("Serbia", "SRB", partner.RegionEUROPE)
	f.pak = country("Pakistan", "PAK", partner.RegionASIA)
	f.chn = country("China", "CHN", partner.RegionASIA)
	org := func(name string, kind partner.Kind) *ent.Partner {
		return must(c.Partner.Create().SetName(name).SetKind(kind).SetCountryID(f.chn.ID).Save(ctx)).(*ent.Partner)
	}
	f.hiSpeed = org("Shandong Hi-Speed Group", partner.KindENTERPRISE)
	f.linglong = org("Linglong Tyre", partner.KindENTERPRISE)
	f.exim = org("Export-Import Bank of China", partner.KindFINANCIAL_INSTITUTION)

	proj := func(title string, sector project.Sector, status project.Status, green project.GreenCategory, host *ent.Partner, usd string, year int) *ent.Project {
		return must(c.Project.Create().SetTitle(title).SetSector(sector).SetStatus(status).SetGreenCategory(green).
			SetHostCountryID(host.ID).SetAmount(scalar.MustParseDecimal(usd)).SetCurrency("USD").
			SetAmountUsd(scalar.MustParseDecimal(usd)).SetCommitmentYear(year).Save(ctx)).(*ent.Project)
	}
	f.almaty = proj("Almaty assembly centre", project.SectorLOGISTICS, project.StatusOPERATIONAL, project.GreenCategoryNONE, f.kaz, "120000000", 2019)
	f.zrenjanin = proj("Linglong tyre plant Zrenjanin", project.SectorMANUFACTURING, project.StatusUNDER_CONSTRUCTION, project.GreenCategoryGREEN_MANUFACTURING, f.srb, "994000000.50", 2018)
	f.sahiwal = proj("Sahiwal coal power plant", project.SectorENERGY, project.StatusOPERATIONAL, project.GreenCategoryCOAL_POWER_UPGRADE, f.pak, "1912000000", 2014)
	f.solar = proj("Quaid-e-Azam solar park", project.SectorENERGY, project.StatusCOMPLETED, project.GreenCategoryRENEWABLE_ENERGY, f.pak, "131000000.25", 2015)

	part := func(p *ent.Project, who *ent.Partner, role projectparticipant.Role) {
		must(c.ProjectParticipant.Create().SetProjectID(p.ID).SetPartnerID(who.ID).SetRole(role).Save(ctx))
	}
	part(f.almaty, f.hiSpeed, projectparticipant.RoleOPERATOR)
	part(f.almaty, f.kaz, projectparticipant.RoleHOST_GOVERNMENT)
	part(f.zrenjanin, f.linglong, projectparticipant.RoleINVESTOR)
	part(f.sahiwal, f.exim, projectparticipant.RoleFINANCIER)
	part(f.solar, f.exim, projectparticipant.RoleFINANCIER)

	f.corridor = must(c.OpeningPolicy.Create().SetTitle("Qilu China-Europe train support measures").
		SetLevel(openingpolicy.LevelPROVINCIAL).SetCategory(openingpolicy.CategoryLOGISTICS_CORRIDOR).
		SetIssuedOn(scalar.MustParseDate("2018-10-31")).
		AddProjectIDs(f.almaty.ID).AddPartnerIDs(f.kaz.ID, f.hiSpeed.ID).Save(ctx)).(*ent.OpeningPolicy)
	f.fta = must(c.OpeningPolicy.Create().SetTitle("China (Shandong) Pilot Free Trade Zone").
		SetLevel(openingpolicy.LevelNATIONAL).SetCategory(openingpolicy.CategoryFREE_TRADE_ZONE).
		SetIssuedOn(scalar.MustParseDate("2019-08-26")).SetDocumentNumber("国发〔2019〕16号").
		AddProjectIDs(f.almaty.ID, f.zrenjanin.ID).AddPartnerIDs(f.linglong.ID).Save(ctx)).(*ent.OpeningPolicy)
	return f
}

// gid is the global id of a row.
func gid(id int) string { return globalid.Encode(id) }

// rowCounts counts the rows of every table, to prove a refused write wrote
// nothing.
func rowCounts(t *testing.T, c *ent.Client) string {
	t.Helper()
	ctx := context.Background()
	var out []int
	for _, n := range []func(context.Context) (int, error){
		c.Partner.Query().Count, c.Project.Query().Count, c.OpeningPolicy.Query().Count, c.ProjectParticipant.Query().Count,
		c.Project.Query().Where(project.HasPolicies()).Count, c.Partner.Query().Where(partner.HasPolicies()).Count,
		c.Project.Query().Where(project.HasHostCountry()).Count, c.Partner.Query().Where(partner.HasCountry()).Count,
	} {
		v, err := n(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return fmt.Sprint(out)
}
