package probe_test

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tlsguard/tlsguard/pkg/probe"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

// now is the probe time of every test; the certificates are valid (or not)
// relative to it, never to the wall clock.
var now = testcerts.Now

const day = 24 * time.Hour

// pki is the certificates of the tests: a root and an intermediate issuing
// leaves for 127.0.0.1 and localhost, and a second, unrelated root.
type pki struct {
	root, inter, otherRoot                         *testcerts.Cert
	good, selfSigned, expired, expiring, old, host *testcerts.Cert
}

var (
	pkiOnce sync.Once
	pkiVal  *pki
	pkiErr  error
)

func testPKI(t *testing.T) *pki {
	t.Helper()
	pkiOnce.Do(func() { pkiVal, pkiErr = newPKI() })
	if pkiErr != nil {
		t.Fatalf("issue test certificates: %v", pkiErr)
	}
	return pkiVal
}

func newPKI() (*pki, error) {
	var err error
	issue := func(spec testcerts.Spec, parent *testcerts.Cert) *testcerts.Cert {
		if err != nil {
			return nil
		}
		var c *testcerts.Cert
		c, err = testcerts.Issue(spec, parent)
		return c
	}
	at := func(days int) time.Time { return now.Add(time.Duration(days) * day) }
	local := func(cn string, from, to int) testcerts.Spec {
		return testcerts.Spec{CommonName: cn, DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: at(from), NotAfter: at(to)}
	}
	p := &pki{}
	p.root = issue(testcerts.Spec{CommonName: "probe test root", IsCA: true, NotBefore: at(-400), NotAfter: at(3000)}, nil)
	p.inter = issue(testcerts.Spec{CommonName: "probe test intermediate", IsCA: true, NotBefore: at(-300), NotAfter: at(1000)}, p.root)
	p.otherRoot = issue(testcerts.Spec{CommonName: "other root", IsCA: true, NotBefore: at(-400), NotAfter: at(3000)}, nil)
	p.good = issue(local("localhost", -10, 80), p.inter)
	p.selfSigned = issue(local("self-signed", -10, 80), nil)
	p.expired = issue(local("expired", -60, -1), p.inter)
	p.expiring = issue(local("expiring", -20, 10), p.inter)
	p.old = issue(local("old", -200, 165), p.inter)
	wrong := local("other.example.com", -10, 80)
	wrong.DNSNames, wrong.IPs = []string{"other.example.com"}, nil
	p.host = issue(wrong, p.inter)
	return p, err
}

// strongSuites are the TLS 1.2 suites of a well-configured server (ECDSA
// keys): ECDHE with AES-GCM or ChaCha20-Poly1305.
var strongSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
}

// server is a Rancher stand-in.
type server struct {
	cert       *testcerts.Cert
	cacerts    string // served at /cacerts; "" answers 404
	minVersion uint16 // default TLS 1.2
	maxVersion uint16 // default TLS 1.3
	suites     []uint16
	defaultCS  bool // Go's default suites instead of strongSuites
}

// start serves s over TLS on 127.0.0.1 until the test ends.
func (s server) start(t *testing.T) probe.Target {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/cacerts", func(w http.ResponseWriter, _ *http.Request) {
		if s.cacerts == "" {
			http.NotFound(w, nil)
			return
		}
		_, _ = io.WriteString(w, s.cacerts)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "pong") })
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the probe's refused handshakes
	cfg := &tls.Config{
		Certificates: []tls.Certificate{tlsCert(s.cert)},
		MinVersion:   s.minVersion,
		MaxVersion:   s.maxVersion,
		CipherSuites: s.suites,
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if cfg.CipherSuites == nil && !s.defaultCS {
		cfg.CipherSuites = strongSuites
	}
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return target(t, srv.URL)
}

func tlsCert(c *testcerts.Cert) tls.Certificate {
	tc := tls.Certificate{PrivateKey: c.Key, Leaf: c.Cert}
	for _, x := range c.Chain {
		tc.Certificate = append(tc.Certificate, x.Raw)
	}
	return tc
}

func target(t *testing.T, url string) probe.Target {
	t.Helper()
	tg, err := probe.ParseTarget(url)
	if err != nil {
		t.Fatalf("ParseTarget(%q): %v", url, err)
	}
	return tg
}

// startHTTP serves h over plain HTTP on 127.0.0.1 and returns its port.
func startHTTP(t *testing.T, h http.HandlerFunc) int {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return portOf(t, srv.Listener.Addr())
}

// closedPort is a port on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := portOf(t, l.Addr())
	_ = l.Close()
	return port
}

// silentPort accepts connections and never answers, until the test ends.
func silentPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return portOf(t, l.Addr())
}

func portOf(t *testing.T, a net.Addr) int {
	t.Helper()
	_, p, err := net.SplitHostPort(a.String())
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
