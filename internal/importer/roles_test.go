package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/project"
	"github.com/bri-tracker/bri-tracker/ent/projectparticipant"
	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/auth"
	"github.com/bri-tracker/bri-tracker/internal/importer/aiddatagen"
)

// roleColumns is what each of AidData's agency columns makes of its
// agencies, written out here rather than taken from the importer.
var roleColumns = []struct {
	column string
	role   projectparticipant.Role
}{
	{"Funding Agencies", projectparticipant.RoleFINANCIER},
	{"Co-financing Agencies", projectparticipant.RoleCO_FINANCIER},
	{"Direct Receiving Agencies", projectparticipant.RoleRECEIVER},
	{"Indirect Receiving Agencies", projectparticipant.RoleRECEIVER},
	{"Implementing Agencies", projectparticipant.RoleIMPLEMENTER},
	{"Guarantor", projectparticipant.RoleGUARANTOR},
	{"Insurance Provider", projectparticipant.RoleINSURER},
	{"Collateral Provider", projectparticipant.RoleCOLLATERAL_PROVIDER},
	{"Security Agent/Collateral Agent", projectparticipant.RoleSECURITY_AGENT},
}

// csvRows reads a CSV file with encoding/csv alone, each row a map by
// header name.
func csvRows(t testing.TB, path string) []map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, rec := range all[1:] {
		m := map[string]string{}
		for i, h := range all[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

// nameKey identifies an agency by its name's letters and digits, in lower
// case ("Sdn Bhd" and "Sdn. Bhd" are one agency).
func nameKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

type heldRole struct {
	agency string // nameKey, or "country:" and the ISO code for the host
	role   projectparticipant.Role
}

var countryCode = regexp.MustCompile(`^[A-Z]{3}$`)

// csvRoles lists the roles a row gives, each (agency, role) once: the host
// country's government and every agency of every agency column.
func csvRoles(row map[string]string) map[heldRole]bool {
	out := map[heldRole]bool{}
	if code := strings.TrimSpace(row["Recipient ISO-3"]); countryCode.MatchString(code) {
		out[heldRole{"country:" + code, projectparticipant.RoleHOST_GOVERNMENT}] = true
	}
	for _, c := range roleColumns {
		for _, name := range strings.Split(row[c.column], "|") {
			if k := nameKey(name); k != "" {
				out[heldRole{k, c.role}] = true
			}
		}
	}
	return out
}

// storedRoles lists a project's participations the same way.
func storedRoles(t testing.TB, c *ent.Client, ref string) map[heldRole]bool {
	t.Helper()
	ctx := auth.SystemContext(context.Background(), "test")
	p := c.Project.Query().Where(project.ExternalRef(ref)).
		WithParticipations(func(q *ent.ProjectParticipantQuery) { q.WithPartner() }).OnlyX(ctx)
	out := map[heldRole]bool{}
	for _, pp := range p.Edges.Participations {
		k := nameKey(pp.Edges.Partner.Name)
		if pp.Edges.Partner.CountryCode != nil {
			k = "country:" + *pp.Edges.Partner.CountryCode
		}
		h := heldRole{k, pp.Role}
		if out[h] {
			t.Fatalf("%s: %s twice as %s", ref, pp.Edges.Partner.Name, pp.Role)
		}
		out[h] = true
	}
	return out
}

// TestImportKeepsEveryRole imports malaysia.csv on both databases: every
// role of every agency column is kept, an agency named in two role columns
// holds both roles, and the participations are exactly those the CSV
// gives, counted here from the file; a second import changes nothing.
func TestImportKeepsEveryRole(t *testing.T) {
	path := samples[0]
	rows := csvRows(t, path)
	want := 0
	multi := "" // a record naming one agency in columns of two roles
	var multiRoles []heldRole
	for _, row := range rows {
		roles := csvRoles(row)
		want += len(roles)
		byAgency := map[string][]heldRole{}
		for h := range roles {
			byAgency[h.agency] = append(byAgency[h.agency], h)
		}
		for _, hs := range byAgency {
			if len(hs) > 1 && multi == "" {
				multi, multiRoles = row["AidData Record ID"], hs
			}
		}
	}
	if multi == "" {
		t.Fatal("malaysia.csv has no record naming an agency in two role columns")
	}
	seen := map[projectparticipant.Role]bool{}
	for _, row := range rows {
		for h := range csvRoles(row) {
			seen[h.role] = true
		}
	}
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		first := importFiles(t, db.Client, Options{}, path)
		if first.Skipped != 0 {
			t.Fatalf("%+v", first.Problems)
		}
		_, _, participations, _ := counts(t, db.Client)
		if participations != want {
			t.Errorf("%d participations stored; the file gives %d", participations, want)
		}
		got := storedRoles(t, db.Client, ProjectRefPrefix+multi)
		for _, h := range multiRoles {
			if !got[h] {
				t.Errorf("record %s: %s is not %s (stored: %v)", multi, h.agency, h.role, got)
			}
		}
		for _, row := range rows {
			ref := ProjectRefPrefix + row["AidData Record ID"]
			if got, want := storedRoles(t, db.Client, ref), csvRoles(row); !sameRoles(got, want) {
				t.Errorf("%s: stored %v, the file says %v", ref, got, want)
			}
		}
		ctx := auth.SystemContext(context.Background(), "test")
		for role := range seen {
			if db.Client.ProjectParticipant.Query().Where(projectparticipant.RoleEQ(role)).CountX(ctx) == 0 {
				t.Errorf("no %s stored, though the file names some", role)
			}
		}
		again := importFiles(t, db.Client, Options{}, path)
		if again.Created+again.Updated+again.Skipped != 0 || again.Partners.Created+again.Partners.Updated != 0 {
			t.Fatalf("re-import: %+v", again)
		}
		if _, _, p2, _ := counts(t, db.Client); p2 != participations {
			t.Fatalf("re-import: participations %d → %d", participations, p2)
		}
	})
}

