package importer

import (
	"context"
	"strings"
	"testing"

	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/geo"
)

// TestImportPlacesProjectsInTheirCountry imports both samples on both
// databases: every project is at its recipient country's representative
// point (internal/geo) with the precision COUNTRY; withinBounds around
// Malaysia finds every Malaysian project, and one elsewhere none of them.
func TestImportPlacesProjectsInTheirCountry(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		sum := importFiles(t, db.Client, Options{}, samples...)
		if sum.Skipped != 0 || sum.Unlocated != 0 {
			t.Fatalf("%+v", sum)
		}
		malaysian := 0
		for _, path := range samples {
			for _, row := range csvRows(t, path) {
				code := row["Recipient ISO-3"]
				if code == "MYS" {
					malaysian++
				}
				lng, lat, ok := geo.CountryPoint(code)
				if !ok {
					t.Fatalf("geo has no point for %s", code)
				}
				p := projectByRef(t, db.Client, "aiddata:"+row["AidData Record ID"])
				if p.Latitude == nil || p.Longitude == nil || *p.Latitude != lat || *p.Longitude != lng ||
					p.LocationPrecision == nil || *p.LocationPrecision != project.LocationPrecisionCOUNTRY {
					t.Errorf("%s in %s: at %v,%v precision %v; want %v,%v COUNTRY", *p.ExternalRef, code, p.Latitude, p.Longitude, p.LocationPrecision, lat, lng)
				}
			}
		}
		if malaysian != 176 {
			t.Fatalf("malaysia.csv: %d Malaysian rows", malaysian)
		}
		s := apitest.NewServer(t, db)
		count := func(bounds string, where string) int {
			var out struct{ Projects struct{ TotalCount int } }
			s.MustOK(`{ projects(where: {withinBounds: `+bounds+where+`}) { totalCount } }`, nil, &out)
			return out.Projects.TotalCount
		}
		// Malaysia, Borneo included: 0.85°N to 7.4°N, 99.6°E to 119.3°E
		malaysia := `{minLat: 0.85, minLng: 99.6, maxLat: 7.4, maxLng: 119.3}`
		if n := count(malaysia, ""); n != malaysian {
			t.Errorf("withinBounds around Malaysia: %d projects, want %d", n, malaysian)
		}
		if n := count(malaysia, `, hasHostCountryWith: [{countryCodeNEQ: "MYS"}]`); n != 0 {
			t.Errorf("withinBounds around Malaysia: %d projects of other countries", n)
		}
		if n := count(`{minLat: 17, minLng: -79, maxLat: 19, maxLng: -76}`, `, hasHostCountryWith: [{countryCode: "MYS"}]`); n != 0 {
			t.Errorf("withinBounds around Jamaica: %d Malaysian projects", n)
		}
	})
}

// TestImportKeepsFinerLocation: a project located more precisely since the
// import (its site, say) keeps that location when the file is imported
// again, which then changes nothing; a project at a coarser or equal
// precision is placed again.
func TestImportKeepsFinerLocation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		importFiles(t, db.Client, Options{}, samples[0])
		ctx := auth.SystemContext(context.Background(), "test")
		site := projectByRef(t, db.Client, "aiddata:96203")
		exact := project.LocationPrecisionEXACT
		db.Client.Project.UpdateOneID(site.ID).SetLatitude(3.1553).SetLongitude(101.6938).SetLocationPrecision(exact).ExecX(ctx)
		again := importFiles(t, db.Client, Options{}, samples[0])
		if again.Created+again.Updated+again.Skipped != 0 || again.Unchanged != 176 {
			t.Fatalf("re-import: %+v", again)
		}
		p := projectByRef(t, db.Client, "aiddata:96203")
		if *p.Latitude != 3.1553 || *p.Longitude != 101.6938 || *p.LocationPrecision != exact {
			t.Fatalf("the finer location was replaced: %v,%v %v", *p.Latitude, *p.Longitude, *p.LocationPrecision)
		}
	})
}

// TestImportLeavesRegionalProjectsUnlocated: a regional record, a
// multi-region one and one whose code has no country point stay without a
// location, and the summary counts them.
func TestImportLeavesRegionalProjectsUnlocated(t *testing.T) {
	path := madeCSV(t,
		map[string]string{"AidData Record ID": "940001", "Title": "Regional", "Recipient": "Africa, regional", "Recipient ISO-3": "", "Recipient Region": "Africa"},
		map[string]string{"AidData Record ID": "940002", "Title": "Multi-region", "Recipient": "Multi-Region", "Recipient ISO-3": "", "Recipient Region": "Multi-Region"},
		map[string]string{"AidData Record ID": "940003", "Title": "Unknown code", "Recipient": "Atlantis", "Recipient ISO-3": "QQQ", "Recipient Region": "Europe"},
		map[string]string{"AidData Record ID": "940004", "Title": "Malaysia"},
	)
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		sum := importFiles(t, db.Client, Options{}, path)
		if sum.Created != 4 || sum.Unlocated != 3 {
			t.Fatalf("%+v", sum)
		}
		s, err := ImportFile(context.Background(), db.Client, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(s.String(), "; 3 projects left unlocated: regional or multi-country") {
			t.Errorf("summary: %s", s)
		}
		for _, id := range []string{"940001", "940002", "940003"} {
			p := projectByRef(t, db.Client, "aiddata:"+id)
			if p.Latitude != nil || p.Longitude != nil || p.LocationPrecision != nil {
				t.Errorf("%s: at %v,%v %v", id, p.Latitude, p.Longitude, p.LocationPrecision)
			}
		}
		if p := projectByRef(t, db.Client, "aiddata:940004"); p.LocationPrecision == nil {
			t.Error("the Malaysian record is unlocated")
		}
	})
}
