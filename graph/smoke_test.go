package graph_test

import (
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
)

func TestSmoke(t *testing.T) {
	apitest.Each(t, func(t *testing.T, db *apitest.DB) {
		s := apitest.NewServer(t, db)
		var out struct {
			CreatePartner struct{ ID string } `json:"createPartner"`
		}
		s.MustOK(`mutation { createPartner(input: {name: "Kazakhstan", kind: COUNTRY, countryCode: "KAZ", region: ASIA, briSignedOn: "2013-09-07"}) { id } }`, nil, &out)
		t.Log(out.CreatePartner.ID)
		res := s.Do(`mutation($c: ID!) { createProject(input: {title: "Almaty assembly centre", sector: LOGISTICS, amount: "12345678901234567890.123456789", currency: "USD", hostCountryID: $c, startedOn: "2020-01-02"}) { id title amount startedOn hostCountry { name } createdAt } }`, map[string]any{"c": out.CreatePartner.ID})
		t.Logf("%d %s %+v", res.Status, res.Data, res.Errors)
		res = s.Do(`{ partners { totalCount edges { node { id name hostedProjects { totalCount nodes { id title amount } } } } } }`, nil)
		t.Logf("%d %s %+v", res.Status, res.Data, res.Errors)
		res = s.Do(`{ projects(where: {amountGT: "5"}, orderBy: {field: AMOUNT, direction: DESC}) { totalCount } }`, nil)
		t.Logf("%d %s %+v", res.Status, res.Data, res.Errors)
	})
}
