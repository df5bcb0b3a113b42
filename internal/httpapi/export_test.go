package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fakeGraphQL answers the export's queries with canned pages: three
// projects over two pages, the second project with a second page of
// participations; failAt makes a page answer with an error.
type fakeGraphQL struct {
	failAt    string // "first", "second" or ""
	wheres    []string
	nodeCalls int
}

func (f *fakeGraphQL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if strings.Contains(req.Query, "node(id: $id)") {
		f.nodeCalls++
		fmt.Fprint(w, `{"data":{"node":{"participations":{"pageInfo":{"hasNextPage":false,"endCursor":"p2"},
			"edges":[{"node":{"role":"IMPLEMENTER","partner":{"name":"China Harbour"}}}]}}}}`)
		return
	}
	where, _ := json.Marshal(req.Variables["where"])
	f.wheres = append(f.wheres, string(where))
	page := "first"
	if req.Variables["after"] != nil {
		page = "second"
	}
	if f.failAt == page {
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"errors":[{"message":"Unknown field \"nosuch\"","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`)
		return
	}
	if page == "first" {
		fmt.Fprint(w, `{"data":{"projects":{"pageInfo":{"hasNextPage":true,"endCursor":"c2"},"edges":[
			{"node":{"id":"UHJvamVjdDox","externalRef":"aiddata:1","title":"Port, \"phase 1\"","sector":"TRANSPORT","status":"COMPLETED",
			 "greenCategory":"NONE","amount":"6558437637","currency":"CNY","amountUsd":"1016812036.74418","commitmentYear":2021,
			 "signedOn":"2021-01-01","startedOn":null,"completedOn":null,"city":null,"latitude":36.0671,"longitude":120.3826,
			 "hostCountry":{"countryCode":"MYS"},"locationPrecision":"COUNTRY","countsInAggregates":true,"umbrella":false,
			 "parent":{"externalRef":"aiddata:0"},"groupRef":"aiddata:parent:31","flowType":"Export Buyer's Credit","flowClass":"OOF_LIKE",
			 "interestRate":"1.50","maturityYears":"20","gracePeriodYears":"5.5","grantElement":"12.3456",
			 "participations":{"pageInfo":{"hasNextPage":false,"endCursor":null},"edges":[
			   {"node":{"role":"HOST_GOVERNMENT","partner":{"name":"Malaysia"}}},{"node":{"role":"FINANCIER","partner":{"name":"Bank of China (BOC)"}}}]}}},
			{"node":{"id":"UHJvamVjdDoy","externalRef":null,"title":"Line\nbreak","sector":"ENERGY","status":"PIPELINE",
			 "greenCategory":"RENEWABLE_ENERGY","amount":null,"currency":null,"amountUsd":null,"commitmentYear":null,
			 "signedOn":null,"startedOn":null,"completedOn":null,"city":"Kuantan","latitude":null,"longitude":null,"hostCountry":null,
			 "locationPrecision":null,"countsInAggregates":false,"umbrella":true,"parent":null,"groupRef":null,"flowType":null,"flowClass":null,
			 "interestRate":null,"maturityYears":null,"gracePeriodYears":null,"grantElement":null,
			 "participations":{"pageInfo":{"hasNextPage":true,"endCursor":"p1"},"edges":[
			   {"node":{"role":"FINANCIER","partner":{"name":"CDB"}}}]}}}]}}}`)
		return
	}
	fmt.Fprint(w, `{"data":{"projects":{"pageInfo":{"hasNextPage":false,"endCursor":"c3"},"edges":[
		{"node":{"id":"UHJvamVjdDoz","externalRef":"aiddata:3","title":"Three","sector":"OTHER","status":"SIGNED","greenCategory":"NONE",
		 "amount":"0.000000000000000001","currency":"USD","amountUsd":"0.000000000000000001","commitmentYear":2000,
		 "signedOn":null,"startedOn":"2001-02-03","completedOn":"2002-03-04","city":null,"latitude":-0.5,"longitude":1E2,
		 "hostCountry":{"countryCode":"JAM"},"locationPrecision":"EXACT","countsInAggregates":true,"umbrella":false,"parent":null,
		 "groupRef":null,"flowType":"Grant","flowClass":"ODA_LIKE","interestRate":null,"maturityYears":null,"gracePeriodYears":null,"grantElement":"100","participations":{"pageInfo":{"hasNextPage":false,"endCursor":null},"edges":[]}}}]}}}`)
}

func exportServer(t *testing.T, f *fakeGraphQL, format string) *httptest.Server {
	t.Helper()
	p := pager{gql: f, timeout: 5 * time.Second}
	srv := httptest.NewServer(exportProjects(p, slog.New(slog.NewTextHandler(io.Discard, nil)), format))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, u string) (*http.Response, string, error) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, string(body), err
}

// TestExportHandler streams every page in both formats, with exact
// amounts, the participations beyond the first page, and the filter passed
// on as the projects query's where.
func TestExportHandler(t *testing.T) {
	for _, c := range []struct {
		format, contentType, want string
	}{
		{"csv", "text/csv; charset=utf-8", "id,externalRef,title,sector,status,greenCategory,amount,currency,amountUsd,commitmentYear,signedOn,startedOn,completedOn,city,latitude,longitude,locationPrecision,hostCountryCode,participants,countsInAggregates,umbrella,parentRef,groupRef,flowType,flowClass,interestRate,maturityYears,gracePeriodYears,grantElement\n" +
			`UHJvamVjdDox,aiddata:1,"Port, ""phase 1""",TRANSPORT,COMPLETED,NONE,6558437637,CNY,1016812036.74418,2021,2021-01-01,,,,36.0671,120.3826,COUNTRY,MYS,Malaysia:HOST_GOVERNMENT|Bank of China (BOC):FINANCIER,true,false,aiddata:0,aiddata:parent:31,Export Buyer's Credit,OOF_LIKE,1.50,20,5.5,12.3456` + "\n" +
			"UHJvamVjdDoy,,\"Line\nbreak\",ENERGY,PIPELINE,RENEWABLE_ENERGY,,,,,,,,Kuantan,,,,,CDB:FINANCIER|China Harbour:IMPLEMENTER,false,true,,,,,,,,\n" +
			"UHJvamVjdDoz,aiddata:3,Three,OTHER,SIGNED,NONE,0.000000000000000001,USD,0.000000000000000001,2000,,2001-02-03,2002-03-04,,-0.5,1E2,EXACT,JAM,,true,false,,,Grant,ODA_LIKE,,,,100\n"},
		{"json", "application/json", `[
{"id":"UHJvamVjdDox","externalRef":"aiddata:1","title":"Port, \"phase 1\"","sector":"TRANSPORT","status":"COMPLETED","greenCategory":"NONE","amount":"6558437637","currency":"CNY","amountUsd":"1016812036.74418","commitmentYear":2021,"signedOn":"2021-01-01","startedOn":null,"completedOn":null,"city":null,"latitude":36.0671,"longitude":120.3826,"locationPrecision":"COUNTRY","hostCountryCode":"MYS","participants":[{"name":"Malaysia","role":"HOST_GOVERNMENT"},{"name":"Bank of China (BOC)","role":"FINANCIER"}],"countsInAggregates":true,"umbrella":false,"parentRef":"aiddata:0","groupRef":"aiddata:parent:31","flowType":"Export Buyer's Credit","flowClass":"OOF_LIKE","interestRate":"1.50","maturityYears":"20","gracePeriodYears":"5.5","grantElement":"12.3456"},
{"id":"UHJvamVjdDoy","externalRef":null,"title":"Line\nbreak","sector":"ENERGY","status":"PIPELINE","greenCategory":"RENEWABLE_ENERGY","amount":null,"currency":null,"amountUsd":null,"commitmentYear":null,"signedOn":null,"startedOn":null,"completedOn":null,"city":"Kuantan","latitude":null,"longitude":null,"locationPrecision":null,"hostCountryCode":null,"participants":[{"name":"CDB","role":"FINANCIER"},{"name":"China Harbour","role":"IMPLEMENTER"}],"countsInAggregates":false,"umbrella":true,"parentRef":null,"groupRef":null,"flowType":null,"flowClass":null,"interestRate":null,"maturityYears":null,"gracePeriodYears":null,"grantElement":null},
{"id":"UHJvamVjdDoz","externalRef":"aiddata:3","title":"Three","sector":"OTHER","status":"SIGNED","greenCategory":"NONE","amount":"0.000000000000000001","currency":"USD","amountUsd":"0.000000000000000001","commitmentYear":2000,"signedOn":null,"startedOn":"2001-02-03","completedOn":"2002-03-04","city":null,"latitude":-0.5,"longitude":1E2,"locationPrecision":"EXACT","hostCountryCode":"JAM","participants":[],"countsInAggregates":true,"umbrella":false,"parentRef":null,"groupRef":null,"flowType":"Grant","flowClass":"ODA_LIKE","interestRate":null,"maturityYears":null,"gracePeriodYears":null,"grantElement":"100"}
]
`},
	} {
		t.Run(c.format, func(t *testing.T) {
			f := &fakeGraphQL{}
			srv := exportServer(t, f, c.format)
			res, body, err := get(t, srv.URL+"/export/projects."+c.format+"?where="+url.QueryEscape(`{"sector":"ENERGY"}`))
			if err != nil || res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != c.contentType ||
				res.Header.Get("Content-Disposition") != `attachment; filename="projects.`+c.format+`"` {
				t.Fatalf("%v %d %v", err, res.StatusCode, res.Header)
			}
			if body != c.want {
				t.Fatalf("body\n%s\nwant\n%s", body, c.want)
			}
			if c.format == "json" && !json.Valid([]byte(body)) {
				t.Fatal("invalid JSON")
			}
			if len(f.wheres) != 2 || f.wheres[0] != `{"and":[{"sector":"ENERGY"}]}` || f.wheres[1] != f.wheres[0] || f.nodeCalls != 1 {
				t.Fatalf("queries: wheres %q, node calls %d", f.wheres, f.nodeCalls)
			}
		})
	}
}

// TestExportHandlerRefusals: a filter the API refuses gets its errors with
// 400, malformed JSON in where gets 400, other methods 405, and a failure
// after the stream began breaks the connection rather than end the body.
func TestExportHandlerRefusals(t *testing.T) {
	srv := exportServer(t, &fakeGraphQL{failAt: "first"}, "csv")
	res, body, _ := get(t, srv.URL+"?where="+url.QueryEscape(`{"nosuch":1}`))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "GRAPHQL_VALIDATION_FAILED") || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("refused filter: %d %s", res.StatusCode, body)
	}
	res, body, _ = get(t, srv.URL+"?where=%7Bnot-json")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "BAD_USER_INPUT") {
		t.Fatalf("malformed where: %d %s", res.StatusCode, body)
	}
	post, err := http.Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed || post.Header.Get("Allow") != "GET" {
		t.Fatalf("POST: %d", post.StatusCode)
	}

	// the first page is still in the server's buffer, or already sent:
	// either way the client meets an error, not a short document
	broken := exportServer(t, &fakeGraphQL{failAt: "second"}, "json")
	if res, err := http.Get(broken.URL); err == nil {
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err == nil || json.Valid(body) {
			t.Fatalf("a stream that fails midway must not look whole: status %d, read error %v, body %q", res.StatusCode, err, body)
		}
	}
}

