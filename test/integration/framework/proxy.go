package framework

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"

	"k8s.io/client-go/rest"
)

// Proxy is a TCP proxy in front of the API server that a test can take
// down and bring back on the same address: to tlsguard it looks exactly
// like an API server restart (connections reset, refused, then served again
// with the same certificate), which restarting envtest's kube-apiserver does
// not give (it comes back with a new CA and forgets its users).
type Proxy struct {
	addr, upstream string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

// StartProxy proxies cp's API server until the test ends, and returns a
// copy of cp's config that goes through it.
func (cp *ControlPlane) StartProxy(t testing.TB) (*Proxy, *rest.Config) {
	t.Helper()
	u, err := url.Parse(cp.Config.Host)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{upstream: u.Host, conns: map[net.Conn]bool{}}
	if err := p.listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Down)
	cfg := rest.CopyConfig(cp.Config)
	cfg.Host = "https://" + p.addr
	return p, cfg
}

func (p *Proxy) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("proxy listen %s: %w", addr, err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go p.serve(ln)
	return nil
}

func (p *Proxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.upstream)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go pipe(c, up)
		go pipe(up, c)
	}
}

func pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// Down refuses new connections and resets open ones.
func (p *Proxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

// Up serves again on the same address.
func (p *Proxy) Up() error { return p.listen(p.addr) }
