package names

import "testing"

func TestLowerCamel(t *testing.T) {
	for in, want := range map[string]string{
		"name": "name", "amount_usd": "amountUsd", "host_country_id": "hostCountryID",
		"policies_added": "policiesAdded", "share_percent": "sharePercent", "id": "id",
	} {
		if got := LowerCamel(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