// TestEncoders: missing values are empty cells in CSV and null in JSON.
func TestEncoders(t *testing.T) {
	year := 2020
	ref := "aiddata:9"
	for _, c := range []struct {
		p        exportedProject
		csv, obj string
	}{
		{exportedProject{ID: "a", Title: "T", Sector: "ENERGY", Status: "PIPELINE", GreenCategory: "NONE", Participants: []exportedParticipant{}},
			"a,,T,ENERGY,PIPELINE,NONE,,,,,,,,,,,,,,false,false,,,,,,,,\n",
			`{"id":"a","externalRef":null,"title":"T","sector":"ENERGY","status":"PIPELINE","greenCategory":"NONE","amount":null,"currency":null,"amountUsd":null,"commitmentYear":null,"signedOn":null,"startedOn":null,"completedOn":null,"city":null,"latitude":null,"longitude":null,"locationPrecision":null,"hostCountryCode":null,"participants":[],"countsInAggregates":false,"umbrella":false,"parentRef":null,"groupRef":null,"flowType":null,"flowClass":null,"interestRate":null,"maturityYears":null,"gracePeriodYears":null,"grantElement":null}`},
		{exportedProject{ID: "b", ExternalRef: &ref, Title: "=1+1", Sector: "OTHER", Status: "SIGNED", GreenCategory: "NONE", CommitmentYear: &year,
			Latitude: json.RawMessage("1.25"), Longitude: json.RawMessage("null"), CountsInAggregates: true, Participants: []exportedParticipant{{"A: B", "FINANCIER"}, {"C", "IMPLEMENTER"}}},
			"b,aiddata:9,=1+1,OTHER,SIGNED,NONE,,,,2020,,,,,1.25,,,,A: B:FINANCIER|C:IMPLEMENTER,true,false,,,,,,,,\n",
			`{"id":"b","externalRef":"aiddata:9","title":"=1+1","sector":"OTHER","status":"SIGNED","greenCategory":"NONE","amount":null,"currency":null,"amountUsd":null,"commitmentYear":2020,"signedOn":null,"startedOn":null,"completedOn":null,"city":null,"latitude":1.25,"longitude":null,"locationPrecision":null,"hostCountryCode":null,"participants":[{"name":"A: B","role":"FINANCIER"},{"name":"C","role":"IMPLEMENTER"}],"countsInAggregates":true,"umbrella":false,"parentRef":null,"groupRef":null,"flowType":null,"flowClass":null,"interestRate":null,"maturityYears":null,"gracePeriodYears":null,"grantElement":null}`},
	} {
		var cb, jb bytes.Buffer
		cw, jw := bufio.NewWriter(&cb), bufio.NewWriter(&jb)
		ce, je := newEncoder("csv", cw), newEncoder("json", jw)
		p := c.p
		if err := ce.project(&p); err != nil {
			t.Fatal(err)
		}
		if err := je.project(&p); err != nil {
			t.Fatal(err)
		}
		cw.Flush()
		jw.Flush()
		if cb.String() != c.csv || strings.TrimSpace(jb.String()) != c.obj {
			t.Errorf("%s:\ncsv  %q\nwant %q\njson %s\nwant %s", c.p.ID, cb.String(), c.csv, jb.String(), c.obj)
		}
	}
}
