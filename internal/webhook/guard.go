package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	entgo "entgo.io/ent"

	"github.com/bri-tracker/bri-tracker/ent"
	"github.com/bri-tracker/bri-tracker/ent/hook"
	"github.com/bri-tracker/bri-tracker/internal/apperr"
)

// notPublic are the address ranges a webhook may not reach unless private
// addresses are allowed (--webhook-allow-private), beyond what netip
// classifies: shared (carrier-grade NAT), benchmarking, IETF protocol
// assignments, reserved, NAT64, Teredo and 6to4 (which embed any IPv4
// address), and the cloud metadata services' IPv6 address.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/96"), // IPv4-compatible (deprecated), which embeds IPv4
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001::/32"), // Teredo, which embeds an IPv4 address
	netip.MustParsePrefix("2002::/16"), // 6to4, likewise
	netip.MustParsePrefix("fd00:ec2::254/128"),
}

// refused says why addr is not a public address, or "" when it is.
func refused(addr netip.Addr) string {
	addr = addr.Unmap()
	switch {
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsPrivate():
		return "a private address"
	case addr.IsLinkLocalUnicast():
		return "a link-local address (cloud metadata services live there)"
	case addr.IsUnspecified(), addr.IsMulticast():
		return "not a unicast address"
	}
	for _, p := range notPublic {
		if p.Contains(addr) {
			return "not a public address"
		}
	}
	return ""
}

// ErrRefusedAddress is the cause of a request refused for its address.
var ErrRefusedAddress = errors.New("webhook: the address is not public")

// refusedError is a connection refused for its address; it is
// ErrRefusedAddress, and says which address and why.
type refusedError struct{ reason string }

func (e *refusedError) Error() string        { return ErrRefusedAddress.Error() + ": " + e.reason }
func (e *refusedError) Is(target error) bool { return target == ErrRefusedAddress }

// CheckHost resolves a webhook URL's host and refuses it when any of its
// addresses is not public (unless allowPrivate), with a client error
// naming the url argument.
func CheckHost(ctx context.Context, raw string, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return apperr.Invalid("url", "%q is not a URL", raw)
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host); err != nil || len(addrs) == 0 {
			return apperr.Invalid("url", "the host %q does not resolve", host)
		}
	}
	for _, a := range addrs {
		if why := refused(a); why != "" {
			return apperr.Invalid("url", "%s resolves to %s, %s: webhooks are sent to public addresses only", host, a.Unmap(), why)
		}
	}
	return nil
}

// URLGuard is the hook that refuses a webhook whose URL's host is not
// public, unless allowPrivate: installed on the server's client (the
// setting is the server's), so every path that writes webhooks obeys it.
// The delivery client checks again each address it connects to, which a
// host's DNS could have changed since.
func URLGuard(allowPrivate bool) ent.Hook {
	return hook.On(func(next entgo.Mutator) entgo.Mutator {
		return hook.WebhookFunc(func(ctx context.Context, m *ent.WebhookMutation) (entgo.Value, error) {
			if u, ok := m.URL(); ok {
				if err := CheckHost(ctx, u, allowPrivate); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne)
}

// NewHTTPClient is the client deliveries are sent with: no proxy from the
// environment, no redirect followed (a 3xx answer is a failed attempt), a
// timeout per request, and, unless allowPrivate, each connection refused
// before it is made when its address is not public, whatever the DNS said
// when the webhook was registered.
func NewHTTPClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &refusedError{address}
			}
			if why := refused(ap.Addr()); why != "" {
				return &refusedError{fmt.Sprintf("%s is %s", ap.Addr().Unmap(), why)}
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
