package httpapi_test

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/bri-tracker/bri-tracker/internal/apitest"
	"github.com/bri-tracker/bri-tracker/internal/httpapi"
)

// TestRateLimitBehindTrustedProxy: behind a trusted proxy (the test's own
// connections come from 127.0.0.1) each forwarded client has its own
// per-address limit; when the peer is not trusted, the header is ignored and
// a client cannot dodge its limit by writing one.
func TestRateLimitBehindTrustedProxy(t *testing.T) {
	db := apitest.OpenSQLite(t)
	server := func(trusted ...netip.Prefix) *apitest.Server {
		return apitest.NewServer(t, db, func(o *httpapi.Options) {
			o.RatePerIP = 0.1 // one request, then one every 10 s
			o.ClientAddress = httpapi.ClientAddress{TrustedProxies: trusted}
		})
	}
	from := func(s *apitest.Server, client string) int {
		return s.DoAs("", `{ __typename }`, nil, "X-Forwarded-For", "198.51.100.250, "+client).Status
	}

	proxied := server(netip.MustParsePrefix("127.0.0.1/32"))
	for _, c := range []string{"203.0.113.1", "203.0.113.2"} {
		if st := from(proxied, c); st != http.StatusOK {
			t.Fatalf("client %s behind the trusted proxy: HTTP %d, want 200", c, st)
		}
	}
	if st := from(proxied, "203.0.113.1"); st != http.StatusTooManyRequests {
		t.Fatalf("client 203.0.113.1's second request: HTTP %d, want 429", st)
	}

	direct := server()
	if st := from(direct, "203.0.113.1"); st != http.StatusOK {
		t.Fatalf("first request from an untrusted peer: HTTP %d", st)
	}
	if st := from(direct, "203.0.113.2"); st != http.StatusTooManyRequests {
		t.Fatalf("untrusted peer with another X-Forwarded-For: HTTP %d, want 429 (the header must be ignored)", st)
	}
}
