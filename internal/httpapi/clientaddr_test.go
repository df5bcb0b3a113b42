package httpapi

import (
	"net/http"
	"testing"
)

func TestClientAddress(t *testing.T) {
	trusted, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.7 ,::ffff:172.16.0.0/108, 2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	xff := ClientAddress{TrustedProxies: trusted}
	fwd := ClientAddress{TrustedProxies: trusted, Header: HeaderForwarded}
	for _, tc := range []struct {
		name   string
		c      ClientAddress
		remote string
		header map[string][]string
		want   string
	}{
		{"untrusted peer's header is ignored", xff, "203.0.113.9:5000",
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "203.0.113.9"},
		{"trusted peer, one hop", xff, "10.1.2.3:5000",
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1"},
		{"a client's forged entries left of the real one are ignored", xff, "10.1.2.3:5000",
			map[string][]string{"X-Forwarded-For": {"1.1.1.1, 198.51.100.1"}}, "198.51.100.1"},
		{"chain of trusted proxies, several header lines", xff, "10.1.2.3:5000",
			map[string][]string{"X-Forwarded-For": {"1.1.1.1, 198.51.100.1", "192.0.2.7, 10.9.9.9"}}, "198.51.100.1"},
		{"every hop trusted: the leftmost", xff, "10.1.2.3:5000",
			map[string][]string{"X-Forwarded-For": {"10.0.0.5, 10.0.0.6"}}, "10.0.0.5"},
		{"garbage stops the walk at the last known hop", xff, "10.1.2.3:5000",
			map[string][]string{"X-Forwarded-For": {"1.1.1.1, unknown, 10.0.0.6"}}, "10.0.0.6"},
		{"trusted peer without the header", xff, "10.1.2.3:5000", nil, "10.1.2.3"},
		{"IPv4-mapped peer, mapped trusted range", xff, "[::ffff:172.16.0.4]:5000",
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1"},
		{"IPv6 peer and client", xff, "[2001:db8::1]:5000",
			map[string][]string{"X-Forwarded-For": {"2001:db9::5"}}, "2001:db9::5"},
		{"X-Forwarded-For configured: Forwarded is the client's own, ignored", xff, "10.1.2.3:5000",
			map[string][]string{"Forwarded": {"for=1.1.1.1"}}, "10.1.2.3"},
		{"Forwarded: quoted IPv6 with port, other parameters", fwd, "10.1.2.3:5000",
			map[string][]string{"Forwarded": {`for=1.1.1.1;proto=http, For="[2001:db9::17]:4711";by=10.1.2.3`}}, "2001:db9::17"},
		{"Forwarded: obfuscated identifier stops the walk", fwd, "10.1.2.3:5000",
			map[string][]string{"Forwarded": {`for=1.1.1.1, for=_hidden, for=10.0.0.2`}}, "10.0.0.2"},
		{"Forwarded configured: X-Forwarded-For is the client's own, ignored", fwd, "10.1.2.3:5000",
			map[string][]string{"X-Forwarded-For": {"1.1.1.1"}}, "10.1.2.3"},
		{"no trusted proxies", ClientAddress{}, "10.1.2.3:5000",
			map[string][]string{"X-Forwarded-For": {"1.1.1.1"}}, "10.1.2.3"},
	} {
		r := &http.Request{RemoteAddr: tc.remote, Header: http.Header(tc.header)}
		if got := tc.c.Of(r); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0/8"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q): no error", bad)
		}
	}
}
