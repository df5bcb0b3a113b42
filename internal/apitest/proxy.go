package apitest

import (
	"bytes"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy is a TCP proxy between a server under test and its database, which
// a test cuts and restores to play a database outage: a stopped or
// restarting PostgreSQL, or a broken network.
type Proxy struct {
	t      testing.TB
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[*proxyConn]struct{}
	// trip, when set, cuts everything as soon as a client sends it (see
	// CutOn).
	trip      []byte
	tripAfter bool
	tripped   chan struct{}
}

type proxyConn struct {
	client, server net.Conn
}

// NewProxy listens on a free port of 127.0.0.1 and forwards to target
// (host:port); it stops with the test.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{t: t, ln: ln, target: target, conns: map[*proxyConn]struct{}{}}
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.Cut()
	})
	return p
}

// ProxyURL returns a proxy to the server of rawURL (PostgreSQL, Redis) and
// rawURL rewritten to go through it.
func ProxyURL(t testing.TB, rawURL string) (*Proxy, string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	p := NewProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	return p, u.String()
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := p.cut
		p.mu.Unlock()
		if cut {
			// as a stopped server: the connection is reset at once
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			c.Close()
			continue
		}
		go p.serve(c)
	}
}

func (p *Proxy) serve(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	pc := &proxyConn{client: client, server: server}
	p.mu.Lock()
	if p.cut {
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.conns[pc] = struct{}{}
	p.mu.Unlock()
	go func() {
		// database to client
		_, _ = io.Copy(client, server)
		p.drop(pc)
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 && !p.forward(pc, buf[:n]) {
			return
		}
		if err != nil {
			p.drop(pc)
			return
		}
	}
}

// forward sends a client's bytes to the database, unless they trip a
// CutOn; it reports whether the connection lives on.
func (p *Proxy) forward(pc *proxyConn, b []byte) bool {
	p.mu.Lock()
	trip := p.trip != nil && bytes.Contains(b, p.trip)
	after := p.tripAfter
	if trip {
		p.trip = nil
	}
	p.mu.Unlock()
	if trip && !after {
		close(p.tripped)
		p.Cut()
		return false
	}
	if _, err := pc.server.Write(b); err != nil {
		p.drop(pc)
		return false
	}
	if trip {
		// Let the database act on them, but let no answer through: the
		// copy of the answer fails on the closed client and closes the
		// database's side then.
		close(p.tripped)
		p.mu.Lock()
		delete(p.conns, pc)
		p.mu.Unlock()
		pc.client.Close()
		p.Cut()
		return false
	}
	return true
}

func (p *Proxy) drop(pc *proxyConn) {
	p.mu.Lock()
	delete(p.conns, pc)
	p.mu.Unlock()
	pc.client.Close()
	pc.server.Close()
}

// Cut breaks every connection through the proxy and refuses new ones until
// Restore: what the server sees of a database that stopped.
func (p *Proxy) Cut() {
	p.mu.Lock()
	p.cut = true
	conns := p.conns
	p.conns = map[*proxyConn]struct{}{}
	p.mu.Unlock()
	for pc := range conns {
		pc.client.Close()
		pc.server.Close()
	}
}

// Restore lets connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

// CutOn arranges a cut at the moment a client sends bytes containing
// pattern (a statement's text, say): before they reach the database, or,
// with after, once they have reached it but before any answer comes back.
// The returned channel is closed when it happens.
func (p *Proxy) CutOn(pattern string, after bool) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trip, p.tripAfter = []byte(pattern), after
	p.tripped = make(chan struct{})
	return p.tripped
}