func sameRoles(a, b map[heldRole]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// madeCSV writes a file in the published format (the 126 headers, in
// order) with the given rows, each a map from header to cell; cells not
// given are empty, except the few every row needs, filled from base.
func madeCSV(t testing.TB, rows ...map[string]string) string {
	t.Helper()
	base := map[string]string{
		"Recipient": "Malaysia", "Recipient ISO-3": "MYS", "Recipient Region": "Asia",
		"Status": "Implementation", "Sector Name": "ENERGY", "Sector Code": "230",
		"Commitment Year": "2019", "Recommended For Aggregates": "Yes", "Umbrella": "No",
		"Funding Agencies": "China Development Bank (CDB)", "Funding Agencies Type": "State-owned Policy Bank",
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(aiddatagen.Header); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		cells := make([]string, len(aiddatagen.Header))
		for i, h := range aiddatagen.Header {
			v, ok := row[h]
			if !ok {
				v = base[h]
			}
			cells[i] = v
		}
		if err := w.Write(cells); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return writeTemp(t, "made.csv", b.Bytes())
}

// TestImportRolesOfOneAgency: an agency named twice in one column holds
// the role once; named in both receiving columns, it is one RECEIVER;
// named in several columns, it holds each of their roles. A newer file
// that drops a role removes it, and keeps the others.
func TestImportRolesOfOneAgency(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		path := madeCSV(t, map[string]string{
			"AidData Record ID":                    "900001",
			"Title":                                "Power plant",
			"Funding Agencies":                     "China Development Bank (CDB)|China Development Bank (CDB)",
			"Funding Agencies Type":                "State-owned Policy Bank|State-owned Policy Bank",
			"Co-financing Agencies":                "Bank of China (BOC)|Maybank",
			"Co-financing Agencies Type":           "Chinese State-owned Commercial Bank|Recipient Private Sector",
			"Direct Receiving Agencies":            "Tenaga Nasional Berhad",
			"Direct Receiving Agencies Type":       "Recipient State-owned Company",
			"Indirect Receiving Agencies":          "Tenaga Nasional Berhad",
			"Indirect Receiving Agencies Type":     "Recipient State-owned Company",
			"Implementing Agencies":                "Tenaga Nasional Berhad|PowerChina",
			"Implementing Agencies Type":           "Recipient State-owned Company|Chinese State-owned Company",
			"Guarantor":                            "Government of Malaysia",
			"Guarantor Agency Type":                "Recipient Government Agency",
			"Insurance Provider":                   "China Export & Credit Insurance Corporation (Sinosure)",
			"Insurance Provider Agency Type":       "Chinese State-owned Company",
			"Collateral Provider":                  "Tenaga Nasional Berhad",
			"Collateral Provider Agency Type":      "Recipient State-owned Company",
			"Security Agent/Collateral Agent":      "Bank of China (BOC)",
			"Security Agent/Collateral Agent Type": "Chinese State-owned Commercial Bank",
		})
		if s := importFiles(t, db.Client, Options{}, path); s.Created != 1 || s.Skipped != 0 {
			t.Fatalf("%+v", s)
		}
		want := map[heldRole]bool{
			{"country:MYS", projectparticipant.RoleHOST_GOVERNMENT}:                           true,
			{"chinadevelopmentbankcdb", projectparticipant.RoleFINANCIER}:                     true,
			{"bankofchinaboc", projectparticipant.RoleCO_FINANCIER}:                           true,
			{"bankofchinaboc", projectparticipant.RoleSECURITY_AGENT}:                         true,
			{"maybank", projectparticipant.RoleCO_FINANCIER}:                                  true,
			{"tenaganasionalberhad", projectparticipant.RoleRECEIVER}:                         true,
			{"tenaganasionalberhad", projectparticipant.RoleIMPLEMENTER}:                      true,
			{"tenaganasionalberhad", projectparticipant.RoleCOLLATERAL_PROVIDER}:              true,
			{"powerchina", projectparticipant.RoleIMPLEMENTER}:                                true,
			{"governmentofmalaysia", projectparticipant.RoleGUARANTOR}:                        true,
			{"chinaexportcreditinsurancecorporationsinosure", projectparticipant.RoleINSURER}: true,
		}
		if got := storedRoles(t, db.Client, "aiddata:900001"); !sameRoles(got, want) {
			t.Fatalf("roles\n got %v\nwant %v", roleList(got), roleList(want))
		}
		// the newer file no longer names Tenaga Nasional as collateral provider
		newer := madeCSV(t, map[string]string{
			"AidData Record ID":                    "900001",
			"Title":                                "Power plant",
			"Funding Agencies":                     "China Development Bank (CDB)|China Development Bank (CDB)",
			"Funding Agencies Type":                "State-owned Policy Bank|State-owned Policy Bank",
			"Co-financing Agencies":                "Bank of China (BOC)|Maybank",
			"Co-financing Agencies Type":           "Chinese State-owned Commercial Bank|Recipient Private Sector",
			"Direct Receiving Agencies":            "Tenaga Nasional Berhad",
			"Direct Receiving Agencies Type":       "Recipient State-owned Company",
			"Indirect Receiving Agencies":          "Tenaga Nasional Berhad",
			"Indirect Receiving Agencies Type":     "Recipient State-owned Company",
			"Implementing Agencies":                "Tenaga Nasional Berhad|PowerChina",
			"Implementing Agencies Type":           "Recipient State-owned Company|Chinese State-owned Company",
			"Guarantor":                            "Government of Malaysia",
			"Guarantor Agency Type":                "Recipient Government Agency",
			"Insurance Provider":                   "China Export & Credit Insurance Corporation (Sinosure)",
			"Insurance Provider Agency Type":       "Chinese State-owned Company",
			"Security Agent/Collateral Agent":      "Bank of China (BOC)",
			"Security Agent/Collateral Agent Type": "Chinese State-owned Commercial Bank",
		})
		if s := importFiles(t, db.Client, Options{}, newer); s.Updated != 1 || s.Created != 0 {
			t.Fatalf("newer: %+v", s)
		}
		delete(want, heldRole{"tenaganasionalberhad", projectparticipant.RoleCOLLATERAL_PROVIDER})
		if got := storedRoles(t, db.Client, "aiddata:900001"); !sameRoles(got, want) {
			t.Fatalf("roles after the newer file\n got %v\nwant %v", roleList(got), roleList(want))
		}
		if s := importFiles(t, db.Client, Options{}, newer); s.Unchanged != 1 || s.Updated+s.Created != 0 {
			t.Fatalf("again: %+v", s)
		}
	})
}

func roleList(m map[heldRole]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k.agency+":"+string(k.role))
	}
	sort.Strings(out)
	return out
}
